// Activation checkpointing: run a block of the model without keeping its intermediate activations, and run it
// again in the backward to get them. Only the block's input is saved, so a decoder of L layers keeps L layer
// inputs [B, T, hidden] plus one layer's activations at a time instead of L layers' worth, for one extra forward
// of each layer in the backward.
#pragma once
#include <functional>
#include <vector>

#include <torch/torch.h>

namespace r1::model {

// y = block(x), differentiable with respect to x and `params` (the tensors `block` reads that need gradients:
// the layer's parameters), without saving what `block` computes inside. The backward recomputes block(x) with
// gradients enabled under the same autocast dtype (`compute_dtype` on x's device), so values and gradients equal
// those of calling block(x) directly. `block` must be deterministic (no dropout) and may capture other inputs that
// need no gradient (rotary tables, masks).
torch::Tensor checkpointed(const std::function<torch::Tensor(const torch::Tensor&)>& block, const torch::Tensor& x,
                           const std::vector<torch::Tensor>& params, torch::ScalarType compute_dtype);

}  // namespace r1::model
