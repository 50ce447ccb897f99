// Model: norms, rotary, attention against hand-computed values; an independent HF-formula reference forward;
// full forward == step-by-step KV-cache forward; weights round trip.
#include <catch2/catch.hpp>
#include <cmath>

#include "../../support/test_support.h"
#include "r1/model/attention_mask.h"
#include "r1/model/logprobs.h"
#include "r1/model/transformer.h"
#include "r1/util/error.h"

using namespace r1;
using namespace r1::model;

TEST_CASE("rms_norm matches a hand computation", "[model]") {
  auto x = torch::tensor({3.0f, 4.0f}).view({1, 2});
  auto w = torch::tensor({1.0f, 2.0f});
  auto y = rms_norm(x, w, 0.0);
  // rms = sqrt((9 + 16) / 2) = 3.5355...
  double rms = std::sqrt(12.5);
  REQUIRE(y[0][0].item<float>() == Approx(3.0 / rms));
  REQUIRE(y[0][1].item<float>() == Approx(2.0 * 4.0 / rms));
}

TEST_CASE("rotary uses the rotate-half layout", "[model]") {
  Rotary rot(4, 16, 10000.0);
  auto x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({1, 1, 1, 4});  // [B, H, T, D]
  auto pos = torch::tensor({{5}}, torch::kInt64);
  auto [c, s] = rot.tables(pos, x);
  auto y = Rotary::apply(x, c, s);
  // pairs (x0, x2) with freq 1 and (x1, x3) with freq 10000^(-1/2) = 0.01
  double a0 = 5.0, a1 = 5.0 * 0.01;
  REQUIRE(y[0][0][0][0].item<float>() == Approx(1 * std::cos(a0) - 3 * std::sin(a0)).margin(1e-6));
  REQUIRE(y[0][0][0][2].item<float>() == Approx(3 * std::cos(a0) + 1 * std::sin(a0)).margin(1e-6));
  REQUIRE(y[0][0][0][1].item<float>() == Approx(2 * std::cos(a1) - 4 * std::sin(a1)).margin(1e-6));
  REQUIRE(y[0][0][0][3].item<float>() == Approx(4 * std::cos(a1) + 2 * std::sin(a1)).margin(1e-6));
}

TEST_CASE("grouped attention matches a hand computation", "[model]") {
  // One query, two keys, one head of size 1: scores q*k/sqrt(1).
  auto q = torch::tensor({1.0f}).view({1, 1, 1, 1});
  auto k = torch::tensor({0.0f, 1.0f}).view({1, 1, 2, 1});
  auto v = torch::tensor({10.0f, 20.0f}).view({1, 1, 2, 1});
  auto mask = torch::zeros({1, 1, 1, 2});
  double w1 = std::exp(1.0) / (1.0 + std::exp(1.0));
  REQUIRE(grouped_attention(q, k, v, mask).item<float>() == Approx(10 * (1 - w1) + 20 * w1));
  // Masking the second key leaves only the first value.
  mask[0][0][0][1] = -INFINITY;
  REQUIRE(grouped_attention(q, k, v, mask).item<float>() == Approx(10.0));
  // GQA: 2 query heads share one kv head and see the same values.
  auto q2 = torch::tensor({1.0f, -1.0f}).view({1, 2, 1, 1});
  auto out = grouped_attention(q2, k, v, torch::zeros({1, 1, 1, 2}));
  double w2 = std::exp(-1.0) / (1.0 + std::exp(-1.0));
  REQUIRE(out[0][0][0][0].item<float>() == Approx(10 * (1 - w1) + 20 * w1));
  REQUIRE(out[0][1][0][0].item<float>() == Approx(10 * (1 - w2) + 20 * w2));
}

namespace {
using W = std::map<std::string, torch::Tensor>;

// Llama forward written directly from the Hugging Face formulas, in float64, one position at a time.
torch::Tensor reference_logits(const W& w, const config::ModelConfig& c, const std::vector<int64_t>& tokens) {
  auto get = [&](const std::string& n) { return w.at(n).to(torch::kFloat64); };
  int64_t t = tokens.size(), h = c.num_attention_heads, kvh = c.kv_heads(), d = c.head_size(), rep = h / kvh;
  auto rms = [&](const torch::Tensor& x, const torch::Tensor& g) {
    return x / torch::sqrt(x.pow(2).mean(-1, true) + c.rms_norm_eps) * g;
  };
  auto rope = [&](torch::Tensor v, int64_t pos) {  // v [heads, d]
    auto out = v.clone();
    for (int64_t i = 0; i < d / 2; ++i) {
      double ang = pos * std::pow(c.rope_theta, -2.0 * i / d);
      auto a = v.select(1, i), b = v.select(1, i + d / 2);
      out.select(1, i).copy_(a * std::cos(ang) - b * std::sin(ang));
      out.select(1, i + d / 2).copy_(b * std::cos(ang) + a * std::sin(ang));
    }
    return out;
  };
  auto x = get("model.embed_tokens.weight").index_select(0, torch::tensor(tokens));  // [T, H]
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    std::string p = "model.layers." + std::to_string(l) + ".";
    auto hn = rms(x, get(p + "input_layernorm.weight"));
    auto q = torch::matmul(hn, get(p + "self_attn.q_proj.weight").t());
    auto k = torch::matmul(hn, get(p + "self_attn.k_proj.weight").t());
    auto v = torch::matmul(hn, get(p + "self_attn.v_proj.weight").t());
    if (c.qkv_bias) {
      q = q + get(p + "self_attn.q_proj.bias");
      k = k + get(p + "self_attn.k_proj.bias");
      v = v + get(p + "self_attn.v_proj.bias");
    }
    std::vector<torch::Tensor> qs, ks, vs;
    for (int64_t i = 0; i < t; ++i) {
      qs.push_back(rope(q[i].view({h, d}), i));
      ks.push_back(rope(k[i].view({kvh, d}), i));
      vs.push_back(v[i].view({kvh, d}));
    }
    auto attn = torch::zeros({t, h * d}, torch::kFloat64);
    for (int64_t i = 0; i < t; ++i) {
      for (int64_t head = 0; head < h; ++head) {
        int64_t g = head / rep;
        std::vector<double> scores;
        for (int64_t j = 0; j <= i; ++j)
          scores.push_back((qs[i][head] * ks[j][g]).sum().item<double>() / std::sqrt(double(d)));
        double mx = *std::max_element(scores.begin(), scores.end()), z = 0;
        for (auto& s : scores) z += (s = std::exp(s - mx));
        auto acc = torch::zeros({d}, torch::kFloat64);
        for (int64_t j = 0; j <= i; ++j) acc += vs[j][g] * (scores[j] / z);
        attn[i].narrow(0, head * d, d).copy_(acc);
      }
    }
    x = x + torch::matmul(attn, get(p + "self_attn.o_proj.weight").t());
    auto hm = rms(x, get(p + "post_attention_layernorm.weight"));
    auto gate = torch::matmul(hm, get(p + "mlp.gate_proj.weight").t());
    auto up = torch::matmul(hm, get(p + "mlp.up_proj.weight").t());
    x = x + torch::matmul(gate * torch::sigmoid(gate) * up, get(p + "mlp.down_proj.weight").t());
  }
  x = rms(x, get("model.norm.weight"));
  auto head = c.tie_word_embeddings ? get("model.embed_tokens.weight") : get("lm_head.weight");
  return torch::matmul(x, head.t());
}

W random_hf_weights(const config::ModelConfig& c, int64_t vocab, uint64_t seed) {
  Transformer m(c, vocab);
  m->init_weights(seed);
  W w;
  auto gen = at::detail::createCPUGenerator(seed + 1);
  for (auto& [name, t] : m->named_weights()) {
    // Non-trivial norms and biases too, so a layout mistake cannot hide.
    w[name] = name.find("norm") != std::string::npos ? 1.0 + 0.1 * at::normal(0, 1, t.sizes(), gen)
                                                      : 0.2 * at::normal(0, 1, t.sizes(), gen);
  }
  return w;
}
}  // namespace

TEST_CASE("r1 reproduces the HF-formula reference forward from HF-named weights", "[model]") {
  for (bool qkv_bias : {false, true}) {
    for (bool tied : {true, false}) {
      auto c = test::micro_model_config();
      c.qkv_bias = qkv_bias;
      c.tie_word_embeddings = tied;
      int64_t vocab = 40;
      W w = random_hf_weights(c, vocab, 7);
      Transformer m(c, vocab);
      m->load_weights(w, "test");
      std::vector<int64_t> toks = {3, 17, 5, 39, 0, 22, 8};
      auto got = m->forward(torch::tensor(toks).view({1, -1}))[0].to(torch::kFloat64);
      auto want = reference_logits(w, c, toks);
      REQUIRE((got - want).abs().max().item<double>() < 1e-4);
    }
  }
}

TEST_CASE("full forward equals step-by-step KV-cache forward", "[model]") {
  auto c = test::micro_model_config();
  Transformer m(c, 50);
  m->init_weights(3);
  torch::NoGradGuard ng;
  auto toks = torch::tensor(std::vector<int64_t>{1, 4, 9, 16, 25, 36, 49, 2, 7}).view({1, -1});
  auto full = m->forward(toks)[0];  // [T, V]
  auto cache = m->make_cache(1, 16);
  auto valid = torch::ones({1, 16}, torch::kBool);
  for (int64_t i = 0; i < toks.size(1); ++i) {
    auto mask = padded_causal_mask(valid.narrow(1, 0, i + 1), i);
    auto h = m->hidden(toks.narrow(1, i, 1), torch::tensor({{i}}), mask, &cache);
    auto step = m->logits(h)[0][0];
    REQUIRE((step - full[i]).abs().max().item<float>() < 1e-5);
  }
}

TEST_CASE("packed rows equal separate rows", "[model]") {
  auto c = test::micro_model_config();
  Transformer m(c, 50);
  m->init_weights(5);
  torch::NoGradGuard ng;
  auto a = torch::tensor(std::vector<int64_t>{1, 2, 3, 4}).view({1, -1});
  auto b = torch::tensor(std::vector<int64_t>{5, 6, 7}).view({1, -1});
  auto packed = torch::cat({a, b}, 1);
  auto seg = torch::tensor(std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1}).view({1, -1});
  auto h = m->hidden(packed, packed_positions(seg), packed_causal_mask(seg));
  auto lp = m->logits(h)[0];
  REQUIRE((lp.narrow(0, 0, 4) - m->forward(a)[0]).abs().max().item<float>() < 1e-5);
  REQUIRE((lp.narrow(0, 4, 3) - m->forward(b)[0]).abs().max().item<float>() < 1e-5);
}

TEST_CASE("token_logprobs equals log_softmax of full logits", "[model]") {
  auto c = test::micro_model_config();
  Transformer m(c, 50);
  m->init_weights(9);
  auto toks = torch::tensor(std::vector<int64_t>{1, 4, 9, 16, 25}).view({1, -1});
  auto h = causal_hidden(*m, toks);
  auto targets = torch::tensor(std::vector<int64_t>{4, 9, 16, 25, 3}).view({1, -1});
  auto got = token_logprobs(*m, h, targets, 0.7, true);
  auto want = torch::log_softmax(m->logits(h) / 0.7, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
  REQUIRE((got.logprobs - want).abs().max().item<float>() < 1e-5);
  REQUIRE(got.entropy.min().item<float>() > 0);
}

TEST_CASE("load_weights names the problem", "[model]") {
  auto c = test::micro_model_config();
  Transformer m(c, 50);
  auto w = m->named_weights();
  w.erase("model.norm.weight");
  w["model.layers.0.mlp.up_proj.weight"] = torch::zeros({3, 3});
  w["model.extra.weight"] = torch::zeros({1});
  REQUIRE_THROWS_WITH(m->load_weights(w, "ckpt/model.safetensors"),
                      Catch::Contains("ckpt/model.safetensors: weights do not fit the model config") &&
                          Catch::Contains("missing tensor model.norm.weight") &&
                          Catch::Contains("tensor model.layers.0.mlp.up_proj.weight has shape [3, 3]") &&
                          Catch::Contains("unexpected tensor model.extra.weight"));
}
