// `train-zero` and `grpo`: GRPO from a checkpoint (see rl/grpo_trainer.h).
#pragma once
#include "r1/config/rl_stage_config.h"
#include "r1/stages/stage.h"

namespace r1::stages {

class RlStage : public Stage {
 public:
  explicit RlStage(const config::RlStageConfig& cfg) : cfg_(cfg) {}
  void run(const StageRun& r) override;

 private:
  config::RlStageConfig cfg_;
};

}  // namespace r1::stages
