// What happens after each training step: the periodic checkpoint, and on a stop request (SIGINT/SIGTERM) a
// checkpoint, a barrier so every rank sees it complete, and Interrupted with the resume hint.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace r1::train {

// Writes checkpoint `name` at `step`; returns its path ("" on ranks that do not write).
using SaveCheckpoint = std::function<std::string(const std::string& name, std::int64_t step)>;

struct StepCheckpointPolicy {
  std::string stage_name;
  std::int64_t total_steps = 0;
  int every = 0;  // 0 = only the final checkpoint
};

// `done` = steps finished so far. Does nothing on the last step (the caller writes "final").
// `before_stop` runs before the stop checkpoint (e.g. to end the progress line).
void checkpoint_after_step(const StepCheckpointPolicy& policy, std::int64_t done, bool stop_now,
                           const SaveCheckpoint& save, const std::function<void()>& before_stop);

}  // namespace r1::train
