// Subcommand registration: each command lives in its own cmd_<name>.cpp with its options struct.
#pragma once
#include <functional>
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

}  // namespace r1::cli
