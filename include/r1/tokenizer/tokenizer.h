// The tokenizer of a model: a Hugging Face tokenizer.json (byte-level BPE: Qwen2/2.5, Llama 3.x,
// DeepSeek-R1-Distill; see hf_tokenizer.h) or a SentencePiece tokenizer.model (Llama 2, Mistral, r1's own tiny
// models). A directory holding both loads tokenizer.json, as Hugging Face's fast tokenizers do. Special ids
// (bos/eos/pad), pieces, the files a checkpoint carries, the chat template; and SentencePiece training.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "r1/config/tokenizer_config.h"

namespace r1 {

class HfTokenizer;

// Tags that must be single tokens (r1's own tokenizers).
inline const std::vector<std::string> kReasoningTags = {"<think>", "</think>", "<answer>", "</answer>"};

// File name -> bytes: the tokenizer files a checkpoint directory holds (tokenizer.model; or tokenizer.json with
// tokenizer_config.json and chat_template.jinja when the model has them).
using TokenizerFiles = std::map<std::string, std::string>;

class Tokenizer {
 public:
  enum class Kind { kSentencePiece, kHfBpe };

  // A directory (tokenizer.json wins over tokenizer.model), or a tokenizer.json / tokenizer.model file.
  // Throws InputError naming the path when there is none or it is not a valid tokenizer.
  static Tokenizer load(const std::string& path);
  // From the files of a checkpoint directory `dir` (named in errors).
  static Tokenizer from_files(const TokenizerFiles& files, const std::string& dir);
  // A SentencePiece model from serialized ModelProto bytes; `source` names them in errors.
  static Tokenizer from_bytes(const std::string& bytes, const std::string& source);

  // Text to ids, adding no BOS/EOS (HF: encode(text, add_special_tokens=False); special tokens written in the
  // text are recognised). InputError for text that is not valid UTF-8 (HF tokenizers).
  std::vector<int> encode(const std::string& text) const;
  // With the tokenizer's own special tokens added (HF: add_special_tokens=True, e.g. Llama 3's BOS; SentencePiece:
  // BOS first when the model has one).
  std::vector<int> encode_with_special_tokens(const std::string& text) const;
  // Ids to text; special / control tokens are left out unless keep_special.
  std::string decode(const std::vector<int>& ids, bool keep_special = false) const;
  // Text of one piece as it appears in decoded text (the raw bytes of a byte-level token, possibly a partial UTF-8
  // sequence; SentencePiece: "▁" -> " ", byte pieces -> their byte; control pieces -> "").
  std::string piece_text(int id) const;
  // The piece as the vocabulary spells it ("Ġthe", "▁the", "<|im_end|>"); "" for an unknown id.
  std::string id_to_piece(int id) const;
  // Id of an exact piece, or -1.
  int piece_to_id(const std::string& piece) const;

  Kind kind() const { return hf_ ? Kind::kHfBpe : Kind::kSentencePiece; }
  int vocab_size() const { return vocab_size_; }
  int bos_id() const { return bos_; }
  int eos_id() const { return eos_; }  // -1: a tokenizer.json without one (models refuse it: train/model_bundle)
  // Every id that ends generation: eos_id() first, then the model's other eos ids in the order they were added
  // (config.json and generation_config.json eos_token_id; train::load_model adds them), no repeats.
  std::vector<int> eos_ids() const;
  bool is_eos(int id) const;
  // Adds stop ids beyond eos_id() (not part of files(): same_as ignores them); ids already present are skipped.
  void add_eos_ids(const std::vector<int>& ids);
  // Padding id: the model's pad if it has one, else eos.
  int pad_id() const { return pad_; }
  int unk_id() const { return unk_; }
  // The checkpoint's own chat template ("" when none; SentencePiece tokenizers have none).
  const std::string& chat_template() const;
  // The special tokens' text ("" when absent), as chat templates receive them.
  std::string bos_token() const { return bos_ >= 0 ? id_to_piece(bos_) : ""; }
  std::string eos_token() const { return eos_ >= 0 ? id_to_piece(eos_) : ""; }
  // The files this tokenizer was loaded from; two tokenizers are the same when these are.
  const TokenizerFiles& files() const { return files_; }
  bool same_as(const Tokenizer& other) const { return files_ == other.files_; }

 private:
  struct Handle;
  std::shared_ptr<Handle> handle_;           // SentencePiece
  std::shared_ptr<const HfTokenizer> hf_;    // tokenizer.json
  TokenizerFiles files_;
  int vocab_size_ = 0, bos_ = -1, eos_ = -1, pad_ = -1, unk_ = -1;
  std::vector<int> extra_eos_;  // stop ids besides eos_ (add_eos_ids)
  std::vector<std::string> piece_text_;  // cached decoded text per id
};

// Trains a SentencePiece model on `corpus_file` (one sentence per line) into `out_dir`/tokenizer.model,
// with the reasoning tags as user-defined symbols; returns the loaded tokenizer. Single-threaded and seeded,
// so the same corpus and seed give the same model.
Tokenizer train_tokenizer(const std::string& corpus_file, const config::TokenizerConfig& cfg,
                          const std::string& out_dir, std::uint64_t seed = 0);

}  // namespace r1
