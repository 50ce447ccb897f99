// `r1 report` on hand-made run directories (no model): the paired comparisons of one run (default R1 pairs, or the
// recipe's `compare`), "not significant" for an interval holding 0, the pass@k chart on a log2 axis, the seed
// study's aggregate (mean / min / max per stage, pooled differences with each seed's own), and --seeds parsing.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/io/jsonl.h"
#include "r1/stages/charts.h"
#include "r1/stages/report.h"
#include "r1/stages/seed_study.h"
#include "r1/util/error.h"

using namespace r1;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A stage's eval.json: per prompt i, correct[i] of 4 samples (all formatted, language 1 or 0.5 when `mixed`).
Json eval_json(const std::vector<int>& correct, bool mixed) {
  Json per = Json::array();
  double pass1 = 0;
  for (size_t i = 0; i < correct.size(); ++i) {
    per.push_back(Json{{"id", "p" + std::to_string(i)}, {"n", 4}, {"correct", correct[i]}, {"formatted", 4},
                       {"language", mixed ? 0.5 : 1.0}});
    pass1 += correct[i] / 4.0;
  }
  pass1 /= static_cast<double>(correct.size());
  return Json{{"pass@1", pass1}, {"format_rate", 1.0}, {"language_consistency", mixed ? 0.5 : 1.0},
              {"per_prompt", per}, {"pass_at_k", Json{{"k", {1, 2, 4}}, {"pass@k", {pass1, pass1 + 0.1, pass1 + 0.2}}}}};
}

// A finished run: base / zero / cold / sft, with the given per-prompt correct counts for the model stages.
void write_run(const fs::path& dir, std::uint64_t seed, const std::vector<int>& base, const std::vector<int>& zero,
               const std::vector<int>& sft, const std::string& compare = "") {
  write_text(dir / "recipe.resolved.yaml",
             "seed: " + std::to_string(seed) + "\n" + compare +
                 "stages:\n  - {name: base, kind: pretrain}\n  - {name: zero, kind: train-zero}\n"
                 "  - {name: cold, kind: cold-start}\n  - {name: sft, kind: sft}\n");
  const std::vector<std::pair<std::string, const std::vector<int>*>> models = {
      {"base", &base}, {"zero", &zero}, {"sft", &sft}};
  for (const auto& [name, correct] : models) {
    write_text(dir / name / "DONE", Json{{"wall_s", 10.0 + static_cast<double>(seed)}}.dump());
    write_text(dir / name / "eval.json", eval_json(*correct, name == "zero").dump());
  }
  write_text(dir / "cold" / "DONE", Json{{"wall_s", 1.0}}.dump());
}

std::vector<int> counts(int n, int offset, int cap = 4) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(std::min(cap, i % 3 + offset));
  return out;
}

const Json* find_comparison(const Json& report, const std::string& a, const std::string& b, const std::string& metric) {
  for (const auto& c : report["comparisons"])
    if (c["a"] == a && c["b"] == b && c["metric"] == metric) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("report: paired differences of the default R1 pairs the run has, pass@k chart", "[stages]") {
  const fs::path dir = test::temp_dir("report_single");
  // zero solves 2 more samples of 4 than base on every prompt: +0.5, an interval of zero width.
  write_run(dir, 5, counts(30, 0), counts(30, 2), counts(30, 0));
  const std::string md = stages::write_report(dir.string());
  const Json report = Json::parse(test::file_bytes((dir / "report.json").string()));
  CHECK(report["seeds"] == Json::array({5}));
  // Of the four default pairs only [zero, base] has both stages here; three metrics each.
  REQUIRE(report["comparisons"].size() == 3);
  const Json* c = find_comparison(report, "zero", "base", "pass@1");
  REQUIRE(c);
  CHECK((*c)["diff"].get<double>() == Approx(0.5));
  CHECK((*c)["ci95"][0].get<double>() == Approx(0.5));
  CHECK((*c)["ci95"][1].get<double>() == Approx(0.5));
  CHECK((*c)["significant"] == true);
  REQUIRE((*c)["per_seed"].size() == 1);
  CHECK((*c)["per_seed"][0]["seed"] == 5);
  CHECK((*c)["per_seed"][0]["diff"].get<double>() == Approx(0.5));
  const Json* lang = find_comparison(report, "zero", "base", "language_consistency");
  REQUIRE(lang);
  CHECK((*lang)["diff"].get<double>() == Approx(-0.5));
  const Json* format = find_comparison(report, "zero", "base", "format_rate");
  REQUIRE(format);
  CHECK((*format)["diff"].get<double>() == 0.0);
  CHECK((*format)["significant"] == false);
  CHECK(md.find("| zero - base | pass@1 | +0.500 | [+0.500, +0.500] | significant |") != std::string::npos);
  CHECK(md.find("| zero - base | format_rate | +0.000 | [+0.000, +0.000] | not significant |") != std::string::npos);
  // report.json's stages keep the eval figures, not the per-prompt lists.
  CHECK(report["stages"]["zero"]["eval"].contains("pass@1"));
  CHECK_FALSE(report["stages"]["zero"]["eval"].contains("per_prompt"));
  // pass@k per stage, and its chart beside the per-step ones.
  CHECK(report["pass_at_k"]["sft"]["k"] == Json::array({1, 2, 4}));
  CHECK_FALSE(report["pass_at_k"].contains("cold"));
  CHECK(fs::exists(dir / "charts" / "pass_at_k.svg"));
  CHECK(md.find("![pass_at_k.svg](charts/pass_at_k.svg)") != std::string::npos);
}

TEST_CASE("report: the recipe's compare pairs, a stage without eval.json is named, not fatal", "[stages]") {
  const fs::path dir = test::temp_dir("report_compare");
  write_run(dir, 3, counts(12, 0), counts(12, 1), counts(12, 0), "compare: [[sft, base], [cold, base]]\n");
  const std::string md = stages::write_report(dir.string());
  const Json report = Json::parse(test::file_bytes((dir / "report.json").string()));
  REQUIRE(report["comparisons"].size() == 6);
  const Json* same = find_comparison(report, "sft", "base", "pass@1");
  REQUIRE(same);
  CHECK((*same)["diff"] == 0.0);
  CHECK((*same)["ci95"] == Json::array({0.0, 0.0}));
  CHECK(md.find("| sft - base | pass@1 | +0.000 | [+0.000, +0.000] | not significant |") != std::string::npos);
  const Json* none = find_comparison(report, "cold", "base", "pass@1");
  REQUIRE(none);
  CHECK((*none)["diff"].is_null());
  CHECK((*none)["missing"].get<std::string>().find("cold/eval.json") != std::string::npos);
  CHECK_FALSE(find_comparison(report, "zero", "base", "pass@1"));  // compare replaces the defaults
}

TEST_CASE("report: a corrupt per_prompt list or eval.json is an input error naming the file", "[stages]") {
  const fs::path dir = test::temp_dir("report_bad");
  write_run(dir, 3, counts(6, 0), counts(6, 1), counts(6, 0));
  write_text(dir / "zero" / "eval.json", R"({"pass@1": 0.5, "per_prompt": [{"id": "p0", "n": 4, "correct": 9}]})");
  try {
    stages::write_report(dir.string());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("zero/eval.json: per_prompt[0].correct: expected an integer in [0, 4], got 9") !=
          std::string::npos);
  }
  CHECK_THROWS_AS(stages::write_report((dir / "nothing-here").string()), InputError);
}

TEST_CASE("seed study report: mean [min, max] per stage, pooled differences with each seed's", "[stages]") {
  const fs::path root = test::temp_dir("report_seeds");
  // Seed 1: zero - base = +0.5 on every prompt; seed 2: +0.25 on every prompt. Pooled (equal prompts): +0.375.
  write_run(root / "seed-1", 1, counts(20, 0), counts(20, 2, 6), counts(20, 0));
  write_run(root / "seed-2", 2, counts(20, 1), counts(20, 2), counts(20, 0));
  write_text(root / "seed-x" / "recipe.resolved.yaml", "not: a seed dir\n");
  const auto runs = stages::find_seed_runs(root.string());
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].seed == 1);
  CHECK(runs[1].seed == 2);
  const std::string md = stages::write_report(root.string());  // the directory of `r1 run --seeds`
  const Json report = Json::parse(test::file_bytes((root / "report.json").string()));
  CHECK(report["seeds"] == Json::array({1, 2}));
  const Json& base = report["stages"]["base"];
  CHECK(base["kind"] == "pretrain");
  CHECK(base["done"] == 2);
  const auto pass1 = [](const std::vector<int>& c) {
    double s = 0;
    for (int v : c) s += v / 4.0;
    return s / static_cast<double>(c.size());
  };
  CHECK(base["eval"]["pass@1"]["min"].get<double>() == Approx(pass1(counts(20, 0))));
  CHECK(base["eval"]["pass@1"]["max"].get<double>() == Approx(pass1(counts(20, 1))));
  CHECK(base["eval"]["pass@1"]["mean"].get<double>() == Approx((pass1(counts(20, 0)) + pass1(counts(20, 1))) / 2));
  CHECK(base["wall_s"]["mean"].get<double>() == Approx(11.5));
  CHECK(report["stages"]["cold"]["eval"].empty());
  const Json* c = find_comparison(report, "zero", "base", "pass@1");
  REQUIRE(c);
  CHECK((*c)["diff"].get<double>() == Approx(0.375));
  CHECK((*c)["ci95"][0].get<double>() == Approx(0.375));
  CHECK((*c)["ci95"][1].get<double>() == Approx(0.375));
  REQUIRE((*c)["per_seed"].size() == 2);
  CHECK((*c)["per_seed"][0]["seed"] == 1);
  CHECK((*c)["per_seed"][0]["diff"].get<double>() == Approx(0.5));
  CHECK((*c)["per_seed"][1]["diff"].get<double>() == Approx(0.25));
  CHECK(report["pass_at_k"]["zero"]["k"] == Json::array({1, 2, 4}));
  CHECK(report["pass_at_k"]["zero"]["seeds"] == 2);
  CHECK(report["total_wall_s"]["n"] == 2);
  CHECK(md.find("| base | pretrain | 2 |") != std::string::npos);
  CHECK(md.find("| zero - base | pass@1 | +0.375 | [+0.375, +0.375] | significant | 1: +0.500, 2: +0.250 |") !=
        std::string::npos);
  CHECK(fs::exists(root / "report.md"));
  CHECK(fs::exists(root / "charts" / "pass_at_k.svg"));
  CHECK(fs::exists(root / "seed-1" / "report.json"));  // each seed's own report too
}

TEST_CASE("r1 run --seeds: a list of distinct non-negative integers", "[stages]") {
  CHECK(stages::parse_seeds("1,2,3") == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(stages::parse_seeds(" 7 , 0") == std::vector<std::uint64_t>{7, 0});
  CHECK(stages::parse_seeds("18446744073709551615") == std::vector<std::uint64_t>{18446744073709551615ull});
  for (const char* bad : {"", "1,,2", "1,x", "-1", "1.5", "2,2", "18446744073709551616", "1;2"}) {
    INFO(bad);
    try {
      stages::parse_seeds(bad);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()).rfind("--seeds: expected a comma-separated list of distinct non-negative integers",
                                        0) == 0);
    }
  }
  CHECK(stages::seed_run_dir("runs/x", 3) == "runs/x/seed-3");
}

TEST_CASE("charts: pass@k on a log2 axis puts k = 2 halfway between 1 and 4", "[stages]") {
  stages::ChartAxes axes;
  axes.x_label = "k";
  axes.log2_x = true;
  axes.markers = true;
  const std::string svg = stages::svg_line_chart("pass@k", {{"zero", {{1, 0.5}, {2, 0.6}, {4, 0.7}, {32, 0.9}}}}, axes);
  CHECK(svg.find("k (log2 scale)") != std::string::npos);
  for (const char* tick : {">1<", ">2<", ">4<", ">32<"}) CHECK(svg.find(tick) != std::string::npos);
  // The circles' x positions: log2 spacing (1 -> 2 is the same distance as 2 -> 4, and a fifth of 1 -> 32).
  std::vector<double> xs;
  for (size_t at = svg.find("<circle cx=\""); at != std::string::npos; at = svg.find("<circle cx=\"", at + 1))
    xs.push_back(std::stod(svg.substr(at + 12)));
  REQUIRE(xs.size() == 4);
  CHECK(xs[1] - xs[0] == Approx(xs[2] - xs[1]).margin(0.15));
  CHECK(xs[3] - xs[0] == Approx(5 * (xs[1] - xs[0])).margin(0.3));
  // The per-step charts keep their linear "step" axis.
  const std::string steps = stages::svg_line_chart("reward", {{"zero", {{1, 0.1}, {60, 0.9}}}});
  CHECK(steps.find("step 1") != std::string::npos);
  CHECK(steps.find("log2") == std::string::npos);
}
