// Runs one stage with the bookkeeping every stage shares: its directory and log.txt, the resolved config,
// skip-if-done (DONE holds the hash of the resolved config and inputs), resume, the evaluation of the model it
// produced on the recipe's eval set (eval.json), and DONE at the end.
#pragma once
#include <string>

#include "r1/config/recipe.h"
#include "r1/io/jsonl.h"
#include "r1/stages/stage.h"

namespace r1::stages {

enum class StageStatus {
  kRan,         // ran (fresh or resumed) and wrote DONE
  kSkipped,     // DONE matched: nothing to do
  kStale,       // DONE exists for a different config or inputs (or an older hash scheme): not re-run (use --from)
};

StageStatus run_stage(const StageRun& r);

// DONE's content ({config_hash, hash_scheme, kind, finished_at, wall_s}) or null when absent or unreadable.
Json read_done(const std::string& stage_dir);

}  // namespace r1::stages
