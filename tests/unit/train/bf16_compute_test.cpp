// dtype: bfloat16 — the training forwards run their products in bfloat16 (autocast) over float32 master weights
// and AdamW state; log-probs and losses stay float32. Checked against float32 on the micro model: one forward,
// 20 LM-training steps, one GRPO step on the same rollout.
#include <catch2/catch.hpp>

#include <filesystem>

#include "../../support/test_support.h"
#include "../rl/micro_grpo_config.h"
#include "r1/data/packing.h"
#include "r1/model/logprobs.h"
#include "r1/rl/grpo_trainer.h"
#include "r1/sft/lm_trainer.h"
#include "r1/train/model_bundle.h"
#include "r1/io/jsonl.h"
#include "r1/io/safetensors.h"

using namespace r1;

namespace {

train::RunContext context(const std::string& tag, torch::ScalarType dtype, config::StageKind kind) {
  train::RunContext ctx;
  ctx.stage_name = tag;
  ctx.stage_kind = kind;
  ctx.stage_dir = test::temp_dir(tag);
  ctx.seed = 11;
  ctx.resume = "none";
  ctx.dtype = dtype;
  return ctx;
}

std::vector<double> column(const std::string& metrics, const std::string& key) {
  std::vector<double> out;
  for (const auto& row : read_jsonl(metrics)) out.push_back(row.at(key).get<double>());
  return out;
}

// Token rows of a small repetitive corpus (learnable in 20 steps).
std::vector<TokenRow> corpus_rows() {
  const auto& tok = test::tiny_tokenizer();
  std::vector<TokenExample> examples;
  const char* texts[] = {"What is 12 + 7? The answer is 19.", "What is 3 + 4? The answer is 7.",
                         "What is 10 + 10? The answer is 20.", "What is 5 + 6? The answer is 11."};
  for (int rep = 0; rep < 4; ++rep)
    for (const char* t : texts) {
      TokenExample e;
      e.tokens = tok.encode(t);
      e.loss.assign(e.tokens.size(), 1);
      examples.push_back(e);
    }
  return make_token_rows(examples, 32, true, tok.pad_id());
}

// 4 rows per step at a constant lr of 3e-3, a checkpoint every `every` steps (0: the final one only), all kept.
sft::LmTrainPlan lm_plan(const std::vector<TokenRow>& rows, std::int64_t steps, int every) {
  sft::LmTrainPlan plan;
  plan.train_rows = rows;
  plan.total_steps = steps;
  plan.batch_size = 4;
  plan.log_every = 1;
  plan.optim.lr = 3e-3;
  plan.optim.schedule = config::LrSchedule::kConstant;
  plan.checkpoint.every = every;
  plan.checkpoint.keep_last = 0;
  return plan;
}

}  // namespace

TEST_CASE("bfloat16 compute runs the products in bfloat16 over float32 weights", "[model][bf16]") {
  model::Transformer m(test::micro_model_config(), test::tiny_tokenizer().vocab_size());
  m->init_weights(3);
  auto gen = at::detail::createCPUGenerator(5);
  auto tokens = at::randint(0, m->vocab_size(), {2, 24}, gen);
  auto grads_of = [&](torch::ScalarType dtype, torch::Tensor* logits) {
    m->set_compute_dtype(dtype);
    m->zero_grad();
    auto out = m->forward(tokens);  // [2, 24, V]
    *logits = out.detach().to(torch::kFloat32);
    torch::log_softmax(out.to(torch::kFloat32), -1).select(-1, 7).sum().backward();
    std::vector<torch::Tensor> g;
    for (const auto& p : m->parameters()) g.push_back(p.grad().clone());
    return g;
  };
  torch::Tensor l32, l16;
  auto g32 = grads_of(torch::kFloat32, &l32);
  auto g16 = grads_of(torch::kBFloat16, &l16);
  REQUIRE(m->compute_dtype() == torch::kBFloat16);
  for (const auto& p : m->parameters()) REQUIRE(p.scalar_type() == torch::kFloat32);  // master weights
  for (const auto& g : g16) REQUIRE(g.scalar_type() == torch::kFloat32);             // and their gradients
  // bfloat16 products round to 8 significant bits: different from float32, but close.
  const double scale = l32.abs().max().item<double>();
  const double diff = (l16 - l32).abs().max().item<double>();
  INFO("logits: max |bf16 - fp32| " << diff << " of max |logit| " << scale);
  REQUIRE(diff > 1e-4 * scale);
  REQUIRE(diff < 3e-2 * scale);
  for (size_t i = 0; i < g32.size(); ++i) {
    const auto a = g32[i].flatten(), b = g16[i].flatten();
    const double cosine = (a * b).sum().item<double>() / (a.norm().item<double>() * b.norm().item<double>() + 1e-30);
    INFO("parameter " << i << " gradient cosine " << cosine);
    REQUIRE(cosine > 0.99);
  }
  // float32 again is exactly float32: the bfloat16 scope leaves nothing behind (no cached casts, autocast off).
  torch::Tensor again;
  grads_of(torch::kFloat32, &again);
  REQUIRE(torch::equal(again, l32));
}

TEST_CASE("bfloat16 LM training reduces the loss and tracks float32 over 20 steps", "[train][bf16]") {
  const auto rows = corpus_rows();
  std::map<std::string, std::vector<double>> loss;
  for (const auto& [name, dtype] : {std::pair<std::string, torch::ScalarType>{"fp32", torch::kFloat32},
                                    {"bf16", torch::kBFloat16}}) {
    auto ctx = context("bf16_lm_" + name, dtype, config::StageKind::kPretrain);
    ctx.stage_name = "lm";  // the same data order both times
    auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
    sft::run_lm_training(lm_plan(rows, 20, 0), bundle, ctx);
    REQUIRE(bundle.model->compute_dtype() == dtype);
    for (const auto& p : bundle.model->parameters()) REQUIRE(p.scalar_type() == torch::kFloat32);
    loss[name] = column(ctx.stage_dir + "/metrics.jsonl", "loss");
    REQUIRE(loss[name].size() == 20);
  }
  const auto& a = loss["fp32"];
  const auto& b = loss["bf16"];
  INFO("fp32 loss " << a.front() << " -> " << a.back() << ", bf16 " << b.front() << " -> " << b.back());
  REQUIRE(b.back() < 0.7 * b.front());  // bf16 learns
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / a[i]);
  INFO("largest relative loss difference over the 20 steps " << worst);
  REQUIRE(worst < 0.05);  // the stated tolerance (README): within 5% of float32 at every step
  REQUIRE(a != b);        // and bfloat16 was really used
}

TEST_CASE("a bfloat16 GRPO step on the same rollout gives float32's loss within tolerance", "[grpo][bf16]") {
  const std::string init = test::temp_dir("bf16_grpo_init");
  test::write_fresh_checkpoint(init, test::micro_model_config(), 5);
  auto cfg = test::micro_grpo_config();
  cfg.grpo.iterations = 2;  // pi_old frozen: the second pass has ratios != 1
  cfg.grpo.minibatch_size = 4;
  cfg.grpo.beta = 0.04;     // and a reference model in bf16 too
  std::map<std::string, Json> metrics;
  for (const auto& [name, dtype] : {std::pair<std::string, torch::ScalarType>{"fp32", torch::kFloat32},
                                    {"bf16", torch::kBFloat16}}) {
    auto ctx = context("bf16_grpo_" + name, dtype, config::StageKind::kTrainZero);
    ctx.stage_name = "zero";  // the same prompt and sample streams (derived from the stage name) both times
    rl::GrpoTrainer trainer(cfg, ctx, {init, ""});
    REQUIRE(trainer.policy().model->compute_dtype() == dtype);
    REQUIRE(trainer.reference().model().compute_dtype() == dtype);
    auto batch = trainer.collect_batch(0);
    auto adv = trainer.compute_advantages(batch);
    auto frozen = trainer.freeze_logprobs(batch);
    auto st = trainer.update(0, batch, adv, frozen);
    REQUIRE(st.optimizer_steps == 4);  // 2 iterations x 2 minibatches
    metrics[name] = trainer.log_step(0, batch, adv, frozen, st, 1.0).metrics;
  }
  const Json& a = metrics["fp32"];
  const Json& b = metrics["bf16"];
  // Rollouts sample through the float32 decode path: the same completions and rewards either way.
  REQUIRE(a["reward"].get<double>() == b["reward"].get<double>());
  REQUIRE(a["completion_len_mean"].get<double>() == b["completion_len_mean"].get<double>());
  const double la = a["loss"].get<double>(), lb = b["loss"].get<double>();
  INFO("GRPO loss fp32 " << la << ", bf16 " << lb << "; kl " << a["kl"] << " / " << b["kl"]);
  REQUIRE(std::isfinite(lb));
  REQUIRE(std::abs(la - lb) <= 0.05 * std::abs(la) + 1e-3);
  // The sampler (float32) against the bf16 training forward: the mismatch metric sees bfloat16's rounding.
  REQUIRE(b["mismatch_logp_abs_mean"].get<double>() > a["mismatch_logp_abs_mean"].get<double>());
}

TEST_CASE("save_dtype bfloat16 writes BF16 weights and resumes from the float32 masters exactly", "[train][bf16]") {
  const auto rows = corpus_rows();
  auto train_into = [&](const std::string& dir, const std::string& resume) {
    auto ctx = context("bf16_save", torch::kFloat32, config::StageKind::kPretrain);
    ctx.stage_dir = dir;
    ctx.resume = resume;
    ctx.save_dtype = "bfloat16";
    auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 3, torch::kCPU);
    sft::run_lm_training(lm_plan(rows, 4, 2), bundle, ctx);
    return bundle;
  };
  const std::string whole = test::temp_dir("bf16_save_whole"), cut = test::temp_dir("bf16_save_cut");
  auto trained = train_into(whole, "none");
  // final/: BF16 tensors and torch_dtype bfloat16, as released models are.
  for (const auto& [name, t] : load_safetensors(whole + "/final/model.safetensors")) {
    INFO(name);
    REQUIRE(t.scalar_type() == torch::kBFloat16);
  }
  REQUIRE(Json::parse(test::file_bytes(whole + "/final/config.json"))["torch_dtype"] == "bfloat16");
  // Loading it gives float32 parameters holding the rounded weights; auto saves what was read.
  auto loaded = train::load_model(whole + "/final", torch::kCPU);
  REQUIRE(loaded.source_dtype == "bfloat16");
  REQUIRE(train::resolve_save_dtype(loaded, "auto") == "bfloat16");
  auto reference = trained.model->named_weights();
  bool any_rounded = false;
  for (const auto& [name, w] : loaded.model->named_weights()) {
    REQUIRE(w.scalar_type() == torch::kFloat32);
    REQUIRE(torch::equal(w, reference.at(name).to(torch::kBFloat16).to(torch::kFloat32)));
    any_rounded = any_rounded || !torch::equal(w, reference.at(name));
  }
  REQUIRE(any_rounded);
  // A crash after step 2, resumed: the float32 masters in trainer_state continue the run exactly.
  train_into(cut, "none");
  std::filesystem::remove_all(cut + "/final");
  std::filesystem::remove_all(cut + "/checkpoint-000004");
  auto resumed = train_into(cut, cut + "/checkpoint-000002");
  for (const auto& [name, w] : resumed.model->named_weights()) {
    INFO(name);
    REQUIRE(torch::equal(w, reference.at(name)));
  }
}
