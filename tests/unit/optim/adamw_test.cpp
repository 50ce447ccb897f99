// AdamW against a hand-computed update; schedules; clipping; state round trip.
#include <catch2/catch.hpp>
#include <cmath>

#include "r1/optim/adamw.h"
#include "r1/util/error.h"

using namespace r1;

TEST_CASE("AdamW matches a hand-computed first and second step", "[optim]") {
  auto w = torch::tensor({{1.0, -2.0}}, torch::kFloat64).requires_grad_(true);
  auto b = torch::tensor({0.5}, torch::kFloat64).requires_grad_(true);
  config::OptimConfig cfg;
  cfg.beta1 = 0.9;
  cfg.beta2 = 0.99;
  cfg.eps = 1e-8;
  cfg.weight_decay = 0.1;
  optim::AdamW opt({{"w", w}, {"b", b}}, cfg);
  w.mutable_grad() = torch::tensor({{0.5, -1.0}}, torch::kFloat64);
  b.mutable_grad() = torch::tensor({2.0}, torch::kFloat64);
  opt.step(0.01);
  // Step 1: m = 0.1 g, v = 0.01 g^2, m_hat = g, v_hat = g^2 -> update = lr * g / (|g| + eps) = lr * sign(g).
  // w also decays first: w * (1 - lr * wd). b (dim 1) does not decay.
  REQUIRE(w[0][0].item<double>() == Approx(1.0 * (1 - 0.001) - 0.01).epsilon(1e-9));
  REQUIRE(w[0][1].item<double>() == Approx(-2.0 * (1 - 0.001) + 0.01).epsilon(1e-9));
  REQUIRE(b[0].item<double>() == Approx(0.5 - 0.01).epsilon(1e-9));
  // Step 2 with the same gradient on b: m = 0.19 g, v = 0.0199 g^2; m_hat = 0.19/0.19 g, v_hat = g^2.
  b.mutable_grad() = torch::tensor({2.0}, torch::kFloat64);
  w.mutable_grad() = torch::zeros({1, 2}, torch::kFloat64);
  opt.step(0.01);
  REQUIRE(b[0].item<double>() == Approx(0.49 - 0.01).epsilon(1e-9));
  REQUIRE(opt.steps() == 2);
}

TEST_CASE("AdamW state round trip continues identically", "[optim]") {
  auto make = [] { return torch::tensor({1.0, 2.0, 3.0}).requires_grad_(true); };
  config::OptimConfig cfg;
  auto p1 = make();
  optim::AdamW a({{"p", p1}}, cfg);
  for (int i = 0; i < 3; ++i) {
    p1.mutable_grad() = torch::tensor({0.1f * i, -0.2f, 0.3f});
    a.step(0.01);
  }
  auto p2 = p1.detach().clone().requires_grad_(true);
  optim::AdamW b({{"p", p2}}, cfg);
  b.load_state(a.state_tensors(), a.steps(), "test");
  p1.mutable_grad() = torch::tensor({0.5f, 0.5f, -0.5f});
  p2.mutable_grad() = torch::tensor({0.5f, 0.5f, -0.5f});
  a.step(0.01);
  b.step(0.01);
  REQUIRE(torch::equal(p1, p2));
  REQUIRE_THROWS_AS(b.load_state({}, 1, "ckpt"), InputError);
}

TEST_CASE("lr schedules: warmup, cosine to the floor, linear, constant", "[optim]") {
  config::OptimConfig cfg;
  cfg.lr = 1.0;
  cfg.warmup_steps = 10;
  cfg.min_lr_ratio = 0.1;
  REQUIRE(optim::lr_at(cfg, 0, 100) == Approx(0.1));
  REQUIRE(optim::lr_at(cfg, 9, 100) == Approx(1.0));
  REQUIRE(optim::lr_at(cfg, 10, 100) == Approx(1.0));
  REQUIRE(optim::lr_at(cfg, 99, 100) == Approx(0.1));
  double mid = optim::lr_at(cfg, 10 + 89 / 2, 100);
  REQUIRE(mid == Approx(0.55).margin(0.02));
  cfg.schedule = config::LrSchedule::kLinear;
  REQUIRE(optim::lr_at(cfg, 99, 100) == Approx(0.1));
  cfg.schedule = config::LrSchedule::kConstant;
  REQUIRE(optim::lr_at(cfg, 50, 100) == Approx(1.0));
}

TEST_CASE("clip_grad_norm scales to the max norm and flags non-finite", "[optim]") {
  auto p = torch::zeros({2}).requires_grad_(true);
  p.mutable_grad() = torch::tensor({3.0f, 4.0f});
  auto n = optim::clip_grad_norm({p}, 1.0);
  REQUIRE(n.norm == Approx(5.0));
  REQUIRE(p.grad().norm().item<float>() == Approx(1.0).epsilon(1e-5));
  p.mutable_grad() = torch::tensor({NAN, 1.0f});
  REQUIRE_FALSE(optim::clip_grad_norm({p}, 1.0).finite);
}
