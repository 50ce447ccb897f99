// UTF-8 helpers (tokenizers, chat templates, rewards): validation that reports the first bad byte, lossy decoding that replaces
// ill-formed sequences exactly as Python's bytes.decode("utf-8", errors="replace") does, code point access.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace r1::utf8 {

constexpr size_t kAllValid = std::string_view::npos;

// Length of the well-formed sequence starting at s[i] (1..4), or minus the length of its maximal ill-formed
// subpart (the lead byte plus the continuation bytes that could still have completed it; -1 for a stray byte).
int sequence_at(std::string_view s, size_t i);

// Byte offset of the first ill-formed sequence in `s`, or kAllValid.
size_t first_invalid(std::string_view s);

// `bytes` with each maximal ill-formed subpart replaced by U+FFFD (Unicode's "substitution of maximal subparts",
// which is what Python's errors="replace" and Rust's from_utf8_lossy do).
std::string to_valid_lossy(std::string_view bytes);

// The code point at s[i] of valid UTF-8 `s`; `len` receives its byte length.
char32_t decode_at(std::string_view s, size_t i, int& len);

// The start of the code point that ends just before s[i] (i > 0) of valid UTF-8 `s`.
size_t previous_start(std::string_view s, size_t i);

// True when every byte is ASCII.
bool is_ascii(std::string_view s);

// Byte length of the code point at s[i]: its well-formed length, or 1 for an ill-formed byte.
size_t length_at(std::string_view s, size_t i);
// The code point at s[i], advancing i past it; an ill-formed byte reads as U+FFFD and advances one byte.
char32_t next(std::string_view s, size_t& i);
// Appends the UTF-8 encoding of `cp`.
void append(std::string& out, char32_t cp);

}  // namespace r1::utf8
