// The GRPO stage config the trainer tests run on the micro model: 2 prompts x G = 4 per step, 8 new tokens, no
// sample files, and rewards a random micro model earns unevenly (accuracy stays 0), so groups carry a signal.
#pragma once
#include "r1/config/rl_stage_config.h"

namespace r1::test {

inline config::RlStageConfig micro_grpo_config() {
  auto c = config::RlStageConfig::defaults_for(config::StageKind::kTrainZero);
  c.name = "zero";
  c.prompts.n = 32;
  c.prompts.template_name = "chat";
  c.sampling.max_new_tokens = 8;
  c.sampling.stop = {};
  c.grpo.group_size = 4;
  c.grpo.prompts_per_step = 2;
  c.steps = 2;
  c.samples_every = 0;
  c.rewards[1].mode = "soft";
  c.rewards.push_back(config::RewardSpec{"language", 1.0, "", "en", 0, 0});
  return c;
}

}  // namespace r1::test
