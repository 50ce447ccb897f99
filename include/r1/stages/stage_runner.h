// Runs one stage with the bookkeeping every stage shares: its directory and log.txt, the resolved config,
// skip-if-done (DONE holds the hash of the resolved config and inputs), resume, the evaluation of the model it
// produced on the recipe's eval set (eval.json), and DONE at the end.
#pragma once
#include <string>

#include "r1/config/recipe.h"
#include "r1/io/jsonl.h"
#include "r1/stages/stage.h"

namespace r1::stages {

struct StageRun {
  config::StageEntry entry;
  config::RunSettings run;
  std::string stage_dir;
  std::string hash;              // identity of the resolved config and of the inputs it reads
  StageRefs refs;
  std::string resume = "auto";   // auto | none | checkpoint dir
  bool ignore_done = false;      // run even if DONE exists
  bool clear = false;            // remove the stage dir first (a fresh run)
  int rank = 0, world_size = 1;
};

enum class StageStatus {
  kRan,         // ran (fresh or resumed) and wrote DONE
  kSkipped,     // DONE matched: nothing to do
  kStale,       // DONE exists for a different config or inputs: not re-run (use --from)
};

StageStatus run_stage(const StageRun& r);

// DONE's content ({config_hash, kind, finished_at, wall_s}) or null when absent or unreadable.
Json read_done(const std::string& stage_dir);

// Whether a stage kind writes a model the eval set should score, given its config (the `eval` flag).
bool wants_eval(const config::StageEntry& entry);

}  // namespace r1::stages
