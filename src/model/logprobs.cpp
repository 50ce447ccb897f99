// Chunked per-token log-probs.
#include "r1/model/logprobs.h"

#include <algorithm>

#include "r1/model/attention_mask.h"

namespace r1::model {

TokenLogprobs token_logprobs(TransformerImpl& model, const torch::Tensor& hidden, const torch::Tensor& targets,
                             double temperature, bool with_entropy) {
  int64_t n = hidden.size(0), t = hidden.size(1), v = model.vocab_size();
  // Rows per chunk: keep one chunk's logits under ~16M elements.
  int64_t rows = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, t * v));
  std::vector<torch::Tensor> lps, ents;
  for (int64_t start = 0; start < n; start += rows) {
    int64_t len = std::min(rows, n - start);
    auto logits = model.logits(hidden.narrow(0, start, len)).to(torch::kFloat32);  // [r, T, V]
    if (temperature != 1.0) logits = logits / temperature;
    auto logp = torch::log_softmax(logits, -1);
    lps.push_back(logp.gather(-1, targets.narrow(0, start, len).unsqueeze(-1)).squeeze(-1));  // [r, T]
    if (with_entropy) ents.push_back(-(logp.exp() * logp).sum(-1));
  }
  TokenLogprobs out;
  out.logprobs = lps.size() == 1 ? lps[0] : torch::cat(lps, 0);
  if (with_entropy) out.entropy = ents.size() == 1 ? ents[0] : torch::cat(ents, 0);
  return out;
}

torch::Tensor causal_hidden(TransformerImpl& model, const torch::Tensor& tokens) {
  int64_t b = tokens.size(0), l = tokens.size(1);
  auto positions = torch::arange(l, tokens.options()).expand({b, l});
  return model.hidden(tokens, positions, causal_mask(l, tokens.device()));
}

}  // namespace r1::model
