// GRPO cross-field checks.
#include "r1/config/grpo_config.h"

namespace r1::config {

void GrpoConfig::check(Problems& p, const std::string& path) const {
  int batch = prompts_per_step * group_size;
  if (minibatch_size > 0) {
    if (minibatch_size > batch)
      p.add(join_path(path, "minibatch_size"), "must not exceed prompts_per_step * group_size (" +
                                                   std::to_string(minibatch_size) + " > " +
                                                   std::to_string(prompts_per_step) + " * " +
                                                   std::to_string(group_size) + " = " + std::to_string(batch) + ")");
    else if (batch % minibatch_size != 0)
      p.add(join_path(path, "minibatch_size"), "must divide prompts_per_step * group_size (" + std::to_string(batch) +
                                                   " % " + std::to_string(minibatch_size) + " != 0)");
  }
  if (advantage != AdvantageEstimator::kGrpo && scale_rewards != ScaleRewards::kGroup)
    p.add(join_path(path, "scale_rewards"),
          "applies to advantage: grpo only; advantage: " + std::string(enum_name(advantage)) +
              " has its own scaling (remove scale_rewards or use advantage: grpo)");
  if (ref_update_every > 0 && beta == 0.0)
    p.add(join_path(path, "ref_update_every"), "has no effect with beta = 0 (no reference model); set beta > 0 or "
                                                 "ref_update_every: 0");
}

}  // namespace r1::config
