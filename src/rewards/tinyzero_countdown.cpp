// TinyZero-compatible countdown scoring.
#include "r1/rewards/tinyzero_countdown.h"

#include <algorithm>
#include <cmath>

#include "r1/rewards/python_arith.h"

namespace r1 {

namespace {

// Length of the UTF-8 white-space sequence at `i` that Python's str.isspace() accepts, or 0.
size_t space_len(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  if (c == 0xc2 && (at(1) == 0x85 || at(1) == 0xa0)) return 2;                              // U+0085, U+00A0
  if (c == 0xe1 && at(1) == 0x9a && at(2) == 0x80) return 3;                                 // U+1680
  if (c == 0xe2 && at(1) == 0x80 && ((at(2) >= 0x80 && at(2) <= 0x8a) || at(2) == 0xa8 || at(2) == 0xa9 ||
                                     at(2) == 0xaf))
    return 3;                                                                                // U+2000-200A, 2028/9, 202F
  if (c == 0xe2 && at(1) == 0x81 && at(2) == 0x9f) return 3;                                 // U+205F
  if (c == 0xe3 && at(1) == 0x80 && at(2) == 0x80) return 3;                                 // U+3000
  return 0;
}

// The last UTF-8 white-space sequence ending exactly at `end` (exclusive), or 0.
size_t space_len_before(const std::string& s, size_t end) {
  for (size_t len = 1; len <= 3 && len <= end; ++len)
    if (space_len(s, end - len) == len) return len;
  return 0;
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Python's re.match(r'^[\d+\-*/().\s]+$', s) on text that may hold UTF-8: only ASCII digits are let
// through here; other Unicode digits pass the regex in Python but are then a syntax error in eval, so the
// result (format_score) is the same.
bool allowed_chars(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (is_ascii_digit(c) || c == '+' || c == '-' || c == '*' || c == '/' || c == '(' || c == ')' || c == '.') {
      ++i;
      continue;
    }
    size_t n = space_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// re.findall(r'\d+') on ASCII digits, as canonical decimal strings (int() drops leading zeros).
std::vector<std::string> digit_runs(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    if (!is_ascii_digit(s[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && is_ascii_digit(s[i])) ++i;
    std::string run = s.substr(start, i - start);
    size_t nz = run.find_first_not_of('0');
    out.push_back(nz == std::string::npos ? "0" : run.substr(nz));
  }
  return out;
}

}  // namespace

std::string python_strip(const std::string& text) {
  size_t b = 0, e = text.size();
  while (b < e) {
    size_t n = space_len(text, b);
    if (n == 0) break;
    b += n;
  }
  while (e > b) {
    size_t n = space_len_before(text, e);
    if (n == 0) break;
    e -= n;
  }
  return text.substr(b, e - b);
}

std::optional<std::string> tinyzero_extract(const std::string& solution_str) {
  std::string rest;
  size_t pos = solution_str.find("Assistant:");
  if (pos != std::string::npos) {
    rest = solution_str.substr(pos + 10);
  } else {
    static const std::string im = "<|im_start|>assistant";
    pos = solution_str.find(im);
    if (pos == std::string::npos) return std::nullopt;
    rest = solution_str.substr(pos + im.size());
  }
  size_t nl = rest.rfind('\n');
  if (nl != std::string::npos) rest = rest.substr(nl + 1);
  static const std::string open = "<answer>", close = "</answer>";
  std::optional<std::string> last;
  size_t at = 0;
  for (;;) {
    size_t a = rest.find(open, at);
    if (a == std::string::npos) break;
    size_t b = rest.find(close, a + open.size());
    if (b == std::string::npos) break;
    last = rest.substr(a + open.size(), b - a - open.size());
    at = b + close.size();
  }
  if (!last) return std::nullopt;
  return python_strip(*last);
}

TinyZeroResult tinyzero_countdown_score(const std::string& solution_str, const std::vector<long long>& numbers,
                                        long long target, double format_score, double score) {
  TinyZeroResult out;
  out.extracted = tinyzero_extract(solution_str);
  if (!out.extracted) {
    out.score = 0.0;
    return out;
  }
  const std::string& eq = *out.extracted;
  std::vector<std::string> used = digit_runs(eq);
  std::vector<std::string> given;
  for (long long n : numbers) given.push_back(std::to_string(n));
  std::sort(used.begin(), used.end());
  std::sort(given.begin(), given.end());
  if (used != given) {
    out.score = format_score;
    return out;
  }
  if (!allowed_chars(eq)) {
    out.score = format_score;
    return out;
  }
  out.evaluated = python_arith_eval(eq);
  if (!out.evaluated) {
    out.score = format_score;
    return out;
  }
  out.score = std::fabs(*out.evaluated - static_cast<double>(target)) < 1e-5 ? score : format_score;
  return out;
}

}  // namespace r1
