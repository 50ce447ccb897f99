// The fused inference path (model::DecodeModel + fused_ops) equals the module forward: prefill and cached
// decode steps, left padding, qkv bias and untied heads; each fused kernel equals its ATen composition.
#include <catch2/catch.hpp>

#include <array>

#include "../../support/test_support.h"
#include "r1/model/attention.h"
#include "r1/model/attention_mask.h"
#include "r1/model/cpu_vector_math.h"
#include "r1/model/decode_model.h"
#include "r1/model/fused_ops.h"
#include "r1/model/rms_norm.h"

using namespace r1;
using namespace r1::model;

namespace {
Transformer random_model(bool qkv_bias, bool tied, std::uint64_t seed) {
  auto c = test::micro_model_config();
  c.qkv_bias = qkv_bias;
  c.tie_word_embeddings = tied;
  Transformer m(c, 60);
  m->init_weights(seed);
  torch::NoGradGuard ng;
  auto gen = at::detail::createCPUGenerator(seed + 1);
  // Non-trivial norms and biases, so a folding mistake cannot hide behind ones and zeros.
  for (auto& item : m->named_parameters()) {
    auto& p = item.value();
    if (item.key().find("norm") != std::string::npos) p.copy_(1.0 + 0.2 * at::normal(0, 1, p.sizes(), gen));
    else p.copy_(0.3 * at::normal(0, 1, p.sizes(), gen));
  }
  return m;
}

// Two left-padded rows of five prompt tokens and room for three decode steps (cache capacity 8).
struct TwoPaddedRows {
  torch::Tensor tokens = torch::tensor({{0, 0, 5, 9, 14}, {3, 8, 1, 2, 7}}, torch::kInt64);
  torch::Tensor valid = torch::tensor({{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}}, torch::kBool);
  int64_t cap = 8;
  torch::Tensor valid_all = torch::cat({valid, torch::ones({2, cap - 5}, torch::kBool)}, 1);
  torch::Tensor positions_all = (valid_all.to(torch::kInt64).cumsum(1) - 1).clamp_min(0);
  torch::Tensor mask = padded_causal_mask(valid, 0);  // the prompt's
};
}  // namespace

TEST_CASE("fused kernels equal their ATen compositions", "[bench][model]") {
  auto gen = at::detail::createCPUGenerator(3);
  torch::NoGradGuard ng;
  SECTION("rms_normalize") {
    auto x = at::normal(0, 2, {5, 24}, gen);
    auto want = rms_norm(x, torch::ones({24}), 1e-5);
    REQUIRE((rms_normalize(x, 1e-5) - want).abs().max().item<float>() < 1e-5);
  }
  SECTION("rotary_inplace rotates q and k heads and leaves v alone") {
    const int64_t b = 2, t = 3, h = 4, kvh = 2, d = 8;
    auto qkv = at::normal(0, 1, {b, t, (h + 2 * kvh) * d}, gen);
    auto positions = torch::tensor({{0, 1, 2}, {5, 6, 7}}, torch::kInt64);
    Rotary rot(d, 16, 10000.0);
    auto [c4, s4] = rot.tables(positions, qkv);  // [B, 1, T, D/2]
    auto heads = qkv.view({b, t, h + 2 * kvh, d}).transpose(1, 2);  // [B, heads, T, D]
    auto want = Rotary::apply(heads.narrow(1, 0, h + kvh), c4, s4);
    auto v_before = heads.narrow(1, h + kvh, kvh).clone();
    auto fused = qkv.clone();
    rotary_inplace(fused, c4.reshape({b, t, d / 2}), s4.reshape({b, t, d / 2}), h + kvh, d);
    auto got = fused.view({b, t, h + 2 * kvh, d}).transpose(1, 2);
    REQUIRE((got.narrow(1, 0, h + kvh) - want).abs().max().item<float>() < 1e-6);
    REQUIRE(torch::equal(got.narrow(1, h + kvh, kvh), v_before));
  }
  SECTION("cached_attention: loop path (decode) and matmul path (prefill) equal grouped_attention") {
    const int64_t b = 3, cap = 48;
    // Query heads per kv head: 2, 1, 3 and 8 (the kernel scores heads four, two or one at a time).
    const std::vector<std::array<int64_t, 3>> shapes = {{4, 2, 8}, {4, 2, 32}, {2, 2, 16}, {6, 2, 8}, {8, 1, 8}};
    for (auto [h, kvh, d] : shapes) {
      for (int64_t s : {9, 37}) {
        for (int64_t t : {1, 2, 4, 7}) {
          auto q = at::normal(0, 1, {b, t, h * d}, gen);
          // Cache views, as KvCache::append returns them: keys stored transposed [B, kvH, D, cap].
          auto kc = at::normal(0, 1, {b, kvh, d, cap}, gen), vc = at::normal(0, 1, {b, kvh, cap, d}, gen);
          auto k = kc.narrow(3, 0, s).transpose(2, 3), v = vc.narrow(2, 0, s);
          auto valid = torch::ones({b, s}, torch::kBool);
          valid[0][0] = false;  // left padding on row 0
          valid[0][1] = false;
          auto mask = padded_causal_mask(valid, s - t);
          auto want = grouped_attention(q.view({b, t, h, d}).transpose(1, 2), k, v, mask)  // scales by 1/sqrt(d)
                          .transpose(1, 2)
                          .reshape({b, t, h * d});
          auto got = cached_attention(q / std::sqrt(double(d)), k, v, mask, h);
          INFO("h " << h << ", kvh " << kvh << ", d " << d << ", s " << s << ", t " << t << ", mask " << mask.sizes());
          REQUIRE((got - want).abs().max().item<float>() < 1e-5);
        }
      }
    }
  }
}

TEST_CASE("cached_attention over a bfloat16 cache is the float32 kernel over the rounded keys and values",
          "[bench][model]") {
  auto gen = at::detail::createCPUGenerator(5);
  torch::NoGradGuard ng;
  const int64_t b = 3, cap = 48, h = 4, kvh = 2, d = 32, s = 37;
  for (int64_t t : {1, 4, 7}) {  // the loop path (t <= 4) and the matmul path
    auto q = at::normal(0, 1, {b, t, h * d}, gen);
    auto kc = at::normal(0, 1, {b, kvh, d, cap}, gen), vc = at::normal(0, 1, {b, kvh, cap, d}, gen);
    auto kb = kc.to(torch::kBFloat16), vb = vc.to(torch::kBFloat16);
    auto kr = kb.to(torch::kFloat32), vr = vb.to(torch::kFloat32);  // the rounded values, widened (exact)
    auto valid = torch::ones({b, s}, torch::kBool);
    valid[1][0] = false;
    auto mask = padded_causal_mask(valid, s - t);
    auto view_k = [&](const torch::Tensor& c) { return c.narrow(3, 0, s).transpose(2, 3); };
    auto view_v = [&](const torch::Tensor& c) { return c.narrow(2, 0, s); };
    auto got = cached_attention(q, view_k(kb), view_v(vb), mask, h);
    INFO("t " << t);
    REQUIRE(got.scalar_type() == torch::kFloat32);
    // Widening is exact and the arithmetic is the same float32 arithmetic: equal bit for bit.
    REQUIRE(torch::equal(got, cached_attention(q, view_k(kr), view_v(vr), mask, h)));
    // Against the unrounded cache: close (8 significant bits per key and value), but not equal.
    const float err = (got - cached_attention(q, view_k(kc), view_v(vc), mask, h)).abs().max().item<float>();
    REQUIRE(err > 0.0f);
    REQUIRE(err < 0.05f);
  }
}

TEST_CASE("exp_approx matches std::exp to 2e-7 relative over the softmax range", "[bench][model]") {
  float worst = 0;
  for (int i = 0; i <= 200000; ++i) {
    const float x = -87.0f + 87.0f * static_cast<float>(i) / 200000.0f;  // softmax arguments are <= 0
    const float want = std::exp(x);
    worst = std::max(worst, std::abs(cpu::exp_approx(x) - want) / want);
  }
  REQUIRE(worst < 2e-7f);
  REQUIRE(cpu::exp_approx(0.0f) == 1.0f);
  REQUIRE(cpu::exp_approx(-1000.0f) <= std::exp(-87.0f) * 1.0001f);  // clamped, never NaN or negative
  REQUIRE(cpu::exp_approx(-1000.0f) >= 0.0f);
}

TEST_CASE("DecodeModel logits equal the module forward, with and without the cache", "[bench][model]") {
  for (bool qkv_bias : {false, true}) {
    for (bool tied : {true, false}) {
      auto m = random_model(qkv_bias, tied, 21);
      torch::NoGradGuard ng;
      DecodeModel fused(*m);
      // Two left-padded rows: prefill, then three cached decode steps.
      const TwoPaddedRows rows;
      const auto& [tokens, valid, cap, valid_all, positions_all, mask] = rows;
      auto ref_h = m->hidden(tokens, positions_all.narrow(1, 0, 5), mask);
      auto want = m->logits(ref_h).select(1, 4);
      auto cache = m->make_cache(2, cap);
      auto got = fused.last_logits(tokens, positions_all.narrow(1, 0, 5), mask, &cache);
      REQUIRE((got - want).abs().max().item<float>() < 1e-4);
      auto no_cache = fused.last_logits(tokens, positions_all.narrow(1, 0, 5), mask);
      REQUIRE((no_cache - want).abs().max().item<float>() < 1e-4);
      auto seq = tokens;
      for (int step = 0; step < 3; ++step) {
        auto next = torch::tensor({{11 + step}, {20 + step}}, torch::kInt64);
        seq = torch::cat({seq, next}, 1);
        int64_t col = seq.size(1) - 1;
        auto full_mask = padded_causal_mask(valid_all.narrow(1, 0, col + 1), 0);
        auto ref = m->logits(m->hidden(seq, positions_all.narrow(1, 0, col + 1), full_mask)).select(1, col);
        auto step_mask = padded_causal_mask(valid_all.narrow(1, 0, col + 1), col);  // [B, 1, 1, S]
        auto dec = fused.last_logits(next, positions_all.narrow(1, col, 1), step_mask, &cache);
        REQUIRE((dec - ref).abs().max().item<float>() < 1e-4);
      }
    }
  }
}

TEST_CASE("a bfloat16 KV cache: DecodeModel equals the module forward over the same cache", "[bench][model]") {
  auto m = random_model(true, true, 23);
  torch::NoGradGuard ng;
  DecodeModel fused(*m);
  const TwoPaddedRows rows;
  const auto& [tokens, valid, cap, valid_all, positions_all, mask] = rows;
  auto fused_cache = m->make_cache(2, cap, torch::kBFloat16);
  auto module_cache = m->make_cache(2, cap, torch::kBFloat16);
  auto exact_cache = m->make_cache(2, cap);
  fused.last_logits(tokens, positions_all.narrow(1, 0, 5), mask, &fused_cache);
  m->hidden(tokens, positions_all.narrow(1, 0, 5), mask, &module_cache);
  fused.last_logits(tokens, positions_all.narrow(1, 0, 5), mask, &exact_cache);
  for (int step = 0; step < 3; ++step) {
    auto next = torch::tensor({{11 + step}, {20 + step}}, torch::kInt64);
    const int64_t col = 5 + step;
    auto step_mask = padded_causal_mask(valid_all.narrow(1, 0, col + 1), col);
    auto pos = positions_all.narrow(1, col, 1);
    auto dec = fused.last_logits(next, pos, step_mask, &fused_cache);
    auto ref = m->logits(m->hidden(next, pos, step_mask, &module_cache)).select(1, 0);
    auto exact = fused.last_logits(next, pos, step_mask, &exact_cache);
    INFO("step " << step);
    REQUIRE(dec.scalar_type() == torch::kFloat32);
    REQUIRE((dec - ref).abs().max().item<float>() < 1e-4);
    const float drift = (dec - exact).abs().max().item<float>();  // rounding the cache moves the logits a little
    REQUIRE(drift > 0.0f);
    REQUIRE(drift < 0.02f * exact.abs().max().item<float>());
  }
}
