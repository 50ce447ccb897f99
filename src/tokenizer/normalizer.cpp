// NFC normalization through utf8proc, configured from a tokenizer.json "normalizer".
#include "r1/tokenizer/normalizer.h"

#include <cstdlib>
#include <vector>

#include <utf8proc.h>

#include "r1/tokenizer/hf_json.h"
#include "r1/util/utf8.h"
#include "r1/util/error.h"

namespace r1 {
namespace {

constexpr const char* kSupported = "supported: NFC, a Sequence of NFC, or null";

void read_spec(const nlohmann::json& spec, const std::string& file, const std::string& path, bool& nfc) {
  if (spec.is_null()) return;
  std::string type = hf_json::type_of(spec, file, path);
  if (type == "NFC") {
    nfc = true;
  } else if (type == "Sequence") {
    const auto& list = hf_json::require(spec, "normalizers", file, path);
    std::string list_path = hf_json::child_path(path, "normalizers");
    if (!list.is_array()) hf_json::fail(file, list_path, "expected a list, got " + hf_json::describe(list));
    for (size_t i = 0; i < list.size(); ++i) read_spec(list[i], file, hf_json::item_path(list_path, i), nfc);
  } else {
    hf_json::fail(file, hf_json::child_path(path, "type"),
                  "unsupported normalizer type \"" + type + "\" (" + kSupported + ")");
  }
}

// Every code point below U+0300 is NFC-stable and no combining mark or composing second lies below it, so text
// without a code point >= U+0300 is already NFC.
bool surely_nfc(std::string_view text) {
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 0xCC) return false;  // a lead byte of U+0300 or above
  }
  return true;
}

constexpr char32_t kCodePoints = 0x110000;

// Code points NFC leaves alone whatever precedes them: combining class 0, no canonical decomposition, and never
// the second half of a canonical composition (nor of a Hangul LV/LVT one). Text splits at such a code point into
// parts that normalize independently. Computed once from utf8proc's tables.
const std::vector<bool>& inert_code_points() {
  static const std::vector<bool> table = [] {
    std::vector<bool> inert(kCodePoints, false);
    std::vector<char32_t> seconds;
    utf8proc_int32_t parts[8];
    for (char32_t cp = 0; cp < kCodePoints; ++cp) {
      const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
      bool canonical_decomposition = p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0;
      inert[cp] = p->combining_class == 0 && !canonical_decomposition;
      if (!canonical_decomposition) continue;
      int boundclass = 0;
      utf8proc_ssize_t n =
          utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), parts, 8, UTF8PROC_DECOMPOSE, &boundclass);
      for (utf8proc_ssize_t k = 1; k < n && k < 8; ++k) seconds.push_back(static_cast<char32_t>(parts[k]));
    }
    for (char32_t cp : seconds) inert[cp] = false;
    for (char32_t cp = 0x1161; cp <= 0x1175; ++cp) inert[cp] = false;  // Hangul vowel jamo (L + V)
    for (char32_t cp = 0x11A8; cp <= 0x11C2; ++cp) inert[cp] = false;  // Hangul trailing jamo (LV + T)
    return inert;
  }();
  return table;
}

std::string utf8proc_nfc(std::string_view text) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) throw RuntimeFailure(std::string("NFC normalization failed: ") + utf8proc_errmsg(n));
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

}  // namespace

Normalizer Normalizer::from_json(const nlohmann::json& spec, const std::string& file) {
  Normalizer n;
  read_spec(spec, file, "normalizer", n.nfc_);
  return n;
}

// Copies the text, running utf8proc only over the parts around code points that are not inert: each such part
// runs from the inert code point before it (which may compose with what follows) to the next inert one.
std::string Normalizer::apply(std::string_view text) const {
  if (!nfc_ || surely_nfc(text)) return std::string(text);
  const std::vector<bool>& inert = inert_code_points();
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;      // text[0, copied) is in `out`
  size_t last_inert = 0;  // start of the latest inert code point at or after `copied`
  size_t i = 0;
  while (i < text.size()) {
    int len = 0;
    if (inert[utf8::decode_at(text, i, len)]) {
      last_inert = i;
      i += static_cast<size_t>(len);
      continue;
    }
    size_t end = i + static_cast<size_t>(len);
    while (end < text.size() && !inert[utf8::decode_at(text, end, len)]) end += static_cast<size_t>(len);
    out.append(text.data() + copied, last_inert - copied);
    out += utf8proc_nfc(text.substr(last_inert, end - last_inert));
    copied = last_inert = i = end;
  }
  out.append(text.data() + copied, text.size() - copied);
  return out;
}

}  // namespace r1
