// TinyZero's countdown scoring (Jiayi-Pan/TinyZero verl/utils/reward_score/countdown.py compute_score),
// reproduced exactly (see /work/shared/fixtures/grpo/countdown_reward.json): the text after the FIRST
// "Assistant:" (else after "<|im_start|>assistant", else no answer: 0), only its LAST line, the last
// <answer>(.*?)</answer> there, stripped; then the numbers check (the multiset of digit runs must equal the
// given numbers: each used exactly once), then Python-eval semantics (see python_arith.h) on
// ^[\d+\-*/().\s]+$ text: |result - target| < 1e-5 -> score, anything else -> format_score.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace r1 {

struct TinyZeroResult {
  double score = 0;                        // 0 (no answer), format_score or score
  std::optional<std::string> extracted;    // the equation after extraction (nullopt: none)
  std::optional<double> evaluated;         // eval's value when the numbers check passed and it evaluated
};

// TinyZero's extract_solution: nullopt when there is no answer.
std::optional<std::string> tinyzero_extract(const std::string& solution_str);

// Python's str.strip() (ASCII and Unicode white space).
std::string python_strip(const std::string& text);

// compute_score(solution_str, {target, numbers}, format_score, score). `solution_str` is the prompt plus
// the completion, as TinyZero decodes them.
TinyZeroResult tinyzero_countdown_score(const std::string& solution_str, const std::vector<long long>& numbers,
                                        long long target, double format_score = 0.1, double score = 1.0);

}  // namespace r1
