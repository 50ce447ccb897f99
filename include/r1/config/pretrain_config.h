// `pretrain` stage: next-token training of a fresh (or given) model on a corpus file or the generator.
#pragma once
#include "r1/config/model_config.h"
#include "r1/config/optim_config.h"
#include "r1/config/prompt_source_config.h"
#include "r1/config/stage_common.h"
#include "r1/config/stage_kind.h"
#include "r1/config/tokenizer_config.h"

namespace r1::config {

// The synthetic base-model corpus (see data/corpus_generator.h), or a text file (one document per line).
// Each generated document is a bare-lines document (bare_rate), filler prose (prose_rate) or else a worked
// solution; of the solutions, tagged_rate are in the <think>/<answer> format after a rendered prompt.
struct CorpusConfig {
  std::string file;                    // text file, one document per line; "" = generate
  std::vector<std::string> tasks = {"arithmetic"};
  std::vector<int> levels = {1, 2};
  int n_docs = 20000;
  std::vector<std::string> languages = {"en", "es"};
  double mistake_rate = 0.3;           // worked solutions with a wrong step (and so a wrong answer)
  double switch_rate = 0.3;            // solutions that switch language midway
  double tagged_rate = 0.4;            // of the solutions: written in the <think>/<answer> format
  double malformed_rate = 0.15;        // tagged solutions with a broken format (missing/duplicated tags,
                                       // answer outside the tags)
  double bare_rate = 0.2;              // bare question -> answer lines
  double prose_rate = 0.15;            // filler prose
  double verbal_rate = 0.3;            // solution steps in words ("17 plus 25 is 42") instead of symbols
  double guess_rate = 0.0;             // of the solutions: a bare guess, the conclusion without any worked step
  double guess_accuracy = 0.25;        // how often such a guess is right (otherwise it is a mistake's answer)
  std::string template_name = "r1-zero";  // prompt template of the tagged documents (YAML key: template); use
                                       // the template the RL stages will prompt with
  template <class V>
  void visit(V& v) {
    v("file", file);
    v("tasks", tasks, OneOf{kTaskNames}, NonEmpty{});
    v("levels", levels, NonEmpty{});
    v("n_docs", n_docs, Min{1});
    v("languages", languages, OneOf{{"en", "es"}}, NonEmpty{});
    v("mistake_rate", mistake_rate, Between{0, 1});
    v("switch_rate", switch_rate, Between{0, 1});
    v("tagged_rate", tagged_rate, Between{0, 1});
    v("malformed_rate", malformed_rate, Between{0, 1});
    v("bare_rate", bare_rate, Between{0, 1});
    v("prose_rate", prose_rate, Between{0, 1});
    v("verbal_rate", verbal_rate, Between{0, 1});
    v("guess_rate", guess_rate, Between{0, 1});
    v("guess_accuracy", guess_accuracy, Between{0, 1});
    v("template", template_name, OneOf{{"r1-zero", "plain", "chat"}});  // a corpus has no model yet
  }
};

struct PretrainConfig {
  std::string name;
  StageKind kind = StageKind::kPretrain;
  std::string init;                    // continue from a checkpoint (stage name or path); "" = fresh model
  ModelSpec model;
  TokenizerConfig tokenizer;
  CorpusConfig corpus;
  OptimConfig optim;
  int steps = 1000;                    // optimizer steps
  int batch_size = 32;                 // sequences per micro-batch (per rank)
  int seq_len = 128;                   // tokens per packed sequence
  double holdout_frac = 0.02;          // documents held out for eval loss
  int eval_every = 200;                // steps between eval-loss measurements; 0 = only at the end
  int eval_batches = 8;
  int log_every = 10;
  CheckpointConfig checkpoint;
  bool eval = true;                    // evaluate the final model on the recipe's eval set

  template <class V>
  void visit(V& v) {
    v("name", name, Required{});
    v("kind", kind);
    v("init", init);
    v("model", model);
    v("tokenizer", tokenizer);
    v("corpus", corpus);
    v("optim", optim);
    v("steps", steps, Min{1});
    v("batch_size", batch_size, Min{1});
    v("seq_len", seq_len, Min{8});
    v("holdout_frac", holdout_frac, Between{0, 0.5});
    v("eval_every", eval_every, Min{0});
    v("eval_batches", eval_batches, Min{1});
    v("log_every", log_every, Min{1});
    v("checkpoint", checkpoint);
    v("eval", eval);
  }
  void check(Problems& p, const std::string& path) const;
};

}  // namespace r1::config
