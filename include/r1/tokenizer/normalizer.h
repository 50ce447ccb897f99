// The tokenizer.json normalizers byte-level BPE files use: none, NFC, and a Sequence of those.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace r1 {

class Normalizer {
 public:
  // From the "normalizer" value (null = none). InputError naming `file` for other types (NFKC, Lowercase, ...).
  static Normalizer from_json(const nlohmann::json& spec, const std::string& file);

  bool is_identity() const { return !nfc_; }
  // `text` (valid UTF-8) normalized.
  std::string apply(std::string_view text) const;

 private:
  bool nfc_ = false;
};

}  // namespace r1
