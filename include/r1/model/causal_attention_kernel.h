// Fused causal self-attention for the training forward on CPU (float32), with its own backward.
//
// The ATen composition (grouped_attention) materializes the full [T, T] score matrix of every head several times
// (matmul, scale, + mask, softmax, matmul; and again in the backward), streaming it through memory at each step
// and computing the masked upper triangle too. This kernel takes 64 query rows of one head at a time: their
// scores against the keys they can see stay in cache while they are scaled, masked, exponentiated and multiplied
// by the values. A block holds every key its rows see, so the backward recomputes its softmax with the same
// operations (flash-attention style): no [T, T] tensor, and no per-row statistic, is kept between the passes.
// Keys masked for a whole block are skipped (attention_blocks.h): a packed row's blocks read their own
// examples' keys only, with results bit-identical to a pass over every key.
#pragma once
#include <torch/torch.h>

namespace r1::model {

// softmax(q k^T / sqrt(D) + mask) v over keys j <= i for query i, with grouped kv heads (kv head g serves
// query heads g*rep .. g*rep+rep-1). The mask is causal by contract: entries with j > i are never read and
// count as -inf (every mask r1 builds for a full sequence without a cache is: causal_mask, padded_causal_mask
// with offset 0, packed_causal_mask).
//   q [B, T, H, D], k/v [B, T, kvH, D] (the projections' outputs viewed per head, contiguous float32 on CPU),
//   mask additive [B or 1, 1, T, T] -> [B, T, H, D]; differentiable in q, k and v.
torch::Tensor causal_attention_fused(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                     const torch::Tensor& mask);

}  // namespace r1::model
