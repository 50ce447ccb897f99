// A benchmark figure: the median of several timed runs with their min and max, and ratios of two figures.
#pragma once
#include <vector>

#include "r1/io/jsonl.h"

namespace r1::bench {

struct Figure {
  double median = 0, min = 0, max = 0;
  int runs = 0;
};

// Median (mean of the middle two for an even count), min and max of `samples`; InputError-free: an empty
// list gives runs = 0 and zeros.
Figure summarize(const std::vector<double>& samples);

// Pairwise ratios a[i] / b[i] summarized (runs interleaved A B A B, so drift cancels); sizes must match.
Figure paired_ratio(const std::vector<double>& a, const std::vector<double>& b);

// Each sample transformed by f (e.g. seconds -> tokens per second), summarized.
template <class F>
Figure summarize_map(const std::vector<double>& samples, F f) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (double s : samples) out.push_back(f(s));
  return summarize(out);
}

// Ratio of two figures measured in separate processes: the ratio of the medians, with the widest range
// [a.min / b.max, a.max / b.min].
Figure independent_ratio(const Figure& a, const Figure& b);

Json to_json(const Figure& f);
Figure figure_from_json(const Json& j);

}  // namespace r1::bench
