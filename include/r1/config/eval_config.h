// Evaluation: k samples per held-out prompt (pass@1 as mean accuracy, maj@k, pass@k), greedy beside it.
#pragma once
#include "r1/config/prompt_source_config.h"
#include "r1/config/sampling_config.h"
#include "r1/config/stage_kind.h"

namespace r1::config {

struct EvalSettings {
  PromptSourceConfig prompts;          // held-out prompts (split: eval)
  int samples = 4;                     // k samples per prompt
  SamplingConfig sampling;             // R1 protocol: temperature 0.6, top-p 0.95
  bool greedy = true;                  // also report greedy accuracy
  int batch_prompts = 64;              // prompts per generation batch

  EvalSettings();
  template <class V>
  void visit(V& v) {
    v("prompts", prompts);
    v("samples", samples, Min{1});
    v("sampling", sampling);
    v("greedy", greedy);
    v("batch_prompts", batch_prompts, Min{1});
  }
};

// `eval` stage: evaluate one checkpoint (stage name or path) with the given settings.
struct EvalStageConfig {
  std::string name;
  StageKind kind = StageKind::kEval;
  std::string model;                   // stage name or checkpoint path
  std::optional<EvalSettings> settings;  // "" = the recipe's eval settings (YAML key: eval)

  template <class V>
  void visit(V& v) {
    v("name", name, Required{});
    v("kind", kind);
    v("model", model, NonEmpty{}, Required{});
    v("eval", settings);
  }
};

}  // namespace r1::config
