// Chunked per-token log-probs.
#include "r1/model/logprobs.h"

#include <algorithm>

#include "r1/model/attention_mask.h"
#include "r1/model/chunked_logprobs.h"

namespace r1::model {

TokenLogprobs token_logprobs(TransformerImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets,
                             double temperature, bool with_entropy, int64_t logits_budget) {
  const int64_t n = hidden.size(0), t = hidden.size(1), v = model.vocab_size();
  TokenLogprobs out;
  if (n * t * v > logits_budget) {
    // More logits than the budget: tiles of at most 4M logits, recomputed in the backward (chunked_logprobs.h).
    const auto block = logits_block(v, std::min(logits_budget, kChunkedTileBudget));
    auto r = chunked_token_logprobs(hidden.reshape({n * t, -1}), model.output_weight(), targets.reshape({-1}),
                                    temperature, block, with_entropy, model.compute_dtype());
    out.logprobs = r.logprobs.view({n, t});
    if (with_entropy) out.entropy = r.entropy.view({n, t});
    return out;
  }
  auto logits = model.logits(hidden).to(torch::kFloat32);  // [N, T, V]: small enough to keep for the backward
  if (temperature != 1.0) logits = logits / temperature;
  auto logp = torch::log_softmax(logits, -1);
  out.logprobs = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1);  // [N, T]
  if (with_entropy) out.entropy = -(logp.exp() * logp).sum(-1).detach();
  return out;
}

torch::Tensor causal_hidden(TransformerImpl& model, const torch::Tensor& tokens) {
  int64_t b = tokens.size(0), l = tokens.size(1);
  auto positions = torch::arange(l, tokens.options()).expand({b, l});
  return model.hidden(tokens, positions, causal_mask(l, tokens.device()));
}

}  // namespace r1::model
