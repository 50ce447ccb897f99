// Rotary position embeddings, Hugging Face "rotate-half" layout: the first and second halves of each head
// vector form the (x, y) pairs; q' = q * cos + rotate_half(q) * sin. HF Llama/Qwen2 checkpoints use this
// layout for q_proj/k_proj, so their weights load unchanged. RoPE scaling (config.json's rope_scaling, see
// rope_scaling.h) changes the frequencies and multiplies cos and sin by the attention scaling, as HF does.
#pragma once
#include <torch/torch.h>

#include "r1/config/model_config.h"

namespace r1::model {

class Rotary {
 public:
  Rotary() = default;
  // max_positions: the model's max_position_embeddings (the table's length, and dynamic scaling's threshold).
  Rotary(int64_t head_dim, int64_t max_positions, double theta, const config::RopeScaling& scaling = {});
  // Tables for positions [B, T] -> cos, sin of shape [B, 1, T, head_dim/2] on `like`'s device and dtype.
  // Dynamic scaling: when max(positions) + 1 exceeds max_positions, the frequencies for that length are used (as
  // transformers' dynamic_rope_update does), computed for these positions only.
  std::pair<torch::Tensor, torch::Tensor> tables(const torch::Tensor& positions, const torch::Tensor& like) const;
  // Applies the rotation to x [B, H, T, D] with tables from tables().
  static torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
  int64_t max_positions() const { return max_positions_; }
  // The cos/sin multiplier (1 except for yarn).
  double attention_scaling() const { return attention_scaling_; }
  // Moves the tables to a device (called when the model moves).
  void to(const torch::Device& device);

 private:
  // cos, sin [N, head_dim/2] float32 (times the attention scaling) of positions [N] with inverse frequencies `inv`.
  std::pair<torch::Tensor, torch::Tensor> angles_cos_sin(const torch::Tensor& positions,
                                                         const std::vector<double>& inv) const;

  torch::Tensor cos_, sin_;  // [max_positions, head_dim/2], float32, times attention_scaling_
  int64_t max_positions_ = 0;
  int64_t head_dim_ = 0;
  double theta_ = 10000.0;
  double attention_scaling_ = 1.0;
  config::RopeScaling scaling_;
};

}  // namespace r1::model
