// SwiGLU MLP.
#include "r1/model/mlp.h"

namespace r1::model {

MlpImpl::MlpImpl(const config::ModelConfig& cfg) {
  auto opts = [](int64_t in, int64_t out) { return torch::nn::LinearOptions(in, out).bias(false); };
  gate_proj = register_module("gate_proj", torch::nn::Linear(opts(cfg.hidden_size, cfg.intermediate_size)));
  up_proj = register_module("up_proj", torch::nn::Linear(opts(cfg.hidden_size, cfg.intermediate_size)));
  down_proj = register_module("down_proj", torch::nn::Linear(opts(cfg.intermediate_size, cfg.hidden_size)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

}  // namespace r1::model
