// GRPO hyper-parameters (DeepSeekMath eq. 3, R1 eq. 1-3, with the DAPO / Dr. GRPO options).
#pragma once
#include "r1/config/enums.h"
#include "r1/config/fields.h"

namespace r1::config {

struct GrpoConfig {
  int group_size = 8;                 // G completions per prompt
  int prompts_per_step = 16;          // prompts per rollout batch (global, across ranks)
  int iterations = 1;                 // mu: policy updates per rollout batch
  int minibatch_size = 0;             // completions per optimizer step; 0 = the whole batch
  double epsilon_low = 0.2;           // clip lower bound: ratio >= 1 - epsilon_low
  double epsilon_high = 0.2;          // clip upper bound: ratio <= 1 + epsilon_high (DAPO clip-higher: 0.28)
  double beta = 0.0;                  // KL weight; 0 = no reference model is loaded
  KlEstimator kl_estimator = KlEstimator::kK3;    // k1 | abs | k2 | k3 | k3-clamped
  LossAgg loss_agg = LossAgg::kSeqMeanTokenMean;  // seq-mean-token-mean | token-mean | seq-mean-token-sum-norm
  ScaleRewards scale_rewards = ScaleRewards::kGroup;  // group | batch | none (advantage: grpo only)
  AdvantageEstimator advantage = AdvantageEstimator::kGrpo;  // grpo | rloo | reinforce_pp
  ImportanceSampling importance_sampling = ImportanceSampling::kToken;  // token | sequence (GSPO)
  RolloutCorrection rollout_correction = RolloutCorrection::kNone;      // none | tis
  double tis_cap = 2.0;               // tis: the cap C on pi_old / pi_sampler (TRL's vllm_importance_sampling_cap)
  int ref_update_every = 0;           // reset pi_ref to the policy every N steps; 0 = never
  bool dynamic_sampling = false;      // DAPO: drop zero-variance groups and refill
  int max_resample_rounds = 3;        // dynamic sampling: extra rollout rounds per step at most
  bool mask_truncated = false;        // DAPO: no loss on completions cut by max_new_tokens
  bool packing = true;                // update forwards pack several sequences per row (no padding computed)

  template <class V>
  void visit(V& v) {
    v("group_size", group_size, Min{2});
    v("prompts_per_step", prompts_per_step, Min{1});
    v("iterations", iterations, Min{1});
    v("minibatch_size", minibatch_size, Min{0});
    v("epsilon_low", epsilon_low, Between{0, 1});
    v("epsilon_high", epsilon_high, Min{0});
    v("beta", beta, Min{0});
    v("kl_estimator", kl_estimator);
    v("loss_agg", loss_agg);
    v("scale_rewards", scale_rewards);
    v("advantage", advantage);
    v("importance_sampling", importance_sampling);
    v("rollout_correction", rollout_correction);
    v("tis_cap", tis_cap, Min{1});
    v("ref_update_every", ref_update_every, Min{0});
    v("dynamic_sampling", dynamic_sampling);
    v("max_resample_rounds", max_resample_rounds, Min{0});
    v("mask_truncated", mask_truncated);
    v("packing", packing);
  }
  void check(Problems& p, const std::string& path) const;
};

}  // namespace r1::config
