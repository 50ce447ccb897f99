// Rollout wiring: the policy batch lines completions up so that the training forward recomputes exactly the
// log-probs the sampler drew them with (same tokens, same temperature), groups stay together, masks cover the
// completion only.
#include <catch2/catch.hpp>

#include "../../support/test_support.h"
#include "r1/generate/sampler.h"
#include "r1/rl/rollout.h"

using namespace r1;

namespace {
model::Transformer peaky_model(std::uint64_t seed) {
  model::Transformer m(test::micro_model_config(), test::tiny_tokenizer().vocab_size());
  m->init_weights(seed);
  torch::NoGradGuard ng;
  for (auto& p : m->parameters()) p.mul_(3.0);  // peaky enough for varied completions
  return m;
}

std::vector<PromptExample> two_prompts() {
  PromptExample a, b;
  a.id = "a", a.task = "arithmetic", a.question = "What is 12 + 7?", a.answer = "19";
  b.id = "b", b.task = "arithmetic", b.question = "primero", b.answer = "3";
  return {a, b};
}
}  // namespace

TEST_CASE("training log-probs of a rollout equal the sampler's, row by row and token by token", "[grpo]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = peaky_model(5);
  m->eval();
  generate::Sampler sampler(*m, tok);
  RewardSet rewards({config::RewardSpec{"accuracy", 1.0, "", "prompt", 0, 0}});
  for (double temperature : {1.0, 0.7}) {
    config::SamplingConfig cfg;
    cfg.temperature = temperature;
    cfg.max_new_tokens = 10;
    cfg.stop = {};
    auto rollout = rl::collect_rollout(sampler, tok, two_prompts(), PromptRenderer("chat", tok), cfg, /*group_size=*/3, 99);
    rl::score_rollout(rollout, rewards);
    REQUIRE(rollout.samples.size() == 6);
    for (size_t i = 0; i < 6; ++i) REQUIRE(rollout.samples[i].prompt_index == i / 3);

    std::vector<size_t> rows = {4, 0, 5, 2};  // any order, any subset
    auto batch = rl::make_policy_batch(rollout, rows, /*mask_truncated=*/false, tok.pad_id(), torch::kCPU);
    torch::NoGradGuard ng;
    auto lp = rl::completion_logprobs(*m, batch, temperature, nullptr);  // [4, C]
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& c = rollout.samples[rows[i]].completion;
      REQUIRE(!c.tokens.empty());
      for (size_t j = 0; j < c.tokens.size(); ++j) {
        REQUIRE(batch.mask[i][j].item<float>() == 1.0f);
        REQUIRE(lp[i][j].item<double>() == Approx(c.logprobs[j]).margin(2e-4));
      }
      for (int64_t j = static_cast<int64_t>(c.tokens.size()); j < batch.mask.size(1); ++j)
        REQUIRE(batch.mask[i][j].item<float>() == 0.0f);
    }
  }
}

TEST_CASE("a packed policy batch gives the padded batch's log-probs, entropies and gradients", "[grpo]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = peaky_model(7);
  m->eval();  // no dropout either way; gradients still flow
  generate::Sampler sampler(*m, tok);
  config::SamplingConfig cfg;
  cfg.max_new_tokens = 40;
  cfg.stop = {};
  auto rollout = rl::collect_rollout(sampler, tok, two_prompts(), PromptRenderer("chat", tok), cfg, 4, 3);
  // Completions of different lengths (1 .. 40 tokens), as a real batch has them.
  for (size_t i = 0; i < rollout.samples.size(); ++i) {
    auto& c = rollout.samples[i].completion;
    const size_t keep = std::min(c.tokens.size(), 1 + (i * 13) % 40);
    c.tokens.resize(keep);
    c.logprobs.resize(keep);
  }
  const std::vector<size_t> rows = {6, 1, 3, 0, 7, 2, 5, 4};
  auto padded = rl::make_policy_batch(rollout, rows, false, tok.pad_id(), torch::kCPU, /*pack=*/false);
  auto packed = rl::make_policy_batch(rollout, rows, false, tok.pad_id(), torch::kCPU, /*pack=*/true);
  REQUIRE(!padded.packed());
  REQUIRE(packed.packed());
  REQUIRE(packed.tokens.size(1) == padded.tokens.size(1));  // rows as long as the longest sequence
  REQUIRE(packed.tokens.size(0) < padded.tokens.size(0));   // ... and fewer of them
  REQUIRE(packed.tokens.ne(tok.pad_id()).sum().item<int64_t>() == padded.tokens.ne(tok.pad_id()).sum().item<int64_t>());
  REQUIRE(torch::equal(packed.targets, padded.targets));
  REQUIRE(torch::equal(packed.mask, padded.mask));
  REQUIRE(torch::equal(packed.sampler_logp, padded.sampler_logp));
  REQUIRE(packed.active_tokens == padded.active_tokens);

  auto pass = [&](const rl::PolicyBatch& b, torch::Tensor& entropy) {
    m->zero_grad();
    auto lp = rl::completion_logprobs(*m, b, 0.8, &entropy);  // [n, C]
    auto weights = torch::linspace(-1.0, 1.0, lp.size(0)).unsqueeze(1);
    (lp * b.mask * weights).sum().backward();
    std::vector<torch::Tensor> grads;
    for (auto& p : m->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(lp.detach(), grads);
  };
  torch::Tensor ent_padded, ent_packed;
  auto [lp_padded, g_padded] = pass(padded, ent_padded);
  auto [lp_packed, g_packed] = pass(packed, ent_packed);
  const auto on = padded.mask.to(torch::kBool);
  const double lp_diff = (lp_packed - lp_padded).masked_select(on).abs().max().item<double>();
  const double ent_diff = (ent_packed - ent_padded).masked_select(on).abs().max().item<double>();
  INFO("max |log-prob difference| " << lp_diff << ", entropy " << ent_diff);
  REQUIRE(lp_diff <= 1e-5);
  REQUIRE(ent_diff <= 1e-5);
  REQUIRE(lp_padded.masked_select(on).abs().min().item<double>() > 0);  // the comparison is not of zeros
  for (size_t i = 0; i < g_padded.size(); ++i) {
    const double scale = g_padded[i].abs().max().item<double>();
    REQUIRE(scale > 0);
    REQUIRE((g_packed[i] - g_padded[i]).abs().max().item<double>() <= 1e-4 * scale + 1e-7);
  }
}
