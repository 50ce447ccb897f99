// The SFT and distill stages: dataset -> token rows (loss on completion tokens only) -> LM training.
#include "r1/stages/sft_stage.h"

#include <cmath>

#include "r1/data/packing.h"
#include "r1/data/sft_dataset.h"
#include "r1/generate/sampler.h"
#include "r1/sft/lm_trainer.h"
#include "r1/train/model_bundle.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/rng.h"

namespace r1::stages {

std::vector<TokenExample> sft_token_examples(const std::vector<SftExample>& examples, const Tokenizer& tok) {
  std::vector<TokenExample> out;
  out.reserve(examples.size());
  for (const auto& e : examples) {
    TokenExample ex;
    ex.tokens = generate::encode_prompt(tok, e.prompt);
    ex.loss.assign(ex.tokens.size(), 0);
    for (int id : tok.encode(e.completion)) {
      ex.tokens.push_back(id);
      ex.loss.push_back(1);
    }
    ex.tokens.push_back(tok.eos_id());
    ex.loss.push_back(1);
    out.push_back(std::move(ex));
  }
  return out;
}

void SftStage::run(const StageRun& r) {
  const train::RunContext& ctx = r.ctx;
  auto log = logger();
  // The model to train (and, for distill, the teacher).
  train::ModelBundle bundle, teacher;
  const bool want_teacher = cfg_.kind == config::StageKind::kDistill && !cfg_.teacher.empty();
  const bool kd_on = want_teacher && cfg_.kd.weight > 0;
  if (kd_on) {
    teacher = train::load_model(r.refs.model(cfg_.teacher), ctx.device);
  } else if (want_teacher) {
    // Without the logit term the teacher gives its tokenizer only: its weights are never read.
    teacher.tokenizer = train::load_tokenizer(r.refs.model(cfg_.teacher));
    log->info("[{}] kd.weight 0: teacher {} gives its tokenizer only (its weights are not read)", ctx.stage_name,
              cfg_.teacher);
  }
  if (!cfg_.init.empty()) {
    bundle = train::load_model(r.refs.model(cfg_.init), ctx.device);
  } else {
    if (!want_teacher)
      throw InputError("[" + ctx.stage_name + "] a distill stage without init needs a teacher (its tokenizer is the "
                       "student's)");
    bundle = train::fresh_model(cfg_.model.config, teacher.tokenizer,
                                derive_seed(ctx.seed, "init/" + ctx.stage_name), ctx.device);
  }
  if (want_teacher)
    train::require_same_tokenizer(bundle.tokenizer, "student " + (cfg_.init.empty() ? "(fresh)" : cfg_.init),
                                  teacher.tokenizer, "teacher " + cfg_.teacher);
  if (kd_on) {
    teacher.model->eval();
    teacher.model->set_compute_dtype(ctx.dtype);
    for (auto& p : teacher.model->parameters()) p.set_requires_grad(false);
    log->info("[{}] teacher {} ({} parameters), student {} parameters, kd weight {}", ctx.stage_name, cfg_.teacher,
              teacher.model->parameter_count(), bundle.model->parameter_count(), cfg_.kd.weight);
  }

  const PromptRenderer renderer(cfg_.template_name, bundle.tokenizer, cfg_.init.empty() ? cfg_.teacher : cfg_.init);
  const std::string data_path = r.refs.data(cfg_.data);
  auto examples = load_sft_dataset(data_path, cfg_.prompt_field, cfg_.completion_field, cfg_.messages_field,
                                   &renderer);
  auto [train_set, eval_set] = split_train_eval(examples, cfg_.eval_frac, derive_seed(ctx.seed, "sft-split"));
  log->info("[{}] {}: {} examples ({} train, {} held out)", ctx.stage_name, data_path, examples.size(),
            train_set.size(), eval_set.size());

  PackStats stats;
  sft::LmTrainPlan plan;
  const int pad = bundle.tokenizer.pad_id();
  plan.train_rows =
      make_token_rows(sft_token_examples(train_set, bundle.tokenizer), cfg_.seq_len, cfg_.packing, pad, &stats);
  plan.eval_rows = make_token_rows(sft_token_examples(eval_set, bundle.tokenizer), cfg_.seq_len, cfg_.packing, pad);
  if (stats.truncated > 0)
    log->warn("[{}] {} of {} examples are longer than seq_len {} and were cut", ctx.stage_name, stats.truncated,
              stats.examples, cfg_.seq_len);
  plan.optim = cfg_.optim;
  plan.batch_size = cfg_.batch_size;
  std::int64_t per_step = sft::rows_per_step(plan, ctx.world_size);
  std::int64_t steps_per_epoch = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(static_cast<double>(plan.train_rows.size()) / per_step)));
  plan.total_steps = cfg_.max_steps > 0 ? cfg_.max_steps : steps_per_epoch * cfg_.epochs;
  plan.log_every = cfg_.log_every;
  plan.eval_every = cfg_.eval_every > 0 ? cfg_.eval_every : static_cast<int>(steps_per_epoch);
  plan.eval_batches = 0;
  plan.checkpoint = cfg_.checkpoint;
  if (kd_on) {
    plan.teacher = teacher.model.get();
    plan.kd = cfg_.kd;
  }
  log->info("[{}] {} rows ({}), {} steps ({} per epoch)", ctx.stage_name, plan.train_rows.size(),
            cfg_.packing ? "packed" : "one example per row", plan.total_steps, steps_per_epoch);
  sft::run_lm_training(plan, bundle, ctx);
}

}  // namespace r1::stages
