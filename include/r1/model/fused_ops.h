// Fused kernels for the inference path (generation): each replaces several ATen ops (and their per-op dispatch
// and allocation) with one pass. CPU float32 contiguous inputs take the hand-written loop; any other device or
// dtype takes an equivalent composition of ATen ops, so results never depend on which path ran.
#pragma once
#include <torch/torch.h>

namespace r1::model {

// x [N, H] -> x / sqrt(mean(x^2) + eps) per row, without a weight (callers fold the weight into the next
// matmul). Computed in float32.
torch::Tensor rms_normalize(const torch::Tensor& x, double eps);

// Rotary embedding (rotate-half layout) applied in place to the first `rot_heads` heads of each token of
// qkv [B, T, heads_total * D]; cos/sin [B, T, D/2] (float32).
void rotary_inplace(torch::Tensor& qkv, const torch::Tensor& cos, const torch::Tensor& sin, int64_t rot_heads,
                    int64_t head_dim);

// Attention of T query tokens over S cached keys/values with grouped kv heads.
// q [B, T, H * D] (row stride may exceed H * D, e.g. a view into fused qkv), already scaled by 1/sqrt(D);
// k, v [B, kvH, S, D] as the KvCache returns them (keys stored transposed: stride 1 along S; values contiguous
// along D), float32 or bfloat16 (a bfloat16 cache is widened to float32 as it is read: the arithmetic is float32);
// mask additive [B|1, 1, T, S] float32 (-inf = masked). Returns [B, T, H * D]. For T <= 4 on CPU a hand-written
// kernel runs (other layouts, devices and dtypes take batched matmuls in q's dtype).
torch::Tensor cached_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask, int64_t heads);

}  // namespace r1::model
