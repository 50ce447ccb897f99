// GRPO training loop.
#include "r1/rl/grpo_trainer.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "r1/data/prompt_source.h"
#include "r1/dist/collectives.h"
#include "r1/dist/world.h"
#include "r1/model/logprobs.h"
#include "r1/optim/adamw.h"
#include "r1/rl/advantages.h"
#include "r1/rl/grpo_loss.h"
#include "r1/data/epoch_cursor.h"
#include "r1/rl/rollout.h"
#include "r1/train/nonfinite_steps.h"
#include "r1/train/model_bundle.h"
#include "r1/train/step_checkpoint.h"
#include "r1/train/train_checkpoint.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/progress.h"
#include "r1/util/rng.h"
#include "r1/util/signals.h"
#include "r1/util/timer.h"

namespace r1::rl {

namespace {

// Log-probs of every rollout row under `model` without gradient, in micro-batches: [N, C] aligned with the
// batch built for the same rows.
std::vector<torch::Tensor> frozen_logprobs(model::TransformerImpl& model, const Rollout& rollout,
                                           const std::vector<std::vector<size_t>>& micro_rows, double temperature,
                                           int pad_id, const torch::Device& device) {
  c10::InferenceMode guard;
  std::vector<torch::Tensor> out;
  for (const auto& rows : micro_rows) {
    auto batch = make_policy_batch(rollout, rows, false, pad_id, device);
    out.push_back(completion_logprobs(model, batch, temperature).clone());
  }
  return out;
}

std::vector<std::vector<size_t>> chunk(const std::vector<size_t>& rows, size_t size) {
  std::vector<std::vector<size_t>> out;
  for (size_t i = 0; i < rows.size(); i += size)
    out.emplace_back(rows.begin() + i, rows.begin() + std::min(rows.size(), i + size));
  return out;
}

struct StepStats {
  double loss_sum = 0;
  int optimizer_steps = 0;
  double clip_weighted = 0, kl_weighted = 0, entropy_sum = 0;
  double tokens = 0, entropy_tokens = 0;
  double grad_norm = 0;
};

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

// What every rank needs to know about every row of the global batch, wherever it was generated: its reward and
// verdicts (advantages, metrics) and how many of its tokens carry loss (normalisers).
struct RowStat {
  double reward = 0, correct = 0, formatted = 0, language = 0, length = 0, truncated = 0, active = 0;
  std::vector<double> components;
};

std::vector<double> rewards_of(const std::vector<RowStat>& rows) {
  std::vector<double> r;
  r.reserve(rows.size());
  for (const auto& x : rows) r.push_back(x.reward);
  return r;
}

// The row stats of every rank's rollout of one round, in global order (rank r generated the r-th contiguous slice of
// the round's prompts), packed as raw doubles so nothing is rounded on the way.
std::vector<RowStat> gather_row_stats(dist::Comm& comm, const Rollout& mine, bool mask_truncated, size_t n_comp) {
  const size_t width = 7 + n_comp;
  std::vector<double> flat;
  flat.reserve(mine.samples.size() * width);
  for (const auto& s : mine.samples) {
    const double len = static_cast<double>(s.completion.tokens.size());
    const bool truncated = s.completion.truncated();
    flat.insert(flat.end(), {s.outcome.total, s.outcome.correct ? 1.0 : 0.0, s.outcome.formatted ? 1.0 : 0.0,
                             s.outcome.language_consistency, len, truncated ? 1.0 : 0.0,
                             mask_truncated && truncated ? 0.0 : len});
    flat.insert(flat.end(), s.outcome.components.begin(), s.outcome.components.end());
  }
  std::string bytes(reinterpret_cast<const char*>(flat.data()), flat.size() * sizeof(double));
  std::vector<RowStat> out;
  for (const auto& part : dist::all_gather_strings(comm, {bytes})) {
    std::vector<double> v(part.size() / sizeof(double));
    std::memcpy(v.data(), part.data(), v.size() * sizeof(double));
    for (size_t i = 0; i + width <= v.size(); i += width) {
      RowStat r;
      r.reward = v[i];
      r.correct = v[i + 1];
      r.formatted = v[i + 2];
      r.language = v[i + 3];
      r.length = v[i + 4];
      r.truncated = v[i + 5];
      r.active = v[i + 6];
      r.components.assign(v.begin() + static_cast<std::ptrdiff_t>(i + 7), v.begin() + static_cast<std::ptrdiff_t>(i + width));
      out.push_back(std::move(r));
    }
  }
  return out;
}

// The groups one step trains on, in global order (the order a single process would hold them in), with the rank that
// generated each and the group's index in that rank's local rollout.
struct GlobalBatch {
  std::vector<RowStat> rows;        // group_size per group
  std::vector<int> owner;           // per group
  std::vector<size_t> local_group;  // per group
  std::vector<int> kept_per_rank;   // groups each rank holds so far
};

}  // namespace

void run_grpo(const config::RlStageConfig& cfg, const train::TrainerEnv& env, const GrpoInputs& inputs) {
  auto log = logger();
  const auto& g = cfg.grpo;
  const torch::Device device = env.device;
  dist::Comm& comm = dist::world();
  if (comm.rank() != env.rank || comm.world_size() != env.world_size)
    throw RuntimeFailure("[" + env.stage_name + "] trainer started as rank " + std::to_string(env.rank) + " of " +
                         std::to_string(env.world_size) + " but the process group is " + comm.describe());
  const int world = env.world_size, rank = env.rank;
  if (g.prompts_per_step % world != 0)
    throw InputError("[" + env.stage_name + "] grpo.prompts_per_step: must be divisible by the number of ranks, " +
                     std::to_string(world) + ", so that every rank samples whole groups (got " +
                     std::to_string(g.prompts_per_step) + ")");
  const int local_prompts = g.prompts_per_step / world;

  // Models: the policy, and pi_ref only when the KL term is on.
  train::ModelBundle policy = train::load_model(inputs.init, device);
  log->info("[{}] policy {} ({} parameters)", env.stage_name, inputs.init, policy.model->parameter_count());
  train::ModelBundle reference;
  if (g.beta > 0) {
    std::string ref_path = inputs.reference.empty() ? inputs.init : inputs.reference;
    reference = train::load_model(ref_path, device);
    train::require_same_tokenizer(policy.tokenizer, inputs.init, reference.tokenizer, ref_path);
    reference.model->eval();
    for (auto& p : reference.model->parameters()) p.set_requires_grad(false);
  }
  RewardSet rewards(cfg.rewards);
  optim::AdamW opt(
      [&] {
        std::vector<std::pair<std::string, torch::Tensor>> named;
        for (const auto& item : policy.model->named_parameters()) named.emplace_back(item.key(), item.value());
        return named;
      }(),
      cfg.optim);
  std::vector<torch::Tensor> params;
  for (const auto& p : policy.model->parameters()) params.push_back(p);

  // Prompts: every rank draws each step's prompts from one shared cursor and samples its own slice of them.
  const std::vector<PromptExample> pool = load_prompts(cfg.prompts, derive_seed(env.seed, "prompts/" + env.stage_name));
  EpochCursor cursor(pool.size(), derive_seed(env.seed, "prompt-order/" + env.stage_name), "the prompt set");
  auto next_local_prompts = [&]() {
    auto idx = cursor.next(static_cast<size_t>(g.prompts_per_step));
    std::vector<PromptExample> out;
    for (int k = rank * local_prompts; k < (rank + 1) * local_prompts; ++k) out.push_back(pool[idx[k]]);
    return out;
  };
  const size_t first_row = static_cast<size_t>(rank) * local_prompts * g.group_size;
  log->info("[{}] {} training prompts ({}), G = {}, {} prompts per step{}, {} steps", env.stage_name, cursor.size(),
            cfg.prompts.file.empty() ? cfg.prompts.task : cfg.prompts.file, g.group_size, g.prompts_per_step,
            world > 1 ? fmt::format(" ({} per rank)", local_prompts) : "", cfg.steps);

  // Resume.
  std::int64_t start_step = 0;
  int skipped_before = 0;
  auto resume_from = train::find_resume_checkpoint(env);
  if (resume_from) {
    auto restored = train::restore_train_checkpoint(env, *resume_from, policy, opt);
    start_step = restored.step;
    cursor.restore(restored.state.at("prompt_cursor"));
    skipped_before = restored.state.value("nonfinite_skipped", 0);
    if (g.beta > 0 && restored.tensors.count("reference_weights_marker")) {
      std::map<std::string, torch::Tensor> ref_w;
      for (const auto& [k, v] : restored.tensors)
        if (k.rfind("reference.", 0) == 0) ref_w[k.substr(10)] = v;
      reference.model->load_weights(ref_w, *resume_from + " (reference weights)");
    }
    log->info("[{}] resumed from {} at step {}", env.stage_name, *resume_from, start_step);
  }
  if (start_step >= cfg.steps) log->info("[{}] already at step {} of {}", env.stage_name, start_step, cfg.steps);
  // Replicas start identical: same checkpoint, and rank 0's weights broadcast for certainty.
  dist::broadcast_parameters(comm, params);

  train::StepLog metrics(env, "metrics.jsonl", start_step, !resume_from.has_value());
  train::StepLog samples_log(env, "samples.jsonl", start_step, !resume_from.has_value());
  train::NonfiniteSteps bad_steps(env.stage_name, cfg.optim.skip_nonfinite, skipped_before);
  generate::Sampler sampler(*policy.model, policy.tokenizer);
  const int pad = policy.tokenizer.pad_id();
  const int batch_rows = g.prompts_per_step * g.group_size;
  const int minibatch = g.minibatch_size > 0 ? g.minibatch_size : batch_rows;
  // Micro-batches split a rank's share of a minibatch (about minibatch / world rows) into grad_accum parts.
  const int micro = std::max(1, minibatch / (cfg.optim.grad_accum * world));
  const size_t n_comp = rewards.names().size();
  bool ref_updated = false;
  if (resume_from && g.beta > 0 && g.ref_update_every > 0 && start_step >= g.ref_update_every) ref_updated = true;

  auto save = [&](const std::string& name, std::int64_t step) {
    std::map<std::string, torch::Tensor> extra;
    if (ref_updated) {
      extra["reference_weights_marker"] = torch::ones({1});
      for (const auto& [k, v] : reference.model->named_weights()) extra["reference." + k] = v;
    }
    Json state{{"prompt_cursor", cursor.state()}, {"world_size", world}, {"nonfinite_skipped", bad_steps.skipped()}};
    metrics.sync();
    samples_log.sync();
    return train::save_train_checkpoint(env, name, step, policy, opt, state, extra, cfg.checkpoint.keep_last);
  };

  Progress progress(env.stage_name, cfg.steps, "step");
  progress.set_start(start_step);
  progress.set_enabled(env.is_main());
  for (std::int64_t step = start_step; step < cfg.steps; ++step) {
    Stopwatch step_clock;
    const std::uint64_t step_seed = derive_seed(env.seed, env.stage_name + "/step-" + std::to_string(step));

    // ---- rollout (+ dynamic sampling) ----
    // Each rank samples whole groups for its slice of the step's prompts (row seeds from the GLOBAL row index, so the
    // samples are those a single process would draw); the row stats of all ranks are all-gathered so that every rank
    // sees the global batch: group membership, advantages (batch-scale std included), normalisers and metrics.
    policy.model->eval();
    Rollout local;
    local.group_size = g.group_size;
    GlobalBatch batch;
    batch.kept_per_rank.assign(world, 0);
    auto add_round = [&](Rollout&& mine, const std::vector<RowStat>& stats, const std::vector<bool>& keep) {
      std::vector<size_t> mine_kept;
      for (size_t k = 0; k < keep.size(); ++k) {
        if (!keep[k]) continue;
        const int owner = static_cast<int>(k) / local_prompts;
        batch.owner.push_back(owner);
        batch.local_group.push_back(static_cast<size_t>(batch.kept_per_rank[owner]++));
        batch.rows.insert(batch.rows.end(), stats.begin() + k * g.group_size, stats.begin() + (k + 1) * g.group_size);
        if (owner == rank) mine_kept.push_back(k - static_cast<size_t>(rank) * local_prompts);
      }
      mine.keep_groups(mine_kept);
      local.append(std::move(mine));
    };
    auto varied_groups = [&](const std::vector<RowStat>& stats) {
      auto adv = compute_advantages(rewards_of(stats), g.group_size, "none");
      std::vector<bool> keep(adv.group_all_equal.size());
      for (size_t k = 0; k < keep.size(); ++k) keep[k] = !adv.group_all_equal[k];
      return keep;
    };
    Rollout first = collect_rollout(sampler, policy.tokenizer, rewards, next_local_prompts(),
                                    cfg.prompts.template_name, cfg.sampling, g.group_size, step_seed, first_row);
    // Metrics describe the policy's first round of samples.
    const std::vector<RowStat> first_stats = gather_row_stats(comm, first, g.mask_truncated, n_comp);
    auto first_adv = compute_advantages(rewards_of(first_stats), g.group_size, g.scale_rewards);
    double zero_std_frac = static_cast<double>(first_adv.zero_std_groups) / g.prompts_per_step;
    if (!g.dynamic_sampling) {
      add_round(std::move(first), first_stats, std::vector<bool>(g.prompts_per_step, true));
    } else {
      add_round(std::move(first), first_stats, varied_groups(first_stats));
      for (int round = 1; round <= g.max_resample_rounds && static_cast<int>(batch.owner.size()) < g.prompts_per_step;
           ++round) {
        Rollout more = collect_rollout(sampler, policy.tokenizer, rewards, next_local_prompts(),
                                       cfg.prompts.template_name, cfg.sampling, g.group_size,
                                       mix64(step_seed + 7919 * round), first_row);
        auto stats = gather_row_stats(comm, more, g.mask_truncated, n_comp);
        add_round(std::move(more), stats, varied_groups(stats));
      }
      if (static_cast<int>(batch.owner.size()) > g.prompts_per_step) {
        // Keep the first prompts_per_step groups in global order; this rank's survivors are a prefix of its groups.
        batch.owner.resize(g.prompts_per_step);
        batch.local_group.resize(g.prompts_per_step);
        batch.rows.resize(static_cast<size_t>(g.prompts_per_step) * g.group_size);
        std::vector<size_t> mine_kept;
        for (size_t k = 0; k < batch.owner.size(); ++k)
          if (batch.owner[k] == rank) mine_kept.push_back(batch.local_group[k]);
        local.keep_groups(mine_kept);
      }
    }
    const double rollout_s = local.seconds;
    auto adv = compute_advantages(rewards_of(batch.rows), g.group_size, g.scale_rewards);
    const size_t n_rows = batch.rows.size();          // global
    const size_t n_local = local.samples.size();      // this rank's
    std::vector<size_t> global_of_local(n_local);
    for (size_t k = 0; k < batch.owner.size(); ++k)
      if (batch.owner[k] == rank)
        for (int j = 0; j < g.group_size; ++j)
          global_of_local[batch.local_group[k] * g.group_size + j] = k * g.group_size + j;

    // ---- pi_old and pi_ref log-probs of this rank's rows (once per rollout batch) ----
    Stopwatch lp_clock;
    std::vector<size_t> local_rows(n_local);
    std::iota(local_rows.begin(), local_rows.end(), 0);
    auto frozen_chunks = chunk(local_rows, micro);
    std::vector<torch::Tensor> old_lp, ref_lp;
    // pi_old equals the current policy only while no optimizer step has used this batch: one iteration over
    // one minibatch. Otherwise the sampling policy's log-probs are frozen here.
    const bool one_update = g.iterations == 1 && minibatch >= static_cast<int>(n_rows);
    if (n_local > 0 && !one_update)
      old_lp = frozen_logprobs(*policy.model, local, frozen_chunks, cfg.sampling.temperature, pad, device);
    if (n_local > 0 && g.beta > 0)
      ref_lp = frozen_logprobs(*reference.model, local, frozen_chunks, cfg.sampling.temperature, pad, device);
    const double logprob_s = lp_clock.seconds();
    // Map each local row to (chunk, offset) of the frozen tensors.
    auto frozen_rows = [&](const std::vector<torch::Tensor>& chunks, const std::vector<size_t>& rows,
                           int64_t width) -> torch::Tensor {
      if (chunks.empty()) return torch::Tensor();
      std::vector<torch::Tensor> parts;
      for (size_t r : rows) {
        auto t = chunks[r / micro].select(0, static_cast<int64_t>(r % micro));
        int64_t w = t.size(0);
        parts.push_back(w >= width ? t.narrow(0, 0, width)
                                   : torch::cat({t, torch::zeros({width - w}, t.options())}));
      }
      return torch::stack(parts);
    };

    // ---- mu updates over minibatches ----
    // Minibatches are formed from the GLOBAL row order (shuffled with the step's seed, the same on every rank); each
    // rank computes the loss of its own rows of a minibatch with the minibatch's global normalisers divided by the
    // number of ranks, and the averaged gradients equal a single process's gradient of the whole minibatch.
    Stopwatch train_clock;
    policy.model->train();
    StepStats st;
    const double lr = optim::lr_at(cfg.optim, step, cfg.steps);
    GrpoLossConfig lc;
    lc.epsilon_low = g.epsilon_low;
    lc.epsilon_high = g.epsilon_high;
    lc.beta = g.beta;
    lc.kl_estimator = g.kl_estimator;
    lc.loss_agg = g.loss_agg;
    lc.max_completion_length = cfg.sampling.max_new_tokens;
    auto adv_all = torch::tensor(adv.advantages, torch::kFloat64).to(torch::kFloat32);
    std::vector<size_t> all_rows(n_rows);
    std::iota(all_rows.begin(), all_rows.end(), 0);
    for (int it = 0; it < g.iterations && n_rows > 0; ++it) {
      std::vector<size_t> order = all_rows;
      if (minibatch < static_cast<int>(n_rows)) Rng(mix64(step_seed + 31 * (it + 1))).shuffle(order);
      for (const auto& mb_rows : chunk(order, minibatch)) {
        // Normalisers over the whole (global) minibatch so micro-batch losses add up to the minibatch loss.
        double mb_tokens = 0;
        std::vector<size_t> mine;
        for (size_t r : mb_rows) {
          mb_tokens += batch.rows[r].active;
          const size_t k = r / g.group_size;
          if (batch.owner[k] == rank) mine.push_back(batch.local_group[k] * g.group_size + r % g.group_size);
        }
        lc.token_normalizer = std::max(1.0, mb_tokens) / world;
        lc.sequence_normalizer = static_cast<double>(mb_rows.size()) / world;
        opt.zero_grad();
        double mb_loss = 0;
        for (const auto& rows : chunk(mine, micro)) {
          auto pb = make_policy_batch(local, rows, g.mask_truncated, pad, device);
          torch::Tensor entropy;
          auto lp = completion_logprobs(*policy.model, pb, cfg.sampling.temperature, it == 0 ? &entropy : nullptr);
          int64_t width = lp.size(1);
          auto old = old_lp.empty() ? lp.detach() : frozen_rows(old_lp, rows, width).to(device);
          auto ref = ref_lp.empty() ? torch::Tensor() : frozen_rows(ref_lp, rows, width).to(device);
          std::vector<int64_t> row_idx;
          for (size_t r : rows) row_idx.push_back(static_cast<int64_t>(global_of_local[r]));
          auto a = adv_all.index_select(0, torch::tensor(row_idx, torch::kInt64)).to(device);
          auto out = grpo_loss(lp, old, ref, pb.mask, a, lc);
          out.loss.backward();
          mb_loss += out.loss.item<double>();
          st.clip_weighted += out.clip_frac * out.active_tokens;
          st.kl_weighted += out.kl_mean * out.active_tokens;
          st.tokens += out.active_tokens;
          if (it == 0 && entropy.defined()) {
            st.entropy_sum += (entropy * pb.mask).sum().item<double>();
            st.entropy_tokens += pb.mask.sum().item<double>();
          }
        }
        dist::all_reduce_mean_grads(comm, params);
        std::vector<double> loss_sum{mb_loss};
        dist::all_reduce_sum(comm, loss_sum);
        mb_loss = loss_sum[0] / world;
        auto gn = optim::clip_grad_norm(params, cfg.optim.max_grad_norm);
        if (!gn.finite || !std::isfinite(mb_loss)) {
          bad_steps.on_bad_step(step + 1, mb_loss);  // throws past the skip_nonfinite allowance
          opt.zero_grad();
          continue;
        }
        opt.step(lr);
        if (dist::check_sync_enabled())
          dist::check_in_sync(comm, opt.params(),
                              "after step " + std::to_string(step + 1) + " update " +
                                  std::to_string(st.optimizer_steps + 1));
        st.loss_sum += mb_loss;
        st.grad_norm = gn.norm;
        ++st.optimizer_steps;
      }
    }
    opt.zero_grad();
    const double train_s = train_clock.seconds();

    if (g.beta > 0 && g.ref_update_every > 0 && (step + 1) % g.ref_update_every == 0) {
      torch::NoGradGuard ng;
      reference.model->load_weights(policy.model->named_weights(), "policy");
      ref_updated = true;
    }

    // ---- metrics (global: token statistics summed over ranks; timings of the slowest rank) ----
    std::vector<double> sums{st.clip_weighted, st.kl_weighted, st.tokens, st.entropy_sum, st.entropy_tokens,
                             static_cast<double>(local.generated_tokens), stop_requested() ? 1.0 : 0.0};
    dist::all_reduce_sum(comm, sums);
    std::vector<double> slowest{rollout_s};
    dist::all_reduce_max(comm, slowest);
    const double clip_frac = sums[2] > 0 ? sums[0] / sums[2] : 0.0, kl = sums[2] > 0 ? sums[1] / sums[2] : 0.0;
    const double entropy = sums[4] > 0 ? sums[3] / sums[4] : 0.0, generated = sums[5], rollout_max_s = slowest[0];
    const bool stop_now = sums[6] > 0;
    double n = static_cast<double>(std::max<size_t>(1, first_stats.size()));
    double reward = 0, acc = 0, fmt = 0, lang = 0, len_sum = 0, len_max = 0, trunc = 0;
    std::vector<double> comp(n_comp, 0.0);
    for (const auto& s : first_stats) {
      reward += s.reward;
      acc += s.correct;
      fmt += s.formatted;
      lang += s.language;
      len_sum += s.length;
      len_max = std::max(len_max, s.length);
      trunc += s.truncated;
      for (size_t k = 0; k < comp.size(); ++k) comp[k] += s.components[k];
    }
    Json row{{"step", step + 1},
             {"loss", st.optimizer_steps ? st.loss_sum / st.optimizer_steps : 0.0},
             {"reward", reward / n},
             {"accuracy", acc / n},
             {"format_rate", fmt / n},
             {"language_consistency", lang / n},
             {"completion_len_mean", len_sum / n},
             {"completion_len_max", len_max},
             {"truncated_frac", trunc / n},
             {"clip_frac", clip_frac},
             {"kl", kl},
             {"entropy", entropy},
             {"zero_std_frac", zero_std_frac},
             {"groups_trained", batch.owner.size()},
             {"grad_norm", st.grad_norm},
             {"rollout_s", rollout_max_s},
             {"logprob_s", logprob_s},
             {"train_s", train_s},
             {"step_s", step_clock.seconds()},
             {"tokens_per_s", rollout_max_s > 0 ? generated / rollout_max_s : 0.0},
             {"lr", lr}};
    for (size_t k = 0; k < comp.size(); ++k) row["reward/" + rewards.names()[k]] = comp[k] / n;
    metrics.write(row);
    if (cfg.samples_every > 0 && ((step + 1) % cfg.samples_every == 0 || step == 0)) {
      // The first samples_per_write rows of the global batch, from whichever rank holds them.
      const size_t shown = std::min<size_t>(cfg.samples_per_write, n_rows);
      std::vector<std::string> mine;
      for (size_t l = 0; l < n_local; ++l)
        if (global_of_local[l] < shown)
          mine.push_back(Json::array({global_of_local[l], sample_row(step + 1, local, l, adv.advantages[global_of_local[l]],
                                                                     rewards)})
                             .dump());
      std::vector<Json> gathered;
      for (const auto& text : dist::all_gather_strings(comm, mine)) gathered.push_back(Json::parse(text));
      std::sort(gathered.begin(), gathered.end(),
                [](const Json& a, const Json& b) { return a[0].get<size_t>() < b[0].get<size_t>(); });
      for (const auto& item : gathered) samples_log.write(item[1]);
    }
    if ((step + 1) % cfg.log_every == 0)
      log->debug("[{}] step {} reward {:.3f} acc {:.3f} format {:.3f} len {:.1f} clip {:.3f} kl {:.4f} ({:.2f}s)",
                 env.stage_name, step + 1, reward / n, acc / n, fmt / n, len_sum / n, clip_frac, kl,
                 step_clock.seconds());
    progress.update(step + 1, {{"reward", reward / n}, {"acc", acc / n}, {"format", fmt / n}, {"len", len_sum / n}});

    train::checkpoint_after_step({env.stage_name, cfg.steps, cfg.checkpoint.every}, step + 1, stop_now, save,
                                [&] { progress.finish(); });
  }
  progress.finish();
  save("final", cfg.steps);
  log->info("[{}] done: {}", env.stage_name, env.stage_dir + "/final");
}

}  // namespace r1::rl
