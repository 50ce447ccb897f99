// The parts of a Hugging Face tokenizer_config.json the tokenizer uses: special tokens (a string or an
// AddedToken object, null = none), add_bos_token/add_eos_token, added_tokens_decoder and the chat template.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "r1/tokenizer/added_tokens.h"

namespace r1 {

// One special-token key ("bos_token", ...).
struct ConfigSpecialToken {
  explicit ConfigSpecialToken(std::string name) : key(std::move(name)) {}
  std::string key;
  bool present = false;  // the key is in the file (a null value included)
  bool is_null = false;  // present with the value null: no such token
  AddedToken token;      // content and flags when present and not null
};

struct HfTokenizerConfig {
  // In transformers' order (bos, eos, unk, sep, pad, cls, mask), then additional_special_tokens.
  ConfigSpecialToken bos{"bos_token"}, eos{"eos_token"}, unk{"unk_token"}, sep{"sep_token"}, pad{"pad_token"},
      cls{"cls_token"}, mask{"mask_token"};
  std::vector<AddedToken> additional_special_tokens;
  std::vector<AddedToken> added_tokens_decoder;  // with their ids, by ascending id
  std::optional<bool> add_bos_token, add_eos_token;
  std::string chat_template;  // "" when none

  // The special tokens the config names (not null), in transformers' order, duplicates left in.
  std::vector<AddedToken> named_special_tokens() const;

  // Parses the file's text; "" gives the empty config. InputError naming `file` and the key when malformed.
  static HfTokenizerConfig parse(const std::string& text, const std::string& file);
};

}  // namespace r1
