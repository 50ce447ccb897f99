// Numeric answer matching and answer extraction from completions.
#include <catch2/catch.hpp>

#include "r1/rewards/answer_extraction.h"
#include "r1/rewards/number_match.h"

using namespace r1;

TEST_CASE("numbers match after normalisation", "[rewards]") {
  REQUIRE(answers_match("118", "118"));
  REQUIRE(answers_match(" 1,234 ", "1234"));
  REQUIRE(answers_match("+5", "5"));
  REQUIRE(answers_match("4.0", "4"));
  REQUIRE(answers_match("4.", "4"));
  REQUIRE(answers_match("$18", "18"));
  REQUIRE(answers_match("x = 5", "5"));
  REQUIRE(answers_match("x=-3", "-3"));
  REQUIRE(answers_match("0.75", "3/4"));
  REQUIRE(answers_match("\\frac{3}{4}", "0.75"));
  REQUIRE(answers_match("-\\dfrac{6}{8}", "-3/4"));
  REQUIRE(answers_match("$42$", "42"));
  REQUIRE(answers_match("-0", "0"));
  REQUIRE_FALSE(answers_match("117", "118"));
  REQUIRE_FALSE(answers_match("-118", "118"));
  REQUIRE_FALSE(answers_match("11.8", "118"));
  REQUIRE_FALSE(answers_match("1,18", "118"));
  REQUIRE_FALSE(answers_match("", "118"));
  REQUIRE_FALSE(answers_match("118 or 119", "118"));
  REQUIRE_FALSE(answers_match("1/0", "0"));
  REQUIRE_FALSE(answers_match("the answer is 118", "118"));
}

TEST_CASE("huge numbers compare exactly without overflow", "[rewards]") {
  const std::string huge = "1000000000000000000000000000000118";
  REQUIRE_FALSE(answers_match(huge, "118"));
  REQUIRE(answers_match(huge, huge));
  REQUIRE(answers_match(huge + ".000", huge));
  REQUIRE_FALSE(answers_match(huge, "1000000000000000000000000000000119"));
  REQUIRE_FALSE(answers_match("18446744073709551734", "118"));  // 2^64 + 118 must not wrap to 118
  REQUIRE_FALSE(answers_match(std::string(20000, '9'), "9"));
  REQUIRE(number_key("99999999999999999999/3"));  // long fractions are kept, not reduced
}

TEST_CASE("non-numeric answers match by normalised text", "[rewards]") {
  REQUIRE(answers_match("\\frac{\\pi}{2}", "\\dfrac{\\pi}{2}"));
  REQUIRE(answers_match(" ( 1 , 2 ) ", "(1,2)"));
  REQUIRE(answers_match("\\left( 1,2 \\right)", "(1,2)"));
  REQUIRE_FALSE(answers_match("(1,3)", "(1,2)"));
  REQUIRE(answer_key("18.0") == answer_key("$18"));
  REQUIRE(answer_key("0.5") == "1/2");
}

TEST_CASE("the answer comes from the answer tag, then boxed, then ####", "[rewards]") {
  auto a = extract_answer("<think> 3 + 4 = 7 </think> <answer> 7 </answer>");
  REQUIRE(a.found);
  REQUIRE(a.text == "7");
  REQUIRE(a.source == "tag");
  REQUIRE(extract_answer("<think>..</think><answer>so \\boxed{12}</answer>").text == "12");
  REQUIRE(extract_answer("<answer>work\n#### 1,234</answer>").text == "1,234");
  auto boxed = extract_answer("I think it is \\boxed{5}.");
  REQUIRE(boxed.found);
  REQUIRE(boxed.source == "boxed");
  REQUIRE(extract_answer("steps\n#### 9").text == "9");
  REQUIRE_FALSE(extract_answer("<think> no answer </think>").found);
  REQUIRE_FALSE(extract_answer("<think> x </think> <answer> 7").found);  // unclosed
  REQUIRE_FALSE(extract_answer("<answer>   </answer>").found);
  auto blocks = answer_blocks("<answer>1</answer> x <answer>2</answer>");
  REQUIRE(blocks == std::vector<std::string>{"1", "2"});
}

TEST_CASE("answer tag spam is ambiguous and never trusted", "[rewards]") {
  std::string spam;
  for (int i = 0; i < 200; ++i) spam += "<answer>" + std::to_string(i) + "</answer>";
  auto a = extract_answer("<think> guess </think> " + spam);
  REQUIRE(a.ambiguous);
  REQUIRE_FALSE(a.found);
  REQUIRE(extract_answer("<answer>7</answer><answer>7</answer>").ambiguous);
  REQUIRE(extract_answer("<answer>7</answer></answer>").ambiguous);
}
