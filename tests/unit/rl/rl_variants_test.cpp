// GRPO variants against tests/data/rl_variants.json (float64, written by tests/support/make_rl_variants_fixture.py
// from TRL's / verl's formulas): GSPO's sequence-level ratio and truncated importance sampling (loss, gradient,
// ratios, clip metrics), RLOO and REINFORCE++-baseline advantages; the mismatch statistics; the difficulty filter.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "r1/rl/advantages.h"
#include "r1/rl/difficulty_filter.h"
#include "r1/rl/grpo_loss.h"
#include "r1/rl/rollout_correction.h"
#include "r1/util/error.h"
#include "rl_fixture.h"

using namespace r1_rl_test;
using r1::config::ImportanceSampling;
using r1::rl::GrpoLossConfig;

namespace {

nlohmann::json load_variants() {
  const std::filesystem::path path = std::filesystem::path(R1_SOURCE_DIR) / "tests" / "data" / "rl_variants.json";
  INFO("fixture " << path.string());
  REQUIRE(std::filesystem::is_regular_file(path));
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

struct VariantCase {
  std::string name;
  torch::Tensor logp, old, ref, sampler, mask, adv;
  GrpoLossConfig cfg;
  double tis_cap = 0;  // 0 = no TIS
};

VariantCase read_case(const nlohmann::json& c) {
  VariantCase v;
  v.name = c["name"].get<std::string>();
  v.logp = json_tensor(c["per_token_logps"]);
  v.old = json_tensor(c["old_per_token_logps"]);
  v.ref = json_tensor(c["ref_per_token_logps"]);
  v.sampler = json_tensor(c["sampling_per_token_logps"]);
  v.mask = json_tensor(c["completion_mask"]);
  v.adv = json_tensor(c["advantages"]);
  v.cfg.epsilon_low = c["epsilon_low"].get<double>();
  v.cfg.epsilon_high = c["epsilon_high"].get<double>();
  v.cfg.beta = c["beta"].get<double>();
  v.cfg.importance_sampling =
      c["importance_sampling"] == "sequence" ? ImportanceSampling::kSequence : ImportanceSampling::kToken;
  set_trl_loss_type(v.cfg, c);
  if (!c["tis_cap"].is_null()) v.tis_cap = c["tis_cap"].get<double>();
  return v;
}

struct Result {
  r1::rl::GrpoLossOutput out;
  torch::Tensor grad;
};

Result run(const VariantCase& v, const torch::Tensor& logp_values, const torch::Tensor& weight) {
  torch::Tensor logp = logp_values.detach().clone().requires_grad_(true);
  Result r;
  r.out = r1::rl::grpo_loss(logp, v.old, v.ref, v.mask, v.adv, v.cfg, weight);
  r.out.loss.backward();
  r.grad = logp.grad();
  REQUIRE(r.grad.defined());
  return r;
}

torch::Tensor where_active(const torch::Tensor& t, const torch::Tensor& mask) {
  return torch::where(mask != 0, t, torch::zeros_like(t));
}

}  // namespace

TEST_CASE("GSPO and TIS: every fixture case (loss, gradient, ratios, clip metrics) to 1e-9", "[rl]") {
  const auto fx = load_variants();
  int gspo = 0, tis = 0;
  for (const auto& c : fx["loss_cases"]) {
    const VariantCase v = read_case(c);
    INFO("case " << v.name);
    const auto& e = c["expected"];
    torch::Tensor weight;
    if (v.tis_cap > 0) {
      weight = r1::rl::tis_weights(v.old, v.sampler, v.mask, v.tis_cap);
      check_close(weight, where_active(json_tensor(e["importance_sampling_ratio"]), v.mask), v.name + " tis weights");
      ++tis;
    }
    if (v.cfg.importance_sampling == ImportanceSampling::kSequence) ++gspo;
    const Result r = run(v, v.logp, weight);
    check_close(r.out.loss.item<double>(), e["loss"].get<double>(), v.name + " loss");
    check_close(r.grad, json_tensor(e["grad_per_token_logps"]), v.name + " grad");
    check_close(where_active(r.out.ratio, v.mask), where_active(json_tensor(e["coef_1"]), v.mask), v.name + " ratio");
    check_close(where_active(r.out.per_token_loss, v.mask), where_active(json_tensor(e["per_token_loss"]), v.mask),
                v.name + " per-token loss");
    check_close(r.out.kl_mean, e["kl_mean"].get<double>(), v.name + " kl_mean");
    check_close(r.out.clip_low_frac, e["clip_ratio_low_mean"].get<double>(), v.name + " clip low");
    check_close(r.out.clip_high_frac, e["clip_ratio_high_mean"].get<double>(), v.name + " clip high");
    check_close(r.out.clip_frac, e["clip_ratio_region_mean"].get<double>(), v.name + " clip region");
    CHECK(r.out.clip_units == (v.cfg.importance_sampling == ImportanceSampling::kSequence
                                   ? static_cast<double>(v.logp.size(0))
                                   : v.mask.sum().item<double>()));
    // masked positions get exactly zero gradient
    REQUIRE(torch::where(v.mask == 0, r.grad, torch::zeros_like(r.grad)).abs().max().item<double>() == 0.0);
  }
  CHECK(gspo >= 20);
  CHECK(tis == 8);
}

TEST_CASE("GSPO: garbage at masked positions changes nothing, some sequences clip and some do not", "[rl]") {
  const auto fx = load_variants();
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  bool clipped_some = false, unclipped_some = false;
  for (const auto& c : fx["loss_cases"]) {
    const VariantCase v = read_case(c);
    if (v.cfg.importance_sampling != ImportanceSampling::kSequence) continue;
    INFO("case " << v.name);
    const torch::Tensor weight =
        v.tis_cap > 0 ? r1::rl::tis_weights(v.old, v.sampler, v.mask, v.tis_cap) : torch::Tensor();
    const Result clean = run(v, v.logp, weight);
    const torch::Tensor masked = v.mask == 0;
    VariantCase dirty = v;
    dirty.old = torch::where(masked, torch::full_like(v.old, inf), v.old);
    dirty.ref = torch::where(masked, torch::full_like(v.ref, nan), v.ref);
    const torch::Tensor dirty_weight = weight.defined() ? torch::where(masked, torch::full_like(weight, nan), weight)
                                                        : torch::Tensor();
    const Result d = run(dirty, torch::where(masked, torch::full_like(v.logp, -inf), v.logp), dirty_weight);
    REQUIRE(d.out.loss.item<double>() == clean.out.loss.item<double>());
    REQUIRE(torch::equal(d.grad, clean.grad));
    clipped_some = clipped_some || clean.out.clip_frac > 0;
    unclipped_some = unclipped_some || clean.out.clip_frac < 1;
  }
  CHECK(clipped_some);
  CHECK(unclipped_some);
}

TEST_CASE("GSPO at ratio 1 has the token-level gradient under seq-mean-token-mean", "[rl]") {
  // With old = logp every ratio is 1: the per-token gradient is -A / |o_i| both ways (GSPO spreads the sequence's
  // -A over its tokens through the mean), so the two levels only part once the policy moves.
  torch::manual_seed(11);
  const int64_t B = 5, T = 6;
  const torch::Tensor logp = -torch::rand({B, T}, torch::kDouble) * 2;
  torch::Tensor mask = torch::ones({B, T}, torch::kDouble);
  mask.index_put_({1, torch::indexing::Slice(3, T)}, 0.0);
  mask.index_put_({4, torch::indexing::Slice(1, T)}, 0.0);
  const torch::Tensor adv = torch::randn({B}, torch::kDouble);
  GrpoLossConfig token_cfg;
  GrpoLossConfig seq_cfg;
  seq_cfg.importance_sampling = ImportanceSampling::kSequence;
  seq_cfg.epsilon_low = 3e-4;
  seq_cfg.epsilon_high = 4e-4;
  auto grad = [&](const GrpoLossConfig& cfg) {
    torch::Tensor lp = logp.clone().requires_grad_(true);
    r1::rl::grpo_loss(lp, logp, torch::Tensor(), mask, adv, cfg).loss.backward();
    return lp.grad();
  };
  const torch::Tensor g_token = grad(token_cfg), g_seq = grad(seq_cfg);
  check_close(g_seq, g_token, "gradient at ratio 1");
  const torch::Tensor want = -adv.unsqueeze(1) / mask.sum(1, true) / static_cast<double>(B) * mask;
  check_close(g_token, want, "-A / |o_i| / B");
}

TEST_CASE("RLOO and REINFORCE++-baseline advantages: every fixture case", "[rl]") {
  const auto fx = load_variants();
  int checked = 0;
  for (const auto& c : fx["advantage_cases"]) {
    INFO("case " << c["name"].get<std::string>());
    const auto rewards = c["rewards"].get<std::vector<double>>();
    const int g = c["group_size"].get<int>();
    const auto tokens = c["token_counts"].get<std::vector<double>>();
    const auto rloo = r1::rl::rloo_advantages(rewards, g);
    const auto rpp = r1::rl::reinforce_pp_advantages(rewards, g, tokens);
    const auto want_rloo = c["expected_rloo"].get<std::vector<double>>();
    const auto want_rpp = c["expected_reinforce_pp"].get<std::vector<double>>();
    REQUIRE(rloo.advantages.size() == want_rloo.size());
    REQUIRE(rpp.advantages.size() == want_rpp.size());
    for (size_t i = 0; i < rewards.size(); ++i) {
      check_close(rloo.advantages[i], want_rloo[i], "rloo " + std::to_string(i));
      check_close(rpp.advantages[i], want_rpp[i], "reinforce_pp " + std::to_string(i));
    }
    // the dispatcher picks the same
    const auto via = r1::rl::estimate_advantages(r1::config::AdvantageEstimator::kRloo, rewards, g,
                                                 r1::config::ScaleRewards::kGroup, tokens);
    CHECK(via.advantages == rloo.advantages);
    CHECK(via.zero_std_groups == rloo.zero_std_groups);
    ++checked;
  }
  CHECK(checked == 3);
}

TEST_CASE("RLOO: G/(G-1) times the centred reward, exactly 0 for all-equal groups, REINFORCE++ errors", "[rl]") {
  const std::vector<double> rewards{0.5, 0.5, 0.5, 1.0, 0.0, 0.0};
  const auto a = r1::rl::rloo_advantages(rewards, 3);
  CHECK(a.advantages[0] == 0.0);
  CHECK(a.advantages[2] == 0.0);
  CHECK(a.zero_std_groups == 1);
  CHECK(a.advantages[3] == Approx(1.5 * (1.0 - 1.0 / 3)));
  CHECK_THROWS_AS(r1::rl::rloo_advantages({1.0, 2.0}, 1), r1::InputError);
  CHECK_THROWS_AS(r1::rl::reinforce_pp_advantages({1.0, 2.0}, 2, {3.0}), r1::InputError);
  CHECK_THROWS_AS(r1::rl::reinforce_pp_advantages({1.0, 2.0}, 2, {3.0, -1.0}), r1::InputError);
  // token-weighted: the whitened advantages have token-weighted mean 0 and (Bessel) variance ~1
  const std::vector<double> r{1, 0, 0, 1, 1, 0.5}, t{3, 5, 2, 8, 1, 4};
  const auto w = r1::rl::reinforce_pp_advantages(r, 2, t);
  double n = 0, mean = 0, var = 0;
  for (size_t i = 0; i < r.size(); ++i) n += t[i], mean += t[i] * w.advantages[i];
  mean /= n;
  for (size_t i = 0; i < r.size(); ++i) var += t[i] * (w.advantages[i] - mean) * (w.advantages[i] - mean);
  var /= n - 1;
  CHECK(std::fabs(mean) < 1e-12);
  CHECK(var == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("rollout mismatch: mean and max |log-ratio|, k3 KL and TIS weights over active tokens", "[rl]") {
  // r = pi_old / pi_sampler at three active tokens: e^0.5, e^-0.2, e^1.0; the fourth position is masked.
  const torch::Tensor sampler = torch::tensor({{-1.0, -0.3, -2.0, -0.1}}, torch::kDouble);
  const torch::Tensor old = torch::tensor({{-0.5, -0.5, -1.0, 9.0}}, torch::kDouble);
  const torch::Tensor mask = torch::tensor({{1.0, 1.0, 1.0, 0.0}}, torch::kDouble);
  const auto m = r1::rl::rollout_mismatch(old, sampler, mask, 2.0);
  CHECK(m.tokens == 3);
  CHECK(m.abs_sum == Approx(0.5 + 0.2 + 1.0));
  CHECK(m.abs_max == Approx(1.0));
  auto k3 = [](double lr) { return std::exp(lr) - 1 - lr; };
  CHECK(m.kl_sum == Approx(k3(0.5) + k3(-0.2) + k3(1.0)));
  CHECK(m.weight_sum == Approx(std::exp(0.5) + std::exp(-0.2) + 2.0));
  CHECK(m.capped == 1);
  const torch::Tensor w = r1::rl::tis_weights(old, sampler, mask, 2.0);
  check_close(w, torch::tensor({{std::exp(0.5), std::exp(-0.2), 2.0, 0.0}}, torch::kDouble), "tis weights");
  CHECK_FALSE(w.requires_grad());
  // identical log-probs: no mismatch, weights 1
  const auto none = r1::rl::rollout_mismatch(old, old, mask, 2.0);
  CHECK(none.abs_sum == 0.0);
  CHECK(none.kl_sum == 0.0);
  CHECK(none.weight_sum == 3.0);
  r1::rl::MismatchSums total = m;
  total.add(none);
  CHECK(total.tokens == 6);
  CHECK(total.abs_max == Approx(1.0));
  CHECK_THROWS_AS(r1::rl::tis_weights(old, sampler, mask, 0.5), r1::InputError);
  CHECK_THROWS_AS(r1::rl::rollout_mismatch(old, sampler.narrow(1, 0, 3), mask, 2.0), r1::InputError);
}

TEST_CASE("difficulty filter: a window of pass rates, a band, skipping in draws, state round trip", "[rl]") {
  r1::config::PromptFilterConfig cfg;
  cfg.min_pass_rate = 0.2;
  cfg.max_pass_rate = 0.8;
  cfg.window = 2;
  r1::rl::DifficultyFilter f(cfg);
  REQUIRE(f.enabled());
  CHECK(f.eligible(3));  // never seen
  f.record(3, 1.0);
  CHECK_FALSE(f.eligible(3));  // mean 1.0
  f.record(3, 0.0);
  CHECK(f.eligible(3));  // mean 0.5
  f.record(3, 0.0);
  CHECK_FALSE(f.eligible(3));  // window 2: mean of the last two = 0
  f.record(1, 0.2);
  CHECK(f.eligible(1));  // the band is inclusive

  // draws pass over ineligible prompts and count them, in the cursor's order
  r1::EpochCursor cursor(5, 9, "prompts", false);
  size_t skipped = 0;
  CHECK(f.draw(cursor, 3, skipped) == std::vector<size_t>{0, 1, 2});
  CHECK(skipped == 0);
  CHECK(f.draw(cursor, 2, skipped) == std::vector<size_t>{4, 0});  // 3 is skipped
  CHECK(skipped == 1);

  // the state restores the same decisions
  r1::rl::DifficultyFilter g(cfg);
  g.restore(f.state());
  for (size_t i = 0; i < 5; ++i) CHECK(g.eligible(i) == f.eligible(i));
  CHECK(g.state() == f.state());
  CHECK_THROWS_AS(g.restore(nlohmann::json::array()), r1::InputError);
  CHECK_THROWS_AS(g.restore(nlohmann::json{{"x", {0.5}}}), r1::InputError);
  CHECK_THROWS_AS(g.restore(nlohmann::json{{"2", {"a"}}}), r1::InputError);

  // when the band leaves too few prompts, a draw stops with a message that says what to change
  for (size_t i = 0; i < 5; ++i) f.record(i, 1.0), f.record(i, 1.0);
  r1::EpochCursor all(5, 9, "prompts");
  try {
    (void)f.draw(all, 2, skipped);
    FAIL("no error");
  } catch (const r1::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("prompts.filter") && Catch::Contains("[0.2, 0.8]") &&
                             Catch::Contains("widen min_pass_rate"));
  }

  // off: every index, nothing remembered
  r1::rl::DifficultyFilter off;
  off.record(0, 1.0);
  CHECK(off.eligible(0));
  r1::EpochCursor c2(4, 1, "prompts", false);
  CHECK(off.draw(c2, 4, skipped).size() == 4);
  CHECK(off.state().empty());
}
