// SwiGLU feed-forward: down(silu(gate(x)) * up(x)) (HF gate_proj/up_proj/down_proj names).
#pragma once
#include <torch/torch.h>

#include "r1/config/model_config.h"

namespace r1::model {

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const config::ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& x);  // [..., hidden] -> [..., hidden]
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

}  // namespace r1::model
