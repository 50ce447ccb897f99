// Format (strict/soft), language consistency (word lists, mixed text, edge cases) and length rewards.
#include <catch2/catch.hpp>

#include "r1/rewards/format_reward.h"
#include "r1/rewards/language_consistency.h"
#include "r1/rewards/language_words.h"
#include "r1/rewards/length_reward.h"
#include "r1/util/error.h"

using namespace r1;

TEST_CASE("strict format: think then answer, each tag once, nothing else", "[rewards]") {
  REQUIRE(format_reward("<think> 3 + 4 = 7 </think> <answer> 7 </answer>", "strict") == 1.0);
  REQUIRE(format_reward("<think>\nreason\n</think>\n<answer>\n7\n</answer>\n", "strict") == 1.0);
  REQUIRE(format_reward("  <think>r</think><answer>7</answer>  ", "strict") == 1.0);
  for (const char* bad : {
           "<think> r </think> The answer is 7.",                          // answer outside the tags
           "<think> r <answer> 7 </answer>",                               // no </think>
           "<think> r </think> <answer> 7",                                // unclosed answer
           "<think> r </think> <answer> 7 </answer> <answer> 7 </answer>",  // duplicated answer
           "<think> r </think> <think> s </think> <answer> 7 </answer>",   // duplicated think
           "<answer> 7 </answer> <think> r </think>",                      // wrong order
           "<think> r </think> so <answer> 7 </answer>",                   // text between
           "<think> r </think> <answer> 7 </answer> done",                 // text after
           "<think>   </think> <answer> 7 </answer>",                      // empty reasoning
           "<think> r </think> <answer>  </answer>",                       // empty answer
           "intro <think> r </think> <answer> 7 </answer>",                // text before
           "r </think> <answer> 7 </answer>",                              // no <think>
           ""}) {
    INFO(bad);
    REQUIRE(format_reward(bad, "strict") == 0.0);
  }
}

TEST_CASE("soft format: ordered tags with surrounding text, partial credit otherwise", "[rewards]") {
  REQUIRE(format_reward("<think> r </think> so <answer> 7 </answer> done", "soft") == 1.0);
  REQUIRE(format_reward("<think> r </think> <answer> 7 </answer>", "soft") == 1.0);
  REQUIRE(format_reward("<think> r <answer> 7 </answer>", "soft") == 0.75);
  REQUIRE(format_reward("<answer> 7 </answer> <think> r </think>", "soft") == 0.75);  // all four, wrong order
  REQUIRE(format_reward("<think> r </think> <answer> 7 </answer> <answer> 8 </answer>", "soft") == 0.5);
  REQUIRE(format_reward("no tags at all", "soft") == 0.0);
  std::string spam = "<think> r </think>";
  for (int i = 0; i < 50; ++i) spam += "<answer>1</answer>";
  REQUIRE(format_reward(spam, "soft") == 0.5);
  REQUIRE(format_reward(spam, "strict") == 0.0);
  REQUIRE_THROWS_AS(format_reward("x", "loose"), InputError);
}

TEST_CASE("language consistency counts target-language words in the reasoning", "[rewards]") {
  REQUIRE(language_consistency("<think> First, 3 + 4 = 7. So the answer is 7. </think> <answer> 7 </answer>",
                               "en") == 1.0);
  REQUIRE(language_consistency("<think> Primero, 3 + 4 = 7. Entonces la respuesta es 7. </think>", "es") == 1.0);
  REQUIRE(language_consistency("<think> Primero, 3 + 4 = 7. Entonces la respuesta es 7. </think>", "en") == 0.0);
  // Mixed: first, so, the, answer, is (en) vs luego, entonces (es) -> 5 of 7 for en.
  const std::string mixed = "<think> First, 3 + 4 = 7. Luego, 7 * 2 = 14. Entonces... so the answer is 14. </think>";
  LanguageCount c = count_language_words(reasoning_text(mixed), "en");
  REQUIRE(c.target == 5);
  REQUIRE(c.other == 2);
  REQUIRE(language_consistency(mixed, "en") == Approx(5.0 / 7.0));
  REQUIRE(language_consistency(mixed, "es") == Approx(2.0 / 7.0));
  // Only the reasoning counts: Spanish in the answer does not.
  REQUIRE(language_consistency("<think> so the answer is </think> <answer> la respuesta </answer>", "en") == 1.0);
}

TEST_CASE("language consistency: neutral, unlisted, other scripts, no words", "[rewards]") {
  // Words in both lists ("a", "no", "divide") and unlisted plain words ("zorblat", "x") are neutral.
  LanguageCount n = count_language_words("a no divide zorblat x", "en");
  REQUIRE(n.target == 0);
  REQUIRE(n.other == 0);
  REQUIRE(n.neutral == 5);
  REQUIRE(n.score() == 1.0);
  // No words at all (only numbers and symbols): nothing to be inconsistent about.
  REQUIRE(language_consistency("<think> 3 + 4 = 7 </think>", "es") == 1.0);
  REQUIRE(language_consistency("", "en") == 1.0);
  // Chinese characters are words of another script; each ideograph counts.
  LanguageCount zh = count_language_words("so the answer 是 七", "en");
  REQUIRE(zh.target == 3);
  REQUIRE(zh.other == 2);
  // An unlisted word with a Spanish-only letter is Spanish.
  REQUIRE(count_language_words("mañanita", "es").target == 1);
  REQUIRE(count_language_words("mañanita", "en").other == 1);
  // Case and accents: capitals are lowered, accented capitals too.
  REQUIRE(count_language_words("ENTONCES NÚMEROS", "es").target == 2);
  REQUIRE_THROWS_AS(count_language_words("x", "fr"), InputError);
}

TEST_CASE("reasoning text: think block, unclosed think, whole completion", "[rewards]") {
  REQUIRE(reasoning_text("<think> a </think> <answer> b </answer>") == " a ");
  REQUIRE(reasoning_text("<think> a <answer> b </answer>") == " a ");
  REQUIRE(reasoning_text("<think> a") == " a");
  REQUIRE(reasoning_text("a </think> b") == "a ");
  REQUIRE(reasoning_text("plain text") == "plain text");
  REQUIRE(split_words("Hello, World! 3x+4 it's") == std::vector<std::string>{"hello", "world", "x", "it", "s"});
  REQUIRE(is_language_word("respuesta", "es"));
  REQUIRE_FALSE(is_language_word("respuesta", "en"));
}

TEST_CASE("DAPO overlong penalty", "[rewards]") {
  // L_max = 100, L_cache = 20: free up to 80, linear to -1 at 100, -1 beyond.
  REQUIRE(overlong_penalty(10, 100, 20, false) == 0.0);
  REQUIRE(overlong_penalty(80, 100, 20, false) == 0.0);
  REQUIRE(overlong_penalty(90, 100, 20, false) == Approx(-0.5));
  REQUIRE(overlong_penalty(100, 100, 20, false) == Approx(-1.0));
  REQUIRE(overlong_penalty(101, 100, 20, false) == -1.0);
  REQUIRE(overlong_penalty(50, 100, 20, true) == -1.0);
  REQUIRE(overlong_penalty(100, 100, 0, false) == 0.0);
  REQUIRE(overlong_penalty(101, 100, 0, false) == -1.0);
  REQUIRE_THROWS_AS(overlong_penalty(1, 100, 100, false), InputError);
  REQUIRE_THROWS_AS(overlong_penalty(1, 0, 0, false), InputError);
}

TEST_CASE("cosine length scaling", "[rewards]") {
  REQUIRE(cosine_length_reward(0, 100, true, false) == Approx(1.0));
  REQUIRE(cosine_length_reward(100, 100, true, false) == Approx(0.5));
  REQUIRE(cosine_length_reward(50, 100, true, false) == Approx(0.75));
  REQUIRE(cosine_length_reward(0, 100, false, false) == Approx(-1.0));
  REQUIRE(cosine_length_reward(100, 100, false, false) == Approx(-0.5));
  REQUIRE(cosine_length_reward(20, 100, true, false) > cosine_length_reward(60, 100, true, false));  // shorter better
  REQUIRE(cosine_length_reward(60, 100, false, false) > cosine_length_reward(20, 100, false, false));  // longer less bad
  REQUIRE(cosine_length_reward(10, 100, true, true) == -1.0);
  REQUIRE(cosine_length_reward(101, 100, true, false) == -1.0);
}
