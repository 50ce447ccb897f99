// Fused-weight inference forward for generation.
#include "r1/model/decode_model.h"

#include <cmath>

#include "r1/model/fused_ops.h"

namespace r1::model {

DecodeModel::DecodeModel(const TransformerImpl& model)
    : model_(model),
      heads_(model.config().num_attention_heads),
      kv_heads_(model.config().kv_heads()),
      head_dim_(model.config().head_size()),
      eps_(model.config().rms_norm_eps) {
  c10::InferenceMode guard;
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim_));
  for (const auto& m : *model.model->layers) {
    const auto& l = *m->as<DecoderLayerImpl>();
    const auto& a = *l.self_attn;
    auto g_in = l.input_layernorm->weight.unsqueeze(0);           // [1, hidden]
    auto g_post = l.post_attention_layernorm->weight.unsqueeze(0);
    Layer f;
    f.qkv = PackedLinear(torch::cat({a.q_proj->weight * scale, a.k_proj->weight, a.v_proj->weight}, 0).mul_(g_in));
    if (a.q_proj->bias.defined() && a.q_proj->bias.numel() > 0)
      f.qkv_b = torch::cat({a.q_proj->bias * scale, a.k_proj->bias, a.v_proj->bias}, 0);
    f.o = PackedLinear(a.o_proj->weight.clone());  // a snapshot on every path (the fallback keeps it)
    f.gate_up = PackedSwiGlu(l.mlp->gate_proj->weight * g_post, l.mlp->up_proj->weight * g_post);
    f.down = PackedLinear(l.mlp->down_proj->weight.clone());
    layers_.push_back(std::move(f));
  }
  embed_ = model.model->embed_tokens->weight.detach();
  auto head = model.lm_head ? model.lm_head->weight : model.model->embed_tokens->weight;
  head_ = PackedLinear(head * model.model->norm->weight.unsqueeze(0));
}

torch::Tensor DecodeModel::last_logits(const torch::Tensor& tokens, const torch::Tensor& positions,
                                       const torch::Tensor& mask, KvCache* cache) {
  return logits(last_hidden(tokens, positions, mask, cache));
}

torch::Tensor DecodeModel::logits(const torch::Tensor& last_hidden) const {
  c10::InferenceMode guard;
  return head_.normalized(last_hidden.contiguous(), eps_).to(torch::kFloat32);
}

torch::Tensor DecodeModel::last_hidden(const torch::Tensor& tokens, const torch::Tensor& positions,
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
    auto qkv = l.qkv.normalized(x, eps_, l.qkv_b);
    auto qkv3 = qkv.view({b, t, -1});
    rotary_inplace(qkv3, cos, sin, heads_ + kv_heads_, head_dim_);
    auto q = qkv3.narrow(2, 0, q_width);                                                        // [B, T, H*D]
    auto k = qkv3.narrow(2, q_width, kv_width).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);  // [B, kvH, T, D]
    auto v = qkv3.narrow(2, q_width + kv_width, kv_width).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);
    if (cache) std::tie(k, v) = cache->append(index, k, v);
    auto attn = cached_attention(q, k, v, mask, heads_);  // [B, T, H*D]
    x = l.o(attn.view({n, q_width}), x);
    x = l.down(l.gate_up.normalized(x, eps_), x);  // SwiGLU: silu(x g^T) * (x u^T) in one pass
    ++index;
  }
  if (cache) cache->advance(t);
  return t == 1 ? x : x.view({b, t, -1}).select(1, t - 1).contiguous();  // [B, hidden]
}

}  // namespace r1::model
