// Weighted reward sets.
#include "r1/rewards/reward_set.h"

#include "r1/rewards/accuracy_reward.h"
#include "r1/rewards/format_reward.h"
#include "r1/rewards/language_consistency.h"
#include "r1/rewards/length_reward.h"
#include "r1/util/error.h"

namespace r1 {

RewardSet::RewardSet(const std::vector<config::RewardSpec>& specs) : specs_(specs) {
  config::Problems problems("rewards");
  for (size_t i = 0; i < specs_.size(); ++i) {
    const std::string path = config::index_path("rewards", i);
    bool known = false;
    for (const auto& n : config::kRewardNames) known = known || n == specs_[i].name;
    if (!known) problems.add(config::join_path(path, "name"), "unknown reward " + specs_[i].name);
    specs_[i].check(problems, path);
  }
  config::check_rewards(specs_, problems, "rewards");
  problems.throw_if_any();
  for (const auto& s : specs_) {
    names_.push_back(s.name);
    weights_.push_back(s.weight);
    if (s.name == "accuracy") accuracy_mode_ = s.effective_mode();
    if (s.name == "language") language_target_ = s.language;
  }
}

RewardOutcome RewardSet::score(const PromptExample& ex, const std::string& prompt_text, const std::string& completion,
                               int completion_tokens, bool truncated) const {
  RewardOutcome out;
  AccuracyResult acc = score_accuracy(ex, prompt_text, completion, accuracy_mode_);
  FormatCheck format = check_format(completion);
  std::string target = language_target_ == "prompt" ? ex.language : language_target_;
  out.correct = acc.correct;
  out.formatted = format.strict;
  out.language_consistency = language_consistency(completion, target);
  out.extracted_answer = acc.extracted;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const config::RewardSpec& s = specs_[i];
    const std::string mode = s.effective_mode();
    double value = 0;
    if (s.name == "accuracy") value = acc.score;
    else if (s.name == "format") value = mode == "soft" ? format.soft : (format.strict ? 1.0 : 0.0);
    else if (s.name == "language") value = out.language_consistency;
    else if (s.name == "length")
      value = mode == "cosine" ? cosine_length_reward(completion_tokens, s.max_length, acc.correct, truncated)
                               : overlong_penalty(completion_tokens, s.max_length, s.buffer, truncated);
    out.components.push_back(value);
    out.total += s.weight * value;
  }
  return out;
}

RewardSet verdict_rewards() {
  std::vector<config::RewardSpec> specs(3);
  specs[0].name = "accuracy";
  specs[1].name = "format";
  specs[2].name = "language";
  return RewardSet(specs);
}

}  // namespace r1
