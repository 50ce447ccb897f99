// Benchmark plumbing: figures (median/min/max, paired ratios), model FLOP counts against a hand computation,
// and `r1 bench` end to end on the micro preset (bench.json has every figure; the table prints).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/bench/bench_report.h"
#include "r1/bench/figure.h"
#include "r1/bench/model_flops.h"
#include "r1/io/jsonl.h"
#include "r1/util/fs.h"

using namespace r1;

TEST_CASE("figures are median, min and max, ratios pair runs", "[bench]") {
  auto f = bench::summarize({3.0, 1.0, 2.0, 10.0, 4.0});
  REQUIRE(f.median == 3.0);
  REQUIRE(f.min == 1.0);
  REQUIRE(f.max == 10.0);
  REQUIRE(f.runs == 5);
  REQUIRE(bench::summarize({4.0, 1.0, 2.0, 3.0}).median == 2.5);
  REQUIRE(bench::summarize({}).runs == 0);
  auto r = bench::paired_ratio({2.0, 9.0, 4.0}, {1.0, 3.0, 4.0});  // 2, 3, 1
  REQUIRE(r.median == 2.0);
  REQUIRE(r.min == 1.0);
  REQUIRE(r.max == 3.0);
  REQUIRE_THROWS(bench::paired_ratio({1.0}, {1.0, 2.0}));
  auto ir = bench::independent_ratio(bench::summarize({10.0, 20.0, 30.0}), bench::summarize({2.0, 5.0, 10.0}));
  REQUIRE(ir.median == Approx(4.0));
  REQUIRE(ir.min == Approx(1.0));
  REQUIRE(ir.max == Approx(15.0));
}

TEST_CASE("a preset that differs only in its vocabulary gets the GRPO peak RSS bound as a target", "[bench]") {
  auto model = [](int vocab, int hidden) {
    return Json{{"heads", 4}, {"hidden_size", hidden}, {"intermediate_size", 128}, {"kv_heads", 2}, {"layers", 2},
                {"matmul_parameters", 1}, {"parameters", 1}, {"vocab", vocab}};
  };
  auto grpo = [](const Json& m, double peak_mb) {
    Json r{{"beta", 0.04}, {"group_size", 8}, {"prompts_per_step", 16}, {"max_new_tokens", 72}, {"model", m},
           {"completion_len_mean", {60.0}}, {"rollout_s", {1.0}}, {"logprob_s", {1.0}}, {"update_s", {1.0}},
           {"step_s", {3.0}}};
    return Json{{"result", r}, {"peak_rss_mb", peak_mb}, {"wall_s", 3.0}};
  };
  // 151,936 x 48 float32 = 27.8 MiB: the bound over a 400 MiB base is 627.8 MiB.
  auto targets_for = [&](double wide_peak, int wide_hidden) {
    Json bench{{"presets_run", {"micro", "configs/models/wide.yaml"}},
               {"raw", {{"grpo/micro", grpo(model(512, 48), 400.0)},
                        {"grpo/wide", grpo(model(151936, wide_hidden), wide_peak)}}}};
    bench::compute_figures(bench);
    std::vector<Json> found;
    for (const auto& t : bench["targets"])
      if (t["target"].get<std::string>().find("GRPO peak RSS") != std::string::npos) found.push_back(t);
    return found;
  };
  auto met = targets_for(620.0, 48);
  REQUIRE(met.size() == 1);
  CHECK(met[0]["preset"] == "wide");
  CHECK(met[0]["met"].get<bool>());
  CHECK(met[0]["target"].get<std::string>().find("627.8") != std::string::npos);
  auto over = targets_for(630.0, 48);
  REQUIRE(over.size() == 1);
  CHECK_FALSE(over[0]["met"].get<bool>());
  CHECK(targets_for(620.0, 64).empty());  // another hidden size: not the same model
}

TEST_CASE("model FLOPs count every matmul and attention over each segment of a row", "[bench]") {
  config::ModelConfig c;
  c.hidden_size = 8;
  c.intermediate_size = 12;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;  // head_dim 2
  c.num_key_value_heads = 2;
  // per layer: q 8x8 + k 8x4 + v 8x4 + o 8x8 + 3 x 8x12 = 64 + 32 + 32 + 64 + 288 = 480; head 8 x 10
  REQUIRE(bench::matmul_parameters(c, 10) == 2 * 480 + 80);
  // 3 rows of 5 tokens: dense 2 * 1040 * 15 = 31200; attention 4 * (4*2) * 5 keys * 15 tokens * 2 layers = 4800
  REQUIRE(bench::forward_flops(c, 10, 3, 5) == Approx(31200.0 + 4800.0));
  REQUIRE(bench::train_flops(c, 10, 3, 5) == Approx(3 * 36000.0));
  // A packed row of examples of 2 and 3 tokens attends within each: 4 + 9 pairs instead of 25.
  REQUIRE(bench::attention_pairs({0, 0, 1, 1, 1}) == Approx(13.0));
  REQUIRE(bench::attention_pairs({7, 7, 7, 7, 7}) == Approx(25.0));
  REQUIRE(bench::attention_pairs({}) == Approx(0.0));
  // 5 tokens over 13 pairs: dense 2 * 1040 * 5 = 10400; attention 4 * 8 * 13 * 2 layers = 832
  REQUIRE(bench::forward_flops_of(c, 10, 5, 13) == Approx(10400.0 + 832.0));
  REQUIRE(bench::train_flops_of(c, 10, 5, 13) == Approx(3 * 11232.0));
}

TEST_CASE("r1 bench writes bench.json with every figure and prints the table", "[bench][cli]") {
  namespace fs = std::filesystem;
  std::string dir = test::temp_dir("bench-cli");
  std::string out = dir + "/bench.json", table = dir + "/bench.md";
  std::string preset = std::string(R1_SOURCE_DIR) + "/configs/models/micro.yaml";
  auto r = test::run_r1("bench --preset " + preset + " --runs 2 --warmup 0 --threads 1 --seq-len 32 --train-batch 4 "
                        "--sft-examples 12 --new-tokens 6 --decode-batch 3 --group-size 2 --grpo-prompts 2 "
                        "--grpo-new-tokens 6 --gemm-n 64 --hf-tokenizer " + test::shared_dir() + "/hf/qwen2 --work " + dir +
                        "/work --out " + out + " --table " + table);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  Json b = Json::parse(read_file(out));
  // The tokenize case, once for all presets: a real tokenizer.json's encode/decode rates and a GRPO step's share.
  for (const char* key : {"load_s", "prose_encode_mb_s", "mixed_encode_mb_s", "prose_decode_mb_s",
                          "grpo_step_tokenizer_s"}) {
    INFO(key);
    REQUIRE(b["tokenize"][key]["median"].get<double>() > 0);
  }
  REQUIRE(b["presets"]["micro"]["grpo"]["tokenizer_share"]["median"].get<double>() > 0);
  const Json& p = b["presets"]["micro"];
  REQUIRE(b["gemm"]["gemm_gflops"]["median"].get<double>() > 0);
  REQUIRE(b["gemm"]["gemm_gflops"]["runs"] == 2);
  int packed_shapes = 0;  // the decode shapes (64 rows and one row) through the packed kernel as well
  for (const auto& sh : b["gemm"]["shapes"])
    if (sh.contains("packed_gflops")) {
      REQUIRE(sh["m"].get<int>() <= 64);
      REQUIRE(sh["packed_gflops"]["median"].get<double>() > 0);
      ++packed_shapes;
    }
  REQUIRE(packed_shapes == 2);
  for (const auto& path : std::vector<std::vector<std::string>>{
           {"train", "train_tokens_per_s"}, {"train", "train_mfu"}, {"packing", "packed_tokens_per_s"},
           {"packing", "padded_tokens_per_s"}, {"decode", "batch_1", "decode_tokens_per_s"},
           {"decode", "batch_1", "decode_speedup_vs_no_cache"}, {"decode", "batch_n", "decode_tokens_per_s"},
           {"grpo", "grpo_step_s"}, {"grpo", "rollout_s"}, {"grpo", "logprob_s"}, {"grpo", "update_s"},
           {"rollout_prefix", "shared_s"}, {"rollout_prefix", "separate_s"},
           {"rollout_prefix", "prefix_sharing_speedup"}, {"grpo_update", "padded_s"}, {"grpo_update", "packed_s"},
           {"grpo_update", "update_packing_speedup"}}) {
    const Json* f = &p;
    for (const auto& k : path) {
      INFO(k);
      REQUIRE(f->contains(k));
      f = &(*f)[k];
    }
    REQUIRE((*f)["runs"] == 2);
    REQUIRE((*f)["median"].get<double>() > 0);
    REQUIRE((*f)["min"].get<double>() <= (*f)["median"].get<double>());
    REQUIRE((*f)["median"].get<double>() <= (*f)["max"].get<double>());
  }
  for (const char* c : {"train", "packing", "grpo"}) REQUIRE(p[c]["peak_rss_mb"].get<double>() > 10);
  // MFU divides by the ceiling the train case measured around its own steps (3 products before, 3 after).
  REQUIRE(p["train"]["ceiling_gflops"]["runs"] == 6);
  const double ceiling = p["train"]["ceiling_gflops"]["median"].get<double>();
  const double achieved = p["train"]["achieved_gflops"]["median"].get<double>();
  REQUIRE(p["train"]["train_mfu"]["median"].get<double>() == Approx(achieved / ceiling).epsilon(1e-9));
  const double pairs = p["train"]["attention_pairs_fraction"].get<double>();
  REQUIRE((pairs > 0 && pairs <= 1));
  REQUIRE(p["decode"]["batch_n"]["batch"] == 3);
  // Shared prefills sample exactly what one prefill per row samples; the R1-Zero template's prompts are long.
  REQUIRE(p["rollout_prefix"]["same_samples"] == "yes");
  REQUIRE(p["rollout_prefix"]["rows"] == 4);
  REQUIRE(p["rollout_prefix"]["prompt_tokens_mean"].get<double>() > 100);
  // Packed update rows compute fewer tokens than padded ones, never fewer than the real ones, same log-probs.
  const Json& u = p["grpo_update"];
  REQUIRE(u["rows"] == 4);
  REQUIRE(u["real_tokens"].get<std::int64_t>() <= u["packed_tokens"].get<std::int64_t>());
  REQUIRE(u["packed_tokens"].get<std::int64_t>() <= u["padded_tokens"].get<std::int64_t>());
  REQUIRE(u["max_logprob_diff"].get<double>() <= 1e-5);
  // In every run, the GRPO split adds up to no more than the step.
  const Json& g = b["raw"]["grpo/micro"]["result"];
  for (size_t i = 0; i < g["step_s"].size(); ++i) {
    double parts = g["rollout_s"][i].get<double>() + g["logprob_s"][i].get<double>() + g["update_s"][i].get<double>();
    REQUIRE(parts <= g["step_s"][i].get<double>());
  }
  REQUIRE(b["targets"].size() >= 3);
  std::string text = read_file(table);
  REQUIRE(text.find("train_mfu") != std::string::npos);
  REQUIRE(text.find("decode_speedup_vs_no_cache") != std::string::npos);
  REQUIRE(text.find("encode MB/s, mixed scripts") != std::string::npos);
  REQUIRE(text.find("prefix-sharing speed-up") != std::string::npos);
  REQUIRE(text.find("update packing speed-up") != std::string::npos);
  REQUIRE(r.output.find("grpo_step_s") != std::string::npos);
}

TEST_CASE("r1 bench --batch-no-cache times the batched decode without the cache too", "[bench][cli]") {
  std::string dir = test::temp_dir("bench-batch-no-cache");
  std::string preset = std::string(R1_SOURCE_DIR) + "/configs/models/micro.yaml";
  std::string common = "bench --preset " + preset + " --case decode-batch --runs 2 --warmup 0 --threads 1 "
                       "--new-tokens 5 --decode-batch 4 --work " + dir + "/work";
  auto with = test::run_r1(common + " --batch-no-cache --out " + dir + "/with.json");
  INFO(with.output);
  REQUIRE(with.exit_code == 0);
  const Json b = Json::parse(read_file(dir + "/with.json"))["presets"]["micro"]["decode"]["batch_n"];
  REQUIRE(b["batch"] == 4);
  for (const char* key : {"decode_tokens_per_s", "no_cache_tokens_per_s", "decode_speedup_vs_no_cache"}) {
    INFO(key);
    REQUIRE(b[key]["runs"] == 2);
    REQUIRE(b[key]["median"].get<double>() > 0);
  }
  REQUIRE(with.output.find("no-cache tokens/s, batch N") != std::string::npos);
  auto without = test::run_r1(common + " --out " + dir + "/without.json");
  REQUIRE(without.exit_code == 0);
  const Json nb = Json::parse(read_file(dir + "/without.json"))["presets"]["micro"]["decode"]["batch_n"];
  REQUIRE(nb.contains("decode_tokens_per_s"));
  REQUIRE_FALSE(nb.contains("no_cache_tokens_per_s"));
}
