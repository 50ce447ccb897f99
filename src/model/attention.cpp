// Grouped-query attention as matmul + masked softmax (LibTorch 1.13 has no fused SDPA).
#include "r1/model/attention.h"

#include <cmath>

#include "r1/model/causal_attention_kernel.h"
#include "r1/model/rotary.h"
#include "r1/model/train_kernels.h"

namespace r1::model {

torch::Tensor grouped_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& mask) {
  int64_t b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3);
  int64_t kvh = k.size(1), s = k.size(2), rep = h / kvh;
  double scale = 1.0 / std::sqrt(static_cast<double>(d));
  auto qg = q.reshape({b, kvh, rep * t, d});                              // [B, kvH, rep*T, D]
  auto scores = torch::matmul(qg, k.transpose(-1, -2)).mul_(scale);       // [B, kvH, rep*T, S]
  scores = scores.view({b, kvh, rep, t, s});
  scores = scores + mask.to(scores.scalar_type()).unsqueeze(2);           // mask [B|1, 1, 1, T, S]
  auto probs = torch::softmax(scores, -1, torch::kFloat32).to(v.scalar_type());
  auto out = torch::matmul(probs.view({b, kvh, rep * t, s}), v);          // [B, kvH, rep*T, D]
  return out.view({b, h, t, d});
}

namespace {
// Rotary embedding of x [B, T, heads, D] (a projection's output, viewed per head), same layout out; cos, sin
// [B, 1, T, D/2] from Rotary::tables. Contiguous (the fused kernel) on CPU float32, a transposed view otherwise.
torch::Tensor rotate_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  if (fused_cpu_ok(x) && fused_cpu_ok(cos) && fused_cpu_ok(sin)) {
    const int64_t b = x.size(0), t = x.size(1);
    return rotary_fused(x, cos.reshape({b, t, -1}), sin.reshape({b, t, -1}));
  }
  return Rotary::apply(x.transpose(1, 2), cos, sin).transpose(1, 2);
}
}  // namespace

AttentionImpl::AttentionImpl(const config::ModelConfig& cfg)
    : heads_(cfg.num_attention_heads), kv_heads_(cfg.kv_heads()), head_dim_(cfg.head_size()) {
  int64_t hidden = cfg.hidden_size;
  q_proj = register_module("q_proj", torch::nn::Linear(torch::nn::LinearOptions(hidden, heads_ * head_dim_).bias(cfg.qkv_bias)));
  k_proj = register_module("k_proj", torch::nn::Linear(torch::nn::LinearOptions(hidden, kv_heads_ * head_dim_).bias(cfg.qkv_bias)));
  v_proj = register_module("v_proj", torch::nn::Linear(torch::nn::LinearOptions(hidden, kv_heads_ * head_dim_).bias(cfg.qkv_bias)));
  o_proj = register_module("o_proj", torch::nn::Linear(torch::nn::LinearOptions(heads_ * head_dim_, hidden).bias(false)));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     const torch::Tensor& mask, KvCache* cache, int64_t layer) {
  int64_t b = x.size(0), t = x.size(1);
  if (!cache && fused_cpu_ok(x) && fused_cpu_ok(cos) && fused_cpu_ok(sin) && mask.size(-1) == t) {
    // A whole sequence on CPU: one product for q, k and v, then the fused rotary split and causal kernels, in the
    // projections' layout throughout.
    auto qkv = torch::linear(x, packed_rows({q_proj->weight, k_proj->weight, v_proj->weight}),
                             packed_rows({q_proj->bias, k_proj->bias, v_proj->bias}));  // [B, T, (H + 2 kvH) * D]
    auto parts = split_qkv_rotary_fused(qkv, cos.reshape({b, t, -1}), sin.reshape({b, t, -1}), heads_, kv_heads_);
    return o_proj(causal_attention_fused(parts[0], parts[1], parts[2], mask).view({b, t, heads_ * head_dim_}));
  }
  auto q = rotate_heads(q_proj(x).view({b, t, heads_, head_dim_}), cos, sin);     // [B, T, H, D]
  auto k = rotate_heads(k_proj(x).view({b, t, kv_heads_, head_dim_}), cos, sin);  // [B, T, kvH, D]
  auto v = v_proj(x).view({b, t, kv_heads_, head_dim_});                          // [B, T, kvH, D]
  q = q.transpose(1, 2);                                                  // [B, H, T, D]
  k = k.transpose(1, 2);                                                  // [B, kvH, T, D]
  v = v.transpose(1, 2);
  if (cache) std::tie(k, v) = cache->append(layer, k, v);                 // [B, kvH, S, D]
  if (k.scalar_type() != q.scalar_type()) {                               // a lower-precision cache: widen
    k = k.to(q.scalar_type());
    v = v.to(q.scalar_type());
  }
  auto out = grouped_attention(q, k, v, mask);                            // [B, H, T, D]
  return o_proj(out.transpose(1, 2).reshape({b, t, heads_ * head_dim_}));
}

}  // namespace r1::model
