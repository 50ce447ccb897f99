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

class CompletionJournal;

// The same, with a journal: this rank's finished batches are appended to `journal` and those it already holds are
// not sampled again (resume after a stop or a crash). Between batches a stop request throws Interrupted naming
// `what`, after the finished batches are journaled. The overload above also stops between batches (no journal).
struct ShardedSamplingOptions {
  size_t rows_per_unit = 1;
  size_t batch_units = 1;
  std::string what = "sampling";               // for the stop message, e.g. "[cold] sampling"
  CompletionJournal* journal = nullptr;        // optional
  std::function<void(size_t, size_t)> progress;
};
std::vector<Completion> sample_across_ranks(Sampler& sampler, const std::vector<std::vector<int>>& rows,
                                            const config::SamplingConfig& cfg,
                                            const std::vector<std::uint64_t>& seeds,
                                            const ShardedSamplingOptions& opts, dist::Comm& comm);

// A completion as bytes and back, exactly (what travels between ranks; the text may be any bytes).
std::string encode_completion(const Completion& c);
Completion decode_completion(const std::string& bytes);  // RuntimeFailure on a malformed message

}  // namespace r1::generate
