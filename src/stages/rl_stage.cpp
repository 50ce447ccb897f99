// The RL stages: resolve the policy and reference, then run GRPO.
#include "r1/stages/rl_stage.h"

#include "r1/rl/grpo_trainer.h"

namespace r1::stages {

void RlStage::run(StageContext& ctx) {
  rl::GrpoInputs inputs;
  inputs.init = ctx.refs.model(cfg_.init);
  inputs.reference = cfg_.reference.empty() ? std::string() : ctx.refs.model(cfg_.reference);
  rl::run_grpo(cfg_, ctx.trainer_env(), inputs);
}

}  // namespace r1::stages
