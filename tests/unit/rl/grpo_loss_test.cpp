// GRPO loss: every case of fixtures/grpo/loss.json (TRL grpo / bnpo / dapo / dr_grpo, with and without KL, with
// clip-higher): loss, its float64 autograd gradient, per-token KL, ratio, per-token loss, kl_mean and clip ratios;
// masked positions holding garbage; ratio-1 and clipping properties; gradient-accumulation consistency; errors.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <set>

#include "r1/rl/grpo_loss.h"
#include "r1/util/error.h"
#include "rl_fixture.h"

using r1::rl::grpo_loss;
using r1::rl::GrpoLossConfig;
using r1::rl::GrpoLossOutput;
using namespace r1_rl_test;
using r1::config::LossAgg;

namespace {

struct LossCase {
  std::string name;
  torch::Tensor logp, old, ref, mask, adv;
  GrpoLossConfig cfg;
};

// TRL loss_type -> r1 loss_agg (+ normalisers), as in the brief.
LossCase read_case(const nlohmann::json& c) {
  LossCase lc;
  lc.name = c["name"].get<std::string>();
  lc.logp = json_tensor(c["per_token_logps"]);
  lc.old = json_tensor(c["old_per_token_logps"]);
  lc.ref = json_tensor(c["ref_per_token_logps"]);
  lc.mask = json_tensor(c["completion_mask"]);
  lc.adv = json_tensor(c["advantages"]);
  lc.cfg.epsilon_low = c["epsilon_low"].get<double>();
  lc.cfg.epsilon_high = c["epsilon_high"].get<double>();
  lc.cfg.beta = c["beta"].get<double>();
  set_trl_loss_type(lc.cfg, c);
  return lc;
}

struct Run {
  GrpoLossOutput out;
  torch::Tensor grad;  // d loss / d logp
};

Run run(const torch::Tensor& logp_values, const torch::Tensor& old, const torch::Tensor& ref, const torch::Tensor& mask,
        const torch::Tensor& adv, const GrpoLossConfig& cfg) {
  torch::Tensor logp = logp_values.detach().clone().requires_grad_(true);
  Run r;
  r.out = grpo_loss(logp, old, ref, mask, adv, cfg);
  REQUIRE(r.out.loss.dim() == 0);
  REQUIRE(r.out.loss.requires_grad());
  r.out.loss.backward();
  r.grad = logp.grad();
  REQUIRE(r.grad.defined());
  return r;
}

Run run(const LossCase& lc) { return run(lc.logp, lc.old, lc.ref, lc.mask, lc.adv, lc.cfg); }

void check_against_fixture(const Run& r, const nlohmann::json& e, const std::string& what, bool with_kl) {
  check_close(r.out.loss.item<double>(), e["loss"].get<double>(), what + " loss");
  check_close(r.grad, json_tensor(e["grad_per_token_logps"]), what + " grad");
  check_close(r.out.ratio, json_tensor(e["coef_1"]), what + " coef_1");
  check_close(r.out.per_token_loss, json_tensor(e["per_token_loss"]), what + " per_token_loss");
  check_close(r.out.clip_low_frac, e["clip_ratio_low_mean"].get<double>(), what + " clip low");
  check_close(r.out.clip_high_frac, e["clip_ratio_high_mean"].get<double>(), what + " clip high");
  check_close(r.out.clip_frac, e["clip_ratio_region_mean"].get<double>(), what + " clip region");
  if (with_kl) {
    check_close(r.out.per_token_kl, json_tensor(e["per_token_kl"]), what + " per_token_kl");
    check_close(r.out.kl_mean, e["kl_mean"].get<double>(), what + " kl_mean");
  } else {
    CHECK_FALSE(r.out.per_token_kl.defined());
    CHECK(r.out.kl_mean == 0.0);
  }
}

}  // namespace

TEST_CASE("grpo loss: every TRL fixture case (all loss types, KL on/off, clip-higher)", "[rl]") {
  const auto fx = load_grpo_fixture("loss.json");
  int checked = 0, beta0 = 0, clip_higher = 0;
  std::set<std::string> aggs;
  for (const auto& c : fx["cases"]) {
    const LossCase lc = read_case(c);
    INFO("case " << lc.name);
    const auto& e = c["expected"];
    aggs.insert(r1::config::enum_name(lc.cfg.loss_agg));
    const Run r = run(lc);
    check_against_fixture(r, e, lc.name, true);
    CHECK(r.out.active_tokens == static_cast<int64_t>(lc.mask.sum().item<double>()));
    CHECK(r.out.loss.scalar_type() == torch::kDouble);

    // the same with a bool mask
    check_against_fixture(run(lc.logp, lc.old, lc.ref, lc.mask.to(torch::kBool), lc.adv, lc.cfg), e,
                          lc.name + " (bool mask)", true);

    // masked positions get exactly zero gradient; clipped tokens carry no policy gradient (only the KL term's)
    const torch::Tensor masked = lc.mask == 0;
    REQUIRE(torch::where(masked, r.grad, torch::zeros_like(r.grad)).abs().max().item<double>() == 0.0);
    const torch::Tensor clipped = (json_tensor(e["is_low_clipped"]) + json_tensor(e["is_high_clipped"])) > 0;
    if (lc.cfg.beta == 0.0) {
      ++beta0;
      REQUIRE(torch::where(clipped, r.grad, torch::zeros_like(r.grad)).abs().max().item<double>() == 0.0);
      // no reference model at all: same loss and gradient, no KL outputs
      const Run nr = run(lc.logp, lc.old, torch::Tensor(), lc.mask, lc.adv, lc.cfg);
      check_against_fixture(nr, e, lc.name + " (no ref)", false);
      REQUIRE(torch::equal(nr.grad, r.grad));
    }
    if (lc.cfg.epsilon_high != lc.cfg.epsilon_low) ++clip_higher;
    ++checked;
  }
  CHECK(checked == 21);
  CHECK(beta0 > 0);
  CHECK(clip_higher > 0);
  CHECK(aggs.size() == 3);
}

TEST_CASE("grpo loss: masked positions holding garbage change nothing", "[rl]") {
  const auto fx = load_grpo_fixture("loss.json");
  for (const char* name : {"mixed/grpo", "masked_row_zero_adv/bnpo", "masked_row_zero_adv/dr_grpo"}) {
    INFO(name);
    const nlohmann::json* found = nullptr;
    for (const auto& c : fx["cases"])
      if (c["name"] == name) found = &c;
    REQUIRE(found);
    const LossCase lc = read_case(*found);
    const Run clean = run(lc);
    const torch::Tensor masked = lc.mask == 0;
    REQUIRE(masked.any().item<bool>());
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const auto& garbage : std::vector<std::array<double, 3>>{{1e300, -1e300, 1e300}, {inf, -inf, nan},
                                                                  {nan, nan, -inf}, {-inf, inf, inf}}) {
      auto fill = [&](const torch::Tensor& t, double v) { return torch::where(masked, torch::full_like(t, v), t); };
      torch::Tensor adv = lc.adv.clone();
      // a fully masked row may even carry a nan advantage
      const torch::Tensor empty_rows = lc.mask.sum(1) == 0;
      adv = torch::where(empty_rows, torch::full_like(adv, nan), adv);
      const Run dirty = run(fill(lc.logp, garbage[0]), fill(lc.old, garbage[1]), fill(lc.ref, garbage[2]), lc.mask,
                            adv, lc.cfg);
      REQUIRE(dirty.out.loss.item<double>() == clean.out.loss.item<double>());
      REQUIRE(torch::equal(dirty.grad, clean.grad));
      REQUIRE(dirty.out.kl_mean == clean.out.kl_mean);
      REQUIRE(dirty.out.clip_frac == clean.out.clip_frac);
      REQUIRE(dirty.out.active_tokens == clean.out.active_tokens);
      // active positions of the diagnostics are untouched too
      const torch::Tensor active = lc.mask != 0;
      REQUIRE(torch::equal(dirty.out.per_token_loss.masked_select(active),
                           clean.out.per_token_loss.masked_select(active)));
    }
  }
}

TEST_CASE("grpo loss: old = logp gives ratio 1 and no clipping for any advantages", "[rl]") {
  torch::manual_seed(3);
  const int64_t B = 8, T = 7;
  const torch::Tensor logp = -torch::rand({B, T}, torch::kDouble) * 4;
  const torch::Tensor ref = -torch::rand({B, T}, torch::kDouble) * 4;
  const torch::Tensor mask = (torch::rand({B, T}, torch::kDouble) < 0.7).to(torch::kDouble);
  const torch::Tensor adv = torch::randn({B}, torch::kDouble) * 3;
  REQUIRE((adv > 0).any().item<bool>());
  REQUIRE((adv < 0).any().item<bool>());
  for (const LossAgg agg : {LossAgg::kSeqMeanTokenMean, LossAgg::kTokenMean, LossAgg::kSeqMeanTokenSumNorm}) {
    for (double beta : {0.0, 0.05}) {
      INFO(r1::config::enum_name(agg) << " beta " << beta);
      GrpoLossConfig cfg;
      cfg.loss_agg = agg;
      cfg.max_completion_length = T;
      cfg.beta = beta;
      cfg.epsilon_low = 0.01;
      cfg.epsilon_high = 0.0;
      const Run r = run(logp, logp.clone(), ref, mask, adv, cfg);
      REQUIRE(torch::equal(r.out.ratio, torch::ones_like(logp)));
      REQUIRE(r.out.clip_frac == 0.0);
      REQUIRE(r.out.clip_low_frac == 0.0);
      REQUIRE(r.out.clip_high_frac == 0.0);
      if (beta == 0.0 && agg == LossAgg::kTokenMean) {
        // d/dlogp of -ratio*A at ratio 1 is -A, spread over the active tokens
        const torch::Tensor want = -adv.reshape({B, 1}) * mask / mask.sum();
        check_close(r.grad, want, "policy gradient at ratio 1");
        check_close(r.out.loss.item<double>(), (-adv.reshape({B, 1}) * mask).sum().item<double>() /
                                                   mask.sum().item<double>(), "loss at ratio 1");
      }
    }
  }
}

TEST_CASE("grpo loss: ratios outside the clip range with the matching sign are clipped", "[rl]") {
  // rows: A>0 & ratio 1.5 (high-clipped) | A<0 & ratio 0.5 (low-clipped) | A<0 & ratio 1.5 | A>0 & ratio 0.5 (not)
  const int64_t T = 3;
  const torch::Tensor old = torch::full({4, T}, -1.0, torch::kDouble);
  const torch::Tensor ratio = torch::tensor({1.5, 0.5, 1.5, 0.5}, torch::kDouble).reshape({4, 1}).expand({4, T});
  const torch::Tensor logp = old + torch::log(ratio);
  const torch::Tensor adv = torch::tensor({1.0, -1.0, -1.0, 1.0}, torch::kDouble);
  const torch::Tensor mask = torch::ones({4, T}, torch::kDouble);
  const torch::Tensor ref = torch::full({4, T}, -1.2, torch::kDouble);
  GrpoLossConfig cfg;
  cfg.loss_agg = LossAgg::kTokenMean;
  cfg.epsilon_low = 0.2;
  cfg.epsilon_high = 0.28;
  for (double beta : {0.0, 0.1}) {
    INFO("beta " << beta);
    cfg.beta = beta;
    const Run r = run(logp, old, ref, mask, adv, cfg);
    REQUIRE(r.out.clip_high_frac == Approx(0.25).epsilon(1e-15));
    REQUIRE(r.out.clip_low_frac == Approx(0.25).epsilon(1e-15));
    REQUIRE(r.out.clip_frac == Approx(0.5).epsilon(1e-15));
    const double w = 1.0 / (4 * T);
    const torch::Tensor kl_grad = beta * (1 - torch::exp(ref - logp)) * w;  // k3's gradient, weighted
    for (int64_t t = 0; t < T; ++t) {
      // clipped rows: only the KL term's gradient (exactly 0 without KL)
      CHECK(r.grad[0][t].item<double>() == Approx(kl_grad[0][t].item<double>()).margin(1e-15));
      CHECK(r.grad[1][t].item<double>() == Approx(kl_grad[1][t].item<double>()).margin(1e-15));
      if (beta == 0.0) CHECK((r.grad[0][t].item<double>() == 0.0 && r.grad[1][t].item<double>() == 0.0));
      // unclipped rows: -A * ratio * w from the policy term
      CHECK(r.grad[2][t].item<double>() == Approx(1.5 * w + kl_grad[2][t].item<double>()).epsilon(1e-12));
      CHECK(r.grad[3][t].item<double>() == Approx(-0.5 * w + kl_grad[3][t].item<double>()).epsilon(1e-12));
    }
    // per-token policy losses: -min(1.5, 1.28), -min(-0.5, -0.8), -min(-1.5, -1.28), -min(0.5, 0.8)
    const std::vector<double> policy = {-1.28, 0.8, 1.5, -0.5};
    for (int64_t b = 0; b < 4; ++b)
      CHECK(r.out.per_token_loss[b][0].item<double>() ==
            Approx(policy[b] + beta * r.out.per_token_kl[b][0].item<double>()).epsilon(1e-12));
  }
}

TEST_CASE("grpo loss: normalisers make micro-batch losses add up to the full batch", "[rl]") {
  torch::manual_seed(5);
  const int64_t B = 6, T = 5;
  const torch::Tensor logp = -torch::rand({B, T}, torch::kDouble) * 3;
  const torch::Tensor old = logp + torch::randn({B, T}, torch::kDouble) * 0.3;
  const torch::Tensor ref = logp + torch::randn({B, T}, torch::kDouble) * 0.3;
  const torch::Tensor lengths = torch::tensor({5, 1, 3, 0, 4, 2}, torch::kLong).reshape({B, 1});
  const torch::Tensor mask = (torch::arange(T).reshape({1, T}) < lengths).to(torch::kDouble);
  const torch::Tensor adv = torch::randn({B}, torch::kDouble);
  for (const LossAgg agg : {LossAgg::kTokenMean, LossAgg::kSeqMeanTokenMean, LossAgg::kSeqMeanTokenSumNorm}) {
    INFO(r1::config::enum_name(agg));
    GrpoLossConfig cfg;
    cfg.loss_agg = agg;
    cfg.beta = 0.04;
    cfg.max_completion_length = 8;
    const Run full = run(logp, old, ref, mask, adv, cfg);
    GrpoLossConfig micro = cfg;
    micro.token_normalizer = mask.sum().item<double>();
    micro.sequence_normalizer = static_cast<double>(B);
    double sum = 0, sum_plain = 0;
    std::vector<torch::Tensor> grads;
    for (int64_t start : {0, 3}) {
      auto part = [&](const torch::Tensor& t) { return t.narrow(0, start, 3); };
      const Run half = run(part(logp), part(old), part(ref), part(mask), part(adv), micro);
      sum += half.out.loss.item<double>();
      grads.push_back(half.grad);
      sum_plain += run(part(logp), part(old), part(ref), part(mask), part(adv), cfg).out.loss.item<double>();
    }
    check_close(sum, full.out.loss.item<double>(), "sum of micro-batch losses");
    check_close(torch::cat(grads, 0), full.grad, "micro-batch gradients");
    // without the normalisers the halves do not add up (the test can fail)
    CHECK(std::fabs(sum_plain - full.out.loss.item<double>()) > 1e-6);
  }
}

TEST_CASE("grpo loss: no active tokens, float32 / bfloat16 inputs", "[rl]") {
  torch::manual_seed(9);
  const torch::Tensor logp = -torch::rand({4, 6}, torch::kDouble) * 2;
  const torch::Tensor old = logp + 0.1;
  const torch::Tensor ref = logp - 0.2;
  const torch::Tensor adv = torch::tensor({1.0, -1.0, 0.5, -0.5}, torch::kDouble);
  for (const LossAgg agg : {LossAgg::kTokenMean, LossAgg::kSeqMeanTokenMean, LossAgg::kSeqMeanTokenSumNorm}) {
    GrpoLossConfig cfg;
    cfg.loss_agg = agg;
    cfg.beta = 0.1;
    cfg.max_completion_length = 6;
    const Run r = run(logp, old, ref, torch::zeros({4, 6}, torch::kBool), adv, cfg);
    REQUIRE(r.out.loss.item<double>() == 0.0);
    REQUIRE(r.grad.abs().max().item<double>() == 0.0);
    REQUIRE(r.out.active_tokens == 0);
    REQUIRE((r.out.kl_mean == 0.0 && r.out.clip_frac == 0.0));

    const torch::Tensor mask = torch::ones({4, 6}, torch::kDouble);
    const Run r64 = run(logp, old, ref, mask, adv, cfg);
    const Run r32 = run(logp.to(torch::kFloat), old.to(torch::kFloat), ref.to(torch::kFloat), mask.to(torch::kFloat),
                        adv.to(torch::kFloat), cfg);
    REQUIRE(r32.out.loss.scalar_type() == torch::kFloat);
    REQUIRE(r32.out.loss.item<double>() == Approx(r64.out.loss.item<double>()).epsilon(1e-5));
    REQUIRE((r32.grad.to(torch::kDouble) - r64.grad).abs().max().item<double>() < 1e-6);
    const Run r16 = run(logp.to(torch::kBFloat16), old.to(torch::kBFloat16), ref.to(torch::kBFloat16), mask, adv, cfg);
    REQUIRE(r16.out.loss.scalar_type() == torch::kFloat);  // computed in float32
    REQUIRE(r16.grad.scalar_type() == torch::kBFloat16);
    REQUIRE(r16.out.loss.item<double>() == Approx(r64.out.loss.item<double>()).margin(0.05));
  }
}

TEST_CASE("grpo loss: bad config or tensors throw InputError", "[rl]") {
  const torch::Tensor lp = torch::zeros({2, 3}, torch::kDouble);
  const torch::Tensor mask = torch::ones({2, 3}, torch::kDouble);
  const torch::Tensor adv = torch::zeros({2}, torch::kDouble);
  auto call = [&](const GrpoLossConfig& cfg) { return grpo_loss(lp, lp, lp, mask, adv, cfg); };
  GrpoLossConfig cfg;
  REQUIRE_NOTHROW(call(cfg));
  cfg.loss_agg = LossAgg::kSeqMeanTokenSumNorm;
  REQUIRE_THROWS_WITH(call(cfg), Catch::Contains("max_completion_length"));
  cfg = GrpoLossConfig{};
  cfg.epsilon_low = 1.5;
  REQUIRE_THROWS_AS(call(cfg), r1::InputError);
  cfg = GrpoLossConfig{};
  cfg.beta = -0.1;
  REQUIRE_THROWS_AS(call(cfg), r1::InputError);
  cfg = GrpoLossConfig{};
  cfg.token_normalizer = -1;
  REQUIRE_THROWS_AS(call(cfg), r1::InputError);
  cfg = GrpoLossConfig{};
  cfg.beta = 0.04;
  REQUIRE_THROWS_WITH(grpo_loss(lp, lp, torch::Tensor(), mask, adv, cfg), Catch::Contains("needs ref_logp"));
  cfg = GrpoLossConfig{};
  REQUIRE_THROWS_AS(grpo_loss(lp, torch::zeros({2, 4}, torch::kDouble), lp, mask, adv, cfg), r1::InputError);
  REQUIRE_THROWS_AS(grpo_loss(lp, lp.to(torch::kFloat), lp, mask, adv, cfg), r1::InputError);
  REQUIRE_THROWS_AS(grpo_loss(lp, lp, lp, torch::ones({3, 2}), adv, cfg), r1::InputError);
  REQUIRE_THROWS_AS(grpo_loss(lp, lp, lp, mask, torch::zeros({3}, torch::kDouble), cfg), r1::InputError);
  REQUIRE_THROWS_AS(grpo_loss(lp.reshape({6}), lp.reshape({6}), torch::Tensor(), mask.reshape({6}), adv, cfg),
                    r1::InputError);
  REQUIRE_THROWS_WITH(grpo_loss(lp, lp, lp, mask * 0.5, adv, cfg), Catch::Contains("only 0 and 1"));
}
