// Preallocated key/value cache for batched decoding. Values are stored per layer as [B, kv_heads, capacity,
// head_dim]; keys transposed, as [B, kv_heads, head_dim, capacity], so that the decode-step attention kernel
// scores many keys at once with vertical vector operations (see fused_ops.h). All rows share one column index
// (prompts are left-padded), so a decode step writes one column for every row. The element type is the options'
// dtype: appended keys/values are rounded to it (round to nearest even for bfloat16).
#pragma once
#include <torch/torch.h>

namespace r1::model {

class KvCache {
 public:
  KvCache(int64_t layers, int64_t batch, int64_t kv_heads, int64_t capacity, int64_t head_dim,
          torch::TensorOptions options);
  // Writes k, v [B, kvH, T, D] at columns [length, length + T) of `layer`; returns the keys and values of
  // columns [0, length + T) as views [B, kvH, S, D] (the keys' view has stride 1 along S).
  std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v);
  // Call once per forward after every layer appended T columns.
  void advance(int64_t t) { length_ += t; }
  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }
  int64_t batch() const { return batch_; }
  // Keeps only the given rows (e.g. drop finished sequences); rows: int64 indices on the cache's device.
  void select_rows(const torch::Tensor& rows);

 private:
  std::vector<torch::Tensor> k_, v_;
  int64_t length_ = 0, capacity_, batch_;
};

}  // namespace r1::model
