// Linear-probing hash tables for token ids and merge ranks.
#include "r1/tokenizer/bpe_tables.h"

#include <functional>

namespace r1 {
namespace {

// Power of two with at most half the slots used.
std::uint64_t table_size(size_t count) {
  std::uint64_t n = 16;
  while (n < 2 * static_cast<std::uint64_t>(count)) n <<= 1;
  return n;
}

// A 64-bit mixer (the splitmix64 finaliser) so that id pairs spread over the slots.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void TokenIndex::build(const std::vector<std::string>& tokens) {
  size_t count = 0;
  for (const auto& t : tokens) count += !t.empty();
  slots_.assign(table_size(count), -1);
  mask_ = slots_.size() - 1;
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (tokens[id].empty()) continue;
    std::uint64_t i = std::hash<std::string_view>()(tokens[id]) & mask_;
    while (slots_[i] >= 0) i = (i + 1) & mask_;
    slots_[i] = static_cast<std::int32_t>(id);
  }
}

int TokenIndex::find(std::string_view token, const std::vector<std::string>& tokens) const {
  if (slots_.empty()) return -1;
  std::uint64_t i = std::hash<std::string_view>()(token) & mask_;
  for (std::int32_t id = slots_[i]; id >= 0; i = (i + 1) & mask_, id = slots_[i])
    if (tokens[static_cast<size_t>(id)] == token) return id;
  return -1;
}

void MergeTable::reserve(size_t count) {
  if (table_size(count) <= slots_.size()) return;
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(table_size(count), Entry{kEmpty, 0, 0});
  mask_ = slots_.size() - 1;
  size_ = 0;
  for (const Entry& e : old)
    if (e.key != kEmpty) set(static_cast<int>(e.key >> 32), static_cast<int>(e.key & 0xffffffffu), e.rank, e.result);
}

void MergeTable::grow() { reserve(slots_.empty() ? 8 : slots_.size()); }

void MergeTable::set(int left, int right, int rank, int result) {
  if (2 * (size_ + 1) > slots_.size()) grow();
  std::uint64_t key = key_of(left, right);
  std::uint64_t i = mix(key) & mask_;
  while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
  if (slots_[i].key == kEmpty) ++size_;
  slots_[i] = Entry{key, rank, result};
}

const MergeTable::Entry* MergeTable::find(int left, int right) const {
  if (slots_.empty()) return nullptr;
  std::uint64_t key = key_of(left, right);
  for (std::uint64_t i = mix(key) & mask_;; i = (i + 1) & mask_) {
    const Entry& e = slots_[i];
    if (e.key == key) return &e;
    if (e.key == kEmpty) return nullptr;
  }
}

}  // namespace r1
