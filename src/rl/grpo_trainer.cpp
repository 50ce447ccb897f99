// The GRPO trainer: one step = collect_batch -> compute_advantages -> freeze_logprobs -> update -> log_step.
#include "r1/rl/grpo_trainer.h"

#include <algorithm>
#include <numeric>

#include "r1/data/prompt_source.h"
#include "r1/dist/collectives.h"
#include "r1/dist/world.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/rng.h"
#include "r1/util/timer.h"

namespace r1::rl {

namespace {

std::vector<std::vector<size_t>> chunk(const std::vector<size_t>& rows, size_t size) {
  std::vector<std::vector<size_t>> out;
  for (size_t i = 0; i < rows.size(); i += size)
    out.emplace_back(rows.begin() + i, rows.begin() + std::min(rows.size(), i + size));
  return out;
}

// Log-probs of `rows` of the rollout under `model`, without gradient, one tensor per micro-batch chunk.
std::vector<torch::Tensor> frozen_logprobs(model::TransformerImpl& model, const Rollout& rollout,
                                           const std::vector<std::vector<size_t>>& chunks, double temperature,
                                           int pad_id, const torch::Device& device, bool pack) {
  c10::InferenceMode guard;
  std::vector<torch::Tensor> out;
  for (const auto& rows : chunks) {
    auto batch = make_policy_batch(rollout, rows, false, pad_id, device, pack);
    out.push_back(completion_logprobs(model, batch, temperature).clone());
  }
  return out;
}

GrpoLossConfig loss_config_of(const config::RlStageConfig& cfg) {
  GrpoLossConfig lc;
  lc.epsilon_low = cfg.grpo.epsilon_low;
  lc.epsilon_high = cfg.grpo.epsilon_high;
  lc.beta = cfg.grpo.beta;
  lc.kl_estimator = cfg.grpo.kl_estimator;
  lc.importance_sampling = cfg.grpo.importance_sampling;
  lc.loss_agg = cfg.grpo.loss_agg;
  lc.max_completion_length = cfg.sampling.max_new_tokens;
  return lc;
}

int prompts_per_rank(const config::RlStageConfig& cfg, const train::RunContext& ctx) {
  if (cfg.grpo.prompts_per_step % ctx.world_size != 0)
    throw InputError("[" + ctx.stage_name + "] grpo.prompts_per_step: must be divisible by the number of ranks, " +
                     std::to_string(ctx.world_size) + ", so that every rank samples whole groups (got " +
                     std::to_string(cfg.grpo.prompts_per_step) + ")");
  return cfg.grpo.prompts_per_step / ctx.world_size;
}

// Groups whose rewards are not all equal (the ones with a learning signal).
std::vector<bool> varied_groups(const std::vector<RowStat>& stats, int group_size) {
  auto adv = rl::compute_advantages(rewards_of(stats), group_size, config::ScaleRewards::kNone);
  std::vector<bool> keep(adv.group_all_equal.size());
  for (size_t k = 0; k < keep.size(); ++k) keep[k] = !adv.group_all_equal[k];
  return keep;
}

Json sample_row(std::int64_t step, const Rollout& r, size_t i, double advantage, const RewardSet& rewards) {
  const auto& s = r.samples[i];
  Json comps = Json::object();
  for (size_t k = 0; k < rewards.names().size(); ++k) comps[rewards.names()[k]] = s.outcome.components[k];
  const auto& ex = r.prompts[s.prompt_index];
  return Json{{"step", step},
              {"prompt_id", ex.id},
              {"question", ex.question},
              {"answer", ex.answer},
              {"completion", s.completion.text},
              {"reward", s.outcome.total},
              {"rewards", comps},
              {"correct", s.outcome.correct},
              {"formatted", s.outcome.formatted},
              {"language_consistency", s.outcome.language_consistency},
              {"advantage", advantage},
              {"finish", generate::finish_reason_name(s.completion.finish)},
              {"tokens", s.completion.tokens.size()}};
}

std::uint64_t step_seed(const train::RunContext& ctx, std::int64_t step) {
  return derive_seed(ctx.seed, ctx.stage_name + "/step-" + std::to_string(step));
}

}  // namespace

torch::Tensor FrozenLogprobs::rows(const std::vector<torch::Tensor>& chunks, const std::vector<size_t>& local_rows,
                                   int64_t width) const {
  if (chunks.empty()) return torch::Tensor();
  std::vector<torch::Tensor> parts;
  for (size_t r : local_rows) {
    auto t = chunks[r / micro].select(0, static_cast<int64_t>(r % micro));
    const int64_t w = t.size(0);
    parts.push_back(w >= width ? t.narrow(0, 0, width) : torch::cat({t, torch::zeros({width - w}, t.options())}));
  }
  return torch::stack(parts);
}

GrpoTrainer::GrpoTrainer(const config::RlStageConfig& cfg, const train::RunContext& ctx, const GrpoInputs& inputs)
    : cfg_(cfg),
      ctx_(ctx),
      policy_(train::load_model(inputs.init, ctx.device)),
      reference_(cfg.grpo.beta > 0 ? ReferencePolicy(inputs.reference.empty() ? inputs.init : inputs.reference,
                                                     ctx.device, cfg.grpo.ref_update_every, policy_.tokenizer,
                                                     inputs.init)
                                   : ReferencePolicy()),
      rewards_(cfg.rewards),
      pool_(load_prompts(cfg.prompts, derive_seed(ctx.seed, "prompts/" + ctx.stage_name))),
      cursor_(pool_.size(), derive_seed(ctx.seed, "prompt-order/" + ctx.stage_name), "the prompt set"),
      filter_(cfg.prompts.filter),
      loop_(ctx, policy_, cfg.optim, cfg.steps, cfg.checkpoint),
      sampler_(*policy_.model, policy_.tokenizer),
      prompts_per_rank_(prompts_per_rank(cfg, ctx)),
      loss_config_(loss_config_of(cfg)),
      renderer_(cfg.prompts.template_name, policy_.tokenizer, inputs.init) {
  const auto& g = cfg.grpo;
  const int batch_rows = g.prompts_per_step * g.group_size;
  minibatch_ = static_cast<size_t>(g.minibatch_size > 0 ? g.minibatch_size : batch_rows);
  // Micro-batches split a rank's share of a minibatch (about minibatch / world rows) into grad_accum parts.
  micro_ = static_cast<size_t>(std::max<size_t>(1, minibatch_ / (cfg.optim.grad_accum * ctx.world_size)));
  if (reference_.enabled()) reference_.model().set_compute_dtype(ctx.dtype);  // the policy's: set by the loop
  auto log = logger();
  log->info("[{}] policy {} ({} parameters)", ctx.stage_name, inputs.init, policy_.model->parameter_count());
  log->info("[{}] {} training prompts ({}), G = {}, {} prompts per step{}, {} steps", ctx.stage_name, cursor_.size(),
            cfg.prompts.file.empty() ? cfg.prompts.task : cfg.prompts.file, g.group_size, g.prompts_per_step,
            ctx.world_size > 1 ? fmt::format(" ({} per rank)", prompts_per_rank_) : "", cfg.steps);
}

void GrpoTrainer::train() {
  loop_.begin(*this);
  samples_log_ = &loop_.add_log("samples.jsonl");
  loop_.run(*this);
}

void GrpoTrainer::restore(const train::RestoredState& restored) {
  cursor_.restore(restored.state.at("prompt_cursor"));
  if (filter_.enabled()) {
    if (!restored.state.contains("prompt_filter"))
      throw InputError("[" + ctx_.stage_name + "] the checkpoint has no prompt_filter state: it was written without "
                       "prompts.filter, so resuming with the filter on would not repeat the run; rerun the stage");
    filter_.restore(restored.state.at("prompt_filter"));
  }
  reference_.restore(restored);
}

Json GrpoTrainer::state() const {
  Json s{{"prompt_cursor", cursor_.state()}};
  if (filter_.enabled()) s["prompt_filter"] = filter_.state();
  return s;
}

std::map<std::string, torch::Tensor> GrpoTrainer::extra_tensors() const { return reference_.extra_tensors(); }

std::vector<PromptExample> GrpoTrainer::next_local_prompts() {
  // Every rank draws the step's prompts from one shared cursor (and filter) and samples its own share of them.
  size_t skipped = 0;
  last_draw_ = filter_.draw(cursor_, static_cast<size_t>(cfg_.grpo.prompts_per_step), skipped);
  skipped_ += skipped;
  std::vector<PromptExample> out;
  for (int k = ctx_.rank * prompts_per_rank_; k < (ctx_.rank + 1) * prompts_per_rank_; ++k)
    out.push_back(pool_[last_draw_[k]]);
  return out;
}

void GrpoTrainer::remember_pass_rates(const std::vector<RowStat>& stats) {
  if (!filter_.enabled()) return;
  const size_t g = static_cast<size_t>(cfg_.grpo.group_size);
  for (size_t k = 0; k < last_draw_.size() && (k + 1) * g <= stats.size(); ++k) {
    double correct = 0;
    for (size_t j = 0; j < g; ++j) correct += stats[k * g + j].correct;
    filter_.record(last_draw_[k], correct / static_cast<double>(g));
  }
}

Rollout GrpoTrainer::rollout(std::uint64_t seed) {
  // Row seeds come from the GLOBAL row index, so every rank samples what a single process would for its rows.
  const size_t first_row = static_cast<size_t>(ctx_.rank) * prompts_per_rank_ * cfg_.grpo.group_size;
  return collect_rollout(sampler_, policy_.tokenizer, next_local_prompts(), renderer_, cfg_.sampling,
                         cfg_.grpo.group_size, seed, first_row);
}

std::vector<RowStat> GrpoTrainer::score(Rollout& mine) {
  score_rollout(mine, rewards_);
  auto stats = gather_row_stats(dist::world(), mine, cfg_.grpo.mask_truncated, rewards_.names().size());
  remember_pass_rates(stats);
  return stats;
}

GroupBatch GrpoTrainer::collect_batch(std::int64_t step) {
  const auto& g = cfg_.grpo;
  policy_.model->eval();
  GroupBatch batch(g.group_size, ctx_.rank, ctx_.world_size, prompts_per_rank_);
  skipped_ = 0;
  const std::uint64_t seed = step_seed(ctx_, step);
  Rollout first = rollout(seed);
  const std::vector<RowStat> stats = score(first);
  if (!g.dynamic_sampling) {
    batch.add_round(std::move(first), stats, std::vector<bool>(g.prompts_per_step, true));
    return batch;
  }
  batch.add_round(std::move(first), stats, varied_groups(stats, g.group_size));
  for (int round = 1; round <= g.max_resample_rounds && static_cast<int>(batch.groups()) < g.prompts_per_step;
       ++round) {
    Rollout more = rollout(mix64(seed + 7919 * round));
    const std::vector<RowStat> more_stats = score(more);
    batch.add_round(std::move(more), more_stats, varied_groups(more_stats, g.group_size));
  }
  batch.truncate(static_cast<size_t>(g.prompts_per_step));
  return batch;
}

Advantages GrpoTrainer::compute_advantages(const GroupBatch& batch) const {
  std::vector<double> tokens;
  for (const auto& s : batch.stats()) tokens.push_back(s.active);
  return rl::estimate_advantages(cfg_.grpo.advantage, rewards_of(batch.stats()), cfg_.grpo.group_size,
                                 cfg_.grpo.scale_rewards, tokens);
}

FrozenLogprobs GrpoTrainer::freeze_logprobs(const GroupBatch& batch) {
  Stopwatch clock;
  FrozenLogprobs frozen;
  frozen.micro = micro_;
  std::vector<size_t> local(batch.local_rows());
  std::iota(local.begin(), local.end(), 0);
  const auto chunks = chunk(local, micro_);
  // pi_old equals the current policy only while no optimizer step has used this batch: one iteration over one
  // minibatch. Otherwise the sampling policy's log-probs are frozen here.
  const bool one_update = cfg_.grpo.iterations == 1 && minibatch_ >= batch.rows();
  const int pad = policy_.tokenizer.pad_id();
  const double temperature = cfg_.sampling.temperature;
  const bool pack = cfg_.grpo.packing;
  if (!local.empty() && !one_update)
    frozen.old_lp = frozen_logprobs(*policy_.model, batch.local(), chunks, temperature, pad, ctx_.device, pack);
  if (!local.empty() && reference_.enabled())
    frozen.ref_lp = frozen_logprobs(reference_.model(), batch.local(), chunks, temperature, pad, ctx_.device, pack);
  frozen.seconds = clock.seconds();
  return frozen;
}

double GrpoTrainer::minibatch_update(int iteration, const GroupBatch& batch,
                                     const std::vector<size_t>& rows, const torch::Tensor& advantages,
                                     const FrozenLogprobs& frozen, UpdateStats& st) {
  // Normalisers over the whole (global) minibatch, divided by the ranks: each rank computes the loss of its own
  // rows, and the averaged gradients equal a single process's gradient of the whole minibatch.
  double mb_tokens = 0;
  for (size_t r : rows) mb_tokens += batch.stats()[r].active;
  GrpoLossConfig lc = loss_config_;
  lc.token_normalizer = std::max(1.0, mb_tokens) / ctx_.world_size;
  lc.sequence_normalizer = static_cast<double>(rows.size()) / ctx_.world_size;
  const int pad = policy_.tokenizer.pad_id();
  loop_.optimizer().zero_grad();
  double mb_loss = 0;
  for (const auto& local : chunk(batch.local_rows_of(rows), micro_)) {
    auto pb = make_policy_batch(batch.local(), local, cfg_.grpo.mask_truncated, pad, ctx_.device, cfg_.grpo.packing);
    torch::Tensor entropy;
    auto lp = completion_logprobs(*policy_.model, pb, cfg_.sampling.temperature, iteration == 0 ? &entropy : nullptr);
    const int64_t width = lp.size(1);
    auto old = frozen.old_lp.empty() ? lp.detach() : frozen.rows(frozen.old_lp, local, width).to(ctx_.device);
    auto ref = frozen.ref_lp.empty() ? torch::Tensor() : frozen.rows(frozen.ref_lp, local, width).to(ctx_.device);
    std::vector<int64_t> global;
    for (size_t r : local) global.push_back(static_cast<int64_t>(batch.global_row(r)));
    auto a = advantages.index_select(0, torch::tensor(global, torch::kInt64)).to(ctx_.device);
    const double cap = cfg_.grpo.tis_cap;
    if (iteration == 0) st.mismatch.add(rollout_mismatch(old, pb.sampler_logp, pb.mask, cap));
    const torch::Tensor weight = cfg_.grpo.rollout_correction == config::RolloutCorrection::kTis
                                     ? tis_weights(old, pb.sampler_logp, pb.mask, cap)
                                     : torch::Tensor();
    auto out = grpo_loss(lp, old, ref, pb.mask, a, lc, weight);
    out.loss.backward();
    mb_loss += out.loss.item<double>();
    st.clip_weighted += out.clip_frac * out.clip_units;
    st.clip_units += out.clip_units;
    st.kl_weighted += out.kl_mean * out.active_tokens;
    st.tokens += out.active_tokens;
    if (iteration == 0 && entropy.defined()) {
      st.entropy_sum += (entropy * pb.mask).sum().item<double>();
      st.entropy_tokens += pb.mask.sum().item<double>();
    }
  }
  std::vector<double> loss_sum{mb_loss};
  dist::all_reduce_sum(dist::world(), loss_sum);
  return loss_sum[0] / ctx_.world_size;
}

UpdateStats GrpoTrainer::update(std::int64_t step, const GroupBatch& batch, const Advantages& adv,
                                const FrozenLogprobs& frozen) {
  Stopwatch clock;
  UpdateStats st;
  policy_.model->train();
  const double lr = optim::lr_at(cfg_.optim, step, cfg_.steps);
  auto advantages = torch::tensor(adv.advantages, torch::kFloat64).to(torch::kFloat32);
  std::vector<size_t> all_rows(batch.rows());
  std::iota(all_rows.begin(), all_rows.end(), 0);
  // Minibatches are formed from the GLOBAL row order, shuffled with the step's seed (the same on every rank).
  for (int it = 0; it < cfg_.grpo.iterations && !all_rows.empty(); ++it) {
    std::vector<size_t> order = all_rows;
    if (minibatch_ < all_rows.size()) Rng(mix64(step_seed(ctx_, step) + 31 * (it + 1))).shuffle(order);
    for (const auto& rows : chunk(order, minibatch_)) {
      const double loss = minibatch_update(it, batch, rows, advantages, frozen, st);
      auto gs = loop_.apply_gradients(step, loss, lr,
                                      "after step " + std::to_string(step + 1) + " update " +
                                          std::to_string(st.optimizer_steps + 1));
      if (!gs.applied) continue;
      st.loss_sum += loss;
      st.grad_norm = gs.grad_norm;
      ++st.optimizer_steps;
    }
  }
  loop_.optimizer().zero_grad();
  st.seconds = clock.seconds();
  return st;
}

train::StepReport GrpoTrainer::step(std::int64_t step) {
  Stopwatch clock;
  GroupBatch batch = collect_batch(step);
  Advantages adv = compute_advantages(batch);
  FrozenLogprobs frozen = freeze_logprobs(batch);
  UpdateStats st = update(step, batch, adv, frozen);
  reference_.after_step(step, *policy_.model);
  return log_step(step, batch, adv, frozen, st, clock.seconds());
}

void GrpoTrainer::write_samples(std::int64_t step, const GroupBatch& batch, const Advantages& adv) {
  // The first samples_per_write rows of the global batch, from whichever rank holds them.
  const size_t shown = std::min<size_t>(cfg_.samples_per_write, batch.rows());
  std::vector<std::string> mine;
  for (size_t l = 0; l < batch.local_rows(); ++l) {
    const size_t global = batch.global_row(l);
    if (global < shown)
      mine.push_back(
          Json::array({global, sample_row(step + 1, batch.local(), l, adv.advantages[global], rewards_)}).dump());
  }
  std::vector<Json> gathered;
  for (const auto& text : dist::all_gather_strings(dist::world(), mine)) gathered.push_back(Json::parse(text));
  std::sort(gathered.begin(), gathered.end(),
            [](const Json& a, const Json& b) { return a[0].get<size_t>() < b[0].get<size_t>(); });
  for (const auto& item : gathered) samples_log_->write(item[1]);
}

train::StepReport GrpoTrainer::log_step(std::int64_t step, const GroupBatch& batch, const Advantages& adv,
                                        const FrozenLogprobs& frozen, const UpdateStats& st, double step_s) {
  // Token statistics summed over ranks; the rollout time of the slowest rank.
  const MismatchSums& mm = st.mismatch;
  std::vector<double> sums{st.clip_weighted, st.kl_weighted, st.tokens, st.entropy_sum, st.entropy_tokens,
                           static_cast<double>(batch.local().generated_tokens), st.clip_units, mm.tokens, mm.abs_sum,
                           mm.kl_sum, mm.weight_sum, mm.capped};
  dist::all_reduce_sum(dist::world(), sums);
  std::vector<double> slowest{batch.local().seconds, mm.abs_max};
  dist::all_reduce_max(dist::world(), slowest);
  const double rollout_s = slowest[0];
  auto per = [](double sum, double n) { return n > 0 ? sum / n : 0.0; };
  // Rewards and verdicts describe the policy's first round of samples (before dynamic sampling).
  const auto& first = batch.first_round();
  const double n = static_cast<double>(std::max<size_t>(1, first.size()));
  RowStat mean;
  mean.components.assign(rewards_.names().size(), 0.0);
  double len_max = 0;
  for (const auto& s : first) {
    mean.reward += s.reward, mean.correct += s.correct, mean.formatted += s.formatted;
    mean.language += s.language, mean.length += s.length, mean.truncated += s.truncated;
    len_max = std::max(len_max, s.length);
    for (size_t k = 0; k < mean.components.size(); ++k) mean.components[k] += s.components[k];
  }
  const auto first_adv = rl::compute_advantages(rewards_of(first), cfg_.grpo.group_size, cfg_.grpo.scale_rewards);
  Json row{{"step", step + 1},
           {"loss", st.optimizer_steps ? st.loss_sum / st.optimizer_steps : 0.0},
           {"reward", mean.reward / n},
           {"accuracy", mean.correct / n},
           {"format_rate", mean.formatted / n},
           {"language_consistency", mean.language / n},
           {"completion_len_mean", mean.length / n},
           {"completion_len_max", len_max},
           {"truncated_frac", mean.truncated / n},
           {"clip_frac", per(sums[0], sums[6])},
           {"kl", sums[2] > 0 ? sums[1] / sums[2] : 0.0},
           {"entropy", sums[4] > 0 ? sums[3] / sums[4] : 0.0},
           {"mismatch_logp_abs_mean", per(sums[8], sums[7])},
           {"mismatch_logp_abs_max", slowest[1]},
           {"mismatch_kl", per(sums[9], sums[7])},
           {"zero_std_frac", static_cast<double>(first_adv.zero_std_groups) / cfg_.grpo.prompts_per_step},
           {"groups_trained", batch.groups()},
           {"grad_norm", st.grad_norm},
           {"rollout_s", rollout_s},
           {"logprob_s", frozen.seconds},
           {"train_s", st.seconds},
           {"step_s", step_s},
           {"tokens_per_s", rollout_s > 0 ? sums[5] / rollout_s : 0.0},
           {"lr", optim::lr_at(cfg_.optim, step, cfg_.steps)}};
  if (filter_.enabled()) row["filter_skipped"] = skipped_;
  if (cfg_.grpo.rollout_correction == config::RolloutCorrection::kTis) {
    row["tis_weight_mean"] = per(sums[10], sums[7]);
    row["tis_capped_frac"] = per(sums[11], sums[7]);
  }
  for (size_t k = 0; k < mean.components.size(); ++k) row["reward/" + rewards_.names()[k]] = mean.components[k] / n;
  if (cfg_.samples_every > 0 && ((step + 1) % cfg_.samples_every == 0 || step == 0)) write_samples(step, batch, adv);
  if ((step + 1) % cfg_.log_every == 0)
    logger()->debug("[{}] step {} reward {:.3f} acc {:.3f} format {:.3f} len {:.1f} clip {:.3f} kl {:.4f} ({:.2f}s)",
                    ctx_.stage_name, step + 1, mean.reward / n, mean.correct / n, mean.formatted / n,
                    mean.length / n, row["clip_frac"].get<double>(), row["kl"].get<double>(), step_s);
  return {row,
          {{"reward", mean.reward / n}, {"acc", mean.correct / n}, {"format", mean.formatted / n},
           {"len", mean.length / n}}};
}

void run_grpo(const config::RlStageConfig& cfg, const train::RunContext& ctx, const GrpoInputs& inputs) {
  GrpoTrainer(cfg, ctx, inputs).train();
}

}  // namespace r1::rl
