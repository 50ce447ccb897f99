// Prompt source checks.
#include "r1/config/prompt_source_config.h"

#include "r1/util/strings.h"

namespace r1::config {

void PromptSourceConfig::check(Problems& p, const std::string& path) const {
  for (size_t i = 0; i < levels.size(); ++i)
    if (levels[i] < 1 || levels[i] > 5)
      p.add(index_path(join_path(path, "levels"), i), "expected a difficulty level in [1, 5], got " +
                                                          std::to_string(levels[i]));
  if (file.empty() && n == 0) p.add(join_path(path, "n"), "a synthetic task needs n >= 1 prompts, got 0");
}

void PromptSourceConfig::refuse_filter(Problems& p, const std::string& path, const std::string& where) const {
  if (filter.enabled())
    p.add(join_path(join_path(path, "filter"), "window"),
          "prompt filtering applies to the training prompts of GRPO stages (train-zero, grpo), not to " + where +
              "; remove prompts.filter here");
}

void PromptFilterConfig::check(Problems& p, const std::string& path) const {
  if (min_pass_rate > max_pass_rate)
    p.add(join_path(path, "min_pass_rate"), "must not exceed max_pass_rate (" + format_number(min_pass_rate) +
                                                " > " + format_number(max_pass_rate) + ")");
}

}  // namespace r1::config
