// Query blocks of the fused causal attention kernel (see the header for why they change no result).
#include "r1/model/attention_blocks.h"

#include <algorithm>

namespace r1::model {

namespace {

constexpr int64_t kLaneWidth = 8;  // the kernel's float vectors

// The first key row i sees (its own position when it sees none before it).
int64_t first_visible_key(const float* mask_row, int64_t i) {
  int64_t j = 0;
  while (j < i && mask_row[j] == -__builtin_huge_valf()) ++j;
  return j;
}

// Rows [begin, end) of one chunk, split where no later row of the chunk sees a key before the split row.
void plan_chunk(const std::vector<int64_t>& first_key, int64_t begin, int64_t end, int64_t min_rows,
                std::vector<QueryBlock>* out) {
  const int64_t t = static_cast<int64_t>(first_key.size());
  std::vector<int64_t> later_min(end - begin + 1);  // later_min[i - begin] = min first_key over rows [i, end)
  later_min[end - begin] = end;
  for (int64_t i = end - 1; i >= begin; --i)
    later_min[i - begin] = std::min(first_key[i], later_min[i + 1 - begin]);
  auto emit = [&](int64_t start, int64_t stop) {
    const int64_t first = *std::min_element(first_key.begin() + start, first_key.begin() + stop);
    const int64_t score_end = std::min(t, (stop + kLaneWidth - 1) / kLaneWidth * kLaneWidth);
    out->push_back({start, stop - start, first / kLaneWidth * kLaneWidth, score_end});
  };
  int64_t start = begin;
  for (int64_t p = begin + 1; p < end; ++p) {
    if (p - start >= min_rows && later_min[p - begin] >= p) {
      emit(start, p);
      start = p;
    }
  }
  emit(start, end);
}

}  // namespace

std::vector<QueryBlock> plan_query_blocks(const float* mask, int64_t t, int64_t chunk_rows, int64_t min_rows) {
  std::vector<int64_t> first_key(t);
  for (int64_t i = 0; i < t; ++i) first_key[i] = first_visible_key(mask + i * t, i);
  std::vector<QueryBlock> blocks;
  for (int64_t begin = 0; begin < t; begin += chunk_rows)
    plan_chunk(first_key, begin, std::min(t, begin + chunk_rows), min_rows, &blocks);
  return blocks;
}

}  // namespace r1::model
