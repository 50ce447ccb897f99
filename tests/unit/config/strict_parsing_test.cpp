// Strict parsing (issue 28, findings 1, 5 and 8): duplicate keys at any depth, a second YAML document, a scalar where
// a list is expected, and stage names that are not safe directory names are errors naming the file and line or key.
#include <catch2/catch.hpp>

#include "r1/config/recipe.h"
#include "r1/util/error.h"

using namespace r1::config;

namespace {
std::string load_error(const std::string& text) {
  try {
    parse_recipe(load_yaml_string(text, "x.yaml"), "x.yaml");
  } catch (const r1::ConfigError& e) {
    std::string all;
    for (const auto& l : e.problems()) all += l + "\n";
    return all;
  } catch (const r1::InputError& e) {
    return e.what();
  }
  return "";
}

const char* kOneStage = "stages:\n  - {name: base, kind: pretrain, model: {hidden_size: 64, num_attention_heads: 4}}\n";
}  // namespace

TEST_CASE("a duplicate key is an error naming the file, the line and the first one", "[config][reliability]") {
  std::string top = load_error(std::string("seed: 1\nseed: 2\n") + kOneStage);
  CHECK(top.find("x.yaml:2:1: duplicate key \"seed\" (first at line 1)") != std::string::npos);
  std::string nested = load_error(
      "stages:\n  - name: base\n    kind: pretrain\n    optim: {lr: 0.1, lr: 0.2}\n");
  CHECK(nested.find("x.yaml:4:") != std::string::npos);
  CHECK(nested.find("duplicate key \"lr\"") != std::string::npos);
  CHECK_THROWS_AS(load_yaml_string("a: {b: {c: 1, c: 1}}\n", "y.yaml"), r1::InputError);
  CHECK_NOTHROW(load_yaml_string("a: {b: 1}\nc: {b: 2}\n", "y.yaml"));  // same key in different mappings is fine
}

TEST_CASE("a second YAML document is an error, not silently ignored", "[config][reliability]") {
  std::string e = load_error(std::string(kOneStage) + "---\nseed: 9\n");
  CHECK(e.find("x.yaml:4:1: a second YAML document starts here") != std::string::npos);
  CHECK(e.find("second YAML document") != std::string::npos);
  CHECK_NOTHROW(load_yaml_string("---\nseed: 1\n", "y.yaml"));  // one document with an explicit start
  CHECK(load_yaml_string("", "y.yaml").IsNull());
}

TEST_CASE("a scalar where a list is expected is an error (stop: true is not [\"true\"])", "[config][reliability]") {
  std::string e = load_error(std::string("eval: {sampling: {stop: true}}\n") + kOneStage);
  CHECK(e.find("eval.sampling.stop: expected a list") != std::string::npos);
  CHECK(load_error(std::string("eval: {sampling: {stop: [\"</answer>\"]}}\n") + kOneStage).empty());
}

TEST_CASE("stage names are 1-64 characters of [A-Za-z0-9._-], not starting with a dot", "[config][reliability]") {
  CHECK(stage_name_problem("sft-2.b_x").empty());
  CHECK(stage_name_problem("").find("needs a name") != std::string::npos);
  CHECK(stage_name_problem(std::string(65, 'a')).find("at most 64") != std::string::npos);
  CHECK(stage_name_problem(std::string(64, 'a')).empty());
  CHECK(stage_name_problem(".hidden").find("cannot start with '.'") != std::string::npos);
  CHECK(stage_name_problem("..").find("cannot start with '.'") != std::string::npos);
  CHECK(stage_name_problem("a/b").find("letters, digits") != std::string::npos);
  CHECK(stage_name_problem("a b").find("letters, digits") != std::string::npos);
  // An empty name in a recipe (which --from once turned into "remove run_dir") is refused by validation.
  std::string e = load_error("stages:\n  - {name: \"\", kind: pretrain, model: {hidden_size: 64, num_attention_heads: 4}}\n");
  CHECK(e.find("stages[0].name: a stage needs a name") != std::string::npos);
}

TEST_CASE("an input path that does not exist is refused by validation, with or without a slash",
          "[config][reliability]") {
  std::string e = load_error(std::string(kOneStage) +
                             "  - {name: zero, kind: train-zero, init: /no/such/checkpoint}\n");
  CHECK(e.find("stages[1].init: \"/no/such/checkpoint\" is neither an earlier stage") != std::string::npos);
  std::string d = load_error(std::string(kOneStage) + "  - {name: student, kind: distill, data: base}\n");
  CHECK(d.find("stages[1].init: a distill stage needs init (the student checkpoint) or teacher") != std::string::npos);
}
