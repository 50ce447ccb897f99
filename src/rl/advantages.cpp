// Advantages: GRPO's group-relative one (TRL's formula: unbiased std, eps added to the std, all-equal groups -> 0),
// RLOO's leave-one-out baseline, REINFORCE++-baseline's token-weighted whitening.
#include "r1/rl/advantages.h"

#include <cmath>
#include <string>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::rl {

namespace {

struct Moments {
  double mean = 0;
  double sd = 0;           // unbiased (n - 1); 0 for fewer than two values or all-equal values
  bool all_equal = true;
};

// Mean and unbiased std of x[0..n). All-equal values give their exact value as mean and an exact 0 std, so that
// their deviations (and advantages) are exactly 0 rather than rounding noise.
Moments moments(const double* x, size_t n) {
  Moments m;
  if (n == 0) return m;
  for (size_t i = 1; i < n && m.all_equal; ++i) m.all_equal = x[i] == x[0];
  if (m.all_equal) {
    m.mean = x[0];
    return m;
  }
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += x[i];
  m.mean = sum / static_cast<double>(n);
  double sq = 0;
  for (size_t i = 0; i < n; ++i) sq += (x[i] - m.mean) * (x[i] - m.mean);
  m.sd = std::sqrt(sq / static_cast<double>(n - 1));
  return m;
}

// a / b, or 0 where b is 0 (only reachable with eps = 0 and a variance that underflowed; TRL's nan_to_num).
double safe_div(double a, double b) { return b > 0 ? a / b : 0.0; }

// The checks every estimator shares; returns the group size as size_t.
size_t check_rewards(const char* fn, const std::vector<double>& rewards, int group_size) {
  if (group_size < 1)
    throw InputError(std::string(fn) + ": group_size must be >= 1 (got " + std::to_string(group_size) + ")");
  const size_t n = rewards.size();
  const size_t g = static_cast<size_t>(group_size);
  if (n % g != 0)
    throw InputError(std::string(fn) + ": " + std::to_string(n) + " rewards do not split into groups of group_size " +
                     std::to_string(g) + " (" + std::to_string(n % g) + " left over)");
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(rewards[i]))
      throw InputError(std::string(fn) + ": reward " + std::to_string(i) + " (group " + std::to_string(i / g) +
                       ") must be finite (got " + format_number(rewards[i]) + ")");
  return g;
}

// Per group: the mean, the all-equal flag and (for every sample) the group's std; advantages left to the caller.
Advantages group_statistics(const std::vector<double>& rewards, size_t g) {
  const size_t n = rewards.size();
  Advantages out;
  out.advantages.assign(n, 0.0);
  out.group_mean.resize(n);
  out.std_used.resize(n);
  out.group_all_equal.resize(n / g);
  for (size_t k = 0; k < n / g; ++k) {
    const Moments grp = moments(rewards.data() + k * g, g);
    out.group_all_equal[k] = grp.all_equal ? 1 : 0;
    if (grp.all_equal) ++out.zero_std_groups;
    for (size_t j = 0; j < g; ++j) {
      out.group_mean[k * g + j] = grp.mean;
      out.std_used[k * g + j] = grp.sd;
    }
  }
  return out;
}

}  // namespace

Advantages compute_advantages(const std::vector<double>& rewards, int group_size, config::ScaleRewards scale,
                              double eps) {
  using config::ScaleRewards;
  const size_t g = check_rewards("compute_advantages", rewards, group_size);
  if (!std::isfinite(eps) || eps < 0)
    throw InputError("compute_advantages: eps must be a finite number >= 0 (got " + format_number(eps) + ")");
  Advantages out = group_statistics(rewards, g);
  const size_t n = rewards.size();
  if (scale == ScaleRewards::kBatch) out.std_used.assign(n, moments(rewards.data(), n).sd);
  for (size_t i = 0; i < n; ++i) {
    if (out.group_all_equal[i / g]) continue;  // exactly 0: never rounding noise, never nan
    const double centered = rewards[i] - out.group_mean[i];
    out.advantages[i] = scale == ScaleRewards::kNone ? centered : safe_div(centered, out.std_used[i] + eps);
  }
  return out;
}

Advantages rloo_advantages(const std::vector<double>& rewards, int group_size) {
  const size_t g = check_rewards("rloo_advantages", rewards, group_size);
  if (g < 2)
    throw InputError("rloo_advantages: the leave-one-out baseline needs group_size >= 2 (got " +
                     std::to_string(g) + ")");
  Advantages out = group_statistics(rewards, g);
  for (size_t k = 0; k < rewards.size() / g; ++k) {
    if (out.group_all_equal[k]) continue;
    double sum = 0;
    for (size_t j = 0; j < g; ++j) sum += rewards[k * g + j];
    for (size_t j = 0; j < g; ++j) {
      const double r = rewards[k * g + j];
      out.advantages[k * g + j] = r - (sum - r) / static_cast<double>(g - 1);
    }
  }
  return out;
}

Advantages reinforce_pp_advantages(const std::vector<double>& rewards, int group_size,
                                   const std::vector<double>& token_counts) {
  const size_t g = check_rewards("reinforce_pp_advantages", rewards, group_size);
  const size_t n = rewards.size();
  if (token_counts.size() != n)
    throw InputError("reinforce_pp_advantages: need one token count per reward (" + std::to_string(n) + "), got " +
                     std::to_string(token_counts.size()));
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(token_counts[i]) || token_counts[i] < 0)
      throw InputError("reinforce_pp_advantages: token count " + std::to_string(i) +
                       " must be a finite number >= 0 (got " + format_number(token_counts[i]) + ")");
  Advantages out = group_statistics(rewards, g);
  std::vector<double> d(n, 0.0);
  double tokens = 0, weighted = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!out.group_all_equal[i / g]) d[i] = rewards[i] - out.group_mean[i];
    tokens += token_counts[i];
    weighted += token_counts[i] * d[i];
  }
  const double mu = tokens > 0 ? weighted / tokens : 0.0;
  double sq = 0;
  for (size_t i = 0; i < n; ++i) sq += token_counts[i] * (d[i] - mu) * (d[i] - mu);
  const double var = tokens >= 2 ? sq / tokens * (tokens / (tokens - 1)) : 0.0;
  const double scale = std::sqrt(var + 1e-8);
  for (size_t i = 0; i < n; ++i) {
    out.advantages[i] = (d[i] - mu) / scale;
    out.std_used[i] = scale;
  }
  return out;
}

Advantages estimate_advantages(config::AdvantageEstimator estimator, const std::vector<double>& rewards,
                               int group_size, config::ScaleRewards scale, const std::vector<double>& token_counts) {
  switch (estimator) {
    case config::AdvantageEstimator::kRloo:
      return rloo_advantages(rewards, group_size);
    case config::AdvantageEstimator::kReinforcePP:
      return reinforce_pp_advantages(rewards, group_size, token_counts);
    case config::AdvantageEstimator::kGrpo:
      break;
  }
  return compute_advantages(rewards, group_size, scale);
}

}  // namespace r1::rl
