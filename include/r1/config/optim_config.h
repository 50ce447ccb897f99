// Optimizer and learning-rate schedule settings (AdamW, warmup + cosine/linear/constant).
#pragma once
#include "r1/config/enums.h"
#include "r1/config/fields.h"

namespace r1::config {

struct OptimConfig {
  double lr = 1e-3;              // peak learning rate
  LrSchedule schedule = LrSchedule::kCosine;  // cosine | linear | constant (after warmup)
  int warmup_steps = 0;          // linear warmup from 0 over this many optimizer steps
  double min_lr_ratio = 0.1;     // cosine/linear floor as a fraction of lr
  double weight_decay = 0.0;     // decoupled (AdamW); not applied to norms and biases
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double max_grad_norm = 1.0;    // global L2 clip; 0 = off
  int grad_accum = 1;            // micro-batches per optimizer step
  int skip_nonfinite = 0;        // steps with a non-finite loss/gradient to skip (no update) before stopping

  template <class V>
  void visit(V& v) {
    v("lr", lr, Above{0});
    v("schedule", schedule);
    v("warmup_steps", warmup_steps, Min{0});
    v("min_lr_ratio", min_lr_ratio, Between{0, 1});
    v("weight_decay", weight_decay, Min{0});
    v("beta1", beta1, Between{0, 0.999999});
    v("beta2", beta2, Between{0, 0.999999});
    v("eps", eps, Above{0});
    v("max_grad_norm", max_grad_norm, Min{0});
    v("grad_accum", grad_accum, Min{1});
    v("skip_nonfinite", skip_nonfinite, Min{0});
  }
};

}  // namespace r1::config
