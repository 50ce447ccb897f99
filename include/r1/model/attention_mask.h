// Additive attention masks (0 = may attend, -inf = may not) for the three ways r1 lays out sequences:
// right-padded causal batches (training), left-padded prompts with a KV cache (generation), and packed rows
// of several documents (block-diagonal causal). A query may always attend to itself, so no row is all -inf.
#pragma once
#include <torch/torch.h>

namespace r1::model {

// [1, 1, T, T]: causal.
torch::Tensor causal_mask(int64_t t, const torch::Device& device);

// Queries are the T columns [offset, offset + T) of a cache with S = offset + T columns; key column j is
// usable by query column i when j <= i and key_valid[b, j] (or j == i). key_valid: [B, S] bool.
// Returns [B, 1, T, S].
torch::Tensor padded_causal_mask(const torch::Tensor& key_valid, int64_t offset);

// segment_ids [B, T] (int64): token i attends token j when j <= i and both are in the same segment.
// Returns [B, 1, T, T].
torch::Tensor packed_causal_mask(const torch::Tensor& segment_ids);

// Positions restarting at 0 in each segment: [B, T] int64.
torch::Tensor packed_positions(const torch::Tensor& segment_ids);

}  // namespace r1::model
