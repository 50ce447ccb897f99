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
  sft::LmTrainPlan plan;
  plan.train_rows = counting_rows(4);
  plan.batch_size = 2;
  plan.total_steps = 2;
  plan.teacher = teacher.model.get();
  plan.kd.weight = 0.5;
  sft::LmTrainer trainer(plan, bundle, context("lm_kd"));
  auto report = trainer.step(0);
  REQUIRE(report.metrics.contains("kd_loss"));
  REQUIRE(report.metrics["kd_loss"].get<double>() > 0);  // two different random models disagree
}
