// `r1 report RUN_DIR`: the stage x eval-metric table of a run (report.md, report.json), the paired differences
// of the stages it compares (stages/comparisons.h), and SVG charts of the per-step metrics of its training stages
// and of pass@k against k (charts/).
#pragma once
#include <string>

#include "r1/io/jsonl.h"

namespace r1::stages {

// Reads RUN_DIR (recipe.resolved.yaml for the stage order and `compare`; each stage's DONE, eval.json,
// metrics.jsonl), writes report.json, report.md and charts/*.svg, and returns the Markdown report. A directory
// of `r1 run --seeds` (seed-N/ runs, no recipe.resolved.yaml of its own) gets the seeds' aggregate
// (stages/seed_study.h). InputError when RUN_DIR is neither.
std::string write_report(const std::string& run_dir);

// The report of one run directory: writes its report.json, report.md and charts, and returns report.json's
// content ("stages", "order", "seeds", "comparisons", "pass_at_k", "total_wall_s"); `markdown` (optional) gets
// the Markdown report. InputError when RUN_DIR has no recipe.resolved.yaml.
Json write_run_report(const std::string& run_dir, std::string* markdown = nullptr);

}  // namespace r1::stages
