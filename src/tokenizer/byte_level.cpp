// GPT-2's byte <-> code point table and byte-level encoding/decoding of strings.
#include "r1/tokenizer/byte_level.h"

#include <array>

#include "r1/util/utf8.h"

namespace r1::byte_level {
namespace {

// Bytes that are printable Latin-1 keep their own code point; the other 68 get 256, 257, ... in byte order.
bool keeps_own_code_point(int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE); }

constexpr int kMaxCodePoint = 256 + 68;  // exclusive upper bound of the alphabet's code points

struct Tables {
  std::array<char32_t, 256> code_point{};
  std::array<std::string, 256> utf8;
  std::array<int, kMaxCodePoint> byte_of{};  // -1: not in the alphabet
};

std::string utf8_of(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else {  // the alphabet stays below U+0800
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

const Tables& tables() {
  static const Tables t = [] {
    Tables r;
    r.byte_of.fill(-1);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      char32_t cp = keeps_own_code_point(b) ? static_cast<char32_t>(b) : next++;
      r.code_point[b] = cp;
      r.utf8[b] = utf8_of(cp);
      r.byte_of[cp] = b;
    }
    return r;
  }();
  return t;
}

}  // namespace

const std::string& char_of(unsigned char byte) { return tables().utf8[byte]; }

std::string encode(std::string_view bytes) {
  const Tables& t = tables();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += t.utf8[static_cast<unsigned char>(c)];
  return out;
}

bool try_decode(std::string_view text, std::string& out) {
  const Tables& t = tables();
  out.clear();
  size_t i = 0;
  while (i < text.size()) {
    int n = utf8::sequence_at(text, i);
    if (n <= 0) return false;
    int len = 0;
    char32_t cp = utf8::decode_at(text, i, len);
    if (cp >= static_cast<char32_t>(kMaxCodePoint) || t.byte_of[cp] < 0) return false;
    out += static_cast<char>(t.byte_of[cp]);
    i += static_cast<size_t>(len);
  }
  return true;
}

std::string token_bytes(std::string_view token) {
  std::string out;
  if (try_decode(token, out)) return out;
  return std::string(token);
}

}  // namespace r1::byte_level
