// What a trainer needs from the stage that runs it: where to write, the seed, the device, how to resume,
// and the identity of its resolved config. Filled by stages/; trainers never read recipes.
#pragma once
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "r1/io/jsonl.h"

namespace r1::train {

struct TrainerEnv {
  std::string stage_name;
  std::string stage_kind;
  std::string stage_dir;            // run_dir/<stage> or --out
  std::uint64_t seed = 0;           // the run seed; trainers derive named streams from it
  torch::Device device{torch::kCPU};
  std::string resume = "auto";      // auto (latest checkpoint if any) | none | a checkpoint dir
  std::string config_hash;          // hash of the resolved stage config
  Json resolved_config;             // the resolved stage config (stored in trainer_state)
  int rank = 0, world_size = 1;     // data-parallel position (see dist/)
  bool is_main() const { return rank == 0; }
};

}  // namespace r1::train
