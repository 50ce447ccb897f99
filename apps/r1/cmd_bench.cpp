// `r1 bench`: the performance benchmark (GEMM ceiling, training MFU, packing vs padding, KV-cache decode,
// GRPO step split, peak RSS) for model presets; writes bench.json and prints a table.
#include <fstream>
#include <iostream>

#include "commands.h"
#include "r1/bench/bench_cases.h"
#include "r1/bench/bench_report.h"
#include "r1/bench/bench_runner.h"
#include "r1/util/error.h"

namespace r1::cli {

namespace {
struct BenchCliOptions {
  bench::BenchPlan plan;
  std::vector<std::string> presets, cases;
  std::string out = "bench.json", table;
  // child mode (internal)
  std::string child, options_file, result_file;
};

int run_bench(BenchCliOptions& o) {
  if (!o.child.empty()) {
    bench::run_child_case(o.child, o.options_file, o.result_file);
    return kExitOk;
  }
  if (!o.presets.empty()) o.plan.presets = o.presets;
  o.plan.cases = o.cases;
  Json result = bench::run_benchmark(o.plan);
  {
    std::ofstream out(o.out);
    out << result.dump(2) << "\n";
    if (!out) throw RuntimeFailure("bench: cannot write " + o.out);
  }
  std::string table = bench::render_table(result);
  if (!o.table.empty()) {
    std::ofstream out(o.table);
    out << table;
    if (!out) throw RuntimeFailure("bench: cannot write " + o.table);
  }
  std::cout << table << "\n(bench.json: " << o.out << ")\n";
  return kExitOk;
}
}  // namespace

void register_bench(CLI::App& app, Action& action) {
  auto o = std::make_shared<BenchCliOptions>();
  auto& b = o->plan.base;
  auto* cmd = app.add_subcommand("bench", "Benchmark training, decoding and GRPO steps on model presets "
                                          "(bench.json + a table)");
  cmd->add_option("--preset", o->presets, "Model preset name (configs/models/NAME.yaml) or YAML path; repeatable "
                                          "(default: tiny and small)");
  cmd->add_option("--case", o->cases, "Case to run: gemm | tokenize | train | train-checkpointed | packing | decode1 | "
                                      "decode-batch | rollout-prefix | grpo-update | grpo; repeatable (default: all)")
      ->check(CLI::IsMember(bench::case_names()));
  cmd->add_option("--out", o->out, "bench.json path")->capture_default_str();
  cmd->add_option("--table", o->table, "Also write the table to this file");
  cmd->add_option("--work", o->plan.work_dir, "Scratch dir, kept (default: a temp dir, removed)");
  cmd->add_option("--runs", b.runs, "Counted runs per figure")->check(CLI::Range(1, 100))->capture_default_str();
  cmd->add_option("--warmup", b.warmup, "Uncounted runs first")->check(CLI::Range(0, 10))->capture_default_str();
  cmd->add_option("--threads", b.threads, "CPU threads (0 = all cores)")->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--seed", b.seed, "Data and init seed")->capture_default_str();
  cmd->add_option("--seq-len", b.seq_len, "Training row length")->check(CLI::Range(8, 8192))->capture_default_str();
  cmd->add_option("--train-batch", b.train_batch, "Rows per training step")->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--sft-examples", b.sft_examples, "SFT examples per packing/padding epoch")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--new-tokens", b.new_tokens, "Tokens generated per row in the decode cases")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--decode-batch", b.decode_batch, "Rows of the batched decode case")->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_flag("--module-decode", b.module_decode, "Decode with the module forward instead of the fused "
                                                    "inference path (for A/B comparisons)");
  cmd->add_flag("--batch-no-cache", b.batch_no_cache, "decode-batch also times decoding without the KV cache "
                                                      "(recomputes the prefix every token: slow, pair with fewer "
                                                      "--runs or --new-tokens)");
  add_kv_cache_dtype_option(*cmd, b.kv_cache_dtype);
  cmd->add_option("--group-size", b.group_size, "GRPO G")->check(CLI::Range(2, 1024))->capture_default_str();
  cmd->add_option("--grpo-prompts", b.grpo_prompts, "GRPO prompts per step")->check(CLI::Range(1, 4096))
      ->capture_default_str();
  cmd->add_option("--grpo-new-tokens", b.grpo_new_tokens, "GRPO completion budget")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--grpo-beta", b.grpo_beta, "GRPO KL weight (> 0: reference log-probs are timed)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--hf-tokenizer", b.hf_tokenizer, "Directory with a Hugging Face tokenizer.json (tokenize case)")
      ->capture_default_str();
  cmd->add_option("--gemm-n", b.gemm_n, "Size of the square GEMM ceiling")->check(CLI::Range(16, 16384))
      ->capture_default_str();
  cmd->add_option("--child", o->child, "(internal) run one case")->group("");
  cmd->add_option("--options", o->options_file, "(internal) case options JSON")->group("");
  cmd->add_option("--result", o->result_file, "(internal) case result JSON")->group("");
  cmd->callback([o, &action] { action = [o] { return run_bench(*o); }; });
}

}  // namespace r1::cli
