// Prompt sources: synthetic sets (determinism, disjoint splits, no repeats, languages, offset) and JSONL
// files (field mapping, answer formats, real GSM8K, line-numbered errors that never skip a line).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "r1/data/prompt_file.h"
#include "r1/data/prompt_source.h"
#include "r1/util/error.h"

using namespace r1;

namespace {

config::PromptSourceConfig synthetic(const std::string& task, int n, const std::string& split = "train") {
  config::PromptSourceConfig cfg;
  cfg.task = task;
  cfg.n = n;
  cfg.split = config::parse_enum<config::PromptSplit>(split, "prompts.split");
  cfg.levels = {1, 2, 3, 4, 5};
  return cfg;
}

std::string temp_file(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("r1_prompt_source_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

config::PromptSourceConfig file_cfg(const std::string& path, const std::string& format = "plain") {
  config::PromptSourceConfig cfg;
  cfg.file = path;
  cfg.n = 0;
  cfg.answer_format = format;
  return cfg;
}

// The message of the InputError that loading `content` raises ("" if none).
std::string load_error(const std::string& content, const std::string& format = "plain") {
  std::string path = temp_file("bad.jsonl", content);
  try {
    load_prompt_file(file_cfg(path, format));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("synthetic prompts are deterministic per seed and config", "[data]") {
  for (const auto& task : config::kTaskNames) {
    auto a = load_prompts(synthetic(task, 50), 7);
    auto b = load_prompts(synthetic(task, 50), 7);
    auto c = load_prompts(synthetic(task, 50), 8);
    REQUIRE(a.size() == 50);
    std::vector<std::string> qa, qb, qc;
    for (size_t i = 0; i < 50; ++i) {
      qa.push_back(a[i].id + a[i].question + a[i].answer);
      qb.push_back(b[i].id + b[i].question + b[i].answer);
      qc.push_back(c[i].id + c[i].question + c[i].answer);
    }
    REQUIRE(qa == qb);
    REQUIRE(qa != qc);
    // A larger n extends a smaller one; offset drops the first prompts.
    auto more = load_prompts(synthetic(task, 60), 7);
    for (size_t i = 0; i < 50; ++i) REQUIRE(more[i].question == a[i].question);
    auto cfg = synthetic(task, 5);
    cfg.offset = 3;
    auto shifted = load_prompts(cfg, 7);
    REQUIRE(shifted.size() == 5);
    for (size_t i = 0; i < 5; ++i) REQUIRE(shifted[i].question == a[i + 3].question);
  }
}

TEST_CASE("train and eval splits are disjoint and never repeat a problem", "[data]") {
  for (const auto& task : config::kTaskNames) {
    auto train = load_prompts(synthetic(task, 400, "train"), 1);
    auto eval = load_prompts(synthetic(task, 100, "eval"), 1);
    std::set<std::string> train_keys, eval_keys;
    for (const auto& ex : train) {
      REQUIRE_FALSE(in_eval_split(ex));
      train_keys.insert(ex.problem_key);
    }
    for (const auto& ex : eval) {
      REQUIRE(in_eval_split(ex));
      eval_keys.insert(ex.problem_key);
      REQUIRE(train_keys.count(ex.problem_key) == 0);
    }
    REQUIRE(train_keys.size() == train.size());  // no repeats: the space of levels 1-5 is large
    REQUIRE(eval_keys.size() == eval.size());
  }
  // The same problem in English and Spanish lands in the same split (the key is language-independent).
  PromptExample en, es;
  en.task = es.task = "arithmetic";
  en.problem_key = es.problem_key = "3 + 4";
  en.question = "What is 3 + 4?";
  es.question = "¿Cuánto es 3 + 4?";
  REQUIRE(in_eval_split(en) == in_eval_split(es));
}

TEST_CASE("a small task space fills n with repeats instead of looping forever", "[data]") {
  auto cfg = synthetic("linear", 300);
  cfg.levels = {2};  // a*x = d with a in 2..9, x in 0..12: about 90 train problems
  auto prompts = load_prompts(cfg, 5);
  REQUIRE(prompts.size() == 300);
  std::set<std::string> keys;
  for (const auto& ex : prompts) keys.insert(ex.problem_key);
  REQUIRE(keys.size() < 120);
  REQUIRE(keys.size() > 60);
}

TEST_CASE("language: mixed is half English, half Spanish", "[data]") {
  auto cfg = synthetic("arithmetic", 40);
  cfg.language = "mixed";
  auto prompts = load_prompts(cfg, 2);
  int es = 0;
  for (const auto& ex : prompts) es += ex.language == "es";
  REQUIRE(es == 20);
  cfg.language = "es";
  for (const auto& ex : load_prompts(cfg, 2)) REQUIRE(ex.language == "es");
}

TEST_CASE("bad synthetic configs are input errors", "[data]") {
  auto cfg = synthetic("arithmetic", 10);
  cfg.levels = {0};
  REQUIRE_THROWS_AS(load_prompts(cfg, 1), InputError);
  cfg = synthetic("nope", 10);
  REQUIRE_THROWS_AS(load_prompts(cfg, 1), InputError);
  cfg = synthetic("arithmetic", 0);
  REQUIRE_THROWS_AS(load_prompts(cfg, 1), InputError);
}

TEST_CASE("every GSM8K answer parses with answer_format gsm8k", "[data]") {
  const std::string dir = std::string(R1_SHARED_DIR) + "/data/gsm8k/";
  REQUIRE(std::filesystem::exists(dir + "train.jsonl"));  // fail loudly if the shared data is missing
  REQUIRE(std::filesystem::exists(dir + "test.jsonl"));
  auto train = load_prompt_file(file_cfg(dir + "train.jsonl", "gsm8k"));
  auto test = load_prompt_file(file_cfg(dir + "test.jsonl", "gsm8k"));
  REQUIRE(train.size() == 7473);
  REQUIRE(test.size() == 1319);
  REQUIRE(train.size() + test.size() == 8792);
  for (const auto* set : {&train, &test})
    for (const auto& ex : *set) {
      INFO(ex.id << " " << ex.answer);
      REQUIRE(!ex.answer.empty());
      REQUIRE(ex.answer.find_first_not_of("-0123456789") == std::string::npos);  // "1,080" became "1080"
      REQUIRE(ex.task == "file");
    }
  REQUIRE(train[0].answer == "72");
  REQUIRE(train[0].id == "train.jsonl:1");
  REQUIRE(test[0].answer == "18");
  // offset and n carve a slice.
  auto cfg = file_cfg(dir + "test.jsonl", "gsm8k");
  cfg.offset = 1;
  cfg.n = 2;
  auto slice = load_prompt_file(cfg);
  REQUIRE(slice.size() == 2);
  REQUIRE(slice[0].question == test[1].question);
  REQUIRE(slice[1].id == "test.jsonl:3");
}

TEST_CASE("prompt files: field mapping, formats and optional fields", "[data]") {
  std::string path = temp_file("mapped.jsonl",
                               "{\"problem_text\": \"What is 1 + 1?\", \"sol\": \"so \\\\boxed{2}\"}\n"
                               "\n"
                               "{\"problem_text\": \"Half of 1?\", \"sol\": \"\\\\boxed{\\\\frac{1}{2}}\", \"id\": \"h\"}\n");
  auto cfg = file_cfg(path, "boxed");
  cfg.prompt_field = "problem_text";
  cfg.answer_field = "sol";
  auto rows = load_prompt_file(cfg);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].answer == "2");
  REQUIRE(rows[0].id == "mapped.jsonl:1");
  REQUIRE(rows[1].answer == "\\frac{1}{2}");
  REQUIRE(rows[1].id == "h");

  // Rows written by `r1 data gen` keep their task, numbers and target.
  std::string gen = temp_file("gen.jsonl",
                              "{\"id\":\"countdown-1\",\"task\":\"countdown\",\"level\":2,\"language\":\"es\","
                              "\"question\":\"Usa...\",\"answer\":\"22\",\"numbers\":[3,5,7],\"target\":22,"
                              "\"problem\":\"3,5,7->22\"}\n"
                              "{\"question\":\"q\",\"answer\":1234.5}\n");
  auto g = load_prompt_file(file_cfg(gen));
  REQUIRE(g[0].task == "countdown");
  REQUIRE(g[0].numbers == std::vector<long long>{3, 5, 7});
  REQUIRE(g[0].target == 22);
  REQUIRE(g[0].level == 2);
  REQUIRE(g[0].language == "es");
  REQUIRE(g[0].problem_key == "3,5,7->22");
  REQUIRE(g[1].answer == "1234.5");
  REQUIRE(g[1].task == "file");
}

TEST_CASE("prompt files: bad lines give line-numbered errors, never a silent skip", "[data]") {
  const std::string good = "{\"question\": \"q\", \"answer\": \"1\"}\n";
  REQUIRE(contains(load_error(good + "{not json}\n"), "bad.jsonl:2: not valid JSON"));
  REQUIRE(contains(load_error(good + "[1, 2]\n"), "bad.jsonl:2: expected a JSON object"));
  REQUIRE(contains(load_error(good + good + "{\"answer\": \"1\"}\n"), "bad.jsonl:3: missing field \"question\""));
  REQUIRE(contains(load_error("{\"question\": 5, \"answer\": \"1\"}\n"),
                   "bad.jsonl:1: field \"question\": expected a non-empty string, got 5"));
  REQUIRE(contains(load_error("{\"question\": \"q\", \"answer\": [1]}\n"),
                   "bad.jsonl:1: field \"answer\": expected a string or a number, got an array"));
  REQUIRE(contains(load_error(good + "{\"question\": \"q\", \"answer\": \"no marker\"}\n", "gsm8k"),
                   "bad.jsonl:1: field \"answer\": expected a gsm8k answer"));  // line 1 also lacks ####
  REQUIRE(contains(load_error("{\"question\": \"q\", \"answer\": \"1 #### 2\"}\n"
                              "{\"question\": \"q\", \"answer\": \"no marker\"}\n",
                              "gsm8k"),
                   "bad.jsonl:2: field \"answer\": expected a gsm8k answer ending in \"#### N\", got \"no marker\""));
  REQUIRE(contains(load_error("{\"question\": \"q\", \"answer\": \"1\", \"task\": \"countdown\"}\n"),
                   "bad.jsonl:1: a countdown row needs \"numbers\""));
  REQUIRE(contains(load_error("{\"question\": \"q\", \"answer\": \"1\", \"level\": \"hard\"}\n"),
                   "bad.jsonl:1: field \"level\": expected an integer, got \"hard\""));
  REQUIRE(contains(load_error("{\"question\": \"q\", \"answer\": \"1\", \"language\": \"fr\"}\n"),
                   "bad.jsonl:1: field \"language\": expected \"en\" or \"es\", got \"fr\""));
  REQUIRE(contains(load_error(""), "bad.jsonl: no prompts"));
  // A bad line past the rows that offset/n select is still reported.
  std::string path = temp_file("late.jsonl", good + good + "oops\n");
  auto cfg = file_cfg(path);
  cfg.n = 1;
  REQUIRE_THROWS_WITH(load_prompt_file(cfg), Catch::Contains("late.jsonl:3"));
}
