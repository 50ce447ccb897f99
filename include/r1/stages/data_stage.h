// `cold-start` and `rejection-sample`: sample k completions per prompt from a policy, keep the verified,
// well-formed, one-language, non-repetitive ones (at most m per prompt, de-duplicated), rewrite them into the
// readable format (cold start), optionally mix in non-reasoning data (rejection sampling), and write
// data.jsonl with provenance plus data_summary.json (kept and dropped counts per filter and per level).
#pragma once
#include "r1/config/data_stage_config.h"
#include "r1/stages/stage.h"

namespace r1::stages {

class DataStage : public Stage {
 public:
  explicit DataStage(const config::DataStageConfig& cfg) : cfg_(cfg) {}
  void run(const StageRun& r) override;

 private:
  config::DataStageConfig cfg_;
};

}  // namespace r1::stages
