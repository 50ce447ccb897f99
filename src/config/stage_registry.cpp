// The stage-kind registry (one row per kind) and the StageKind name table derived from it.
#include "r1/config/stage_registry.h"

#include "r1/util/error.h"

namespace r1::config {

namespace {

template <class Config>
StageVariant plain_defaults() {
  return Config{};
}
StageVariant train_zero_defaults() { return RlStageConfig::defaults_for(StageKind::kTrainZero); }
StageVariant grpo_defaults() { return RlStageConfig::defaults_for(StageKind::kGrpo); }
StageVariant cold_start_defaults() { return DataStageConfig::defaults_for(StageKind::kColdStart); }
StageVariant rejection_defaults() { return DataStageConfig::defaults_for(StageKind::kRejectionSample); }
StageVariant distill_defaults() {
  SftStageConfig c;
  c.kind = StageKind::kDistill;
  return c;
}

constexpr const char* kInitHelp = "Start from this checkpoint (dir, stage dir or HF dir)";

}  // namespace

const std::vector<StageKindInfo>& stage_kinds() {
  static const std::vector<StageKindInfo> kinds = {
      {StageKind::kPretrain, "pretrain", "Pretrain a base model (and its tokenizer) on a corpus",
       plain_defaults<PretrainConfig>,
       {{"init", InputType::kModel, false, kInitHelp}, {"tokenizer.path", InputType::kModel, false, nullptr}},
       true, false},
      {StageKind::kTrainZero, "train-zero", "R1-Zero: GRPO from a base model with rule rewards", train_zero_defaults,
       {{"init", InputType::kModel, true, kInitHelp},
        {"reference", InputType::kModel, false, "pi_ref for the KL term (default: --init)"}},
       true, true},
      {StageKind::kColdStart, "cold-start", "Collect cold-start data from the R1-Zero model", cold_start_defaults,
       {{"policy", InputType::kModel, true, "Model to sample from"}}, false, false},
      {StageKind::kSft, "sft", "Supervised fine-tuning on a JSONL dataset", plain_defaults<SftStageConfig>,
       {{"init", InputType::kModel, true, kInitHelp},
        {"data", InputType::kData, true, "Dataset JSONL (or a data stage's dir)"}},
       true, false},
      {StageKind::kGrpo, "grpo", "Second GRPO round (accuracy + format + language consistency)", grpo_defaults,
       {{"init", InputType::kModel, true, kInitHelp},
        {"reference", InputType::kModel, false, "pi_ref for the KL term (default: --init)"}},
       true, true},
      {StageKind::kRejectionSample, "rejection-sample", "Sample, verify and filter reasoning data from a model",
       rejection_defaults, {{"policy", InputType::kModel, true, "Model to sample from"}}, false, false},
      {StageKind::kDistill, "distill", "Distill into a smaller student (SFT on teacher traces, optional logit KD)",
       distill_defaults,
       {{"init", InputType::kModel, false, kInitHelp},
        {"data", InputType::kData, true, "Dataset JSONL (or a data stage's dir)"},
        {"teacher", InputType::kModel, false, "Teacher checkpoint for logit distillation"}},
       true, false},
      {StageKind::kEval, "eval", nullptr, plain_defaults<EvalStageConfig>,
       {{"model", InputType::kModel, true, nullptr}}, false, false},
  };
  return kinds;
}

const StageKindInfo& stage_kind_info(StageKind kind) {
  for (const auto& info : stage_kinds())
    if (info.kind == kind) return info;
  throw RuntimeFailure("stage kind " + std::to_string(static_cast<int>(kind)) + " has no registry row");
}

StageVariant default_stage_config(StageKind kind) { return stage_kind_info(kind).defaults(); }

const std::vector<EnumEntry<StageKind>>& EnumTable<StageKind>::entries() {
  static const std::vector<EnumEntry<StageKind>> table = [] {
    std::vector<EnumEntry<StageKind>> t;
    for (const auto& info : stage_kinds()) t.push_back({info.kind, info.name});
    return t;
  }();
  return table;
}

}  // namespace r1::config
