// `r1 generate` on a fresh model config and on a Hugging Face-layout directory (greedy tokens equal an
// in-process greedy decode of the same weights; --json carries tokens and log-probs), `r1 validate` on every
// shipped YAML file, and `r1 --help` listing the subcommands.
#include <catch2/catch.hpp>

#include <fstream>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "r1/generate/sampler.h"
#include "r1/train/model_bundle.h"
#include "../support/test_support.h"
#include "r1/util/strings.h"

namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  return out;
}

void check_completion_json(const nlohmann::json& j, int max_new) {
  REQUIRE(j.contains("tokens"));
  REQUIRE(j.contains("logprobs"));
  REQUIRE(j.contains("completion"));
  REQUIRE(j.contains("finish"));
  const auto& toks = j["tokens"];
  const auto& lps = j["logprobs"];
  REQUIRE(toks.size() >= 1);
  REQUIRE(toks.size() <= static_cast<size_t>(max_new));
  REQUIRE(lps.size() == toks.size());
  for (const auto& lp : lps) {
    CHECK(lp.get<double>() <= 1e-6);
    CHECK(std::isfinite(lp.get<double>()));
  }
}

}  // namespace

TEST_CASE("r1 generate on a fresh model config and on an HF-layout directory", "[cli]") {
  const std::string root = r1::test::temp_dir("generate");
  const std::string tok = r1::test::tiny_tokenizer_dir();

  // A model config YAML: fresh seeded weights; --json rows carry tokens and log-probs.
  auto fresh = r1::test::run_r1_in_source("generate --model configs/models/micro.yaml --tokenizer " + tok +
                                          " --prompt 'What is 3 plus 4?' --max-new-tokens 8 --seed 3 --json");
  INFO(fresh.output);
  REQUIRE(fresh.exit_code == 0);
  auto rows = json_lines(fresh.output);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["prompt"] == "What is 3 plus 4?");
  check_completion_json(rows[0], 8);
  // Same seed, same sample; the plain form prints the text.
  auto fresh2 = r1::test::run_r1_in_source("generate --model configs/models/micro.yaml --tokenizer " + tok +
                                           " --prompt 'What is 3 plus 4?' --max-new-tokens 8 --seed 3 --json");
  REQUIRE(fresh2.exit_code == 0);
  CHECK(json_lines(fresh2.output)[0]["tokens"] == rows[0]["tokens"]);
  auto no_tok = r1::test::run_r1_in_source("generate --model configs/models/micro.yaml --prompt hi");
  CHECK(no_tok.exit_code == 2);
  CHECK_THAT(no_tok.output, Catch::Contains("--tokenizer"));

  // An HF-layout directory: exactly config.json, model.safetensors and tokenizer.model.
  const std::string hf = root + "/hf";
  r1::test::write_fresh_checkpoint(hf, r1::test::micro_model_config(), 17);
  for (const auto& e : fs::directory_iterator(hf)) {
    std::string name = e.path().filename().string();
    if (name != "config.json" && name != "model.safetensors" && name != "tokenizer.model") fs::remove_all(e.path());
  }
  REQUIRE_FALSE(fs::exists(hf + "/trainer_state"));
  const int max_new = 6;
  auto out = r1::test::run_r1("generate --model " + hf + " --prompt 'What is 3 plus 4?' --greedy --json --max-new-tokens " +
                              std::to_string(max_new));
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  rows = json_lines(out.output);
  REQUIRE(rows.size() == 1);
  check_completion_json(rows[0], max_new);

  // The same weights decoded greedily in process give the same tokens and log-probs.
  auto bundle = r1::train::load_model(hf, torch::kCPU);
  bundle.model->eval();
  torch::NoGradGuard guard;
  auto ids = r1::generate::encode_prompt(bundle.tokenizer, "What is 3 plus 4?");
  std::vector<int> expect;
  std::vector<double> expect_lp;
  for (int i = 0; i < max_new; ++i) {
    std::vector<int64_t> seq(ids.begin(), ids.end());
    auto logits = bundle.model->forward(torch::tensor(seq, torch::kInt64).unsqueeze(0))[0][-1];
    int next = static_cast<int>(logits.argmax().item<int64_t>());
    expect.push_back(next);
    expect_lp.push_back(torch::log_softmax(logits, -1)[next].item<double>());
    ids.push_back(next);
    if (next == bundle.tokenizer.eos_id()) break;
  }
  auto got = rows[0]["tokens"].get<std::vector<int>>();
  CHECK(got == expect);
  auto got_lp = rows[0]["logprobs"].get<std::vector<double>>();
  REQUIRE(got_lp.size() == expect_lp.size());
  for (size_t i = 0; i < got_lp.size(); ++i) CHECK(got_lp[i] == Approx(expect_lp[i]).margin(1e-4));

  // A directory that is not a model.
  const std::string not_model = r1::test::temp_dir("not_a_model");
  std::ofstream(not_model + "/notes.txt") << "no model here\n";
  auto bad = r1::test::run_r1("generate --model " + not_model + " --prompt hi");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("no checkpoint found in " + not_model));
}

TEST_CASE("r1 validate passes on every shipped YAML file", "[cli]") {
  std::vector<std::string> files;
  for (const char* dir : {"recipes", "configs", "tests/data"}) {
    fs::path d = fs::path(r1::test::source_dir()) / dir;
    REQUIRE(fs::is_directory(d));
    for (const auto& e : fs::recursive_directory_iterator(d)) {
      auto ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
        files.push_back(fs::relative(e.path(), r1::test::source_dir()).string());
    }
  }
  std::sort(files.begin(), files.end());
  CHECK(std::find(files.begin(), files.end(), "recipes/r1-tiny.yaml") != files.end());
  CHECK(std::find(files.begin(), files.end(), "configs/models/micro.yaml") != files.end());
  REQUIRE(files.size() >= 10);
  // The GPU recipes read models the user downloads next to the checkout (their headers say which): without them,
  // validate refuses exactly those paths, as run would (gpu_recipes_test.cpp validates the Qwen ones with the
  // released model files in place).
  const std::vector<std::string> gpu_recipes = {"recipes/gsm8k-tinyllama.yaml", "recipes/qwen2.5-1.5b-gsm8k-zero.yaml",
                                                "recipes/r1-distill-qwen2.5-0.5b.yaml"};
  for (const auto& gpu_recipe : gpu_recipes) {
    CHECK(std::find(files.begin(), files.end(), gpu_recipe) != files.end());
    files.erase(std::remove(files.begin(), files.end(), gpu_recipe), files.end());
  }
  std::string args;
  for (const auto& f : files) args += " " + f;
  auto r = r1::test::run_r1_in_source("validate" + args);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  for (const auto& f : files) CHECK_THAT(r.output, Catch::Contains("ok  " + f));
  for (const auto& gpu_recipe : gpu_recipes) {
    auto gpu = r1::test::run_r1_in_source("validate " + gpu_recipe);
    INFO(gpu.output);
    if (!fs::exists(fs::path(r1::test::source_dir()) / "models")) {
      CHECK(gpu.exit_code == 2);
      int problems = 0;
      for (const auto& line : r1::split(gpu.output, '\n'))
        if (line.rfind(gpu_recipe + ":", 0) == 0) {
          ++problems;
          CHECK_THAT(line, Catch::Contains("\"models/") && Catch::Contains("nor an existing path"));
        }
      CHECK(problems > 0);
    }
  }
}

TEST_CASE("r1 validate --set checks a recipe variant as r1 run would read it", "[cli]") {
  const std::string recipe = "tests/data/micro_recipe.yaml";
  // The zero stage's row of the memory table.
  auto zero_row = [](const std::string& output) {
    for (const auto& line : r1::split(output, '\n'))
      if (line.rfind("zero ", 0) == 0) return line;
    return std::string();
  };
  auto plain = r1::test::run_r1_in_source("validate " + recipe);
  INFO(plain.output);
  REQUIRE(plain.exit_code == 0);
  auto wider = r1::test::run_r1_in_source("validate " + recipe + " --set stages.zero.grpo.group_size=64");
  INFO(wider.output);
  REQUIRE(wider.exit_code == 0);
  REQUIRE_FALSE(zero_row(plain.output).empty());
  CHECK(zero_row(wider.output) != zero_row(plain.output));  // 16x the rollout rows: a larger generation estimate
  CHECK(wider.output.find("ok  " + recipe) != std::string::npos);

  auto bad = r1::test::run_r1_in_source("validate " + recipe + " --set stages.zero.grpo.group_size=eight");
  INFO(bad.output);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("group_size") && Catch::Contains("eight"));
  auto model = r1::test::run_r1_in_source("validate configs/models/micro.yaml --set hidden_size=64");
  INFO(model.output);
  CHECK(model.exit_code == 2);
  CHECK_THAT(model.output, Catch::Contains("configs/models/micro.yaml") &&
                               Catch::Contains("--set applies to recipes and stage configs"));
}

TEST_CASE("r1 --help lists every subcommand", "[cli]") {
  auto r = r1::test::run_r1("--help");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  for (const char* cmd : {"run", "pretrain", "train-zero", "cold-start", "sft", "grpo", "rejection-sample", "distill",
                          "eval", "generate", "reward", "data", "tokenizer", "validate", "report", "bench"}) {
    INFO(cmd);
    CHECK_THAT(r.output, Catch::Contains(std::string("  ") + cmd + " "));
  }
  auto v = r1::test::run_r1("--version");
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.output, Catch::StartsWith("r1 "));
  auto none = r1::test::run_r1("");
  CHECK(none.exit_code == 2);
  auto unknown = r1::test::run_r1("frobnicate");
  CHECK(unknown.exit_code == 2);
}
