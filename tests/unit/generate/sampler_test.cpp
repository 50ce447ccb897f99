// Sampler: batched == one-by-one, seeded determinism, stop strings, cache == no cache, sampling filters, shared
// prefills of repeated prompts.
#include <catch2/catch.hpp>

#include "sampling_fixtures.h"

using namespace r1;

TEST_CASE("batched generation equals one-by-one generation", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(11);
  generate::Sampler sampler(*m, tok);
  auto ps = test::mixed_length_prompts(tok);
  std::vector<uint64_t> seeds = {1, 2, 3, 4};
  for (double temperature : {0.0, 1.0}) {
    config::SamplingConfig cfg;
    cfg.temperature = temperature;
    cfg.max_new_tokens = 12;
    cfg.stop = {};
    auto batched = sampler.generate(ps, cfg, seeds);
    for (size_t i = 0; i < ps.size(); ++i) {
      auto single = sampler.generate({ps[i]}, cfg, {seeds[i]});
      REQUIRE(single[0].tokens == batched[i].tokens);
      REQUIRE(single[0].text == batched[i].text);
      for (size_t j = 0; j < single[0].logprobs.size(); ++j)
        REQUIRE(single[0].logprobs[j] == Approx(batched[i].logprobs[j]).margin(1e-4));
    }
  }
}

TEST_CASE("same seed gives the same samples, another seed differs", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(12);
  generate::Sampler sampler(*m, tok);
  config::SamplingConfig cfg;
  cfg.max_new_tokens = 16;
  cfg.stop = {};
  auto p = test::mixed_length_prompts(tok);
  auto a = sampler.generate(p, cfg, {1, 2, 3, 4});
  auto b = sampler.generate(p, cfg, {1, 2, 3, 4});
  auto c = sampler.generate(p, cfg, {5, 6, 7, 8});
  bool any_diff = false;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].tokens == b[i].tokens);
    any_diff = any_diff || a[i].tokens != c[i].tokens;
  }
  REQUIRE(any_diff);
}

TEST_CASE("cache and no-cache decoding agree", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(13);
  generate::Sampler sampler(*m, tok);
  config::SamplingConfig cfg;
  cfg.temperature = 0.0;
  cfg.max_new_tokens = 10;
  cfg.stop = {};
  auto p = test::mixed_length_prompts(tok);
  auto a = sampler.generate(p, cfg, {1, 2, 3, 4}, true);
  auto b = sampler.generate(p, cfg, {1, 2, 3, 4}, false);
  for (size_t i = 0; i < a.size(); ++i) REQUIRE(a[i].tokens == b[i].tokens);
}

TEST_CASE("repeated prompts share one prefill and sample exactly what separate prefills sample", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(14);
  generate::Sampler sampler(*m, tok);
  // GRPO's layout (4 samples of each prompt, group-contiguous) and an interleaved one with a singleton.
  auto distinct = test::mixed_length_prompts(tok);
  std::vector<std::vector<int>> grouped, interleaved;
  for (const auto& p : distinct)
    for (int g = 0; g < 4; ++g) grouped.push_back(p);
  for (int g = 0; g < 3; ++g)
    for (size_t k = 0; k + 1 < distinct.size(); ++k) interleaved.push_back(distinct[k]);
  interleaved.push_back(distinct.back());
  for (auto kv : {config::KvCacheDtype::kAuto, config::KvCacheDtype::kBfloat16}) {
    for (const auto* rows : {&grouped, &interleaved}) {
      config::SamplingConfig cfg;
      cfg.temperature = 1.0;
      cfg.max_new_tokens = 12;
      cfg.stop = {};
      cfg.kv_cache_dtype = kv;
      std::vector<std::uint64_t> seeds;
      for (size_t i = 0; i < rows->size(); ++i) seeds.push_back(100 + i);
      generate::GenerateOptions shared, separate;
      separate.share_prefix = false;
      auto a = sampler.generate(*rows, cfg, seeds, shared);
      const auto shared_rows = sampler.last_stats().prefill_rows;
      auto b = sampler.generate(*rows, cfg, seeds, separate);
      CHECK(shared_rows == static_cast<int64_t>(distinct.size()));
      CHECK(sampler.last_stats().prefill_rows == static_cast<int64_t>(rows->size()));
      bool varied = false;
      for (size_t i = 0; i < rows->size(); ++i) {
        INFO("row " << i);
        REQUIRE(a[i].tokens == b[i].tokens);
        REQUIRE(a[i].finish == b[i].finish);
        REQUIRE(a[i].logprobs.size() == b[i].logprobs.size());
        for (size_t j = 0; j < a[i].logprobs.size(); ++j)
          REQUIRE(a[i].logprobs[j] == Approx(b[i].logprobs[j]).margin(1e-5));
        for (size_t j = 0; j < i; ++j)
          varied = varied || ((*rows)[j] == (*rows)[i] && a[j].tokens != a[i].tokens);
      }
      CHECK(varied);  // samples of one prompt differ: each row kept its own seed
    }
  }
}

TEST_CASE("stop strings end a row and are kept in the text", "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(14);
  generate::Sampler sampler(*m, tok);
  config::SamplingConfig cfg;
  cfg.max_new_tokens = 40;
  cfg.stop = {};
  auto p = test::mixed_length_prompts(tok);
  auto free_run = sampler.generate(p, cfg, {1, 2, 3, 4});
  // Use a piece the free run produced as a stop string: the stopped run must end right after it.
  std::string stop;
  for (int id : free_run[0].tokens) {
    std::string piece = tok.piece_text(id);
    if (piece.size() >= 2 && id != tok.eos_id()) {
      stop = piece;
      break;
    }
  }
  REQUIRE(!stop.empty());
  cfg.stop = {stop};
  auto stopped = sampler.generate({p[0]}, cfg, {1});
  REQUIRE(stopped[0].finish == generate::FinishReason::kStop);
  REQUIRE(stopped[0].text.find(stop) != std::string::npos);
  REQUIRE(stopped[0].tokens.size() <= free_run[0].tokens.size());
  REQUIRE(std::equal(stopped[0].tokens.begin(), stopped[0].tokens.end(), free_run[0].tokens.begin()));
}

TEST_CASE("top-k 1 is greedy and top-p keeps the nucleus", "[generate]") {
  auto logits = torch::tensor({{2.0f, 1.0f, 0.0f, -1.0f}});
  config::SamplingConfig cfg;
  cfg.temperature = 1.0;
  cfg.top_k = 1;
  for (double u : {0.0, 0.5, 0.999}) {
    auto [ids, lp] = generate::sample_next(logits, cfg, torch::tensor({u}, torch::kFloat64));
    REQUIRE(ids.item<int64_t>() == 0);
  }
  cfg.top_k = 0;
  cfg.top_p = 0.7;  // p = [0.644, 0.237, 0.087, 0.032]: nucleus {0, 1}
  for (double u : {0.0, 0.3, 0.6, 0.9, 0.999}) {
    auto [ids, lp] = generate::sample_next(logits, cfg, torch::tensor({u}, torch::kFloat64));
    REQUIRE(ids.item<int64_t>() <= 1);
    REQUIRE(lp.item<float>() == Approx(torch::log_softmax(logits, -1)[0][ids.item<int64_t>()].item<float>()));
  }
  // Inverse CDF: u below p0 picks 0, above picks 1.
  auto [a, la] = generate::sample_next(logits, cfg, torch::tensor({0.5}, torch::kFloat64));
  auto [b, lb] = generate::sample_next(logits, cfg, torch::tensor({0.9}, torch::kFloat64));
  REQUIRE(a.item<int64_t>() == 0);
  REQUIRE(b.item<int64_t>() == 1);
}

TEST_CASE("sample_next draws rows in groups within its memory budget, the same draws at any budget", "[generate]") {
  auto gen = at::detail::createCPUGenerator(9);
  auto logits = at::randn({37, 1000}, gen) * 3;  // [B, V]
  auto uniforms = at::rand({37}, gen).to(torch::kFloat64);
  config::SamplingConfig cfg;
  for (double top_p : {1.0, 0.9}) {
    for (int top_k : {0, 50}) {
      for (double temperature : {0.0, 0.7}) {
        cfg.top_p = top_p;
        cfg.top_k = top_k;
        cfg.temperature = temperature;
        INFO("top_p " << top_p << " top_k " << top_k << " temperature " << temperature);
        auto [whole_ids, whole_lp] = generate::sample_next(logits, cfg, uniforms, 37 * 1000);  // one group
        for (int64_t budget : {1, 1000, 5000, 36000}) {  // 1 row (budget below V), 1, 5 and 36 rows a group
          auto [ids, lp] = generate::sample_next(logits, cfg, uniforms, budget);
          REQUIRE(torch::equal(ids, whole_ids));
          REQUIRE(torch::equal(lp, whole_lp));
        }
      }
    }
  }
}

TEST_CASE("generate runs the LM head a group of rows at a time with the same samples at any logits budget",
          "[generate]") {
  const auto& tok = test::tiny_tokenizer();
  auto m = test::peaky_micro_model(5);
  generate::Sampler sampler(*m, tok);
  auto ps = test::mixed_length_prompts(tok);
  const auto once = ps;
  ps.insert(ps.end(), once.begin(), once.end());  // 2 rows per prompt: the shared prefill's state copies too
  std::vector<uint64_t> seeds;
  for (size_t i = 0; i < ps.size(); ++i) seeds.push_back(40 + i);
  config::SamplingConfig cfg;
  cfg.temperature = 1.0;
  cfg.top_p = 0.9;
  cfg.max_new_tokens = 10;
  cfg.stop = {};
  generate::GenerateOptions whole;  // one group: every row's logits at once
  const auto expected = sampler.generate(ps, cfg, seeds, whole);
  const int64_t v = m->vocab_size();
  for (int64_t budget : {int64_t{1}, 3 * v}) {  // one row a group, three rows a group
    INFO("budget " << budget);
    generate::GenerateOptions grouped;
    grouped.logits_budget = budget;
    const auto got = sampler.generate(ps, cfg, seeds, grouped);
    for (size_t i = 0; i < ps.size(); ++i) {
      REQUIRE(got[i].tokens == expected[i].tokens);
      REQUIRE(got[i].logprobs == expected[i].logprobs);  // the packed head: a row's logits do not depend on its group
    }
  }
}
