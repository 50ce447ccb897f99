// `sft` and `distill`: supervised fine-tuning on a JSONL dataset; distill adds a student shape and optional
// logit distillation against a teacher.
#pragma once
#include <vector>

#include "r1/config/sft_stage_config.h"
#include "r1/data/packing.h"
#include "r1/data/sft_dataset.h"
#include "r1/stages/stage.h"
#include "r1/tokenizer/tokenizer.h"

namespace r1::stages {

// [BOS] prompt completion [EOS] per example, with loss on the completion tokens and EOS only (what the stage
// trains on).
std::vector<TokenExample> sft_token_examples(const std::vector<SftExample>& examples, const Tokenizer& tok);

class SftStage : public Stage {
 public:
  explicit SftStage(const config::SftStageConfig& cfg) : cfg_(cfg) {}
  void run(const StageRun& r) override;

 private:
  config::SftStageConfig cfg_;
};

}  // namespace r1::stages
