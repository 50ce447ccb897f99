// The GRPO trainer behind `r1 train-zero` and `r1 grpo`: rollouts with the KV-cache sampler, rule rewards,
// group advantages, mu clipped-surrogate updates over minibatches (KL to pi_ref when beta > 0), metrics,
// samples, checkpoints and exact resume.
#pragma once
#include <string>

#include "r1/config/rl_stage_config.h"
#include "r1/train/trainer_env.h"

namespace r1::rl {

struct GrpoInputs {
  std::string init;       // checkpoint dir of the starting policy
  std::string reference;  // checkpoint dir of pi_ref ("" = init)
};

// Runs the stage to cfg.steps (resuming per env.resume) and writes <stage_dir>/final.
void run_grpo(const config::RlStageConfig& cfg, const train::TrainerEnv& env, const GrpoInputs& inputs);

}  // namespace r1::rl
