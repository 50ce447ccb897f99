// Advantages of group-sampled completions: GRPO's group-relative one (TRL conventions), RLOO's leave-one-out
// baseline and REINFORCE++-baseline's batch-whitened one.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "r1/config/enums.h"

namespace r1::rl {

// One entry per sample (group-contiguous, like the rewards), except `group_all_equal` (one per group).
struct Advantages {
  std::vector<double> advantages;  // the advantage of each sample
  std::vector<double> group_mean;  // the mean reward of the sample's group
  std::vector<double> std_used;    // unbiased std the sample's advantage is divided by (before + eps): the group's
                                   // for "group" (and, for logging only, "none"), the whole batch's for "batch"
  std::vector<uint8_t> group_all_equal;  // 1 where every reward of the group is the same (zero std, zero advantage)
  int64_t zero_std_groups = 0;           // how many groups have group_all_equal = 1 (metrics: zero_std_frac)
};

// Rewards are group-contiguous: samples [k*G, (k+1)*G) belong to prompt k (G = group_size).
// scale: "group" divides by the group's unbiased (n-1) std + eps; "batch" by the unbiased std of all rewards + eps
// (still subtracting the GROUP mean); "none" does not divide. The std is never computed with fewer than 2 values
// (it is 0 then). A group whose rewards are all equal gets advantage exactly 0 (mean = that reward, std = 0), so
// group_size 1 gives 0 everywhere (TRL). eps defaults to TRL's 1e-4 (verl uses 1e-6).
// Throws r1::InputError if group_size < 1, rewards.size() % group_size != 0, eps is negative or
// not finite, or a reward is not finite.
Advantages compute_advantages(const std::vector<double>& rewards, int group_size, config::ScaleRewards scale,
                              double eps = 1e-4);

// RLOO (Ahmadian et al. 2024; verl "rloo", TRL RLOOTrainer): A_i = r_i - mean of the other G - 1 rewards of i's
// group = G / (G - 1) * (r_i - group mean). All-equal groups get exactly 0. group_mean and group_all_equal as above;
// std_used holds the group's unbiased std (logging only: nothing is divided). Needs group_size >= 2.
Advantages rloo_advantages(const std::vector<double>& rewards, int group_size);

// REINFORCE++-baseline (Hu et al. 2025; verl "reinforce_plus_plus_baseline", OpenRLHF "reinforce_baseline"):
// d_i = r_i - group mean, then whitened over every loss-carrying token of the batch, each completion's d_i counted
// token_counts[i] times: A_i = (d_i - mu) / sqrt(var + 1e-8), mu the token-weighted mean, var the token-weighted
// variance with Bessel's correction (n / (n - 1), n = total tokens; 0 when n < 2). All-equal groups have d = 0 but,
// as in verl, a non-zero A after whitening. std_used holds sqrt(var + 1e-8) (the same for every sample).
// Throws r1::InputError as compute_advantages, or when token_counts is not one non-negative count per reward.
Advantages reinforce_pp_advantages(const std::vector<double>& rewards, int group_size,
                                   const std::vector<double>& token_counts);

// The advantages `estimator` gives (scale applies to kGrpo only; token_counts to kReinforcePP only).
Advantages estimate_advantages(config::AdvantageEstimator estimator, const std::vector<double>& rewards,
                               int group_size, config::ScaleRewards scale, const std::vector<double>& token_counts);

}  // namespace r1::rl
