// TrainLoop: steps, metrics rows, periodic checkpoints, resume handing the trainer its state, and the gradient
// step's non-finite handling.
#include <catch2/catch.hpp>

#include <filesystem>

#include "../../support/test_support.h"
#include "r1/train/train_loop.h"
#include "r1/util/error.h"

using namespace r1;

namespace {

// A trainer whose step only counts: the loop around it is what is tested.
struct CountingSteps : train::TrainerSteps {
  int calls = 0;
  std::int64_t restored_step = -1;
  int restored_calls = -1;
  void restore(const train::RestoredState& r) override {
    restored_step = r.step;
    restored_calls = r.state.at("calls").get<int>();
    calls = restored_calls;
  }
  train::StepReport step(std::int64_t step) override {
    ++calls;
    return {Json{{"step", step + 1}, {"calls", calls}}, {{"calls", calls}}};
  }
  Json state() const override { return Json{{"calls", calls}}; }
};

train::RunContext context(const std::string& dir, const std::string& resume) {
  train::RunContext ctx;
  ctx.stage_name = "loop";
  ctx.stage_kind = config::StageKind::kSft;
  ctx.stage_dir = dir;
  ctx.resume = resume;
  return ctx;
}

}  // namespace

TEST_CASE("TrainLoop: steps, metrics, checkpoints, and a resume that continues the trainer", "[train]") {
  const std::string dir = test::temp_dir("train_loop");
  auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
  config::CheckpointConfig every1;
  every1.every = 1;
  every1.keep_last = 0;
  {
    CountingSteps steps;
    train::TrainLoop loop(context(dir, "none"), bundle, config::OptimConfig{}, 3, every1);
    loop.begin(steps);
    REQUIRE(loop.start_step() == 0);
    loop.run(steps);
    REQUIRE(steps.calls == 3);
  }
  REQUIRE(std::filesystem::exists(dir + "/checkpoint-000001"));
  REQUIRE(std::filesystem::exists(dir + "/checkpoint-000002"));
  REQUIRE(std::filesystem::exists(dir + "/final"));
  REQUIRE(test::deterministic_rows(dir + "/metrics.jsonl").size() == 3);
  // As after a crash before the last step: the latest checkpoint is step 2.
  std::filesystem::remove_all(dir + "/final");
  CountingSteps resumed;
  train::TrainLoop loop(context(dir, "auto"), bundle, config::OptimConfig{}, 3, every1);
  loop.begin(resumed);
  REQUIRE(loop.resumed());
  REQUIRE(loop.start_step() == 2);
  REQUIRE(resumed.restored_step == 2);
  REQUIRE(resumed.restored_calls == 2);
  loop.run(resumed);
  REQUIRE(resumed.calls == 3);
  auto rows = test::deterministic_rows(dir + "/metrics.jsonl");
  REQUIRE(rows.size() == 3);  // step 3 replaced, never duplicated
  REQUIRE(Json::parse(rows[2])["calls"] == 3);
}

TEST_CASE("TrainLoop: a non-finite loss skips the update within skip_nonfinite, then stops", "[train]") {
  auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
  config::OptimConfig optim;
  optim.skip_nonfinite = 1;
  CountingSteps steps;
  train::TrainLoop loop(context(test::temp_dir("train_loop_nan"), "none"), bundle, optim, 3, {});
  loop.begin(steps);
  std::map<std::string, torch::Tensor> before;
  for (const auto& [name, w] : bundle.model->named_weights()) before[name] = w.clone();
  auto loss = bundle.model->forward(torch::tensor({{2, 5, 7}}, torch::kInt64)).pow(2).mean();
  loss.backward();
  auto skipped = loop.apply_gradients(0, std::nan(""), 1e-2, "test");
  REQUIRE_FALSE(skipped.applied);
  for (const auto& [name, w] : bundle.model->named_weights()) REQUIRE(torch::equal(w, before.at(name)));
  loss = bundle.model->forward(torch::tensor({{2, 5, 7}}, torch::kInt64)).pow(2).mean();
  loss.backward();
  auto taken = loop.apply_gradients(1, loss.item<double>(), 1e-2, "test");
  REQUIRE(taken.applied);
  REQUIRE(taken.grad_norm > 0);
  REQUIRE_THROWS_AS(loop.apply_gradients(2, std::nan(""), 1e-2, "test"), RuntimeFailure);
}
