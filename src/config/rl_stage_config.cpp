// RL stage defaults per kind and checks.
#include "r1/config/rl_stage_config.h"

namespace r1::config {

RlStageConfig RlStageConfig::defaults_for(StageKind kind) {
  RlStageConfig c;
  c.kind = kind;
  RewardSpec accuracy;
  accuracy.name = "accuracy";
  accuracy.weight = 1.0;
  RewardSpec format;
  format.name = "format";
  format.weight = 0.5;
  c.rewards = {accuracy, format};
  c.optim.lr = 1e-4;
  c.optim.schedule = LrSchedule::kConstant;
  c.optim.warmup_steps = 0;
  c.optim.weight_decay = 0.0;
  if (kind == StageKind::kGrpo) {
    RewardSpec language;
    language.name = "language";
    language.weight = 0.2;
    c.rewards.push_back(language);
    c.sampling.temperature = 0.7;
  }
  return c;
}

void RlStageConfig::check(Problems& p, const std::string& path) const {
  check_rewards(rewards, p, join_path(path, "rewards"));
  if (sampling.temperature == 0.0)
    p.add(join_path(path, "sampling.temperature"), "GRPO needs sampling (temperature > 0); greedy groups have no "
                                                   "variance");
  if (prompts.split == PromptSplit::kEval)
    p.add(join_path(path, "prompts.split"), "training on the eval split would leak the held-out set; use train");
}

}  // namespace r1::config
