// Flat open-addressing hash tables behind the BPE model: token string -> id (keys live in the model's token
// array) and (left id, right id) -> merge rank and result. One probe sequence in one array each, so a lookup
// costs about one cache miss, which is what the merge loop and loading spend their time on.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

// Maps a token string to its id; the strings themselves stay in the caller's `tokens` (indexed by id), passed
// again to each lookup.
class TokenIndex {
 public:
  void build(const std::vector<std::string>& tokens);  // every non-empty entry is indexed
  // Id of `token` in the `tokens` the index was built from; -1 when absent.
  int find(std::string_view token, const std::vector<std::string>& tokens) const;

 private:
  std::vector<std::int32_t> slots_;  // id, or -1 for an empty slot
  std::uint64_t mask_ = 0;
};

class MergeTable {
 public:
  struct Entry {
    std::uint64_t key;  // left << 32 | right; kEmpty when unused
    std::int32_t rank;
    std::int32_t result;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  void reserve(size_t count);
  // Sets the merge of (left, right); a pair given again takes the new rank and result.
  void set(int left, int right, int rank, int result);
  const Entry* find(int left, int right) const;  // nullptr when the pair does not merge
  size_t size() const { return size_; }

 private:
  static std::uint64_t key_of(int left, int right) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) | static_cast<std::uint32_t>(right);
  }
  void grow();
  std::vector<Entry> slots_;
  std::uint64_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace r1
