// `eval` as a stage: scores one model (stage name or path) and writes eval.json (+ eval_samples.jsonl).
#pragma once
#include "r1/config/eval_config.h"
#include "r1/eval/evaluator.h"
#include "r1/stages/stage.h"

namespace r1::stages {

class EvalStage : public Stage {
 public:
  explicit EvalStage(const config::EvalStageConfig& cfg) : cfg_(cfg) {}
  void run(const StageRun& r) override;

 private:
  config::EvalStageConfig cfg_;
};

// Evaluates the model at `model_path` with `settings` and writes <out_dir>/eval.json and eval_samples.jsonl.
eval::EvalResult evaluate_checkpoint(const std::string& model_path, const config::EvalSettings& settings,
                                     std::uint64_t run_seed, const torch::Device& device, const std::string& out_dir);

}  // namespace r1::stages
