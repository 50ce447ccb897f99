// Fused-weight inference forward for generation.
#include "r1/model/decode_model.h"

#include <cmath>

#include "r1/model/fused_ops.h"

namespace r1::model {

namespace {
// add + x w^T for x [N, in], w [out, in], add [out] or [N, out] (optional). One row (a batch-1 decode step) is a
// matrix-vector product: BLAS reads w once instead of packing it for a GEMM.
torch::Tensor linear_rows(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& add = {}) {
  if (x.size(0) == 1) {
    auto row = x.view({-1});
    auto y = add.defined() ? torch::addmv(add.reshape({-1}), w, row) : torch::mv(w, row);
    return y.view({1, -1});
  }
  return add.defined() ? torch::addmm(add, x, w.t()) : torch::mm(x, w.t());
}
}  // namespace

DecodeModel::DecodeModel(const TransformerImpl& model)
    : model_(model),
      heads_(model.config().num_attention_heads),
      kv_heads_(model.config().kv_heads()),
      head_dim_(model.config().head_size()),
      inter_(model.config().intermediate_size),
      eps_(model.config().rms_norm_eps) {
  c10::InferenceMode guard;
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim_));
  for (const auto& m : *model.model->layers) {
    const auto& l = *m->as<DecoderLayerImpl>();
    const auto& a = *l.self_attn;
    auto g_in = l.input_layernorm->weight.unsqueeze(0);           // [1, hidden]
    auto g_post = l.post_attention_layernorm->weight.unsqueeze(0);
    Layer f;
    f.qkv_w = torch::cat({a.q_proj->weight * scale, a.k_proj->weight, a.v_proj->weight}, 0).mul_(g_in);
    if (a.q_proj->bias.defined() && a.q_proj->bias.numel() > 0)
      f.qkv_b = torch::cat({a.q_proj->bias * scale, a.k_proj->bias, a.v_proj->bias}, 0);
    f.o_w = a.o_proj->weight.clone();
    f.gate_up_w = torch::cat({l.mlp->gate_proj->weight, l.mlp->up_proj->weight}, 0).mul_(g_post);
    f.down_w = l.mlp->down_proj->weight.clone();
    layers_.push_back(std::move(f));
  }
  embed_ = model.model->embed_tokens->weight.clone();
  auto head = model.lm_head ? model.lm_head->weight : model.model->embed_tokens->weight;
  head_ = head * model.model->norm->weight.unsqueeze(0);
}

torch::Tensor DecodeModel::last_logits(const torch::Tensor& tokens, const torch::Tensor& positions,
                                       const torch::Tensor& mask, KvCache* cache) {
  c10::InferenceMode guard;
  const int64_t b = tokens.size(0), t = tokens.size(1), n = b * t;
  const int64_t q_width = heads_ * head_dim_, kv_width = kv_heads_ * head_dim_;
  auto [cos, sin] = model_.rotary().tables(positions, embed_);  // [B, 1, T, D/2] views of [B*T, D/2]
  cos = cos.reshape({b, t, head_dim_ / 2});
  sin = sin.reshape({b, t, head_dim_ / 2});
  auto x = embed_.index_select(0, tokens.reshape({-1}));  // [N, hidden]
  int64_t index = 0;
  for (const auto& l : layers_) {
    auto h = rms_normalize(x, eps_);
    auto qkv = linear_rows(h, l.qkv_w, l.qkv_b);
    auto qkv3 = qkv.view({b, t, -1});
    rotary_inplace(qkv3, cos, sin, heads_ + kv_heads_, head_dim_);
    auto q = qkv3.narrow(2, 0, q_width);                                                        // [B, T, H*D]
    auto k = qkv3.narrow(2, q_width, kv_width).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);  // [B, kvH, T, D]
    auto v = qkv3.narrow(2, q_width + kv_width, kv_width).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);
    if (cache) std::tie(k, v) = cache->append(index, k, v);
    auto attn = cached_attention(q, k, v, mask, heads_);  // [B, T, H*D]
    x = linear_rows(attn.view({n, q_width}), l.o_w, x);
    auto gu = linear_rows(rms_normalize(x, eps_), l.gate_up_w);  // [N, 2I]
    auto act = torch::silu(gu.narrow(1, 0, inter_));
    act.mul_(gu.narrow(1, inter_, inter_));
    x = linear_rows(act, l.down_w, x);
    ++index;
  }
  if (cache) cache->advance(t);
  auto last = t == 1 ? x : x.view({b, t, -1}).select(1, t - 1).contiguous();  // [B, hidden]
  return linear_rows(rms_normalize(last, eps_), head_).to(torch::kFloat32);
}

}  // namespace r1::model
