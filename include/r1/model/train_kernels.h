// Fused CPU kernels with their own backward for the training forward (the module path): each replaces a chain
// of element-wise ATen ops, and the autograd nodes they record, with one pass forward and one pass backward.
// CPU float32 contiguous inputs only; callers (rms_norm, Attention) fall back to the ATen composition otherwise.
#pragma once
#include <torch/torch.h>

namespace r1::model {

// True when x can take the fused CPU kernels (CPU, float32, contiguous).
bool fused_cpu_ok(const torch::Tensor& x);

// x [..., H] -> x / sqrt(mean(x^2) + eps) * weight [H]; differentiable in x and weight.
torch::Tensor rms_norm_fused(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// Rotary embedding (rotate-half layout) of x [B, T, H, D] (contiguous) with cos, sin [B, T, D/2] (contiguous
// float32); differentiable in x (the backward rotates the gradient back).
torch::Tensor rotary_fused(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace r1::model
