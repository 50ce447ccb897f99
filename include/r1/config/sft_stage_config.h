// `sft` and `distill` stages: supervised fine-tuning on {prompt, completion} / {messages} JSONL, with optional
// logit distillation against a teacher (distill).
#pragma once
#include "r1/config/model_config.h"
#include "r1/config/optim_config.h"
#include "r1/config/prompt_source_config.h"
#include "r1/config/stage_common.h"
#include "r1/config/stage_kind.h"

namespace r1::config {

struct KdConfig {
  double weight = 0.0;                 // 0 = SFT on teacher traces only (the paper's method)
  double temperature = 1.0;
  KdDivergence divergence = KdDivergence::kForwardKl;  // forward_kl | reverse_kl | jsd
  template <class V>
  void visit(V& v) {
    v("weight", weight, Min{0});
    v("temperature", temperature, Above{0});
    v("divergence", divergence);
  }
};

struct SftStageConfig {
  std::string name;
  StageKind kind = StageKind::kSft;    // sft | distill
  std::string init;                    // start checkpoint (stage name or path); distill: "" = fresh `model`
  std::string data;                    // JSONL dataset (stage name of a data stage, or a path)
  std::string prompt_field = "prompt";
  std::string completion_field = "completion";
  std::string messages_field = "messages";  // used when a row has it instead of prompt/completion
  std::string template_name = "chat";  // how a prompt is rendered (YAML key: template)
  OptimConfig optim;
  int epochs = 3;
  int max_steps = 0;                   // 0 = run `epochs`; else stop after this many optimizer steps
  int batch_size = 16;                 // sequences per micro-batch (per rank)
  int seq_len = 256;                   // packed row length in tokens
  bool packing = true;                 // pack several examples per row with block-diagonal attention
  double eval_frac = 0.05;             // held-out fraction of examples for eval loss
  int eval_every = 0;                  // 0 = at the end of each epoch
  int log_every = 10;
  CheckpointConfig checkpoint;
  bool eval = true;
  // distill only
  std::string teacher;                 // teacher checkpoint for logit distillation
  ModelSpec model;                     // the student's shape when init is ""
  KdConfig kd;

  template <class V>
  void visit(V& v) {
    v("name", name, Required{});
    v("kind", kind);
    v("init", init);
    v("data", data);
    v("prompt_field", prompt_field, NonEmpty{});
    v("completion_field", completion_field, NonEmpty{});
    v("messages_field", messages_field, NonEmpty{});
    v("template", template_name, OneOf{kTemplateNames});
    v("optim", optim);
    v("epochs", epochs, Min{1});
    v("max_steps", max_steps, Min{0});
    v("batch_size", batch_size, Min{1});
    v("seq_len", seq_len, Min{8});
    v("packing", packing);
    v("eval_frac", eval_frac, Between{0, 0.5});
    v("eval_every", eval_every, Min{0});
    v("log_every", log_every, Min{1});
    v("checkpoint", checkpoint);
    v("eval", eval);
    v("teacher", teacher);
    v("model", model);
    v("kd", kd);
  }
  void check(Problems& p, const std::string& path) const;
};

}  // namespace r1::config
