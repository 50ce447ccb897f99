// The RL stages: resolve the policy and reference, then run GRPO.
#include "r1/stages/rl_stage.h"

#include "r1/rl/grpo_trainer.h"

namespace r1::stages {

void RlStage::run(const StageRun& r) {
  const train::RunContext& ctx = r.ctx;
  rl::GrpoInputs inputs;
  inputs.init = r.refs.model(cfg_.init);
  inputs.reference = cfg_.reference.empty() ? std::string() : r.refs.model(cfg_.reference);
  rl::run_grpo(cfg_, ctx, inputs);
}

}  // namespace r1::stages
