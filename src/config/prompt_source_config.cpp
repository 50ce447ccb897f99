// Prompt source checks.
#include "r1/config/prompt_source_config.h"

namespace r1::config {

void PromptSourceConfig::check(Problems& p, const std::string& path) const {
  for (size_t i = 0; i < levels.size(); ++i)
    if (levels[i] < 1 || levels[i] > 5)
      p.add(index_path(join_path(path, "levels"), i), "expected a difficulty level in [1, 5], got " +
                                                          std::to_string(levels[i]));
  if (file.empty() && n == 0) p.add(join_path(path, "n"), "a synthetic task needs n >= 1 prompts, got 0");
}

}  // namespace r1::config
