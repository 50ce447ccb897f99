// GSM8K / boxed answer extraction and number clean-up.
#include "r1/data/answer_format.h"

#include <cctype>

#include "r1/util/strings.h"

namespace r1 {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<std::string> extract_hashes_answer(std::string_view text) {
  size_t pos = text.rfind("####");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(pos + 4);
  size_t nl = rest.find('\n');
  if (nl != std::string_view::npos) rest = rest.substr(0, nl);
  return trim(rest);
}

std::optional<std::string> extract_boxed(std::string_view text) {
  size_t best = std::string_view::npos;
  size_t best_len = 0;
  for (std::string_view marker : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    size_t pos = text.rfind(marker);
    if (pos != std::string_view::npos && (best == std::string_view::npos || pos > best)) {
      best = pos;
      best_len = marker.size();
    }
  }
  if (best == std::string_view::npos) return std::nullopt;
  size_t i = best + best_len;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size() || text[i] != '{') return std::nullopt;
  int depth = 0;
  size_t start = i + 1;
  for (; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    else if (text[i] == '}' && --depth == 0) return trim(text.substr(start, i - start));
  }
  return std::nullopt;
}

std::optional<std::string> clean_number(std::string_view text) {
  std::string s = trim(text);
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && s[i] == '$') ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
    while (i < s.size() && s[i] == ' ') ++i;
  }
  if (i < s.size() && s[i] == '$') ++i;
  // Integer part: plain digits, or digit groups separated by commas (1-3 digits, then exactly 3 each).
  std::string int_digits;
  size_t group = 0;
  bool commas = false;
  while (i < s.size() && (is_digit(s[i]) || s[i] == ',')) {
    if (s[i] == ',') {
      if (int_digits.empty() || (commas ? group != 3 : group > 3)) return std::nullopt;
      commas = true;
      group = 0;
    } else {
      int_digits += s[i];
      ++group;
    }
    ++i;
  }
  if (commas && group != 3) return std::nullopt;
  std::string frac_digits;
  bool point = false;
  if (i < s.size() && s[i] == '.') {
    point = true;
    ++i;
    while (i < s.size() && is_digit(s[i])) frac_digits += s[i++];
  }
  if (i != s.size()) return std::nullopt;
  if (int_digits.empty() && frac_digits.empty()) return std::nullopt;
  if (int_digits.empty() && !point) return std::nullopt;
  size_t nz = int_digits.find_first_not_of('0');
  int_digits = nz == std::string::npos ? "0" : int_digits.substr(nz);
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.pop_back();
  std::string out = int_digits;
  if (!frac_digits.empty()) out += "." + frac_digits;
  if (negative && out != "0") out = "-" + out;
  return out;
}

std::optional<std::string> parse_gold_answer(const std::string& text, const std::string& format) {
  std::optional<std::string> raw;
  if (format == "gsm8k") raw = extract_hashes_answer(text);
  else if (format == "boxed") raw = extract_boxed(text);
  else raw = trim(text);
  if (!raw || raw->empty()) return std::nullopt;
  if (auto n = clean_number(*raw)) return n;
  return raw;
}

}  // namespace r1
