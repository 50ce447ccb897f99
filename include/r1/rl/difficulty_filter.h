// Online difficulty filtering for GRPO (prompts.filter): remembers each prompt's recent group accuracy and skips,
// when drawing a step's prompts, those whose recent pass rate lies outside [min_pass_rate, max_pass_rate] — a
// prompt every sample solves (or none does) gives a zero-variance group and no learning signal. Its memory is
// trainer state, so a resumed run skips exactly what the uninterrupted run would.
#pragma once
#include <cstddef>
#include <deque>
#include <map>
#include <vector>

#include "r1/config/prompt_source_config.h"
#include "r1/data/epoch_cursor.h"
#include "r1/io/jsonl.h"

namespace r1::rl {

class DifficultyFilter {
 public:
  DifficultyFilter() = default;
  explicit DifficultyFilter(const config::PromptFilterConfig& cfg) : cfg_(cfg) {}

  bool enabled() const { return cfg_.enabled(); }
  // False only for a prompt seen before whose mean accuracy over its last `window` groups is outside the band.
  bool eligible(size_t prompt) const;
  // Adds one group's accuracy (fraction of its samples judged correct) to the prompt's history.
  void record(size_t prompt, double pass_rate);

  // The next k eligible prompt indices from `cursor` (every index when the filter is off); `skipped` counts the
  // ineligible ones passed over. Throws r1::InputError when a whole pool's worth of draws is skipped (the band
  // leaves too few prompts), naming the band and what to change.
  std::vector<size_t> draw(EpochCursor& cursor, size_t k, size_t& skipped) const;

  Json state() const;                // {"<prompt index>": [pass rates, oldest first], ...}
  void restore(const Json& state);   // InputError on a malformed state

 private:
  config::PromptFilterConfig cfg_;
  std::map<size_t, std::deque<double>> history_;
};

}  // namespace r1::rl
