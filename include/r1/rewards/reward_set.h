// A weighted set of rewards (from the `rewards:` list of a stage or a rewards file): scores one completion,
// reporting the total, each component (unweighted) and the verdicts that evaluation and data filters use.
#pragma once
#include <string>
#include <vector>

#include "r1/config/reward_config.h"
#include "r1/data/example.h"

namespace r1 {

struct RewardOutcome {
  double total = 0;                 // sum of weight * component
  std::vector<double> components;   // in RewardSet::names() order (unweighted)
  bool correct = false;             // accuracy verified
  bool formatted = false;           // strict format holds
  double language_consistency = 0;  // in [0, 1] for the target language (the prompt's unless configured)
  std::string extracted_answer;     // "" if none
};

class RewardSet {
 public:
  // Validates the specs (modes, length limits, duplicates); throws ConfigError listing every problem.
  explicit RewardSet(const std::vector<config::RewardSpec>& specs);

  const std::vector<std::string>& names() const { return names_; }
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<config::RewardSpec>& specs() const { return specs_; }

  // Scores `completion` (which starts at "<think>"; `prompt_text` is the rendered prompt, ending with
  // "Assistant:" or similar). `correct`, `formatted` and `language_consistency` are computed even when that
  // reward is not in the set (accuracy then in exact mode, language for the prompt's language).
  // `completion_tokens` and `truncated` feed the length reward.
  RewardOutcome score(const PromptExample& ex, const std::string& prompt_text, const std::string& completion,
                      int completion_tokens, bool truncated) const;

 private:
  std::vector<config::RewardSpec> specs_;
  std::vector<std::string> names_;
  std::vector<double> weights_;
  std::string accuracy_mode_ = "exact";
  std::string language_target_ = "prompt";
};

// Accuracy, format and language at their defaults: the verdicts eval and the data stages (cold start, rejection
// sampling) judge a completion by.
RewardSet verdict_rewards();

}  // namespace r1
