// The GRPO trainer's steps, one at a time, on a micro model: collect_batch, compute_advantages, freeze_logprobs,
// update, log_step, the reference reset, mask_truncated, a whole train() run, and learning a toy reward.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "../../support/test_support.h"
#include "micro_grpo_config.h"
#include "r1/dist/world.h"
#include "r1/rl/grpo_trainer.h"

using namespace r1;

namespace {

config::RlStageConfig micro_grpo() { return test::micro_grpo_config(); }

struct Fixture {
  std::string init;
  train::RunContext ctx;
  explicit Fixture(const std::string& tag) {
    init = test::temp_dir(tag + "_init");
    test::write_fresh_checkpoint(init, test::micro_model_config(), 5);
    ctx.stage_name = "zero";
    ctx.stage_kind = config::StageKind::kTrainZero;
    ctx.stage_dir = test::temp_dir(tag + "_stage");
    ctx.seed = 7;
    ctx.resume = "none";
  }
};

bool same_weights(const model::TransformerImpl& a, const model::TransformerImpl& b) {
  auto wb = b.named_weights();
  for (const auto& [name, w] : a.named_weights())
    if (!torch::equal(w, wb.at(name))) return false;
  return true;
}

}  // namespace

TEST_CASE("GrpoTrainer: collect_batch samples G scored rows per prompt, advantages are group-relative", "[grpo]") {
  Fixture f("grpo_collect");
  rl::GrpoTrainer trainer(micro_grpo(), f.ctx, {f.init, ""});
  auto batch = trainer.collect_batch(0);
  REQUIRE(batch.groups() == 2);
  REQUIRE(batch.rows() == 8);
  REQUIRE(batch.local_rows() == 8);
  for (size_t l = 0; l < 8; ++l) REQUIRE(batch.global_row(l) == l);
  REQUIRE(batch.local().samples[5].prompt_index == 1);
  REQUIRE(batch.first_round().size() == 8);
  auto adv = trainer.compute_advantages(batch);
  auto expected = rl::compute_advantages(rl::rewards_of(batch.stats()), 4, config::ScaleRewards::kGroup);
  REQUIRE(adv.advantages == expected.advantages);
  // The same step draws the same samples; the next step draws others.
  rl::GrpoTrainer again(micro_grpo(), f.ctx, {f.init, ""});
  auto same = again.collect_batch(0);
  for (size_t i = 0; i < 8; ++i)
    REQUIRE(same.local().samples[i].completion.tokens == batch.local().samples[i].completion.tokens);
}

TEST_CASE("GrpoTrainer: dynamic sampling drops groups whose rewards are all equal", "[grpo]") {
  Fixture f("grpo_dynamic");
  auto cfg = micro_grpo();
  cfg.rewards.resize(1);  // accuracy only: a random micro model is never right, so every group is all zeros
  cfg.grpo.dynamic_sampling = true;
  cfg.grpo.max_resample_rounds = 2;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  auto batch = trainer.collect_batch(0);
  REQUIRE(batch.groups() == 0);
  REQUIRE(batch.rows() == 0);
  REQUIRE(batch.first_round().size() == 8);  // metrics still describe what was sampled
  auto adv = trainer.compute_advantages(batch);
  auto frozen = trainer.freeze_logprobs(batch);
  auto st = trainer.update(0, batch, adv, frozen);
  REQUIRE(st.optimizer_steps == 0);
  auto report = trainer.log_step(0, batch, adv, frozen, st, 1.0);
  REQUIRE(report.metrics["zero_std_frac"].get<double>() == 1.0);
  REQUIRE(report.metrics["groups_trained"].get<int>() == 0);
}

TEST_CASE("GrpoTrainer: pi_old is frozen only when the batch gets several updates, pi_ref only with beta", "[grpo]") {
  Fixture f("grpo_frozen");
  {
    rl::GrpoTrainer trainer(micro_grpo(), f.ctx, {f.init, ""});
    auto batch = trainer.collect_batch(0);
    auto frozen = trainer.freeze_logprobs(batch);
    REQUIRE(frozen.old_lp.empty());  // one update over the whole batch: the current policy is pi_old
    REQUIRE(frozen.ref_lp.empty());
    REQUIRE_FALSE(trainer.reference().enabled());
  }
  auto cfg = micro_grpo();
  cfg.grpo.iterations = 2;
  cfg.grpo.minibatch_size = 4;
  cfg.grpo.beta = 0.04;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  auto batch = trainer.collect_batch(0);
  auto frozen = trainer.freeze_logprobs(batch);
  REQUIRE(trainer.reference().enabled());
  REQUIRE(frozen.micro == 4);
  REQUIRE(frozen.old_lp.size() == 2);
  REQUIRE(frozen.ref_lp.size() == 2);
  // Before any update pi_old, pi_ref and the policy agree: all three are the init checkpoint.
  REQUIRE(torch::equal(frozen.old_lp[0], frozen.ref_lp[0]));
  auto adv = trainer.compute_advantages(batch);
  auto st = trainer.update(0, batch, adv, frozen);
  REQUIRE(st.optimizer_steps == 4);  // 2 iterations x 2 minibatches
  // The policy moved; the reference did not.
  auto init = train::load_model(f.init, torch::kCPU);
  REQUIRE_FALSE(same_weights(*trainer.policy().model, *init.model));
  REQUIRE(same_weights(trainer.reference().model(), *init.model));
}

TEST_CASE("GrpoTrainer: ref_update_every resets pi_ref to the policy", "[grpo]") {
  Fixture f("grpo_refreset");
  auto cfg = micro_grpo();
  cfg.grpo.beta = 0.04;
  cfg.grpo.ref_update_every = 2;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  trainer.loop().begin(trainer);
  trainer.step(0);
  {
    torch::NoGradGuard no_grad;  // make sure the policy differs from pi_ref whatever step 0 learned
    for (auto& p : trainer.policy().model->parameters()) p.mul_(1.01);
  }
  REQUIRE_FALSE(same_weights(trainer.reference().model(), *trainer.policy().model));
  REQUIRE(trainer.extra_tensors().empty());
  trainer.step(1);
  REQUIRE(same_weights(trainer.reference().model(), *trainer.policy().model));
  REQUIRE(trainer.extra_tensors().count("reference_weights_marker") == 1);
}

TEST_CASE("GrpoTrainer: a step reports the documented metrics, train() writes final", "[grpo]") {
  Fixture f("grpo_train");
  rl::GrpoTrainer trainer(micro_grpo(), f.ctx, {f.init, ""});
  trainer.train();
  REQUIRE(std::filesystem::exists(f.ctx.stage_dir + "/final/model.safetensors"));
  auto rows = test::deterministic_rows(f.ctx.stage_dir + "/metrics.jsonl");
  REQUIRE(rows.size() == 2);
  auto row = Json::parse(rows[1]);
  for (const char* key : {"step", "loss", "reward", "reward/accuracy", "reward/format", "accuracy", "format_rate",
                          "completion_len_mean", "completion_len_max", "truncated_frac", "clip_frac", "kl", "entropy",
                          "zero_std_frac", "lr"})
    REQUIRE(row.contains(key));
  REQUIRE(row["step"] == 2);
  REQUIRE(row["completion_len_max"].get<double>() <= 8);
}

TEST_CASE("GrpoTrainer: GSPO + TIS + RLOO steps train and log the sampler mismatch and the TIS weights", "[grpo]") {
  Fixture f("grpo_variants");
  auto cfg = micro_grpo();
  cfg.grpo.advantage = config::AdvantageEstimator::kRloo;
  cfg.grpo.importance_sampling = config::ImportanceSampling::kSequence;
  cfg.grpo.epsilon_low = 3e-4;
  cfg.grpo.epsilon_high = 4e-4;
  cfg.grpo.rollout_correction = config::RolloutCorrection::kTis;
  cfg.grpo.iterations = 2;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  auto batch = trainer.collect_batch(0);
  auto adv = trainer.compute_advantages(batch);
  REQUIRE(adv.advantages == rl::rloo_advantages(rl::rewards_of(batch.stats()), 4).advantages);
  auto frozen = trainer.freeze_logprobs(batch);
  auto st = trainer.update(0, batch, adv, frozen);
  REQUIRE(st.optimizer_steps == 2);
  // The sampler's log-probs (fused float32 decode) and the training forward's agree closely but not bit for bit.
  REQUIRE(st.mismatch.tokens > 0);
  CHECK(st.mismatch.abs_sum / st.mismatch.tokens < 1e-3);
  CHECK(st.mismatch.abs_max < 1e-2);
  CHECK(st.clip_units == 2 * 8);  // sequence level: clip fractions count the 8 rows, twice (two iterations)
  auto row = trainer.log_step(0, batch, adv, frozen, st, 1.0).metrics;
  for (const char* key : {"mismatch_logp_abs_mean", "mismatch_logp_abs_max", "mismatch_kl", "tis_weight_mean",
                          "tis_capped_frac"})
    REQUIRE(row.contains(key));
  CHECK(row["tis_weight_mean"].get<double>() == Approx(1.0).margin(1e-2));
  CHECK(row["tis_capped_frac"].get<double>() == 0.0);
  CHECK(row["mismatch_kl"].get<double>() >= 0.0);
  CHECK_FALSE(row.contains("filter_skipped"));
}

TEST_CASE("GrpoTrainer: the difficulty filter skips prompts out of band and stops clearly when none remain",
          "[grpo]") {
  Fixture f("grpo_filter");
  auto cfg = micro_grpo();
  cfg.prompts.n = 5;
  cfg.prompts.filter.min_pass_rate = 0.1;  // a random micro model never answers right: every seen prompt drops out
  cfg.prompts.filter.window = 1;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  std::set<std::string> seen;
  for (std::int64_t step = 0; step < 2; ++step) {
    auto batch = trainer.collect_batch(step);
    for (const auto& p : batch.local().prompts) REQUIRE(seen.insert(p.id).second);  // never a repeat
  }
  REQUIRE(trainer.state()["prompt_filter"].size() == 4);
  // Step 3 takes the fifth prompt, the last of the epoch, and again in the next epoch: the other four are skipped.
  auto third = trainer.collect_batch(2);
  REQUIRE(third.local().prompts.size() == 2);
  CHECK(third.local().prompts[0].id == third.local().prompts[1].id);
  CHECK(seen.count(third.local().prompts[0].id) == 0);
  REQUIRE(trainer.state()["prompt_filter"].size() == 5);
  // Now a whole pass finds nothing in the band.
  try {
    (void)trainer.collect_batch(3);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("prompts.filter") && Catch::Contains("found only 0 of the 2"));
  }
}

TEST_CASE("GrpoTrainer: mask_truncated puts no loss on truncated rows", "[grpo]") {
  Fixture f("grpo_masktrunc");
  auto cfg = micro_grpo();
  cfg.sampling.max_new_tokens = 3;  // a random micro model does not end within 3 tokens: every row is cut
  cfg.grpo.mask_truncated = true;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  trainer.loop().begin(trainer);
  auto batch = trainer.collect_batch(0);
  REQUIRE(batch.rows() == 8);
  for (const auto& s : batch.local().samples) REQUIRE(s.completion.truncated());

  // Half the rows as if they had ended with EOS: only those carry loss, in the row stats and in the tensors.
  rl::Rollout mixed = batch.local();
  for (size_t i = 1; i < mixed.samples.size(); i += 2) mixed.samples[i].completion.finish = generate::FinishReason::kEos;
  const size_t n_rewards = cfg.rewards.size();
  const auto masked = rl::gather_row_stats(dist::world(), mixed, true, n_rewards);
  const auto unmasked = rl::gather_row_stats(dist::world(), mixed, false, n_rewards);
  std::vector<size_t> rows(8);
  std::iota(rows.begin(), rows.end(), 0);
  const int pad = trainer.policy().tokenizer.pad_id();
  auto pb = rl::make_policy_batch(mixed, rows, true, pad, torch::kCPU);
  auto policy = trainer.policy().model;  // a holder of the trainer's policy module
  auto lp = rl::completion_logprobs(*policy, pb, cfg.sampling.temperature);
  lp.retain_grad();
  auto adv = torch::tensor({1.0, -1.0, 0.5, -0.5, 1.0, -1.0, 0.5, -0.5}, torch::kFloat32);
  rl::grpo_loss(lp, lp.detach(), torch::Tensor(), pb.mask, adv, rl::GrpoLossConfig{}).loss.backward();
  for (size_t i = 0; i < 8; ++i) {
    INFO("row " << i);
    const bool cut = i % 2 == 0;
    const double len = static_cast<double>(mixed.samples[i].completion.tokens.size());
    CHECK(masked[i].truncated == (cut ? 1.0 : 0.0));
    CHECK(masked[i].active == (cut ? 0.0 : len));
    CHECK(unmasked[i].active == len);
    const auto row = static_cast<int64_t>(i);
    CHECK(pb.mask[row].sum().item<double>() == (cut ? 0.0 : len));
    CHECK((lp.grad()[row].abs().sum().item<double>() == 0.0) == cut);
  }

  // The trainer's update on the all-truncated batch: no loss anywhere, so no weight moves (AdamW without weight
  // decay on zero gradients); the same batch without mask_truncated does move them.
  auto init = train::load_model(f.init, torch::kCPU);
  auto advantages = rl::compute_advantages({1, 0, 0, 0, 0, 1, 1, 1}, 4, config::ScaleRewards::kGroup);
  trainer.update(0, batch, advantages, trainer.freeze_logprobs(batch));
  CHECK(same_weights(*trainer.policy().model, *init.model));
  cfg.grpo.mask_truncated = false;
  rl::GrpoTrainer plain(cfg, f.ctx, {f.init, ""});
  plain.loop().begin(plain);
  auto plain_batch = plain.collect_batch(0);
  plain.update(0, plain_batch, advantages, plain.freeze_logprobs(plain_batch));
  CHECK_FALSE(same_weights(*plain.policy().model, *init.model));
}

TEST_CASE("GrpoTrainer: GRPO on a toy reward (first token = a fixed id) learns it within 30 steps", "[grpo]") {
  // Reward 1 when a completion starts with `target`, else 0: the optimum is to always start with it. The policy
  // samples among its 8 likeliest first tokens (top-k), so it starts near chance, about 1 in 8.
  Fixture f("grpo_toy");
  auto cfg = micro_grpo();
  cfg.sampling.max_new_tokens = 1;
  cfg.sampling.top_k = 8;
  cfg.grpo.group_size = 8;
  cfg.grpo.prompts_per_step = 4;
  cfg.optim.lr = 1e-2;
  cfg.steps = 30;
  rl::GrpoTrainer trainer(cfg, f.ctx, {f.init, ""});
  trainer.loop().begin(trainer);
  auto batch = trainer.collect_batch(0);
  std::map<int, int> starts;
  for (const auto& s : batch.local().samples) ++starts[s.completion.tokens.at(0)];
  int target = -1;
  for (const auto& [id, n] : starts)
    if (target < 0 || n > starts[target]) target = id;
  auto toy_rewards = [&](const rl::GroupBatch& b) {
    std::vector<double> r;
    for (const auto& s : b.local().samples) r.push_back(s.completion.tokens.at(0) == target ? 1.0 : 0.0);
    return r;
  };
  auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
  const double start = mean(toy_rewards(batch));
  INFO("target " << target << ", start " << start);
  REQUIRE(start < 0.4);
  double reward = start;
  int step = 0;
  for (; step < cfg.steps && reward <= 0.9; ++step) {
    if (step > 0) batch = trainer.collect_batch(step);
    const auto rewards = toy_rewards(batch);
    reward = mean(rewards);
    auto adv = rl::compute_advantages(rewards, cfg.grpo.group_size, config::ScaleRewards::kGroup);
    trainer.update(step, batch, adv, trainer.freeze_logprobs(batch));
  }
  INFO("mean reward " << reward << " after " << step << " steps");
  CHECK(reward > 0.9);
}
