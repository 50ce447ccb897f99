// `r1 run`: the stages of a recipe in order, passing checkpoints and datasets by stage name; finished stages
// (DONE with a matching hash) are skipped, an unfinished one resumes from its latest checkpoint, --from re-runs
// from a stage on, --only runs one stage. Writes recipe.resolved.yaml and the report at the end.
#pragma once
#include <string>

#include "r1/config/recipe.h"

namespace r1::stages {

struct PipelineOptions {
  std::string from;   // re-run this stage and every later one
  std::string only;   // run just this stage
  int rank = 0, world_size = 1;
  std::string memory_limit;  // --memory-limit: "" = the memory available, "off", or a size (stages/preflight.h)
};

// Runs the recipe; throws on failure (InputError for bad --from/--only names).
void run_pipeline(const config::Recipe& recipe, const PipelineOptions& opts);

// The identity of each stage: its resolved config plus the identities of the stages it reads (so re-running
// an upstream stage invalidates its consumers). Indexed like recipe.stages.
std::vector<std::string> stage_hashes(const config::Recipe& recipe);

}  // namespace r1::stages
