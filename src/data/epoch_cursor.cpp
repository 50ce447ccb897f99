// Seeded epoch cursor.
#include "r1/data/epoch_cursor.h"

#include <numeric>

#include "r1/util/error.h"
#include "r1/util/rng.h"

namespace r1 {

EpochCursor::EpochCursor(size_t n, std::uint64_t seed, const std::string& what, bool shuffle)
    : order_(n), seed_(seed), shuffle_(shuffle) {
  if (n == 0) throw InputError(what + " is empty: nothing to train on");
  reorder();
}

void EpochCursor::reorder() {
  std::iota(order_.begin(), order_.end(), 0);
  if (shuffle_) {
    Rng rng(derive_seed(seed_, "epoch-" + std::to_string(epoch_)));
    rng.shuffle(order_);
  }
}

std::vector<size_t> EpochCursor::next(size_t k) {
  std::vector<size_t> out;
  out.reserve(k);
  while (out.size() < k) {
    if (position_ == order_.size()) {
      ++epoch_;
      position_ = 0;
      reorder();
    }
    out.push_back(order_[position_++]);
  }
  return out;
}

Json EpochCursor::state() const { return Json{{"epoch", epoch_}, {"position", position_}}; }

void EpochCursor::restore(const Json& state) {
  if (!state.is_object() || !state.contains("epoch") || !state["epoch"].is_number_integer() ||
      !state.contains("position") || !state["position"].is_number_integer())
    throw InputError("trainer_state: data cursor: expected {epoch, position} integers, got " + describe_json(state));
  epoch_ = state["epoch"].get<std::int64_t>();
  position_ = state["position"].get<size_t>();
  reorder();
  if (position_ > order_.size())
    throw InputError("trainer_state: data cursor position " + std::to_string(position_) + " exceeds the " +
                     std::to_string(order_.size()) + " items of this stage");
}

}  // namespace r1
