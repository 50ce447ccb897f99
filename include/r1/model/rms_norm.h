// RMSNorm (pre-norm of Llama): y = x / sqrt(mean(x^2) + eps) * weight, computed in float32.
#pragma once
#include <torch/torch.h>

namespace r1::model {

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // [..., dim] -> [..., dim]
  torch::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

// The same function on plain tensors (used by the module): the fused CPU kernel (train_kernels.h) for CPU
// float32 contiguous inputs, else rms_norm_reference.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);
// The ATen composition (any device and dtype; the tests' reference for the fused kernel).
torch::Tensor rms_norm_reference(const torch::Tensor& x, const torch::Tensor& weight, double eps);

}  // namespace r1::model
