// Stage references, stage runs, and the stage class of each config type.
#include "r1/stages/stage.h"

#include <filesystem>

#include "r1/stages/data_stage.h"
#include "r1/stages/eval_stage.h"
#include "r1/stages/pretrain_stage.h"
#include "r1/stages/rl_stage.h"
#include "r1/stages/sft_stage.h"
#include "r1/util/error.h"

namespace r1::stages {

namespace fs = std::filesystem;

std::string StageRefs::model(const std::string& ref) const {
  auto it = dirs_.find(ref);
  if (it != dirs_.end()) return (fs::path(it->second) / "final").string();
  return ref;
}

std::string StageRefs::data(const std::string& ref) const {
  auto it = dirs_.find(ref);
  fs::path p = it != dirs_.end() ? fs::path(it->second) : fs::path(ref);
  if (fs::is_directory(p)) p /= "data.jsonl";
  if (!fs::exists(p)) throw InputError("dataset " + p.string() + " not found" +
                                       (it != dirs_.end() ? " (has stage \"" + ref + "\" run?)" : ""));
  return p.string();
}

StageRun make_stage_run(const config::StageEntry& entry, const config::RunSettings& run, StageRefs refs,
                        const std::string& stage_dir, const std::string& hash) {
  StageRun r;
  r.entry = entry;
  r.run = run;
  r.refs = std::move(refs);
  r.ctx.stage_name = entry.name();
  r.ctx.stage_kind = entry.kind();
  r.ctx.stage_dir = stage_dir;
  r.ctx.seed = run.seed;
  r.ctx.config_hash = hash;
  r.ctx.resolved_config = config::emit_yaml(config::write_custom(entry));
  return r;
}

std::unique_ptr<Stage> make_stage(const config::StageEntry& entry) {
  return std::visit(
      [](const auto& cfg) -> std::unique_ptr<Stage> {
        using T = std::decay_t<decltype(cfg)>;
        if constexpr (std::is_same_v<T, config::PretrainConfig>) return std::make_unique<PretrainStage>(cfg);
        if constexpr (std::is_same_v<T, config::RlStageConfig>) return std::make_unique<RlStage>(cfg);
        if constexpr (std::is_same_v<T, config::SftStageConfig>) return std::make_unique<SftStage>(cfg);
        if constexpr (std::is_same_v<T, config::DataStageConfig>) return std::make_unique<DataStage>(cfg);
        if constexpr (std::is_same_v<T, config::EvalStageConfig>) return std::make_unique<EvalStage>(cfg);
      },
      entry.config);
}

}  // namespace r1::stages
