// `cold-start` and `rejection-sample`: sample k completions per prompt from a policy, keep the verified,
// well-formed, one-language, non-repetitive ones (at most m per prompt, de-duplicated), rewrite them into the
// readable format (cold start), optionally mix in non-reasoning data (rejection sampling), and write
// data.jsonl with provenance plus data_summary.json (kept and dropped counts per filter and per level).
// Sampling is journaled per batch (samples.rankR.journal), so a stop or a crash resumes where it stopped; a
// completion that would make an unusable SFT row (empty after trimming) is dropped as "empty".
#pragma once
#include <string>
#include <vector>

#include "r1/config/data_stage_config.h"
#include "r1/data/example.h"
#include "r1/generate/sampler.h"
#include "r1/io/jsonl.h"
#include "r1/stages/stage.h"

namespace r1::stages {

struct Selection;

class DataStage : public Stage {
 public:
  explicit DataStage(const config::DataStageConfig& cfg) : cfg_(cfg) {}
  void run(const StageRun& r) override;

 private:
  // Filters, caps, rewrites (cold start) and de-duplicates the k completions of every prompt.
  Selection select(const std::vector<PromptExample>& prompts, const std::vector<std::string>& texts,
                   const std::vector<generate::Completion>& outs, const std::string& policy_path,
                   const train::RunContext& ctx) const;
  // Appends the mix_file rows (rejection sampling); returns how many.
  std::int64_t mix_in(std::vector<Json>& rows, const train::RunContext& ctx) const;

  config::DataStageConfig cfg_;
};

}  // namespace r1::stages
