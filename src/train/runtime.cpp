// Device, dtype and thread resolution.
#include "r1/train/runtime.h"

#include <atomic>
#include <bitset>
#include <thread>

#include "r1/dist/world.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"

namespace r1::train {

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available())
      throw InputError("device: \"" + name + "\" was asked for, but " +
                       std::string(torch::cuda::device_count() == 0 ? "no CUDA device is visible or " : "") +
                       "this LibTorch build has no CUDA (build r1 against a CUDA LibTorch; see README \"GPU\")");
    // "cuda" in a data-parallel run: each process of a machine takes its own GPU (LOCAL_RANK).
    int index = dist::world().distributed() ? dist::world().local_rank() % static_cast<int>(torch::cuda::device_count())
                                            : 0;
    if (name.size() > 5) index = std::stoi(name.substr(5));
    if (index >= static_cast<int>(torch::cuda::device_count()))
      throw InputError("device: \"" + name + "\": only " + std::to_string(torch::cuda::device_count()) +
                       " CUDA device(s) visible");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw InputError("device: expected cpu | cuda | cuda:N, got \"" + name + "\"");
}

int set_threads(int threads) {
  // 0 = all cores, shared out between the processes of a data-parallel run on this machine.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int n = threads > 0 ? threads : std::max(1, cores / dist::local_world_size());
  if (n > cores) {  // more threads than cores only adds contention (and 100000 threads never start)
    logger()->warn("threads: {} asked for, but this machine has {} cores; using {}", n, cores, cores);
    n = cores;
  }
  at::set_num_threads(n);
  if (n > 1) {
    const int reached = parallel_for_threads();
    if (reached < n)
      logger()->warn("threads: {} asked for, but r1's kernels run on {} (built without LibTorch's parallel backend?)",
                     n, reached);
  }
  return n;
}

int parallel_for_threads() {
  const int n = std::min(64, at::get_num_threads());
  std::atomic<std::uint64_t> seen{0};  // bit i: thread i ran a part of the loop
  at::parallel_for(0, n, 1, [&](int64_t, int64_t) {
    seen.fetch_or(std::uint64_t{1} << (at::get_thread_num() % 64), std::memory_order_relaxed);
  });
  return static_cast<int>(std::bitset<64>(seen.load()).count());
}

torch::ScalarType resolve_dtype(const std::string& name) {
  if (name == "float32") return torch::kFloat32;
  if (name == "bfloat16") return torch::kBFloat16;  // CPU too (slow: ATen's bfloat16 products, no fused kernels)
  throw InputError("dtype: expected float32 | bfloat16, got \"" + name + "\"");
}

}  // namespace r1::train
