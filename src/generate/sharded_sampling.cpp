// Sampling rows across ranks and gathering the completions in order.
#include "r1/generate/sharded_sampling.h"

#include <algorithm>
#include <cstring>

#include "r1/dist/collectives.h"
#include "r1/dist/shard.h"
#include "r1/generate/completion_journal.h"
#include "r1/util/error.h"
#include "r1/util/logging.h"
#include "r1/util/signals.h"

namespace r1::generate {

namespace {
template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T take(const std::string& in, size_t& pos) {
  if (pos + sizeof(T) > in.size()) throw RuntimeFailure("decode_completion: truncated message");
  T v{};
  std::memcpy(&v, in.data() + pos, sizeof v);
  pos += sizeof v;
  return v;
}
}  // namespace

std::string encode_completion(const Completion& c) {
  std::string out;
  put<std::uint64_t>(out, c.tokens.size());
  out.append(reinterpret_cast<const char*>(c.tokens.data()), c.tokens.size() * sizeof(int));
  put<std::uint64_t>(out, c.logprobs.size());
  out.append(reinterpret_cast<const char*>(c.logprobs.data()), c.logprobs.size() * sizeof(float));
  put<std::uint64_t>(out, c.text.size());
  out += c.text;
  put<std::uint8_t>(out, static_cast<std::uint8_t>(c.finish));
  return out;
}

Completion decode_completion(const std::string& bytes) {
  Completion c;
  size_t pos = 0;
  auto block = [&](size_t elem) {
    auto n = take<std::uint64_t>(bytes, pos);
    if (n > bytes.size() || pos + n * elem > bytes.size()) throw RuntimeFailure("decode_completion: truncated message");
    size_t at = pos;
    pos += n * elem;
    return std::make_pair(at, static_cast<size_t>(n));
  };
  auto [tok_at, n_tok] = block(sizeof(int));
  c.tokens.resize(n_tok);
  std::memcpy(c.tokens.data(), bytes.data() + tok_at, n_tok * sizeof(int));
  auto [lp_at, n_lp] = block(sizeof(float));
  c.logprobs.resize(n_lp);
  std::memcpy(c.logprobs.data(), bytes.data() + lp_at, n_lp * sizeof(float));
  auto [text_at, n_text] = block(1);
  c.text.assign(bytes.data() + text_at, n_text);
  auto finish = take<std::uint8_t>(bytes, pos);
  if (finish > static_cast<std::uint8_t>(FinishReason::kLength) || pos != bytes.size())
    throw RuntimeFailure("decode_completion: malformed message");
  c.finish = static_cast<FinishReason>(finish);
  return c;
}

std::vector<Completion> sample_across_ranks(Sampler& sampler, const std::vector<std::vector<int>>& rows,
                                            const config::SamplingConfig& cfg,
                                            const std::vector<std::uint64_t>& seeds, size_t rows_per_unit,
                                            size_t batch_units, dist::Comm& comm,
                                            const std::function<void(size_t, size_t)>& progress) {
  ShardedSamplingOptions opts;
  opts.rows_per_unit = rows_per_unit;
  opts.batch_units = batch_units;
  opts.progress = progress;
  return sample_across_ranks(sampler, rows, cfg, seeds, opts, comm);
}

std::vector<Completion> sample_across_ranks(Sampler& sampler, const std::vector<std::vector<int>>& rows,
                                            const config::SamplingConfig& cfg,
                                            const std::vector<std::uint64_t>& seeds,
                                            const ShardedSamplingOptions& opts, dist::Comm& comm) {
  const size_t rows_per_unit = opts.rows_per_unit, batch_units = opts.batch_units;
  if (rows_per_unit == 0 || batch_units == 0 || rows.size() % rows_per_unit != 0 || seeds.size() != rows.size())
    throw RuntimeFailure("sample_across_ranks: " + std::to_string(rows.size()) + " rows, " +
                         std::to_string(seeds.size()) + " seeds do not form units of " + std::to_string(rows_per_unit));
  const size_t units = rows.size() / rows_per_unit;
  const auto shard = dist::shard_range(units, comm.rank(), comm.world_size());
  std::vector<Completion> mine = opts.journal ? opts.journal->load() : std::vector<Completion>{};
  const size_t resumed_units = mine.size() / rows_per_unit;
  if (mine.size() % rows_per_unit != 0 || resumed_units > shard.size())
    throw RuntimeFailure(opts.journal->path() + ": holds " + std::to_string(mine.size()) +
                         " completions, which is not whole units of this rank's share; delete it to start over");
  if (resumed_units > 0) {
    logger()->info("{}: resuming after {} of {} units (journal {})", opts.what, resumed_units, shard.size(),
                   opts.journal->path());
    if (opts.progress) opts.progress(resumed_units, shard.size());
  }
  for (size_t u = shard.begin + resumed_units; u < shard.end; u += batch_units) {
    if (stop_requested())  // the message is built only when it is needed
      throw_if_stop_requested(opts.what + " stopped after " + std::to_string(u - shard.begin) + " of " +
                              std::to_string(shard.size()) + " units" +
                              (opts.journal ? " (finished batches kept in " + opts.journal->path() + ")" : ""));
    const size_t u_end = std::min(shard.end, u + batch_units);
    std::vector<std::vector<int>> batch(rows.begin() + u * rows_per_unit, rows.begin() + u_end * rows_per_unit);
    std::vector<std::uint64_t> batch_seeds(seeds.begin() + u * rows_per_unit, seeds.begin() + u_end * rows_per_unit);
    auto outs = sampler.generate(batch, cfg, batch_seeds);
    if (opts.journal) opts.journal->append(outs);
    for (auto& c : outs) mine.push_back(std::move(c));
    if (opts.progress) opts.progress(u_end - shard.begin, shard.size());
  }
  if (!comm.distributed()) return mine;
  std::vector<std::string> texts;
  texts.reserve(mine.size());
  for (const auto& c : mine) texts.push_back(encode_completion(c));
  std::vector<Completion> all;
  all.reserve(rows.size());
  for (const auto& t : dist::all_gather_strings(comm, texts)) all.push_back(decode_completion(t));
  if (all.size() != rows.size())
    throw RuntimeFailure("sample_across_ranks: gathered " + std::to_string(all.size()) + " completions for " +
                         std::to_string(rows.size()) + " rows");
  return all;
}

}  // namespace r1::generate
