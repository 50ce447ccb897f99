// The paired bootstrap (eval/paired_stats.h) on inputs whose answer is known: no difference gives [0, 0], a
// constant shift collapses the interval onto it, a 3-valued difference matches the normal interval, more prompts
// narrow it, seeds are resampled separately, and the same seed reproduces the interval exactly.
#include <catch2/catch.hpp>

#include <cmath>

#include "r1/eval/paired_stats.h"
#include "r1/util/error.h"

using r1::eval::BootstrapOptions;
using r1::eval::PairedScores;
using r1::eval::paired_bootstrap;

namespace {

// n prompts whose difference a - b is +1 for 30% of them, -1 for 20% and 0 for the rest (mean 0.1, sd 0.7).
PairedScores three_valued(int n) {
  PairedScores p;
  for (int i = 0; i < n; ++i) {
    const int r = i % 10;
    const double a = r < 3 ? 1.0 : r < 5 ? 0.0 : 0.5;
    const double b = r < 3 ? 0.0 : r < 5 ? 1.0 : 0.5;
    p.a.push_back(a);
    p.b.push_back(b);
  }
  return p;
}

}  // namespace

TEST_CASE("paired bootstrap: identical a and b give diff 0 and the interval [0, 0]", "[eval]") {
  PairedScores p{{0.0, 0.25, 1.0, 0.5, 0.75}, {0.0, 0.25, 1.0, 0.5, 0.75}};
  auto d = paired_bootstrap({p});
  CHECK(d.diff == 0.0);
  CHECK(d.lo == 0.0);
  CHECK(d.hi == 0.0);
  CHECK(d.prompts == 5);
  CHECK_FALSE(d.significant());
}

TEST_CASE("paired bootstrap: a constant shift gives that diff and a zero-width interval", "[eval]") {
  PairedScores p;
  for (int i = 0; i < 50; ++i) {
    p.b.push_back(0.5 * (i % 2));
    p.a.push_back(p.b.back() + 0.25);
  }
  auto d = paired_bootstrap({p});
  CHECK(d.diff == Approx(0.25));
  CHECK(d.lo == Approx(0.25));
  CHECK(d.hi == Approx(0.25));
  CHECK(d.significant());
}

TEST_CASE("paired bootstrap: the 95% interval of a mean matches mean +- 1.96 sd / sqrt(n)", "[eval]") {
  auto d = paired_bootstrap({three_valued(200)});
  CHECK(d.diff == Approx(0.1));
  const double se = 0.7 / std::sqrt(200.0);  // plug-in sd of {+1: 0.3, 0: 0.5, -1: 0.2}
  CHECK(d.lo == Approx(0.1 - 1.96 * se).margin(0.012));
  CHECK(d.hi == Approx(0.1 + 1.96 * se).margin(0.012));
  CHECK(d.lo < d.diff);
  CHECK(d.diff < d.hi);

  // Four times the prompts: half the width; a quarter of them: the interval includes 0.
  auto wide = paired_bootstrap({three_valued(50)});
  auto narrow = paired_bootstrap({three_valued(800)});
  const double w = d.hi - d.lo;
  CHECK((narrow.hi - narrow.lo) / w == Approx(0.5).margin(0.08));
  CHECK((wide.hi - wide.lo) / w == Approx(2.0).margin(0.3));
  CHECK_FALSE(wide.significant());  // 0.1 +- 0.19
  CHECK(narrow.significant());      // 0.1 +- 0.05
}

TEST_CASE("paired bootstrap: deterministic for a seed, other seeds resample differently", "[eval]") {
  const auto p = three_valued(120);
  auto one = paired_bootstrap({p});
  auto two = paired_bootstrap({p});
  CHECK(one.lo == two.lo);
  CHECK(one.hi == two.hi);
  BootstrapOptions other;
  other.seed = 99;
  auto three = paired_bootstrap({p}, other);
  CHECK(three.diff == one.diff);
  CHECK((three.lo != one.lo || three.hi != one.hi));
  // Fewer resamples and another level are honoured: a 50% interval lies inside the 95% one.
  BootstrapOptions half;
  half.level = 0.5;
  auto inner = paired_bootstrap({p}, half);
  CHECK(inner.lo > one.lo);
  CHECK(inner.hi < one.hi);
}

TEST_CASE("paired bootstrap: seeds pool their prompts and are resampled separately", "[eval]") {
  // Seed 1: every prompt +0.2; seed 2: every prompt 0. Pooled: 0.1. Resampling within each seed keeps every
  // replicate at exactly 0.1; resampling the pooled prompts together would not.
  PairedScores s1{std::vector<double>(40, 0.7), std::vector<double>(40, 0.5)};
  PairedScores s2{std::vector<double>(40, 0.5), std::vector<double>(40, 0.5)};
  auto d = paired_bootstrap({s1, s2});
  CHECK(d.prompts == 80);
  CHECK(d.diff == Approx(0.1));
  CHECK(d.lo == Approx(0.1));
  CHECK(d.hi == Approx(0.1));
  // Unequal sizes weigh prompts, not seeds: 30 prompts at +1 and 10 at 0 pool to 0.75.
  PairedScores big{std::vector<double>(30, 1.0), std::vector<double>(30, 0.0)};
  PairedScores small{std::vector<double>(10, 1.0), std::vector<double>(10, 1.0)};
  CHECK(paired_bootstrap({big, small}).diff == Approx(0.75));
}

TEST_CASE("paired bootstrap: bad input is refused", "[eval]") {
  CHECK_THROWS_AS(paired_bootstrap({}), r1::RuntimeFailure);
  CHECK_THROWS_AS(paired_bootstrap({PairedScores{{1.0}, {}}}), r1::RuntimeFailure);
  CHECK_THROWS_AS(paired_bootstrap({PairedScores{{}, {}}}), r1::RuntimeFailure);
  BootstrapOptions bad;
  bad.resamples = 0;
  CHECK_THROWS_AS(paired_bootstrap({PairedScores{{1.0}, {0.0}}}, bad), r1::RuntimeFailure);
  bad = BootstrapOptions{};
  bad.level = 1.0;
  CHECK_THROWS_AS(paired_bootstrap({PairedScores{{1.0}, {0.0}}}, bad), r1::RuntimeFailure);
}

TEST_CASE("quantile_sorted interpolates between order statistics", "[eval]") {
  const std::vector<double> v{1, 2, 3, 4};
  CHECK(r1::eval::quantile_sorted(v, 0.0) == 1.0);
  CHECK(r1::eval::quantile_sorted(v, 1.0) == 4.0);
  CHECK(r1::eval::quantile_sorted(v, 0.5) == Approx(2.5));
  CHECK(r1::eval::quantile_sorted(v, 0.25) == Approx(1.75));
  CHECK(r1::eval::quantile_sorted({7.0}, 0.3) == 7.0);
  CHECK_THROWS_AS(r1::eval::quantile_sorted({}, 0.5), r1::RuntimeFailure);
}
