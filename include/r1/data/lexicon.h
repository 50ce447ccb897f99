// The small closed vocabulary the task generators and the corpus write with, in English and Spanish:
// connectives ("first", "then", "so" / "primero", "luego", "entonces"), operation words, equation-step
// phrases and number words. Every word here is in the matching list of rewards/language_words.h.
#pragma once
#include <string>
#include <vector>

namespace r1 {

inline const std::vector<std::string> kLanguages = {"en", "es"};

struct Lexicon {
  std::string first;        // opens the first step: "First,"
  std::string then;         // opens later steps: "Then,"
  std::string so;           // opens the conclusion: "So"
  std::string answer_is;    // "the answer is"
  std::string is;           // verbal step: "17 plus 25 is 42"
  std::string plus, minus, times, divided_by;
  std::string subtract_both;  // "subtract {v} from both sides"
  std::string add_both;       // "add {v} to both sides"
  std::string divide_both;    // "divide both sides by {v}"
};

// The lexicon of "en" or "es"; throws InputError for any other language.
const Lexicon& lexicon(const std::string& language);
// "en" <-> "es".
std::string other_language(const std::string& language);
// Throws InputError naming `what` unless `language` is en or es.
void require_language(const std::string& language, const std::string& what);

// The word for an operator in `language` ("plus", "más", ...).
const std::string& op_word(char op, const std::string& language);
// Number in words, -999999..999999: 42 -> "forty two" / "cuarenta y dos"; -3 -> "minus three" / "menos tres".
std::string number_words(long long n, const std::string& language);
// Replaces "{v}" in a phrase with `value`.
std::string fill(const std::string& phrase, const std::string& value);

}  // namespace r1
