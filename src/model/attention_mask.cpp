// Attention mask builders.
#include "r1/model/attention_mask.h"

#include <limits>

namespace r1::model {

namespace {
torch::Tensor to_additive(const torch::Tensor& allowed) {
  auto zeros = torch::zeros(allowed.sizes(), torch::TensorOptions().dtype(torch::kFloat32).device(allowed.device()));
  return zeros.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
}
}  // namespace

torch::Tensor causal_mask(int64_t t, const torch::Device& device) {
  auto allowed = torch::ones({t, t}, torch::TensorOptions().dtype(torch::kBool).device(device)).tril();
  return to_additive(allowed).view({1, 1, t, t});
}

torch::Tensor padded_causal_mask(const torch::Tensor& key_valid, int64_t offset) {
  int64_t b = key_valid.size(0), s = key_valid.size(1), t = s - offset;
  auto opts = torch::TensorOptions().dtype(torch::kInt64).device(key_valid.device());
  auto q_col = torch::arange(offset, s, opts).view({t, 1});  // [T, 1]
  auto k_col = torch::arange(0, s, opts).view({1, s});       // [1, S]
  auto causal = k_col.le(q_col);                              // [T, S]
  auto self = k_col.eq(q_col);
  auto allowed = causal.unsqueeze(0).logical_and(key_valid.view({b, 1, s})).logical_or(self.unsqueeze(0));  // [B, T, S]
  return to_additive(allowed).unsqueeze(1);
}

torch::Tensor packed_causal_mask(const torch::Tensor& segment_ids) {
  int64_t t = segment_ids.size(1);
  auto same = segment_ids.unsqueeze(2).eq(segment_ids.unsqueeze(1));  // [B, T, T]
  auto causal = torch::ones({t, t}, torch::TensorOptions().dtype(torch::kBool).device(segment_ids.device())).tril();
  return to_additive(same.logical_and(causal.unsqueeze(0))).unsqueeze(1);
}

torch::Tensor packed_positions(const torch::Tensor& segment_ids) {
  // position = index - index of the segment's first token.
  int64_t b = segment_ids.size(0), t = segment_ids.size(1);
  auto idx = torch::arange(t, segment_ids.options()).expand({b, t});
  auto starts = torch::ones({b, t}, segment_ids.options().dtype(torch::kBool));
  if (t > 1) starts.narrow(1, 1, t - 1).copy_(segment_ids.narrow(1, 1, t - 1).ne(segment_ids.narrow(1, 0, t - 1)));
  auto start_idx = torch::where(starts, idx, torch::zeros_like(idx));
  start_idx = std::get<0>(start_idx.cummax(1));
  return idx - start_idx;
}

}  // namespace r1::model
