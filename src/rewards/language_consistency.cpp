// Language consistency of a chain of thought, by word lists.
#include "r1/rewards/language_consistency.h"

#include "r1/rewards/language_words.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"
#include "r1/util/utf8.h"

namespace r1 {

namespace {

bool is_latin_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7);
}

// Letters of other scripts: everything from Greek on, minus punctuation/symbol blocks and emoji.
bool is_other_letter(char32_t c) {
  if (c < 0x370) return false;
  if (c >= 0x2000 && c <= 0x2bff) return false;  // punctuation, super/subscripts, symbols, arrows, math, boxes
  if (c >= 0x3000 && c <= 0x303f) return false;  // CJK symbols and punctuation
  if (c >= 0xfe30 && c <= 0xfe4f) return false;  // CJK compatibility forms
  if (c >= 0xff00 && c <= 0xff20) return false;  // fullwidth punctuation and digits
  if (c >= 0xff3b && c <= 0xff40) return false;
  if (c >= 0xff5b && c <= 0xff65) return false;
  if (c == 0xfffd || c == 0xfeff) return false;
  if (c >= 0x1f000) return false;                // emoji and pictographs
  return true;
}

// Scripts without spaces between words: each character is a word.
bool is_ideograph(char32_t c) {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
         (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2ffff);
}

char32_t lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 32;
  return c;
}

bool has_spanish_letter(const std::string& w) {
  for (const char* l : {"á", "é", "í", "ó", "ú", "ñ", "ü"})
    if (w.find(l) != std::string::npos) return true;
  return false;
}

bool has_non_latin(const std::string& w) {
  for (size_t i = 0; i < w.size();) {
    char32_t c = utf8::next(w, i);
    if (is_other_letter(c)) return true;
  }
  return false;
}

}  // namespace

std::string reasoning_text(const std::string& completion) {
  size_t open = completion.find("<think>");
  if (open != std::string::npos) {
    size_t start = open + 7;
    size_t close = completion.find("</think>", start);
    if (close == std::string::npos) close = completion.find("<answer>", start);
    if (close == std::string::npos) close = completion.size();
    return completion.substr(start, close - start);
  }
  size_t close = completion.find("</think>");
  if (close != std::string::npos) return completion.substr(0, close);
  return completion;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < text.size();) {
    char32_t c = utf8::next(text, i);
    if (is_ideograph(c)) {
      flush();
      utf8::append(cur, c);
      flush();
    } else if (is_latin_letter(c) || is_other_letter(c)) {
      utf8::append(cur, lower(c));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

LanguageCount count_language_words(const std::string& text, const std::string& target) {
  if (target != "en" && target != "es")
    throw InputError("language consistency: target language must be en or es, got " + quote(target));
  const std::string other = target == "en" ? "es" : "en";
  LanguageCount count;
  for (const auto& w : split_words(text)) {
    bool in_target = is_language_word(w, target);
    bool in_other = is_language_word(w, other);
    if (in_target && !in_other) ++count.target;
    else if (in_other && !in_target) ++count.other;
    else if (in_target && in_other) ++count.neutral;
    else if (has_non_latin(w)) ++count.other;
    else if (has_spanish_letter(w)) (target == "es" ? count.target : count.other)++;
    else ++count.neutral;
  }
  return count;
}

double language_consistency(const std::string& completion, const std::string& target) {
  std::string text = reasoning_text(completion);
  for (const char* tag : {"<think>", "</think>", "<answer>", "</answer>"}) text = replace_all(text, tag, " ");
  return count_language_words(text, target).score();
}

}  // namespace r1
