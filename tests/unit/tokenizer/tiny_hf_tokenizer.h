// A small byte-level BPE tokenizer.json built in memory for tests: the 256 byte symbols (ids 0..255 in byte
// order), a few merges ("Ġ t", "h e", "Ġt he", ...), Qwen2's pre-tokenizer, the ByteLevel decoder and no added
// tokens. Tests add tokens or break keys to make the files they need.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "r1/tokenizer/byte_level.h"

namespace r1::test {

inline const char* kQwen2SplitRegex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Merges of the tiny tokenizer, in rank order; each result gets the next id after the 256 bytes.
inline const std::vector<std::pair<std::string, std::string>>& tiny_merges() {
  static const std::vector<std::pair<std::string, std::string>> merges = {
      {"Ġ", "t"},   {"h", "e"},  {"Ġt", "he"}, {"a", "a"}, {"a", "b"},   {"aa", "a"},  {"b", "a"},
      {"ab", "ab"}, {"aa", "b"}, {"ba", "a"},  {"l", "l"}, {"he", "ll"}, {"hell", "o"}};
  return merges;
}

inline nlohmann::json tiny_tokenizer_json() {
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[r1::byte_level::char_of(static_cast<unsigned char>(b))] = b;
  nlohmann::json merges = nlohmann::json::array();
  int next = 256;
  for (const auto& [left, right] : tiny_merges()) {
    merges.push_back(left + " " + right);
    if (!vocab.contains(left + right)) vocab[left + right] = next++;
  }
  nlohmann::json split = {
      {"type", "Split"}, {"pattern", {{"Regex", kQwen2SplitRegex}}}, {"behavior", "Isolated"}, {"invert", false}};
  nlohmann::json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", nlohmann::json::array()},
          {"normalizer", {{"type", "NFC"}}},
          {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", {split, byte_level}}}},
          {"post_processor", byte_level},
          {"decoder", byte_level},
          {"model",
           {{"type", "BPE"},
            {"dropout", nullptr},
            {"unk_token", nullptr},
            {"continuing_subword_prefix", nullptr},
            {"end_of_word_suffix", nullptr},
            {"fuse_unk", false},
            {"byte_fallback", false},
            {"vocab", vocab},
            {"merges", merges}}}};
}

inline nlohmann::json added_token_json(int id, const std::string& content, bool special) {
  return {{"id", id},        {"content", content},     {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", !special}, {"special", special}};
}

}  // namespace r1::test
