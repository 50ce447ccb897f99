// Preallocated KV cache.
#include "r1/model/kv_cache.h"

#include "r1/util/error.h"

namespace r1::model {

KvCache::KvCache(int64_t layers, int64_t batch, int64_t kv_heads, int64_t capacity, int64_t head_dim,
                 torch::TensorOptions options)
    : capacity_(capacity), batch_(batch) {
  for (int64_t l = 0; l < layers; ++l) {
    k_.push_back(torch::empty({batch, kv_heads, head_dim, capacity}, options));
    v_.push_back(torch::empty({batch, kv_heads, capacity, head_dim}, options));
  }
}

std::pair<torch::Tensor, torch::Tensor> KvCache::append(int64_t layer, const torch::Tensor& k, const torch::Tensor& v) {
  int64_t t = k.size(2);
  if (length_ + t > capacity_)
    throw RuntimeFailure("KV cache overflow: " + std::to_string(length_ + t) + " > capacity " +
                         std::to_string(capacity_));
  auto& kc = k_[layer];
  auto& vc = v_[layer];
  kc.narrow(3, length_, t).copy_(k.transpose(2, 3));
  vc.narrow(2, length_, t).copy_(v);
  return {kc.narrow(3, 0, length_ + t).transpose(2, 3), vc.narrow(2, 0, length_ + t)};
}

void KvCache::select_rows(const torch::Tensor& rows) {
  for (auto& k : k_) k = k.index_select(0, rows);
  for (auto& v : v_) v = v.index_select(0, rows);
  batch_ = rows.size(0);
}

}  // namespace r1::model
