// Walks indices [0, n) in seeded shuffled epochs. Its position ({epoch, position}) is part of trainer state,
// so a resumed run draws exactly what the uninterrupted run would have drawn.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "r1/io/jsonl.h"

namespace r1 {

class EpochCursor {
 public:
  // n > 0 (InputError naming `what` otherwise); shuffle=false walks in order.
  EpochCursor(size_t n, std::uint64_t seed, const std::string& what, bool shuffle = true);
  // The next k indices, crossing into a freshly shuffled epoch when the current one ends.
  std::vector<size_t> next(size_t k);
  std::int64_t epoch() const { return epoch_; }
  size_t position() const { return position_; }
  size_t size() const { return order_.size(); }
  Json state() const;
  void restore(const Json& state);  // InputError on malformed state

 private:
  void reorder();
  std::vector<size_t> order_;
  std::uint64_t seed_;
  bool shuffle_;
  std::int64_t epoch_ = 0;
  size_t position_ = 0;
};

}  // namespace r1
