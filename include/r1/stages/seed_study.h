// `r1 run RECIPE --seeds 1,2,3`: the recipe's chain once per seed, into run_dir/seed-N/ (each run resumable and
// skippable as a plain `r1 run`), then run_dir/report.md|json aggregating them: per stage the mean and [min, max]
// of each eval figure over the seeds, per comparison the paired difference pooled over the seeds (prompts
// resampled within each seed) with its 95% interval and each seed's own difference, and the mean pass@k curves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "r1/config/recipe.h"
#include "r1/stages/comparisons.h"
#include "r1/stages/pipeline.h"

namespace r1::stages {

// "1,2,3" -> {1, 2, 3}. InputError naming --seeds when the list is empty, an item is not a non-negative integer,
// or a seed repeats.
std::vector<std::uint64_t> parse_seeds(const std::string& text);

// The directory of seed N's run: <run_dir>/seed-N.
std::string seed_run_dir(const std::string& run_dir, std::uint64_t seed);

// Runs the recipe once per seed (run.seed = N, run_dir = <run_dir>/seed-N) with run_pipeline and `opts`, then
// (rank 0) writes the aggregate report into run_dir and prints it.
void run_seed_study(const config::Recipe& recipe, const std::vector<std::uint64_t>& seeds,
                    const PipelineOptions& opts);

// The seed-N/ run directories under `run_dir` (each with a recipe.resolved.yaml), by seed; empty when none.
std::vector<SeedRun> find_seed_runs(const std::string& run_dir);

// Writes each seed's own report and run_dir/report.json, report.md and charts/pass_at_k.svg aggregating them;
// returns the Markdown. report.json: "seeds", "order", "stages" {name: {"kind", "done" (seeds finished),
// "wall_s" and "eval" {metric: {"mean", "min", "max", "n"}}}}, "comparisons" (pooled, with "per_seed"),
// "pass_at_k" {stage: {"k", "pass@k"}} (means over the seeds), "total_wall_s" {"mean", "min", "max", "n"}.
std::string write_seed_report(const std::string& run_dir, const std::vector<SeedRun>& runs);

}  // namespace r1::stages
