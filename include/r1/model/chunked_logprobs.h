// Log-probabilities of target tokens straight from hidden states and the output matrix, one [rows, cols] tile of
// logits at a time (a chunk of tokens against a tile of the vocabulary, with an online log-sum-exp across tiles),
// with a backward that recomputes each tile: neither pass keeps the [tokens, vocab] logits of the whole batch (with
// a 151,936-token vocabulary, one GRPO batch's float32 logits would be tens of GB), nor even one chunk's
// [rows, vocab]. What it keeps for the backward: the inputs and one float32 log-sum-exp per token.
#pragma once
#include <torch/torch.h>

#include "r1/model/logits_budget.h"

namespace r1::model {

struct ChunkedLogprobs {
  torch::Tensor logprobs;  // [N] float32, differentiable in hidden and weight
  torch::Tensor entropy;   // [N] float32, no gradient (only when asked for; else undefined)
};

// The logits computed at once: `rows` tokens against `cols` vocabulary entries.
struct LogitsBlock {
  int64_t rows = 1;
  int64_t cols = 1;
};

// log softmax(hidden @ weight^T / temperature)[target] per row.
//   hidden [N, H], weight [V, H] (float32 parameters), targets [N] int64 in [0, V);
//   block: the tile of logits computed at once ([block.rows, block.cols], both clamped to the inputs);
//   product_dtype: float32, or bfloat16 to run the products in bfloat16 as autocast would (softmax math and
//   the results stay float32).
ChunkedLogprobs chunked_token_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, double temperature, const LogitsBlock& block,
                                       bool with_entropy, torch::ScalarType product_dtype = torch::kFloat32);

// A tile of about `budget_elements` logits (default 4M = 16 MB in float32): min(vocab, kMaxTileColumns) columns
// (the output matrix is read once per chunk of tokens, so chunks of hundreds of tokens keep re-reading it cheap).
LogitsBlock logits_block(int64_t vocab, int64_t budget_elements = kChunkedTileBudget);

// Rows whose whole-vocabulary float32 logits fit in `budget_elements`; at least one.
int64_t logits_chunk_rows(int64_t vocab, int64_t budget_elements);

}  // namespace r1::model
