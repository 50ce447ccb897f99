// `r1 report RUN_DIR`: the stage x eval table and charts of a run.
#include <iostream>

#include "commands.h"
#include "r1/stages/report.h"
#include "r1/util/error.h"

namespace r1::cli {

void register_report(CLI::App& app, Action& action) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("report", "Write report.md/report.json and charts/*.svg of a run and print the table");
  cmd->add_option("run_dir", *dir, "Run directory (run_dir of a recipe)")->required();
  cmd->callback([dir, &action] {
    action = [dir] {
      std::cout << stages::write_report(*dir);
      return kExitOk;
    };
  });
}

}  // namespace r1::cli
