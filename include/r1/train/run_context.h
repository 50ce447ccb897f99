// The identity of one stage run, shared by the stage runner, the stages and the trainers: its name, kind and
// directory, the seed and device, how to resume, the resolved config and its hash, and the data-parallel
// position. Filled by stages/; trainers never read recipes.
#pragma once
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "r1/config/stage_kind.h"

namespace r1::train {

struct RunContext {
  std::string stage_name;
  config::StageKind stage_kind = config::StageKind::kPretrain;
  std::string stage_dir;            // run_dir/<stage> or --out
  std::uint64_t seed = 0;           // the run seed; stages and trainers derive named streams from it
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat32;  // compute dtype of the training forwards (bfloat16: autocast)
  bool activation_checkpointing = false;  // the trained model recomputes each layer in the backward
  std::string save_dtype = "auto";  // weights' dtype in checkpoints: auto (the input model's) | float32 | bfloat16
  std::string resume = "auto";      // auto (latest checkpoint if any) | none | a checkpoint dir
  std::string config_hash;          // identity of the resolved stage config and of the inputs it reads
  std::string resolved_config;      // the resolved stage config (YAML), kept in trainer_state
  int rank = 0, world_size = 1;     // data-parallel position (see dist/)
  bool is_main() const { return rank == 0; }
};

}  // namespace r1::train
