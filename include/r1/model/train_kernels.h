// Fused CPU kernels with their own backward for the training forward (the module path): each replaces a chain
// of element-wise ATen ops, and the autograd nodes they record, with one pass forward and one pass backward.
// CPU float32 contiguous inputs only; callers (rms_norm, Attention) fall back to the ATen composition otherwise.
#pragma once
#include <torch/torch.h>

namespace r1::model {

// True when x can take the fused CPU kernels (CPU, float32, contiguous).
bool fused_cpu_ok(const torch::Tensor& x);

// Several projections' weights (or biases) stacked along dim 0, so one product computes all of them side by side;
// undefined when any part is undefined or empty (a projection without bias).
torch::Tensor packed_rows(const std::vector<torch::Tensor>& parts);

// x [..., H] -> x / sqrt(mean(x^2) + eps) * weight [H]; differentiable in x and weight.
torch::Tensor rms_norm_fused(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// Rotary embedding (rotate-half layout) of x [B, T, H, D] (contiguous) with cos, sin [B, T, D/2] (contiguous
// float32); differentiable in x (the backward rotates the gradient back).
torch::Tensor rotary_fused(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// The packed projection qkv [B, T, (H + 2 kvH) * D] (q_proj | k_proj | v_proj outputs side by side, contiguous)
// split per head: {q [B, T, H, D] and k [B, T, kvH, D] rotated as rotary_fused does, v [B, T, kvH, D]}, each
// contiguous; cos, sin [B, T, D/2]. Differentiable in qkv (the backward writes one packed gradient).
std::vector<torch::Tensor> split_qkv_rotary_fused(const torch::Tensor& qkv, const torch::Tensor& cos,
                                                  const torch::Tensor& sin, int64_t heads, int64_t kv_heads);

// silu(g) * u of the packed projection gate_up [..., 2F] = [g | u] (gate_proj | up_proj outputs side by side,
// contiguous) -> [..., F]; differentiable in gate_up (the backward recomputes the sigmoid).
torch::Tensor swiglu_fused(const torch::Tensor& gate_up);

}  // namespace r1::model
