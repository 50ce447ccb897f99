// The kinds of pipeline stage. Their names, help, default configs and inputs are one table: stage_registry.h.
#pragma once
#include "r1/config/enum_table.h"

namespace r1::config {

enum class StageKind { kPretrain, kTrainZero, kColdStart, kSft, kGrpo, kRejectionSample, kDistill, kEval };

// Names come from the stage registry's rows.
template <>
struct EnumTable<StageKind> {
  static const std::vector<EnumEntry<StageKind>>& entries();
};

}  // namespace r1::config
