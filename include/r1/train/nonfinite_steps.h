// What a training step with a non-finite loss or gradient does: with `skip_nonfinite: N` the first N such steps
// are skipped (no optimizer update, a warning naming the step); past that, or with N = 0, the stage stops with a
// message naming the step, before the bad update, so the last checkpoint stays clean.
#pragma once
#include <cstdint>
#include <string>

namespace r1::train {

class NonfiniteSteps {
 public:
  NonfiniteSteps(std::string stage, int allowed, int already_skipped = 0)
      : stage_(std::move(stage)), allowed_(allowed), skipped_(already_skipped) {}
  // Call when step `step` (1-based) had a non-finite loss or gradient. Returns normally when the step is to be
  // skipped; throws RuntimeFailure when the allowance is used up.
  void on_bad_step(std::int64_t step, double loss);
  int skipped() const { return skipped_; }
  int allowed() const { return allowed_; }

 private:
  std::string stage_;
  int allowed_;
  int skipped_;
};

}  // namespace r1::train
