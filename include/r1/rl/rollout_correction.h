// The sampler / trainer mismatch: the sampler's log-probs (fused decode kernels, maybe a bfloat16 KV cache) differ
// from pi_old's recomputed by the training forward. Measured every step; optionally corrected with truncated
// importance sampling (TIS: Yao et al. 2025, "Your Efficient RL Framework Secretly Brings You Off-Policy RL
// Training"; TRL vllm_importance_sampling_correction, verl rollout_is).
#pragma once
#include <torch/torch.h>

namespace r1::rl {

// Sums over the active completion tokens of some rows, so that micro-batches and ranks add up.
struct MismatchSums {
  double tokens = 0;
  double abs_sum = 0;    // sum of |log pi_sampler - log pi_old|
  double abs_max = 0;    // max of the same
  double kl_sum = 0;     // sum of the k3 estimate of KL(pi_sampler || pi_old): r - 1 - log r, r = pi_old / pi_sampler
  double weight_sum = 0; // sum of the TIS weights min(r, cap)
  double capped = 0;     // tokens whose r exceeds the cap
  void add(const MismatchSums& other);
};

// old_logp, sampler_logp, mask: [B, T] (mask 0/1 or bool, any floating dtype; one host transfer).
MismatchSums rollout_mismatch(const torch::Tensor& old_logp, const torch::Tensor& sampler_logp,
                              const torch::Tensor& mask, double tis_cap);

// TIS weights [B, T] in old_logp's dtype: min(exp(old_logp - sampler_logp), cap) at active positions, 0 elsewhere;
// constants (no gradient). Throws r1::InputError on a cap below 1 or mismatched tensors.
torch::Tensor tis_weights(const torch::Tensor& old_logp, const torch::Tensor& sampler_logp, const torch::Tensor& mask,
                          double cap);

}  // namespace r1::rl
