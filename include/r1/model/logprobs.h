// Per-token log-probabilities (and entropies) of target tokens from hidden states. Up to `logits_budget` logits
// (16M elements, 64 MB in float32) the [rows, T, vocab] logits are computed at once and kept for the backward;
// beyond it, in tiles of at most kChunkedTileBudget logits (a chunk of tokens against a tile of the vocabulary)
// whose logits the backward recomputes (chunked_logprobs.h), so memory does not grow with vocab x tokens.
#pragma once
#include <torch/torch.h>

#include "r1/model/logits_budget.h"
#include "r1/model/transformer.h"

namespace r1::model {


struct TokenLogprobs {
  torch::Tensor logprobs;  // [N, T] float32: log pi(target_t | prefix) at temperature
  torch::Tensor entropy;   // [N, T] float32 (only when asked for; else undefined)
};

// hidden [N, T, H] (position t predicts targets[:, t]); targets [N, T] int64.
// logits are divided by `temperature` first (the policy GRPO samples from is softmax(logits / T)).
TokenLogprobs token_logprobs(TransformerImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets,
                             double temperature = 1.0, bool with_entropy = false,
                             int64_t logits_budget = kWholeLogitsBudget);

// Hidden states of a plain causal forward of right-padded rows tokens [N, L] (positions 0..L-1).
torch::Tensor causal_hidden(TransformerImpl& model, const torch::Tensor& tokens);

}  // namespace r1::model
