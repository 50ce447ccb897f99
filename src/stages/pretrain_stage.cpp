// The pretrain stage: corpus -> tokenizer -> packed rows -> next-token training.
#include "r1/stages/pretrain_stage.h"

#include <filesystem>
#include <fstream>

#include "r1/data/corpus_generator.h"
#include "r1/data/packing.h"
#include "r1/data/sft_dataset.h"
#include "r1/dist/world.h"
#include "r1/sft/lm_trainer.h"
#include "r1/train/model_bundle.h"
#include "r1/train/train_checkpoint.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

namespace r1::stages {

namespace fs = std::filesystem;

namespace {
// SentencePiece reads one sentence per line: documents are split at their newlines.
std::string write_tokenizer_corpus(const std::vector<std::string>& docs, const std::string& dir) {
  make_dirs(dir);
  std::string path = (fs::path(dir) / "corpus.txt").string();
  std::string text;
  for (const auto& d : docs) {
    for (const auto& line : split(d, '\n'))
      if (!line.empty()) text += line + "\n";
  }
  write_file_atomic(path, text);
  return path;
}
}  // namespace

TokenExample pretrain_token_example(const std::string& document, const Tokenizer& tok) {
  TokenExample ex;
  if (tok.bos_id() >= 0) ex.tokens.push_back(tok.bos_id());
  for (int id : tok.encode(document)) ex.tokens.push_back(id);
  ex.tokens.push_back(tok.eos_id());
  ex.loss.assign(ex.tokens.size(), 1);
  ex.loss[0] = 0;
  return ex;
}

void PretrainStage::run(const StageRun& r) {
  const train::RunContext& ctx = r.ctx;
  auto log = logger();
  auto env = ctx;
  std::vector<std::string> docs = load_corpus(cfg_.corpus, derive_seed(ctx.seed, "corpus/" + ctx.stage_name));
  log->info("[{}] corpus: {} documents{}", ctx.stage_name, docs.size(),
            cfg_.corpus.file.empty() ? " (generated)" : " from " + cfg_.corpus.file);

  // Tokenizer and model: resumed checkpoint > init > configured tokenizer > trained on the corpus.
  train::ModelBundle bundle;
  auto resume_from = train::find_resume_checkpoint(env);
  if (!cfg_.init.empty()) {
    bundle = train::load_model(r.refs.model(cfg_.init), ctx.device);
  } else {
    Tokenizer tok;
    if (resume_from) tok = Tokenizer::load(*resume_from);
    else if (!cfg_.tokenizer.path.empty()) tok = Tokenizer::load(r.refs.model(cfg_.tokenizer.path));
    else {
      // Rank 0 trains the tokenizer; the other ranks load what it wrote.
      std::string dir = (fs::path(ctx.stage_dir) / "tokenizer").string();
      if (ctx.rank == 0) {
        std::string corpus = write_tokenizer_corpus(docs, dir);
        tok = train_tokenizer(corpus, cfg_.tokenizer, dir, derive_seed(ctx.seed, "tokenizer"));
        fs::remove(corpus);
        log->info("[{}] trained a {} tokenizer with {} pieces", ctx.stage_name, cfg_.tokenizer.model_type,
                  tok.vocab_size());
      }
      dist::world().barrier();
      if (ctx.rank != 0) tok = Tokenizer::load(dir);
    }
    bundle = train::fresh_model(cfg_.model.config, tok, derive_seed(ctx.seed, "init/" + ctx.stage_name),
                                ctx.device);
  }
  log->info("[{}] model: {} parameters, vocab {}", ctx.stage_name, bundle.model->parameter_count(),
            bundle.model->vocab_size());

  // Documents -> [BOS] doc [EOS] with loss on every token after BOS; a held-out slice for eval loss.
  auto [train_docs, eval_docs] = split_train_eval(docs, cfg_.holdout_frac, derive_seed(ctx.seed, "holdout"));
  auto to_examples = [&](const std::vector<std::string>& ds) {
    std::vector<TokenExample> out;
    out.reserve(ds.size());
    for (const auto& d : ds) out.push_back(pretrain_token_example(d, bundle.tokenizer));
    return out;
  };
  PackStats stats;
  sft::LmTrainPlan plan;
  plan.train_rows = make_token_rows(to_examples(train_docs), cfg_.seq_len, true, bundle.tokenizer.pad_id(), &stats);
  plan.eval_rows = make_token_rows(to_examples(eval_docs), cfg_.seq_len, true, bundle.tokenizer.pad_id());
  log->info("[{}] {} training rows of {} tokens ({} tokens, {:.1f}% padding, {} documents cut; {:.1f} epochs in {} "
            "steps)", ctx.stage_name, stats.rows, cfg_.seq_len, stats.tokens,
            100.0 * stats.padding / std::max<std::int64_t>(1, stats.tokens + stats.padding), stats.truncated,
            static_cast<double>(cfg_.steps) * cfg_.batch_size * cfg_.optim.grad_accum / std::max<std::int64_t>(1, stats.rows),
            cfg_.steps);
  plan.optim = cfg_.optim;
  plan.total_steps = cfg_.steps;
  plan.batch_size = cfg_.batch_size;
  plan.log_every = cfg_.log_every;
  plan.eval_every = cfg_.eval_every;
  plan.eval_batches = cfg_.eval_batches;
  plan.checkpoint = cfg_.checkpoint;
  sft::run_lm_training(plan, bundle, env);
}

}  // namespace r1::stages
