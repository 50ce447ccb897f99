// `train-zero` and `grpo` stages: GRPO from a checkpoint on verifiable prompts with rule rewards.
#pragma once
#include "r1/config/grpo_config.h"
#include "r1/config/optim_config.h"
#include "r1/config/prompt_source_config.h"
#include "r1/config/reward_config.h"
#include "r1/config/sampling_config.h"
#include "r1/config/stage_common.h"
#include "r1/config/stage_kind.h"

namespace r1::config {

struct RlStageConfig {
  std::string name;
  StageKind kind = StageKind::kTrainZero;  // train-zero | grpo
  std::string init;                    // policy start (stage name or checkpoint path)
  std::string reference;               // pi_ref; "" = the init checkpoint
  PromptSourceConfig prompts;
  std::vector<RewardSpec> rewards;
  SamplingConfig sampling;
  GrpoConfig grpo;
  OptimConfig optim;
  int steps = 200;                     // rollout batches (each: `iterations` x minibatches updates)
  int samples_every = 10;              // write samples.jsonl every N steps; 0 = never
  int samples_per_write = 8;           // completions written each time
  int log_every = 1;
  CheckpointConfig checkpoint;
  bool eval = true;

  template <class V>
  void visit(V& v) {
    v("name", name, Required{});
    v("kind", kind);
    v("init", init);
    v("reference", reference);
    v("prompts", prompts);
    v("rewards", rewards, NonEmpty{});
    v("sampling", sampling);
    v("grpo", grpo);
    v("optim", optim);
    v("steps", steps, Min{1});
    v("samples_every", samples_every, Min{0});
    v("samples_per_write", samples_per_write, Min{1});
    v("log_every", log_every, Min{1});
    v("checkpoint", checkpoint);
    v("eval", eval);
  }
  void check(Problems& p, const std::string& path) const;

  // Defaults per kind: train-zero = R1-Zero (accuracy + format, temperature 1.0); grpo = the second round
  // (accuracy + format + language consistency, temperature 0.7, as in the paper).
  static RlStageConfig defaults_for(StageKind kind);
};

}  // namespace r1::config
