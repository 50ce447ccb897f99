// Format checks for <think>/<answer> completions.
#include "r1/rewards/format_reward.h"

#include <algorithm>

#include "r1/rewards/answer_extraction.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {
bool blank(const std::string& s) { return trim(s).empty(); }
}  // namespace

FormatCheck check_format(const std::string& completion) {
  FormatCheck f;
  f.think_open = static_cast<int>(count_occurrences(completion, "<think>"));
  f.think_close = static_cast<int>(count_occurrences(completion, "</think>"));
  f.answer_open = static_cast<int>(count_occurrences(completion, "<answer>"));
  f.answer_close = static_cast<int>(count_occurrences(completion, "</answer>"));
  int once = (f.think_open == 1) + (f.think_close == 1) + (f.answer_open == 1) + (f.answer_close == 1);
  if (once == 4) {
    size_t t0 = completion.find("<think>"), t1 = completion.find("</think>");
    size_t a0 = completion.find("<answer>"), a1 = completion.find("</answer>");
    if (t0 < t1 && t1 < a0 && a0 < a1) {
      std::string reasoning = completion.substr(t0 + 7, t1 - t0 - 7);
      std::string between = completion.substr(t1 + 8, a0 - t1 - 8);
      std::string answer = completion.substr(a0 + 8, a1 - a0 - 8);
      std::string before = completion.substr(0, t0);
      std::string after = completion.substr(a1 + 9);
      f.ordered = !blank(reasoning) && !blank(answer);
      f.strict = f.ordered && blank(before) && blank(between) && blank(after);
    }
  }
  f.soft = f.ordered ? 1.0 : 0.25 * std::min(once, 3);
  return f;
}

double format_reward(const std::string& completion, const std::string& mode) {
  FormatCheck f = check_format(completion);
  if (mode == "strict") return f.strict ? 1.0 : 0.0;
  if (mode == "soft") return f.soft;
  throw InputError("format reward: mode must be strict or soft, got " + quote(mode));
}

}  // namespace r1
