// The name tables of the enum-like settings, and the shared enum error message.
#include "r1/config/enums.h"

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::config {

std::string join_enum_names(const std::vector<std::string>& names) { return join(names, "|"); }

void throw_enum_error(const std::string& what, std::string_view got, const std::vector<std::string>& names) {
  std::string best = closest_match(got, names);
  throw InputError(what + ": expected one of " + join_enum_names(names) + ", got " + quote(got) +
                   (best.empty() ? "" : " (did you mean \"" + best + "\"?)"));
}

const std::vector<EnumEntry<LossAgg>>& EnumTable<LossAgg>::entries() {
  static const std::vector<EnumEntry<LossAgg>> t = {{LossAgg::kSeqMeanTokenMean, "seq-mean-token-mean"},
                                                    {LossAgg::kTokenMean, "token-mean"},
                                                    {LossAgg::kSeqMeanTokenSumNorm, "seq-mean-token-sum-norm"}};
  return t;
}

const std::vector<EnumEntry<KlEstimator>>& EnumTable<KlEstimator>::entries() {
  static const std::vector<EnumEntry<KlEstimator>> t = {{KlEstimator::kK1, "k1"},
                                                        {KlEstimator::kAbs, "abs"},
                                                        {KlEstimator::kK2, "k2"},
                                                        {KlEstimator::kK3, "k3"},
                                                        {KlEstimator::kK3Clamped, "k3-clamped"}};
  return t;
}

const std::vector<EnumEntry<ScaleRewards>>& EnumTable<ScaleRewards>::entries() {
  static const std::vector<EnumEntry<ScaleRewards>> t = {
      {ScaleRewards::kGroup, "group"}, {ScaleRewards::kBatch, "batch"}, {ScaleRewards::kNone, "none"}};
  return t;
}

const std::vector<EnumEntry<AdvantageEstimator>>& EnumTable<AdvantageEstimator>::entries() {
  static const std::vector<EnumEntry<AdvantageEstimator>> t = {{AdvantageEstimator::kGrpo, "grpo"},
                                                               {AdvantageEstimator::kRloo, "rloo"},
                                                               {AdvantageEstimator::kReinforcePP, "reinforce_pp"}};
  return t;
}

const std::vector<EnumEntry<ImportanceSampling>>& EnumTable<ImportanceSampling>::entries() {
  static const std::vector<EnumEntry<ImportanceSampling>> t = {{ImportanceSampling::kToken, "token"},
                                                               {ImportanceSampling::kSequence, "sequence"}};
  return t;
}

const std::vector<EnumEntry<RolloutCorrection>>& EnumTable<RolloutCorrection>::entries() {
  static const std::vector<EnumEntry<RolloutCorrection>> t = {{RolloutCorrection::kNone, "none"},
                                                              {RolloutCorrection::kTis, "tis"}};
  return t;
}

const std::vector<EnumEntry<KvCacheDtype>>& EnumTable<KvCacheDtype>::entries() {
  static const std::vector<EnumEntry<KvCacheDtype>> t = {
      {KvCacheDtype::kAuto, "auto"}, {KvCacheDtype::kFloat32, "float32"}, {KvCacheDtype::kBfloat16, "bfloat16"}};
  return t;
}

const std::vector<EnumEntry<LrSchedule>>& EnumTable<LrSchedule>::entries() {
  static const std::vector<EnumEntry<LrSchedule>> t = {
      {LrSchedule::kCosine, "cosine"}, {LrSchedule::kLinear, "linear"}, {LrSchedule::kConstant, "constant"}};
  return t;
}

const std::vector<EnumEntry<KdDivergence>>& EnumTable<KdDivergence>::entries() {
  static const std::vector<EnumEntry<KdDivergence>> t = {{KdDivergence::kForwardKl, "forward_kl"},
                                                         {KdDivergence::kReverseKl, "reverse_kl"},
                                                         {KdDivergence::kJsd, "jsd"}};
  return t;
}

const std::vector<EnumEntry<ComputeDtype>>& EnumTable<ComputeDtype>::entries() {
  static const std::vector<EnumEntry<ComputeDtype>> t = {{ComputeDtype::kFloat32, "float32"},
                                                         {ComputeDtype::kBfloat16, "bfloat16"}};
  return t;
}

const std::vector<EnumEntry<SaveDtype>>& EnumTable<SaveDtype>::entries() {
  static const std::vector<EnumEntry<SaveDtype>> t = {
      {SaveDtype::kAuto, "auto"}, {SaveDtype::kFloat32, "float32"}, {SaveDtype::kBfloat16, "bfloat16"}};
  return t;
}

const std::vector<EnumEntry<PromptSplit>>& EnumTable<PromptSplit>::entries() {
  static const std::vector<EnumEntry<PromptSplit>> t = {{PromptSplit::kTrain, "train"}, {PromptSplit::kEval, "eval"}};
  return t;
}

}  // namespace r1::config
