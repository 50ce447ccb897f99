// The fused training kernels (RMSNorm, rotary) equal their ATen compositions, forward and backward.
#include <catch2/catch.hpp>

#include "r1/model/rms_norm.h"
#include "r1/model/rotary.h"
#include "r1/model/train_kernels.h"

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
