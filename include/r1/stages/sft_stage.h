// `sft` and `distill`: supervised fine-tuning on a JSONL dataset; distill adds a student shape and optional
// logit distillation against a teacher.
#pragma once
#include "r1/config/sft_stage_config.h"
#include "r1/stages/stage.h"

namespace r1::stages {

class SftStage : public Stage {
 public:
  explicit SftStage(const config::SftStageConfig& cfg) : cfg_(cfg) {}
  void run(StageContext& ctx) override;
  bool produces_model() const override { return true; }

 private:
  config::SftStageConfig cfg_;
};

}  // namespace r1::stages
