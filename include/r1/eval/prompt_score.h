// One prompt's tallies over its n eval samples (eval.json "per_prompt") and the per-prompt values of the metrics
// that paired comparisons between two models on the same prompts use.
#pragma once
#include <string>
#include <vector>

#include "r1/io/jsonl.h"

namespace r1::eval {

// One prompt's tallies over its n samples (eval.json "per_prompt"): what paired statistics between two models
// evaluated on the same prompts need.
struct PromptScore {
  std::string id;
  int n = 0;                  // samples
  int correct = 0;            // samples judged correct
  int formatted = 0;          // samples in the strict format
  double language = 0;        // mean language consistency over the samples
  Json to_json() const;
};

// The per-prompt value of an eval.json metric: "pass@1" (correct / n), "format_rate" (formatted / n) or
// "language_consistency" (language); their means over prompts are the eval's own figures.
double prompt_metric(const PromptScore& score, const std::string& metric);
// The metrics prompt_metric knows, in report order.
const std::vector<std::string>& paired_metrics();

// eval.json's "per_prompt" list; empty when the key is absent (an eval written before it existed). InputError
// naming `source`, the entry and the key when an entry is malformed.
std::vector<PromptScore> prompt_scores_from_json(const Json& eval, const std::string& source);

}  // namespace r1::eval
