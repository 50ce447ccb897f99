// Per-token log-probabilities (and entropies) of target tokens, computed from hidden states in row chunks so
// the [rows, T, vocab] logits of a large vocabulary are never materialised at once outside autograd.
#pragma once
#include <torch/torch.h>

#include "r1/model/transformer.h"

namespace r1::model {

struct TokenLogprobs {
  torch::Tensor logprobs;  // [N, T] float32: log pi(target_t | prefix) at temperature
  torch::Tensor entropy;   // [N, T] float32 (only when asked for; else undefined)
};

// hidden [N, T, H] (position t predicts targets[:, t]); targets [N, T] int64.
// logits are divided by `temperature` first (the policy GRPO samples from is softmax(logits / T)).
TokenLogprobs token_logprobs(TransformerImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets,
                             double temperature = 1.0, bool with_entropy = false);

// Hidden states of a plain causal forward of right-padded rows tokens [N, L] (positions 0..L-1).
torch::Tensor causal_hidden(TransformerImpl& model, const torch::Tensor& tokens);

}  // namespace r1::model
