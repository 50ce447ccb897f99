// Per-token estimators of KL(pi_theta || pi_ref) from log-probabilities (Schulman's k1/k2/k3 and verl variants).
#pragma once
#include <string>
#include <vector>

#include <torch/torch.h>

#include "r1/config/enums.h"

namespace r1::rl {

// Elementwise estimate from logp = log pi_theta(token) and ref_logp = log pi_ref(token) (same shape, dtype and
// device; any shape), with d = ref_logp - logp:
//   "k1"          logp - ref_logp                       (unbiased, can be negative)
//   "abs"         |logp - ref_logp|
//   "k2"          0.5 * (logp - ref_logp)^2
//   "k3"          exp(d) - d - 1 (>= 0, unclamped as TRL; computed as expm1(d) - d for precision near d = 0)
//   "k3-clamped"  verl "low_var_kl": d clamped to [-20, 20], the result clamped to [-10, 10] (zero gradient where
//                 a clamp binds)
// Differentiable w.r.t. logp (and ref_logp if it requires grad). Throws r1::InputError on mismatched tensors.
torch::Tensor kl_estimate(const torch::Tensor& logp, const torch::Tensor& ref_logp, config::KlEstimator estimator);

}  // namespace r1::rl
