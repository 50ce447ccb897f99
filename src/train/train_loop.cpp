// The shared training loop: resume, steps, gradient steps, checkpoints.
#include "r1/train/train_loop.h"

#include <cmath>

#include "r1/dist/collectives.h"
#include "r1/dist/world.h"
#include "r1/train/step_checkpoint.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/progress.h"
#include "r1/util/signals.h"

namespace r1::train {

namespace {

std::vector<std::pair<std::string, torch::Tensor>> named_parameters(model::TransformerImpl& model) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& item : model.named_parameters()) named.emplace_back(item.key(), item.value());
  return named;
}

// Whether any rank was asked to stop (SIGINT/SIGTERM): every rank must stop after the same step.
bool stop_agreed() {
  std::vector<double> flag{stop_requested() ? 1.0 : 0.0};
  dist::all_reduce_sum(dist::world(), flag);
  return flag[0] > 0;
}

}  // namespace

TrainLoop::TrainLoop(const RunContext& ctx, ModelBundle& model, const config::OptimConfig& optim,
                     std::int64_t total_steps, const config::CheckpointConfig& checkpoint)
    : ctx_(ctx),
      model_(model),
      total_steps_(total_steps),
      checkpoint_(checkpoint),
      opt_(named_parameters(*model.model), optim),
      bad_steps_(ctx.stage_name, optim.skip_nonfinite) {
  dist::Comm& comm = dist::world();
  if (comm.rank() != ctx.rank || comm.world_size() != ctx.world_size)
    throw RuntimeFailure("[" + ctx.stage_name + "] trainer started as rank " + std::to_string(ctx.rank) + " of " +
                         std::to_string(ctx.world_size) + " but the process group is " + comm.describe());
  for (const auto& p : model.model->parameters()) params_.push_back(p);
  model.model->set_compute_dtype(ctx.dtype);  // float32 master weights; bfloat16 forwards under autocast
  model.model->set_activation_checkpointing(ctx.activation_checkpointing);
}

void TrainLoop::begin(TrainerSteps& trainer) {
  auto log = logger();
  if (auto from = find_resume_checkpoint(ctx_)) {
    RestoredState restored = restore_train_checkpoint(ctx_, *from, model_, opt_);
    start_step_ = restored.step;
    resumed_ = true;
    bad_steps_ = NonfiniteSteps(ctx_.stage_name, bad_steps_.allowed(), restored.state.value("nonfinite_skipped", 0));
    trainer.restore(restored);
    log->info("[{}] resumed from {} at step {}", ctx_.stage_name, *from, start_step_);
  }
  if (start_step_ >= total_steps_) log->info("[{}] already at step {} of {}", ctx_.stage_name, start_step_, total_steps_);
  // Replicas start identical: same seeded init or checkpoint, and rank 0's weights broadcast for certainty.
  dist::broadcast_parameters(dist::world(), params_);
  add_log("metrics.jsonl");
}

StepLog& TrainLoop::add_log(const std::string& file) {
  logs_.push_back(std::make_unique<StepLog>(ctx_, file, start_step_, !resumed_));
  return *logs_.back();
}

std::string TrainLoop::save(TrainerSteps& trainer, const std::string& name, std::int64_t step) {
  for (auto& l : logs_) l->sync();
  Json state = trainer.state();
  state["world_size"] = ctx_.world_size;
  state["nonfinite_skipped"] = bad_steps_.skipped();
  return save_train_checkpoint(ctx_, name, step, model_, opt_, state, trainer.extra_tensors(), checkpoint_.keep_last);
}

GradientStep TrainLoop::apply_gradients(std::int64_t step, double loss, double lr, const std::string& label) {
  dist::Comm& comm = dist::world();
  dist::all_reduce_mean_grads(comm, params_);
  auto gn = optim::clip_grad_norm(params_, opt_.config().max_grad_norm);
  GradientStep out{gn.norm, gn.finite && std::isfinite(loss)};
  if (out.applied) opt_.step(lr);
  else bad_steps_.on_bad_step(step + 1, loss);  // throws past the skip_nonfinite allowance
  opt_.zero_grad();
  if (out.applied && dist::check_sync_enabled()) dist::check_in_sync(comm, opt_.params(), label);
  return out;
}

void TrainLoop::run(TrainerSteps& trainer) {
  if (logs_.empty()) throw RuntimeFailure("[" + ctx_.stage_name + "] TrainLoop::run before begin");
  Progress progress(ctx_.stage_name, total_steps_, "step");
  progress.set_start(start_step_);
  progress.set_enabled(ctx_.is_main());
  auto save_fn = [&](const std::string& name, std::int64_t step) { return save(trainer, name, step); };
  for (std::int64_t step = start_step_; step < total_steps_; ++step) {
    StepReport report = trainer.step(step);
    logs_.front()->write(report.metrics);
    progress.update(step + 1, report.shown);
    checkpoint_after_step({ctx_.stage_name, total_steps_, checkpoint_.every}, step + 1, stop_agreed(), save_fn,
                          [&] { progress.finish(); });
  }
  progress.finish();
  save(trainer, "final", total_steps_);
  logger()->info("[{}] done: {}/final", ctx_.stage_name, ctx_.stage_dir);
}

}  // namespace r1::train
