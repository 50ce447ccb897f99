// The sampler's fused decode path gives the same samples as the module forward, finished rows may drop out of
// the decode batch without changing anyone's sample, and stop_at_eos = false runs every row to the limit.
#include <catch2/catch.hpp>

#include "sampling_fixtures.h"

using namespace r1;

TEST_CASE("fused decoding samples what the module forward samples", "[bench][generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(31);
  generate::Sampler sampler(*m, tok);
  auto ps = test::mixed_length_prompts(tok);
  std::vector<uint64_t> seeds = {1, 2, 3, 4};
  struct Setting {
    bool cache;
    config::KvCacheDtype kv_cache_dtype;
  };
  for (double temperature : {0.0, 1.0}) {
    for (auto [cache, kv_dtype] : {Setting{true, config::KvCacheDtype::kAuto}, Setting{false, config::KvCacheDtype::kAuto},
                                    Setting{true, config::KvCacheDtype::kBfloat16}}) {
      config::SamplingConfig cfg;
      cfg.temperature = temperature;
      cfg.max_new_tokens = 14;
      cfg.stop = {};
      cfg.kv_cache_dtype = kv_dtype;
      generate::GenerateOptions fused, module;
      fused.use_cache = module.use_cache = cache;
      module.fused = false;
      auto a = sampler.generate(ps, cfg, seeds, fused);
      auto b = sampler.generate(ps, cfg, seeds, module);
      INFO("temperature " << temperature << ", cache " << cache << ", kv_cache_dtype " << config::enum_name(kv_dtype));
      for (size_t i = 0; i < ps.size(); ++i) {
        REQUIRE(a[i].tokens == b[i].tokens);
        for (size_t j = 0; j < a[i].logprobs.size(); ++j)
          REQUIRE(a[i].logprobs[j] == Approx(b[i].logprobs[j]).margin(1e-4));
      }
    }
  }
}

TEST_CASE("stop_at_eos = false runs every row to max_new_tokens", "[bench][generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto c = test::micro_model_config();
  c.tie_word_embeddings = false;
  model::Transformer m(c, tok.vocab_size());
  {
    // A model whose every next token is EOS: the layers add nothing to the residual stream, every embedding is
    // all ones, and only the EOS row of the head is non-zero (and positive against it).
    torch::NoGradGuard ng;
    for (auto& item : m->named_parameters()) {
      const auto& name = item.key();
      if (name.find("o_proj") != std::string::npos || name.find("down_proj") != std::string::npos ||
          name == "lm_head.weight")
        item.value().zero_();
    }
    m->model->embed_tokens->weight.fill_(1.0);
    m->lm_head->weight[tok.eos_id()].fill_(1.0);
  }
  generate::Sampler sampler(*m, tok);
  config::SamplingConfig cfg;
  cfg.temperature = 0.0;
  cfg.max_new_tokens = 9;
  cfg.stop = {};
  auto ps = test::mixed_length_prompts(tok);
  auto normal = sampler.generate(ps, cfg, {1, 2, 3, 4});
  bool some_eos = false;
  for (const auto& c : normal) some_eos = some_eos || c.finish == generate::FinishReason::kEos;
  REQUIRE(some_eos);
  generate::GenerateOptions opts;
  opts.stop_at_eos = false;
  auto full = sampler.generate(ps, cfg, {1, 2, 3, 4}, opts);
  for (const auto& c : full) {
    REQUIRE(c.tokens.size() == 9);
    REQUIRE(c.finish == generate::FinishReason::kLength);
  }
}

TEST_CASE("finished rows leave the decode batch without changing anyone's sample", "[bench][generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(33);
  generate::Sampler sampler(*m, tok);
  auto base = test::mixed_length_prompts(tok);
  std::vector<std::vector<int>> ps;
  std::vector<uint64_t> seeds;
  for (int i = 0; i < 16; ++i) {
    ps.push_back(base[i % base.size()]);
    seeds.push_back(100 + i);
  }
  config::SamplingConfig cfg;
  cfg.temperature = 1.0;
  cfg.max_new_tokens = 24;
  cfg.stop = {"e", "a"};  // frequent letters: rows stop at different steps
  for (bool cache : {true, false}) {
    generate::GenerateOptions keep, drop;
    keep.drop_finished = false;
    keep.use_cache = drop.use_cache = cache;
    auto a = sampler.generate(ps, cfg, seeds, keep);
    const auto kept = sampler.last_stats();
    auto b = sampler.generate(ps, cfg, seeds, drop);
    const auto dropped = sampler.last_stats();
    size_t early = 0, full = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
      INFO("row " << i);
      REQUIRE(a[i].tokens == b[i].tokens);
      REQUIRE(a[i].text == b[i].text);
      REQUIRE(a[i].finish == b[i].finish);
      for (size_t j = 0; j < a[i].logprobs.size(); ++j)
        REQUIRE(a[i].logprobs[j] == Approx(b[i].logprobs[j]).margin(1e-4));
      early += a[i].tokens.size() < 6 ? 1 : 0;
      full += a[i].tokens.size() > 12 ? 1 : 0;
    }
    // The case exercises dropping: some rows end early while others run on, and the decode batch fed fewer rows
    // than without dropping (so at some step a quarter of the batch had finished and left it).
    INFO("rows ending within 5 tokens: " << early << ", running past 12: " << full);
    REQUIRE(early >= 1);
    REQUIRE(full >= 1);
    REQUIRE(kept.decode_steps == dropped.decode_steps);
    REQUIRE(kept.decode_rows == static_cast<int64_t>(ps.size()) * (kept.decode_steps - 1));
    REQUIRE(dropped.decode_rows < kept.decode_rows);
  }
}
