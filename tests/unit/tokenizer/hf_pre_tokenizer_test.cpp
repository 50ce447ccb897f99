// Pre-tokenizers (Qwen2/Llama 3 Split, GPT-2's ByteLevel regex, prefix space), NFC, the byte-level alphabet
// and UTF-8 helpers, checked piece by piece.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "r1/tokenizer/byte_level.h"
#include "r1/tokenizer/hf_tokenizer.h"
#include "r1/tokenizer/normalizer.h"
#include "r1/tokenizer/pre_tokenizer.h"
#include "r1/util/utf8.h"
#include "tiny_hf_tokenizer.h"

using nlohmann::json;

namespace {

std::vector<std::string> split(const r1::PreTokenizer& p, const std::string& text) {
  r1::PreTokens out;
  p.split(text, out);
  return {out.pieces.begin(), out.pieces.end()};
}

json byte_level(bool prefix, bool regex) {
  return {{"type", "ByteLevel"}, {"add_prefix_space", prefix}, {"trim_offsets", true}, {"use_regex", regex}};
}

json split_step(const std::string& kind, const std::string& pattern) {
  return {{"type", "Split"}, {"pattern", {{kind, pattern}}}, {"behavior", "Isolated"}, {"invert", false}};
}

}  // namespace

TEST_CASE("Qwen2's Split regex: digits one by one, contractions, newlines kept together", "[tokenizer]") {
  auto p = r1::PreTokenizer::from_json(
      {{"type", "Sequence"},
       {"pretokenizers", {split_step("Regex", r1::test::kQwen2SplitRegex), byte_level(false, false)}}},
      "t.json");
  REQUIRE(p.has_byte_level());
  using V = std::vector<std::string>;
  REQUIRE(split(p, "Hello world's 123!!\n\n  x") ==
          V{"Hello", " world", "'s", " ", "1", "2", "3", "!!\n\n", " ", " x"});
  REQUIRE(split(p, "I'VE") == V{"I", "'VE"});  // (?i:...) contractions
  REQUIRE(split(p, "нещо на") == V{"нещо", " на"});
  REQUIRE(split(p, "").empty());
}

TEST_CASE("GPT-2's ByteLevel regex and add_prefix_space", "[tokenizer]") {
  using V = std::vector<std::string>;
  auto plain = r1::PreTokenizer::from_json(byte_level(false, true), "t.json");
  REQUIRE(split(plain, "Hello world's 123!!  x") == V{"Hello", " world", "'s", " 123", "!!", " ", " x"});
  REQUIRE(split(plain, "I'VE") == V{"I", "'", "VE"});  // case-sensitive contractions
  auto prefixed = r1::PreTokenizer::from_json(byte_level(true, true), "t.json");
  REQUIRE(split(prefixed, "Hello world") == V{" Hello", " world"});
  REQUIRE(split(prefixed, " Hello") == V{" Hello"});
  // Without its regex, ByteLevel(add_prefix_space) prefixes every piece an earlier Split made.
  auto seq = r1::PreTokenizer::from_json(
      {{"type", "Sequence"}, {"pretokenizers", {split_step("String", "-"), byte_level(true, false)}}}, "t.json");
  REQUIRE(split(seq, "a-b") == V{" a", " -", " b"});
}

TEST_CASE("a GPT-2 style tokenizer.json merges across what its regex keeps together", "[tokenizer]") {
  json j = r1::test::tiny_tokenizer_json();
  j["pre_tokenizer"] = byte_level(true, true);
  j["model"]["vocab"]["12"] = 400;
  j["model"]["merges"].push_back("1 2");
  auto gpt2 = r1::HfTokenizer::from_strings(j.dump(), "", "mem.json");
  REQUIRE(gpt2.encode("the") == std::vector<int>{gpt2.token_to_id("Ġthe")});         // prefix space added
  REQUIRE(gpt2.encode("x12") == std::vector<int>{gpt2.token_to_id("Ġ"), 'x', 400});  // " x" (no merge), "12"
  j["pre_tokenizer"] = r1::test::tiny_tokenizer_json()["pre_tokenizer"];
  auto qwen_like = r1::HfTokenizer::from_strings(j.dump(), "", "mem.json");
  REQUIRE(qwen_like.encode("12") == std::vector<int>{'1', '2'});  // digits split one by one first
  REQUIRE(qwen_like.encode("the") == std::vector<int>{'t', gpt2.token_to_id("he")});
}

TEST_CASE("NFC normalizer composes, and is a no-op when null", "[tokenizer]") {
  auto nfc = r1::Normalizer::from_json({{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}}}}, "t.json");
  REQUIRE(nfc.apply("e\xcc\x81") == "\xc3\xa9");
  REQUIRE(nfc.apply("\xe1\x84\x80\xe1\x85\xa1") == "\xea\xb0\x80");          // Hangul jamo -> 가
  REQUIRE(nfc.apply("\xe0\xaf\x86\xe0\xae\xbe") == "\xe0\xaf\x8a");          // Tamil: a class-0 second composes
  REQUIRE(nfc.apply("\xea\xb0\x80\xe1\x86\xa8") == "\xea\xb0\x81");          // 가 + trailing jamo -> 각
  REQUIRE(nfc.apply("\xe4\xb8\xad\xe2\x84\xab") == "\xe4\xb8\xad\xc3\x85");  // Angstrom sign -> Å
  REQUIRE(nfc.apply("plain ascii") == "plain ascii");
  REQUIRE(nfc.apply(std::string("a\0b", 3)) == std::string("a\0b", 3));
  auto none = r1::Normalizer::from_json(json(), "t.json");
  REQUIRE(none.is_identity());
}

TEST_CASE("NFC of mixed text equals utf8proc's NFC of the whole text", "[tokenizer]") {
  // Starters, combining marks (reordered and composed), Hangul jamo and syllables, a Tamil vowel sign that
  // composes although its combining class is 0, singletons (Angstrom, a CJK compatibility ideograph),
  // compatibility characters NFC keeps, emoji and joiners.
  const std::vector<std::string> palette = {"a",
                                            "e",
                                            " ",
                                            "\n",
                                            "A",
                                            "o",
                                            "\xcc\x81",
                                            "\xcc\x88",
                                            "\xcc\xa3",
                                            "\xcc\x84",
                                            "\xe1\x84\x80",
                                            "\xe1\x85\xa1",
                                            "\xe1\x86\xa8",
                                            "\xea\xb0\x80",
                                            "\xe0\xaf\x86",
                                            "\xe0\xae\xbe",
                                            "\xe2\x84\xab",
                                            "\xef\xa4\x80",
                                            "\xef\xbc\xab",
                                            "\xe4\xb8\xad",
                                            "\xf0\x9f\x98\xb6",
                                            "\xe2\x80\x8d",
                                            "\xcd\x84",
                                            "\xc3\xa9",
                                            "\xe1\xb8\x8a"};
  auto nfc = r1::Normalizer::from_json({{"type", "NFC"}}, "t.json");
  std::mt19937 rng(3);
  for (int n = 0; n < 2000; ++n) {
    std::string text;
    int len = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < len; ++i) text += palette[rng() % palette.size()];
    utf8proc_uint8_t* ref = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(text.c_str()));
    std::string expected(reinterpret_cast<const char*>(ref));
    std::free(ref);
    INFO(r1::byte_level::encode(text));
    REQUIRE(nfc.apply(text) == expected);
  }
}

TEST_CASE("the byte-level alphabet maps all 256 bytes and back", "[tokenizer]") {
  REQUIRE(r1::byte_level::char_of(' ') == "Ġ");
  REQUIRE(r1::byte_level::char_of('\n') == "Ċ");
  REQUIRE(r1::byte_level::char_of('a') == "a");
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string back;
  REQUIRE(r1::byte_level::try_decode(r1::byte_level::encode(all), back));
  REQUIRE(back == all);
  REQUIRE_FALSE(r1::byte_level::try_decode("a b", back));  // a raw space is not in the alphabet
  REQUIRE(r1::byte_level::token_bytes("<｜end▁of▁sentence｜>") == "<｜end▁of▁sentence｜>");
  REQUIRE(r1::byte_level::token_bytes("ĠHello") == " Hello");
}

TEST_CASE("UTF-8 validation and lossy decoding", "[tokenizer]") {
  REQUIRE(r1::utf8::first_invalid("héllo 🦙") == r1::utf8::kAllValid);
  REQUIRE(r1::utf8::first_invalid("ab\x80") == 2);
  REQUIRE(r1::utf8::first_invalid("\xf4\x90\x80\x80") == 0);  // above U+10FFFF
  REQUIRE(r1::utf8::to_valid_lossy("a\xe4\xb8") == "a\xEF\xBF\xBD");
  REQUIRE(r1::utf8::to_valid_lossy("\xc0\x80z") == "\xEF\xBF\xBD\xEF\xBF\xBDz");  // C0 is never valid
}
