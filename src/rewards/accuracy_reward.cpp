// Accuracy reward dispatch per task and mode.
#include "r1/rewards/accuracy_reward.h"

#include <cctype>

#include "r1/rewards/answer_extraction.h"
#include "r1/rewards/countdown_verifier.h"
#include "r1/rewards/number_match.h"
#include "r1/rewards/tinyzero_countdown.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {
bool is_countdown(const PromptExample& ex) { return ex.task == "countdown"; }

void require_numbers(const PromptExample& ex) {
  if (ex.numbers.empty())
    throw InputError("accuracy: countdown example " + quote(ex.id) + " has no numbers to check the equation against");
}
}  // namespace

std::string join_prompt_completion(const std::string& prompt_text, const std::string& completion) {
  if (prompt_text.empty()) return completion;
  bool space = std::isspace(static_cast<unsigned char>(prompt_text.back())) ||
               (!completion.empty() && std::isspace(static_cast<unsigned char>(completion.front())));
  return prompt_text + (space ? "" : " ") + completion;
}

AccuracyResult score_accuracy(const PromptExample& ex, const std::string& prompt_text, const std::string& completion,
                              const std::string& mode) {
  AccuracyResult out;
  if (mode == "exact") {
    ExtractedAnswer a = extract_answer(completion);
    if (!a.found) return out;
    out.extracted = a.text;
    if (is_countdown(ex)) {
      require_numbers(ex);
      out.correct = check_countdown(a.text, ex.numbers, ex.target).correct;
    } else {
      out.correct = answers_match(a.text, ex.answer);
    }
    out.score = out.correct ? 1.0 : 0.0;
    return out;
  }
  if (mode == "tinyzero") {
    std::string solution = join_prompt_completion(prompt_text, completion);
    if (is_countdown(ex)) {
      require_numbers(ex);
      TinyZeroResult r = tinyzero_countdown_score(solution, ex.numbers, ex.target);
      out.score = r.score;
      out.correct = r.score == 1.0;
      out.extracted = r.extracted.value_or("");
      return out;
    }
    auto e = tinyzero_extract(solution);
    if (!e) return out;
    out.extracted = *e;
    out.correct = answers_match(*e, ex.answer);
    out.score = out.correct ? 1.0 : 0.1;
    return out;
  }
  throw InputError("accuracy reward: mode must be exact or tinyzero, got " + quote(mode));
}

}  // namespace r1
