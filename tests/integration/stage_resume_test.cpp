// Exact resume of the training stages, run as the built binary: `r1 pretrain`, `r1 train-zero` and `r1 sft`
// resumed from a mid-run checkpoint (everything after it deleted) reproduce the uninterrupted run's metrics and
// final weights bit for bit; one seed reproduces a run, another seed changes it.
#include <catch2/catch.hpp>

#include <filesystem>

#include "r1/io/jsonl.h"
#include "../support/test_support.h"

namespace {

namespace fs = std::filesystem;
using r1::test::deterministic_rows;
using r1::test::file_bytes;

const std::string kRecipe = "tests/data/micro_recipe.yaml";

std::string weights(const std::string& stage_dir) { return file_bytes(stage_dir + "/final/model.safetensors"); }

// Removes what a run wrote after the checkpoint of step `keep`: final/, DONE, eval.json, later checkpoints.
void cut_back_to(const std::string& stage_dir, int keep) {
  fs::remove_all(fs::path(stage_dir) / "final");
  fs::remove(fs::path(stage_dir) / "DONE");
  fs::remove(fs::path(stage_dir) / "eval.json");
  int kept = 0;
  for (const auto& e : fs::directory_iterator(stage_dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("checkpoint-", 0) != 0) continue;
    int step = std::stoi(name.substr(11));
    if (step > keep) fs::remove_all(e.path());
    else if (step == keep) ++kept;
  }
  REQUIRE(kept == 1);
}

void require_ok(const r1::test::CommandResult& r) {
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("r1 pretrain resumes exactly, one seed reproduces a run, another changes it", "[e2e][cli]") {
  const std::string root = r1::test::temp_dir("pretrain_resume");
  const std::string a = root + "/a", b = root + "/b", c = root + "/c";
  const std::string base = "pretrain --recipe " + kRecipe + " --stage base --set eval=false --set steps=8";
  // A: straight through, no checkpoints but the final one.
  require_ok(r1::test::run_r1_in_source(base + " --out " + a + " --set checkpoint.every=0"));
  // B: checkpoints every 2 steps (all kept).
  require_ok(r1::test::run_r1_in_source(base + " --out " + b + " --set checkpoint.every=2 --set checkpoint.keep_last=0"));
  for (const auto& d : {a, b}) {
    REQUIRE(fs::exists(d + "/DONE"));
    REQUIRE(fs::exists(d + "/final/config.json"));
    REQUIRE(fs::exists(d + "/final/trainer_state"));
  }
  REQUIRE(fs::exists(b + "/checkpoint-000004"));
  REQUIRE_FALSE(fs::exists(a + "/checkpoint-000004"));
  auto rows_a = deterministic_rows(a + "/metrics.jsonl");
  REQUIRE(rows_a.size() == 8);
  auto json_rows = r1::read_jsonl(a + "/metrics.jsonl");
  for (const char* key : {"step", "loss", "eval_loss", "tokens_per_s", "lr"}) {
    INFO(key);
    CHECK(json_rows.back().contains(key));
  }
  CHECK(json_rows.back()["loss"].get<double>() < json_rows.front()["loss"].get<double>());  // it learns
  // Same seed: the same numbers, whatever the checkpoint cadence.
  CHECK(deterministic_rows(b + "/metrics.jsonl") == rows_a);
  CHECK(weights(b) == weights(a));

  // B stopped after its step-4 checkpoint: resume gives A's rows and weights.
  cut_back_to(b, 4);
  auto resumed = r1::test::run_r1_in_source(base + " --out " + b +
                                            " --set checkpoint.every=2 --set checkpoint.keep_last=0 --resume auto");
  require_ok(resumed);
  CHECK_THAT(resumed.output, Catch::Contains("resumed from") && Catch::Contains("checkpoint-000004"));
  CHECK(fs::exists(b + "/DONE"));
  CHECK(deterministic_rows(b + "/metrics.jsonl") == rows_a);
  CHECK(weights(b) == weights(a));
  CHECK(weights(b).size() > 1000);

  // Another seed: other data order, init and tokenizer samples, so other numbers.
  require_ok(r1::test::run_r1_in_source(base + " --out " + c + " --set checkpoint.every=0 --set seed=8"));
  CHECK(deterministic_rows(c + "/metrics.jsonl") != rows_a);
  CHECK(weights(c) != weights(a));
}

TEST_CASE("r1 train-zero writes checkpoints, metrics and samples, and resumes exactly", "[e2e][cli]") {
  const std::string root = r1::test::temp_dir("grpo_resume");
  const std::string init = root + "/init", out = root + "/zero";
  r1::test::write_fresh_checkpoint(init, r1::test::micro_model_config(), 21);
  // Soft format credit gives a random policy reward differences within groups (so real updates happen).
  const std::string cmd = "train-zero --recipe " + kRecipe + " --stage zero --init " + init + " --out " + out +
                          " --set eval=false --set steps=4 --set checkpoint.every=2 --set checkpoint.keep_last=0"
                          " --set sampling.temperature=1.0"
                          " --set 'rewards=[{name: accuracy}, {name: format, mode: soft, weight: 0.5}]'";
  require_ok(r1::test::run_r1_in_source(cmd));
  REQUIRE(fs::exists(out + "/DONE"));
  REQUIRE(fs::exists(out + "/final/model.safetensors"));
  REQUIRE(fs::exists(out + "/checkpoint-000002/trainer_state"));
  REQUIRE(fs::exists(out + "/latest"));

  auto rows = r1::read_jsonl(out + "/metrics.jsonl");
  REQUIRE(rows.size() == 4);
  bool varied = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    CHECK(row["step"].get<int>() == static_cast<int>(i + 1));
    for (const char* key : {"step", "loss", "reward", "reward/accuracy", "reward/format", "accuracy", "format_rate",
                            "completion_len_mean", "completion_len_max", "truncated_frac", "clip_frac", "kl",
                            "entropy", "zero_std_frac", "rollout_s", "train_s", "tokens_per_s", "lr"}) {
      INFO("step " << i + 1 << " key " << key);
      REQUIRE(row.contains(key));
      CHECK(row[key].is_number());
    }
    CHECK(row["entropy"].get<double>() > 0);
    CHECK(row["completion_len_mean"].get<double>() > 0);
    varied = varied || row["zero_std_frac"].get<double>() < 1.0;
  }
  CHECK(varied);  // at least one group had an advantage signal
  auto samples = r1::read_jsonl(out + "/samples.jsonl");
  REQUIRE_FALSE(samples.empty());
  for (const char* key : {"step", "prompt_id", "question", "completion", "reward", "rewards", "advantage"}) {
    INFO(key);
    CHECK(samples.front().contains(key));
  }
  CHECK(samples.back()["step"].get<int>() == 4);
  CHECK(file_bytes(out + "/final/model.safetensors") != file_bytes(init + "/model.safetensors"));  // it trained

  const auto metrics = deterministic_rows(out + "/metrics.jsonl");
  const auto sample_rows = deterministic_rows(out + "/samples.jsonl");
  const auto final_weights = weights(out);
  cut_back_to(out, 2);
  auto resumed = r1::test::run_r1_in_source(cmd + " --resume auto");
  require_ok(resumed);
  CHECK_THAT(resumed.output, Catch::Contains("resumed from") && Catch::Contains("checkpoint-000002"));
  CHECK(deterministic_rows(out + "/metrics.jsonl") == metrics);
  CHECK(deterministic_rows(out + "/samples.jsonl") == sample_rows);
  CHECK(weights(out) == final_weights);

  // A finished stage is not run again.
  auto again = r1::test::run_r1_in_source(cmd);
  require_ok(again);
  CHECK_THAT(again.output, Catch::Contains("already done"));
}

TEST_CASE("r1 train-zero with GSPO + TIS + REINFORCE++ + the difficulty filter resumes exactly", "[e2e][cli]") {
  const std::string root = r1::test::temp_dir("grpo_variants_resume");
  const std::string init = root + "/init", out = root + "/zero";
  r1::test::write_fresh_checkpoint(init, r1::test::micro_model_config(), 23);
  // 12 prompts, 4 per step: the filter remembers every prompt's pass rate (its memory is in the checkpoint) and the
  // second epoch starts at step 4; the policy is never right, so every prompt stays inside the band [0, 0.5].
  const std::string cmd = "train-zero --recipe " + kRecipe + " --stage zero --init " + init + " --out " + out +
                          " --set eval=false --set steps=4 --set checkpoint.every=2 --set checkpoint.keep_last=0"
                          " --set sampling.temperature=1.0 --set prompts.n=12 --set grpo.prompts_per_step=4"
                          " --set 'prompts.filter={min_pass_rate: 0.0, max_pass_rate: 0.5, window: 2}'"
                          " --set grpo.importance_sampling=sequence --set grpo.epsilon_low=3.0e-4"
                          " --set grpo.epsilon_high=4.0e-4 --set grpo.rollout_correction=tis"
                          " --set grpo.advantage=reinforce_pp --set grpo.iterations=2"
                          " --set 'rewards=[{name: accuracy}, {name: format, mode: soft, weight: 0.5}]'";
  require_ok(r1::test::run_r1_in_source(cmd));
  auto rows = r1::read_jsonl(out + "/metrics.jsonl");
  REQUIRE(rows.size() == 4);
  for (const auto& row : rows)
    for (const char* key : {"mismatch_logp_abs_mean", "mismatch_logp_abs_max", "mismatch_kl", "tis_weight_mean",
                            "tis_capped_frac", "filter_skipped", "clip_frac"}) {
      INFO(row.dump() << " " << key);
      REQUIRE(row.contains(key));
    }
  CHECK(file_bytes(out + "/final/model.safetensors") != file_bytes(init + "/model.safetensors"));  // it trained
  const auto metrics = deterministic_rows(out + "/metrics.jsonl");
  const auto final_weights = weights(out);
  cut_back_to(out, 2);
  require_ok(r1::test::run_r1_in_source(cmd + " --resume auto"));
  CHECK(deterministic_rows(out + "/metrics.jsonl") == metrics);
  CHECK(weights(out) == final_weights);
}

TEST_CASE("r1 sft resumes exactly", "[e2e][cli]") {
  const std::string root = r1::test::temp_dir("sft_resume");
  const std::string init = root + "/init", out = root + "/sft";
  r1::test::write_fresh_checkpoint(init, r1::test::micro_model_config(), 22);
  const std::string cmd = "sft --recipe " + kRecipe + " --stage sft --init " + init +
                          " --data tests/data/sft_micro.jsonl --out " + out +
                          " --set eval=false --set epochs=2 --set checkpoint.every=2 --set checkpoint.keep_last=0";
  require_ok(r1::test::run_r1_in_source(cmd));
  REQUIRE(fs::exists(out + "/DONE"));
  auto rows = r1::read_jsonl(out + "/metrics.jsonl");
  REQUIRE(rows.size() >= 5);  // 23 training examples packed two or more per row, 4 rows per step, 2 epochs
  CHECK(rows.back().contains("eval_loss"));
  CHECK(rows.back()["loss"].get<double>() < rows.front()["loss"].get<double>());
  const auto metrics = deterministic_rows(out + "/metrics.jsonl");
  const auto final_weights = weights(out);

  cut_back_to(out, 2);
  auto resumed = r1::test::run_r1_in_source(cmd);
  require_ok(resumed);
  CHECK_THAT(resumed.output, Catch::Contains("resumed from") && Catch::Contains("checkpoint-000002"));
  CHECK(deterministic_rows(out + "/metrics.jsonl") == metrics);
  CHECK(weights(out) == final_weights);
}
