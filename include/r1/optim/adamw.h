// AdamW (decoupled weight decay) with state r1 can checkpoint as named tensors (no pickle): moments per
// parameter plus the step count. Weight decay applies to matrices (dim >= 2), not to norms and biases.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "r1/config/optim_config.h"

namespace r1::optim {

class AdamW {
 public:
  AdamW(std::vector<std::pair<std::string, torch::Tensor>> named_params, const config::OptimConfig& cfg);

  // One update with learning rate `lr` from the parameters' .grad() (parameters without a grad are skipped).
  void step(double lr);
  void zero_grad();
  int64_t steps() const { return steps_; }

  // "exp_avg.<param name>" and "exp_avg_sq.<param name>" for every parameter.
  std::map<std::string, torch::Tensor> state_tensors() const;
  // Restores moments written by state_tensors(); throws InputError naming `source` on a missing or misshaped one.
  void load_state(const std::map<std::string, torch::Tensor>& tensors, int64_t steps, const std::string& source);

  const std::vector<std::pair<std::string, torch::Tensor>>& params() const { return params_; }
  const config::OptimConfig& config() const { return cfg_; }

 private:
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::vector<torch::Tensor> exp_avg_, exp_avg_sq_;
  std::vector<bool> decay_;
  config::OptimConfig cfg_;
  int64_t steps_ = 0;
};

// Learning rate at optimizer step `step` (0-based) of `total`: linear warmup, then cosine / linear decay to
// lr * min_lr_ratio at the last step, or constant.
double lr_at(const config::OptimConfig& cfg, int64_t step, int64_t total);

struct GradNorm {
  double norm = 0;     // global L2 norm before clipping
  bool finite = true;  // false if any gradient holds NaN/Inf (then nothing was clipped)
};
// Computes the global gradient norm (one host sync) and, when max_norm > 0 and the norm exceeds it, scales
// all gradients by max_norm / norm.
GradNorm clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace r1::optim
