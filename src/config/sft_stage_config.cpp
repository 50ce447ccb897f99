// SFT / distill stage checks.
#include "r1/config/sft_stage_config.h"

namespace r1::config {

void SftStageConfig::check(Problems& p, const std::string& path) const {
  if (kind == StageKind::kSft && (!teacher.empty() || kd.weight > 0))
    p.add(join_path(path, "teacher"), "teacher and kd are distill options; use kind: distill");
  if (kind == StageKind::kDistill && kd.weight > 0 && teacher.empty())
    p.add(join_path(path, "teacher"), "kd.weight is " + std::to_string(kd.weight) + " but no teacher is given");
  if (seq_len > model.config.max_position_embeddings && init.empty())
    p.add(join_path(path, "seq_len"), "exceeds model.max_position_embeddings (" + std::to_string(seq_len) + " > " +
                                          std::to_string(model.config.max_position_embeddings) + ")");
}

}  // namespace r1::config
