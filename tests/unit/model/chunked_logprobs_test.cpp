// Chunked target log-probs: the same values, entropies and gradients as log_softmax over the whole [N, V] logits,
// whatever the chunk of tokens and the tile of the vocabulary; and token_logprobs switches to them past its logits
// budget without changing results.
#include <catch2/catch.hpp>

#include "../../support/test_support.h"
#include "r1/model/chunked_logprobs.h"
#include "r1/model/logprobs.h"

using namespace r1;

namespace {
double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }
}  // namespace

TEST_CASE("chunked log-probs equal the whole-logits computation in value entropy and gradient", "[model]") {
  auto gen = at::detail::createCPUGenerator(17);
  const int64_t n = 37, h = 16, v = 50;
  auto hidden0 = at::normal(0, 1, {n, h}, gen), weight0 = at::normal(0, 0.5, {v, h}, gen);
  auto targets = at::randint(0, v, {n}, gen);
  auto upstream = at::normal(0, 1, {n}, gen);
  const double temperature = 0.7;
  // Reference: autograd through the full logits.
  auto hr = hidden0.clone().requires_grad_(true), wr = weight0.clone().requires_grad_(true);
  auto logp_full = torch::log_softmax(torch::mm(hr, wr.t()) / temperature, -1);
  auto lp_ref = logp_full.gather(1, targets.unsqueeze(1)).squeeze(1);
  auto ent_ref = -(logp_full.exp() * logp_full).sum(-1).detach();
  (lp_ref * upstream).sum().backward();
  // Chunks of tokens against the whole vocabulary and against tiles of it (7 columns: 8 tiles, the last of 1).
  const std::vector<model::LogitsBlock> blocks = {{1, v}, {8, v}, {36, v}, {37, v}, {100, v}, {5, 7}, {37, 7}, {1, 1},
                                                  {100, 49}, {3, 64}};
  for (const auto& block : blocks) {
    INFO("block " << block.rows << " x " << block.cols);
    auto hc = hidden0.clone().requires_grad_(true), wc = weight0.clone().requires_grad_(true);
    auto out = model::chunked_token_logprobs(hc, wc, targets, temperature, block, /*with_entropy=*/true);
    REQUIRE(out.logprobs.sizes() == lp_ref.sizes());
    REQUIRE_FALSE(out.entropy.requires_grad());
    CHECK(max_abs(out.logprobs - lp_ref.detach()) < 1e-5);
    CHECK(max_abs(out.entropy - ent_ref) < 1e-5);
    (out.logprobs * upstream).sum().backward();
    CHECK(max_abs(hc.grad() - hr.grad()) < 1e-5 * (1 + max_abs(hr.grad())));
    CHECK(max_abs(wc.grad() - wr.grad()) < 1e-5 * (1 + max_abs(wr.grad())));
  }
  // Gradients are not trivially zero, and a wrong target moves the value.
  REQUIRE(max_abs(hr.grad()) > 1e-3);
  auto shifted = model::chunked_token_logprobs(hidden0, weight0, (targets + 1) % v, temperature, {8, 7}, false);
  REQUIRE(max_abs(shifted.logprobs - lp_ref.detach()) > 1e-2);
}

TEST_CASE("token_logprobs past its logits budget gives the same log-probs and parameter gradients", "[model]") {
  model::Transformer m(test::micro_model_config(), test::tiny_tokenizer().vocab_size());
  m->init_weights(9);
  auto gen = at::detail::createCPUGenerator(2);
  auto tokens = at::randint(0, m->vocab_size(), {3, 20}, gen);
  auto targets = at::randint(0, m->vocab_size(), {3, 20}, gen);
  auto weights = at::normal(0, 1, {3, 20}, gen);
  for (auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    INFO("compute dtype " << c10::toString(dtype));
    m->set_compute_dtype(dtype);
    auto pass = [&](int64_t budget, torch::Tensor* entropy) {
      m->zero_grad();
      auto hidden = model::causal_hidden(*m, tokens);
      auto out = model::token_logprobs(*m, hidden, targets, 0.9, true, budget);
      (out.logprobs * weights).sum().backward();
      *entropy = out.entropy;
      std::vector<torch::Tensor> grads;
      for (const auto& p : m->parameters()) grads.push_back(p.grad().clone());
      return std::make_pair(out.logprobs.detach(), grads);
    };
    torch::Tensor e_whole, e_chunked;
    auto whole = pass(int64_t{1} << 24, &e_whole);
    // A budget of 7 tokens' logits: 60 tokens in 9 chunks.
    auto chunked = pass(7 * m->vocab_size(), &e_chunked);
    const double tol = dtype == torch::kFloat32 ? 1e-5 : 2e-2;
    CHECK(max_abs(chunked.first - whole.first) < tol);
    CHECK(max_abs(e_chunked - e_whole) < tol);
    for (size_t i = 0; i < whole.second.size(); ++i) {
      INFO("parameter " << i);
      const double scale = max_abs(whole.second[i]);
      REQUIRE(scale > 0);
      CHECK(max_abs(chunked.second[i] - whole.second[i]) < tol * scale + 1e-7);
    }
  }
}

TEST_CASE("chunked log-probs after an inference-mode pass with a wide vocabulary keep values entropy and gradient",
          "[model]") {
  // V = 40,000: the entropy's exponentials go in blocks of 2^20 / V = 26 rows, so a 45-row chunk takes two blocks.
  // The first pass runs under InferenceMode (as GRPO's frozen log-probs do) with small chunks, the second with
  // autograd and larger chunks: both write into the thread's kept logits block, which grows between them.
  auto gen = at::detail::createCPUGenerator(23);
  const int64_t n = 45, h = 8, v = 40000;
  auto hidden0 = at::normal(0, 1, {n, h}, gen), weight0 = at::normal(0, 0.5, {v, h}, gen);
  auto targets = at::randint(0, v, {n}, gen);
  auto logp_full = torch::log_softmax(torch::mm(hidden0, weight0.t()), -1);
  auto lp_ref = logp_full.gather(1, targets.unsqueeze(1)).squeeze(1);
  auto ent_ref = -(logp_full.exp() * logp_full).sum(-1);
  torch::Tensor frozen;
  {
    c10::InferenceMode guard;
    frozen = model::chunked_token_logprobs(hidden0, weight0, targets, 1.0, {4, v}, /*with_entropy=*/true).logprobs;
  }
  CHECK(max_abs(frozen - lp_ref) < 1e-5);
  auto hc = hidden0.clone().requires_grad_(true), wc = weight0.clone().requires_grad_(true);
  auto out = model::chunked_token_logprobs(hc, wc, targets, 1.0, {n, v}, /*with_entropy=*/true);
  CHECK(max_abs(out.logprobs - lp_ref) < 1e-5);
  CHECK(max_abs(out.entropy - ent_ref) < 1e-4);
  out.logprobs.sum().backward();
  auto hr = hidden0.clone().requires_grad_(true);
  torch::log_softmax(torch::mm(hr, weight0.t()), -1).gather(1, targets.unsqueeze(1)).sum().backward();
  CHECK(max_abs(hc.grad() - hr.grad()) < 1e-5 * (1 + max_abs(hr.grad())));
  REQUIRE(max_abs(hr.grad()) > 1e-3);
  // The default tile: 8192 columns, so five tiles across the vocabulary.
  const auto block = model::logits_block(v);
  REQUIRE(block.cols == 8192);
  auto tiled = model::chunked_token_logprobs(hidden0, weight0, targets, 1.0, block, /*with_entropy=*/true);
  CHECK(max_abs(tiled.logprobs - lp_ref) < 1e-5);
  CHECK(max_abs(tiled.entropy - ent_ref) < 1e-4);
}

TEST_CASE("tiled log-probs rescale their running sums when a later tile holds far larger logits", "[model]") {
  // The last five rows of the output matrix are 80x larger: their logits reach a few hundred, whose exponential
  // overflows float32 unless the sums gathered over the earlier tiles move to the new maximum.
  auto gen = at::detail::createCPUGenerator(5);
  const int64_t n = 6, h = 4, v = 20;
  auto hidden0 = at::normal(0, 1, {n, h}, gen), weight0 = at::normal(0, 0.5, {v, h}, gen);
  weight0.narrow(0, 15, 5).mul_(80);
  auto targets = at::randint(0, v, {n}, gen);
  auto hr = hidden0.clone().requires_grad_(true);
  auto logp_full = torch::log_softmax(torch::mm(hr, weight0.t()), -1);
  auto lp_ref = logp_full.gather(1, targets.unsqueeze(1)).squeeze(1);
  auto ent_ref = -(logp_full.exp() * logp_full).sum(-1).detach();
  lp_ref.sum().backward();
  REQUIRE(max_abs(torch::mm(hidden0, weight0.t())) > 100);
  for (const model::LogitsBlock& block : {model::LogitsBlock{6, 7}, model::LogitsBlock{4, 20}}) {
    INFO("block " << block.rows << " x " << block.cols);
    auto hc = hidden0.clone().requires_grad_(true);
    auto out = model::chunked_token_logprobs(hc, weight0, targets, 1.0, block, /*with_entropy=*/true);
    REQUIRE(torch::isfinite(out.logprobs).all().item<bool>());
    CHECK(max_abs(out.logprobs - lp_ref.detach()) < 1e-5 * (1 + max_abs(lp_ref)));
    CHECK(max_abs(out.entropy - ent_ref) < 1e-4);
    out.logprobs.sum().backward();
    CHECK(max_abs(hc.grad() - hr.grad()) < 1e-5 * (1 + max_abs(hr.grad())));
  }
}
