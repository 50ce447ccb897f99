// Group-relative advantages for GRPO: A_i = (r_i - mean of i's group) / (std + eps), TRL conventions.
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

}  // namespace r1::rl
