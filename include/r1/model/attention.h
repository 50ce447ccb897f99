// Grouped-query self-attention with rotary embeddings and an optional KV cache (HF q/k/v/o_proj names).
#pragma once
#include <torch/torch.h>

#include "r1/config/model_config.h"
#include "r1/model/kv_cache.h"

namespace r1::model {

// softmax(q k^T / sqrt(D) + mask) v with grouped kv heads (kv head g serves q heads g*rep .. g*rep+rep-1).
// q [B, H, T, D], k/v [B, kvH, S, D], mask additive [B or 1, 1, T, S] -> [B, H, T, D].
torch::Tensor grouped_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& mask);

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const config::ModelConfig& cfg);
  // x [B, T, hidden]; cos/sin [B, 1, T, D/2]; mask [B|1, 1, T, S]; cache: append this layer's k/v.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, KvCache* cache, int64_t layer);

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};

 private:
  int64_t heads_, kv_heads_, head_dim_;
};
TORCH_MODULE(Attention);

}  // namespace r1::model
