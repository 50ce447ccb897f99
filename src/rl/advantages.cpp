// Group-relative advantages for GRPO (TRL's formula: unbiased std, eps added to the std, all-equal groups -> 0).
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

}  // namespace

Advantages compute_advantages(const std::vector<double>& rewards, int group_size, config::ScaleRewards scale,
                              double eps) {
  using config::ScaleRewards;
  if (group_size < 1)
    throw InputError("compute_advantages: group_size must be >= 1 (got " + std::to_string(group_size) + ")");
  if (!std::isfinite(eps) || eps < 0)
    throw InputError("compute_advantages: eps must be a finite number >= 0 (got " + format_number(eps) + ")");
  const size_t n = rewards.size();
  const size_t g = static_cast<size_t>(group_size);
  if (n % g != 0)
    throw InputError("compute_advantages: " + std::to_string(n) + " rewards do not split into groups of group_size " +
                     std::to_string(g) + " (" + std::to_string(n % g) + " left over)");
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(rewards[i]))
      throw InputError("compute_advantages: reward " + std::to_string(i) + " (group " + std::to_string(i / g) +
                       ") must be finite (got " + format_number(rewards[i]) + ")");

  Advantages out;
  out.advantages.resize(n);
  out.group_mean.resize(n);
  out.std_used.resize(n);
  out.group_all_equal.resize(n / g);
  const Moments batch = scale == ScaleRewards::kBatch ? moments(rewards.data(), n) : Moments{};
  for (size_t k = 0; k < n / g; ++k) {
    const double* r = rewards.data() + k * g;
    const Moments grp = moments(r, g);
    out.group_all_equal[k] = grp.all_equal ? 1 : 0;
    if (grp.all_equal) ++out.zero_std_groups;
    const double std_used = scale == ScaleRewards::kBatch ? batch.sd : grp.sd;
    for (size_t j = 0; j < g; ++j) {
      const size_t i = k * g + j;
      out.group_mean[i] = grp.mean;
      out.std_used[i] = std_used;
      if (grp.all_equal) {
        out.advantages[i] = 0.0;  // exact: never rounding noise, never nan
        continue;
      }
      const double centered = r[j] - grp.mean;
      out.advantages[i] = scale == ScaleRewards::kNone ? centered : safe_div(centered, std_used + eps);
    }
  }
  return out;
}

}  // namespace r1::rl
