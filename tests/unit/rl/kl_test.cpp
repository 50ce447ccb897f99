// KL estimators: every case of fixtures/grpo/kl.json (k1, abs, k2, k3, verl's clamped k3 and the gradients of both
// k3 variants w.r.t. logp), shapes, float32 precision near zero, and input errors.
#include <catch2/catch.hpp>

#include "r1/rl/kl.h"
#include "r1/util/error.h"
#include "rl_fixture.h"

using namespace r1_rl_test;

namespace {
// The estimator by its config name (the names come from the fixture and the config's name table).
torch::Tensor kl_estimate(const torch::Tensor& logp, const torch::Tensor& ref, const std::string& name) {
  return r1::rl::kl_estimate(logp, ref, r1::config::parse_enum<r1::config::KlEstimator>(name, "kl_estimator"));
}

// d estimate / d logp at every element, by autograd in float64.
torch::Tensor grad_wrt_logp(const torch::Tensor& logp_values, const torch::Tensor& ref, const std::string& est) {
  torch::Tensor logp = logp_values.clone().requires_grad_(true);
  kl_estimate(logp, ref, est).sum().backward();
  return logp.grad();
}
}  // namespace

TEST_CASE("kl: every verl/TRL fixture case, values and gradients", "[rl]") {
  const auto fx = load_grpo_fixture("kl.json");
  std::vector<double> lp, ref;
  for (const auto& c : fx["cases"]) {
    lp.push_back(c["logp"].get<double>());
    ref.push_back(c["ref_logp"].get<double>());
  }
  REQUIRE(lp.size() == 12);
  const torch::Tensor logp = torch::tensor(lp, torch::kDouble);
  const torch::Tensor ref_logp = torch::tensor(ref, torch::kDouble);
  auto want = [&](const char* key) {
    std::vector<double> v;
    for (const auto& c : fx["cases"]) v.push_back(c[key].get<double>());
    return torch::tensor(v, torch::kDouble);
  };
  check_close(kl_estimate(logp, ref_logp, "k1"), want("k1"), "k1");
  check_close(kl_estimate(logp, ref_logp, "abs"), want("abs"), "abs");
  check_close(kl_estimate(logp, ref_logp, "k2"), want("k2"), "k2");
  check_close(kl_estimate(logp, ref_logp, "k3"), want("k3"), "k3");
  check_close(kl_estimate(logp, ref_logp, "k3-clamped"), want("k3_verl_clamped"), "k3-clamped");
  check_close(grad_wrt_logp(logp, ref_logp, "k3"), want("grad_k3_wrt_logp"), "grad k3");
  check_close(grad_wrt_logp(logp, ref_logp, "k3-clamped"), want("grad_k3_verl_clamped_wrt_logp"), "grad k3-clamped");
  // one element at a time as well (no cross-element effects)
  for (size_t i = 0; i < lp.size(); ++i) {
    const auto one = kl_estimate(logp.narrow(0, i, 1), ref_logp.narrow(0, i, 1), "k3");
    check_close(one.item<double>(), fx["cases"][i]["k3"].get<double>(), "k3 case " + std::to_string(i));
  }
  // k1 gradient is 1, k2's is logp - ref
  REQUIRE(torch::equal(grad_wrt_logp(logp, ref_logp, "k1"), torch::ones_like(logp)));
  check_close(grad_wrt_logp(logp, ref_logp, "k2"), logp - ref_logp, "grad k2");
}

TEST_CASE("kl: properties, any shape, float32 precision near zero", "[rl]") {
  torch::manual_seed(11);
  const torch::Tensor logp = -torch::rand({2, 3, 4}, torch::kDouble) * 3;
  const torch::Tensor ref = -torch::rand({2, 3, 4}, torch::kDouble) * 3;
  for (const std::string est : {"k1", "abs", "k2", "k3", "k3-clamped"}) {
    INFO(est);
    const auto kl = kl_estimate(logp, ref, est);
    REQUIRE(kl.sizes() == logp.sizes());
    REQUIRE(kl_estimate(logp, logp, est).abs().max().item<double>() == 0.0);
    if (est != "k1") REQUIRE(kl.min().item<double>() >= 0.0);
  }
  // k3 agrees with the textbook formula exp(d) - d - 1 (d = ref - logp) in float64.
  const torch::Tensor d = ref - logp;
  check_close(kl_estimate(logp, ref, "k3"), torch::exp(d) - d - 1, "k3 formula");
  // float32: with d ~ 1e-3, exp(d) - d - 1 loses ~10% to cancellation; r1's k3 stays within 1e-3 relative.
  const torch::Tensor lp32 = torch::full({4}, -1.0f, torch::kFloat);
  const torch::Tensor ref32 = torch::tensor({-1.001f, -0.999f, -1.0003f, -0.9997f});
  const torch::Tensor exact = kl_estimate(lp32.to(torch::kDouble), ref32.to(torch::kDouble), "k3");
  const torch::Tensor got = kl_estimate(lp32, ref32, "k3");
  REQUIRE(got.scalar_type() == torch::kFloat);
  REQUIRE(((got.to(torch::kDouble) - exact).abs() / exact).max().item<double>() < 1e-3);
}

TEST_CASE("kl: bad estimator or tensors throw InputError", "[rl]") {
  const torch::Tensor a = torch::zeros({2, 3}, torch::kDouble);
  REQUIRE_THROWS_AS(kl_estimate(a, a, "k4"), r1::InputError);
  REQUIRE_THROWS_WITH(kl_estimate(a, a, "K3"), Catch::Contains("kl_estimator: expected one of k1|abs|k2|k3|k3-clamped") &&
                                                    Catch::Contains("did you mean \"k3\""));
  REQUIRE_THROWS_AS(kl_estimate(a, torch::zeros({3, 2}, torch::kDouble), "k3"), r1::InputError);
  REQUIRE_THROWS_AS(kl_estimate(a, torch::zeros({2, 3}, torch::kFloat), "k3"), r1::InputError);
  REQUIRE_THROWS_AS(kl_estimate(a, torch::Tensor(), "k3"), r1::InputError);
}
