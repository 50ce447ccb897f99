// Token rows for language-model training: examples (token ids + which tokens carry loss) packed into rows of a
// fixed length with segment ids (block-diagonal attention, positions restarting per example), or one example
// per row (padding). Targets are next-token ids, -1 where no loss applies.
#pragma once
#include <cstdint>
#include <vector>

namespace r1 {

struct TokenExample {
  std::vector<int> tokens;
  std::vector<std::uint8_t> loss;  // loss[t] = 1: tokens[t] is predicted (from tokens[t-1]) with loss
};

struct TokenRow {
  std::vector<int> tokens;    // length L (packed: seq_len; unpacked: the example's length)
  std::vector<int> targets;   // next-token targets, -1 = no loss
  std::vector<int> segments;  // example index within the row; padding continues the last segment's id + 1
  std::int64_t loss_tokens() const;
};

struct PackStats {
  std::int64_t examples = 0, truncated = 0, rows = 0, tokens = 0, padding = 0;
};

// Packing: every example whole in one row (best fit over a window of 64 open rows, so little padding is left;
// an example longer than seq_len is cut to seq_len and counted as truncated), rows padded with pad_id. Without
// packing: one row per example (cut to seq_len), unpadded (collation pads a micro-batch to its longest row).
std::vector<TokenRow> make_token_rows(const std::vector<TokenExample>& examples, int seq_len, bool packing, int pad_id,
                                      PackStats* stats = nullptr);

// Pads rows to a common length (the longest) for one micro-batch; targets -1 and a fresh segment on padding.
std::vector<TokenRow> pad_rows(const std::vector<const TokenRow*>& rows, int pad_id);

}  // namespace r1
