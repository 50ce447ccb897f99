// Language-model training loop (pretrain / SFT / distill).
#include "r1/sft/lm_trainer.h"

#include <algorithm>
#include <cmath>

#include "r1/data/epoch_cursor.h"
#include "r1/dist/collectives.h"
#include "r1/model/attention_mask.h"
#include "r1/model/logprobs.h"
#include "r1/optim/adamw.h"
#include "r1/sft/kd_loss.h"
#include "r1/train/nonfinite_steps.h"
#include "r1/train/step_checkpoint.h"
#include "r1/train/train_checkpoint.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/progress.h"
#include "r1/util/rng.h"
#include "r1/util/signals.h"
#include "r1/util/timer.h"

namespace r1::sft {

namespace {

struct MicroBatch {
  torch::Tensor tokens, targets, mask, positions, attn;  // [n, L] / [n, 1, L, L]
  std::int64_t loss_tokens = 0, real_tokens = 0;
};

MicroBatch collate(const std::vector<const TokenRow*>& rows, int pad_id, const torch::Device& device) {
  auto padded = pad_rows(rows, pad_id);
  int64_t n = static_cast<int64_t>(padded.size()), l = static_cast<int64_t>(padded[0].tokens.size());
  std::vector<int64_t> tok(n * l), tgt(n * l), seg(n * l);
  MicroBatch mb;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t t = 0; t < l; ++t) {
      tok[i * l + t] = padded[i].tokens[t];
      tgt[i * l + t] = padded[i].targets[t];
      seg[i * l + t] = padded[i].segments[t];
      mb.loss_tokens += padded[i].targets[t] >= 0;
    }
    mb.real_tokens += static_cast<int64_t>(rows[i]->tokens.size());
  }
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  auto segments = torch::from_blob(seg.data(), {n, l}, i64).clone().to(device);
  mb.tokens = torch::from_blob(tok.data(), {n, l}, i64).clone().to(device);
  auto targets = torch::from_blob(tgt.data(), {n, l}, i64).clone().to(device);
  mb.mask = targets.ge(0).to(torch::kFloat32);
  mb.targets = targets.clamp_min(0);
  mb.positions = model::packed_positions(segments);
  mb.attn = model::packed_causal_mask(segments);
  return mb;
}

std::vector<const TokenRow*> pick(const std::vector<TokenRow>& rows, const std::vector<size_t>& idx) {
  std::vector<const TokenRow*> out;
  for (size_t i : idx) out.push_back(&rows[i]);
  return out;
}

}  // namespace

std::int64_t rows_per_step(const LmTrainPlan& plan, int world_size) {
  return static_cast<std::int64_t>(plan.batch_size) * plan.optim.grad_accum * world_size;
}

double mean_token_loss(model::TransformerImpl& model, const std::vector<TokenRow>& rows, int batch_size,
                       int max_batches, int pad_id, dist::Comm& comm) {
  c10::InferenceMode guard;
  double nll = 0, tokens = 0;
  int batches = 0;
  for (size_t start = 0; start < rows.size(); start += batch_size) {
    if (max_batches > 0 && batches >= max_batches) break;
    if (batches++ % comm.world_size() != comm.rank()) continue;  // another rank's micro-batch
    std::vector<const TokenRow*> chunk;
    for (size_t i = start; i < std::min(rows.size(), start + batch_size); ++i) chunk.push_back(&rows[i]);
    auto mb = collate(chunk, pad_id, model.device());
    auto hidden = model.hidden(mb.tokens, mb.positions, mb.attn);
    auto lp = model::token_logprobs(model, hidden, mb.targets).logprobs;
    nll -= (lp * mb.mask).sum().item<double>();
    tokens += static_cast<double>(mb.loss_tokens);
  }
  std::vector<double> sums{nll, tokens};
  dist::all_reduce_sum(comm, sums);
  return sums[1] > 0 ? sums[0] / sums[1] : 0.0;
}

void run_lm_training(const LmTrainPlan& plan, train::ModelBundle& bundle, const train::TrainerEnv& env) {
  auto log = logger();
  dist::Comm& comm = dist::world();
  if (comm.rank() != env.rank || comm.world_size() != env.world_size)
    throw RuntimeFailure("[" + env.stage_name + "] trainer started as rank " + std::to_string(env.rank) + " of " +
                         std::to_string(env.world_size) + " but the process group is " + comm.describe());
  auto& model = *bundle.model;
  const int pad = bundle.tokenizer.pad_id();
  const bool kd_on = plan.teacher != nullptr && plan.kd.weight > 0;
  optim::AdamW opt(
      [&] {
        std::vector<std::pair<std::string, torch::Tensor>> named;
        for (const auto& item : model.named_parameters()) named.emplace_back(item.key(), item.value());
        return named;
      }(),
      plan.optim);
  std::vector<torch::Tensor> params;
  for (const auto& p : model.parameters()) params.push_back(p);

  EpochCursor cursor(plan.train_rows.size(), derive_seed(env.seed, "rows/" + env.stage_name), "the training set");
  std::int64_t start_step = 0;
  int skipped_before = 0;
  auto resume_from = train::find_resume_checkpoint(env);
  if (resume_from) {
    auto restored = train::restore_train_checkpoint(env, *resume_from, bundle, opt);
    start_step = restored.step;
    cursor.restore(restored.state.at("data_cursor"));
    skipped_before = restored.state.value("nonfinite_skipped", 0);
    const int saved_world = restored.state.value("world_size", 1);
    if (saved_world != env.world_size)
      log->warn("[{}] {} was written by {} rank(s) and resumes on {}: a step now takes {} rows instead of {} (resume "
                "with the same number of ranks to continue the same run)",
                env.stage_name, *resume_from, saved_world, env.world_size, rows_per_step(plan, env.world_size),
                rows_per_step(plan, saved_world));
    log->info("[{}] resumed from {} at step {}", env.stage_name, *resume_from, start_step);
  }
  // Replicas start identical: same seeded init or checkpoint, and rank 0's weights broadcast for certainty.
  dist::broadcast_parameters(comm, params);
  train::StepLog metrics(env, "metrics.jsonl", start_step, !resume_from.has_value());
  train::NonfiniteSteps bad_steps(env.stage_name, plan.optim.skip_nonfinite, skipped_before);
  auto save = [&](const std::string& name, std::int64_t step) {
    metrics.sync();
    Json state{{"data_cursor", cursor.state()}, {"world_size", env.world_size}, {"nonfinite_skipped", bad_steps.skipped()}};
    return train::save_train_checkpoint(env, name, step, bundle, opt, state, {}, plan.checkpoint.keep_last);
  };

  const std::int64_t per_rank_rows = static_cast<std::int64_t>(plan.batch_size) * plan.optim.grad_accum;
  Progress progress(env.stage_name, plan.total_steps, "step");
  progress.set_start(start_step);
  progress.set_enabled(env.is_main());
  double last_eval = NAN;
  for (std::int64_t step = start_step; step < plan.total_steps; ++step) {
    Stopwatch clock;
    model.train();
    // Every rank advances the shared cursor by the global step's rows and takes its own slice.
    auto global = cursor.next(static_cast<size_t>(rows_per_step(plan, env.world_size)));
    std::vector<size_t> mine(global.begin() + env.rank * per_rank_rows, global.begin() + (env.rank + 1) * per_rank_rows);
    std::vector<MicroBatch> micro;
    std::int64_t step_loss_tokens = 0, step_tokens = 0;
    for (size_t i = 0; i < mine.size(); i += plan.batch_size) {
      std::vector<size_t> idx(mine.begin() + i, mine.begin() + std::min(mine.size(), i + plan.batch_size));
      micro.push_back(collate(pick(plan.train_rows, idx), pad, model.device()));
      step_loss_tokens += micro.back().loss_tokens;
      step_tokens += micro.back().real_tokens;
    }
    // The loss is a mean over the GLOBAL step's loss tokens: each rank divides its sum by (global count / W) and the
    // gradients are averaged over ranks below.
    std::vector<double> counts{static_cast<double>(step_loss_tokens), static_cast<double>(step_tokens)};
    dist::all_reduce_sum(comm, counts);
    const double global_loss_tokens = std::max(1.0, counts[0]);
    const double normalizer = global_loss_tokens / env.world_size;
    const double lr = optim::lr_at(plan.optim, step, plan.total_steps);
    opt.zero_grad();
    double ce_total = 0, kd_total = 0;
    for (auto& mb : micro) {
      auto hidden = model.hidden(mb.tokens, mb.positions, mb.attn);
      torch::Tensor loss;
      if (kd_on) {
        auto logits = model.logits(hidden).to(torch::kFloat32);  // [n, L, V]
        auto lp = torch::log_softmax(logits, -1).gather(-1, mb.targets.unsqueeze(-1)).squeeze(-1);
        auto ce = -(lp * mb.mask).sum();
        torch::Tensor teacher_logits;
        {
          c10::InferenceMode guard;
          teacher_logits = plan.teacher->logits(plan.teacher->hidden(mb.tokens, mb.positions, mb.attn)).clone();
        }
        auto kd = kd_divergence(logits, teacher_logits, mb.mask, plan.kd.temperature, plan.kd.divergence).sum();
        loss = (ce + plan.kd.weight * kd) / normalizer;
        ce_total += ce.item<double>();
        kd_total += kd.item<double>();
      } else {
        auto lp = model::token_logprobs(model, hidden, mb.targets).logprobs;
        auto ce = -(lp * mb.mask).sum();
        loss = ce / normalizer;
        ce_total += ce.item<double>();
      }
      loss.backward();
    }
    dist::all_reduce_mean_grads(comm, params);
    // Loss sums over ranks, and whether any rank was asked to stop (all ranks must stop after the same step).
    std::vector<double> sums{ce_total, kd_total, stop_requested() ? 1.0 : 0.0};
    dist::all_reduce_sum(comm, sums);
    const double loss_value = sums[0] / global_loss_tokens;
    const bool stop_now = sums[2] > 0;
    auto gn = optim::clip_grad_norm(params, plan.optim.max_grad_norm);
    const bool bad = !gn.finite || !std::isfinite(loss_value);
    if (bad) bad_steps.on_bad_step(step + 1, loss_value);  // throws past the skip_nonfinite allowance
    else opt.step(lr);
    opt.zero_grad();
    if (dist::check_sync_enabled()) dist::check_in_sync(comm, opt.params(), "after step " + std::to_string(step + 1));

    const double step_s = clock.seconds();
    bool last = step + 1 == plan.total_steps;
    Json row{{"step", step + 1},
             {"loss", loss_value},
             {"lr", lr},
             {"grad_norm", gn.norm},
             {"epoch", cursor.epoch()},
             {"tokens_per_s", counts[1] / std::max(1e-9, step_s)},
             {"step_s", step_s}};
    if (kd_on) row["kd_loss"] = sums[1] / global_loss_tokens;
    bool do_eval = !plan.eval_rows.empty() && (last || (plan.eval_every > 0 && (step + 1) % plan.eval_every == 0));
    if (do_eval) {
      model.eval();
      last_eval = mean_token_loss(model, plan.eval_rows, plan.batch_size, plan.eval_batches, pad, comm);
      row["eval_loss"] = last_eval;
    }
    metrics.write(row);
    if ((step + 1) % plan.log_every == 0 || last)
      log->debug("[{}] step {} loss {:.4f}{} lr {:.2e}", env.stage_name, step + 1, loss_value,
                 do_eval ? fmt::format(" eval_loss {:.4f}", last_eval) : "", lr);
    std::vector<std::pair<std::string, double>> shown{{"loss", loss_value}};
    if (!std::isnan(last_eval)) shown.emplace_back("eval_loss", last_eval);
    progress.update(step + 1, shown);
    train::checkpoint_after_step({env.stage_name, plan.total_steps, plan.checkpoint.every}, step + 1, stop_now, save,
                                [&] { progress.finish(); });
  }
  progress.finish();
  save("final", plan.total_steps);
  log->info("[{}] done: {}/final{}", env.stage_name, env.stage_dir,
            std::isnan(last_eval) ? "" : fmt::format(" (eval loss {:.4f})", last_eval));
}

}  // namespace r1::sft
