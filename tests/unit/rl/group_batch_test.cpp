// GroupBatch bookkeeping: which rank holds which group, global <-> local rows, dynamic-sampling rounds and
// truncation, and the row statistics gathered from a rollout.
#include <catch2/catch.hpp>

#include "r1/dist/world.h"
#include "r1/rl/group_batch.h"

using namespace r1;
using rl::GroupBatch;
using rl::RowStat;

namespace {

// A rollout of `groups` prompts x G samples whose completions have 1 + k tokens (k = the prompt index), tagged by
// prompt id "p<tag + k>" so tests can see which groups were kept.
rl::Rollout fake_rollout(int groups, int g, int tag) {
  rl::Rollout r;
  r.group_size = g;
  for (int k = 0; k < groups; ++k) {
    PromptExample ex;
    ex.id = "p" + std::to_string(tag + k);
    r.prompts.push_back(ex);
    r.prompt_texts.push_back(ex.id);
    r.prompt_tokens.push_back({1, 2});
    for (int j = 0; j < g; ++j) {
      rl::RolloutSample s;
      s.prompt_index = static_cast<size_t>(k);
      s.completion.tokens.assign(static_cast<size_t>(1 + k), 5);
      s.completion.finish = generate::FinishReason::kEos;
      r.samples.push_back(s);
    }
  }
  return r;
}

// Row stats whose reward is the global row index (so rows can be recognised after reordering).
std::vector<RowStat> numbered_stats(size_t rows, double base) {
  std::vector<RowStat> out(rows);
  for (size_t i = 0; i < rows; ++i) out[i].reward = base + static_cast<double>(i);
  return out;
}

}  // namespace

TEST_CASE("GroupBatch: one rank of two holds its own groups and maps rows both ways", "[rl]") {
  // G = 2, 2 prompts per rank: a round has 4 groups, ranks 0 and 1 own groups {0, 1} and {2, 3}. This is rank 1.
  GroupBatch batch(2, /*rank=*/1, /*world_size=*/2, /*prompts_per_rank=*/2);
  batch.add_round(fake_rollout(2, 2, 100), numbered_stats(8, 0), {true, true, true, true});
  REQUIRE(batch.groups() == 4);
  REQUIRE(batch.rows() == 8);
  REQUIRE(batch.local_rows() == 4);
  // Local rows 0..3 are groups 2 and 3: global rows 4..7.
  for (size_t l = 0; l < 4; ++l) REQUIRE(batch.global_row(l) == 4 + l);
  REQUIRE(batch.rows_of_group(3) == std::vector<size_t>{6, 7});
  // A minibatch of global rows: only this rank's rows, in minibatch order, as local indices.
  REQUIRE(batch.local_rows_of({7, 0, 4, 3, 5}) == std::vector<size_t>{3, 0, 1});
  REQUIRE(batch.stats()[5].reward == 5.0);
  REQUIRE(batch.first_round().size() == 8);
}

TEST_CASE("GroupBatch: dynamic-sampling rounds keep chosen groups, in global order, then truncate", "[rl]") {
  // Rank 0 of 2, G = 2, 2 prompts per rank (4 groups a round).
  GroupBatch batch(2, /*rank=*/0, /*world_size=*/2, /*prompts_per_rank=*/2);
  // Round 1 keeps group 1 (rank 0's second) and group 2 (rank 1's first).
  batch.add_round(fake_rollout(2, 2, 0), numbered_stats(8, 0), {false, true, true, false});
  REQUIRE(batch.groups() == 2);
  REQUIRE(batch.local_rows() == 2);
  REQUIRE(batch.local().prompts.size() == 1);
  REQUIRE(batch.local().prompts[0].id == "p1");
  REQUIRE(batch.stats()[0].reward == 2.0);  // group 1's first row
  REQUIRE(batch.stats()[2].reward == 4.0);  // group 2's first row
  // Round 2 keeps groups 0 and 3: rank 0 gets its group 0 (prompt p10) as its second local group.
  batch.add_round(fake_rollout(2, 2, 10), numbered_stats(8, 100), {true, false, false, true});
  REQUIRE(batch.groups() == 4);
  REQUIRE(batch.local().prompts.size() == 2);
  REQUIRE(batch.local().prompts[1].id == "p10");
  REQUIRE(batch.global_row(2) == 4);  // local group 1 is global group 2
  REQUIRE(batch.global_row(3) == 5);
  REQUIRE(batch.stats()[4].reward == 100.0);
  REQUIRE(batch.first_round().front().reward == 0.0);  // the first round is kept for metrics, whole
  REQUIRE(batch.first_round().size() == 8);
  // Truncating to 3 groups drops global group 3 (rank 1's): rank 0 keeps both of its groups.
  batch.truncate(3);
  REQUIRE(batch.groups() == 3);
  REQUIRE(batch.rows() == 6);
  REQUIRE(batch.local_rows() == 4);
  // Truncating to 1 leaves rank 0 only its first group.
  batch.truncate(1);
  REQUIRE(batch.local_rows() == 2);
  REQUIRE(batch.local().prompts[0].id == "p1");
  REQUIRE(batch.local_rows_of({0, 1}) == std::vector<size_t>{0, 1});
}

TEST_CASE("gather_row_stats: rewards, verdicts, lengths and loss tokens of every row", "[rl]") {
  rl::Rollout r = fake_rollout(2, 2, 0);
  for (size_t i = 0; i < r.samples.size(); ++i) {
    auto& s = r.samples[i];
    s.outcome.total = 0.5 * static_cast<double>(i);
    s.outcome.correct = i % 2 == 0;
    s.outcome.components = {static_cast<double>(i), -1.0};
  }
  r.samples[3].completion.finish = generate::FinishReason::kLength;  // truncated
  auto masked = rl::gather_row_stats(dist::world(), r, /*mask_truncated=*/true, 2);
  REQUIRE(masked.size() == 4);
  REQUIRE(masked[2].reward == 1.0);
  REQUIRE(masked[2].correct == 1.0);
  REQUIRE(masked[1].correct == 0.0);
  REQUIRE(masked[3].length == 2.0);
  REQUIRE(masked[3].truncated == 1.0);
  REQUIRE(masked[3].active == 0.0);  // no loss on a truncated row
  REQUIRE(masked[2].components == std::vector<double>{2.0, -1.0});
  auto kept = rl::gather_row_stats(dist::world(), r, /*mask_truncated=*/false, 2);
  REQUIRE(kept[3].active == 2.0);
  REQUIRE(rl::rewards_of(kept) == std::vector<double>{0.0, 0.5, 1.0, 1.5});
}
