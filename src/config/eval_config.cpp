// Eval defaults: the R1 paper's protocol (k samples at temperature 0.6, top-p 0.95) on the eval split.
#include "r1/config/eval_config.h"

namespace r1::config {

EvalSettings::EvalSettings() {
  prompts.split = PromptSplit::kEval;
  prompts.n = 200;
  sampling.temperature = 0.6;
  sampling.top_p = 0.95;
}

}  // namespace r1::config
