// Evaluation: n samples per held-out prompt (pass@1 as mean accuracy, maj@n, pass@n), the pass@k curve for
// k <= n, greedy beside it.
#pragma once
#include <vector>

#include "r1/config/prompt_source_config.h"
#include "r1/config/sampling_config.h"
#include "r1/config/stage_kind.h"

namespace r1::config {

struct EvalSettings {
  PromptSourceConfig prompts;          // held-out prompts (split: eval)
  int samples = 4;                     // n samples per prompt
  std::vector<int> k;                  // the pass@k curve's k values (each <= samples); [] = 1, 2, 4, ... and samples
  SamplingConfig sampling;             // R1 protocol: temperature 0.6, top-p 0.95
  bool greedy = true;                  // also report greedy accuracy
  int batch_prompts = 64;              // prompts per generation batch

  EvalSettings();
  template <class V>
  void visit(V& v) {
    v("prompts", prompts);
    v("samples", samples, Min{1});
    v("k", k, Min{1});
    v("sampling", sampling);
    v("greedy", greedy);
    v("batch_prompts", batch_prompts, Min{1});
  }
  // Every k of the curve is at most `samples` (the unbiased estimator needs k <= n).
  void check(Problems& p, const std::string& path) const;
  // The curve's k values: `k` sorted without repeats, or when empty the powers of two below `samples` and
  // `samples` itself.
  std::vector<int> curve_ks() const;
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
