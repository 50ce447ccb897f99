// What data-parallel training needs on top of a Comm: averaged gradients, reduced scalars and flags, parameters
// broadcast from rank 0, a parameter-identity check across ranks, and strings gathered in rank order.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "r1/dist/comm.h"

namespace r1::dist {

using NamedParams = std::vector<std::pair<std::string, torch::Tensor>>;

// Replaces every parameter's gradient by its mean over ranks (a parameter without a gradient counts as zeros and
// gets one). A no-op for a single process.
void all_reduce_mean_grads(Comm& comm, const std::vector<torch::Tensor>& params);

// In place: each value becomes its sum (max) over ranks, in float64.
void all_reduce_sum(Comm& comm, std::vector<double>& values);
void all_reduce_max(Comm& comm, std::vector<double>& values);

// Sets every rank's parameters to root's.
void broadcast_parameters(Comm& comm, const std::vector<torch::Tensor>& params, int root = 0);

// FNV-1a over the bytes of each parameter (moved to the CPU), one hash per parameter.
std::vector<std::uint64_t> parameter_hashes(const NamedParams& params);

// Compares parameter hashes across ranks; throws RuntimeFailure naming the first parameter and the ranks whose
// copy differs from rank 0's. `when` says where in training (e.g. "after step 3").
void check_in_sync(Comm& comm, const NamedParams& params, const std::string& when);

// Every rank's items, concatenated in rank order (so contiguous shards come back in global order).
std::vector<std::string> all_gather_strings(Comm& comm, const std::vector<std::string>& mine);

}  // namespace r1::dist
