// Reward sets (weights, components, verdicts computed even when absent) and evaluation metrics.
#include <catch2/catch.hpp>

#include <cmath>

#include "r1/config/reward_config.h"
#include "r1/rewards/accuracy_reward.h"
#include "r1/rewards/eval_metrics.h"
#include "r1/rewards/reward_set.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"

using namespace r1;

namespace {
config::RewardSpec spec(const std::string& name, double weight, const std::string& mode = "") {
  config::RewardSpec s;
  s.name = name;
  s.weight = weight;
  s.mode = mode;
  return s;
}

PromptExample arithmetic(const std::string& language = "en") {
  PromptExample ex;
  ex.id = "arithmetic-1";
  ex.task = "arithmetic";
  ex.language = language;
  ex.question = "What is (17 + 25) * 3 - 8?";
  ex.answer = "118";
  ex.problem_key = "(17 + 25) * 3 - 8";
  return ex;
}

PromptExample countdown() {
  PromptExample ex;
  ex.id = "countdown-1";
  ex.task = "countdown";
  ex.question = "Use the numbers 3, 5, 7 to make 22.";
  ex.numbers = {3, 5, 7};
  ex.target = 22;
  ex.answer = "22";
  return ex;
}
}  // namespace

TEST_CASE("a reward set weights its components and reports verdicts", "[rewards]") {
  RewardSet set(std::vector<config::RewardSpec>{spec("accuracy", 1.0), spec("format", 0.5), spec("language", 0.2)});
  REQUIRE(set.names() == std::vector<std::string>{"accuracy", "format", "language"});
  const PromptExample ex = arithmetic();
  const std::string prompt = render_prompt("r1-zero", ex.question);

  auto right = set.score(ex, prompt, "<think> First, 17 + 25 = 42. Then, 42 * 3 = 126. Then, 126 - 8 = 118. "
                                     "</think> <answer> 118 </answer>", 30, false);
  REQUIRE(right.components == std::vector<double>{1.0, 1.0, 1.0});
  REQUIRE(right.total == Approx(1.7));
  REQUIRE(right.correct);
  REQUIRE(right.formatted);
  REQUIRE(right.extracted_answer == "118");

  auto wrong_mixed = set.score(ex, prompt, "<think> First, 17 + 25 = 42. Luego, 42 * 3 = 126. </think> "
                                           "<answer> 126 </answer>", 30, false);
  REQUIRE(wrong_mixed.components[0] == 0.0);
  REQUIRE(wrong_mixed.components[1] == 1.0);
  REQUIRE(wrong_mixed.components[2] == Approx(0.5));
  REQUIRE(wrong_mixed.total == Approx(0.6));
  REQUIRE_FALSE(wrong_mixed.correct);

  auto unformatted = set.score(ex, prompt, "The answer is \\boxed{118}", 5, false);
  REQUIRE(unformatted.correct);  // accuracy reads \boxed{} when there is no answer tag
  REQUIRE_FALSE(unformatted.formatted);
  REQUIRE(unformatted.components[1] == 0.0);
}

TEST_CASE("verdicts are computed when their reward is not in the set", "[rewards]") {
  RewardSet set(std::vector<config::RewardSpec>{spec("format", 1.0, "soft")});
  auto r = set.score(arithmetic("es"), "", "<think> Primero, 17 + 25 = 42. </think> <answer> 118 </answer>", 10,
                     false);
  REQUIRE(r.components == std::vector<double>{1.0});
  REQUIRE(r.correct);
  REQUIRE(r.formatted);
  REQUIRE(r.language_consistency == 1.0);  // the prompt's language (es)

  config::RewardSpec lang = spec("language", 1.0);
  lang.language = "en";
  RewardSet english(std::vector<config::RewardSpec>{lang});
  REQUIRE(english.score(arithmetic("es"), "", "<think> Primero, luego. </think>", 1, false).language_consistency ==
          0.0);
}

TEST_CASE("accuracy modes on countdown: exact verifier and TinyZero scores", "[rewards]") {
  const PromptExample ex = countdown();
  const std::string prompt = render_prompt("r1-zero", ex.question);
  RewardSet exact(std::vector<config::RewardSpec>{spec("accuracy", 1.0, "exact")});
  RewardSet tiny(std::vector<config::RewardSpec>{spec("accuracy", 1.0, "tinyzero")});
  const std::string right = "<think> 3 * 5 = 15. 15 + 7 = 22. </think> <answer> 3 * 5 + 7 </answer>";
  const std::string wrong = "<think> x </think> <answer> 3 * 5 - 7 </answer>";
  const std::string none = "<think> x </think>";
  REQUIRE(exact.score(ex, prompt, right, 10, false).total == 1.0);
  REQUIRE(tiny.score(ex, prompt, right, 10, false).total == 1.0);
  REQUIRE(exact.score(ex, prompt, wrong, 10, false).total == 0.0);
  REQUIRE(tiny.score(ex, prompt, wrong, 10, false).total == 0.1);
  REQUIRE(tiny.score(ex, prompt, none, 10, false).total == 0.0);
  REQUIRE(tiny.score(ex, prompt, wrong, 10, false).extracted_answer == "3 * 5 - 7");
  REQUIRE(join_prompt_completion("A:", "<think>") == "A: <think>");
  REQUIRE(join_prompt_completion("A: ", "<think>") == "A: <think>");
  PromptExample no_numbers = ex;
  no_numbers.numbers.clear();
  REQUIRE_THROWS_AS(exact.score(no_numbers, prompt, right, 10, false), InputError);
}

TEST_CASE("length rewards in a set, and bad specs are config errors", "[rewards]") {
  config::RewardSpec len = spec("length", 1.0, "overlong");
  len.max_length = 100;
  len.buffer = 20;
  RewardSet set(std::vector<config::RewardSpec>{spec("accuracy", 1.0), len});
  auto r = set.score(arithmetic(), "", "<think> x </think> <answer> 118 </answer>", 90, false);
  REQUIRE(r.components[1] == Approx(-0.5));
  REQUIRE(r.total == Approx(0.5));
  REQUIRE(set.score(arithmetic(), "", "<think> x", 100, true).components[1] == -1.0);

  REQUIRE_THROWS_AS(RewardSet(std::vector<config::RewardSpec>{spec("format", 1.0, "loose")}), ConfigError);
  REQUIRE_THROWS_AS(RewardSet(std::vector<config::RewardSpec>{spec("accuracy", 1.0), spec("accuracy", 2.0)}), ConfigError);
  REQUIRE_THROWS_AS(RewardSet(std::vector<config::RewardSpec>{spec("length", 1.0)}), ConfigError);  // needs max_length
  REQUIRE_THROWS_AS(RewardSet(std::vector<config::RewardSpec>{spec("helpfulness", 1.0)}), ConfigError);
}

TEST_CASE("pass@k is the unbiased estimator", "[rewards]") {
  auto comb = [](int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
    return r;
  };
  for (int n = 1; n <= 12; ++n)
    for (int c = 0; c <= n; ++c)
      for (int k = 1; k <= n; ++k) {
        double want = 1.0 - (n - c >= k ? comb(n - c, k) / comb(n, k) : 0.0);
        REQUIRE(pass_at_k(n, c, k) == Approx(want).margin(1e-12));
      }
  REQUIRE(pass_at_k(10, 0, 5) == 0.0);
  REQUIRE(pass_at_k(10, 10, 1) == 1.0);
  REQUIRE(pass_at_k(4, 1, 1) == Approx(0.25));
  REQUIRE(pass_at_k(100000, 1, 1) == Approx(1e-5));  // no huge binomials
  REQUIRE(std::isfinite(pass_at_k(100000, 50000, 1000)));
  REQUIRE_THROWS_AS(pass_at_k(3, 1, 4), RuntimeFailure);
  REQUIRE_THROWS_AS(pass_at_k(3, 4, 1), RuntimeFailure);
  REQUIRE_THROWS_AS(pass_at_k(3, 1, 0), RuntimeFailure);
}

TEST_CASE("majority vote over normalised answers", "[rewards]") {
  auto v = majority_vote({"18", " 18.0 ", "17", "$18", ""});
  REQUIRE(v.key == "18");
  REQUIRE(v.votes == 3);
  REQUIRE(v.index == 0);
  auto tie = majority_vote({"", "5", "6", "6", "5"});
  REQUIRE(tie.key == "5");  // ties go to the first answer seen
  REQUIRE(tie.index == 1);
  REQUIRE(majority_vote({"", " "}).index == -1);
  REQUIRE(majority_correct({"7", "8", "8"}, {true, false, false}) == false);
  REQUIRE(majority_correct({"7", "8", "7"}, {true, false, true}) == true);
  REQUIRE(majority_correct({"3*5+7", "3 * 5 + 7", "22"}, {true, true, false}) == true);  // equations by text
  REQUIRE(majority_correct({"", ""}, {false, false}) == false);
  REQUIRE_THROWS_AS(majority_correct({"1"}, {}), RuntimeFailure);
}
