// `r1 validate` is `r1 run`'s preflight (issue 28, item 5): one mutation per field class of a recipe, and for each
// the two commands give the same verdict — both accept it, or both refuse it with exit 2 and the same first message,
// and `run` refuses before any stage starts (no stage directory is made).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../support/test_support.h"

namespace {

namespace fs = std::filesystem;
using r1::test::run_r1_in_source;

struct Mutation {
  const char* field_class;
  const char* find;     // first occurrence in tests/data/micro_recipe.yaml is replaced
  const char* replace;  // "@CKPT" becomes a checkpoint dir with a broken config.json, "@FILE" a plain file
  bool valid;
};

const Mutation kMutations[] = {
    {"eval setting (valid)", "samples: 2\n  batch_prompts", "samples: 3\n  batch_prompts", true},
    {"stage count (valid)", "steps: 3\n    samples_every", "steps: 4\n    samples_every", true},
    {"stage name", "- name: zero", "- name: \"z/e\"", false},
    {"missing model path", "init: base\n    data: cold", "init: no/such/ckpt\n    data: cold", false},
    {"broken checkpoint", "init: base\n    data: cold", "init: @CKPT\n    data: cold", false},
    {"enum", "split: eval, template: chat}", "split: eval, template: nope}", false},
    {"numeric range", "temperature: 0.6", "temperature: -1", false},
    {"group size", "group_size: 4, prompts_per_step: 2}", "group_size: 1000000, prompts_per_step: 2}", false},
    {"batch size", "batch_size: 8", "batch_size: 100000000", false},
    {"eval samples", "samples: 2\n  batch_prompts", "samples: 1000000000\n  batch_prompts", false},
    {"samples per prompt", "samples_per_prompt: 2", "samples_per_prompt: 100000000", false},
    {"generation length", "sampling: {max_new_tokens: 24}\n    grpo", "sampling: {max_new_tokens: 500}\n    grpo",
     false},
    {"device", "threads: 1", "threads: 1\ndevice: cuda:9", false},
    {"dtype (valid: bfloat16 runs on CPU too)", "threads: 1", "threads: 1\ndtype: bfloat16", true},
    {"distill inputs", "    teacher: r1\n", "", false},
    {"prompts file", "prompts: {task: arithmetic, levels: [1], n: 32, template: chat}",
     "prompts: {file: /nonexistent/prompts.jsonl, template: chat}", false},
    {"duplicate key", "seed: 7", "seed: 7\nseed: 8", false},
    {"run_dir", "run_dir: @RUN", "run_dir: @FILE/run", false},
};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string first_line(const std::string& text) {
  size_t start = text.find("error: ");
  if (start == std::string::npos) return "";
  start += 7;
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

TEST_CASE("validate and run give the same verdict for a mutation of each field class", "[reliability][preflight]") {
  const std::string root = r1::test::temp_dir("preflight_classes");
  const std::string broken_ckpt = root + "/broken";
  r1::test::write_fresh_checkpoint(broken_ckpt, r1::test::micro_model_config(), 5);
  std::ofstream(broken_ckpt + "/config.json") << "{\"hidden_size\": 32";
  std::ofstream(root + "/file") << "not a directory";
  std::ifstream in(r1::test::source_dir() + "/tests/data/micro_recipe.yaml");
  const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int n = 0;
  for (const auto& m : kMutations) {
    const std::string dir = root + "/m" + std::to_string(n++);
    fs::create_directories(dir);
    std::string text = replace_all(original, "run_dir: runs/micro", "run_dir: @RUN");
    const size_t at = text.find(m.find);
    REQUIRE(at != std::string::npos);
    text.replace(at, std::string(m.find).size(), m.replace);
    text = replace_all(replace_all(replace_all(text, "@CKPT", broken_ckpt), "@FILE", root + "/file"), "@RUN",
                       dir + "/run");
    const std::string recipe = dir + "/recipe.yaml";
    std::ofstream(recipe) << text;

    auto validate = run_r1_in_source("validate -q '" + recipe + "'");
    auto run = run_r1_in_source("run '" + recipe + "'" + (m.valid ? " --only base" : ""));
    INFO(m.field_class << "\nvalidate:\n" << validate.output << "\nrun:\n" << run.output);
    if (m.valid) {
      CHECK(validate.exit_code == 0);
      CHECK(run.exit_code == 0);
    } else {
      CHECK(validate.exit_code == 2);
      CHECK(run.exit_code == 2);
      CHECK_FALSE(fs::exists(dir + "/run/base"));  // refused before the first stage
      // The same check produced both messages: validate prints problems bare, run after "error: ". A memory
      // refusal's budget is read live (MemAvailable moves between the two commands): compare up to it.
      std::string run_first = first_line(run.output);
      run_first = run_first.substr(0, run_first.find("more than the"));
      CHECK_FALSE(run_first.empty());
      CHECK(validate.output.find(run_first) != std::string::npos);
    }
  }
}

TEST_CASE("validate prints each stage's peak-memory estimate, --memory-limit refuses or overrides",
          "[reliability][preflight]") {
  auto table = run_r1_in_source("validate recipes/r1-tiny.yaml");
  INFO(table.output);
  CHECK(table.exit_code == 0);
  for (const char* stage : {"base", "zero", "cold", "sft", "r1", "reject", "student-base", "student", "student-rl"})
    CHECK(table.output.find(std::string("\n") + stage + " ") != std::string::npos);
  CHECK(table.output.find("memory available: ") != std::string::npos);

  auto tight = run_r1_in_source("validate -q recipes/r1-tiny.yaml --memory-limit 64M");
  CHECK(tight.exit_code == 2);
  CHECK(tight.output.find("more than the 64.0 MiB available (--memory-limit)") != std::string::npos);
  auto off = run_r1_in_source("validate -q recipes/r1-tiny.yaml --memory-limit off");
  CHECK(off.exit_code == 0);
  auto bad = run_r1_in_source("validate -q recipes/r1-tiny.yaml --memory-limit lots");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("--memory-limit: expected a memory size") != std::string::npos);
}
