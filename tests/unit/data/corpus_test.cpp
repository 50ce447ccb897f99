// The base-model corpus: determinism, document kinds and rates, the exact R1-Zero format, mistakes,
// language switches, vocabulary coverage by the language word lists, train-split problems only.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "r1/data/corpus_generator.h"
#include "r1/data/expression.h"
#include "r1/data/prompt_source.h"
#include "r1/rewards/accuracy_reward.h"
#include "r1/rewards/format_reward.h"
#include "r1/rewards/language_consistency.h"
#include "r1/rewards/language_words.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

using namespace r1;

namespace {
config::CorpusConfig all_tasks(int n) {
  config::CorpusConfig cfg;
  cfg.tasks = {"arithmetic", "countdown", "linear"};
  cfg.levels = {1, 2, 3};
  cfg.n_docs = n;
  return cfg;
}
}  // namespace

TEST_CASE("the corpus is deterministic per seed", "[data]") {
  auto cfg = all_tasks(200);
  REQUIRE(generate_corpus(cfg, 1) == generate_corpus(cfg, 1));
  REQUIRE(generate_corpus(cfg, 1) != generate_corpus(cfg, 2));
  REQUIRE(generate_corpus(cfg, 1).size() == 200);
}

TEST_CASE("the corpus mixes document kinds at the configured rates, in both languages", "[data]") {
  auto cfg = all_tasks(3000);
  auto docs = generate_corpus_documents(cfg, 3);
  std::map<std::string, int> kinds, languages;
  int switched = 0, wrong = 0, solutions = 0;
  for (const auto& d : docs) {
    ++kinds[d.kind];
    ++languages[d.language];
    if (d.kind == "worked" || d.kind == "tagged" || d.kind == "malformed") {
      ++solutions;
      switched += d.switched;
      wrong += !d.correct;
    }
  }
  const double n = static_cast<double>(docs.size());
  REQUIRE(kinds["bare"] / n == Approx(cfg.bare_rate).margin(0.03));
  REQUIRE(kinds["prose"] / n == Approx(cfg.prose_rate).margin(0.03));
  double tagged_all = (kinds["tagged"] + kinds["malformed"]) / static_cast<double>(solutions);
  REQUIRE(tagged_all == Approx(cfg.tagged_rate).margin(0.04));
  REQUIRE(kinds["malformed"] / static_cast<double>(kinds["tagged"] + kinds["malformed"]) ==
          Approx(cfg.malformed_rate).margin(0.05));
  REQUIRE(switched / static_cast<double>(solutions) == Approx(cfg.switch_rate).margin(0.04));
  REQUIRE(wrong / static_cast<double>(solutions) == Approx(cfg.mistake_rate).margin(0.05));
  REQUIRE(languages["en"] / n == Approx(0.5).margin(0.04));
  REQUIRE(languages["es"] / n == Approx(0.5).margin(0.04));
}

TEST_CASE("tagged documents are exactly the r1-zero prompt plus a <think>/<answer> completion", "[data]") {
  auto docs = generate_corpus_documents(all_tasks(1500), 5);
  int tagged = 0, malformed = 0;
  for (const auto& d : docs) {
    if (d.kind != "tagged" && d.kind != "malformed") continue;
    std::string prefix = render_prompt("r1-zero", d.example.question) + " ";
    REQUIRE(starts_with(d.text, prefix));
    std::string completion = d.text.substr(prefix.size());
    REQUIRE(starts_with(completion, "<think> "));
    FormatCheck f = check_format(completion);
    AccuracyResult acc = score_accuracy(d.example, prefix, completion, "exact");
    if (d.kind == "tagged") {
      ++tagged;
      REQUIRE(f.strict);
      REQUIRE(ends_with(completion, " </answer>"));
      INFO(d.text);
      REQUIRE(acc.correct == d.correct);  // mistakes give wrong final answers, the rest verify
      // tinyzero scoring agrees on countdown (one line: "Assistant:" is followed by the whole completion)
      if (d.task == "countdown") REQUIRE((score_accuracy(d.example, prefix, completion, "tinyzero").score == 1.0) == d.correct);
    } else {
      ++malformed;
      REQUIRE_FALSE(f.strict);
    }
  }
  REQUIRE(tagged > 100);
  REQUIRE(malformed > 10);
}

TEST_CASE("corpus words are covered by the language lists, switches really mix languages", "[data]") {
  auto docs = generate_corpus_documents(all_tasks(1500), 8);
  int checked_switch = 0;
  for (const auto& d : docs) {
    if (d.kind == "bare") continue;
    std::string text = d.text;
    if (d.kind == "worked") text = d.text.substr(d.text.find('\n') + 1);
    if (d.kind == "tagged" || d.kind == "malformed") {
      // The completion after the r1-zero prompt (whose preamble itself mentions the tags).
      text = reasoning_text(d.text.substr(render_prompt("r1-zero", d.example.question).size() + 1));
      REQUIRE(split_words(text).size() >= 2);
    }
    if (d.kind == "prose" || !d.switched) {
      for (const auto& w : split_words(text)) {
        if (w == "x" || w == "ana" || w == "tom" || w == "mia" || w == "leo" || w == "eva" || w == "sam") continue;
        INFO(d.language << " word \"" << w << "\" in: " << text);
        REQUIRE(is_language_word(w, d.language));
      }
      REQUIRE(count_language_words(text, d.language).score() == 1.0);
    } else {
      ++checked_switch;
      INFO(d.kind << ": " << d.text);
      double lc = count_language_words(text, d.language).score();
      REQUIRE(lc > 0.0);
      REQUIRE(lc < 1.0);
    }
  }
  REQUIRE(checked_switch > 100);
}

TEST_CASE("the corpus only uses train-split problems", "[data]") {
  auto cfg = all_tasks(2000);
  cfg.tasks = {"arithmetic"};
  int bare_lines = 0;
  for (const auto& d : generate_corpus_documents(cfg, 13)) {
    if (!d.example.problem_key.empty()) REQUIRE_FALSE(in_eval_split(d.example));
    if (d.kind == "bare") {
      for (const auto& line : split(d.text, '\n')) {
        PromptExample ex;
        ex.task = "arithmetic";
        ex.problem_key = line.substr(0, line.rfind(" = "));
        REQUIRE(std::to_string(parse_expression(ex.problem_key).value()) == line.substr(line.rfind(" = ") + 3));
        REQUIRE_FALSE(in_eval_split(ex));
        ++bare_lines;
      }
    }
  }
  REQUIRE(bare_lines > 300);
}

TEST_CASE("load_corpus reads a file, one document per line", "[data]") {
  auto dir = std::filesystem::temp_directory_path() / ("r1_corpus_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "c.txt") << "first doc\n\nsecond doc\r\n";
  std::ofstream(dir / "empty.txt") << "\n \n";
  config::CorpusConfig cfg;
  cfg.file = (dir / "c.txt").string();
  REQUIRE(load_corpus(cfg, 1) == std::vector<std::string>{"first doc", "second doc"});
  cfg.file = (dir / "empty.txt").string();
  REQUIRE_THROWS_AS(load_corpus(cfg, 1), InputError);
  cfg.file = (dir / "missing.txt").string();
  REQUIRE_THROWS_AS(load_corpus(cfg, 1), InputError);
  config::CorpusConfig bad;
  bad.languages = {"fr"};
  REQUIRE_THROWS_AS(generate_corpus(bad, 1), InputError);
}

TEST_CASE("guesses are a conclusion without worked steps, right at guess_accuracy", "[data]") {
  config::CorpusConfig cfg;
  cfg.tasks = {"arithmetic"};
  cfg.levels = {1};
  cfg.n_docs = 3000;
  cfg.mistake_rate = 0.0;
  cfg.malformed_rate = 0.0;
  cfg.switch_rate = 0.0;
  cfg.verbal_rate = 0.0;
  cfg.guess_rate = 0.5;
  cfg.guess_accuracy = 0.25;
  cfg.template_name = "chat";
  int guesses = 0, solutions = 0, right_guesses = 0;
  for (const auto& d : generate_corpus_documents(cfg, 11)) {
    if (d.kind != "worked" && d.kind != "tagged") continue;
    ++solutions;
    const bool worked_step = d.text.find(" = ") != std::string::npos;  // every arithmetic step writes "a op b = c"
    if (!d.guess) {
      CHECK(worked_step);
      CHECK(d.correct);  // mistake_rate 0: worked solutions are right
      continue;
    }
    ++guesses;
    right_guesses += d.correct;
    CHECK_FALSE(worked_step);
    if (d.kind == "tagged") {
      const size_t at = d.text.find("<think>");
      const std::string completion = d.text.substr(at);
      CHECK(format_reward(completion, "strict") == 1.0);
      CHECK(score_accuracy(d.example, d.text.substr(0, at), completion, "exact").correct == d.correct);
    }
  }
  REQUIRE(guesses / static_cast<double>(solutions) == Approx(0.5).margin(0.04));
  REQUIRE(right_guesses / static_cast<double>(guesses) == Approx(0.25).margin(0.05));
  // guess_rate 0 draws nothing extra: the corpus is unchanged by the new keys' defaults.
  config::CorpusConfig plain = all_tasks(300), plain_guess_acc = all_tasks(300);
  plain_guess_acc.guess_accuracy = 0.9;
  REQUIRE(generate_corpus(plain, 4) == generate_corpus(plain_guess_acc, 4));
}
