// A model whose vocab_size pads its embedding beyond the tokenizer (Qwen2.5: 151,936 rows for 151,665 tokens):
// the sampler never emits a padded id, and its log-probs are over the tokenizer's ids only.
#include <catch2/catch.hpp>
#include <cmath>

#include "sampling_fixtures.h"

using namespace r1;

namespace {

// A micro model with 2 * hidden padded rows: row real + 2k is +100 e_k, row real + 2k + 1 is -100 e_k (tied
// weights, so the lm_head rows too). The final norm leaves the hidden state with RMS ~1, so some |h_k| >= 1 and
// the best padded logit is >= 100, far above every real one (~0.1): unmasked, a padded id is sampled every time.
model::Transformer padded_model(std::uint64_t seed, int64_t real) {
  const auto c = test::micro_model_config();
  const int64_t hidden = c.hidden_size;
  model::Transformer m(c, real + 2 * hidden);
  m->init_weights(seed);
  torch::NoGradGuard no_grad;
  auto rows = m->model->embed_tokens->weight.narrow(0, real, 2 * hidden);
  rows.zero_();
  for (int64_t k = 0; k < hidden; ++k) {
    rows[2 * k][k].fill_(100.0);
    rows[2 * k + 1][k].fill_(-100.0);
  }
  return m;
}

// Next-token logits [V] after `prompt`, by the plain module forward.
torch::Tensor next_logits(model::TransformerImpl& m, const std::vector<int>& prompt) {
  torch::NoGradGuard no_grad;
  auto ids = torch::tensor(std::vector<int64_t>(prompt.begin(), prompt.end()), torch::kInt64).unsqueeze(0);
  return m.forward(ids)[0][-1].to(torch::kFloat32);
}

config::SamplingConfig sampling(double temperature, int top_k, double top_p) {
  config::SamplingConfig cfg;
  cfg.temperature = temperature;
  cfg.top_k = top_k;
  cfg.top_p = top_p;
  cfg.max_new_tokens = 12;
  cfg.stop = {};
  return cfg;
}

}  // namespace

TEST_CASE("padded vocabulary rows are never sampled even when their logits dominate", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  const int64_t real = tok.vocab_size();
  auto m = padded_model(31, real);
  REQUIRE(m->vocab_size() > real);
  const auto prompts = test::mixed_length_prompts(tok);
  for (const auto& p : prompts) REQUIRE(next_logits(*m, p).argmax().item<int64_t>() >= real);  // the setup holds

  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  for (int copy = 0; copy < 6; ++copy)
    for (const auto& p : prompts) {
      rows.push_back(p);
      seeds.push_back(1000 + seeds.size());
    }
  generate::Sampler sampler(*m, tok);
  for (const auto& cfg : {sampling(1.0, 0, 1.0), sampling(0.0, 0, 1.0), sampling(1.5, 5, 1.0),
                          sampling(0.7, 0, 0.9)}) {
    for (bool use_cache : {true, false}) {
      INFO("temperature " << cfg.temperature << " top_k " << cfg.top_k << " top_p " << cfg.top_p << " cache "
                          << use_cache);
      const auto out = sampler.generate(rows, cfg, seeds, use_cache);
      for (const auto& c : out) {
        REQUIRE_FALSE(c.tokens.empty());
        for (size_t j = 0; j < c.tokens.size(); ++j) {
          REQUIRE(c.tokens[j] >= 0);
          REQUIRE(c.tokens[j] < real);
          REQUIRE(std::isfinite(c.logprobs[j]));
        }
      }
    }
  }
}

TEST_CASE("sampler log-probs of a padded-vocabulary model are a log-softmax over the real ids", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  const int64_t real = tok.vocab_size();
  auto m = padded_model(32, real);
  const auto prompt = test::mixed_length_prompts(tok)[0];
  const double temperature = 0.7;
  auto cfg = sampling(temperature, 0, 1.0);
  cfg.max_new_tokens = 1;
  generate::Sampler sampler(*m, tok);
  const auto logits = next_logits(*m, prompt);
  const auto expected = torch::log_softmax(logits.narrow(0, 0, real) / temperature, 0);
  const auto unmasked = torch::log_softmax(logits / temperature, 0);
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    const auto out = sampler.generate({prompt}, cfg, {seed});
    REQUIRE(out[0].tokens.size() == 1);
    const int id = out[0].tokens[0];
    REQUIRE(id < real);
    INFO("seed " << seed << " id " << id);
    CHECK(out[0].logprobs[0] == Approx(expected[id].item<float>()).margin(1e-4));
    CHECK(unmasked[id].item<float>() < -50.0f);  // what an unmasked log-softmax would have reported
  }
}
