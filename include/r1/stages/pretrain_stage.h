// `pretrain`: trains (or loads) the tokenizer on the corpus and trains a fresh (or given) model on it.
#pragma once
#include "r1/config/pretrain_config.h"
#include "r1/stages/stage.h"

namespace r1::stages {

class PretrainStage : public Stage {
 public:
  explicit PretrainStage(const config::PretrainConfig& cfg) : cfg_(cfg) {}
  void run(StageContext& ctx) override;
  bool produces_model() const override { return true; }

 private:
  config::PretrainConfig cfg_;
};

}  // namespace r1::stages
