// Added-token matching rules (longest first, single_word, lstrip, rstrip, normalized) and the BPE merge loop
// checked against a plain quadratic reference on random words.
#include <catch2/catch.hpp>

#include <random>

#include "r1/tokenizer/hf_tokenizer.h"
#include "tiny_hf_tokenizer.h"

using nlohmann::json;
using r1::HfTokenizer;

namespace {

json with_tokens(std::vector<json> tokens) {
  json j = r1::test::tiny_tokenizer_json();
  for (auto& t : tokens) j["added_tokens"].push_back(t);
  return j;
}

HfTokenizer load(const json& j) { return HfTokenizer::from_strings(j.dump(), "", "/mem/tokenizer.json"); }

// ids of `tok` for each piece: an int is an added token, a string is plain text encoded on its own.
std::vector<int> pieces(const HfTokenizer& tok, const std::vector<std::string>& texts, const std::vector<int>& after) {
  std::vector<int> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto part = tok.encode(texts[i]);
    ids.insert(ids.end(), part.begin(), part.end());
    if (i < after.size() && after[i] >= 0) ids.push_back(after[i]);
  }
  return ids;
}

// The textbook BPE: repeatedly merge the adjacent pair of lowest rank (leftmost on ties).
std::vector<int> reference_bpe(const HfTokenizer& tok, const std::string& word) {
  std::vector<std::string> syms;
  for (char c : word) syms.push_back(r1::byte_level::char_of(static_cast<unsigned char>(c)));
  const auto& merges = r1::test::tiny_merges();
  for (;;) {
    size_t best_rank = merges.size(), best_pos = 0;
    for (size_t i = 0; i + 1 < syms.size(); ++i)
      for (size_t r = 0; r < best_rank; ++r)
        if (merges[r].first == syms[i] && merges[r].second == syms[i + 1]) {
          best_rank = r;
          best_pos = i;
          break;
        }
    if (best_rank == merges.size()) break;
    syms[best_pos] += syms[best_pos + 1];
    syms.erase(syms.begin() + static_cast<long>(best_pos) + 1);
  }
  std::vector<int> ids;
  for (const auto& s : syms) ids.push_back(tok.token_to_id(s));
  return ids;
}

}  // namespace

TEST_CASE("the longest added token wins, leftmost first", "[tokenizer]") {
  HfTokenizer tok =
      load(with_tokens({r1::test::added_token_json(300, "<a>", true), r1::test::added_token_json(301, "<a><b>", true),
                        r1::test::added_token_json(302, "b>x", false)}));
  REQUIRE(tok.encode("1<a><b>2") == pieces(tok, {"1", "2"}, {301}));
  REQUIRE(tok.encode("<a><c>") == pieces(tok, {"", "<c>"}, {300}));
  // "<a><b>x": the match at the leftmost position (<a><b>) is taken, so "b>x" is not.
  REQUIRE(tok.encode("<a><b>x") == pieces(tok, {"", "x"}, {301}));
  REQUIRE(tok.decode(tok.encode("z<a><b>x<a>")) == "z<a><b>x<a>");
}

TEST_CASE("single_word tokens only match away from word characters", "[tokenizer]") {
  json mask = r1::test::added_token_json(300, "<mask>", false);
  mask["single_word"] = true;
  HfTokenizer tok = load(with_tokens({mask}));
  // As in HF's own test: only the first, second and last are whole words.
  auto ids = tok.encode("<mask> My name <mask> A<mask> <mask>ony <mask>");
  REQUIRE(ids == pieces(tok, {"", " My name ", " A<mask> <mask>ony ", ""}, {300, 300, 300}));
  REQUIRE(tok.encode("<mask>, <mask>-") == pieces(tok, {"", ", ", "-"}, {300, 300}));
  auto accented = tok.encode("é<mask>");  // é is a word character: no match
  REQUIRE(std::find(accented.begin(), accented.end(), 300) == accented.end());
}

TEST_CASE("lstrip and rstrip tokens take the whitespace beside them", "[tokenizer]") {
  json mask = r1::test::added_token_json(300, "<mask>", true);
  mask["lstrip"] = true;
  HfTokenizer left = load(with_tokens({mask}));
  REQUIRE(left.encode("I saw a <mask> x") == pieces(left, {"I saw a", " x"}, {300}));
  REQUIRE(left.encode("a \t <mask>") == pieces(left, {"a"}, {300}));
  mask["lstrip"] = false;
  mask["rstrip"] = true;
  HfTokenizer right = load(with_tokens({mask}));
  REQUIRE(right.encode("I saw a <mask>  x") == pieces(right, {"I saw a ", "x"}, {300}));
  mask["lstrip"] = true;
  HfTokenizer both = load(with_tokens({mask}));
  // The second token's lstrip cannot take the tab the first one's rstrip took.
  REQUIRE(both.encode("Hi <mask>\t<mask>\u2000x") == pieces(both, {"Hi", "", "x"}, {300, 300}));
  // decode gives the token's content, without the stripped whitespace.
  REQUIRE(both.decode(both.encode("a <mask> b")) == "a<mask>b");
}

TEST_CASE("normalized added tokens match the NFC text, raw ones the raw text", "[tokenizer]") {
  // "é" written decomposed (e + U+0301) is "é" after NFC.
  const std::string decomposed = "e\xcc\x81";
  const std::string composed = "\xc3\xa9";
  json norm = r1::test::added_token_json(300, "<" + decomposed + ">", false);  // normalized: true
  json raw = r1::test::added_token_json(301, "[" + decomposed + "]", true);    // normalized: false
  HfTokenizer tok = load(with_tokens({norm, raw}));
  REQUIRE(tok.encode("<" + composed + ">") == std::vector<int>{300});
  REQUIRE(tok.encode("<" + decomposed + ">") == std::vector<int>{300});
  REQUIRE(tok.encode("[" + decomposed + "]") == std::vector<int>{301});
  auto composed_raw = tok.encode("[" + composed + "]");
  REQUIRE(std::find(composed_raw.begin(), composed_raw.end(), 301) == composed_raw.end());
  // Text around tokens is NFC-normalized.
  REQUIRE(tok.decode(tok.encode(decomposed)) == composed);
}

TEST_CASE("the heap merge loop agrees with textbook BPE", "[tokenizer]") {
  HfTokenizer tok = load(r1::test::tiny_tokenizer_json());
  std::mt19937 rng(7);
  const std::string alphabet = "ab";
  for (int n = 0; n < 400; ++n) {
    std::string word;
    int len = 1 + static_cast<int>(rng() % 24);
    for (int i = 0; i < len; ++i) word += alphabet[rng() % alphabet.size()];
    INFO(word);
    REQUIRE(tok.encode(word) == reference_bpe(tok, word));
  }
  // "a a" outranks "aa a": aaaa -> aa a a -> aa aa, which has no merge.
  REQUIRE(tok.encode("aaaa") == std::vector<int>{tok.token_to_id("aa"), tok.token_to_id("aa")});
}
