// The query blocks the fused causal attention kernel walks, and the keys each block reads.
//
// Rows are taken in chunks of up to 64 (a chunk's scores stay in L2 between the two products). Within a chunk, a
// row where a new packed segment starts (no later row of the chunk sees a key before it) splits the chunk, and
// every block reads only the keys from the leftmost one its rows see (rounded down to a multiple of 8) to its last
// row. A key a block skips is masked for all its rows, so every skipped term of a sum is an exact zero; keys seen
// by rows on both sides of a split cannot exist (rows see no key after their own position); and 8-aligned score
// columns keep every score and every row's vector lanes as they were (the small GEMM computes a column's score
// in a vector lane or, in a tail of fewer than 8 columns, in scalar code that rounds differently): planned blocks
// give bit-for-bit the results of whole chunks over all keys, with the work of packed rows cut to about the sum
// of their segments' triangles.
#pragma once
#include <cstdint>
#include <vector>

namespace r1::model {

struct QueryBlock {
  int64_t first_row;  // query rows [first_row, first_row + rows)
  int64_t rows;
  int64_t first_key;  // keys [first_key, first_row + rows), first_key a multiple of 8
  int64_t score_end;  // score products compute key columns [first_key, score_end): the row end rounded up to a
                      // multiple of 8, at most t (a chunk of 64 rows ends on a multiple of 8 already)
  // Keys the block reads: [first_key, first_row + rows).
  int64_t keys() const { return first_row + rows - first_key; }
};

// The blocks of t query rows in order, for an additive mask [t, t] (row-major; -inf = masked; only entries on and
// below the diagonal are read). chunk_rows: the largest block; min_rows: no split leaves fewer rows before it in
// its block (left padding makes every pad row a possible split).
std::vector<QueryBlock> plan_query_blocks(const float* mask, int64_t t, int64_t chunk_rows, int64_t min_rows);

}  // namespace r1::model
