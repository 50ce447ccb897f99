// Synthetic tasks: registry, determinism per seed, levels, gold answers, worked solutions, mistakes, switches.
#include <catch2/catch.hpp>

#include "r1/config/prompt_source_config.h"
#include "r1/data/arithmetic_task.h"
#include "r1/data/countdown_task.h"
#include "r1/data/expression.h"
#include "r1/data/lexicon.h"
#include "r1/data/linear_task.h"
#include "r1/data/task.h"
#include "r1/rewards/countdown_verifier.h"
#include "r1/rewards/language_consistency.h"
#include "r1/rewards/tinyzero_countdown.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

using namespace r1;

TEST_CASE("task_by_name provides every configured task and rejects others", "[data]") {
  for (const auto& name : config::kTaskNames) REQUIRE(task_by_name(name).name() == name);
  try {
    task_by_name("countdwn");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    REQUIRE(std::string(e.what()).find("did you mean \"countdown\"") != std::string::npos);
  }
}

TEST_CASE("tasks are deterministic per seed and differ across seeds", "[data]") {
  for (const auto& name : config::kTaskNames) {
    const Task& task = task_by_name(name);
    auto draw = [&](std::uint64_t seed) {
      Rng rng(seed);
      std::vector<std::string> qs;
      for (int i = 0; i < 20; ++i) qs.push_back(task.make(rng, 1 + i % 5, i % 2 ? "es" : "en").question);
      return qs;
    };
    REQUIRE(draw(11) == draw(11));
    REQUIRE(draw(11) != draw(12));
  }
}

TEST_CASE("expressions render with minimal parentheses and parse back", "[data]") {
  Expression e;
  int a = e.add_leaf(17), b = e.add_leaf(25), c = e.add_leaf(3), d = e.add_leaf(8);
  int sum = e.add_node('+', a, b);
  int prod = e.add_node('*', sum, c);
  e.root = e.add_node('-', prod, d);
  REQUIRE(e.render() == "(17 + 25) * 3 - 8");
  REQUIRE(e.value() == 118);
  auto steps = e.steps();
  REQUIRE(steps.size() == 3);
  REQUIRE(steps[0].result == 42);
  REQUIRE(steps[1].result == 126);
  REQUIRE(steps[2].result == 118);
  Expression p = parse_expression("(17 + 25) * 3 - 8");
  REQUIRE(p.value() == 118);
  REQUIRE(p.render() == "(17 + 25) * 3 - 8");
  REQUIRE(parse_expression("10 - (4 - 1)").value() == 7);
  REQUIRE(parse_expression("10 - (4 - 1)").render() == "10 - (4 - 1)");
  REQUIRE(parse_expression("2 * 3 + 4 * 5").render() == "2 * 3 + 4 * 5");
  REQUIRE_THROWS_AS(parse_expression("7 / 2"), InputError);  // not exact
  REQUIRE_THROWS_AS(parse_expression("(1 + 2"), InputError);
  REQUIRE_THROWS_AS(parse_expression("1 + x"), InputError);
  REQUIRE(e.add_node('/', a, c) == -1);  // 17 / 3 is not an integer
}

TEST_CASE("arithmetic problems: answers match the expression, levels shape it", "[data]") {
  const Task& task = task_by_name("arithmetic");
  Rng rng(5);
  for (int level = 1; level <= 5; ++level) {
    for (int i = 0; i < 40; ++i) {
      PromptExample ex = task.make(rng, level, i % 2 ? "es" : "en");
      Expression e = parse_expression(ex.problem_key);
      REQUIRE(std::to_string(e.value()) == ex.answer);
      REQUIRE(e.steps().size() == static_cast<size_t>(level == 1 ? 1 : level == 2 ? 2 : level == 3 ? 2 : level == 4 ? 3 : 4));
      if (level <= 4) REQUIRE(e.value() >= 0);
      REQUIRE(ex.question.find(ex.problem_key) != std::string::npos);
      REQUIRE(ex.id == example_id("arithmetic", ex.question));
      REQUIRE(starts_with(ex.id, "arithmetic-"));
      REQUIRE(ex.id.size() == std::string("arithmetic-").size() + 16);
    }
  }
  REQUIRE_THROWS_AS(task.make(rng, 6, "en"), InputError);
  REQUIRE_THROWS_AS(task.make(rng, 1, "fr"), InputError);
}

TEST_CASE("countdown problems are solvable with every number and verify with both scorers", "[data]") {
  const Task& task = task_by_name("countdown");
  Rng rng(9);
  for (int level = 1; level <= 5; ++level) {
    for (int i = 0; i < 15; ++i) {
      PromptExample ex = task.make(rng, level, "en");
      REQUIRE(ex.numbers.size() == static_cast<size_t>(level == 1 ? 2 : level <= 3 ? 3 : level == 4 ? 4 : 5));
      REQUIRE(ex.answer == std::to_string(ex.target));
      std::vector<long long> parsed;
      long long target = 0;
      parse_countdown_key(ex.problem_key, parsed, target);
      REQUIRE(parsed == ex.numbers);
      REQUIRE(target == ex.target);
      auto sol = solve_countdown(ex.numbers, ex.target, nullptr);
      REQUIRE(sol);
      auto leaves = sol->leaves();
      REQUIRE(leaves.size() == ex.numbers.size());  // every number used
      REQUIRE(check_countdown(sol->render(), ex.numbers, ex.target).correct);
      std::string text = render_prompt("r1-zero", ex.question) + " <think> x </think> <answer> " + sol->render() +
                         " </answer>";
      REQUIRE(tinyzero_countdown_score(text, ex.numbers, ex.target).score == 1.0);
    }
  }
}

TEST_CASE("linear problems have integer solutions that satisfy the equation", "[data]") {
  const Task& task = task_by_name("linear");
  Rng rng(3);
  for (int level = 1; level <= 5; ++level) {
    for (int i = 0; i < 40; ++i) {
      PromptExample ex = task.make(rng, level, "es");
      LinearEquation eq = parse_linear(ex.problem_key);
      REQUIRE(eq.render() == ex.problem_key);
      long long x = std::stoll(ex.answer);
      if (eq.factored) REQUIRE(eq.a * (x + eq.b) == eq.d);
      else REQUIRE(eq.a * x + eq.b == eq.c * x + eq.d);
      REQUIRE(eq.factored == (level == 5));
      if (level == 4) REQUIRE(eq.c != 0);
    }
  }
  REQUIRE(parse_linear("-x + 4 = 2x - 5").render() == "-x + 4 = 2x - 5");
  REQUIRE(parse_linear("4(x - 3) = 8").factored);
  REQUIRE_THROWS_AS(parse_linear("3y + 1 = 4"), InputError);
}

TEST_CASE("worked solutions reach the gold answer with steps and a conclusion", "[data]") {
  Rng rng(21);
  for (const auto& name : config::kTaskNames) {
    const Task& task = task_by_name(name);
    for (int level = 1; level <= 5; ++level) {
      for (const char* lang : {"en", "es"}) {
        PromptExample ex = task.make(rng, level, lang);
        WorkedSolution sol = task.solve(ex, rng, {});
        REQUIRE(sol.correct);
        REQUIRE(sol.final_language == lang);
        if (name == "countdown") REQUIRE(check_countdown(sol.answer, ex.numbers, ex.target).correct);
        else REQUIRE(sol.answer == ex.answer);
        const Lexicon& lex = lexicon(lang);
        REQUIRE(sol.steps.back() == lex.so + " " + lex.answer_is + " " + sol.answer + ".");
        if (sol.steps.size() > 1) REQUIRE(starts_with(sol.steps[0], lex.first));
        // Written entirely in the question's language.
        REQUIRE(language_consistency(sol.text(), lang) == 1.0);
      }
    }
  }
  // A concrete arithmetic solution, symbolic and verbal.
  PromptExample ex;
  ex.task = "arithmetic";
  ex.language = "en";
  ex.problem_key = "(17 + 25) * 3 - 8";
  ex.answer = "118";
  REQUIRE(task_by_name("arithmetic").solve(ex, rng, {}).text() ==
          "First, 17 + 25 = 42. Then, 42 * 3 = 126. Then, 126 - 8 = 118. So the answer is 118.");
  SolutionOptions verbal;
  verbal.verbal = true;
  ex.language = "es";
  REQUIRE(task_by_name("arithmetic").solve(ex, rng, verbal).text() ==
          "Primero, 17 más 25 es 42. Luego, 42 por 3 es 126. Luego, 126 menos 8 es 118. Entonces la respuesta es 118.");
  PromptExample lin;
  lin.task = "linear";
  lin.language = "en";
  lin.problem_key = "3x + 7 = 22";
  lin.answer = "5";
  REQUIRE(task_by_name("linear").solve(lin, rng, {}).text() ==
          "First, subtract 7 from both sides: 3x = 15. Then, divide both sides by 3: x = 5. So the answer is 5.");
}

TEST_CASE("mistakes give wrong final answers, switches change language midway", "[data]") {
  Rng rng(4);
  for (const auto& name : config::kTaskNames) {
    const Task& task = task_by_name(name);
    int wrong = 0, total = 0;
    for (int i = 0; i < 40; ++i) {
      PromptExample ex = task.make(rng, 2 + i % 4, "en");
      SolutionOptions opts;
      opts.mistake = true;
      WorkedSolution sol = task.solve(ex, rng, opts);
      ++total;
      bool really_right = name == "countdown" ? check_countdown(sol.answer, ex.numbers, ex.target).correct
                                              : sol.answer == ex.answer;
      REQUIRE(really_right == sol.correct);  // the flag tells the truth
      wrong += !sol.correct;
    }
    INFO(name);
    REQUIRE(wrong >= total * 9 / 10);

    PromptExample ex = task.make(rng, 4, "en");
    SolutionOptions sw;
    sw.switch_to = "es";
    WorkedSolution sol = task.solve(ex, rng, sw);
    REQUIRE(sol.correct);
    REQUIRE(sol.final_language == "es");
    REQUIRE(starts_with(sol.steps.front(), "First,"));
    REQUIRE(starts_with(sol.steps.back(), "Entonces la respuesta es"));
    double lc = language_consistency(sol.text(), "en");
    REQUIRE(lc > 0.0);
    REQUIRE(lc < 1.0);
  }
}

TEST_CASE("number words in English and Spanish", "[data]") {
  REQUIRE(number_words(0, "en") == "zero");
  REQUIRE(number_words(42, "en") == "forty two");
  REQUIRE(number_words(-7, "en") == "minus seven");
  REQUIRE(number_words(1305, "en") == "one thousand three hundred five");
  REQUIRE(number_words(42, "es") == "cuarenta y dos");
  REQUIRE(number_words(16, "es") == "dieciséis");
  REQUIRE(number_words(100, "es") == "cien");
  REQUIRE(number_words(115, "es") == "ciento quince");
  REQUIRE(number_words(1000, "es") == "mil");
  REQUIRE(number_words(21000, "es") == "veintiún mil");
  REQUIRE(number_words(31500, "es") == "treinta y un mil quinientos");
  REQUIRE_THROWS_AS(number_words(5, "fr"), InputError);
  REQUIRE_THROWS_AS(number_words(1000000, "en"), InputError);
}
