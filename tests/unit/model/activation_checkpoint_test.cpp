// activation_checkpointing: each decoder layer recomputed in the backward. Same values and gradients as the plain
// forward — in float32 and bfloat16, through a plain causal forward, packed LM training and a packed GRPO update —
// and nothing changes where no gradient is taken.
#include <catch2/catch.hpp>

#include "../../support/test_support.h"
#include "../rl/micro_grpo_config.h"
#include "r1/data/packing.h"
#include "r1/io/jsonl.h"
#include "r1/model/transformer.h"
#include "r1/rl/grpo_trainer.h"
#include "r1/sft/lm_trainer.h"
#include "r1/train/model_bundle.h"

using namespace r1;

namespace {

// The largest |a - b| over every pair of tensors, relative to the largest |a|.
double relative_gap(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  REQUIRE(a.size() == b.size());
  double gap = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].sizes() == b[i].sizes());
    gap = std::max(gap, (a[i] - b[i]).abs().max().item<double>());
    scale = std::max(scale, a[i].abs().max().item<double>());
  }
  return gap / (scale + 1e-30);
}

train::RunContext context(const std::string& tag, bool checkpointing, config::StageKind kind) {
  train::RunContext ctx;
  ctx.stage_name = "same";  // the same data and sample streams with and without
  ctx.stage_kind = kind;
  ctx.stage_dir = test::temp_dir(tag);
  ctx.seed = 11;
  ctx.resume = "none";
  ctx.activation_checkpointing = checkpointing;
  return ctx;
}

std::vector<torch::Tensor> weights_of(const train::ModelBundle& b) {
  std::vector<torch::Tensor> out;
  for (const auto& p : b.model->parameters()) out.push_back(p.detach().clone());
  return out;
}

}  // namespace

TEST_CASE("activation checkpointing gives the plain forward's logits and gradients, float32 and bfloat16",
          "[model][checkpointing]") {
  model::Transformer m(test::micro_model_config(), test::tiny_tokenizer().vocab_size());
  m->init_weights(3);
  auto gen = at::detail::createCPUGenerator(5);
  auto tokens = at::randint(0, m->vocab_size(), {3, 20}, gen);
  auto run = [&](bool checkpointing, torch::ScalarType dtype, std::vector<torch::Tensor>* grads) {
    m->set_activation_checkpointing(checkpointing);
    m->set_compute_dtype(dtype);
    m->zero_grad();
    auto logits = m->forward(tokens);  // [3, 20, V]
    torch::log_softmax(logits.to(torch::kFloat32), -1).select(-1, 5).mean().backward();
    grads->clear();
    for (const auto& p : m->parameters()) grads->push_back(p.grad().clone());
    return logits.detach().to(torch::kFloat32);
  };
  for (auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    INFO("compute dtype " << c10::toString(dtype));
    std::vector<torch::Tensor> plain, recomputed;
    auto a = run(false, dtype, &plain);
    auto b = run(true, dtype, &recomputed);
    REQUIRE(m->activation_checkpointing());
    REQUIRE(torch::equal(a, b));  // the forward runs the same kernels
    const double gap = relative_gap(plain, recomputed);
    INFO("largest gradient difference, relative to the largest gradient: " << gap);
    REQUIRE(gap < 1e-5);
    for (const auto& g : recomputed) REQUIRE(g.abs().sum().item<double>() > 0);  // every parameter reached
  }
  // Without gradients (rollouts, frozen log-probs) nothing is recomputed: the plain forward, no graph.
  {
    torch::NoGradGuard no_grad;
    m->set_compute_dtype(torch::kFloat32);
    auto out = m->forward(tokens);
    REQUIRE_FALSE(out.requires_grad());
    m->set_activation_checkpointing(false);
    REQUIRE(torch::equal(out, m->forward(tokens)));
  }
}

TEST_CASE("activation checkpointing leaves packed LM training's losses and weights as they were",
          "[train][checkpointing]") {
  const auto& tok = test::tiny_tokenizer();
  std::vector<TokenExample> examples;
  for (const char* t : {"What is 12 + 7? The answer is 19.", "What is 3 + 4? The answer is 7.",
                        "Two plus two is four.", "What is 10 + 10? The answer is 20."}) {
    TokenExample e;
    e.tokens = tok.encode(t);
    e.loss.assign(e.tokens.size(), 1);
    examples.push_back(e);
  }
  const auto rows = make_token_rows(examples, 40, true, tok.pad_id());  // documents packed: segment attention
  std::vector<std::vector<double>> losses;
  std::vector<std::vector<torch::Tensor>> weights;
  for (bool checkpointing : {false, true}) {
    auto ctx = context(checkpointing ? "ckpt_lm_on" : "ckpt_lm_off", checkpointing, config::StageKind::kSft);
    auto bundle = train::fresh_model(test::micro_model_config(), tok, 3, torch::kCPU);
    sft::LmTrainPlan plan;
    plan.train_rows = rows;
    plan.total_steps = 3;
    plan.batch_size = 2;
    plan.log_every = 1;
    plan.optim.lr = 3e-3;
    plan.optim.schedule = config::LrSchedule::kConstant;
    plan.checkpoint.keep_last = 1;
    sft::run_lm_training(plan, bundle, ctx);
    REQUIRE(bundle.model->activation_checkpointing() == checkpointing);
    std::vector<double> l;
    for (const auto& row : read_jsonl(ctx.stage_dir + "/metrics.jsonl")) l.push_back(row.at("loss").get<double>());
    REQUIRE(l.size() == 3);
    losses.push_back(l);
    weights.push_back(weights_of(bundle));
  }
  for (size_t i = 0; i < losses[0].size(); ++i) REQUIRE(losses[1][i] == Approx(losses[0][i]).epsilon(1e-6));
  REQUIRE(relative_gap(weights[0], weights[1]) < 1e-5);
}

TEST_CASE("activation checkpointing leaves a packed GRPO update as it was", "[grpo][checkpointing]") {
  const std::string init = test::temp_dir("ckpt_grpo_init");
  test::write_fresh_checkpoint(init, test::micro_model_config(), 5);
  auto cfg = test::micro_grpo_config();
  cfg.grpo.iterations = 2;
  cfg.grpo.minibatch_size = 4;
  cfg.grpo.beta = 0.04;
  REQUIRE(cfg.grpo.packing);
  std::vector<Json> metrics;
  std::vector<std::vector<torch::Tensor>> weights;
  for (bool checkpointing : {false, true}) {
    auto ctx = context(checkpointing ? "ckpt_grpo_on" : "ckpt_grpo_off", checkpointing,
                       config::StageKind::kTrainZero);
    rl::GrpoTrainer trainer(cfg, ctx, {init, ""});
    REQUIRE(trainer.policy().model->activation_checkpointing() == checkpointing);
    auto batch = trainer.collect_batch(0);
    auto adv = trainer.compute_advantages(batch);
    auto frozen = trainer.freeze_logprobs(batch);
    auto st = trainer.update(0, batch, adv, frozen);
    REQUIRE(st.optimizer_steps == 4);
    metrics.push_back(trainer.log_step(0, batch, adv, frozen, st, 1.0).metrics);
    weights.push_back(weights_of(trainer.policy()));
  }
  INFO(metrics[0].dump() << "\n" << metrics[1].dump());
  REQUIRE(metrics[0]["reward"].get<double>() == metrics[1]["reward"].get<double>());
  REQUIRE(metrics[1]["loss"].get<double>() == Approx(metrics[0]["loss"].get<double>()).epsilon(1e-5).margin(1e-7));
  REQUIRE(metrics[1]["kl"].get<double>() == Approx(metrics[0]["kl"].get<double>()).epsilon(1e-4).margin(1e-8));
  REQUIRE(relative_gap(weights[0], weights[1]) < 1e-5);
}
