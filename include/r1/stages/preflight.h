// The checks a run makes before any stage's first step, in one function that `r1 validate`, `r1 run` and the
// single-stage commands all call, so they cannot disagree: the device and dtype resolve, every model a stage reads
// has a readable shape (a checkpoint path's config.json; an earlier stage's config), generation and sequence
// lengths fit the model's positions, prompts split over the ranks, the run directory is writable, and each stage's
// estimated peak memory (memory_estimate.h) fits the memory available.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "r1/config/recipe.h"
#include "r1/stages/memory_estimate.h"
#include "r1/util/memory.h"

namespace r1::stages {

struct PreflightOptions {
  int world_size = 1;                      // ranks (prompts and rollout rows are shared out)
  int local_world_size = 1;                // ranks on this machine (on a CPU they share its memory)
  std::optional<std::int64_t> memory_limit;  // --memory-limit SIZE: instead of the detected memory
  bool check_memory = true;                // --memory-limit off: estimate and print, do not refuse
  std::vector<bool> runs;                  // per stage: it will run now (memory is checked for these); empty = all
  bool stage_file = false;                 // the recipe holds one stage file's stage: its keys have no stages[i]
};

struct StagePreflight {
  std::string name, kind;
  std::int64_t params = 0;                 // of the stage's model; 0 when its shape is unknown
  MemoryEstimate memory;
  bool checked = false;                    // it runs now and its peak was compared with the budget
};

struct PreflightReport {
  std::string source;                      // the recipe or stage file, for messages
  std::vector<StagePreflight> stages;
  MemoryBudget budget;                     // what each stage's peak is compared with (per rank)
  bool memory_checked = false;
  std::vector<std::string> problems;       // "<file>: <key>: <what is wrong and the fix>"
  // The per-stage estimate as a table, with the budget under it.
  std::string table() const;
};

// Runs every check; never throws for a bad input (each becomes a problem).
PreflightReport preflight(const config::Recipe& recipe, const PreflightOptions& options);

// Throws ConfigError listing the report's problems (exit 2) when it has any.
void require_preflight(const PreflightReport& report);

// What `r1 run` and the stage commands call before any stage starts: the preflight on every rank, its table in the
// log (rank 0), and ConfigError on every rank when any rank found a problem.
void preflight_before_run(const config::Recipe& recipe, const PreflightOptions& options);

// Options for this process: the launcher's world (WORLD_SIZE, LOCAL_WORLD_SIZE) and a --memory-limit value
// ("" = detect, "off" = do not refuse, else a size).
PreflightOptions preflight_options(const std::string& memory_limit_flag);

}  // namespace r1::stages
