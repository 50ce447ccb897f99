// Seed studies: one chain per seed and the report that aggregates them.
#include "r1/stages/seed_study.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>

#include "r1/config/fields.h"
#include "r1/stages/charts.h"
#include "r1/stages/report.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/strings.h"

namespace r1::stages {

namespace fs = std::filesystem;

namespace {

// The eval.json figures the aggregate table shows, in its column order, with their precision.
const std::vector<std::pair<std::string, int>> kEvalFigures = {
    {"pass@1", 3}, {"maj@k", 3}, {"pass@k", 3}, {"greedy_accuracy", 3},
    {"format_rate", 3}, {"language_consistency", 3}, {"mean_length", 1}};

// "42" -> 42; false when `text` is not a non-negative integer that fits in 64 bits.
bool parse_seed(const std::string& text, std::uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  try {
    size_t used = 0;
    out = std::stoull(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

// {"mean", "min", "max", "n"} of `values` (null figures when there are none).
Json stats_of(const std::vector<double>& values) {
  if (values.empty()) return Json{{"mean", nullptr}, {"min", nullptr}, {"max", nullptr}, {"n", 0}};
  double sum = 0;
  for (double v : values) sum += v;
  return Json{{"mean", sum / static_cast<double>(values.size())},
              {"min", *std::min_element(values.begin(), values.end())},
              {"max", *std::max_element(values.begin(), values.end())},
              {"n", values.size()}};
}

// "0.445 [0.430, 0.460]" ("-" without values; the mean alone for one value).
std::string stats_cell(const Json& stats, int precision) {
  if (!stats.is_object() || !stats["mean"].is_number()) return "-";
  char buf[96];
  if (stats["n"].get<int>() == 1) {
    std::snprintf(buf, sizeof buf, "%.*f", precision, stats["mean"].get<double>());
  } else {
    std::snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", precision, stats["mean"].get<double>(), precision,
                  stats["min"].get<double>(), precision, stats["max"].get<double>());
  }
  return buf;
}

// The stage order of the seeds' reports: the first report's, then any stage only a later one has.
std::vector<std::string> stage_order(const std::vector<Json>& reports) {
  std::vector<std::string> order;
  for (const auto& r : reports)
    for (const auto& name : r["order"]) {
      const std::string s = name.get<std::string>();
      if (std::find(order.begin(), order.end(), s) == order.end()) order.push_back(s);
    }
  return order;
}

// One stage's aggregate over the seeds' reports.
Json aggregate_stage(const std::string& name, const std::vector<Json>& reports) {
  Json out{{"kind", nullptr}, {"done", 0}, {"eval", Json::object()}};
  std::vector<double> wall;
  std::map<std::string, std::vector<double>> figures;
  for (const auto& r : reports) {
    if (!r["stages"].contains(name)) continue;
    const Json& s = r["stages"][name];
    if (out["kind"].is_null()) out["kind"] = s.value("kind", "");
    if (s.value("done", false)) {
      out["done"] = out["done"].get<int>() + 1;
      wall.push_back(s.value("wall_s", 0.0));
    }
    if (!s.contains("eval")) continue;
    for (const auto& [figure, precision] : kEvalFigures)
      if (s["eval"].contains(figure) && s["eval"][figure].is_number())
        figures[figure].push_back(s["eval"][figure].get<double>());
  }
  out["wall_s"] = stats_of(wall);
  for (const auto& [figure, precision] : kEvalFigures)
    if (figures.count(figure)) out["eval"][figure] = stats_of(figures[figure]);
  return out;
}

// The mean pass@k curve of a stage over the seeds whose curve has the same k values as the first one found.
Json mean_curve(const std::string& name, const std::vector<Json>& reports) {
  Json ks = nullptr;
  std::vector<double> sum;
  int n = 0;
  for (const auto& r : reports) {
    if (!r["pass_at_k"].contains(name)) continue;
    const Json& c = r["pass_at_k"][name];
    if (ks.is_null()) {
      ks = c["k"];
      sum.assign(ks.size(), 0.0);
    }
    if (c["k"] != ks) continue;
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += c["pass@k"][i].get<double>();
    ++n;
  }
  if (n == 0) return nullptr;
  for (auto& v : sum) v /= n;
  return Json{{"k", ks}, {"pass@k", sum}, {"seeds", n}};
}

std::string table_markdown(const std::vector<std::string>& order, const Json& stages) {
  std::string md = "| stage | kind | seeds done | wall s | pass@1 | maj@k | pass@k | greedy | format | language | "
                   "length |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& name : order) {
    const Json& s = stages[name];
    md += "| " + name + " | " + s["kind"].get<std::string>() + " | " + std::to_string(s["done"].get<int>()) + " | " +
          stats_cell(s["wall_s"], 0);
    for (const auto& [figure, precision] : kEvalFigures)
      md += " | " + (s["eval"].contains(figure) ? stats_cell(s["eval"][figure], precision) : std::string("-"));
    md += " |\n";
  }
  return md;
}

}  // namespace

std::vector<std::uint64_t> parse_seeds(const std::string& text) {
  const std::string expected = "--seeds: expected a comma-separated list of distinct non-negative integers "
                               "(e.g. 1,2,3), got " + quote(text);
  if (trim(text).empty()) throw InputError(expected);
  std::vector<std::uint64_t> seeds;
  for (const auto& part : split(text, ',')) {
    const std::string item = trim(part);
    std::uint64_t seed = 0;
    if (!parse_seed(item, seed)) throw InputError(expected + " (" + quote(item) + " is not one)");
    if (std::find(seeds.begin(), seeds.end(), seed) != seeds.end())
      throw InputError(expected + " (seed " + item + " appears twice)");
    seeds.push_back(seed);
  }
  return seeds;
}

std::string seed_run_dir(const std::string& run_dir, std::uint64_t seed) {
  return (fs::path(run_dir) / ("seed-" + std::to_string(seed))).string();
}

void run_seed_study(const config::Recipe& recipe, const std::vector<std::uint64_t>& seeds,
                    const PipelineOptions& opts) {
  auto log = logger();
  std::vector<SeedRun> runs;
  for (size_t i = 0; i < seeds.size(); ++i) {
    config::Recipe one = recipe;
    one.run.seed = seeds[i];
    one.run.run_dir = seed_run_dir(recipe.run.run_dir, seeds[i]);
    log->info("##### seed {} ({}/{}) -> {} #####", seeds[i], i + 1, seeds.size(), one.run.run_dir);
    run_pipeline(one, opts);
    runs.push_back({seeds[i], one.run.run_dir});
  }
  if (opts.rank == 0) {
    std::string md = write_seed_report(recipe.run.run_dir, runs);
    std::printf("\n%s\n", md.c_str());
    std::fflush(stdout);
  }
}

std::vector<SeedRun> find_seed_runs(const std::string& run_dir) {
  std::vector<SeedRun> runs;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return runs;
  for (const auto& entry : fs::directory_iterator(run_dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::uint64_t seed = 0;
    if (!starts_with(name, "seed-") || !parse_seed(name.substr(5), seed) || name != "seed-" + std::to_string(seed))
      continue;
    if (fs::exists(entry.path() / "recipe.resolved.yaml")) runs.push_back({seed, entry.path().string()});
  }
  std::sort(runs.begin(), runs.end(), [](const SeedRun& a, const SeedRun& b) { return a.seed < b.seed; });
  return runs;
}

std::string write_seed_report(const std::string& run_dir, const std::vector<SeedRun>& runs) {
  if (runs.empty()) throw InputError(run_dir + ": no seed-N/ runs to aggregate");
  std::vector<Json> reports;
  for (const auto& run : runs) reports.push_back(write_run_report(run.dir));
  const std::vector<std::string> order = stage_order(reports);
  Json report{{"run_dir", run_dir}, {"seeds", Json::array()}, {"order", order}, {"stages", Json::object()},
              {"pass_at_k", Json::object()}};
  std::vector<double> totals;
  for (size_t i = 0; i < runs.size(); ++i) {
    report["seeds"].push_back(runs[i].seed);
    totals.push_back(reports[i].value("total_wall_s", 0.0));
  }
  report["total_wall_s"] = stats_of(totals);
  for (const auto& name : order) {
    report["stages"][name] = aggregate_stage(name, reports);
    Json curve = mean_curve(name, reports);
    if (!curve.is_null()) report["pass_at_k"][name] = curve;
  }
  const fs::path recipe_file = fs::path(runs[0].dir) / "recipe.resolved.yaml";
  const auto pairs = comparisons_of(config::load_yaml_file(recipe_file.string()), order, recipe_file.string());
  const auto results = compare_stages(runs, pairs);
  report["comparisons"] = Json::array();
  for (const auto& r : results) report["comparisons"].push_back(r.to_json());

  std::vector<std::string> seed_names;
  for (const auto& run : runs) seed_names.push_back(std::to_string(run.seed));
  std::string md = "Seeds " + join(seed_names, ", ") + ": mean [min, max] over the seeds.\n\n" +
                   table_markdown(order, report["stages"]) + "\ntotal wall time per seed: " +
                   stats_cell(report["total_wall_s"], 0) + " s\n" + comparisons_markdown(results, runs.size());
  const std::string chart = write_pass_at_k_chart(report["pass_at_k"], order, (fs::path(run_dir) / "charts").string());
  if (!chart.empty()) md += "\nMean over the seeds:\n![" + chart + "](charts/" + chart + ")\n";
  md += "\nEach seed's own report: ";
  for (size_t i = 0; i < runs.size(); ++i)
    md += std::string(i ? ", " : "") + "seed-" + seed_names[i] + "/report.md";
  md += "\n";
  write_file_atomic(fs::path(run_dir) / "report.json", report.dump(2) + "\n");
  write_file_atomic(fs::path(run_dir) / "report.md", "# r1 seed study: " + run_dir + "\n\n" + md);
  return md;
}

}  // namespace r1::stages
