// SFT datasets: prompt/completion and messages rows, templates, line-numbered errors, seeded splits.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "../../support/test_support.h"
#include "r1/data/sft_dataset.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"

using namespace r1;

namespace {
std::string temp_file(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("r1_sft_dataset_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

// The dataset with prompts rendered by template `name` ("" = as written) for the test tokenizer.
std::vector<SftExample> load_sft(const std::string& path, const std::string& prompt_field,
                                 const std::string& completion_field, const std::string& name) {
  if (name.empty()) return load_sft_dataset(path, prompt_field, completion_field, "messages", nullptr);
  PromptRenderer renderer(name, test::tiny_tokenizer());
  return load_sft_dataset(path, prompt_field, completion_field, "messages", &renderer);
}

std::string load_error(const std::string& content) {
  try {
    load_sft(temp_file("bad.jsonl", content), "prompt", "completion", "r1-zero");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("SFT rows: prompt/completion and messages forms", "[data]") {
  std::string path = temp_file(
      "sft.jsonl",
      "{\"prompt\": \"What is 2 + 3?\", \"completion\": \"<think> 2 + 3 = 5 </think> <answer> 5 </answer>\", "
      "\"source\": \"cold-start\"}\n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"Hi?\"}, "
      "{\"role\": \"assistant\", \"content\": \"first\"}, {\"role\": \"user\", \"content\": \"What is 4 + 4?\"}, "
      "{\"role\": \"assistant\", \"content\": \"<think> 8 </think> <answer> 8 </answer>\"}], \"task\": \"arithmetic\"}\n");
  auto rows = load_sft(path, "prompt", "completion", "r1-zero");
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].prompt == render_prompt("r1-zero", "What is 2 + 3?"));
  REQUIRE(rows[0].completion == "<think> 2 + 3 = 5 </think> <answer> 5 </answer>");
  REQUIRE(rows[0].meta["source"] == "cold-start");
  REQUIRE(rows[0].meta["source_line"] == 1);
  REQUIRE_FALSE(rows[0].meta.contains("prompt"));
  REQUIRE(rows[1].prompt == render_prompt("r1-zero", "What is 4 + 4?"));
  REQUIRE(rows[1].completion == "<think> 8 </think> <answer> 8 </answer>");
  REQUIRE(rows[1].meta["task"] == "arithmetic");
  REQUIRE(rows[1].meta["source_line"] == 2);

  auto raw = load_sft(path, "prompt", "completion", "");
  REQUIRE(raw[0].prompt == "What is 2 + 3?");
  auto chat = load_sft(path, "prompt", "completion", "chat");
  REQUIRE(chat[0].prompt == "User: What is 2 + 3?\nAssistant:");
  REQUIRE_THROWS_AS(load_sft(path, "prompt", "completion", "alpaca"), InputError);
}

TEST_CASE("SFT rows: errors name the file and line", "[data]") {
  const std::string good = "{\"prompt\": \"q\", \"completion\": \"c\"}\n";
  REQUIRE_THAT(load_error(good + "{\"prompt\": \"q\"}\n"), Catch::Contains("bad.jsonl:2: missing field \"completion\""));
  REQUIRE_THAT(load_error(good + "{\"prompt\": \"q\", \"completion\": 3}\n"),
               Catch::Contains("bad.jsonl:2: field \"completion\": expected a non-empty string, got 3"));
  REQUIRE_THAT(load_error("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}\n"),
               Catch::Contains("bad.jsonl:1: no assistant message"));
  REQUIRE_THAT(load_error("{\"messages\": [{\"role\": 1, \"content\": \"q\"}]}\n"),
               Catch::Contains("bad.jsonl:1: field \"messages\"[0].role: expected a string, got 1"));
  REQUIRE_THAT(load_error("{\"messages\": \"hello\"}\n"), Catch::Contains("bad.jsonl:1: field \"messages\""));
  REQUIRE_THAT(load_error(good + "not json\n"), Catch::Contains("bad.jsonl:2: not valid JSON"));
  REQUIRE_THAT(load_error("\n\n"), Catch::Contains("bad.jsonl: the SFT dataset is empty"));
}

TEST_CASE("split_train_eval is deterministic, disjoint and complete", "[data]") {
  std::vector<int> items;
  for (int i = 0; i < 100; ++i) items.push_back(i);
  auto [train, eval] = split_train_eval(items, 0.1, 42);
  REQUIRE(eval.size() == 10);
  REQUIRE(train.size() == 90);
  std::set<int> all(train.begin(), train.end());
  for (int e : eval) REQUIRE(all.insert(e).second);
  REQUIRE(all.size() == 100);
  REQUIRE(std::is_sorted(train.begin(), train.end()));  // input order kept
  auto again = split_train_eval(items, 0.1, 42);
  REQUIRE(again.second == eval);
  REQUIRE(split_train_eval(items, 0.1, 43).second != eval);
  REQUIRE(split_train_eval(items, 0.0, 42).second.empty());
  std::vector<int> two = {1, 2};
  REQUIRE(split_train_eval(two, 0.01, 1).second.size() == 1);  // at least one eval example
  REQUIRE(split_train_eval(two, 0.99, 1).first.size() == 1);   // at least one train example
}
