// GPT-2's byte-level alphabet: each byte 0..255 stands for one printable code point (a space is "Ġ", a newline
// "Ċ"), so any byte string is a string of vocabulary characters; and the way back, as HF's ByteLevel decoder does.
#pragma once
#include <string>
#include <string_view>

namespace r1::byte_level {

// UTF-8 of the code point that stands for `byte`.
const std::string& char_of(unsigned char byte);

// `bytes` written in the byte-level alphabet (" the" -> "Ġthe").
std::string encode(std::string_view bytes);

// The bytes behind a byte-level string; false (and `out` unspecified) when a character is outside the alphabet.
bool try_decode(std::string_view text, std::string& out);

// The bytes a token stands for, by HF's ByteLevel decoder rule: the byte of each character, or the token's own
// UTF-8 when any character is outside the alphabet (e.g. "<｜end▁of▁sentence｜>").
std::string token_bytes(std::string_view token);

}  // namespace r1::byte_level
