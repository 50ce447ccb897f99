// Per-prompt eval results and the pass@k curve: summarize keeps each prompt's tallies, the curve uses the
// unbiased estimator for every k, eval.json round-trips them, malformed entries are named, and eval.k is checked
// against eval.samples in recipes.
#include <catch2/catch.hpp>

#include "../../support/recipe_problems.h"

#include "r1/config/recipe.h"
#include "r1/eval/evaluator.h"
#include "r1/eval/prompt_score.h"
#include "r1/rewards/eval_metrics.h"
#include "r1/util/error.h"

using namespace r1;

namespace {

eval::PromptSamples prompt(const std::string& id, std::vector<bool> correct, std::vector<bool> formatted,
                           std::vector<double> lang) {
  eval::PromptSamples p;
  p.id = id;
  p.correct = std::move(correct);
  p.answers.assign(p.correct.size(), "1");
  p.formatted = std::move(formatted);
  p.language_consistency = std::move(lang);
  p.lengths.assign(p.correct.size(), 10);
  return p;
}

using r1::test::has;
using r1::test::recipe_problems;

}  // namespace

TEST_CASE("summarize keeps per-prompt tallies and the pass@k curve", "[eval]") {
  std::vector<eval::PromptSamples> ps;
  ps.push_back(prompt("p0", {true, false, false, true}, {true, true, false, true}, {1.0, 0.5, 0.5, 1.0}));
  ps.push_back(prompt("p1", {false, false, false, false}, {true, true, true, true}, {0.0, 0.0, 0.0, 1.0}));
  ps.push_back(prompt("p2", {true, true, true, false}, {false, false, false, false}, {1.0, 1.0, 1.0, 1.0}));
  auto r = eval::summarize(ps, 4, {1, 2, 4});
  REQUIRE(r.per_prompt.size() == 3);
  CHECK(r.per_prompt[0].id == "p0");
  CHECK(r.per_prompt[0].n == 4);
  CHECK(r.per_prompt[0].correct == 2);
  CHECK(r.per_prompt[0].formatted == 3);
  CHECK(r.per_prompt[0].language == Approx(0.75));
  CHECK(r.per_prompt[2].correct == 3);
  CHECK(r.per_prompt[2].formatted == 0);

  // The curve: the unbiased estimator per prompt, averaged; k = 1 is pass@1, k = n the any-correct rate.
  REQUIRE(r.curve.k == std::vector<int>{1, 2, 4});
  REQUIRE(r.curve.pass_at_k.size() == 3);
  CHECK(r.curve.pass_at_k[0] == Approx(r.pass_at_1));
  CHECK(r.curve.pass_at_k[1] == Approx((pass_at_k(4, 2, 2) + 0.0 + pass_at_k(4, 3, 2)) / 3));
  CHECK(r.curve.pass_at_k[1] == Approx((5.0 / 6 + 0.0 + 1.0) / 3));
  CHECK(r.curve.pass_at_k[2] == Approx(2.0 / 3));
  CHECK(r.curve.pass_at_k[2] == Approx(r.pass_at_k));

  // The per-prompt means of each paired metric are the eval's own figures.
  for (const auto& metric : eval::paired_metrics()) {
    double sum = 0;
    for (const auto& s : r.per_prompt) sum += eval::prompt_metric(s, metric);
    const double figure = metric == "pass@1" ? r.pass_at_1 : metric == "format_rate" ? r.format_rate
                                                                                      : r.language_consistency;
    INFO(metric);
    CHECK(sum / 3 == Approx(figure));
  }
  CHECK_THROWS_AS(eval::prompt_metric(r.per_prompt[0], "greedy"), RuntimeFailure);
}

TEST_CASE("eval.json holds pass_at_k and per_prompt, and per_prompt reads back", "[eval]") {
  std::vector<eval::PromptSamples> ps{prompt("a", {true, false}, {true, true}, {1.0, 0.0}),
                                      prompt("b", {true, true}, {false, true}, {0.5, 0.5})};
  Json j = eval::summarize(ps, 2, {1, 2}).to_json();
  REQUIRE(j["pass_at_k"]["k"] == Json::array({1, 2}));
  REQUIRE(j["pass_at_k"]["pass@k"].size() == 2);
  CHECK(j["pass_at_k"]["pass@k"][1].get<double>() == Approx(1.0));
  REQUIRE(j["per_prompt"].size() == 2);
  CHECK(j["per_prompt"][0] == Json{{"id", "a"}, {"n", 2}, {"correct", 1}, {"formatted", 2}, {"language", 0.5}});
  auto back = eval::prompt_scores_from_json(Json::parse(j.dump()), "eval.json");
  REQUIRE(back.size() == 2);
  CHECK(back[1].id == "b");
  CHECK(back[1].correct == 2);
  CHECK(back[1].formatted == 1);
  CHECK(back[1].language == 0.5);
  // An eval.json from before per-prompt results: no scores, no error.
  CHECK(eval::prompt_scores_from_json(Json{{"pass@1", 0.5}}, "old.json").empty());
}

TEST_CASE("malformed per_prompt entries name the file, the entry and the key", "[eval]") {
  auto error_of = [](const Json& per_prompt) -> std::string {
    try {
      eval::prompt_scores_from_json(Json{{"per_prompt", per_prompt}}, "run/zero/eval.json");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of(Json(3)) == "run/zero/eval.json: per_prompt: expected a list, got 3");
  CHECK(error_of(Json::array({Json{{"id", "a"}, {"n", 2}, {"correct", 3}, {"formatted", 0}, {"language", 1}}})) ==
        "run/zero/eval.json: per_prompt[0].correct: expected an integer in [0, 2], got 3");
  CHECK(error_of(Json::array({Json{{"n", 2}, {"correct", 1}, {"formatted", 0}, {"language", 1}}})) ==
        "run/zero/eval.json: per_prompt[0].id: expected a string, got nothing");
  CHECK(error_of(Json::array({Json{{"id", "a"}, {"n", 2}, {"correct", 1}, {"formatted", 0}, {"language", "x"}}})) ==
        "run/zero/eval.json: per_prompt[0].language: expected a number in [0, 1], got \"x\"");
  CHECK(error_of(Json::array({Json{{"id", "a"}, {"n", 0}, {"correct", 0}, {"formatted", 0}, {"language", 1}}}))
            .find("per_prompt[0].n: expected an integer in [1, ") != std::string::npos);
}

TEST_CASE("eval.k: the curve's k values default to powers of two and samples, and must not exceed samples", "[eval]") {
  config::EvalSettings s;
  s.samples = 4;
  CHECK(s.curve_ks() == std::vector<int>{1, 2, 4});
  s.samples = 6;
  CHECK(s.curve_ks() == std::vector<int>{1, 2, 4, 6});
  s.samples = 1;
  CHECK(s.curve_ks() == std::vector<int>{1});
  s.samples = 32;
  s.k = {8, 1, 8, 32};
  CHECK(s.curve_ks() == std::vector<int>{1, 8, 32});

  const std::string stages = "\nstages:\n  - {name: base, kind: pretrain, model: {hidden_size: 64, num_attention_heads: 4}}\n";
  CHECK(recipe_problems("eval: {samples: 8, k: [1, 2, 8]}" + stages).empty());
  CHECK(has(recipe_problems("eval: {samples: 4, k: [1, 8]}" + stages),
            "x.yaml: eval.k[1]: expected k <= samples (4): pass@k is estimated from the n = samples completions "
            "of each prompt, got 8"));
  CHECK(has(recipe_problems("eval: {samples: 4, k: [1, 0]}" + stages),
            "x.yaml: eval.k[1]: expected an integer >= 1, got \"0\""));
}

TEST_CASE("compare: pairs of evaluated stages of the recipe", "[eval][config]") {
  const std::string stages = R"(
stages:
  - {name: base, kind: pretrain, model: {hidden_size: 64, num_attention_heads: 4}}
  - {name: zero, kind: train-zero, init: base}
  - {name: cold, kind: cold-start, policy: zero}
)";
  auto ok = config::parse_recipe(config::load_yaml_string("compare: [[zero, base]]" + stages, "x.yaml"), "x.yaml");
  REQUIRE(ok.compare);
  CHECK(*ok.compare == std::vector<std::vector<std::string>>{std::vector<std::string>{"zero", "base"}});
  CHECK_FALSE(config::parse_recipe(config::load_yaml_string(stages, "x.yaml"), "x.yaml").compare);

  auto p = recipe_problems("compare: [[zero, bse], [zero, cold], [zero], [base, base]]" + stages);
  CHECK(has(p, "x.yaml: compare[0][1]: no stage named \"bse\" (did you mean \"base\"?); stages: base, zero, cold"));
  CHECK(has(p, "x.yaml: compare[1][1]: stage \"cold\" (cold-start) is not evaluated: compare stages that produce "
               "eval.json"));
  CHECK(has(p, "x.yaml: compare[2]: expected a pair [a, b] of stage names (the report shows a - b), got 1 names"));
  CHECK(has(p, "x.yaml: compare[3]: compares stage \"base\" with itself"));
  auto scalar = recipe_problems("compare: zero" + stages);
  REQUIRE(scalar.size() == 1);
  CHECK(scalar[0].rfind("x.yaml: compare: expected a list", 0) == 0);
}
