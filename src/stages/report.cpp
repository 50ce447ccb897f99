// Run reports: table of stage evals, paired comparisons, per-step and pass@k charts.
#include "r1/stages/report.h"

#include <cstdio>
#include <filesystem>

#include "r1/config/fields.h"
#include "r1/config/stage_registry.h"
#include "r1/io/jsonl.h"
#include "r1/stages/charts.h"
#include "r1/stages/comparisons.h"
#include "r1/stages/seed_study.h"
#include "r1/stages/stage_runner.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

namespace r1::stages {

namespace fs = std::filesystem;

namespace {
std::string cell(const Json& j, const char* key, int precision = 3) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", precision, j[key].get<double>());
  return buf;
}

// Whether a kind (as named in the resolved recipe) logs RL metrics worth charting.
bool rl_metrics(const std::string& kind) {
  auto k = config::enum_from_name<config::StageKind>(kind);
  return k && config::stage_kind_info(*k).rl_metrics;
}

// The pass@k curve of an eval.json ({"k": [...], "pass@k": [...]}), or null when it has none.
Json pass_at_k_of(const Json& eval) {
  if (!eval.is_object() || !eval.contains("pass_at_k")) return nullptr;
  const Json& c = eval["pass_at_k"];
  if (!c.is_object() || !c.contains("k") || !c.contains("pass@k") || !c["k"].is_array() || !c["pass@k"].is_array() ||
      c["k"].empty() || c["k"].size() != c["pass@k"].size())
    return nullptr;
  for (size_t i = 0; i < c["k"].size(); ++i)
    if (!c["k"][i].is_number() || !c["pass@k"][i].is_number()) return nullptr;
  return c;
}
}  // namespace

std::string write_report(const std::string& run_dir) {
  if (!fs::exists(fs::path(run_dir) / "recipe.resolved.yaml")) {
    auto seeds = find_seed_runs(run_dir);  // the directory of `r1 run --seeds`: seed-N/ runs
    if (!seeds.empty()) return write_seed_report(run_dir, seeds);
  }
  std::string md;
  write_run_report(run_dir, &md);
  return md;
}

Json write_run_report(const std::string& run_dir, std::string* markdown) {
  fs::path root(run_dir);
  fs::path recipe_file = root / "recipe.resolved.yaml";
  if (!fs::exists(recipe_file))
    throw InputError(run_dir + ": not a run directory (no recipe.resolved.yaml, and no seed-N/ runs of "
                     "`r1 run --seeds`; run `r1 run RECIPE` first)");
  YAML::Node recipe = config::load_yaml_file(recipe_file.string());
  Json report{{"run_dir", run_dir}, {"stages", Json::object()}, {"order", Json::array()},
              {"pass_at_k", Json::object()}};
  std::vector<std::string> names;
  double total = 0;
  std::string md = "| stage | kind | wall s | pass@1 | maj@k | pass@k | greedy | format | language | length |\n"
                   "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  std::vector<ChartSeriesSet> charts;
  for (const auto& s : recipe["stages"]) {
    std::string name = s["name"].as<std::string>(), kind = s["kind"].as<std::string>();
    fs::path dir = root / name;
    Json done = read_done(dir.string());
    Json eval = nullptr;
    if (fs::exists(dir / "eval.json")) eval = Json::parse(read_file(dir / "eval.json"), nullptr, false);
    if (eval.is_discarded()) eval = nullptr;
    Json entry{{"kind", kind}, {"done", !done.is_null()}};
    if (!done.is_null()) {
      entry["wall_s"] = done.value("wall_s", 0.0);
      total += done.value("wall_s", 0.0);
    }
    if (!eval.is_null()) {
      entry["eval"] = eval;
      entry["eval"].erase("per_prompt");  // per-prompt results stay in eval.json; the comparisons below use them
      Json curve = pass_at_k_of(eval);
      if (!curve.is_null()) report["pass_at_k"][name] = curve;
    }
    if (fs::exists(dir / "data_summary.json")) {
      Json summary = Json::parse(read_file(dir / "data_summary.json"), nullptr, false);
      if (!summary.is_discarded()) entry["data"] = summary;
    }
    report["stages"][name] = entry;
    report["order"].push_back(name);
    names.push_back(name);
    md += "| " + name + " | " + kind + " | " + (done.is_null() ? std::string("not done") : cell(done, "wall_s", 0)) +
          " | " + cell(eval, "pass@1") + " | " + cell(eval, "maj@k") + " | " + cell(eval, "pass@k") + " | " +
          cell(eval, "greedy_accuracy") + " | " + cell(eval, "format_rate") + " | " +
          cell(eval, "language_consistency") + " | " + cell(eval, "mean_length", 1) + " |\n";
    if (rl_metrics(kind) && fs::exists(dir / "metrics.jsonl"))
      charts.push_back(load_chart_series(name, (dir / "metrics.jsonl").string()));
  }
  report["total_wall_s"] = total;
  char tail[64];
  std::snprintf(tail, sizeof tail, "\ntotal wall time: %.0f s\n", total);
  md += tail;
  const std::uint64_t seed = recipe["seed"] ? recipe["seed"].as<std::uint64_t>() : 0;
  report["seeds"] = Json::array({seed});
  auto results = compare_stages({{seed, run_dir}}, comparisons_of(recipe, names, recipe_file.string()));
  report["comparisons"] = Json::array();
  for (const auto& r : results) report["comparisons"].push_back(r.to_json());
  md += comparisons_markdown(results, 1);
  auto chart_files = write_charts(charts, (root / "charts").string());
  std::string pass_chart = write_pass_at_k_chart(report["pass_at_k"], names, (root / "charts").string());
  if (!pass_chart.empty()) chart_files.push_back(pass_chart);
  if (!chart_files.empty()) {
    md += "\n";
    for (const auto& f : chart_files) md += "![" + f + "](charts/" + f + ")\n";
  }
  write_file_atomic(root / "report.json", report.dump(2) + "\n");
  write_file_atomic(root / "report.md", "# r1 run report: " + run_dir + "\n\n" + md);
  if (markdown) *markdown = md;
  return report;
}

}  // namespace r1::stages
