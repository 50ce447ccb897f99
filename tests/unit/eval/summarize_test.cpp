// eval::summarize and the pass@k estimator on hand-computed cases: pass@1 as the mean over samples, maj@k with
// ties and abstentions, the unbiased pass@k for n > k, format/language/length means, pass@1 by level.
#include <catch2/catch.hpp>

#include "r1/eval/evaluator.h"
#include "r1/rewards/eval_metrics.h"
#include "r1/rewards/number_match.h"
#include "r1/util/error.h"

namespace {
r1::eval::PromptSamples prompt(int level, std::vector<bool> correct, std::vector<std::string> answers,
                               std::vector<bool> formatted, std::vector<double> lang, std::vector<int> lengths) {
  r1::eval::PromptSamples p;
  p.level = level;
  p.correct = std::move(correct);
  p.answers = std::move(answers);
  p.formatted = std::move(formatted);
  p.language_consistency = std::move(lang);
  p.lengths = std::move(lengths);
  return p;
}
}  // namespace

TEST_CASE("pass_at_k is the unbiased estimator 1 - C(n-c,k)/C(n,k)", "[stages]") {
  CHECK(r1::pass_at_k(10, 3, 1) == Approx(0.3));
  CHECK(r1::pass_at_k(5, 2, 2) == Approx(1.0 - 3.0 / 10.0));     // C(3,2)/C(5,2)
  CHECK(r1::pass_at_k(8, 2, 3) == Approx(1.0 - 20.0 / 56.0));    // C(6,3)/C(8,3)
  CHECK(r1::pass_at_k(16, 1, 4) == Approx(4.0 / 16.0));          // one correct: k/n
  CHECK(r1::pass_at_k(4, 0, 2) == 0.0);
  CHECK(r1::pass_at_k(4, 3, 2) == 1.0);                          // n - c < k: always a hit
  CHECK(r1::pass_at_k(3, 1, 3) == 1.0);
  CHECK(r1::pass_at_k(4, 4, 4) == 1.0);
  CHECK_THROWS_AS(r1::pass_at_k(2, 1, 3), r1::RuntimeFailure);
  CHECK_THROWS_AS(r1::pass_at_k(4, 5, 1), r1::RuntimeFailure);
  CHECK_THROWS_AS(r1::pass_at_k(4, 1, 0), r1::RuntimeFailure);
}

TEST_CASE("majority vote: most votes, ties to the first answer, blanks abstain", "[stages]") {
  auto v = r1::majority_vote({"5", "3", "3", "5"});
  CHECK(v.key == r1::answer_key("5"));
  CHECK(v.votes == 2);
  CHECK(v.index == 0);
  v = r1::majority_vote({"9", "3", "3", "5"});
  CHECK(v.key == r1::answer_key("3"));
  CHECK(v.index == 1);
  v = r1::majority_vote({"", " ", "", "4"});
  CHECK(v.votes == 1);
  CHECK(v.index == 3);
  v = r1::majority_vote({"", ""});
  CHECK(v.index == -1);
  CHECK(v.key.empty());
  CHECK_FALSE(r1::majority_correct({"", ""}, {false, false}));
  CHECK(r1::majority_correct({"7", "8", "7"}, {true, false, true}));
  CHECK_FALSE(r1::majority_correct({"7", "8", "8"}, {true, false, false}));
  CHECK_THROWS_AS(r1::majority_correct({"7"}, {true, false}), r1::RuntimeFailure);
}

TEST_CASE("summarize: pass@1 over k samples, maj@k with a tie, pass@k for n > k, means, by level", "[stages]") {
  // Four samples per prompt, k = 2 (so pass@k uses the n = 4 > k estimator).
  std::vector<r1::eval::PromptSamples> ps;
  // Level 1: 2 of 4 correct; answers tie 2-2 and the first to appear ("5") is the wrong one.
  ps.push_back(prompt(1, {false, true, true, false}, {"5", "3", "3", "5"}, {true, true, false, false},
                      {1.0, 1.0, 0.5, 0.5}, {10, 20, 30, 40}));
  // Level 2: 3 of 4 correct; "7" wins 3-1.
  ps.push_back(prompt(2, {true, true, true, false}, {"7", "7", "7", "8"}, {true, true, true, true},
                      {1.0, 1.0, 1.0, 1.0}, {5, 5, 5, 5}));
  // Level 2: none correct; three abstain, the only answer ("1") is wrong.
  ps.push_back(prompt(2, {false, false, false, false}, {"", "", "1", ""}, {false, false, false, false},
                      {0.0, 0.25, 0.0, 0.0}, {64, 64, 64, 64}));
  auto r = r1::eval::summarize(ps, 2);
  CHECK(r.k == 2);
  CHECK(r.n_prompts == 3);
  CHECK(r.pass_at_1 == Approx((0.5 + 0.75 + 0.0) / 3));
  CHECK(r.maj_at_k == Approx(1.0 / 3));
  // pass@2: 1 - C(2,2)/C(4,2) = 5/6; n - c = 1 < 2 -> 1; c = 0 -> 0.
  CHECK(r.pass_at_k == Approx((5.0 / 6.0 + 1.0 + 0.0) / 3));
  CHECK(r.format_rate == Approx(6.0 / 12));
  CHECK(r.language_consistency == Approx((3.0 + 4.0 + 0.25) / 12));
  CHECK(r.mean_length == Approx((100.0 + 20.0 + 256.0) / 12));
  REQUIRE(r.pass_at_1_by_level.size() == 2);
  CHECK(r.pass_at_1_by_level.at(1) == Approx(0.5));
  CHECK(r.pass_at_1_by_level.at(2) == Approx((0.75 + 0.0) / 2));
  CHECK(r.greedy_accuracy == -1);

  // The JSON form has every eval.json key of DESIGN.md.
  auto j = r.to_json();
  for (const char* key : {"pass@1", "maj@k", "pass@k", "k", "format_rate", "language_consistency", "mean_length",
                          "n_prompts"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["pass@1"].get<double>() == Approx(r.pass_at_1));
  CHECK(j["pass@1_by_level"]["2"].get<double>() == Approx(0.375));
  CHECK(j["greedy_accuracy"].is_null());
}

TEST_CASE("summarize: with n = k, pass@k is any-correct and pass@1 the mean accuracy", "[stages]") {
  std::vector<r1::eval::PromptSamples> ps;
  ps.push_back(prompt(1, {true, false, false}, {"1", "2", "3"}, {true, true, true}, {1, 1, 1}, {1, 2, 3}));
  ps.push_back(prompt(1, {false, false, false}, {"2", "2", "3"}, {true, true, true}, {1, 1, 1}, {1, 2, 3}));
  auto r = r1::eval::summarize(ps, 3);
  CHECK(r.pass_at_1 == Approx((1.0 / 3 + 0.0) / 2));
  CHECK(r.pass_at_k == Approx(0.5));
  CHECK(r.maj_at_k == Approx(0.5));  // three-way tie: the first ("1") is correct; "2" wins the second, wrong
  CHECK(r.format_rate == 1.0);
  CHECK(r.mean_length == Approx(2.0));

  // Fewer samples than k: pass@k cannot be estimated and counts 0; no prompts: all zeros.
  auto short_r = r1::eval::summarize({prompt(1, {true}, {"1"}, {true}, {1}, {1})}, 2);
  CHECK(short_r.pass_at_1 == 1.0);
  CHECK(short_r.pass_at_k == 0.0);
  auto none = r1::eval::summarize({}, 4);
  CHECK(none.n_prompts == 0);
  CHECK(none.pass_at_1 == 0.0);
  CHECK(none.k == 4);
}
