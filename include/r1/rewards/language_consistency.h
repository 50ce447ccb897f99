// The language-consistency reward (DeepSeek-R1): the fraction of the words in the chain of thought that
// are in the target language.
//
// Text: the reasoning inside <think>..</think> (from <think> to the first </think> after it; with <think>
// but no </think>, up to <answer> or the end; with only </think>, from the start to it); the whole completion
// if it has neither tag. Words: maximal runs of letters (ASCII, Latin-1/Latin Extended letters, other
// scripts), lowercased; digits, operators and punctuation separate words and are not words. A CJK ideograph
// or kana is a word on its own.
// Each word is judged:
//   - in the target list only                                   -> target
//   - in the other language's list only                         -> other
//   - in both lists ("a", "no", "divide") or in neither list    -> neutral, not counted ...
//   - ... except an unlisted word written with a non-Latin script (e.g. Chinese, Cyrillic) -> other, and an
//     unlisted word with a Spanish-only letter (á é í ó ú ñ ü) -> Spanish (target for es, other for en).
// Score = target / (target + other); a text with no counted words (no words at all, or only neutral ones)
// scores 1: there is no evidence of mixing.
#pragma once
#include <string>
#include <vector>

namespace r1 {

struct LanguageCount {
  int target = 0;
  int other = 0;
  int neutral = 0;
  double score() const { return target + other == 0 ? 1.0 : static_cast<double>(target) / (target + other); }
};

// The reasoning part of a completion (see above).
std::string reasoning_text(const std::string& completion);

// Lowercased words of `text`.
std::vector<std::string> split_words(const std::string& text);

// Judges every word of `text` against `target` (en | es; InputError otherwise).
LanguageCount count_language_words(const std::string& text, const std::string& target);

// count_language_words(reasoning_text(completion), target).score(), with any leftover tags (<think>,
// </think>, <answer>, </answer>) removed first, so the tag names never count as English words.
double language_consistency(const std::string& completion, const std::string& target);

}  // namespace r1
