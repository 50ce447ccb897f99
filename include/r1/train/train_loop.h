// The loop every trainer runs (GRPO, pretrain/SFT/distill), in the shape of torchtune's recipes: the trainer
// provides one step's work and the state exact resume needs; TrainLoop owns what they share — the rank check,
// AdamW over the model's named parameters, resume, the weight broadcast, metrics.jsonl (and other step logs),
// the gradient step with non-finite handling, progress, periodic and stop-request checkpoints, the final save.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "r1/config/optim_config.h"
#include "r1/config/stage_common.h"
#include "r1/optim/adamw.h"
#include "r1/train/model_bundle.h"
#include "r1/train/nonfinite_steps.h"
#include "r1/train/run_context.h"
#include "r1/train/train_checkpoint.h"

namespace r1::train {

// What one step reports: its metrics.jsonl row and the figures the progress line shows.
struct StepReport {
  Json metrics;
  std::vector<std::pair<std::string, double>> shown;
};

// What a trainer plugs into TrainLoop.
class TrainerSteps {
 public:
  virtual ~TrainerSteps() = default;
  // Restores the trainer's own state (data cursor, reference weights, ...) from the checkpoint being resumed.
  virtual void restore(const RestoredState& restored) = 0;
  // Runs step `step` (0-based) to the end, optimizer updates included.
  virtual StepReport step(std::int64_t step) = 0;
  // The trainer's own state and extra tensors, saved in every checkpoint.
  virtual Json state() const = 0;
  virtual std::map<std::string, torch::Tensor> extra_tensors() const { return {}; }
};

// The outcome of one gradient step.
struct GradientStep {
  double grad_norm = 0;   // global L2 norm before clipping
  bool applied = false;   // false: the loss or gradient was non-finite and the update was skipped
};

class TrainLoop {
 public:
  // Checks that ctx's rank matches the process group and creates AdamW over `model`'s named parameters.
  TrainLoop(const RunContext& ctx, ModelBundle& model, const config::OptimConfig& optim, std::int64_t total_steps,
            const config::CheckpointConfig& checkpoint);

  // Resumes from the checkpoint ctx.resume names (weights, optimizer moments, skipped-step count; the trainer
  // restores its own state), broadcasts rank 0's weights and opens metrics.jsonl at the resumed step.
  void begin(TrainerSteps& trainer);
  // A step log beside metrics.jsonl (e.g. samples.jsonl), cut back to the resumed step; call after begin().
  StepLog& add_log(const std::string& file);
  // Runs the steps from the resumed one to total_steps (checkpoints on the way and on a stop request), then
  // writes `final`.
  void run(TrainerSteps& trainer);

  // Averages the gradients over the ranks, clips them and takes the optimizer step at `lr` unless `loss` (the
  // step's global loss) or the gradient is non-finite: that step is then skipped, or the stage stops, per
  // optim.skip_nonfinite. Gradients are zero afterwards. `label` names the update in sync-check messages.
  GradientStep apply_gradients(std::int64_t step, double loss, double lr, const std::string& label);

  optim::AdamW& optimizer() { return opt_; }
  const std::vector<torch::Tensor>& params() const { return params_; }
  const RunContext& context() const { return ctx_; }
  std::int64_t start_step() const { return start_step_; }
  bool resumed() const { return resumed_; }

 private:
  std::string save(TrainerSteps& trainer, const std::string& name, std::int64_t step);

  RunContext ctx_;
  ModelBundle& model_;
  std::int64_t total_steps_;
  config::CheckpointConfig checkpoint_;
  optim::AdamW opt_;
  std::vector<torch::Tensor> params_;
  NonfiniteSteps bad_steps_;
  std::int64_t start_step_ = 0;
  bool resumed_ = false;
  std::vector<std::unique_ptr<StepLog>> logs_;  // metrics.jsonl first
};

}  // namespace r1::train
