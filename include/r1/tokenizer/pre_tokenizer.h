// The tokenizer.json pre-tokenizers of byte-level BPE files: Split (regex or string, Isolated), ByteLevel
// (optional prefix space, optional GPT-2 regex) and Sequences of those; they cut text into the words BPE sees.
#pragma once
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "r1/tokenizer/regex_split.h"

namespace r1 {

// The pre-tokens of one text: views into that text, or into `storage` for pieces that got a prefix space.
struct PreTokens {
  std::vector<std::string_view> pieces;
  std::deque<std::string> storage;
  void clear() {
    pieces.clear();
    storage.clear();
  }
};

// GPT-2's pre-tokenizer regex, what ByteLevel uses when "use_regex" is true.
extern const char* const kGpt2SplitRegex;

class PreTokenizer {
 public:
  // From the "pre_tokenizer" value (null = the whole text is one word). InputError naming `file` and the key
  // for unsupported types (Metaspace, Whitespace, ...) or options (behaviours other than Isolated, invert).
  static PreTokenizer from_json(const nlohmann::json& spec, const std::string& file);

  // Whether a ByteLevel step is present (the vocabulary is then in the byte-level alphabet).
  bool has_byte_level() const { return has_byte_level_; }

  // Replaces `out` with the non-empty pre-tokens of `text` (valid UTF-8), in order.
  void split(std::string_view text, PreTokens& out) const;

 private:
  struct Step {
    bool prefix_space = false;        // ByteLevel add_prefix_space: prepend " " to pieces not starting with one
    std::optional<RegexSplit> regex;  // Split, or ByteLevel with use_regex
  };
  void add_steps(const nlohmann::json& spec, const std::string& file, const std::string& path);

  std::vector<Step> steps_;
  bool has_byte_level_ = false;
};

}  // namespace r1
