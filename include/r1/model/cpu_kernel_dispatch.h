// What the hand-written CPU kernels (fused_ops.cpp, train_kernels.cpp, packed_linear.cpp) share when they decide
// whether their own loops run and how finely those loops are split across threads.
#pragma once
#include <algorithm>
#include <cstdint>

#include <torch/torch.h>

namespace r1::model::cpu {

// A CPU float32 tensor: the kernels' own loops take it; anything else goes to their ATen fallback.
inline bool is_float32(const torch::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == torch::kFloat32; }

// Items per parallel task for `work_per_item` (rough FLOPs or floats touched) each: about 32K of work a task, so
// that small loops stay on one thread.
inline int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, work_per_item));
}

}  // namespace r1::model::cpu
