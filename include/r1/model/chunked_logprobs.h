// Log-probabilities of target tokens straight from hidden states and the output matrix, a chunk of tokens at a
// time, with a backward that recomputes each chunk's logits: neither pass keeps the [tokens, vocab] logits of the
// whole batch (with a 151,936-token vocabulary, one GRPO batch's float32 logits would be tens of GB). What it
// keeps for the backward: the inputs and one float32 log-sum-exp per token.
#pragma once
#include <torch/torch.h>

namespace r1::model {

struct ChunkedLogprobs {
  torch::Tensor logprobs;  // [N] float32, differentiable in hidden and weight
  torch::Tensor entropy;   // [N] float32, no gradient (only when asked for; else undefined)
};

// log softmax(hidden @ weight^T / temperature)[target] per row.
//   hidden [N, H], weight [V, H] (float32 parameters), targets [N] int64;
//   chunk_tokens: rows per chunk (each chunk's logits are [chunk_tokens, V]);
//   product_dtype: float32, or bfloat16 to run the products in bfloat16 as autocast would (softmax math and
//   the results stay float32).
ChunkedLogprobs chunked_token_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, double temperature, int64_t chunk_tokens,
                                       bool with_entropy, torch::ScalarType product_dtype = torch::kFloat32);

// Rows per chunk that keep one chunk's float32 logits near `budget_elements` (default 16M = 64 MB).
int64_t logits_chunk_rows(int64_t vocab, int64_t budget_elements = int64_t{1} << 24);

}  // namespace r1::model
