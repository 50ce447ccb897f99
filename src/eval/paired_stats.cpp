// The stratified paired percentile bootstrap.
#include "r1/eval/paired_stats.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "r1/util/error.h"
#include "r1/util/rng.h"

namespace r1::eval {

namespace {

// a[i] - b[i] per prompt of each seed.
std::vector<std::vector<double>> differences(const std::vector<PairedScores>& seeds) {
  std::vector<std::vector<double>> out;
  for (size_t s = 0; s < seeds.size(); ++s) {
    const auto& p = seeds[s];
    if (p.a.size() != p.b.size())
      throw RuntimeFailure("paired_bootstrap: seed " + std::to_string(s) + " has " + std::to_string(p.a.size()) +
                           " scores of a but " + std::to_string(p.b.size()) + " of b");
    if (p.a.empty()) throw RuntimeFailure("paired_bootstrap: seed " + std::to_string(s) + " has no prompts");
    std::vector<double> d(p.a.size());
    for (size_t i = 0; i < d.size(); ++i) d[i] = p.a[i] - p.b[i];
    out.push_back(std::move(d));
  }
  return out;
}

// The pooled mean of one replicate: n_s prompts drawn with replacement within each seed.
double resampled_mean(const std::vector<std::vector<double>>& diffs, size_t total, Rng& rng) {
  double sum = 0;
  for (const auto& d : diffs)
    for (size_t i = 0; i < d.size(); ++i) sum += d[rng.below(d.size())];
  return sum / static_cast<double>(total);
}

}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw RuntimeFailure("quantile_sorted: no values");
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(pos));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(below);
  return sorted[below] + frac * (sorted[above] - sorted[below]);
}

PairedDiff paired_bootstrap(const std::vector<PairedScores>& seeds, const BootstrapOptions& options) {
  if (options.resamples < 1)
    throw RuntimeFailure("paired_bootstrap: resamples must be >= 1, got " + std::to_string(options.resamples));
  if (!(options.level > 0 && options.level < 1))
    throw RuntimeFailure("paired_bootstrap: level must be in (0, 1), got " + std::to_string(options.level));
  if (seeds.empty()) throw RuntimeFailure("paired_bootstrap: no seeds");
  const auto diffs = differences(seeds);
  PairedDiff out;
  size_t total = 0;
  double sum = 0;
  for (const auto& d : diffs) {
    total += d.size();
    for (double x : d) sum += x;
  }
  out.prompts = static_cast<int>(total);
  out.diff = sum / static_cast<double>(total);
  Rng rng(options.seed);
  std::vector<double> means(static_cast<size_t>(options.resamples));
  for (auto& m : means) m = resampled_mean(diffs, total, rng);
  std::sort(means.begin(), means.end());
  const double tail = (1.0 - options.level) / 2.0;
  out.lo = quantile_sorted(means, tail);
  out.hi = quantile_sorted(means, 1.0 - tail);
  return out;
}

}  // namespace r1::eval
