// The fused attention kernel's query-block plan: whole 64-row chunks for a causal mask, splits where a packed
// segment starts, keys from the leftmost one a block sees (8-aligned), score columns 8-aligned up to T.
#include <catch2/catch.hpp>

#include "r1/model/attention_blocks.h"
#include "r1/model/attention_mask.h"

using r1::model::QueryBlock;
using r1::model::plan_query_blocks;

namespace {
// The plan of batch row 0 of an additive mask [B, 1, T, T].
std::vector<QueryBlock> plan_of(const torch::Tensor& mask, int64_t chunk = 64, int64_t min_rows = 8) {
  auto m = mask.contiguous();
  return plan_query_blocks(m.data_ptr<float>(), m.size(-1), chunk, min_rows);
}

void require_block(const QueryBlock& b, int64_t first_row, int64_t rows, int64_t first_key, int64_t score_end) {
  INFO("block rows [" << b.first_row << ", +" << b.rows << ") keys from " << b.first_key << " scores to "
                      << b.score_end);
  REQUIRE(b.first_row == first_row);
  REQUIRE(b.rows == rows);
  REQUIRE(b.first_key == first_key);
  REQUIRE(b.score_end == score_end);
}

// Segment ids [1, T] from segment lengths.
torch::Tensor segments(const std::vector<int64_t>& lengths) {
  int64_t t = 0;
  for (auto l : lengths) t += l;
  auto seg = torch::zeros({1, t}, torch::kInt64);
  int64_t at = 0, id = 0;
  for (auto l : lengths) {
    seg[0].narrow(0, at, l).fill_(id++);
    at += l;
  }
  return seg;
}
}  // namespace

TEST_CASE("plan_query_blocks: a causal mask gives whole 64-row chunks over all earlier keys", "[model]") {
  auto plan = plan_of(r1::model::causal_mask(150, torch::kCPU));
  REQUIRE(plan.size() == 3);
  require_block(plan[0], 0, 64, 0, 64);
  require_block(plan[1], 64, 64, 0, 128);
  require_block(plan[2], 128, 22, 0, 150);  // score columns stop at T, not at 152
}

TEST_CASE("plan_query_blocks: packed segments split chunks where they start and skip earlier segments' keys",
          "[model]") {
  // Segments [0, 30), [30, 100), [100, 105), [105, 140).
  auto plan = plan_of(r1::model::packed_causal_mask(segments({30, 70, 5, 35})));
  REQUIRE(plan.size() == 5);
  require_block(plan[0], 0, 30, 0, 32);     // rows of segment 0; scores rounded up to 32 columns
  require_block(plan[1], 30, 34, 24, 64);   // segment 1 from key 30, rounded down to 24
  require_block(plan[2], 64, 36, 24, 104);  // chunk 2 starts inside segment 1
  // Segment 2 has 5 rows: no split leaves fewer than min_rows before it, so rows 100..127 stay one block
  // (segment 3 starts at 105, only 5 rows after the block's start) and it reads keys from 100 (rounded: 96).
  require_block(plan[3], 100, 28, 96, 128);
  require_block(plan[4], 128, 12, 104, 140);
  // With min_rows 1 the short segment gets its own block.
  auto fine = plan_of(r1::model::packed_causal_mask(segments({30, 70, 5, 35})), 64, 1);
  REQUIRE(fine.size() == 6);
  require_block(fine[3], 100, 5, 96, 112);
  require_block(fine[4], 105, 23, 104, 128);
}

TEST_CASE("plan_query_blocks: a row that sees a key left of a split keeps the rows together", "[model]") {
  // Segments [0, 20), [20, 64) but row 40 also sees key 3: no split at 20 is possible (a later row sees key 3).
  auto mask = r1::model::packed_causal_mask(segments({20, 44}));
  mask[0][0][40][3] = 0.0f;
  auto plan = plan_of(mask);
  REQUIRE(plan.size() == 1);
  require_block(plan[0], 0, 64, 0, 64);
}

TEST_CASE("plan_query_blocks: left padding (pad rows see themselves only) groups pad rows by min_rows",
          "[model]") {
  auto valid = torch::ones({1, 40}, torch::kBool);
  valid[0].narrow(0, 0, 20).fill_(false);  // 20 pad positions, then the prompt
  auto plan = plan_of(r1::model::padded_causal_mask(valid, 0));
  REQUIRE(plan.size() == 3);
  require_block(plan[0], 0, 8, 0, 8);
  require_block(plan[1], 8, 8, 8, 16);
  require_block(plan[2], 16, 24, 16, 40);  // pad rows 16..19 and the prompt rows, keys from 16
}
