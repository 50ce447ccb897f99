// The "model" of a byte-level BPE tokenizer.json: vocabulary, merge ranks, and the merge loop that turns one
// pre-token into ids (a rank-ordered heap over a linked list of symbols: O(n log n) in the pre-token's length),
// with a bounded cache of pre-token results shared by threads.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "r1/tokenizer/bpe_tables.h"
#include "r1/tokenizer/word_cache.h"

namespace r1 {

class BpeModel {
 public:
  BpeModel() = default;
  BpeModel(BpeModel&&) = default;
  BpeModel& operator=(BpeModel&&) = default;
  BpeModel(const BpeModel&) = delete;  // large: share it instead
  BpeModel& operator=(const BpeModel&) = delete;

  // From the "model" value. InputError naming `file` and the key for other model types (WordPiece, Unigram,
  // WordLevel), unsupported options (byte_fallback, dropout, subword prefix/suffix) and inconsistent merges.
  static BpeModel from_json(const nlohmann::json& model, const std::string& file);

  // Appends the ids of one pre-token given as raw bytes.
  void encode_word(std::string_view word, std::vector<int>& out) const;

  // Id of a vocabulary string ("Ġthe"), or -1.
  int token_to_id(std::string_view token) const { return index_.find(token, tokens_); }
  // Vocabulary string of `id`, "" when the id is not in the vocabulary.
  const std::string& token(int id) const;
  // Bytes `id` stands for (HF's ByteLevel decoder rule), "" when the id is not in the vocabulary.
  const std::string& token_bytes(int id) const;
  // Highest vocabulary id + 1.
  int id_end() const { return static_cast<int>(tokens_.size()); }
  bool ignore_merges() const { return ignore_merges_; }

 private:
  void read_vocab(const nlohmann::json& vocab, const std::string& file);
  void read_merges(const nlohmann::json& merges, const std::string& file);
  void merge_word(std::string_view word, std::vector<int>& out) const;

  std::vector<std::string> tokens_;  // by id ("" for holes)
  std::vector<std::string> bytes_;   // by id
  TokenIndex index_;                 // token string -> id, over tokens_
  MergeTable merges_;
  std::array<int, 256> byte_ids_{};  // id of each single-byte symbol, or -1
  int unk_id_ = -1;
  bool fuse_unk_ = false;
  bool ignore_merges_ = false;
  std::shared_ptr<WordCache> cache_;
};

}  // namespace r1
