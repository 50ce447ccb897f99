// The fused training kernels (RMSNorm, rotary, the packed q|k|v split, SwiGLU) equal their ATen compositions,
// forward and backward, and the MLP module takes them on CPU float32.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "r1/model/mlp.h"
#include "r1/model/rms_norm.h"
#include "r1/model/rotary.h"
#include "r1/model/train_kernels.h"
#include "r1/train/runtime.h"
#include "../../support/test_support.h"

using namespace r1::model;

namespace {
float max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }
}  // namespace

TEST_CASE("fused RMSNorm equals the ATen composition, forward and backward", "[model]") {
  auto gen = at::detail::createCPUGenerator(11);
  // Widths with and without a tail past the eight-float blocks; several rows per task and fewer rows than tasks.
  for (auto shape : std::vector<std::vector<int64_t>>{{2, 3, 24}, {5, 13}, {1, 8}, {37, 256}}) {
    INFO("shape " << c10::IntArrayRef(shape));
    auto x0 = at::normal(0, 2, shape, gen);
    auto w0 = 1.0 + 0.3 * at::normal(0, 1, {shape.back()}, gen);
    auto up = at::normal(0, 1, shape, gen);  // upstream gradient
    auto x1 = x0.clone().requires_grad_(true), w1 = w0.clone().requires_grad_(true);
    auto x2 = x0.clone().requires_grad_(true), w2 = w0.clone().requires_grad_(true);
    REQUIRE(fused_cpu_ok(x1));
    auto fused = rms_norm_fused(x1, w1, 1e-5);
    auto ref = rms_norm_reference(x2, w2, 1e-5);
    REQUIRE(max_diff(fused, ref) < 1e-5);
    (fused * up).sum().backward();
    (ref * up).sum().backward();
    REQUIRE(max_diff(x1.grad(), x2.grad()) < 1e-4);
    REQUIRE(max_diff(w1.grad(), w2.grad()) < 1e-4);
  }
  SECTION("rms_norm takes the fused kernel on CPU float32 and the composition otherwise") {
    auto x = at::normal(0, 1, {4, 16}, gen);
    auto w = torch::ones({16});
    REQUIRE(max_diff(rms_norm(x, w, 1e-5), rms_norm_reference(x, w, 1e-5)) < 1e-6);
    auto xd = x.to(torch::kFloat64);
    REQUIRE_FALSE(fused_cpu_ok(xd));
    REQUIRE(rms_norm(xd, w.to(torch::kFloat64), 1e-5).scalar_type() == torch::kFloat64);
  }
}

TEST_CASE("fused rotary equals Rotary::apply, forward and backward", "[model]") {
  auto gen = at::detail::createCPUGenerator(12);
  const int64_t b = 2, t = 5, h = 3, d = 8;
  Rotary rot(d, 32, 10000.0);
  auto positions = torch::tensor({{0, 1, 2, 3, 4}, {7, 8, 9, 10, 11}}, torch::kInt64);
  auto x0 = at::normal(0, 1, {b, t, h, d}, gen);
  auto up = at::normal(0, 1, {b, h, t, d}, gen);
  auto [c, s] = rot.tables(positions, x0);  // [B, 1, T, D/2]
  auto x1 = x0.clone().requires_grad_(true), x2 = x0.clone().requires_grad_(true);
  auto fused = rotary_fused(x1, c.reshape({b, t, d / 2}), s.reshape({b, t, d / 2})).transpose(1, 2);  // [B, H, T, D]
  auto ref = Rotary::apply(x2.transpose(1, 2), c, s);
  REQUIRE(max_diff(fused, ref) < 1e-6);
  (fused * up).sum().backward();
  (ref * up).sum().backward();
  REQUIRE(max_diff(x1.grad(), x2.grad()) < 1e-5);
  // The rotation keeps norms (a wrong sign in the backward would not).
  REQUIRE(x1.grad().norm().item<float>() == Approx(up.norm().item<float>()).epsilon(1e-5));
}

TEST_CASE("split_qkv_rotary_fused equals rotary_fused on each part of the packed projection", "[model]") {
  auto gen = at::detail::createCPUGenerator(13);
  const int64_t b = 2, t = 7, h = 4, kvh = 2, d = 8, width = (h + 2 * kvh) * d;
  Rotary rot(d, 32, 10000.0);
  auto positions = torch::arange(t, torch::kInt64).expand({b, t}) + torch::tensor({0, 5}).unsqueeze(1);
  auto qkv0 = at::normal(0, 1, {b, t, width}, gen);
  auto [c4, s4] = rot.tables(positions, qkv0);  // [B, 1, T, D/2]
  auto c = c4.reshape({b, t, d / 2}), s = s4.reshape({b, t, d / 2});
  auto up_q = at::normal(0, 1, {b, t, h, d}, gen), up_k = at::normal(0, 1, {b, t, kvh, d}, gen);
  auto up_v = at::normal(0, 1, {b, t, kvh, d}, gen);
  auto qkv1 = qkv0.clone().requires_grad_(true), qkv2 = qkv0.clone().requires_grad_(true);
  auto parts = split_qkv_rotary_fused(qkv1, c, s, h, kvh);
  REQUIRE(parts.size() == 3);
  REQUIRE(parts[0].sizes() == c10::IntArrayRef({b, t, h, d}));
  REQUIRE(parts[2].sizes() == c10::IntArrayRef({b, t, kvh, d}));
  auto q_ref = rotary_fused(qkv2.narrow(2, 0, h * d).reshape({b, t, h, d}).contiguous(), c, s);
  auto k_ref = rotary_fused(qkv2.narrow(2, h * d, kvh * d).reshape({b, t, kvh, d}).contiguous(), c, s);
  auto v_ref = qkv2.narrow(2, (h + kvh) * d, kvh * d).reshape({b, t, kvh, d});
  REQUIRE(max_diff(parts[0], q_ref) == 0);
  REQUIRE(max_diff(parts[1], k_ref) == 0);
  REQUIRE(max_diff(parts[2], v_ref) == 0);
  SECTION("gradients of all three parts land in one packed gradient") {
    ((parts[0] * up_q).sum() + (parts[1] * up_k).sum() + (parts[2] * up_v).sum()).backward();
    ((q_ref * up_q).sum() + (k_ref * up_k).sum() + (v_ref * up_v).sum()).backward();
    REQUIRE(max_diff(qkv1.grad(), qkv2.grad()) < 1e-6);
  }
  SECTION("a part without gradient contributes zeros") {
    ((parts[0] * up_q).sum() + (parts[2] * up_v).sum()).backward();
    ((q_ref * up_q).sum() + (v_ref * up_v).sum()).backward();
    REQUIRE(max_diff(qkv1.grad(), qkv2.grad()) < 1e-6);
    REQUIRE(qkv1.grad().narrow(2, h * d, kvh * d).abs().max().item<float>() == 0);
  }
}

TEST_CASE("swiglu_fused equals silu(gate) * up, forward and backward", "[model]") {
  auto gen = at::detail::createCPUGenerator(14);
  // Widths with and without a tail past the eight-float blocks; large |gate| (saturated sigmoid) included.
  for (auto shape : std::vector<std::vector<int64_t>>{{2, 3, 2 * 24}, {5, 2 * 13}, {1, 2 * 8}, {37, 2 * 100}}) {
    INFO("shape " << c10::IntArrayRef(shape));
    auto gu0 = at::normal(0, 3, shape, gen);
    gu0.view(-1)[0] = 95.0f;
    gu0.view(-1)[1] = -95.0f;
    auto half = shape;
    half.back() /= 2;
    auto up = at::normal(0, 1, half, gen);
    auto gu1 = gu0.clone().requires_grad_(true), gu2 = gu0.clone().requires_grad_(true);
    auto fused = swiglu_fused(gu1);
    auto halves = gu2.chunk(2, -1);
    auto ref = torch::silu(halves[0]) * halves[1];
    REQUIRE(fused.sizes() == ref.sizes());
    REQUIRE(max_diff(fused, ref) < 1e-5 * (1 + ref.abs().max().item<float>()));
    (fused * up).sum().backward();
    (ref * up).sum().backward();
    REQUIRE(max_diff(gu1.grad(), gu2.grad()) < 1e-5 * (1 + gu2.grad().abs().max().item<float>()));
  }
}

TEST_CASE("packed_rows stacks projections and is undefined when one has no bias", "[model]") {
  auto a = torch::ones({2, 3}), b = torch::zeros({1, 3});
  REQUIRE(packed_rows({a, b}).sizes() == c10::IntArrayRef({3, 3}));
  REQUIRE_FALSE(packed_rows({a, torch::Tensor()}).defined());
  REQUIRE_FALSE(packed_rows({a, torch::empty({0})}).defined());
}

TEST_CASE("Mlp takes the packed gate|up product and fused SwiGLU on CPU float32, matching float64", "[model]") {
  const auto cfg = r1::test::micro_model_config();
  torch::manual_seed(9);
  Mlp mlp(cfg), mlp64(cfg);
  mlp64->to(torch::kFloat64);
  for (auto& p : mlp64->named_parameters()) p.value().data().copy_(mlp->named_parameters()[p.key()]);
  auto x = torch::randn({3, 5, cfg.hidden_size});
  auto up = torch::randn({3, 5, cfg.hidden_size});
  auto fused = mlp->forward(x);
  auto ref = mlp64->forward(x.to(torch::kFloat64));
  REQUIRE(max_diff(fused.to(torch::kFloat64), ref) < 1e-5);
  (fused * up).sum().backward();
  (ref * up.to(torch::kFloat64)).sum().backward();
  for (const auto& name : {"gate_proj.weight", "up_proj.weight", "down_proj.weight"}) {
    INFO(name);
    const auto g = mlp->named_parameters()[name].grad(), g64 = mlp64->named_parameters()[name].grad();
    REQUIRE(g.defined());
    REQUIRE(max_diff(g.to(torch::kFloat64), g64) < 1e-4);
  }
}

TEST_CASE("r1's own at::parallel_for loops run on every intra-op thread", "[model]") {
  // Built without LibTorch's parallel backend (-fopenmp here), at::parallel_for in r1's kernels is a serial loop
  // while at::get_num_threads() still says 2: every fused kernel would run on one core.
  const int before = at::get_num_threads();
  REQUIRE(r1::train::set_threads(2) == 2);
  CHECK(r1::train::parallel_for_threads() == 2);
  at::set_num_threads(1);
  CHECK(r1::train::parallel_for_threads() == 1);
  at::set_num_threads(before);
}

TEST_CASE("threads beyond the core count are capped (threads: 100000 once hung)", "[model][reliability]") {
  const int before = at::get_num_threads();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CHECK(r1::train::set_threads(100000) == cores);
  CHECK(at::get_num_threads() == cores);
  at::set_num_threads(before);
}
