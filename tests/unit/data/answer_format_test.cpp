// Gold-answer formats: #### and \boxed{} extraction, number clean-up.
#include <catch2/catch.hpp>

#include "r1/data/answer_format.h"

using namespace r1;

TEST_CASE("clean_number normalises plain numbers and rejects anything else", "[data]") {
  REQUIRE(clean_number("42") == std::optional<std::string>("42"));
  REQUIRE(clean_number(" 1,234 ") == std::optional<std::string>("1234"));
  REQUIRE(clean_number("109,200,000") == std::optional<std::string>("109200000"));
  REQUIRE(clean_number("+5") == std::optional<std::string>("5"));
  REQUIRE(clean_number("- 5") == std::optional<std::string>("-5"));
  REQUIRE(clean_number("4.0") == std::optional<std::string>("4"));
  REQUIRE(clean_number("4.") == std::optional<std::string>("4"));
  REQUIRE(clean_number("007.50") == std::optional<std::string>("7.5"));
  REQUIRE(clean_number(".5") == std::optional<std::string>("0.5"));
  REQUIRE(clean_number("-0") == std::optional<std::string>("0"));
  REQUIRE(clean_number("$18") == std::optional<std::string>("18"));
  REQUIRE(clean_number("123456789012345678901234567890") ==
          std::optional<std::string>("123456789012345678901234567890"));
  for (const char* bad : {"", "abc", "1,2", "12,34", "1234,567", ",5", "1.2.3", "5x", "1e5", ".", "--5", "1 2"})
    REQUIRE_FALSE(clean_number(bad));
}

TEST_CASE("#### and boxed{} extraction", "[data]") {
  REQUIRE(extract_hashes_answer("so 3 + 4 = 7\n#### 7") == std::optional<std::string>("7"));
  REQUIRE(extract_hashes_answer("#### 1\n#### 2\nmore") == std::optional<std::string>("2"));
  REQUIRE_FALSE(extract_hashes_answer("no marker"));
  REQUIRE(extract_boxed("x \\boxed{\\frac{1}{2}} y") == std::optional<std::string>("\\frac{1}{2}"));
  REQUIRE(extract_boxed("\\boxed{1} then \\boxed{ 2 }") == std::optional<std::string>("2"));
  REQUIRE(extract_boxed("\\fbox{9}") == std::optional<std::string>("9"));
  REQUIRE_FALSE(extract_boxed("\\boxed{unclosed"));
  REQUIRE_FALSE(extract_boxed("boxed 5"));
  REQUIRE(parse_gold_answer("work\n#### 1,080", "gsm8k") == std::optional<std::string>("1080"));
  REQUIRE(parse_gold_answer("  Paris ", "plain") == std::optional<std::string>("Paris"));
  REQUIRE(parse_gold_answer("\\boxed{3.50}", "boxed") == std::optional<std::string>("3.5"));
  REQUIRE_FALSE(parse_gold_answer("42", "gsm8k"));
  REQUIRE_FALSE(parse_gold_answer("#### ", "gsm8k"));
  REQUIRE_FALSE(parse_gold_answer("   ", "plain"));
}
