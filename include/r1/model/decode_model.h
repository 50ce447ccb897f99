// The inference-only forward the sampler runs: a snapshot of a Transformer's weights in a fused layout and a
// forward over the KV cache with few, large ops. Per layer, q/k/v are one [q + 2 kv, hidden] matrix and
// gate/up one SwiGLU product; each RMSNorm weight is folded into the matrix after it (W diag(g)), the final
// norm's into the LM head, and 1/sqrt(head_dim) into the q rows; the products run on weights packed once per
// DecodeModel (model::PackedLinear), with the RMSNorm's per-row factor, the residual adds and the SwiGLU gating
// in their epilogues. The HF-named parameters of the Transformer stay the source of truth: build a DecodeModel
// per generate() call (it is stale after an optimizer step, and reads the embedding rows from the model's own
// weight rather than a copy). Numerically equal to TransformerImpl::hidden + logits up to float rounding.
#pragma once
#include <vector>

#include <torch/torch.h>

#include "r1/model/kv_cache.h"
#include "r1/model/packed_linear.h"
#include "r1/model/transformer.h"

namespace r1::model {

class DecodeModel {
 public:
  explicit DecodeModel(const TransformerImpl& model);

  // Logits [B, V] (float32) of the last position of each row of tokens [B, T]; positions [B, T];
  // mask additive [B|1, 1, T, S]. With a cache, this forward's keys/values are appended (and the cache
  // advanced by T); without, S == T.
  torch::Tensor last_logits(const torch::Tensor& tokens, const torch::Tensor& positions, const torch::Tensor& mask,
                            KvCache* cache = nullptr);
  // The same in two parts, so a caller can run the LM head on a few rows at a time: the residual stream [B, hidden]
  // of the last position (before the final norm), and the logits [rows, V] (float32) of some of its rows.
  torch::Tensor last_hidden(const torch::Tensor& tokens, const torch::Tensor& positions, const torch::Tensor& mask,
                            KvCache* cache = nullptr);
  torch::Tensor logits(const torch::Tensor& last_hidden) const;

 private:
  struct Layer {
    PackedLinear qkv, o, down;  // qkv: [q + 2 kv, hidden] with the input norm and 1/sqrt(head_dim) folded in
    PackedSwiGlu gate_up;       // the post-attention norm folded in
    torch::Tensor qkv_b;        // [q + 2 kv]; undefined without qkv bias
  };
  const TransformerImpl& model_;
  std::vector<Layer> layers_;
  torch::Tensor embed_;  // [V, hidden]: the model's own weight (a row lookup needs no copy)
  PackedLinear head_;    // [V, hidden] with the final norm folded in
  int64_t heads_, kv_heads_, head_dim_;
  double eps_;
};

}  // namespace r1::model
