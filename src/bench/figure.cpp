// Benchmark figures: median / min / max.
#include "r1/bench/figure.h"

#include <algorithm>

#include "r1/util/error.h"

namespace r1::bench {

Figure summarize(const std::vector<double>& samples) {
  Figure f;
  f.runs = static_cast<int>(samples.size());
  if (samples.empty()) return f;
  std::vector<double> s = samples;
  std::sort(s.begin(), s.end());
  size_t n = s.size();
  f.median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  f.min = s.front();
  f.max = s.back();
  return f;
}

Figure paired_ratio(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw RuntimeFailure("bench: paired_ratio needs as many runs of each side (" + std::to_string(a.size()) +
                         " vs " + std::to_string(b.size()) + ")");
  std::vector<double> r;
  for (size_t i = 0; i < a.size(); ++i) r.push_back(b[i] != 0 ? a[i] / b[i] : 0.0);
  return summarize(r);
}

Figure independent_ratio(const Figure& a, const Figure& b) {
  Figure f;
  f.runs = std::min(a.runs, b.runs);
  if (b.median == 0 || b.max == 0 || b.min == 0) return f;
  f.median = a.median / b.median;
  f.min = a.min / b.max;
  f.max = a.max / b.min;
  return f;
}

Json to_json(const Figure& f) {
  return Json{{"median", f.median}, {"min", f.min}, {"max", f.max}, {"runs", f.runs}};
}

Figure figure_from_json(const Json& j) {
  Figure f;
  f.median = j.at("median").get<double>();
  f.min = j.at("min").get<double>();
  f.max = j.at("max").get<double>();
  f.runs = j.at("runs").get<int>();
  return f;
}

}  // namespace r1::bench
