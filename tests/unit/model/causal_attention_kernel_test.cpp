// The fused causal attention kernel and its small matrix product: gemm_small equals at::mm; the kernel equals
// the ATen composition (grouped_attention), forward and backward, for every mask r1 builds for a whole sequence
// (and packed masks whose block plans skip and split), and the Attention module takes it on CPU float32.
#include <catch2/catch.hpp>

#include <limits>

#include "r1/model/attention.h"
#include "r1/model/attention_mask.h"
#include "r1/model/causal_attention_kernel.h"
#include "r1/model/cpu_small_gemm.h"
#include "r1/model/rotary.h"
#include "../../support/test_support.h"

using namespace r1::model;

namespace {
float max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }

// Fused vs composition on q [B, T, H, D], k/v [B, T, kvH, D]: values and the gradients of q, k, v.
void check_against_composition(int64_t b, int64_t t, int64_t h, int64_t kvh, int64_t d, const torch::Tensor& mask,
                               uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto q0 = at::normal(0, 1, {b, t, h, d}, gen), k0 = at::normal(0, 1, {b, t, kvh, d}, gen);
  auto v0 = at::normal(0, 1, {b, t, kvh, d}, gen), up = at::normal(0, 1, {b, t, h, d}, gen);
  auto q1 = q0.clone().requires_grad_(true), k1 = k0.clone().requires_grad_(true), v1 = v0.clone().requires_grad_(true);
  auto q2 = q0.clone().requires_grad_(true), k2 = k0.clone().requires_grad_(true), v2 = v0.clone().requires_grad_(true);
  auto fused = causal_attention_fused(q1, k1, v1, mask);  // [B, T, H, D]
  auto ref = grouped_attention(q2.transpose(1, 2), k2.transpose(1, 2), v2.transpose(1, 2), mask).transpose(1, 2);
  REQUIRE(fused.sizes() == ref.sizes());
  REQUIRE(max_diff(fused, ref) < 2e-5);
  (fused * up).sum().backward();
  (ref * up).sum().backward();
  REQUIRE(max_diff(q1.grad(), q2.grad()) < 1e-4);
  REQUIRE(max_diff(k1.grad(), k2.grad()) < 1e-4);
  REQUIRE(max_diff(v1.grad(), v2.grad()) < 1e-4);
  REQUIRE(k1.grad().abs().sum().item<float>() > 0);  // the gradients are not trivially zero on both sides
}
}  // namespace

TEST_CASE("cpu::gemm_small equals at::mm for every tail shape, plain and transposed A, set and accumulate",
          "[model]") {
  auto gen = at::detail::createCPUGenerator(9);
  for (int64_t m : {1, 2, 3, 4, 7}) {
    for (int64_t n : {1, 8, 13, 16, 40}) {
      for (int64_t kd : {1, 5, 32}) {
        INFO("m " << m << " n " << n << " k " << kd);
        auto a = at::normal(0, 1, {m, kd}, gen), at_ = a.t().contiguous();  // at_ [kd, m]
        auto b = at::normal(0, 1, {kd, n + 3}, gen).narrow(1, 0, n);         // row stride n + 3
        auto c0 = at::normal(0, 1, {m, n + 2}, gen);                         // row stride n + 2
        auto want = at::mm(a, b);
        auto c = c0.clone();
        r1::model::cpu::gemm_small(m, n, kd, a.data_ptr<float>(), kd, 1, b.data_ptr<float>(), n + 3,
                                   c.data_ptr<float>(), n + 2, false);
        REQUIRE(max_diff(c.narrow(1, 0, n), want) < 1e-4);
        REQUIRE(max_diff(c.narrow(1, n, 2), c0.narrow(1, n, 2)) == 0);  // nothing past n columns is written
        c = c0.clone();  // A read transposed in place: A(i, k) = at_[k][i]
        r1::model::cpu::gemm_small(m, n, kd, at_.data_ptr<float>(), 1, m, b.data_ptr<float>(), n + 3,
                                   c.data_ptr<float>(), n + 2, true);
        REQUIRE(max_diff(c.narrow(1, 0, n), c0.narrow(1, 0, n) + want) < 1e-4);
      }
    }
  }
}

TEST_CASE("fused causal attention equals grouped_attention, forward and backward", "[model]") {
  SECTION("causal mask; one partial query block, several blocks with a tail, grouped and plain heads") {
    check_against_composition(2, 7, 4, 2, 8, causal_mask(7, torch::kCPU), 1);
    check_against_composition(2, 150, 4, 2, 12, causal_mask(150, torch::kCPU), 2);  // blocks 64, 64, 22; D % 8 != 0
    check_against_composition(1, 64, 3, 3, 16, causal_mask(64, torch::kCPU), 3);
  }
  SECTION("right-padded and left-padded rows (padded_causal_mask, offset 0)") {
    auto valid = torch::ones({3, 70}, torch::kBool);
    valid[0].narrow(0, 50, 20).fill_(false);  // right padding
    valid[1].narrow(0, 0, 9).fill_(false);    // left padding (a prompt batch without a cache)
    check_against_composition(3, 70, 4, 1, 8, padded_causal_mask(valid, 0), 4);
  }
  SECTION("packed rows of several documents (block-diagonal causal)") {
    auto seg = torch::zeros({2, 90}, torch::kInt64);
    seg[0].narrow(0, 30, 60).fill_(1);
    seg[1].narrow(0, 10, 70).fill_(1);
    seg[1].narrow(0, 80, 10).fill_(2);
    check_against_composition(2, 90, 2, 2, 8, packed_causal_mask(seg), 5);
  }
  SECTION("packed rows with short segments, holes, and a row that sees into an earlier segment (block plans)") {
    // Row 0: segments of 3, 40, 9, 30, 2, 66; row 1: 70, 6, 74 (T = 150: a partial last chunk).
    const std::vector<std::vector<int64_t>> lengths = {{3, 40, 9, 30, 2, 66}, {70, 6, 74}};
    auto seg = torch::zeros({2, 150}, torch::kInt64);
    for (int64_t b = 0; b < 2; ++b) {
      int64_t at = 0, id = 0;
      for (auto l : lengths[b]) {
        seg[b].narrow(0, at, l).fill_(id++);
        at += l;
      }
    }
    auto mask = packed_causal_mask(seg);
    mask[0][0][60][55] = -std::numeric_limits<float>::infinity();  // a masked key inside a segment
    mask[1][0][100][5] = 0.0f;  // row 100 (segment 2) also sees key 5 (segment 0): no split before it
    check_against_composition(2, 150, 4, 2, 8, mask, 8);
  }
}

TEST_CASE("fused causal attention ignores the mask above the diagonal and runs under InferenceMode", "[model]") {
  auto gen = at::detail::createCPUGenerator(6);
  auto q = at::normal(0, 1, {1, 9, 2, 8}, gen), k = at::normal(0, 1, {1, 9, 1, 8}, gen);
  auto v = at::normal(0, 1, {1, 9, 1, 8}, gen);
  auto causal = causal_mask(9, torch::kCPU);
  auto out = causal_attention_fused(q, k, v, causal);
  // Query 0 sees key 0 only: its output is v[0] for both heads.
  REQUIRE(max_diff(out[0][0][0], v[0][0][0]) < 1e-6);
  REQUIRE(max_diff(causal_attention_fused(q, k, v, torch::zeros({1, 1, 9, 9})), out) < 1e-6);
  torch::InferenceMode guard;
  REQUIRE(max_diff(causal_attention_fused(q, k, v, causal), out) == 0);
}

TEST_CASE("Attention takes the fused kernel for whole CPU sequences and matches the composition", "[model]") {
  auto cfg = r1::test::micro_model_config();  // hidden 32, 4 heads, 2 kv heads
  const bool bias = GENERATE(false, true);     // Qwen-style q/k/v biases go through the packed product too
  cfg.qkv_bias = bias;
  INFO("qkv_bias " << bias);
  torch::manual_seed(7);
  Attention attn(cfg);
  const int64_t b = 2, t = 20, d = cfg.head_size();
  Rotary rot(d, 64, 10000.0);
  auto positions = torch::arange(t, torch::kInt64).expand({b, t});
  auto x = torch::randn({b, t, cfg.hidden_size});
  auto up = torch::randn({b, t, cfg.hidden_size});
  auto [c, s] = rot.tables(positions, x);
  auto mask = causal_mask(t, torch::kCPU);
  auto fused = attn->forward(x, c, s, mask, nullptr, 0);
  // The same projections through the composition (float64 takes the ATen path).
  auto attn64 = Attention(cfg);
  attn64->to(torch::kFloat64);
  for (auto& p : attn64->named_parameters()) p.value().data().copy_(attn->named_parameters()[p.key()]);
  auto [c64, s64] = rot.tables(positions, x.to(torch::kFloat64));
  auto ref = attn64->forward(x.to(torch::kFloat64), c64, s64, mask.to(torch::kFloat64), nullptr, 0);
  REQUIRE(max_diff(fused.to(torch::kFloat64), ref) < 1e-5);
  // Every projection's gradient comes back out of the packed q|k|v product.
  (fused * up).sum().backward();
  (ref * up.to(torch::kFloat64)).sum().backward();
  for (auto& p : attn->named_parameters()) {
    INFO(p.key());
    REQUIRE(p.value().grad().defined());
    REQUIRE(max_diff(p.value().grad().to(torch::kFloat64), attn64->named_parameters()[p.key()].grad()) < 1e-4);
  }
}
