// Language-model training loop (pretrain / SFT / distill).
#include "r1/sft/lm_trainer.h"

#include <algorithm>
#include <cmath>

#include "r1/data/epoch_cursor.h"
#include "r1/dist/collectives.h"
#include "r1/model/attention_mask.h"
#include "r1/model/chunked_logprobs.h"
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

LmTrainer::LmTrainer(const LmTrainPlan& plan, train::ModelBundle& bundle, const train::RunContext& ctx)
    : plan_(plan),
      bundle_(bundle),
      ctx_(ctx),
      cursor_(plan.train_rows.size(), derive_seed(ctx.seed, "rows/" + ctx.stage_name), "the training set"),
      loop_(ctx, bundle, plan.optim, plan.total_steps, plan.checkpoint),
      last_eval_(NAN) {}

void LmTrainer::train() {
  loop_.begin(*this);
  loop_.run(*this);
  if (!std::isnan(last_eval_)) logger()->info("[{}] final eval loss {:.4f}", ctx_.stage_name, last_eval_);
}

void LmTrainer::restore(const train::RestoredState& restored) {
  cursor_.restore(restored.state.at("data_cursor"));
  const int saved_world = restored.state.value("world_size", 1);
  if (saved_world != ctx_.world_size)
    logger()->warn("[{}] {} was written by {} rank(s) and resumes on {}: a step now takes {} rows instead of {} "
                   "(resume with the same number of ranks to continue the same run)",
                   ctx_.stage_name, restored.path, saved_world, ctx_.world_size, rows_per_step(plan_, ctx_.world_size),
                   rows_per_step(plan_, saved_world));
}

Json LmTrainer::state() const { return Json{{"data_cursor", cursor_.state()}}; }

namespace {
// The KD micro-batch in chunks of tokens: the student's final hidden states are cut from the graph, each chunk's
// logits, cross-entropy and divergence (the teacher's logits of the same tokens beside them) are backpropagated to
// the cut hidden states and the output matrix, and the accumulated hidden-state gradient then runs through the
// model once. Same gradients as the whole-logits loss (up to summation order), at most one chunk of logits alive.
LmTrainer::LossSums kd_chunked(model::TransformerImpl& model, const LmTrainPlan& plan, const torch::Tensor& hidden,
                               const MicroBatch& mb, double normalizer) {
  const int64_t n = hidden.size(0) * hidden.size(1);
  auto cut = hidden.detach().reshape({n, hidden.size(-1)}).requires_grad_(true);  // [N, H]
  torch::Tensor teacher_hidden;
  {
    c10::InferenceMode guard;
    teacher_hidden = plan.teacher->hidden(mb.tokens, mb.positions, mb.attn);
    teacher_hidden = teacher_hidden.reshape({n, teacher_hidden.size(-1)});  // [N, H_teacher]
  }
  const auto targets = mb.targets.reshape({n});
  const auto mask = mb.mask.reshape({n});
  const int64_t rows = model::logits_chunk_rows(model.vocab_size(), plan.kd_logits_budget);
  // The chunks' sums stay on the device and are read once, after the last chunk (no host sync per chunk).
  auto ce_sum = torch::zeros({}, hidden.options().dtype(torch::kFloat64));
  auto kd_sum = torch::zeros({}, hidden.options().dtype(torch::kFloat64));
  for (int64_t s = 0; s < n; s += rows) {
    const int64_t len = std::min(rows, n - s);
    auto logits = model.logits(cut.narrow(0, s, len)).to(torch::kFloat32).unsqueeze(0);  // [1, len, V]
    auto m = mask.narrow(0, s, len).unsqueeze(0);                                        // [1, len]
    auto lp = torch::log_softmax(logits, -1).gather(-1, targets.narrow(0, s, len).view({1, len, 1})).squeeze(-1);
    auto ce = -(lp * m).sum();
    torch::Tensor teacher_logits;
    {
      c10::InferenceMode guard;
      teacher_logits = plan.teacher->logits(teacher_hidden.narrow(0, s, len)).unsqueeze(0).clone();
    }
    auto kd = kd_divergence(logits, teacher_logits, m, plan.kd.temperature, plan.kd.divergence).sum();
    ((ce + plan.kd.weight * kd) / normalizer).backward();
    ce_sum += ce.detach().to(torch::kFloat64);
    kd_sum += kd.detach().to(torch::kFloat64);
  }
  hidden.backward(cut.grad().view(hidden.sizes()));
  LmTrainer::LossSums sums;
  sums.ce = ce_sum.item<double>();
  sums.kd = kd_sum.item<double>();
  return sums;
}

}  // namespace

LmTrainer::LossSums LmTrainer::accumulate_gradients(const std::vector<size_t>& rows, double normalizer) {
  auto& model = *bundle_.model;
  const int pad = bundle_.tokenizer.pad_id();
  const bool kd_on = plan_.teacher != nullptr && plan_.kd.weight > 0;
  LossSums sums;
  for (size_t i = 0; i < rows.size(); i += plan_.batch_size) {
    std::vector<size_t> idx(rows.begin() + i, rows.begin() + std::min(rows.size(), i + plan_.batch_size));
    auto mb = collate(pick(plan_.train_rows, idx), pad, model.device());
    auto hidden = model.hidden(mb.tokens, mb.positions, mb.attn);
    torch::Tensor loss;
    const auto n_logits = mb.tokens.numel() * model.vocab_size();
    if (kd_on && n_logits > plan_.kd_logits_budget) {
      const auto chunk = kd_chunked(model, plan_, hidden, mb, normalizer);
      sums.ce += chunk.ce;
      sums.kd += chunk.kd;
      continue;  // its backward is done
    }
    if (kd_on) {
      auto logits = model.logits(hidden).to(torch::kFloat32);  // [n, L, V]
      auto lp = torch::log_softmax(logits, -1).gather(-1, mb.targets.unsqueeze(-1)).squeeze(-1);
      auto ce = -(lp * mb.mask).sum();
      torch::Tensor teacher_logits;
      {
        c10::InferenceMode guard;
        teacher_logits = plan_.teacher->logits(plan_.teacher->hidden(mb.tokens, mb.positions, mb.attn)).clone();
      }
      auto kd = kd_divergence(logits, teacher_logits, mb.mask, plan_.kd.temperature, plan_.kd.divergence).sum();
      loss = (ce + plan_.kd.weight * kd) / normalizer;
      sums.ce += ce.item<double>();
      sums.kd += kd.item<double>();
    } else {
      auto lp = model::token_logprobs(model, hidden, mb.targets).logprobs;
      auto ce = -(lp * mb.mask).sum();
      loss = ce / normalizer;
      sums.ce += ce.item<double>();
    }
    loss.backward();
  }
  return sums;
}

train::StepReport LmTrainer::step(std::int64_t step) {
  Stopwatch clock;
  auto& model = *bundle_.model;
  model.train();
  // Every rank advances the shared cursor by the global step's rows and takes its own slice.
  const std::int64_t per_rank = static_cast<std::int64_t>(plan_.batch_size) * plan_.optim.grad_accum;
  auto global = cursor_.next(static_cast<size_t>(rows_per_step(plan_, ctx_.world_size)));
  std::vector<size_t> mine(global.begin() + ctx_.rank * per_rank, global.begin() + (ctx_.rank + 1) * per_rank);
  // The loss is a mean over the GLOBAL step's loss tokens: each rank divides its sum by (global count / W) and the
  // gradients are averaged over ranks.
  std::vector<double> counts{0, 0};  // loss tokens, real tokens
  for (size_t r : mine) {
    counts[0] += static_cast<double>(plan_.train_rows[r].loss_tokens());
    counts[1] += static_cast<double>(plan_.train_rows[r].tokens.size());
  }
  dist::all_reduce_sum(dist::world(), counts);
  const double global_loss_tokens = std::max(1.0, counts[0]);
  const double lr = optim::lr_at(plan_.optim, step, plan_.total_steps);
  loop_.optimizer().zero_grad();
  LossSums local = accumulate_gradients(mine, global_loss_tokens / ctx_.world_size);
  std::vector<double> sums{local.ce, local.kd};
  dist::all_reduce_sum(dist::world(), sums);
  const double loss = sums[0] / global_loss_tokens;
  auto gs = loop_.apply_gradients(step, loss, lr, "after step " + std::to_string(step + 1));
  const double step_s = clock.seconds();
  Json row{{"step", step + 1},      {"loss", loss}, {"lr", lr}, {"grad_norm", gs.grad_norm}, {"epoch", cursor_.epoch()},
           {"tokens_per_s", counts[1] / std::max(1e-9, step_s)}, {"step_s", step_s}};
  if (plan_.teacher != nullptr && plan_.kd.weight > 0) row["kd_loss"] = sums[1] / global_loss_tokens;
  const bool last = step + 1 == plan_.total_steps;
  const bool do_eval =
      !plan_.eval_rows.empty() && (last || (plan_.eval_every > 0 && (step + 1) % plan_.eval_every == 0));
  if (do_eval) {
    model.eval();
    last_eval_ = mean_token_loss(model, plan_.eval_rows, plan_.batch_size, plan_.eval_batches,
                                 bundle_.tokenizer.pad_id(), dist::world());
    row["eval_loss"] = last_eval_;
  }
  if ((step + 1) % plan_.log_every == 0 || last)
    logger()->debug("[{}] step {} loss {:.4f}{} lr {:.2e}", ctx_.stage_name, step + 1, loss,
                    do_eval ? fmt::format(" eval_loss {:.4f}", last_eval_) : "", lr);
  train::StepReport report{row, {{"loss", loss}}};
  if (!std::isnan(last_eval_)) report.shown.emplace_back("eval_loss", last_eval_);
  return report;
}

void run_lm_training(const LmTrainPlan& plan, train::ModelBundle& bundle, const train::RunContext& ctx) {
  LmTrainer(plan, bundle, ctx).train();
}

}  // namespace r1::sft
