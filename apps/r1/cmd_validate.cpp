// `r1 validate FILE... [--set key=value]...`: checks recipes, stage configs, model configs and reward files; prints
// every problem. For a recipe or stage config (with the overrides applied) it also runs the preflight `r1 run` runs
// (stages/preflight.h) and prints the per-stage peak-memory estimate.
#include <iostream>

#include "commands.h"
#include "r1/config/recipe.h"
#include "r1/stages/preflight.h"
#include "r1/util/error.h"

namespace r1::cli {

namespace {
struct ValidateOptions {
  std::vector<std::string> files;
  std::vector<std::string> sets;  // --set key=value, as `r1 run` and the stage commands take them
  std::string memory_limit;
  bool quiet = false;
};

// Problems of one file, printed; the preflight table unless quiet. Returns whether the file is valid.
bool validate_one(const std::string& file, const ValidateOptions& o) {
  try {
    std::vector<config::Override> overrides;
    for (const auto& s : o.sets) overrides.push_back(config::parse_override(s));
    std::optional<config::RunnableFile> runnable = config::validate_file(file, overrides);
    if (runnable) {
      stages::PreflightOptions po = stages::preflight_options(o.memory_limit);
      po.stage_file = runnable->stage_file;
      stages::PreflightReport report = stages::preflight(runnable->recipe, po);
      if (!o.quiet) std::cout << report.table();
      stages::require_preflight(report);
    }
    std::cout << "ok  " << file << "\n";
    return true;
  } catch (const ConfigError& e) {
    for (const auto& line : e.problems()) std::cerr << line << "\n";
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
  }
  return false;
}
}  // namespace

void register_validate(CLI::App& app, Action& action) {
  auto opts = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand("validate", "Check recipes and configs (every check `r1 run` makes before it starts, "
                                             "with each stage's peak-memory estimate); print every problem at once");
  cmd->add_option("files", opts->files, "YAML files (recipes, stage configs, model configs, reward lists)")
      ->required();
  cmd->add_option("--memory-limit", opts->memory_limit,
                  "Compare stage peaks with this size (8GiB, 512M) instead of the memory available; off = do not "
                  "refuse");
  cmd->add_option("--set", opts->sets,
                  "Override a key of each recipe or stage config as `r1 run` would: key.path=value, "
                  "stages.NAME.key=value (repeatable)");
  cmd->add_flag("--quiet,-q", opts->quiet, "Print problems and the verdict only (no memory table)");
  cmd->callback([opts, &action] {
    action = [opts] {
      int bad = 0;
      for (const auto& f : opts->files)
        if (!validate_one(f, *opts)) ++bad;
      if (bad) {
        std::cerr << bad << " of " << opts->files.size() << " file(s) have problems\n";
        return kExitBadInput;
      }
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
