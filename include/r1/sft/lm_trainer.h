// Next-token training on token rows, shared by `pretrain`, `sft` and `distill`: seeded epochs over rows,
// micro-batches with gradient accumulation, token-mean loss over the optimizer step (prompt tokens carry no
// loss in SFT), optional logit distillation against a frozen teacher, held-out loss, checkpoints, exact resume.
#pragma once
#include <vector>

#include "r1/config/optim_config.h"
#include "r1/config/sft_stage_config.h"
#include "r1/config/stage_common.h"
#include "r1/data/epoch_cursor.h"
#include "r1/data/packing.h"
#include "r1/dist/world.h"
#include "r1/model/logits_budget.h"
#include "r1/model/transformer.h"
#include "r1/train/model_bundle.h"
#include "r1/train/run_context.h"
#include "r1/train/train_loop.h"

namespace r1::sft {

struct LmTrainPlan {
  std::vector<TokenRow> train_rows;
  std::vector<TokenRow> eval_rows;       // may be empty (no eval loss)
  config::OptimConfig optim;
  std::int64_t total_steps = 0;          // optimizer steps
  int batch_size = 16;                   // rows per micro-batch on this rank
  int log_every = 10;
  int eval_every = 0;                    // steps between eval losses; 0 = only at the end
  int eval_batches = 8;                  // micro-batches of eval rows per evaluation (0 = all)
  config::CheckpointConfig checkpoint;
  model::TransformerImpl* teacher = nullptr;  // distillation teacher (frozen), or null
  config::KdConfig kd;
  // With a teacher: past this many logits a micro-batch's student and teacher logits are taken in chunks of tokens
  // (model::logits_chunk_rows), each chunk's loss backpropagated to the final hidden states before the next.
  std::int64_t kd_logits_budget = model::kKdLogitsBudget;
};

// Rows per optimizer step across ranks.
std::int64_t rows_per_step(const LmTrainPlan& plan, int world_size);

// Data-parallel next-token training on the shared train::TrainLoop. Every rank takes its slice of each global
// step's rows, the loss is normalised by the GLOBAL loss-token count, gradients are averaged before clipping, so
// W ranks with batch_size b train exactly like one process with batch_size W*b (up to floating-point summation
// order).
class LmTrainer : public train::TrainerSteps {
 public:
  LmTrainer(const LmTrainPlan& plan, train::ModelBundle& bundle, const train::RunContext& ctx);
  // Trains to plan.total_steps (resuming per ctx.resume) and writes <stage_dir>/final.
  void train();

  // One step's loss over this rank's micro-batches (gradients accumulated): the sums of token losses.
  struct LossSums {
    double ce = 0, kd = 0;
  };
  LossSums accumulate_gradients(const std::vector<size_t>& rows, double normalizer);

  // train::TrainerSteps
  train::StepReport step(std::int64_t step) override;
  void restore(const train::RestoredState& restored) override;
  Json state() const override;

 private:
  LmTrainPlan plan_;
  train::ModelBundle& bundle_;
  train::RunContext ctx_;
  EpochCursor cursor_;
  train::TrainLoop loop_;
  double last_eval_;
};

// Runs LmTrainer(plan, bundle, ctx).train().
void run_lm_training(const LmTrainPlan& plan, train::ModelBundle& bundle, const train::RunContext& ctx);

// Mean next-token loss (nats per loss token) of `rows` under `model`, in micro-batches of `batch_size`
// (at most max_batches of them; 0 = all). The micro-batches are dealt round-robin over the ranks of `comm` and the
// sums reduced, so every rank returns the same value.
double mean_token_loss(model::TransformerImpl& model, const std::vector<TokenRow>& rows, int batch_size,
                       int max_batches, int pad_id, dist::Comm& comm = dist::world());

}  // namespace r1::sft
