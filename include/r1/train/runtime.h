// Process-wide runtime settings: the compute device from its name (a clear error when CUDA is asked for but
// missing) and the intra-op thread count (0 = all cores).
#pragma once
#include <string>

#include <torch/torch.h>

namespace r1::train {

// "cpu" | "cuda" | "cuda:N" -> a device; InputError when CUDA is unavailable or N is out of range. In a data-parallel
// run "cuda" means this process's GPU, cuda:(LOCAL_RANK mod the visible devices).
torch::Device resolve_device(const std::string& name);

// Sets LibTorch's intra-op threads (0 = hardware concurrency, divided by the processes of a data-parallel run on this
// machine); returns the number set.
int set_threads(int threads);

// How many threads an at::parallel_for in r1's own code runs on now: at::get_num_threads() when r1 was built with
// LibTorch's parallel backend (OpenMP here), 1 when it was not (the loop then runs serially, whatever the thread
// setting says). set_threads warns when the two differ.
int parallel_for_threads();

// "float32" | "bfloat16" -> the compute dtype of the training forwards (bfloat16: autocast over float32 master
// weights, on CPU and CUDA).
torch::ScalarType resolve_dtype(const std::string& name);

}  // namespace r1::train
