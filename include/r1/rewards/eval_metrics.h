// Evaluation metrics over k samples per prompt: the unbiased pass@k estimator (Chen et al. 2021) and
// majority voting over normalised extracted answers (maj@k).
#pragma once
#include <string>
#include <vector>

namespace r1 {

// pass@k = 1 - C(n-c, k) / C(n, k), computed as 1 - prod_{i=n-c+1..n} (1 - k/i) (no large binomials).
// Needs 1 <= k <= n and 0 <= c <= n (RuntimeFailure otherwise).
double pass_at_k(int n, int c, int k);

struct MajorityVote {
  std::string key;   // the winning normalised answer (rewards/number_match.h answer_key); "" if no answers
  int votes = 0;     // samples that gave it
  int index = -1;    // first sample with the winning answer; -1 if no sample had an answer
};

// Votes over `answers` (empty strings are abstentions); ties go to the answer that appeared first.
MajorityVote majority_vote(const std::vector<std::string>& answers);

// maj@k for one prompt: whether the majority answer is correct (the verdict of the first sample that gave
// it). `correct[i]` is sample i's verdict; false when nobody answered.
bool majority_correct(const std::vector<std::string>& answers, const std::vector<bool>& correct);

}  // namespace r1
