// Paired stage comparisons of one run or of several seeds' runs.
#include "r1/stages/comparisons.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "r1/eval/prompt_score.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

namespace r1::stages {

namespace fs = std::filesystem;

const std::vector<Comparison>& default_comparisons() {
  static const std::vector<Comparison> pairs = {
      {"zero", "base"}, {"r1", "sft"}, {"r1", "zero"}, {"student", "student-rl"}};
  return pairs;
}

std::vector<Comparison> comparisons_of(const YAML::Node& recipe, const std::vector<std::string>& stage_names,
                                       const std::string& source) {
  auto has = [&](const std::string& name) {
    return std::find(stage_names.begin(), stage_names.end(), name) != stage_names.end();
  };
  std::vector<Comparison> out;
  const YAML::Node compare = recipe.IsMap() ? recipe["compare"] : YAML::Node();
  if (!compare.IsDefined() || compare.IsNull()) {
    for (const auto& c : default_comparisons())
      if (has(c.a) && has(c.b)) out.push_back(c);
    return out;
  }
  if (!compare.IsSequence()) throw InputError(source + ": compare: expected a list of [a, b] stage-name pairs");
  for (size_t i = 0; i < compare.size(); ++i) {
    const YAML::Node pair = compare[i];
    if (!pair.IsSequence() || pair.size() != 2 || !pair[0].IsScalar() || !pair[1].IsScalar())
      throw InputError(source + ": compare[" + std::to_string(i) + "]: expected a pair [a, b] of stage names");
    out.push_back({pair[0].Scalar(), pair[1].Scalar()});
  }
  return out;
}

Json ComparisonResult::to_json() const {
  Json j{{"a", pair.a}, {"b", pair.b}, {"metric", metric}};
  if (!available()) {
    j["diff"] = nullptr;
    j["ci95"] = nullptr;
    j["per_seed"] = Json::array();
    j["missing"] = missing;
    return j;
  }
  j["diff"] = pooled.diff;
  j["ci95"] = {pooled.lo, pooled.hi};
  j["significant"] = pooled.significant();
  j["prompts"] = pooled.prompts;
  Json seeds = Json::array();
  for (const auto& [seed, d] : per_seed)
    seeds.push_back(Json{{"seed", seed}, {"diff", d.diff}, {"ci95", {d.lo, d.hi}}, {"prompts", d.prompts}});
  j["per_seed"] = std::move(seeds);
  return j;
}

namespace {

// The per-prompt scores of each stage's eval.json in each run, read once.
class ScoreCache {
 public:
  // The scores of `stage` in `run`; sets `missing` (and returns null) when there are none.
  const std::vector<eval::PromptScore>* get(const SeedRun& run, const std::string& stage, std::string& missing) {
    const fs::path path = fs::path(run.dir) / stage / "eval.json";
    auto it = cache_.find(path.string());
    if (it == cache_.end()) it = cache_.emplace(path.string(), load(path)).first;
    if (!it->second.empty()) return &it->second;
    missing = fs::exists(path) ? path.string() + " has no per-prompt results (written by an r1 before them; re-run "
                                                 "the stage to get them)"
                               : "no " + path.string() + " (stage not finished or not evaluated)";
    return nullptr;
  }

 private:
  static std::vector<eval::PromptScore> load(const fs::path& path) {
    if (!fs::exists(path)) return {};
    Json j = Json::parse(read_file(path), nullptr, false);
    if (j.is_discarded()) throw InputError(path.string() + ": not valid JSON");
    return eval::prompt_scores_from_json(j, path.string());
  }
  std::map<std::string, std::vector<eval::PromptScore>> cache_;
};

bool same_prompts(const std::vector<eval::PromptScore>& a, const std::vector<eval::PromptScore>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].id != b[i].id) return false;
  return true;
}

ComparisonResult compare_one(const std::vector<SeedRun>& runs, const Comparison& pair, const std::string& metric,
                             ScoreCache& cache, eval::BootstrapOptions options) {
  ComparisonResult r{pair, metric, "", {}, {}};
  std::vector<eval::PairedScores> seeds;
  for (const auto& run : runs) {
    const auto* a = cache.get(run, pair.a, r.missing);
    const auto* b = a ? cache.get(run, pair.b, r.missing) : nullptr;
    if (!a || !b) return r;
    if (!same_prompts(*a, *b)) {
      r.missing = "stages " + quote(pair.a) + " and " + quote(pair.b) + " were evaluated on different prompts in " +
                  run.dir;
      return r;
    }
    eval::PairedScores p;
    for (size_t i = 0; i < a->size(); ++i) {
      p.a.push_back(eval::prompt_metric((*a)[i], metric));
      p.b.push_back(eval::prompt_metric((*b)[i], metric));
    }
    seeds.push_back(std::move(p));
  }
  if (seeds.empty()) {
    r.missing = "no runs";
    return r;
  }
  // Each pair and metric resamples from its own stream, whatever else the report compares.
  options.seed = derive_seed(options.seed, pair.a + "\n" + pair.b + "\n" + metric);
  r.pooled = eval::paired_bootstrap(seeds, options);
  for (size_t s = 0; s < seeds.size(); ++s) r.per_seed.emplace_back(runs[s].seed, eval::paired_bootstrap({seeds[s]}, options));
  return r;
}

std::string signed_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.3f", v);
  return buf;
}

std::string interval(const eval::PairedDiff& d) {
  return "[" + signed_number(d.lo) + ", " + signed_number(d.hi) + "]";
}

}  // namespace

std::vector<ComparisonResult> compare_stages(const std::vector<SeedRun>& runs, const std::vector<Comparison>& pairs,
                                             const eval::BootstrapOptions& options) {
  ScoreCache cache;
  std::vector<ComparisonResult> out;
  for (const auto& pair : pairs)
    for (const auto& metric : eval::paired_metrics()) out.push_back(compare_one(runs, pair, metric, cache, options));
  return out;
}

std::string comparisons_markdown(const std::vector<ComparisonResult>& results, size_t seeds,
                                 const eval::BootstrapOptions& options) {
  if (results.empty()) return "";
  const bool several = seeds > 1;
  char level[16];
  std::snprintf(level, sizeof level, "%g%%", options.level * 100);
  std::string md = "\n## Paired differences (a - b)\n\nSame eval prompts for both stages; " + std::string(level) +
                   " interval: paired percentile bootstrap over prompts (" + std::to_string(options.resamples) +
                   " resamples, fixed seed" + (several ? ", prompts resampled within each seed; diff pooled over " +
                                                             std::to_string(seeds) + " seeds"
                                                       : std::string()) +
                   "). \"not significant\": the interval includes 0.\n\n";
  md += several ? "| a - b | metric | diff | 95% interval | | per seed |\n|---|---|---:|---|---|---|\n"
                : "| a - b | metric | diff | 95% interval | |\n|---|---|---:|---|---|\n";
  for (const auto& r : results) {
    md += "| " + r.pair.a + " - " + r.pair.b + " | " + r.metric + " | ";
    if (!r.available()) {
      md += "- | - | " + r.missing + (several ? " | |\n" : " |\n");
      continue;
    }
    md += signed_number(r.pooled.diff) + " | " + interval(r.pooled) + " | " +
          (r.pooled.significant() ? "significant" : "not significant");
    if (several) {
      std::vector<std::string> each;
      for (const auto& [seed, d] : r.per_seed) each.push_back(std::to_string(seed) + ": " + signed_number(d.diff));
      md += " | " + join(each, ", ");
    }
    md += " |\n";
  }
  return md;
}

}  // namespace r1::stages
