// A pipeline stage: `explicit XStage(const XConfig&)` + run(const StageRun&). The run says which stage this is
// (its RunContext: directory, seed, device, resume), the run-wide settings, and how stage references (a name of
// an earlier stage, or a path) become paths.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "r1/config/recipe.h"
#include "r1/train/run_context.h"

namespace r1::stages {

// Turns a stage input (`init: base`, `data: cold`, or a path) into a path.
class StageRefs {
 public:
  // stage name -> its directory (for recipes); empty for single-stage runs (inputs are paths).
  explicit StageRefs(std::map<std::string, std::string> stage_dirs = {}) : dirs_(std::move(stage_dirs)) {}
  // A model: the named stage's final checkpoint dir, else the path (a checkpoint, stage or HF dir).
  std::string model(const std::string& ref) const;
  // A dataset: the named stage's data.jsonl, else the path (a stage dir means its data.jsonl).
  std::string data(const std::string& ref) const;
  bool is_stage(const std::string& ref) const { return dirs_.count(ref) > 0; }

 private:
  std::map<std::string, std::string> dirs_;
};

// One run of one stage: what to run, with which run-wide settings, as which identity, and how the runner treats
// an existing DONE.
struct StageRun {
  config::StageEntry entry;
  config::RunSettings run;       // run-wide settings (the eval set, threads, ...)
  StageRefs refs;
  train::RunContext ctx;         // identity; stage_name, stage_kind, seed, device and resolved_config follow entry
                                 // and run (see make_stage_run)
  bool ignore_done = false;      // run even if DONE exists
  bool clear = false;            // remove the stage dir first (a fresh run)
};

// A StageRun for `entry` writing to `stage_dir` under identity `hash`, with its context derived from entry and run.
StageRun make_stage_run(const config::StageEntry& entry, const config::RunSettings& run, StageRefs refs,
                        const std::string& stage_dir, const std::string& hash);

class Stage {
 public:
  virtual ~Stage() = default;
  virtual void run(const StageRun& r) = 0;
};

// The stage class of an entry's kind.
std::unique_ptr<Stage> make_stage(const config::StageEntry& entry);

}  // namespace r1::stages
