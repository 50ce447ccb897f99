// The peak-memory model of stages (issue 28, item 4): its parts grow with the settings that drive them, absurd
// settings give huge but finite numbers, and the preflight refuses what cannot fit, naming the knob.
#include <catch2/catch.hpp>

#include <fstream>
#include <limits>

#include "r1/config/recipe.h"
#include "r1/io/hf_config.h"
#include "r1/stages/memory_estimate.h"
#include "r1/stages/preflight.h"
#include "../../support/recipe_problems.h"
#include "../../support/test_support.h"

using namespace r1;
using stages::ModelShape;

namespace {
ModelShape tiny_shape() {
  ModelShape m;
  m.config = test::micro_model_config();
  m.vocab = 400;
  return m;
}

// A two-stage recipe on an inline micro model: pretrain, then train-zero; `extra` is appended to the zero stage.
std::string recipe_text(const std::string& zero_extra, const std::string& run_extra = "") {
  return "run_dir: " + test::temp_dir("preflight_recipe") + "/run\n" + run_extra +
         "eval: {prompts: {task: arithmetic, levels: [1], n: 8, split: eval, template: chat}, samples: 2,\n"
         "       sampling: {max_new_tokens: 24}}\n"
         "stages:\n"
         "  - {name: base, kind: pretrain, tokenizer: {vocab_size: 400}, corpus: {n_docs: 100, levels: [1]},\n"
         "     model: {hidden_size: 48, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4,\n"
         "             num_key_value_heads: 2, max_position_embeddings: 192},\n"
         "     steps: 2, batch_size: 4, seq_len: 64}\n"
         "  - {name: zero, kind: train-zero, init: base, prompts: {n: 16, template: chat},\n"
         "     sampling: {max_new_tokens: 24}" +
         zero_extra + "}\n";
}

// `text` with the first `from` replaced by `to`.
std::string with(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

stages::PreflightReport check(const std::string& text, const std::string& limit = "4GiB") {
  config::Recipe recipe = config::parse_recipe(config::load_yaml_string(text, "x.yaml"), "x.yaml");
  return stages::preflight(recipe, stages::preflight_options(limit));
}

std::string all(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}
}  // namespace

TEST_CASE("generation memory is linear in rows, its KV cache follows the model's shape", "[stages][memory]") {
  const ModelShape m = tiny_shape();
  const auto one = stages::generation_bytes(m, 1, 40, 24);
  CHECK(stages::generation_bytes(m, 10, 40, 24) == 10 * one);
  // KV cache per row: layers x (k + v) x kv heads x head size x (prompt + new tokens) x 4 bytes, within one row.
  const std::int64_t kv = 2 * 2 * 2 * 8 * (40 + 24) * 4;
  CHECK(one > kv);
  // A longer completion budget adds exactly its cache (and not more): capped by max_position_embeddings.
  CHECK(stages::generation_bytes(m, 1, 40, 34) - one == 2 * 2 * 2 * 8 * 10 * 4);
  const auto capped_a = stages::generation_bytes(m, 1, 300, 24), capped_b = stages::generation_bytes(m, 1, 300, 100);
  CHECK(capped_b < capped_a);  // same 128-position cache; a shorter prompt part of it (128 - 100 vs 128 - 24)
  // Rows that share a prompt (GRPO's group) share its prefill: 64 rows of 8 prompts hold 64 caches, plus the 8
  // prompts' own caches and prefills while the rows copy them.
  const std::int64_t decode_row = 4 * 4 * 400;  // logits, probabilities, sorted values and indices of one row
  const std::int64_t prefill = one - kv - decode_row;
  REQUIRE(prefill > 0);
  CHECK(stages::generation_bytes(m, 64, 40, 24, 8) == 64 * kv + 8 * (kv + prefill) + 64 * decode_row);
  CHECK(stages::generation_bytes(m, 64, 40, 24, 1) == 64 * one);
  CHECK(stages::generation_bytes(m, 10, 40, 24, 4) == 10 * kv + 3 * (kv + prefill) + 10 * decode_row);  // 3 prompts
}

TEST_CASE("training activations are linear in rows and grow faster than linearly in sequence length",
          "[stages][memory]") {
  const ModelShape m = tiny_shape();
  const auto a = stages::training_activation_bytes(m, 4, 64, false);
  CHECK(stages::training_activation_bytes(m, 8, 64, false) == 2 * a);
  CHECK(stages::training_activation_bytes(m, 4, 128, false) > 2 * a);  // attention probabilities: seq^2
  CHECK(stages::training_activation_bytes(m, 4, 64, true) > a);        // KD adds the teacher's logits
  // Activation checkpointing keeps each layer's input instead of its activations: less, still linear in rows.
  const auto r = stages::training_activation_bytes(m, 4, 64, false, true);
  CHECK(r < a);
  CHECK(stages::training_activation_bytes(m, 8, 64, false, true) == 2 * r);
}

TEST_CASE("with a real vocabulary the estimate counts the logits the code makes: tiles and row groups",
          "[stages][memory]") {
  ModelShape m = tiny_shape();
  m.vocab = 151936;
  const double v = double(m.vocab);
  ModelShape small = m;
  small.vocab = 32;
  // Training: 16 x 300 tokens past the log-probs' whole-logits budget. Their logits are one 16 MB tile and a 4 MB
  // block of exponentials, not 3 x tokens x V floats (8.7 GB); the rest is the same as with a small vocabulary.
  const auto wide = stages::training_activation_bytes(m, 16, 300, false);
  const auto narrow = stages::training_activation_bytes(small, 16, 300, false);
  CHECK(wide - narrow < (std::int64_t{24} << 20));
  CHECK(wide - narrow > (std::int64_t{16} << 20));
  // Below the budget (100 tokens: 15M logits) the whole logits, log-softmax and gradient: 3 x 4 B a logit.
  const auto few =
      stages::training_activation_bytes(m, 1, 100, false) - stages::training_activation_bytes(small, 1, 100, false);
  CHECK(few == Approx(3 * 4 * 100 * (v - 32)).epsilon(1e-6));
  // Distillation: whole-vocabulary chunks of at most 16M logits, five arrays of them.
  CHECK(stages::training_activation_bytes(m, 16, 300, true) - narrow < 5 * 4 * (std::int64_t{1} << 24) + (8 << 20));
  // Generation: a decode step's sampler holds one group of rows (4M logits), not every row's [V] logits.
  const auto g64 = stages::generation_bytes(m, 64, 40, 24), g32 = stages::generation_bytes(m, 32, 40, 24);
  const auto s64 = stages::generation_bytes(small, 64, 40, 24), s32 = stages::generation_bytes(small, 32, 40, 24);
  CHECK(g64 - g32 == s64 - s32 - 4 * 4 * 32 * 32);  // 32 more rows: their caches, no more decode logits
  CHECK(g64 - s64 == 4 * 4 * ((std::int64_t{1} << 22) - 64 * 32));
}

TEST_CASE("absurd sizes give finite estimates far over any machine", "[stages][memory]") {
  auto r = check(recipe_text(", grpo: {group_size: 1000000000, prompts_per_step: 1000000000}"), "off");
  REQUIRE(r.problems.empty());  // off: estimated and printed, not refused
  const auto peak = r.stages.at(1).memory.peak();
  CHECK(peak > (std::int64_t{1} << 50));
  CHECK(peak < std::numeric_limits<std::int64_t>::max() / 2);
}

TEST_CASE("the preflight refuses a stage that cannot fit, naming the stage, the sizes and the knob",
          "[stages][memory][reliability]") {
  const auto ok = check(recipe_text(""));
  INFO(all(ok.problems));
  CHECK(ok.problems.empty());
  CHECK(ok.memory_checked);

  auto big_group = check(recipe_text(", grpo: {group_size: 1000000}"));
  REQUIRE(big_group.problems.size() == 1);
  const std::string& msg = big_group.problems[0];
  CHECK(msg.find("x.yaml: stages[1]: stage \"zero\" needs about ") == 0);
  CHECK(msg.find("more than the 4.00 GiB available (--memory-limit)") != std::string::npos);
  CHECK(msg.find("lower grpo.prompts_per_step, grpo.group_size") != std::string::npos);

  auto eval_samples = check(with(recipe_text(""), "samples: 2,", "samples: 1000000000,"));
  REQUIRE(!eval_samples.problems.empty());
  CHECK(eval_samples.problems[0].find("lower eval.samples") != std::string::npos);

  auto big_batch = check(with(recipe_text(""), "batch_size: 4", "batch_size: 100000000"));
  REQUIRE(!big_batch.problems.empty());
  CHECK(big_batch.problems[0].find("stage \"base\"") != std::string::npos);
  CHECK(big_batch.problems[0].find("lower batch_size or seq_len") != std::string::npos);
}

TEST_CASE("the preflight checks what a stage would fail on before its first step", "[stages][reliability]") {
  // Completion budget beyond the model's positions (the sampler would refuse the first rollout).
  auto long_gen =
      check(with(recipe_text(""), "\n     sampling: {max_new_tokens: 24}", "\n     sampling: {max_new_tokens: 500}"));
  INFO(all(long_gen.problems));
  CHECK(test::has(long_gen.problems, "x.yaml: stages[1].sampling.max_new_tokens: 500 new tokens leave no room for a "
                                     "prompt in the max_position_embeddings 192 of stage \"zero\"'s model; lower it "
                                     "below that"));
  // A prompts file that does not exist (prompts are loaded when the stage starts).
  auto missing = check(with(recipe_text(""), "prompts: {n: 16, template: chat}",
                            "prompts: {file: /nonexistent/prompts.jsonl, template: chat}"));
  REQUIRE(missing.problems.size() == 1);
  CHECK(missing.problems[0].find("x.yaml: stages[1].prompts: ") == 0);
  CHECK(missing.problems[0].find("/nonexistent/prompts.jsonl") != std::string::npos);
  // A run_dir under a file.
  const std::string file = test::temp_dir("preflight_file") + "/f";
  std::ofstream(file) << "x";
  std::string under_file = recipe_text("");
  under_file.replace(0, under_file.find('\n'), "run_dir: " + file + "/run");
  auto rd = check(under_file);
  REQUIRE(rd.problems.size() == 1);
  CHECK(rd.problems[0].find("x.yaml: run_dir: cannot create") == 0);
}

TEST_CASE("a checkpoint path's config.json is read by the preflight: its shape sizes the stage, a broken one is a "
          "problem",
          "[stages][reliability]") {
  const std::string dir = test::temp_dir("preflight_ckpt") + "/ckpt";
  test::write_fresh_checkpoint(dir, test::micro_model_config(), 3);
  std::string text = recipe_text("");
  text.replace(text.find("init: base"), 10, "init: " + dir);
  auto good = check(text);
  INFO(all(good.problems));
  CHECK(good.problems.empty());
  const auto info = load_hf_config(dir + "/config.json");
  CHECK(good.stages.at(1).params == info.config.parameter_count(info.config.vocab_size));
  std::ofstream(dir + "/config.json") << "{\"hidden_size\": ";
  auto bad = check(text);
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].find("x.yaml: stages[1].init: ") == 0);
  CHECK(bad.problems[0].find("config.json") != std::string::npos);
}
