// `r1 run` on the micro recipe: every stage runs and is evaluated, the report is written; a re-run skips finished
// stages; an interrupted stage resumes from its checkpoint; --from re-runs a stage and everything after it;
// --only runs one stage; a changed config of a finished stage (or of its inputs) is reported, not silently used.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "r1/io/jsonl.h"
#include "../support/test_support.h"

namespace {

namespace fs = std::filesystem;
using r1::test::file_bytes;

const std::vector<std::string> kStages = {"base", "zero", "cold", "sft", "r1", "reject", "student", "check"};
const std::vector<std::string> kModelStages = {"base", "zero", "sft", "r1", "student"};

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::map<std::string, std::string> done_files(const std::string& run_dir) {
  std::map<std::string, std::string> out;
  for (const auto& s : kStages) out[s] = file_bytes(run_dir + "/" + s + "/DONE");
  return out;
}

void mark_all(const std::string& run_dir) {
  for (const auto& s : kStages) std::ofstream(run_dir + "/" + s + "/marker") << "x";
}
bool marked(const std::string& run_dir, const std::string& stage) { return fs::exists(run_dir + "/" + stage + "/marker"); }

}  // namespace

TEST_CASE("r1 run: the micro chain, skip, resume, --from, --only and changed configs", "[e2e][cli]") {
  const std::string run_dir = r1::test::temp_dir("chain") + "/run";
  const std::string run = "run tests/data/micro_recipe.yaml --set run_dir=" + run_dir;

  // ---- the whole chain ----
  auto first = r1::test::run_r1_in_source(run);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  for (const auto& s : kStages) {
    INFO("stage " << s);
    auto done = nlohmann::json::parse(file_bytes(run_dir + "/" + s + "/DONE"));
    CHECK(done.contains("config_hash"));
    CHECK(done.contains("finished_at"));
    CHECK(done["wall_s"].get<double>() >= 0);
    CHECK(fs::exists(run_dir + "/" + s + "/log.txt"));
  }
  for (const auto& s : kModelStages) {
    INFO("model stage " << s);
    REQUIRE(fs::exists(run_dir + "/" + s + "/final/model.safetensors"));
    auto eval = nlohmann::json::parse(file_bytes(run_dir + "/" + s + "/eval.json"));
    for (const char* key : {"pass@1", "maj@k", "pass@k", "k", "format_rate", "language_consistency", "mean_length",
                            "n_prompts"}) {
      INFO(key);
      CHECK(eval.contains(key));
    }
    CHECK(eval["n_prompts"].get<int>() == 8);
    CHECK(eval["k"].get<int>() == 2);
    CHECK(r1::read_jsonl(run_dir + "/" + s + "/metrics.jsonl").size() > 0);
  }
  CHECK(fs::exists(run_dir + "/check/eval.json"));
  for (const char* s : {"cold", "reject"}) CHECK(r1::read_jsonl(run_dir + "/" + s + "/data.jsonl").size() > 0);
  CHECK(fs::exists(run_dir + "/zero/samples.jsonl"));
  CHECK(fs::exists(run_dir + "/recipe.resolved.yaml"));
  CHECK(fs::exists(run_dir + "/report.md"));
  auto report = nlohmann::json::parse(file_bytes(run_dir + "/report.json"));
  CHECK(report.contains("total_wall_s"));
  for (const auto& s : kStages) {
    INFO("report stage " << s);
    REQUIRE(report["stages"].contains(s));
    CHECK(report["stages"][s].contains("kind"));
    CHECK(report["stages"][s].contains("wall_s"));
  }
  CHECK(report["stages"]["sft"]["eval"].contains("pass@1"));
  size_t svgs = 0;
  for (const auto& e : fs::directory_iterator(run_dir + "/charts")) svgs += e.path().extension() == ".svg";
  CHECK(svgs >= 1);
  CHECK_THAT(file_bytes(run_dir + "/report.md"), Catch::Contains("student"));

  // ---- a re-run skips every finished stage ----
  const auto done_before = done_files(run_dir);
  auto again = r1::test::run_r1_in_source(run);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(count_of(again.output, "skipped") == kStages.size());
  CHECK(count_of(again.output, "resumed from") == 0);
  CHECK(done_files(run_dir) == done_before);

  // ---- an interrupted stage resumes from its checkpoint (zero: 3 steps, a checkpoint at step 2) ----
  const std::string zero = run_dir + "/zero";
  REQUIRE(fs::exists(zero + "/checkpoint-000002"));
  const auto zero_weights = file_bytes(zero + "/final/model.safetensors");
  const auto zero_metrics = r1::test::deterministic_rows(zero + "/metrics.jsonl");
  fs::remove(zero + "/DONE");
  fs::remove(zero + "/eval.json");
  fs::remove_all(zero + "/final");
  auto resumed = r1::test::run_r1_in_source(run);
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains("resumed from") && Catch::Contains("checkpoint-000002"));
  CHECK(count_of(resumed.output, "skipped") == kStages.size() - 1);  // later stages read zero by name: unchanged
  CHECK(fs::exists(zero + "/DONE"));
  CHECK(fs::exists(zero + "/eval.json"));
  CHECK(file_bytes(zero + "/final/model.safetensors") == zero_weights);
  CHECK(r1::test::deterministic_rows(zero + "/metrics.jsonl") == zero_metrics);

  // ---- --from sft: sft and every later stage from scratch; earlier ones untouched ----
  mark_all(run_dir);
  const auto done_mid = done_files(run_dir);
  auto from = r1::test::run_r1_in_source(run + " --from sft");
  INFO(from.output);
  REQUIRE(from.exit_code == 0);
  for (const char* s : {"base", "zero", "cold"}) {
    INFO("kept " << s);
    CHECK(marked(run_dir, s));
    CHECK(file_bytes(run_dir + "/" + std::string(s) + "/DONE") == done_mid.at(s));
  }
  for (const char* s : {"sft", "r1", "reject", "student", "check"}) {
    INFO("re-run " << s);
    CHECK_FALSE(marked(run_dir, s));
    CHECK(fs::exists(run_dir + "/" + std::string(s) + "/DONE"));
  }
  CHECK(count_of(from.output, "skipped") == 3);
  CHECK(fs::exists(run_dir + "/sft/eval.json"));

  // ---- --only cold: just that stage, again ----
  mark_all(run_dir);
  const auto done_only = done_files(run_dir);
  auto only = r1::test::run_r1_in_source(run + " --only cold");
  INFO(only.output);
  REQUIRE(only.exit_code == 0);
  for (const auto& s : kStages) {
    INFO("stage " << s);
    if (s == "cold") {
      CHECK_FALSE(marked(run_dir, s));
      CHECK(fs::exists(run_dir + "/cold/data.jsonl"));
    } else {
      CHECK(marked(run_dir, s));
      CHECK(file_bytes(run_dir + "/" + s + "/DONE") == done_only.at(s));
    }
  }

  // ---- a changed config of a finished stage is reported, and so are the stages that read it ----
  const auto done_final = done_files(run_dir);
  auto changed = r1::test::run_r1_in_source(run + " --set stages.student.epochs=2");
  INFO(changed.output);
  REQUIRE(changed.exit_code == 0);
  CHECK_THAT(changed.output, Catch::Contains("different config") && Catch::Contains("--from student"));
  CHECK_THAT(changed.output, Catch::Contains("not re-run: student"));
  CHECK(done_files(run_dir) == done_final);
  auto upstream = r1::test::run_r1_in_source(run + " --set stages.sft.epochs=2");
  INFO(upstream.output);
  REQUIRE(upstream.exit_code == 0);
  CHECK_THAT(upstream.output, Catch::Contains("not re-run: sft, r1, reject, student, check"));
  CHECK(done_files(run_dir) == done_final);
}
