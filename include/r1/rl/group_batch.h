// The groups one GRPO step trains on, with the group / row / rank bookkeeping in one place.
//
// Rows are group-contiguous: global row r belongs to group r / G and is sample r % G of it. Each rank holds the
// rollouts of its own groups (`local`); every rank holds the statistics of every row (RowStat, all-gathered), in
// the global order a single process would hold them in. A round of rollouts deals its prompts out to the ranks in
// contiguous shares; dynamic sampling may add rounds and keep only some groups of each.
#pragma once
#include <cstddef>
#include <vector>

#include "r1/dist/comm.h"
#include "r1/rl/rollout.h"

namespace r1::rl {

// What every rank knows about every row of the global batch, wherever it was generated: its reward and verdicts
// (advantages, metrics) and how many of its tokens carry loss (normalisers).
struct RowStat {
  double reward = 0, correct = 0, formatted = 0, language = 0, length = 0, truncated = 0, active = 0;
  std::vector<double> components;  // per reward of the reward set
};

// The row stats of every rank's rollout of one round, in global order (rank r generated the r-th contiguous
// share of the round's prompts), passed as raw doubles so nothing is rounded. mask_truncated: truncated rows have
// no active tokens; n_components: the size of the reward set.
std::vector<RowStat> gather_row_stats(dist::Comm& comm, const Rollout& mine, bool mask_truncated, size_t n_components);

// The rewards of `rows`, in order.
std::vector<double> rewards_of(const std::vector<RowStat>& rows);

class GroupBatch {
 public:
  // group_size G; this rank's position; prompts_per_rank = the groups each rank samples per round.
  GroupBatch(int group_size, int rank, int world_size, int prompts_per_rank);

  // Adds one round: `mine` is this rank's rollout of its share, `stats` the round's rows of every rank (global
  // order), keep[k] whether the round's group k enters the batch.
  void add_round(Rollout&& mine, const std::vector<RowStat>& stats, const std::vector<bool>& keep);
  // Keeps the first `groups` groups in global order (this rank's survivors are a prefix of its groups).
  void truncate(size_t groups);

  int group_size() const { return group_size_; }
  size_t groups() const { return owner_.size(); }
  size_t rows() const { return stats_.size(); }                  // global
  size_t local_rows() const { return local_.samples.size(); }    // this rank's
  const std::vector<RowStat>& stats() const { return stats_; }   // per global row
  // Every row of the first round, kept or not: what the policy sampled (the step's metrics describe these).
  const std::vector<RowStat>& first_round() const { return first_round_; }
  const Rollout& local() const { return local_; }

  // The global row of this rank's local row `local` (local rows are this rank's groups, group-contiguous).
  size_t global_row(size_t local) const;
  // The global rows of group k.
  std::vector<size_t> rows_of_group(size_t k) const;
  // The local rows of this rank among `global_rows` (e.g. a minibatch), in their order.
  std::vector<size_t> local_rows_of(const std::vector<size_t>& global_rows) const;

 private:
  void index_local_rows();

  int group_size_, rank_, prompts_per_rank_;
  Rollout local_;
  int rounds_ = 0;
  std::vector<RowStat> first_round_;
  std::vector<RowStat> stats_;          // group_size per group, global order
  std::vector<int> owner_;              // per group: the rank holding its rollout
  std::vector<size_t> local_group_;     // per group: its index among its owner's groups
  std::vector<size_t> kept_per_rank_;   // groups each rank holds so far
  std::vector<size_t> global_of_local_; // per local row
};

}  // namespace r1::rl
