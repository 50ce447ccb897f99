// The curation checks of the data stages on crafted samples: code fences, long paragraphs, repetition, the
// de-duplication key, the <think>/<answer> split and the cold-start rewrite.
#include <catch2/catch.hpp>

#include <set>

#include "r1/config/data_stage_config.h"
#include "r1/data/sample_filters.h"
#include "r1/rewards/format_reward.h"

TEST_CASE("code blocks are fenced blocks only", "[stages]") {
  CHECK(r1::has_code_block("<think> try\n```python\nprint(3 + 4)\n```\n</think>"));
  CHECK(r1::has_code_block("```"));
  CHECK_FALSE(r1::has_code_block("use `x` inline, or ``y``"));
  CHECK_FALSE(r1::has_code_block("<think> 3 + 4 = 7 </think> <answer> 7 </answer>"));
  CHECK_FALSE(r1::has_code_block(""));
}

TEST_CASE("longest paragraph: blank-line separated, trimmed", "[stages]") {
  CHECK(r1::longest_paragraph("") == 0);
  CHECK(r1::longest_paragraph("abc") == 3);
  CHECK(r1::longest_paragraph("ab\n\n  abcdef  \n\nxyz") == 6);
  CHECK(r1::longest_paragraph("one line\nanother line") == 21);  // a single newline does not split
  CHECK(r1::longest_paragraph("a\n\n\n\nbb") == 2);
  std::string long_par(500, 'x');
  CHECK(r1::longest_paragraph("short\n\n" + long_par + "\n\nshort") == 500);
}

TEST_CASE("repeated 3-gram fraction", "[stages]") {
  CHECK(r1::repeated_ngram_fraction("") == 0.0);
  CHECK(r1::repeated_ngram_fraction("a b") == 0.0);                    // fewer than 3 words
  CHECK(r1::repeated_ngram_fraction("the cat sat on the mat") == 0.0);  // "the" repeats, no 3-gram does
  CHECK(r1::repeated_ngram_fraction("a b c a b c") == Approx(1.0 / 4));  // abc bca cab [abc]
  CHECK(r1::repeated_ngram_fraction("x x x x x") == Approx(2.0 / 3));    // xxx [xxx] [xxx]
  CHECK(r1::repeated_ngram_fraction("a  b\nc\ta b c") == Approx(1.0 / 4));  // any whitespace splits words
  CHECK(r1::repeated_ngram_fraction("a b a b", 2) == Approx(1.0 / 3));     // n = 2: ab ba [ab]
  // A degenerate loop is nearly all repeats; the default threshold 0.5 rejects it.
  std::string loop;
  for (int i = 0; i < 20; ++i) loop += "so the answer is ";
  CHECK(r1::repeated_ngram_fraction(loop) > 0.9);
}

TEST_CASE("normalize_for_dedupe: case, punctuation and whitespace only", "[stages]") {
  CHECK(r1::normalize_for_dedupe("Hello,  World!\n") == "hello world");
  CHECK(r1::normalize_for_dedupe("  The answer is: 7.  ") == "the answer is 7");
  CHECK(r1::normalize_for_dedupe("") == "");
  // Math symbols and tags survive, so different arithmetic stays different.
  CHECK(r1::normalize_for_dedupe("<answer> 3+4 = 7 </answer>") == "<answer> 3+4 = 7 </answer>");
  CHECK(r1::normalize_for_dedupe("3+4") != r1::normalize_for_dedupe("3-4"));
  CHECK(r1::normalize_for_dedupe("2*3") != r1::normalize_for_dedupe("2/3"));

  // De-duplication as the data stages do it: a set of normalised texts keeps the first of each group.
  const std::vector<std::string> samples = {
      "<think> 3 plus 4 is 7. </think> <answer> 7 </answer>",
      "<think>3 plus 4 is 7</think>\n<answer>7</answer>",            // no spaces around the tags: another key
      "<THINK> 3 Plus 4 is 7! </THINK>   <answer> 7 </answer>",      // case and punctuation: duplicate of [0]
      "<think> 3 plus 4 is 8. </think> <answer> 8 </answer>",        // different answer
      "<think>  3 plus 4 is 7 </think> <answer> 7 </answer>\n",      // whitespace: duplicate of [0]
  };
  std::set<std::string> seen;
  std::vector<size_t> kept;
  for (size_t i = 0; i < samples.size(); ++i)
    if (seen.insert(r1::normalize_for_dedupe(samples[i])).second) kept.push_back(i);
  CHECK(kept == std::vector<size_t>{0, 1, 3});
}

TEST_CASE("split_reasoning takes the first think block and the last answer", "[stages]") {
  auto p = r1::split_reasoning("<think>\n 3 + 4 = 7 \n</think>\n<answer> 7 </answer>");
  CHECK(p.reasoning == "3 + 4 = 7");
  CHECK(p.answer == "7");
  p = r1::split_reasoning("<think>a</think><think>b</think><answer>1</answer> then <answer>2</answer>");
  CHECK(p.reasoning == "a");
  CHECK(p.answer == "2");
  p = r1::split_reasoning("no tags at all, 7");
  CHECK(p.reasoning.empty());
  CHECK(p.answer.empty());
  p = r1::split_reasoning("<think> unterminated <answer> 5 </answer>");
  CHECK(p.reasoning.empty());
  CHECK(p.answer == "5");
  p = r1::split_reasoning("<think> ok </think> <answer> open");
  CHECK(p.reasoning == "ok");
  CHECK(p.answer.empty());
}

TEST_CASE("rewrite_cold_start fills the template with a summary in the prompt's language", "[stages]") {
  const std::string tmpl = "<think>\n{reasoning}\n</think>\n{summary}\n<answer>{answer}</answer>";
  r1::ReasoningParts parts{"3 + 4 = 7", "7"};
  CHECK(r1::rewrite_cold_start(tmpl, parts, "en") ==
        "<think>\n3 + 4 = 7\n</think>\nThe answer is 7.\n<answer>7</answer>");
  CHECK(r1::rewrite_cold_start(tmpl, parts, "es") ==
        "<think>\n3 + 4 = 7\n</think>\nLa respuesta es 7.\n<answer>7</answer>");
  // Every placeholder occurrence is replaced; text without placeholders is kept.
  CHECK(r1::rewrite_cold_start("{answer}|{answer}|{summary}", parts, "en") == "7|7|The answer is 7.");
  CHECK(r1::rewrite_cold_start("fixed", parts, "en") == "fixed");
  // The round trip: the rewrite's parts are the original parts.
  auto again = r1::split_reasoning(r1::rewrite_cold_start(tmpl, parts, "en"));
  CHECK(again.reasoning == parts.reasoning);
  CHECK(again.answer == parts.answer);
}

TEST_CASE("the default cold-start rewrite passes the strict format reward", "[stages]") {
  const std::string tmpl = r1::config::DataStageConfig{}.rewrite_template;
  r1::ReasoningParts parts{"3 + 4 = 7", "7"};
  for (const char* lang : {"en", "es"}) {
    const std::string out = r1::rewrite_cold_start(tmpl, parts, lang);
    CHECK(r1::format_reward(out, "strict") == 1.0);
    CHECK(r1::split_reasoning(out).answer == "7");
  }
}
