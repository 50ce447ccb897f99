// The stage-kind registry: one row per kind — its name, help line, default config, the inputs it reads (other
// stages or paths) and what it produces. The recipe loader, the stage factory, the runner, the CLI and the report
// all read this table. A new kind is one row here, its config struct (an alternative of StageVariant) and its
// stage class (stages/stage.cpp's factory).
#pragma once
#include <string>
#include <variant>
#include <vector>

#include "r1/config/data_stage_config.h"
#include "r1/config/eval_config.h"
#include "r1/config/pretrain_config.h"
#include "r1/config/rl_stage_config.h"
#include "r1/config/sft_stage_config.h"
#include "r1/config/stage_kind.h"

namespace r1::config {

using StageVariant = std::variant<PretrainConfig, RlStageConfig, DataStageConfig, SftStageConfig, EvalStageConfig>;

// What a stage input names: a model (a stage's final checkpoint, or a checkpoint path) or a dataset (a data
// stage's data.jsonl, or a JSONL path).
enum class InputType { kModel, kData };

struct StageInput {
  const char* key;       // config key, dotted for nested keys ("tokenizer.path")
  InputType type;
  bool required;         // the stage cannot run without it
  const char* flag_help; // help of the single-stage command's --<key> flag; nullptr = no flag
};

struct StageKindInfo {
  StageKind kind;
  const char* name;                 // as recipes spell it
  const char* help;                 // the single-stage command's help line; nullptr = no such command
  StageVariant (*defaults)();       // the kind's default config
  std::vector<StageInput> inputs;
  bool produces_model;              // writes <stage_dir>/final (evaluated on the recipe's eval set when eval: true)
  bool rl_metrics;                  // metrics.jsonl holds RL keys (reward, accuracy, ...): the report charts them
};

// Every kind, in the order `r1 --help` lists them.
const std::vector<StageKindInfo>& stage_kinds();
const StageKindInfo& stage_kind_info(StageKind kind);

// The default config of a kind.
StageVariant default_stage_config(StageKind kind);

}  // namespace r1::config
