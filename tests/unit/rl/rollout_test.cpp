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
