// Sampling a list of rows across the ranks of a data-parallel run: each rank generates a contiguous share of whole
// units (e.g. the k samples of one prompt) and every rank gets all completions back in row order. Each row draws from
// its own seed, so the result is what one process would sample (up to the floating-point effects of different batch
// padding).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "r1/dist/comm.h"
#include "r1/generate/sampler.h"

namespace r1::generate {

// rows.size() == seeds.size() == units * rows_per_unit. This rank samples its shard of the units in batches of at
// most batch_units units; `progress(done, total)` (optional) is told how many of its own units are done.
std::vector<Completion> sample_across_ranks(Sampler& sampler, const std::vector<std::vector<int>>& rows,
                                            const config::SamplingConfig& cfg,
                                            const std::vector<std::uint64_t>& seeds, size_t rows_per_unit,
                                            size_t batch_units, dist::Comm& comm,
                                            const std::function<void(size_t, size_t)>& progress = {});

// A completion as bytes and back, exactly (what travels between ranks; the text may be any bytes).
std::string encode_completion(const Completion& c);
Completion decode_completion(const std::string& bytes);  // RuntimeFailure on a malformed message

}  // namespace r1::generate
