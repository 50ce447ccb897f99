// The enum-like settings of stage configs, each with its one name table (see enum_table.h). The names are what
// recipes, --set, the CLI and resolved configs spell.
#pragma once
#include "r1/config/enum_table.h"

namespace r1::config {

// grpo.loss_agg: how per-token losses become the batch loss.
enum class LossAgg {
  kSeqMeanTokenMean,     // "seq-mean-token-mean": the paper (TRL "grpo"): mean over sequences of per-sequence means
  kTokenMean,            // "token-mean": DAPO (TRL "bnpo"/"dapo"): sum over tokens / active tokens
  kSeqMeanTokenSumNorm,  // "seq-mean-token-sum-norm": Dr. GRPO (TRL "dr_grpo"): sum / (sequences x max length)
};

// grpo.kl_estimator: per-token estimate of KL(pi_theta || pi_ref) (Schulman's k1/k2/k3, verl's variants).
enum class KlEstimator { kK1, kAbs, kK2, kK3, kK3Clamped };

// grpo.scale_rewards: what a group-centred reward is divided by.
enum class ScaleRewards { kGroup, kBatch, kNone };

// grpo.advantage: how a completion's reward becomes its advantage.
enum class AdvantageEstimator {
  kGrpo,         // "grpo": (r - group mean) / scale (scale_rewards), the paper
  kRloo,         // "rloo": r - mean of the group's other G - 1 rewards (RLOO; verl, TRL RLOOTrainer)
  kReinforcePP,  // "reinforce_pp": REINFORCE++-baseline: r - group mean, whitened over the batch's tokens
};

// grpo.importance_sampling: the unit the clipped ratio pi_theta / pi_old is taken over.
enum class ImportanceSampling {
  kToken,     // "token": per token (GRPO, PPO)
  kSequence,  // "sequence": GSPO, exp(mean over the completion's tokens of the log-ratio), clipped per sequence
};

// grpo.rollout_correction: what corrects for the sampler's log-probs differing from the trainer's pi_old.
enum class RolloutCorrection {
  kNone,  // "none"
  kTis,   // "tis": truncated importance sampling, each token's loss times min(pi_old / pi_sampler, tis_cap)
};

// sampling.kv_cache_dtype: what the KV cache stores (auto = the model's dtype).
enum class KvCacheDtype { kAuto, kFloat32, kBfloat16 };

// optim.schedule: the learning-rate shape after warmup.
enum class LrSchedule { kCosine, kLinear, kConstant };

// kd.divergence: the logit-distillation divergence.
enum class KdDivergence { kForwardKl, kReverseKl, kJsd };

// dtype (run-wide): the compute dtype.
enum class ComputeDtype { kFloat32, kBfloat16 };

// save_dtype (run-wide): the dtype of the weights checkpoints write (auto = the dtype of the model a stage read).
enum class SaveDtype { kAuto, kFloat32, kBfloat16 };

// prompts.split: the train or held-out half of a task's problem space.
enum class PromptSplit { kTrain, kEval };

template <>
struct EnumTable<LossAgg> {
  static const std::vector<EnumEntry<LossAgg>>& entries();
};
template <>
struct EnumTable<KlEstimator> {
  static const std::vector<EnumEntry<KlEstimator>>& entries();
};
template <>
struct EnumTable<ScaleRewards> {
  static const std::vector<EnumEntry<ScaleRewards>>& entries();
};
template <>
struct EnumTable<AdvantageEstimator> {
  static const std::vector<EnumEntry<AdvantageEstimator>>& entries();
};
template <>
struct EnumTable<ImportanceSampling> {
  static const std::vector<EnumEntry<ImportanceSampling>>& entries();
};
template <>
struct EnumTable<RolloutCorrection> {
  static const std::vector<EnumEntry<RolloutCorrection>>& entries();
};
template <>
struct EnumTable<KvCacheDtype> {
  static const std::vector<EnumEntry<KvCacheDtype>>& entries();
};
template <>
struct EnumTable<LrSchedule> {
  static const std::vector<EnumEntry<LrSchedule>>& entries();
};
template <>
struct EnumTable<KdDivergence> {
  static const std::vector<EnumEntry<KdDivergence>>& entries();
};
template <>
struct EnumTable<ComputeDtype> {
  static const std::vector<EnumEntry<ComputeDtype>>& entries();
};
template <>
struct EnumTable<SaveDtype> {
  static const std::vector<EnumEntry<SaveDtype>>& entries();
};
template <>
struct EnumTable<PromptSplit> {
  static const std::vector<EnumEntry<PromptSplit>>& entries();
};

}  // namespace r1::config
