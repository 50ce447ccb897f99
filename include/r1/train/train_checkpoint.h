// Saving and restoring everything exact resume needs: weights, optimizer moments, the trainer's own state
// (step, data cursor, ...) and any extra tensors; metrics files are cut back to the checkpoint's step.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "r1/optim/adamw.h"
#include "r1/train/model_bundle.h"
#include "r1/train/run_context.h"

namespace r1::train {

// The checkpoint to resume from: env.resume == "auto" -> the stage dir's latest (none -> fresh start);
// "none" -> fresh; otherwise that checkpoint dir (InputError if it is not one or lacks trainer_state).
std::optional<std::string> find_resume_checkpoint(const RunContext& env);

// Writes checkpoint `name` (checkpoint-NNNNNN or final) of the bundle's weights with trainer_state/state.json =
// `state` + {step, stage, kind, config_hash} and tensors = optimizer moments + `extra`. Only rank 0 writes.
std::string save_train_checkpoint(const RunContext& env, const std::string& name, std::int64_t step,
                                  const ModelBundle& bundle, const optim::AdamW& opt, Json state,
                                  const std::map<std::string, torch::Tensor>& extra, int keep_last);

struct RestoredState {
  std::string path;
  std::int64_t step = 0;
  Json state;                                     // the trainer's own keys
  std::map<std::string, torch::Tensor> tensors;   // the `extra` tensors
};
// Loads weights into `bundle` and moments into `opt` from `path`; checks the tokenizer is unchanged.
// Warns (does not fail) when the stage config hash differs from the checkpoint's.
RestoredState restore_train_checkpoint(const RunContext& env, const std::string& path, ModelBundle& bundle,
                                       optim::AdamW& opt);

// Appends one JSON object per step to <stage_dir>/<file>; on resume, rows past `resume_step` are dropped first
// (and a torn last line from a kill), so no step is ever logged twice. Only rank 0 writes.
class StepLog {
 public:
  StepLog(const RunContext& env, const std::string& file, std::int64_t resume_step, bool fresh);
  void write(const Json& row);
  void sync() { writer_.sync(); }

 private:
  JsonlWriter writer_;
  bool enabled_;
};

}  // namespace r1::train
