// Held-out evaluation of a model with the R1 paper's protocol: k samples per prompt at temperature 0.6 /
// top-p 0.95 (pass@1 = mean accuracy over the k samples), maj@k, the unbiased pass@k (and its curve over the
// settings' k values), greedy accuracy beside them, format rate, language consistency and mean completion length;
// per prompt, the counts that paired comparisons between models need.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "r1/config/eval_config.h"
#include "r1/data/example.h"
#include "r1/dist/world.h"
#include "r1/eval/prompt_score.h"
#include "r1/io/jsonl.h"
#include "r1/train/model_bundle.h"

namespace r1::eval {

// The pass@k curve: the unbiased estimator averaged over prompts, for each k.
struct PassAtKCurve {
  std::vector<int> k;
  std::vector<double> pass_at_k;
  Json to_json() const;  // {"k": [...], "pass@k": [...]}
};

struct EvalResult {
  int k = 1;
  int n_prompts = 0;
  double pass_at_1 = 0;          // mean over prompts of (correct samples / k)
  double maj_at_k = 0;           // majority answer correct
  double pass_at_k = 0;          // unbiased estimator with n = k
  double greedy_accuracy = -1;   // -1 when greedy is off
  double format_rate = 0;        // strict format, over all samples
  double language_consistency = 0;
  double mean_length = 0;        // completion tokens, over all samples
  std::map<int, double> pass_at_1_by_level;
  PassAtKCurve curve;            // over the settings' curve_ks()
  std::vector<PromptScore> per_prompt;
  Json to_json() const;
};

// Per-prompt verdicts of k samples -> the metrics above (pure; what r1 eval reports).
struct PromptSamples {
  std::string id;
  int level = 1;
  std::vector<bool> correct;
  std::vector<std::string> answers;  // normalised extracted answers ("" = none)
  std::vector<bool> formatted;
  std::vector<double> language_consistency;
  std::vector<int> lengths;
};
// `curve_ks` are the pass@k curve's k values (a prompt with fewer samples than a k counts 0 for it, as for
// pass@k).
EvalResult summarize(const std::vector<PromptSamples>& prompts, int k, const std::vector<int>& curve_ks = {});

// The eval prompts of `settings` for a run seed (identical for every stage of a recipe).
std::vector<PromptExample> eval_prompts(const config::EvalSettings& settings, std::uint64_t run_seed);

// Samples and scores. `samples_out` (optional) receives one row per sample. The prompts are shared out over the ranks
// of `comm` (every rank must call it) and every rank gets the same result and samples.
EvalResult evaluate(train::ModelBundle& bundle, const std::vector<PromptExample>& prompts,
                    const config::EvalSettings& settings, std::uint64_t seed, std::vector<Json>* samples_out = nullptr,
                    dist::Comm& comm = dist::world());

}  // namespace r1::eval
