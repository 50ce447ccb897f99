// Text checks for curating sampled reasoning (cold start, rejection sampling): code fences, overlong
// paragraphs, repetition, the <think>/<answer> parts, and a normalised form for de-duplication.
#pragma once
#include <string>

namespace r1 {

bool has_code_block(const std::string& text);
// Characters of the longest paragraph (paragraphs are separated by blank lines).
size_t longest_paragraph(const std::string& text);
// Fraction of word 3-grams that repeat an earlier 3-gram of the same text (0 for fewer than 3 words).
double repeated_ngram_fraction(const std::string& text, size_t n = 3);
// Lower-cased, punctuation removed, whitespace collapsed: equal for texts that differ only in those.
std::string normalize_for_dedupe(const std::string& text);

struct ReasoningParts {
  std::string reasoning;  // inside the first <think>...</think> ("" if absent)
  std::string answer;     // inside the last <answer>...</answer> ("" if absent)
};
ReasoningParts split_reasoning(const std::string& completion);

// The cold-start rewrite: fills {reasoning}, {summary} and {answer} of `tmpl`; the summary states the answer in
// `language` ("The answer is 42." / "La respuesta es 42.").
std::string rewrite_cold_start(const std::string& tmpl, const ReasoningParts& parts, const std::string& language);

}  // namespace r1
