// `pretrain`: trains (or loads) the tokenizer on the corpus and trains a fresh (or given) model on it.
#pragma once
#include <string>

#include "r1/config/pretrain_config.h"
#include "r1/data/packing.h"
#include "r1/stages/stage.h"
#include "r1/tokenizer/tokenizer.h"

namespace r1::stages {

// A corpus document as a pretraining example: BOS (if the tokenizer has one) + its tokens + EOS, loss on every
// token after the first.
TokenExample pretrain_token_example(const std::string& document, const Tokenizer& tok);

class PretrainStage : public Stage {
 public:
  explicit PretrainStage(const config::PretrainConfig& cfg) : cfg_(cfg) {}
  void run(const StageRun& r) override;

 private:
  config::PretrainConfig cfg_;
};

}  // namespace r1::stages
