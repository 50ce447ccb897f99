// pass@k and majority voting.
#include "r1/rewards/eval_metrics.h"

#include <map>
#include <string>

#include "r1/rewards/number_match.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

double pass_at_k(int n, int c, int k) {
  if (k < 1 || n < k || c < 0 || c > n)
    throw RuntimeFailure("pass_at_k: need 1 <= k <= n and 0 <= c <= n, got n=" + std::to_string(n) +
                         " c=" + std::to_string(c) + " k=" + std::to_string(k));
  if (n - c < k) return 1.0;
  double prod = 1.0;
  for (int i = n - c + 1; i <= n; ++i) prod *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - prod;
}

MajorityVote majority_vote(const std::vector<std::string>& answers) {
  std::map<std::string, std::pair<int, int>> tally;  // key -> (votes, first index)
  for (size_t i = 0; i < answers.size(); ++i) {
    if (trim(answers[i]).empty()) continue;
    std::string key = answer_key(answers[i]);
    auto it = tally.find(key);
    if (it == tally.end()) tally.emplace(key, std::make_pair(1, static_cast<int>(i)));
    else ++it->second.first;
  }
  MajorityVote best;
  for (const auto& [key, v] : tally) {
    if (v.first > best.votes || (v.first == best.votes && v.second < best.index)) {
      best.key = key;
      best.votes = v.first;
      best.index = v.second;
    }
  }
  return best;
}

bool majority_correct(const std::vector<std::string>& answers, const std::vector<bool>& correct) {
  if (answers.size() != correct.size())
    throw RuntimeFailure("majority_correct: " + std::to_string(answers.size()) + " answers but " +
                         std::to_string(correct.size()) + " verdicts");
  MajorityVote v = majority_vote(answers);
  return v.index >= 0 && correct[static_cast<size_t>(v.index)];
}

}  // namespace r1
