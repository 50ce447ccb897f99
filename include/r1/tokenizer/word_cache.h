// A bounded cache from a pre-token's bytes to its BPE ids, safe to use from several threads at once
// (shared lock to read, exclusive to insert; emptied when full so it follows the text being encoded).
#pragma once
#include <cstddef>
#include <deque>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace r1 {

class WordCache {
 public:
  explicit WordCache(size_t capacity) : capacity_(capacity) {}

  // Appends the cached ids of `word` to `out`; false when it is not cached.
  bool find(std::string_view word, std::vector<int>& out) const;
  // Caches `ids` for `word` (a no-op when already present).
  void insert(std::string_view word, const int* ids, size_t count);
  size_t size() const;

 private:
  struct Span {
    size_t offset, count;  // into ids_
  };
  mutable std::shared_mutex mutex_;
  std::deque<std::string> keys_;  // owns the bytes the map's keys view
  std::unordered_map<std::string_view, Span> map_;
  std::vector<int> ids_;
  size_t capacity_;
};

}  // namespace r1
