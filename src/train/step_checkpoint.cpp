// Periodic and stop-request checkpoints, shared by every trainer (GRPO, pretrain/SFT/distill).
#include "r1/train/step_checkpoint.h"

#include "r1/dist/world.h"
#include "r1/io/checkpoint.h"
#include "r1/util/error.h"
#include "r1/util/signals.h"

namespace r1::train {

void checkpoint_after_step(const StepCheckpointPolicy& policy, std::int64_t done, bool stop_now,
                           const SaveCheckpoint& save, const std::function<void()>& before_stop) {
  if (done >= policy.total_steps) return;
  const std::string name = checkpoint_name(done);
  std::string path;
  const bool periodic = policy.every > 0 && done % policy.every == 0;
  if (periodic) path = save(name, done);
  if (!stop_now) return;
  if (before_stop) before_stop();
  if (!periodic) path = save(name, done);
  dist::world().barrier();  // the checkpoint is complete before any rank exits
  throw Interrupted("[" + policy.stage_name + "] stopped after step " + std::to_string(done) + "; checkpoint " +
                    (path.empty() ? name + " (written by rank 0)" : path) +
                    " written. Resume with: " + resume_command());
}

}  // namespace r1::train
