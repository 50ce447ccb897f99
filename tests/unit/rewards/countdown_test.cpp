// Countdown verification: the exact verifier (a parser, never eval) on right, wrong, malformed and
// adversarial equations; TinyZero's scoring against every case of the shared fixture; the Python-subset
// evaluator behind it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "r1/rewards/countdown_verifier.h"
#include "r1/rewards/python_arith.h"
#include "r1/rewards/tinyzero_countdown.h"

using namespace r1;

namespace {
const std::vector<long long> kNums = {3, 5, 7};
bool ok(const std::string& eq, long long target = 22, const std::vector<long long>& nums = kNums) {
  return check_countdown(eq, nums, target).correct;
}
std::string why(const std::string& eq, long long target = 22, const std::vector<long long>& nums = kNums) {
  return check_countdown(eq, nums, target).error;
}
}  // namespace

TEST_CASE("countdown: right answers", "[rewards]") {
  REQUIRE(ok("3 * 5 + 7"));
  REQUIRE(ok("7 + 5 * 3"));
  REQUIRE(ok("(3 * 5) + 7"));
  REQUIRE(ok("  3*5+7  "));
  REQUIRE(ok("3 * 5 + 7 = 22"));
  REQUIRE(ok("5 * 3", 15));                        // each number at most once: a subset is fine
  REQUIRE(ok("6 / (3 / 4)", 8, {3, 4, 6}));        // exact rationals: 3/4 is not truncated
  REQUIRE(ok("(7 - 5) / 4 * 8", 4, {4, 5, 7, 8}));
  REQUIRE(ok("(25 - 25) + 7", 7, {7, 25, 25}));    // a repeated given number may be used twice
  auto c = check_countdown("7 / 2", {2, 7}, 3);
  REQUIRE(c.valid);
  REQUIRE_FALSE(c.correct);
  REQUIRE(c.num == 7);
  REQUIRE(c.den == 2);
}

TEST_CASE("countdown: wrong and malformed answers", "[rewards]") {
  REQUIRE_FALSE(ok("3 * 5 - 7"));
  REQUIRE(why("3 * 5 - 7") == "the equation gives 8, not 22");
  REQUIRE_FALSE(ok("5 * 5 - 3"));
  REQUIRE(why("5 * 5 - 3").find("the number 5 is not one of the given numbers (or is used too often)") == 0);
  REQUIRE_FALSE(ok("3 * 7 + 1"));
  REQUIRE_FALSE(ok("3 * 5 + 7 = 23"));
  REQUIRE(why("3 * 5 + 7 = 23") == "the stated result 23 is not the target 22");
  REQUIRE_FALSE(ok("3 * 5 + 7 = 22 = 22"));
  REQUIRE_FALSE(ok(""));
  REQUIRE_FALSE(ok("22"));
  REQUIRE_FALSE(ok("-3 + 25"));                    // no unary minus
  REQUIRE_FALSE(ok("3 \u00d7 5 + 7"));             // only ASCII operators
  REQUIRE_FALSE(ok("x = 3 * 5 + 7"));
  REQUIRE_FALSE(ok("3 ** 5"));
  REQUIRE_FALSE(ok("3 5 7"));
  REQUIRE(ok("7 / 2 * 2 * 3", 21, {7, 2, 2, 3}));  // 7/2 stays 7/2, times 6 is exactly 21
}

TEST_CASE("countdown: adversarial answers", "[rewards]") {
  // Division by zero is invalid, not a crash or infinity.
  auto z = check_countdown("5 / (3 - 3)", {5, 3, 3}, 5);
  REQUIRE_FALSE(z.valid);
  REQUIRE(z.error == "division by zero");
  // Unbalanced parentheses either way.
  REQUIRE(why("(3 * 5 + 7").find("unbalanced parentheses") == 0);
  REQUIRE(why("3 * 5) + 7").find("unexpected") == 0);
  REQUIRE_FALSE(ok("((3 * 5) + 7"));
  // Huge numbers are not given numbers; no overflow.
  REQUIRE_FALSE(ok("99999999999999999999999999 * 3"));
  REQUIRE(why("99999999999999999999999999 - 99999999999999999999999999 + 22").find("is not one of") != std::string::npos);
  // Given huge numbers multiply past 2^100: reported, not wrapped.
  std::vector<long long> big = {999999999999999999LL, 999999999999999999LL, 999999999999999999LL,
                                999999999999999999LL, 999999999999999999LL, 999999999999999999LL};
  auto o = check_countdown("999999999999999999 * 999999999999999999 * 999999999999999999 * 999999999999999999 * "
                           "999999999999999999 * 999999999999999999",
                           big, 1);
  REQUIRE_FALSE(o.valid);
  REQUIRE(o.error == "a value is too large");
  // Deep nesting and long input are refused without exhausting the stack.
  REQUIRE(why(std::string(100000, '(') + "3" + std::string(100000, ')')) == "equation longer than 1000 characters");
  REQUIRE(why(std::string(400, '(') + "3" + std::string(400, ')'), 3) == "parentheses nested too deeply");
  // Code is text, not something to run.
  REQUIRE_FALSE(ok("__import__('os').system('true')"));
  REQUIRE_FALSE(ok("3 * 5 + 7; print(1)"));
}

TEST_CASE("TinyZero scoring matches every fixture case exactly", "[rewards]") {
  const std::string path = std::string(R1_SHARED_DIR) + "/fixtures/grpo/countdown_reward.json";
  REQUIRE(std::filesystem::exists(path));  // fail loudly if the shared fixtures are missing
  std::ifstream in(path);
  nlohmann::json fixture = nlohmann::json::parse(in);
  REQUIRE(fixture["cases"].size() >= 30);
  for (const auto& c : fixture["cases"]) {
    INFO("case " << c["name"].get<std::string>());
    std::vector<long long> numbers = c["numbers"].get<std::vector<long long>>();
    TinyZeroResult r = tinyzero_countdown_score(c["solution_str"].get<std::string>(), numbers,
                                                c["target"].get<long long>());
    REQUIRE(r.score == c["expected_score"].get<double>());
    if (c["extracted_equation"].is_null()) {
      REQUIRE_FALSE(r.extracted);
    } else {
      REQUIRE(r.extracted);
      REQUIRE(*r.extracted == c["extracted_equation"].get<std::string>());
    }
    if (c["evaluated_result"].is_null()) {
      REQUIRE_FALSE(r.evaluated);
    } else {
      REQUIRE(r.evaluated);
      REQUIRE(*r.evaluated == c["evaluated_result"].get<double>());
    }
  }
}

TEST_CASE("the Python-subset evaluator follows Python's grammar and numbers", "[rewards]") {
  auto eval = [](const std::string& s) { return python_arith_eval(s); };
  REQUIRE(eval("3 * 5 + 7") == std::optional<double>(22));
  REQUIRE(eval("-2**2") == std::optional<double>(-4));
  REQUIRE(eval("2**3**2") == std::optional<double>(512));
  REQUIRE(eval("2**-1") == std::optional<double>(0.5));
  REQUIRE(eval("7//2") == std::optional<double>(3));
  REQUIRE(eval("-7//2") == std::optional<double>(-4));
  REQUIRE(eval("7.5//2") == std::optional<double>(3));
  REQUIRE(eval("-7.5//2") == std::optional<double>(-4));
  REQUIRE(eval("7/2") == std::optional<double>(3.5));
  REQUIRE(eval("--3") == std::optional<double>(3));
  REQUIRE(eval("+-3") == std::optional<double>(-3));
  REQUIRE(eval("00") == std::optional<double>(0));
  REQUIRE(eval("1.") == std::optional<double>(1));
  REQUIRE(eval(".5 * 4") == std::optional<double>(2));
  REQUIRE(eval("01.5") == std::optional<double>(1.5));
  REQUIRE(eval("((((1))))") == std::optional<double>(1));
  for (const char* bad : {"03", "1/0", "1//0", "1.0/0", "0**-1", "()", "3(4)", "(3)(4)", "1 2", "1..5", "1.2.3",
                          "2 ** * 3", "3 *", "(3", "3)", ".", "", "9**9**9", "(-8)**(1/3)", "10.0**400",
                          "1 . 5", "abs(3)"})
    REQUIRE_FALSE(eval(bad));
}

TEST_CASE("TinyZero extraction details", "[rewards]") {
  REQUIRE(python_strip(" \t x \xc2\xa0") == "x");
  REQUIRE(tinyzero_extract("User: hi Assistant: <answer> 1 </answer>") == std::optional<std::string>("1"));
  REQUIRE_FALSE(tinyzero_extract("<answer> 1 </answer>"));
  // Numbers are checked as a multiset before anything is evaluated.
  auto r = tinyzero_countdown_score("Assistant: <answer>3 + 5 + 7 + 7</answer>", {3, 5, 7}, 22);
  REQUIRE(r.score == 0.1);
  REQUIRE_FALSE(r.evaluated);
  // Uses every number exactly once (unlike the exact verifier's "at most once").
  REQUIRE(tinyzero_countdown_score("Assistant: <answer>3 * 5</answer>", {3, 5, 7}, 15).score == 0.1);
  REQUIRE(check_countdown("3 * 5", {3, 5, 7}, 15).correct);
}
