// A pipeline stage: `explicit XStage(const XConfig&)` + run(StageContext&). The context says where to write,
// how to resume, and how stage references (a name of an earlier stage, or a path) become paths.
#pragma once
#include <map>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "r1/config/recipe.h"
#include "r1/train/trainer_env.h"

namespace r1::stages {

// Turns a stage input (`init: base`, `data: cold`, or a path) into a path.
class StageRefs {
 public:
  // stage name -> its directory (for recipes); empty for single-stage runs (inputs are paths).
  explicit StageRefs(std::map<std::string, std::string> stage_dirs = {}) : dirs_(std::move(stage_dirs)) {}
  // A model: the named stage's final checkpoint dir, else the path (a checkpoint, stage or HF dir).
  std::string model(const std::string& ref) const;
  // A dataset: the named stage's data.jsonl, else the path (a stage dir means its data.jsonl).
  std::string data(const std::string& ref) const;
  bool is_stage(const std::string& ref) const { return dirs_.count(ref) > 0; }

 private:
  std::map<std::string, std::string> dirs_;
};

struct StageContext {
  std::string stage_name, stage_kind;
  std::string resolved_config;   // the stage's resolved config (YAML), kept in checkpoints
  config::RunSettings run;
  std::string stage_dir;
  std::string resume = "auto";   // auto | none | checkpoint dir
  torch::Device device{torch::kCPU};
  std::string config_hash;
  StageRefs refs;
  int rank = 0, world_size = 1;

  // The trainer's view of this context.
  train::TrainerEnv trainer_env() const;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual void run(StageContext& ctx) = 0;
  // True when the stage writes a model (<stage_dir>/final) that the recipe's eval set should score.
  virtual bool produces_model() const = 0;
};

std::unique_ptr<Stage> make_stage(const config::StageEntry& entry);

}  // namespace r1::stages
