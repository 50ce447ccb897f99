// The comparisons a report prints: for pairs of evaluated stages (the recipe's `compare`, or the R1 findings), the
// paired difference a - b in pass@1, format rate and language consistency over the eval prompts, with a 95%
// bootstrap interval (eval/paired_stats.h), pooled over one or more seeds' runs and per seed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "r1/eval/paired_stats.h"
#include "r1/io/jsonl.h"

namespace r1::stages {

struct Comparison {
  std::string a, b;  // the report shows a - b
};

// The R1 findings: [zero, base] (R1-Zero vs its base), [r1, sft], [r1, zero], [student, student-rl]
// (distillation vs RL on the small model).
const std::vector<Comparison>& default_comparisons();

// A run's comparisons from its resolved recipe: `compare` when set, else the default pairs whose two stages are
// both in `stage_names`. InputError naming `source` when `compare` is not a list of [a, b] name pairs.
std::vector<Comparison> comparisons_of(const YAML::Node& recipe, const std::vector<std::string>& stage_names,
                                       const std::string& source);

// One seed's run directory (the directory of one `r1 run`).
struct SeedRun {
  std::uint64_t seed = 0;
  std::string dir;
};

struct ComparisonResult {
  Comparison pair;
  std::string metric;                 // "pass@1" | "format_rate" | "language_consistency"
  std::string missing;                // why there is no difference ("" when there is one)
  eval::PairedDiff pooled;            // over every seed's prompts
  std::vector<std::pair<std::uint64_t, eval::PairedDiff>> per_seed;
  bool available() const { return missing.empty(); }
  // {"a", "b", "metric", "diff", "ci95": [lo, hi], "significant", "prompts", "per_seed": [{"seed", "diff",
  // "ci95"}]} (diff and ci95 null, plus "missing", when unavailable).
  Json to_json() const;
};

// Every pair x paired metric over `runs`, read from <run dir>/<stage>/eval.json's per-prompt results. A pair whose
// eval is missing in some seed (stage not finished, or an eval.json from before per-prompt results) or whose two
// stages were evaluated on different prompts is reported with `missing` set. InputError when an eval.json is not
// JSON or its per_prompt list is malformed. Deterministic: each pair and metric has its own resampling seed.
std::vector<ComparisonResult> compare_stages(const std::vector<SeedRun>& runs, const std::vector<Comparison>& pairs,
                                             const eval::BootstrapOptions& options = {});

// The report's Markdown section (a heading, what the interval is, one row per result; a per-seed column when
// there are several seeds). "" when `results` is empty.
std::string comparisons_markdown(const std::vector<ComparisonResult>& results, size_t seeds,
                                 const eval::BootstrapOptions& options = {});

}  // namespace r1::stages
