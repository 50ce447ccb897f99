// SwiGLU MLP.
#include "r1/model/mlp.h"

#include "r1/model/train_kernels.h"

namespace r1::model {

MlpImpl::MlpImpl(const config::ModelConfig& cfg) {
  auto opts = [](int64_t in, int64_t out) { return torch::nn::LinearOptions(in, out).bias(false); };
  gate_proj = register_module("gate_proj", torch::nn::Linear(opts(cfg.hidden_size, cfg.intermediate_size)));
  up_proj = register_module("up_proj", torch::nn::Linear(opts(cfg.hidden_size, cfg.intermediate_size)));
  down_proj = register_module("down_proj", torch::nn::Linear(opts(cfg.intermediate_size, cfg.hidden_size)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  if (fused_cpu_ok(x)) {
    // CPU float32: one product for gate and up ([..., 2F] side by side), then the fused SwiGLU kernel.
    auto gate_up = torch::linear(x, packed_rows({gate_proj->weight, up_proj->weight}));
    return down_proj(swiglu_fused(gate_up));
  }
  return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

}  // namespace r1::model
