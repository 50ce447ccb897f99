// GRPO training loop.
#include "r1/rl/grpo_trainer.h"

#include <algorithm>
#include <numeric>

#include "r1/data/prompt_source.h"
#include "r1/model/logprobs.h"
#include "r1/optim/adamw.h"
#include "r1/rl/advantages.h"
#include "r1/rl/grpo_loss.h"
#include "r1/data/epoch_cursor.h"
#include "r1/rl/rollout.h"
#include "r1/train/nonfinite_steps.h"
#include "r1/train/model_bundle.h"
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

}  // namespace

void run_grpo(const config::RlStageConfig& cfg, const train::TrainerEnv& env, const GrpoInputs& inputs) {
  auto log = logger();
  const auto& g = cfg.grpo;
  const torch::Device device = env.device;

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

  // Prompts: this rank's shard of each step's prompts comes from one shared cursor.
  const std::vector<PromptExample> pool = load_prompts(cfg.prompts, derive_seed(env.seed, "prompts/" + env.stage_name));
  EpochCursor cursor(pool.size(), derive_seed(env.seed, "prompt-order/" + env.stage_name), "the prompt set");
  auto next_prompts = [&](size_t k) {
    std::vector<PromptExample> out;
    for (size_t i : cursor.next(k)) out.push_back(pool[i]);
    return out;
  };
  log->info("[{}] {} training prompts ({}), G = {}, {} prompts per step, {} steps", env.stage_name, cursor.size(),
            cfg.prompts.file.empty() ? cfg.prompts.task : cfg.prompts.file, g.group_size, g.prompts_per_step,
            cfg.steps);

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

  train::StepLog metrics(env, "metrics.jsonl", start_step, !resume_from.has_value());
  train::StepLog samples_log(env, "samples.jsonl", start_step, !resume_from.has_value());
  train::NonfiniteSteps bad_steps(env.stage_name, cfg.optim.skip_nonfinite, skipped_before);
  generate::Sampler sampler(*policy.model, policy.tokenizer);
  const int pad = policy.tokenizer.pad_id();
  const int batch_rows = g.prompts_per_step * g.group_size;
  const int minibatch = g.minibatch_size > 0 ? g.minibatch_size : batch_rows;
  const int micro = std::max(1, minibatch / cfg.optim.grad_accum);
  bool ref_updated = false;
  if (resume_from && g.beta > 0 && g.ref_update_every > 0 && start_step >= g.ref_update_every) ref_updated = true;

  auto save = [&](const std::string& name, std::int64_t step) {
    std::map<std::string, torch::Tensor> extra;
    if (ref_updated) {
      extra["reference_weights_marker"] = torch::ones({1});
      for (const auto& [k, v] : reference.model->named_weights()) extra["reference." + k] = v;
    }
    Json state{{"prompt_cursor", cursor.state()}, {"nonfinite_skipped", bad_steps.skipped()}};
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
    policy.model->eval();
    Rollout rollout = collect_rollout(sampler, policy.tokenizer, rewards, next_prompts(g.prompts_per_step),
                                      cfg.prompts.template_name, cfg.sampling, g.group_size, step_seed);
    auto first_adv = compute_advantages(rollout.rewards(), g.group_size, g.scale_rewards);
    double zero_std_frac = static_cast<double>(first_adv.zero_std_groups) / g.prompts_per_step;
    Rollout stats_rollout = rollout;  // metrics describe the policy's first round of samples
    if (g.dynamic_sampling) {
      auto keep_varied = [&](Rollout& r) {
        auto adv = compute_advantages(r.rewards(), g.group_size, "none");
        std::vector<size_t> keep;
        for (size_t k = 0; k < r.prompts.size(); ++k)
          if (!adv.group_all_equal[k * g.group_size]) keep.push_back(k);
        r.keep_groups(keep);
      };
      keep_varied(rollout);
      for (int round = 1; round <= g.max_resample_rounds && static_cast<int>(rollout.prompts.size()) < g.prompts_per_step;
           ++round) {
        Rollout more = collect_rollout(sampler, policy.tokenizer, rewards, next_prompts(g.prompts_per_step),
                                       cfg.prompts.template_name, cfg.sampling, g.group_size,
                                       mix64(step_seed + 7919 * round));
        keep_varied(more);
        rollout.append(std::move(more));
      }
      if (static_cast<int>(rollout.prompts.size()) > g.prompts_per_step) {
        std::vector<size_t> first(g.prompts_per_step);
        std::iota(first.begin(), first.end(), 0);
        rollout.keep_groups(first);
      }
    }
    const double rollout_s = rollout.seconds;
    auto adv = compute_advantages(rollout.rewards(), g.group_size, g.scale_rewards);
    const size_t n_rows = rollout.samples.size();

    // ---- pi_old and pi_ref log-probs (once per rollout batch) ----
    Stopwatch lp_clock;
    std::vector<size_t> all_rows(n_rows);
    std::iota(all_rows.begin(), all_rows.end(), 0);
    auto frozen_chunks = chunk(all_rows, micro);
    std::vector<torch::Tensor> old_lp, ref_lp;
    // pi_old equals the current policy only while no optimizer step has used this batch: one iteration over
    // one minibatch. Otherwise the sampling policy's log-probs are frozen here.
    const bool one_update = g.iterations == 1 && minibatch >= static_cast<int>(n_rows);
    if (n_rows > 0 && !one_update)
      old_lp = frozen_logprobs(*policy.model, rollout, frozen_chunks, cfg.sampling.temperature, pad, device);
    if (n_rows > 0 && g.beta > 0)
      ref_lp = frozen_logprobs(*reference.model, rollout, frozen_chunks, cfg.sampling.temperature, pad, device);
    const double logprob_s = lp_clock.seconds();
    // Map each row to (chunk, offset) of the frozen tensors.
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
    for (int it = 0; it < g.iterations && n_rows > 0; ++it) {
      std::vector<size_t> order = all_rows;
      if (minibatch < static_cast<int>(n_rows)) Rng(mix64(step_seed + 31 * (it + 1))).shuffle(order);
      for (const auto& mb_rows : chunk(order, minibatch)) {
        // Normalisers over the whole minibatch so micro-batch losses add up to the minibatch loss.
        std::int64_t mb_tokens = 0;
        for (size_t r : mb_rows) {
          const auto& s = rollout.samples[r];
          if (!(g.mask_truncated && s.completion.truncated())) mb_tokens += static_cast<std::int64_t>(s.completion.tokens.size());
        }
        lc.token_normalizer = std::max<double>(1.0, static_cast<double>(mb_tokens));
        lc.sequence_normalizer = static_cast<double>(mb_rows.size());
        opt.zero_grad();
        double mb_loss = 0;
        for (const auto& rows : chunk(mb_rows, micro)) {
          auto batch = make_policy_batch(rollout, rows, g.mask_truncated, pad, device);
          torch::Tensor entropy;
          auto lp = completion_logprobs(*policy.model, batch, cfg.sampling.temperature, it == 0 ? &entropy : nullptr);
          int64_t width = lp.size(1);
          auto old = old_lp.empty() ? lp.detach() : frozen_rows(old_lp, rows, width).to(device);
          auto ref = ref_lp.empty() ? torch::Tensor() : frozen_rows(ref_lp, rows, width).to(device);
          std::vector<int64_t> row_idx(rows.begin(), rows.end());
          auto a = adv_all.index_select(0, torch::tensor(row_idx, torch::kInt64)).to(device);
          auto out = grpo_loss(lp, old, ref, batch.mask, a, lc);
          out.loss.backward();
          mb_loss += out.loss.item<double>();
          st.clip_weighted += out.clip_frac * out.active_tokens;
          st.kl_weighted += out.kl_mean * out.active_tokens;
          st.tokens += out.active_tokens;
          if (it == 0 && entropy.defined()) {
            st.entropy_sum += (entropy * batch.mask).sum().item<double>();
            st.entropy_tokens += batch.mask.sum().item<double>();
          }
        }
        std::vector<torch::Tensor> params;
        for (const auto& p : policy.model->parameters()) params.push_back(p);
        auto gn = optim::clip_grad_norm(params, cfg.optim.max_grad_norm);
        if (!gn.finite || !std::isfinite(mb_loss)) {
          bad_steps.on_bad_step(step + 1, mb_loss);  // throws past the skip_nonfinite allowance
          opt.zero_grad();
          continue;
        }
        opt.step(lr);
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

    // ---- metrics ----
    const auto& sr = stats_rollout;
    double n = static_cast<double>(std::max<size_t>(1, sr.samples.size()));
    double reward = 0, acc = 0, fmt = 0, lang = 0, len_sum = 0, len_max = 0, trunc = 0;
    std::vector<double> comp(rewards.names().size(), 0.0);
    for (const auto& s : sr.samples) {
      reward += s.outcome.total;
      acc += s.outcome.correct;
      fmt += s.outcome.formatted;
      lang += s.outcome.language_consistency;
      double len = static_cast<double>(s.completion.tokens.size());
      len_sum += len;
      len_max = std::max(len_max, len);
      trunc += s.completion.truncated();
      for (size_t k = 0; k < comp.size(); ++k) comp[k] += s.outcome.components[k];
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
             {"clip_frac", st.tokens > 0 ? st.clip_weighted / st.tokens : 0.0},
             {"kl", st.tokens > 0 ? st.kl_weighted / st.tokens : 0.0},
             {"entropy", st.entropy_tokens > 0 ? st.entropy_sum / st.entropy_tokens : 0.0},
             {"zero_std_frac", zero_std_frac},
             {"groups_trained", rollout.prompts.size()},
             {"grad_norm", st.grad_norm},
             {"rollout_s", rollout_s},
             {"logprob_s", logprob_s},
             {"train_s", train_s},
             {"step_s", step_clock.seconds()},
             {"tokens_per_s", rollout_s > 0 ? static_cast<double>(rollout.generated_tokens) / rollout_s : 0.0},
             {"lr", lr}};
    for (size_t k = 0; k < comp.size(); ++k) row["reward/" + rewards.names()[k]] = comp[k] / n;
    metrics.write(row);
    if (cfg.samples_every > 0 && ((step + 1) % cfg.samples_every == 0 || step == 0)) {
      for (size_t i = 0; i < std::min<size_t>(cfg.samples_per_write, n_rows); ++i)
        samples_log.write(sample_row(step + 1, rollout, i, adv.advantages[i], rewards));
    }
    if ((step + 1) % cfg.log_every == 0)
      log->debug("[{}] step {} reward {:.3f} acc {:.3f} format {:.3f} len {:.1f} clip {:.3f} kl {:.4f} ({:.2f}s)",
                 env.stage_name, step + 1, reward / n, acc / n, fmt / n, len_sum / n, row["clip_frac"].get<double>(),
                 row["kl"].get<double>(), step_clock.seconds());
    progress.update(step + 1, {{"reward", reward / n}, {"acc", acc / n}, {"format", fmt / n}, {"len", len_sum / n}});

    bool last = step + 1 == cfg.steps;
    if (!last && cfg.checkpoint.every > 0 && (step + 1) % cfg.checkpoint.every == 0)
      save(checkpoint_name(step + 1), step + 1);
    if (!last && stop_requested()) {
      progress.finish();
      std::string path = save(checkpoint_name(step + 1), step + 1);
      throw Interrupted("[" + env.stage_name + "] stopped after step " + std::to_string(step + 1) +
                        "; checkpoint " + path + " written. Resume with the same command plus --resume auto.");
    }
  }
  progress.finish();
  save("final", cfg.steps);
  log->info("[{}] done: {}", env.stage_name, env.stage_dir + "/final");
}

}  // namespace r1::rl
