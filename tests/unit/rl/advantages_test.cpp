// GRPO advantages: every case of fixtures/grpo/advantages.json (TRL, and verl's eps 1e-6 variant where it applies),
// exact zeros for all-equal groups, invariances, and input errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "r1/rl/advantages.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "rl_fixture.h"

using namespace r1_rl_test;

namespace {
// compute_advantages with scale_rewards by its config name (the fixtures name it).
r1::rl::Advantages compute_advantages(const std::vector<double>& rewards, int group_size, const std::string& scale,
                                      double eps = 1e-4) {
  return r1::rl::compute_advantages(rewards, group_size,
                                    r1::config::parse_enum<r1::config::ScaleRewards>(scale, "scale_rewards"), eps);
}
}  // namespace

TEST_CASE("advantages: every TRL fixture case (group | batch | none)", "[rl]") {
  const auto fx = load_grpo_fixture("advantages.json");
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name);
    const auto rewards = c["rewards"].get<std::vector<double>>();
    const int g = c["group_size"].get<int>();
    const auto a = compute_advantages(rewards, g, c["scale_rewards"].get<std::string>());
    check_close(a.advantages, c["expected_advantages"], name + " advantages");
    check_close(a.group_mean, c["expected_group_mean"], name + " group_mean");
    check_close(a.std_used, c["expected_std_used"], name + " std_used");
    REQUIRE(a.group_all_equal.size() == rewards.size() / g);
    ++checked;
  }
  CHECK(checked == 24);
}

TEST_CASE("advantages: verl's GRPO values with eps 1e-6", "[rl]") {
  const auto fx = load_grpo_fixture("advantages.json");
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    if (!c.contains("expected_advantages_verl_grpo")) continue;
    const int g = c["group_size"].get<int>();
    // verl gives a group of size 1 mean 0 and std 1 (A = r / (1 + 1e-6)); r1 follows TRL there (A = 0: a lone
    // sample carries no relative signal), so those verl values are not compared.
    if (g == 1) continue;
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name);
    const auto a = compute_advantages(c["rewards"].get<std::vector<double>>(), g, "group", 1e-6);
    check_close(a.advantages, c["expected_advantages_verl_grpo"], name + " verl advantages");
    ++checked;
  }
  CHECK(checked == 7);
}

TEST_CASE("advantages: all-equal groups give exactly 0, never nan", "[rl]") {
  // 0.1 * 3 / 3 != 0.1 in float64: a naive mean leaves ~1e-13 advantages; r1 gives exact zeros.
  const std::vector<double> rewards = {0.1, 0.1, 0.1, 1e6, 1e6, 1e6, -7.25, -7.25, -7.25, 0.0, 1.0, 0.5};
  for (const std::string scale : {"group", "batch", "none"}) {
    for (double eps : {1e-4, 0.0}) {
      INFO("scale " << scale << " eps " << eps);
      const auto a = compute_advantages(rewards, 3, scale, eps);
      for (int i = 0; i < 9; ++i) REQUIRE(a.advantages[i] == 0.0);
      for (int i = 9; i < 12; ++i) REQUIRE(std::isfinite(a.advantages[i]));
      REQUIRE(a.advantages[10] > 0);
      REQUIRE(a.group_mean[0] == 0.1);
      REQUIRE(a.group_mean[3] == 1e6);
      if (scale != "batch") REQUIRE(a.std_used[0] == 0.0);
      REQUIRE(a.group_all_equal == std::vector<uint8_t>{1, 1, 1, 0});
      REQUIRE(a.zero_std_groups == 3);
      const auto b = compute_advantages({0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 3, scale, eps);
      for (size_t i = 0; i < 6; ++i) REQUIRE((b.advantages[i] == 0.0 && b.std_used[i] == 0.0));
    }
    INFO("scale " << scale);
    const auto a = compute_advantages({1, 1, 1, 1, 0, 0.1, 1, 0.1}, 4, scale);
    for (int i = 0; i < 4; ++i) REQUIRE(a.advantages[i] == 0.0);
    for (int i = 4; i < 8; ++i) REQUIRE(a.advantages[i] != 0.0);
    REQUIRE(a.group_all_equal == std::vector<uint8_t>{1, 0});
    REQUIRE(a.zero_std_groups == 1);
  }
  const auto a = compute_advantages({0.1, 0.1, 0.1, 0.0, 1.0, 0.5}, 3, "group", 0.0);
  for (double v : a.advantages) REQUIRE(std::isfinite(v));
  REQUIRE(a.advantages[0] == 0.0);
  REQUIRE(a.advantages[4] == Approx(1.0));  // (1 - 0.5) / 0.5 with eps 0
  // group_size 1 (TRL): every advantage 0, whatever the scale.
  for (const std::string scale : {"group", "batch", "none"}) {
    const auto one = compute_advantages({3.0, -1.0, 0.25}, 1, scale);
    for (double v : one.advantages) REQUIRE(v == 0.0);
    REQUIRE(one.zero_std_groups == 3);
  }
}

TEST_CASE("advantages: group-centred, scale-invariant, hand-computed", "[rl]") {
  r1::Rng rng(r1::derive_seed(7, "rl-advantages-test"));
  const int g = 5;
  std::vector<double> rewards(4 * g);
  for (double& r : rewards) r = std::floor(rng.uniform() * 8) * 0.25 - 1;
  const auto a = compute_advantages(rewards, g, "group", 0.0);
  for (int k = 0; k < 4; ++k) {
    double sum = 0, sq = 0;
    for (int j = 0; j < g; ++j) sum += a.advantages[k * g + j];
    for (int j = 0; j < g; ++j) sq += a.advantages[k * g + j] * a.advantages[k * g + j];
    REQUIRE(std::fabs(sum) < 1e-12);
    // eps 0: unit unbiased variance unless the group is all equal
    if (!a.group_all_equal[k]) REQUIRE(sq / (g - 1) == Approx(1.0).epsilon(1e-12));
  }
  // scaling and shifting the rewards leaves eps-0 group advantages unchanged
  std::vector<double> scaled(rewards);
  for (double& r : scaled) r = 3.5 * r + 2;
  const auto b = compute_advantages(scaled, g, "group", 0.0);
  for (size_t i = 0; i < rewards.size(); ++i) REQUIRE(b.advantages[i] == Approx(a.advantages[i]).margin(1e-12));

  // {0, 1} | {0, 0.5}: group means 0.5 and 0.25, group stds sqrt(0.5) and sqrt(0.125); batch std over all four.
  const auto n = compute_advantages({0, 1, 0, 0.5}, 2, "none");
  REQUIRE(n.advantages == std::vector<double>{-0.5, 0.5, -0.25, 0.25});
  const auto grp = compute_advantages({0, 1, 0, 0.5}, 2, "group");
  REQUIRE(grp.advantages[1] == Approx(0.5 / (std::sqrt(0.5) + 1e-4)).epsilon(1e-14));
  REQUIRE(grp.advantages[3] == Approx(0.25 / (std::sqrt(0.125) + 1e-4)).epsilon(1e-14));
  const double mean = 1.5 / 4;
  const double var = (mean * mean * 2 + (1 - mean) * (1 - mean) + (0.5 - mean) * (0.5 - mean)) / 3;
  const auto bat = compute_advantages({0, 1, 0, 0.5}, 2, "batch");
  REQUIRE(bat.std_used[0] == Approx(std::sqrt(var)).epsilon(1e-14));
  REQUIRE(bat.advantages[2] == Approx(-0.25 / (std::sqrt(var) + 1e-4)).epsilon(1e-14));
  // empty batch
  REQUIRE(compute_advantages({}, 4, "group").advantages.empty());
}

TEST_CASE("advantages: bad input throws InputError", "[rl]") {
  REQUIRE_THROWS_AS(compute_advantages({1, 0, 1}, 2, "group"), r1::InputError);
  REQUIRE_THROWS_WITH(compute_advantages({1, 0, 1}, 2, "group"), Catch::Contains("groups of group_size 2"));
  REQUIRE_THROWS_AS(compute_advantages({1, 0}, 0, "group"), r1::InputError);
  REQUIRE_THROWS_WITH(compute_advantages({1, 0}, 2, "grp"), Catch::Contains("scale_rewards: expected one of group|batch|none"));
  REQUIRE_THROWS_AS(compute_advantages({1, 0}, 2, "group", -1e-4), r1::InputError);
  REQUIRE_THROWS_WITH(compute_advantages({1, std::nan("")}, 2, "group"), Catch::Contains("reward 1"));
  REQUIRE_THROWS_AS(compute_advantages({1, std::numeric_limits<double>::infinity()}, 2, "none"), r1::InputError);
}
