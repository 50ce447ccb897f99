// RAII autocast for a forward pass (see autocast_scope.h).
#include "r1/model/autocast_scope.h"

#include <ATen/autocast_mode.h>

#include <stdexcept>

namespace r1::model {

AutocastScope::AutocastScope(torch::ScalarType dtype, const torch::Device& device) {
  if (dtype == torch::kFloat32) return;
  if (dtype != torch::kBFloat16)
    throw std::logic_error(std::string("AutocastScope: compute dtype must be float32 or bfloat16, got ") +
                           c10::toString(dtype));
  active_ = true;
  cuda_ = device.is_cuda();
  if (cuda_) {
    was_enabled_ = at::autocast::is_enabled();
    was_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_autocast_gpu_dtype(torch::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled();
    was_dtype_ = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_autocast_cpu_dtype(torch::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(was_dtype_);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(was_dtype_);
  }
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
}

bool AutocastScope::cpu_active() { return at::autocast::is_cpu_enabled(); }

}  // namespace r1::model
