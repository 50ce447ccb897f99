// `r1 report RUN_DIR`: the stage x eval-metric table of a run (report.md, report.json) and SVG charts of the
// per-step metrics of its training stages (charts/).
#pragma once
#include <string>

namespace r1::stages {

// Reads RUN_DIR (recipe.resolved.yaml for the stage order; each stage's DONE, eval.json, metrics.jsonl),
// writes report.json, report.md and charts/*.svg, and returns the Markdown table.
// InputError when RUN_DIR is not a run directory.
std::string write_report(const std::string& run_dir);

}  // namespace r1::stages
