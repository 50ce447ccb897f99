// Skip-or-stop policy for non-finite training steps (see include/r1/train/nonfinite_steps.h).
#include "r1/train/nonfinite_steps.h"

#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/strings.h"

namespace r1::train {

void NonfiniteSteps::on_bad_step(std::int64_t step, double loss) {
  const std::string what = "[" + stage_ + "] step " + std::to_string(step) + ": non-finite loss or gradient (loss " +
                           format_number(loss) + ")";
  if (skipped_ < allowed_) {
    ++skipped_;
    logger()->warn("{}; skipped without an update ({} of skip_nonfinite {})", what, skipped_, allowed_);
    return;
  }
  std::string why = allowed_ > 0 ? "; " + std::to_string(skipped_) + " bad steps were already skipped (skip_nonfinite " +
                                       std::to_string(allowed_) + ")"
                                 : "";
  throw RuntimeFailure(what + why +
                       "; stopping before the optimizer step, the last checkpoint is intact (lower optim.lr, or set "
                       "optim.skip_nonfinite to skip a few bad steps)");
}

}  // namespace r1::train
