// `cold-start` and `rejection-sample` stages: sample from a policy, keep verified samples, write JSONL.
#pragma once
#include "r1/config/prompt_source_config.h"
#include "r1/config/reward_config.h"
#include "r1/config/sampling_config.h"
#include "r1/config/stage_common.h"
#include "r1/config/stage_kind.h"

namespace r1::config {

struct DataStageConfig {
  std::string name;
  StageKind kind = StageKind::kColdStart;  // cold-start | rejection-sample
  std::string policy;                  // the sampling model (stage name or checkpoint path)
  PromptSourceConfig prompts;
  SamplingConfig sampling;
  int samples_per_prompt = 8;          // k samples drawn per prompt
  int max_per_prompt = 2;              // m kept per prompt at most
  SampleFilterConfig filters;
  bool dedupe = true;                  // drop samples whose normalised text was already kept
  // cold-start: the readable target format; {reasoning}, {summary} and {answer} are filled in.
  // The summary sits inside <think>: text between </think> and <answer> fails the strict format reward.
  std::string rewrite_template = "<think> {reasoning} {summary} </think> <answer> {answer} </answer>";
  std::string mix_file;                // rejection-sample: non-reasoning SFT JSONL to mix in
  double mix_ratio = 0.0;              // mixed rows per kept row
  int batch_prompts = 32;              // prompts per generation batch

  template <class V>
  void visit(V& v) {
    v("name", name, Required{});
    v("kind", kind);
    v("policy", policy);
    v("prompts", prompts);
    v("sampling", sampling);
    v("samples_per_prompt", samples_per_prompt, Min{1});
    v("max_per_prompt", max_per_prompt, Min{1});
    v("filters", filters);
    v("dedupe", dedupe);
    v("rewrite_template", rewrite_template);
    v("mix_file", mix_file);
    v("mix_ratio", mix_ratio, Min{0});
    v("batch_prompts", batch_prompts, Min{1});
  }
  void check(Problems& p, const std::string& path) const;
  static DataStageConfig defaults_for(StageKind kind);
};

}  // namespace r1::config
