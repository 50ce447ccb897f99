// `r1 validate FILE...`: checks recipes, stage configs, model configs and reward files; prints every problem.
#include <iostream>

#include "commands.h"
#include "r1/config/recipe.h"
#include "r1/util/error.h"

namespace r1::cli {

namespace {
struct ValidateOptions {
  std::vector<std::string> files;
};
}  // namespace

void register_validate(CLI::App& app, Action& action) {
  auto opts = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand("validate", "Check recipes and configs; print every problem at once");
  cmd->add_option("files", opts->files, "YAML files (recipes, stage configs, model configs, reward lists)")
      ->required();
  cmd->callback([opts, &action] {
    action = [opts] {
      int bad = 0;
      for (const auto& f : opts->files) {
        try {
          config::validate_file(f);
          std::cout << "ok  " << f << "\n";
        } catch (const ConfigError& e) {
          ++bad;
          for (const auto& line : e.problems()) std::cerr << line << "\n";
        } catch (const InputError& e) {
          ++bad;
          std::cerr << e.what() << "\n";
        }
      }
      if (bad) {
        std::cerr << bad << " of " << opts->files.size() << " file(s) have problems\n";
        return kExitBadInput;
      }
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
