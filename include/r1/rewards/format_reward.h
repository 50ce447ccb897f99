// The format reward: "<think> reasoning </think> <answer> answer </answer>", strict and soft variants.
//   strict (1 or 0): after trimming, the completion is exactly <think>R</think>, white space, <answer>A</answer>
//     with each of the four tags exactly once, R and A non-empty (not just white space) and nothing after.
//   soft (0..1): 1 when each tag occurs exactly once, in the order <think> </think> <answer> </answer>, with
//     non-empty reasoning and answer (other text may surround them); otherwise 0.25 per tag that occurs
//     exactly once, at most 0.75 (a duplicated tag earns nothing; all four out of order earn 0.75).
#pragma once
#include <string>

namespace r1 {

struct FormatCheck {
  int think_open = 0, think_close = 0, answer_open = 0, answer_close = 0;  // tag counts
  bool ordered = false;  // each tag once, in order, non-empty reasoning and answer
  bool strict = false;
  double soft = 0;
};

FormatCheck check_format(const std::string& completion);

// 1/0 (strict) or the soft score; `mode` is "strict" or "soft" (anything else: InputError).
double format_reward(const std::string& completion, const std::string& mode);

}  // namespace r1
