// Subcommand registration: each command lives in its own cmd_<name>.cpp with its options struct.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "r1/config/enums.h"

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
void register_tokenize(CLI::App& app, Action& action);
void register_eval(CLI::App& app, Action& action);
void register_report(CLI::App& app, Action& action);
void register_bench(CLI::App& app, Action& action);

// --kv-cache-dtype auto|float32|bfloat16 (sampling.kv_cache_dtype), shared by the commands that generate.
// The option's value is checked against the setting's name table and stored as its enum.
inline void add_kv_cache_dtype_option(CLI::App& cmd, config::KvCacheDtype& target) {
  cmd.add_option_function<std::string>(
         "--kv-cache-dtype",
         [&target](const std::string& name) {
           target = config::parse_enum<config::KvCacheDtype>(name, "--kv-cache-dtype");
         },
         "KV cache element type: auto (the model's) | float32 | bfloat16 (half the cache memory)")
      ->check(CLI::IsMember(config::enum_names<config::KvCacheDtype>()))
      ->default_str(config::enum_name(target));
}

}  // namespace r1::cli
