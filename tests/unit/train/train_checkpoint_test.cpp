// Trainer checkpoints: weights, optimizer moments and trainer state survive a save/restore exactly.
#include <catch2/catch.hpp>
#include <filesystem>
#include <limits>

#include "../../support/test_support.h"
#include "r1/train/model_bundle.h"
#include "r1/train/train_checkpoint.h"
#include "r1/util/error.h"

using namespace r1;

namespace {
optim::AdamW make_opt(train::ModelBundle& b) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& item : b.model->named_parameters()) named.emplace_back(item.key(), item.value());
  return optim::AdamW(named, config::OptimConfig{});
}
}  // namespace

TEST_CASE("train checkpoint round trip restores weights, moments and state", "[train]") {
  const auto& tok = test::tiny_tokenizer();
  auto bundle = train::fresh_model(test::micro_model_config(), tok, 3, torch::kCPU);
  auto opt = make_opt(bundle);
  auto loss = bundle.model->forward(torch::tensor({{2, 5, 7}}, torch::kInt64)).pow(2).mean();
  loss.backward();
  opt.step(1e-2);

  train::RunContext env;
  env.stage_name = "t";
  env.stage_kind = config::StageKind::kSft;
  env.stage_dir = test::temp_dir("train_ckpt");
  env.config_hash = "abc";
  std::string path = train::save_train_checkpoint(env, checkpoint_name(7), 7, bundle, opt,
                                                  Json{{"data_cursor", {{"epoch", 1}, {"position", 3}}}},
                                                  {{"extra_vec", torch::arange(4)}}, 2);
  REQUIRE(std::filesystem::exists(path + "/trainer_state"));
  REQUIRE(train::find_resume_checkpoint(env).value() == path);

  auto other = train::fresh_model(test::micro_model_config(), tok, 99, torch::kCPU);
  auto opt2 = make_opt(other);
  auto restored = train::restore_train_checkpoint(env, path, other, opt2);
  REQUIRE(restored.step == 7);
  REQUIRE(restored.state["data_cursor"]["position"] == 3);
  REQUIRE(torch::equal(restored.tensors.at("extra_vec"), torch::arange(4)));
  REQUIRE(opt2.steps() == 1);
  for (const auto& [name, w] : bundle.model->named_weights()) REQUIRE(torch::equal(w, other.model->named_weights()[name]));
  auto m1 = opt.state_tensors(), m2 = opt2.state_tensors();
  for (const auto& [k, v] : m1) REQUIRE(torch::equal(v, m2.at(k)));

  env.resume = "none";
  REQUIRE_FALSE(train::find_resume_checkpoint(env).has_value());
  env.resume = test::temp_dir("nothing_here");
  REQUIRE_THROWS_AS(train::find_resume_checkpoint(env), InputError);
}

TEST_CASE("StepLog drops rows past the resume step and a torn tail", "[train]") {
  train::RunContext env;
  env.stage_dir = test::temp_dir("steplog");
  {
    train::StepLog log(env, "metrics.jsonl", 0, true);
    for (int s = 1; s <= 5; ++s) log.write(Json{{"step", s}});
  }
  {
    std::FILE* f = std::fopen((env.stage_dir + "/metrics.jsonl").c_str(), "ab");
    std::fputs("{\"step\": 6, \"lo", f);  // a kill mid-line
    std::fclose(f);
  }
  train::StepLog resumed(env, "metrics.jsonl", 3, false);
  resumed.write(Json{{"step", 4}});
  auto rows = read_jsonl(env.stage_dir + "/metrics.jsonl");
  REQUIRE(rows.size() == 4);
  REQUIRE(rows.back()["step"] == 4);
}

TEST_CASE("a checkpoint with NaN or Inf weights is refused and nothing is written", "[train][reliability]") {
  const auto& tok = test::tiny_tokenizer();
  auto bundle = train::fresh_model(test::micro_model_config(), tok, 3, torch::kCPU);
  auto opt = make_opt(bundle);
  train::RunContext env;
  env.stage_name = "t";
  env.stage_kind = config::StageKind::kSft;
  env.stage_dir = test::temp_dir("nan_ckpt");
  std::string good = train::save_train_checkpoint(env, checkpoint_name(1), 1, bundle, opt, Json::object(), {}, 0);
  {
    torch::NoGradGuard ng;
    bundle.model->parameters()[1].view(-1)[3] = std::numeric_limits<float>::infinity();
  }
  REQUIRE_THROWS_WITH(train::save_train_checkpoint(env, checkpoint_name(2), 2, bundle, opt, Json::object(), {}, 0),
                      Catch::Contains("holds NaN or Inf; refusing to write checkpoint checkpoint-000002"));
  REQUIRE_FALSE(std::filesystem::exists(env.stage_dir + "/" + checkpoint_name(2)));
  REQUIRE(train::find_resume_checkpoint(env).value() == good);  // latest still names the good one
}
