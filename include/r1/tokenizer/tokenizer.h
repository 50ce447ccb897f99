// SentencePiece tokenizer: load a tokenizer.model (ours or a Hugging Face Llama one), encode/decode,
// special ids (bos/eos/pad and the reasoning tags <think> </think> <answer> </answer>), and training.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "r1/config/tokenizer_config.h"

namespace r1 {

// Tags that must be single tokens.
inline const std::vector<std::string> kReasoningTags = {"<think>", "</think>", "<answer>", "</answer>"};

class Tokenizer {
 public:
  // Loads a tokenizer.model file, or the tokenizer.model inside a checkpoint directory.
  // Throws InputError naming the path when missing or not a SentencePiece model.
  static Tokenizer load(const std::string& path);
  // From serialized ModelProto bytes; `source` names them in errors.
  static Tokenizer from_bytes(const std::string& bytes, const std::string& source);

  std::vector<int> encode(const std::string& text) const;
  std::string decode(const std::vector<int>& ids) const;
  // Text of one piece as it appears in decoded text ("▁" -> " "; byte pieces -> their byte).
  std::string piece_text(int id) const;
  std::string id_to_piece(int id) const;
  // Id of an exact piece, or -1.
  int piece_to_id(const std::string& piece) const;

  int vocab_size() const { return vocab_size_; }
  int bos_id() const { return bos_; }
  int eos_id() const { return eos_; }
  // Padding id: the model's pad if it has one, else eos.
  int pad_id() const { return pad_; }
  int unk_id() const { return unk_; }
  // Serialized model (what tokenizer.model holds).
  const std::string& bytes() const { return bytes_; }

 private:
  struct Handle;
  std::shared_ptr<Handle> handle_;
  std::string bytes_;
  int vocab_size_ = 0, bos_ = -1, eos_ = -1, pad_ = -1, unk_ = -1;
  std::vector<std::string> piece_text_;  // cached decoded text per id
};

// Trains a SentencePiece model on `corpus_file` (one sentence per line) into `out_dir`/tokenizer.model,
// with the reasoning tags as user-defined symbols; returns the loaded tokenizer. Single-threaded and seeded,
// so the same corpus and seed give the same model.
Tokenizer train_tokenizer(const std::string& corpus_file, const config::TokenizerConfig& cfg,
                          const std::string& out_dir, std::uint64_t seed = 0);

}  // namespace r1
