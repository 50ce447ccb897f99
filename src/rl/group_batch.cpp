// Group bookkeeping of a GRPO step: row statistics gathered over ranks, groups kept per round, row mappings.
#include "r1/rl/group_batch.h"

#include <cstring>

#include "r1/dist/collectives.h"

namespace r1::rl {

namespace {
constexpr size_t kFixedFields = 7;  // reward .. active, then the reward components
}  // namespace

std::vector<RowStat> gather_row_stats(dist::Comm& comm, const Rollout& mine, bool mask_truncated, size_t n_comp) {
  const size_t row_width = kFixedFields + n_comp;
  std::vector<double> flat;
  flat.reserve(mine.samples.size() * row_width);
  for (const auto& s : mine.samples) {
    const double len = static_cast<double>(s.completion.tokens.size());
    const bool truncated = s.completion.truncated();
    flat.insert(flat.end(), {s.outcome.total, s.outcome.correct ? 1.0 : 0.0, s.outcome.formatted ? 1.0 : 0.0,
                             s.outcome.language_consistency, len, truncated ? 1.0 : 0.0,
                             mask_truncated && truncated ? 0.0 : len});
    flat.insert(flat.end(), s.outcome.components.begin(), s.outcome.components.end());
  }
  std::string bytes(reinterpret_cast<const char*>(flat.data()), flat.size() * sizeof(double));
  std::vector<RowStat> out;
  for (const auto& part : dist::all_gather_strings(comm, {bytes})) {
    std::vector<double> v(part.size() / sizeof(double));
    std::memcpy(v.data(), part.data(), v.size() * sizeof(double));
    for (size_t i = 0; i + row_width <= v.size(); i += row_width) {
      RowStat r{v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], {}};
      r.components.assign(v.begin() + static_cast<std::ptrdiff_t>(i + kFixedFields),
                          v.begin() + static_cast<std::ptrdiff_t>(i + row_width));
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<double> rewards_of(const std::vector<RowStat>& rows) {
  std::vector<double> r;
  r.reserve(rows.size());
  for (const auto& x : rows) r.push_back(x.reward);
  return r;
}

GroupBatch::GroupBatch(int group_size, int rank, int world_size, int prompts_per_rank)
    : group_size_(group_size), rank_(rank), prompts_per_rank_(prompts_per_rank), kept_per_rank_(world_size, 0) {
  local_.group_size = group_size;
}

void GroupBatch::add_round(Rollout&& mine, const std::vector<RowStat>& stats, const std::vector<bool>& keep) {
  const size_t g = static_cast<size_t>(group_size_);
  if (rounds_++ == 0) first_round_ = stats;
  std::vector<size_t> mine_kept;
  for (size_t k = 0; k < keep.size(); ++k) {
    if (!keep[k]) continue;
    const int owner = static_cast<int>(k) / prompts_per_rank_;
    owner_.push_back(owner);
    local_group_.push_back(kept_per_rank_[owner]++);
    stats_.insert(stats_.end(), stats.begin() + k * g, stats.begin() + (k + 1) * g);
    if (owner == rank_) mine_kept.push_back(k - static_cast<size_t>(rank_) * prompts_per_rank_);
  }
  mine.keep_groups(mine_kept);
  local_.append(std::move(mine));
  index_local_rows();
}

void GroupBatch::truncate(size_t groups) {
  if (groups >= owner_.size()) return;
  owner_.resize(groups);
  local_group_.resize(groups);
  stats_.resize(groups * group_size_);
  std::vector<size_t> mine_kept;
  for (size_t k = 0; k < owner_.size(); ++k)
    if (owner_[k] == rank_) mine_kept.push_back(local_group_[k]);
  local_.keep_groups(mine_kept);
  index_local_rows();
}

void GroupBatch::index_local_rows() {
  const size_t g = static_cast<size_t>(group_size_);
  global_of_local_.assign(local_.samples.size(), 0);
  for (size_t k = 0; k < owner_.size(); ++k)
    if (owner_[k] == rank_)
      for (size_t j = 0; j < g; ++j) global_of_local_[local_group_[k] * g + j] = k * g + j;
}

size_t GroupBatch::global_row(size_t local) const { return global_of_local_.at(local); }

std::vector<size_t> GroupBatch::rows_of_group(size_t k) const {
  std::vector<size_t> rows;
  for (int j = 0; j < group_size_; ++j) rows.push_back(k * group_size_ + j);
  return rows;
}

std::vector<size_t> GroupBatch::local_rows_of(const std::vector<size_t>& global_rows) const {
  const size_t g = static_cast<size_t>(group_size_);
  std::vector<size_t> mine;
  for (size_t r : global_rows) {
    const size_t k = r / g;
    if (owner_.at(k) == rank_) mine.push_back(local_group_[k] * g + r % g);
  }
  return mine;
}

}  // namespace r1::rl
