// Data stage (cold-start, rejection-sample) defaults and checks.
#include "r1/config/data_stage_config.h"

namespace r1::config {

DataStageConfig DataStageConfig::defaults_for(StageKind kind) {
  DataStageConfig c;
  c.kind = kind;
  if (kind == StageKind::kRejectionSample) {
    c.samples_per_prompt = 8;
    c.max_per_prompt = 4;
    c.sampling.temperature = 0.7;
    c.filters.max_paragraph_chars = 2000;
  }
  return c;
}

void DataStageConfig::check(Problems& p, const std::string& path) const {
  if (max_per_prompt > samples_per_prompt)
    p.add(join_path(path, "max_per_prompt"), "cannot exceed samples_per_prompt (" + std::to_string(max_per_prompt) +
                                                 " > " + std::to_string(samples_per_prompt) + ")");
  if (mix_ratio > 0 && mix_file.empty())
    p.add(join_path(path, "mix_file"), "mix_ratio is " + std::to_string(mix_ratio) + " but no mix_file is given");
  if (kind == StageKind::kColdStart && !mix_file.empty())
    p.add(join_path(path, "mix_file"), "only rejection-sample stages mix in non-reasoning data");
  if (kind == StageKind::kColdStart && rewrite_template.find("{answer}") == std::string::npos)
    p.add(join_path(path, "rewrite_template"), "must contain {answer}");
  prompts.refuse_filter(p, join_path(path, "prompts"), "a data stage's prompts");
  if (filters.max_tokens > 0 && filters.max_tokens < filters.min_tokens)
    p.add(join_path(path, "filters.max_tokens"), "is below filters.min_tokens (" + std::to_string(filters.max_tokens) +
                                                     " < " + std::to_string(filters.min_tokens) + ")");
}

}  // namespace r1::config
