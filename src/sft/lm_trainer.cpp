// Language-model training loop (pretrain / SFT / distill).
#include "r1/sft/lm_trainer.h"

#include <algorithm>
#include <cmath>

#include "r1/data/epoch_cursor.h"
#include "r1/model/attention_mask.h"
#include "r1/model/logprobs.h"
#include "r1/optim/adamw.h"
#include "r1/sft/kd_loss.h"
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
                       int max_batches, int pad_id) {
  c10::InferenceMode guard;
  double nll = 0, tokens = 0;
  int batches = 0;
  for (size_t start = 0; start < rows.size(); start += batch_size) {
    if (max_batches > 0 && batches++ >= max_batches) break;
    std::vector<const TokenRow*> chunk;
    for (size_t i = start; i < std::min(rows.size(), start + batch_size); ++i) chunk.push_back(&rows[i]);
    auto mb = collate(chunk, pad_id, model.device());
    auto hidden = model.hidden(mb.tokens, mb.positions, mb.attn);
    auto lp = model::token_logprobs(model, hidden, mb.targets).logprobs;
    nll -= (lp * mb.mask).sum().item<double>();
    tokens += static_cast<double>(mb.loss_tokens);
  }
  return tokens > 0 ? nll / tokens : 0.0;
}

void run_lm_training(const LmTrainPlan& plan, train::ModelBundle& bundle, const train::TrainerEnv& env) {
  auto log = logger();
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
  auto resume_from = train::find_resume_checkpoint(env);
  if (resume_from) {
    auto restored = train::restore_train_checkpoint(env, *resume_from, bundle, opt);
    start_step = restored.step;
    cursor.restore(restored.state.at("data_cursor"));
    log->info("[{}] resumed from {} at step {}", env.stage_name, *resume_from, start_step);
  }
  train::StepLog metrics(env, "metrics.jsonl", start_step, !resume_from.has_value());
  auto save = [&](const std::string& name, std::int64_t step) {
    metrics.sync();
    return train::save_train_checkpoint(env, name, step, bundle, opt, Json{{"data_cursor", cursor.state()}}, {},
                                        plan.checkpoint.keep_last);
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
    const double normalizer = std::max<double>(1.0, static_cast<double>(step_loss_tokens));
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
    double loss_value = ce_total / normalizer;
    auto gn = optim::clip_grad_norm(params, plan.optim.max_grad_norm);
    if (!gn.finite || !std::isfinite(loss_value))
      throw RuntimeFailure("[" + env.stage_name + "] step " + std::to_string(step + 1) +
                           ": non-finite loss or gradient (loss " + std::to_string(loss_value) +
                           "); stopping before the optimizer step, the last checkpoint is intact");
    opt.step(lr);
    opt.zero_grad();

    const double step_s = clock.seconds();
    bool last = step + 1 == plan.total_steps;
    Json row{{"step", step + 1},
             {"loss", loss_value},
             {"lr", lr},
             {"grad_norm", gn.norm},
             {"epoch", cursor.epoch()},
             {"tokens_per_s", static_cast<double>(step_tokens) * env.world_size / std::max(1e-9, step_s)},
             {"step_s", step_s}};
    if (kd_on) row["kd_loss"] = kd_total / normalizer;
    bool do_eval = !plan.eval_rows.empty() && (last || (plan.eval_every > 0 && (step + 1) % plan.eval_every == 0));
    if (do_eval) {
      model.eval();
      last_eval = mean_token_loss(model, plan.eval_rows, plan.batch_size, plan.eval_batches, pad);
      row["eval_loss"] = last_eval;
    }
    metrics.write(row);
    if ((step + 1) % plan.log_every == 0 || last)
      log->debug("[{}] step {} loss {:.4f}{} lr {:.2e}", env.stage_name, step + 1, loss_value,
                 do_eval ? fmt::format(" eval_loss {:.4f}", last_eval) : "", lr);
    std::vector<std::pair<std::string, double>> shown{{"loss", loss_value}};
    if (!std::isnan(last_eval)) shown.emplace_back("eval_loss", last_eval);
    progress.update(step + 1, shown);
    if (!last && plan.checkpoint.every > 0 && (step + 1) % plan.checkpoint.every == 0)
      save(checkpoint_name(step + 1), step + 1);
    if (!last && stop_requested()) {
      progress.finish();
      std::string path = save(checkpoint_name(step + 1), step + 1);
      throw Interrupted("[" + env.stage_name + "] stopped after step " + std::to_string(step + 1) +
                        "; checkpoint " + path + " written. Resume with the same command plus --resume auto.");
    }
  }
  progress.finish();
  save("final", plan.total_steps);
  log->info("[{}] done: {}/final{}", env.stage_name, env.stage_dir,
            std::isnan(last_eval) ? "" : fmt::format(" (eval loss {:.4f})", last_eval));
}

}  // namespace r1::sft
