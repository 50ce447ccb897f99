// LmTrainer's step on a micro model: a finite token-mean loss over the step's rows, an update, the data cursor in
// the checkpoint state, and the distillation term when a teacher is given.
#include <catch2/catch.hpp>

#include "../../support/test_support.h"
#include "r1/sft/lm_trainer.h"

using namespace r1;

namespace {

std::vector<TokenRow> counting_rows(int n) {
  std::vector<TokenRow> rows;
  for (int i = 0; i < n; ++i) {
    TokenRow r;
    for (int t = 0; t < 8; ++t) r.tokens.push_back(4 + (i + t) % 20);
    r.targets.assign(r.tokens.begin() + 1, r.tokens.end());
    r.targets.push_back(-1);
    r.segments.assign(8, 0);
    rows.push_back(r);
  }
  return rows;
}

// Two rows a micro-batch, 2 steps, distilling from `teacher` with KD weight 0.5.
sft::LmTrainPlan kd_plan(train::ModelBundle& teacher) {
  sft::LmTrainPlan plan;
  plan.train_rows = counting_rows(4);
  plan.batch_size = 2;
  plan.total_steps = 2;
  plan.teacher = teacher.model.get();
  plan.kd.weight = 0.5;
  return plan;
}

train::RunContext context(const std::string& tag) {
  train::RunContext ctx;
  ctx.stage_name = "sft";
  ctx.stage_kind = config::StageKind::kSft;
  ctx.stage_dir = test::temp_dir(tag);
  ctx.resume = "none";
  return ctx;
}

}  // namespace

TEST_CASE("LmTrainer: a step trains on the global step's rows and reports its loss", "[train]") {
  auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
  sft::LmTrainPlan plan;
  plan.train_rows = counting_rows(8);
  plan.batch_size = 2;
  plan.optim.grad_accum = 2;
  plan.total_steps = 4;
  sft::LmTrainer trainer(plan, bundle, context("lm_step"));
  std::map<std::string, torch::Tensor> before;
  for (const auto& [name, w] : bundle.model->named_weights()) before[name] = w.clone();
  auto first = trainer.step(0);
  auto second = trainer.step(1);
  const double loss0 = first.metrics["loss"].get<double>();
  REQUIRE(std::isfinite(loss0));
  REQUIRE(loss0 > 0);
  REQUIRE(first.metrics["step"] == 1);
  REQUIRE_FALSE(first.metrics.contains("kd_loss"));
  bool moved = false;
  for (const auto& [name, w] : bundle.model->named_weights()) moved = moved || !torch::equal(w, before.at(name));
  REQUIRE(moved);
  // 4 rows a step over 8 rows: two steps are one epoch; the cursor says where the next step starts.
  auto state = trainer.state();
  REQUIRE(state.contains("data_cursor"));
  REQUIRE(second.metrics["epoch"].get<int>() <= 1);
}

TEST_CASE("LmTrainer: with a teacher the step adds the distillation term", "[train]") {
  auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
  auto teacher = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 9, torch::kCPU);
  sft::LmTrainer trainer(kd_plan(teacher), bundle, context("lm_kd"));
  auto report = trainer.step(0);
  REQUIRE(report.metrics.contains("kd_loss"));
  REQUIRE(report.metrics["kd_loss"].get<double>() > 0);  // two different random models disagree
}

TEST_CASE("LmTrainer: distillation in chunks of tokens gives the whole-logits losses and gradients", "[train]") {
  // Budget 1 logit: every chunk is one token; 1,020: 3 tokens (the tiny tokenizer has 340 ids). Past the budget
  // the micro-batch's [rows, tokens, vocab] logits are never formed.
  for (auto divergence : {config::KdDivergence::kForwardKl, config::KdDivergence::kJsd}) {
    std::vector<sft::LmTrainer::LossSums> sums;
    std::vector<std::vector<torch::Tensor>> grads;
    for (std::int64_t budget : {std::int64_t{1} << 40, std::int64_t{1}, std::int64_t{3} * 340}) {
      auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
      auto teacher = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 9, torch::kCPU);
      REQUIRE(bundle.model->vocab_size() == 340);
      auto plan = kd_plan(teacher);
      plan.kd.temperature = 2.0;
      plan.kd.divergence = divergence;
      plan.kd_logits_budget = budget;
      sft::LmTrainer trainer(plan, bundle, context("lm_kd_chunks"));
      bundle.model->zero_grad();
      sums.push_back(trainer.accumulate_gradients({0, 1, 2, 3}, 20.0));  // two micro-batches of 2 rows
      std::vector<torch::Tensor> g;
      for (const auto& p : bundle.model->parameters()) g.push_back(p.grad().clone());
      grads.push_back(g);
    }
    for (size_t k = 1; k < sums.size(); ++k) {
      INFO("budget variant " << k << ", divergence " << static_cast<int>(divergence));
      REQUIRE(sums[k].ce == Approx(sums[0].ce).epsilon(1e-6));
      // The divergence is a small difference of float32 sums over the vocabulary: summed per chunk instead of per
      // micro-batch it moves in the 5th digit (measured 3.6e-5 relative).
      REQUIRE(sums[k].kd == Approx(sums[0].kd).epsilon(1e-4));
      REQUIRE(sums[k].kd > 0);
      for (size_t i = 0; i < grads[0].size(); ++i) {
        const double scale = grads[0][i].abs().max().item<double>();
        INFO("parameter " << i << " max |gradient| " << scale);
        REQUIRE(scale > 0);
        REQUIRE((grads[k][i] - grads[0][i]).abs().max().item<double>() <= 1e-5 * scale + 1e-9);
      }
    }
  }
}
