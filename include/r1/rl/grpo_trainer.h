// The GRPO trainer behind `r1 train-zero` and `r1 grpo`, in the shape of torchtune's recipes: setup in the
// constructor, then one step is the named parts below — collect_batch (rollouts with the KV-cache sampler, scored
// by the rule rewards, with DAPO's dynamic sampling), compute_advantages, freeze_logprobs (pi_old, pi_ref),
// update (mu clipped-surrogate updates over minibatches) and log_step — on the shared train::TrainLoop
// (resume, checkpoints, metrics).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "r1/config/rl_stage_config.h"
#include "r1/data/epoch_cursor.h"
#include "r1/generate/sampler.h"
#include "r1/rl/advantages.h"
#include "r1/rl/difficulty_filter.h"
#include "r1/rl/group_batch.h"
#include "r1/rl/grpo_loss.h"
#include "r1/rl/reference_policy.h"
#include "r1/rl/rollout_correction.h"
#include "r1/rewards/reward_set.h"
#include "r1/train/train_loop.h"

namespace r1::rl {

struct GrpoInputs {
  std::string init;       // checkpoint dir of the starting policy
  std::string reference;  // checkpoint dir of pi_ref ("" = init)
};

// Log-probs frozen once per rollout batch, before any update, for this rank's rows in micro-batch chunks:
// pi_old (only when the batch gets more than one update; otherwise the current policy is pi_old) and pi_ref
// (only with the KL term).
struct FrozenLogprobs {
  std::vector<torch::Tensor> old_lp, ref_lp;  // [micro, C] per chunk of consecutive local rows
  size_t micro = 1;
  double seconds = 0;
  // The log-probs of `local_rows` from `chunks` as one [rows, width] tensor (cut or zero-padded to `width`);
  // undefined when `chunks` is empty.
  torch::Tensor rows(const std::vector<torch::Tensor>& chunks, const std::vector<size_t>& local_rows,
                     int64_t width) const;
};

// What the updates of one step add up (token-weighted where the loss reports means), this rank's part.
struct UpdateStats {
  double loss_sum = 0;          // sum of the minibatch losses (global) of the updates taken
  int optimizer_steps = 0;
  double clip_weighted = 0, clip_units = 0;  // clip fraction x its units (tokens, or sequences for GSPO), units
  double kl_weighted = 0, tokens = 0;
  double entropy_sum = 0, entropy_tokens = 0;  // first iteration only
  MismatchSums mismatch;                       // sampler vs pi_old, first iteration only
  double grad_norm = 0;         // of the last update
  double seconds = 0;
};

class GrpoTrainer : public train::TrainerSteps {
 public:
  // Loads the policy (and pi_ref when beta > 0), the prompt pool and the reward set.
  GrpoTrainer(const config::RlStageConfig& cfg, const train::RunContext& ctx, const GrpoInputs& inputs);

  // Runs the stage to cfg.steps (resuming per ctx.resume) and writes <stage_dir>/final.
  void train();

  // ---- the parts of one step ----
  // This step's groups: each rank samples and scores its share of the step's prompts; with dynamic sampling,
  // groups whose rewards are all equal are dropped and more prompts drawn, up to max_resample_rounds.
  GroupBatch collect_batch(std::int64_t step);
  // Scores this rank's rollout and gathers the row statistics of every rank's rows (global order).
  std::vector<RowStat> score(Rollout& mine);
  // Group-relative advantages of the batch's rows (scale_rewards).
  Advantages compute_advantages(const GroupBatch& batch) const;
  // pi_old / pi_ref log-probs of this rank's rows, before any update.
  FrozenLogprobs freeze_logprobs(const GroupBatch& batch);
  // mu iterations over minibatches of the global rows, one optimizer step each.
  UpdateStats update(std::int64_t step, const GroupBatch& batch, const Advantages& adv, const FrozenLogprobs& frozen);
  // The step's metrics row (and samples.jsonl rows every samples_every steps).
  train::StepReport log_step(std::int64_t step, const GroupBatch& batch, const Advantages& adv,
                             const FrozenLogprobs& frozen, const UpdateStats& st, double step_s);

  // train::TrainerSteps
  train::StepReport step(std::int64_t step) override;
  void restore(const train::RestoredState& restored) override;
  Json state() const override;
  std::map<std::string, torch::Tensor> extra_tensors() const override;

  const train::ModelBundle& policy() const { return policy_; }
  const ReferencePolicy& reference() const { return reference_; }
  train::TrainLoop& loop() { return loop_; }

 private:
  std::vector<PromptExample> next_local_prompts();
  // Adds each group's accuracy of a scored round (global order, drawn as last_draw_) to the difficulty filter.
  void remember_pass_rates(const std::vector<RowStat>& stats);
  Rollout rollout(std::uint64_t seed);
  double minibatch_update(int iteration, const GroupBatch& batch, const std::vector<size_t>& rows,
                          const torch::Tensor& advantages, const FrozenLogprobs& frozen, UpdateStats& st);
  void write_samples(std::int64_t step, const GroupBatch& batch, const Advantages& adv);

  config::RlStageConfig cfg_;
  train::RunContext ctx_;
  train::ModelBundle policy_;
  ReferencePolicy reference_;
  RewardSet rewards_;
  std::vector<PromptExample> pool_;
  EpochCursor cursor_;
  DifficultyFilter filter_;
  std::vector<size_t> last_draw_;  // the pool indices of the latest round's prompts (global order)
  size_t skipped_ = 0;             // prompts the filter passed over in this step's draws
  train::TrainLoop loop_;
  generate::Sampler sampler_;
  train::StepLog* samples_log_ = nullptr;
  int prompts_per_rank_;
  size_t minibatch_, micro_;
  GrpoLossConfig loss_config_;
  PromptRenderer renderer_;
};

// Runs a GRPO stage: GrpoTrainer(cfg, ctx, inputs).train().
void run_grpo(const config::RlStageConfig& cfg, const train::RunContext& ctx, const GrpoInputs& inputs);

}  // namespace r1::rl
