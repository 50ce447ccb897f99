// Subcommand registration: each command lives in its own cmd_<name>.cpp with its options struct.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace r1::cli {

// The action a parsed subcommand runs; returns the process exit code.
using Action = std::function<int()>;

// Each register_* adds a subcommand to `app` and stores its action in `action` when it is chosen.
void register_validate(CLI::App& app, Action& action);
void register_data(CLI::App& app, Action& action);
void register_reward(CLI::App& app, Action& action);
void register_stage_commands(CLI::App& app, Action& action);  // pretrain ... distill, and run
void register_generate(CLI::App& app, Action& action);
void register_tokenizer(CLI::App& app, Action& action);
void register_eval(CLI::App& app, Action& action);
void register_report(CLI::App& app, Action& action);
void register_bench(CLI::App& app, Action& action);

// --kv-cache-dtype auto|float32|bfloat16 (sampling.kv_cache_dtype), shared by the commands that generate.
inline void add_kv_cache_dtype_option(CLI::App& cmd, std::string& target) {
  cmd.add_option("--kv-cache-dtype", target,
                 "KV cache element type: auto (the model's) | float32 | bfloat16 (half the cache memory)")
      ->check(CLI::IsMember({"auto", "float32", "bfloat16"}))
      ->capture_default_str();
}

}  // namespace r1::cli
