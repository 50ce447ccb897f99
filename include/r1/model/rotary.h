// Rotary position embeddings, Hugging Face "rotate-half" layout: the first and second halves of each head
// vector form the (x, y) pairs; q' = q * cos + rotate_half(q) * sin. HF Llama/Qwen2 checkpoints use this
// layout for q_proj/k_proj, so their weights load unchanged.
#pragma once
#include <torch/torch.h>

namespace r1::model {

class Rotary {
 public:
  Rotary() = default;
  Rotary(int64_t head_dim, int64_t max_positions, double theta);
  // Tables for positions [B, T] -> cos, sin of shape [B, 1, T, head_dim/2] on `like`'s device and dtype.
  std::pair<torch::Tensor, torch::Tensor> tables(const torch::Tensor& positions, const torch::Tensor& like) const;
  // Applies the rotation to x [B, H, T, D] with tables from tables().
  static torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
  int64_t max_positions() const { return max_positions_; }
  // Moves the tables to a device (called when the model moves).
  void to(const torch::Device& device);

 private:
  torch::Tensor cos_, sin_;  // [max_positions, head_dim/2], float32
  int64_t max_positions_ = 0;
};

}  // namespace r1::model
