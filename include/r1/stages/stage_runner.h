// Runs one stage with the bookkeeping every stage shares: its directory and log.txt, the resolved config,
// skip-if-done (DONE holds the hash of the resolved config and inputs), resume, the evaluation of the model it
// produced on the recipe's eval set (eval.json), and DONE at the end.
#pragma once
#include <string>

#include "r1/config/recipe.h"
#include "r1/io/jsonl.h"
#include "r1/stages/stage.h"
#include "r1/util/run_dir_lock.h"

namespace r1::stages {

enum class StageStatus {
  kRan,         // ran (fresh or resumed) and wrote DONE
  kSkipped,     // DONE matched: nothing to do
  kStale,       // DONE exists for a different config or inputs (or an older hash scheme): not re-run (use --from)
};

StageStatus run_stage(const StageRun& r);

// r1 marks every stage directory it creates with this file ({stage, kind, r1 version, created_at}); --from,
// --only and --resume none remove only marked directories (or those of older r1 versions, which hold the
// config.resolved.yaml r1 writes first), and never the run directory itself.
constexpr const char* kStageMarkFile = ".r1-stage.json";
bool made_by_r1(const std::string& dir);
// Throws InputError when `dir` exists but is not a stage directory r1 made, or is the run directory.
void require_clearable(const std::string& dir, const std::string& run_dir, const std::string& why);
// Removes a stage directory r1 made (logging it); throws InputError, touching nothing, for anything else.
void clear_stage_dir(const std::string& dir, const std::string& run_dir, const std::string& why);

// Takes the run-directory lock (rank 0; every rank fails together when it cannot) and, holding it, removes the
// temporary files interrupted writers left under `dir`.
RunDirLock lock_run_dir(const std::string& dir);

// DONE's content ({config_hash, hash_scheme, kind, finished_at, wall_s}) or null when absent or unreadable.
Json read_done(const std::string& stage_dir);

}  // namespace r1::stages
