// Word lists per language (en, es) for the language-consistency reward: common function and content
// words, math words, and every word the task generators and the corpus write (lowercase, accents kept).
// A word may be in both lists ("a", "no", "me", "divide"): such words say nothing about the language.
#pragma once
#include <string>
#include <unordered_set>

namespace r1 {

// The lowercase word set of "en" or "es"; throws InputError for another language.
const std::unordered_set<std::string>& language_words(const std::string& language);

// Whether the (lowercase) word is in the language's list.
bool is_language_word(const std::string& word, const std::string& language);

}  // namespace r1
