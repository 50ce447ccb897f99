// r1: the CLI root. Registers the subcommands and maps errors to exit codes (0 ok, 1 runtime, 2 bad input).
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "r1/util/allocator.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/signals.h"

namespace {
// Runs from the executable's .preinit_array, before the shared libraries' constructors (LibTorch's take ~0.5 s):
// a signal during start-up then exits 128+signal with a message instead of silently.
void install_handlers_before_libraries(int, char**, char**) { r1::install_stop_handlers(); }
__attribute__((section(".preinit_array"), used)) void (*const r1_preinit)(int, char**, char**) =
    install_handlers_before_libraries;
}  // namespace

int main(int argc, char** argv) {
  r1::install_stop_handlers();  // again (idempotent), in case a library replaced them while loading
  r1::set_command_line(argc, argv);
  CLI::App app{"r1: the DeepSeek-R1 training recipe (R1-Zero GRPO, cold start, SFT, GRPO, rejection sampling, "
               "distillation) on LibTorch"};
  app.set_version_flag("--version", std::string("r1 ") + R1_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  std::string log_file;
  app.add_option("--log-level", log_level, "Console log level: trace|debug|info|warn|error|off")
      ->capture_default_str();
  app.add_option("--log-file", log_file, "Also append the log to this file");

  r1::cli::Action action;
  r1::cli::register_stage_commands(app, action);
  r1::cli::register_eval(app, action);
  r1::cli::register_generate(app, action);
  r1::cli::register_reward(app, action);
  r1::cli::register_data(app, action);
  r1::cli::register_tokenizer(app, action);
  r1::cli::register_tokenize(app, action);
  r1::cli::register_validate(app, action);
  r1::cli::register_report(app, action);
  r1::cli::register_bench(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : r1::kExitBadInput;
  }
  try {
    r1::init_logging(log_level, log_file);
    auto allocator = r1::choose_allocator_policy([](const char* name) { return std::getenv(name); });
    r1::apply_allocator_policy(allocator);
    r1::logger()->debug("{}", allocator.why);
    return action ? action() : r1::kExitOk;
  } catch (const r1::ConfigError& e) {
    for (const auto& line : e.problems()) std::cerr << "error: " << line << "\n";
    return e.exit_code();
  } catch (const r1::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return r1::kExitRuntime;
  }
}
