// The built binary on a two-stage micro recipe (base -> zero): `r1 run --seeds` runs the chain per seed into
// seed-N/ and writes the aggregate report (stages' mean / min / max, the pooled zero - base difference with each
// seed's own); a re-run skips everything and reproduces the report; `r1 report` on the study and on one seed; eval.json
// holds per-prompt results and the pass@k curve; `r1 eval --k`; bad --seeds, --k and eval.k exit 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "../support/test_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using r1::test::file_bytes;

const char* kRecipe = R"(run_dir: runs/seeds-micro
seed: 7
threads: 1
eval:
  prompts: {task: arithmetic, levels: [1], n: 8, split: eval, template: chat}
  samples: 2
  batch_prompts: 8
  greedy: false
  sampling: {temperature: 0.6, top_p: 0.95, max_new_tokens: 16, stop: ["</answer>"]}
stages:
  - name: base
    kind: pretrain
    model: configs/models/micro.yaml
    tokenizer: {vocab_size: 400}
    corpus: {n_docs: 400, levels: [1], template: chat}
    optim: {lr: 3.0e-3, warmup_steps: 2}
    steps: 4
    batch_size: 8
    seq_len: 64
  - name: zero
    kind: train-zero
    init: base
    prompts: {task: arithmetic, levels: [1], n: 16, template: chat}
    sampling: {max_new_tokens: 16}
    grpo: {group_size: 4, prompts_per_step: 2}
    steps: 3
    optim: {lr: 1.0e-2}
    rewards: [{name: format, weight: 1.0, mode: soft}, {name: language, weight: 1.0}]
)";

std::string write_recipe(const std::string& dir, const std::string& text) {
  const std::string path = dir + "/recipe.yaml";
  std::ofstream(path) << text;
  return path;
}

const json* find_comparison(const json& report, const std::string& metric) {
  for (const auto& c : report["comparisons"])
    if (c["a"] == "zero" && c["b"] == "base" && c["metric"] == metric) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("r1 run --seeds: one chain per seed, the aggregate report, skip on re-run, r1 report", "[cli]") {
  const std::string dir = r1::test::temp_dir("seeds_cli");
  const std::string recipe = write_recipe(dir, kRecipe);
  const std::string root = dir + "/study";
  const std::string cmd = "run '" + recipe + "' --seeds 1,2 --set run_dir=" + root;
  auto first = r1::test::run_r1_in_source(cmd);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("Paired differences") != std::string::npos);

  // Each seed is a whole run of its own, with its seed.
  for (const char* seed : {"1", "2"}) {
    const std::string run = root + "/seed-" + seed;
    INFO(run);
    CHECK(fs::exists(run + "/base/DONE"));
    CHECK(fs::exists(run + "/zero/DONE"));
    CHECK(fs::exists(run + "/report.json"));
    CHECK(file_bytes(run + "/recipe.resolved.yaml").find(std::string("seed: ") + seed + "\n") != std::string::npos);
    const auto eval = json::parse(file_bytes(run + "/zero/eval.json"));
    REQUIRE(eval["per_prompt"].size() == 8);
    CHECK(eval["per_prompt"][0]["n"] == 2);
    CHECK(eval["pass_at_k"]["k"] == json::array({1, 2}));
    CHECK(eval["pass_at_k"]["pass@k"][0].get<double>() == Approx(eval["pass@1"].get<double>()));
    CHECK(eval["pass_at_k"]["pass@k"][1].get<double>() == Approx(eval["pass@k"].get<double>()));
  }
  CHECK(json::parse(file_bytes(root + "/seed-1/base/DONE"))["config_hash"] !=
        json::parse(file_bytes(root + "/seed-2/base/DONE"))["config_hash"]);

  // The aggregate.
  const auto report = json::parse(file_bytes(root + "/report.json"));
  CHECK(report["seeds"] == json::array({1, 2}));
  CHECK(report["order"] == json::array({"base", "zero"}));
  for (const char* stage : {"base", "zero"}) {
    INFO(stage);
    const auto& p1 = report["stages"][stage]["eval"]["pass@1"];
    CHECK(p1["n"] == 2);
    CHECK(p1["min"].get<double>() <= p1["mean"].get<double>());
    CHECK(p1["mean"].get<double>() <= p1["max"].get<double>());
    CHECK(report["pass_at_k"][stage]["k"] == json::array({1, 2}));
  }
  REQUIRE(report["comparisons"].size() == 3);  // [zero, base] x pass@1, format, language
  const json* c = find_comparison(report, "pass@1");
  REQUIRE(c);
  REQUIRE((*c)["per_seed"].size() == 2);
  CHECK((*c)["per_seed"][0]["seed"] == 1);
  CHECK((*c)["per_seed"][1]["seed"] == 2);
  CHECK((*c)["prompts"] == 16);
  // Equal prompt counts: the pooled difference is the mean of the seeds' differences (the language reward moves
  // zero's language consistency away from base's, differently in each seed).
  const json* lang = find_comparison(report, "language_consistency");
  REQUIRE(lang);
  REQUIRE((*lang)["per_seed"].size() == 2);
  const double d1 = (*lang)["per_seed"][0]["diff"].get<double>(), d2 = (*lang)["per_seed"][1]["diff"].get<double>();
  CHECK(d1 != d2);
  CHECK((*lang)["diff"].get<double>() == Approx((d1 + d2) / 2));
  CHECK((*lang)["ci95"][0].get<double>() < (*lang)["diff"].get<double>());
  CHECK((*lang)["diff"].get<double>() < (*lang)["ci95"][1].get<double>());
  CHECK(file_bytes(root + "/report.md").find("| zero - base | pass@1 |") != std::string::npos);
  CHECK(fs::exists(root + "/charts/pass_at_k.svg"));

  // A re-run skips every stage of every seed and reproduces the report (the bootstrap is seeded).
  const auto done = file_bytes(root + "/seed-2/zero/DONE");
  auto again = r1::test::run_r1_in_source(cmd);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(file_bytes(root + "/seed-2/zero/DONE") == done);
  const auto report2 = json::parse(file_bytes(root + "/report.json"));
  CHECK(report2["comparisons"] == report["comparisons"]);
  CHECK(report2["stages"] == report["stages"]);

  // r1 report on the study aggregates; on one seed's run it reports that run with one per_seed entry.
  fs::remove(root + "/report.json");
  auto rep = r1::test::run_r1("report '" + root + "'");
  INFO(rep.output);
  REQUIRE(rep.exit_code == 0);
  CHECK(rep.output.find("| zero - base | pass@1 |") != std::string::npos);
  CHECK(json::parse(file_bytes(root + "/report.json"))["comparisons"] == report["comparisons"]);
  auto one = r1::test::run_r1("report '" + root + "/seed-1'");
  REQUIRE(one.exit_code == 0);
  const auto single = json::parse(file_bytes(root + "/seed-1/report.json"));
  CHECK(single["seeds"] == json::array({1}));
  const json* s = find_comparison(single, "language_consistency");
  REQUIRE(s);
  REQUIRE((*s)["per_seed"].size() == 1);
  CHECK((*s)["diff"].get<double>() == Approx(d1));
  CHECK((*s)["ci95"] == (*lang)["per_seed"][0]["ci95"]);  // one seed's own interval, the same in both reports

  // r1 eval --k: the curve for those k; k above --samples is refused before any model is loaded.
  auto ev = r1::test::run_r1("eval --model '" + root + "/seed-1/zero/final' --task arithmetic --levels 1 --n 4 "
                             "--samples 4 --k 1,2,4 --template chat --no-greedy --threads 1 --max-new-tokens 12");
  INFO(ev.output);
  REQUIRE(ev.exit_code == 0);
  const auto ej = json::parse(ev.output.substr(ev.output.find("{\n")));
  CHECK(ej["pass_at_k"]["k"] == json::array({1, 2, 4}));
  CHECK(ej["per_prompt"].size() == 4);
}

TEST_CASE("bad --seeds, --k and eval.k values exit 2 naming the option or key", "[cli]") {
  const std::string dir = r1::test::temp_dir("seeds_bad");
  const std::string recipe = write_recipe(dir, kRecipe);
  for (const char* bad : {"1,x", "2,2", "''", "-1"}) {
    INFO(bad);
    auto r = r1::test::run_r1_in_source("run '" + recipe + "' --seeds " + bad + " --set run_dir=" + dir + "/out");
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("--seeds") != std::string::npos);
    CHECK_FALSE(fs::exists(dir + "/out"));
  }
  auto k = r1::test::run_r1("eval --model " + dir + "/no-model --task arithmetic --samples 2 --k 1,4");
  CHECK(k.exit_code == 2);
  CHECK(k.output.find("--k: 4 is more than --samples 2") != std::string::npos);
  auto k0 = r1::test::run_r1("eval --model " + dir + "/no-model --task arithmetic --samples 2 --k 1,0");
  CHECK(k0.exit_code == 2);
  CHECK(k0.output.find("--k: expected a comma-separated list of positive integers") != std::string::npos);
  std::string text = kRecipe;
  text.replace(text.find("  samples: 2\n"), 13, "  samples: 2\n  k: [1, 4]\n");
  auto v = r1::test::run_r1_in_source("validate '" + write_recipe(dir, text) + "'");
  CHECK(v.exit_code == 2);
  CHECK(v.output.find("eval.k[1]: expected k <= samples (2)") != std::string::npos);
}
