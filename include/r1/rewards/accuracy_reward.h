// The accuracy reward: the task's verifier applied to a completion.
//   exact: the final answer (rewards/answer_extraction.h) must match the gold answer — countdown equations
//     by the exact verifier (rewards/countdown_verifier.h), everything else by number/text matching
//     (rewards/number_match.h). 1 or 0; an ambiguous answer (several <answer> tags) scores 0.
//   tinyzero: TinyZero's scoring on prompt + " " + completion (rewards/tinyzero_countdown.h): 1.0 correct,
//     0.1 an answer that is wrong or invalid, 0 no answer. For tasks other than countdown the same extraction
//     is used and the answer is matched as in exact mode.
#pragma once
#include <string>

#include "r1/data/example.h"

namespace r1 {

struct AccuracyResult {
  double score = 0;        // the reward value
  bool correct = false;    // the answer is verified right
  std::string extracted;   // the answer text that was judged ("" if none)
};

// `mode` is exact or tinyzero (InputError otherwise). A countdown example must carry its numbers.
AccuracyResult score_accuracy(const PromptExample& ex, const std::string& prompt_text, const std::string& completion,
                              const std::string& mode);

// prompt + completion as TinyZero decodes them: joined with one space unless either side already has white
// space at the junction (or the prompt is empty).
std::string join_prompt_completion(const std::string& prompt_text, const std::string& completion);

}  // namespace r1
