// Paired differences between two models evaluated on the same prompts, with a 95% percentile bootstrap interval
// over prompts. Several seeds pool: the difference is the mean over every prompt of every seed, and each bootstrap
// replicate resamples prompts with replacement within each seed (a stratified paired bootstrap), so a seed's
// prompts never stand in for another's. Deterministic: the resamples come from a seeded r1::Rng.
#pragma once
#include <cstdint>
#include <vector>

namespace r1::eval {

// The per-prompt scores of model a and model b on one seed's prompts, paired by index (a[i] and b[i] are the same
// prompt).
struct PairedScores {
  std::vector<double> a, b;
};

struct PairedDiff {
  double diff = 0;        // mean over prompts of a[i] - b[i] (pooled over seeds)
  double lo = 0, hi = 0;  // the percentile interval
  int prompts = 0;        // pooled prompt count
  // Whether the interval excludes zero.
  bool significant() const { return lo > 0 || hi < 0; }
};

struct BootstrapOptions {
  int resamples = 2000;
  double level = 0.95;               // central interval
  std::uint64_t seed = 0x5eed'b007;  // the resampling stream
};

// The pooled paired difference of `seeds` (each one seed's pairs) and its bootstrap interval. Throws
// RuntimeFailure when a and b of a seed differ in length, a seed has no prompts, or the options are out of range
// (resamples < 1, level outside (0, 1)).
PairedDiff paired_bootstrap(const std::vector<PairedScores>& seeds, const BootstrapOptions& options = {});

// The q-quantile (0 <= q <= 1) of `sorted` (ascending, non-empty), interpolating linearly between order
// statistics (R's type 7).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace r1::eval
