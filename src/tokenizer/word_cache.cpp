// The bounded, thread-safe pre-token -> ids cache.
#include "r1/tokenizer/word_cache.h"

#include <mutex>

namespace r1 {

bool WordCache::find(std::string_view word, std::vector<int>& out) const {
  std::shared_lock lock(mutex_);
  auto it = map_.find(word);
  if (it == map_.end()) return false;
  out.insert(out.end(), ids_.begin() + static_cast<std::ptrdiff_t>(it->second.offset),
             ids_.begin() + static_cast<std::ptrdiff_t>(it->second.offset + it->second.count));
  return true;
}

void WordCache::insert(std::string_view word, const int* ids, size_t count) {
  std::unique_lock lock(mutex_);
  if (map_.count(word)) return;
  if (map_.size() >= capacity_) {
    map_.clear();
    keys_.clear();
    ids_.clear();
  }
  keys_.emplace_back(word);
  map_.emplace(keys_.back(), Span{ids_.size(), count});
  ids_.insert(ids_.end(), ids, ids + count);
}

size_t WordCache::size() const {
  std::shared_lock lock(mutex_);
  return map_.size();
}

}  // namespace r1
