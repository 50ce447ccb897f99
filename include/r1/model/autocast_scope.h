// The compute dtype of a forward pass: with bfloat16, LibTorch's autocast runs the matmuls (linear, matmul, bmm)
// in bfloat16 on the device's autocast key, while the parameters (the float32 master weights the optimizer
// updates) and everything autocast leaves alone (embedding lookups, RMSNorm, softmax, the residual stream, and
// whatever r1 casts to float32 itself: log-softmax, log-probs, losses) stay float32. float32: nothing changes.
#pragma once
#include <torch/torch.h>

namespace r1::model {

class AutocastScope {
 public:
  // Enables autocast to `dtype` for `device`'s type until destruction (float32: does nothing). Nested scopes are
  // fine; the outermost one clears autocast's cache of weight casts, so a later optimizer step is never missed.
  AutocastScope(torch::ScalarType dtype, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

  // Whether a CPU autocast scope is open (r1's float32-only CPU kernels then step aside for ATen's).
  static bool cpu_active();

 private:
  bool active_ = false, cuda_ = false, was_enabled_ = false;
  torch::ScalarType was_dtype_ = torch::kFloat32;
};

}  // namespace r1::model
