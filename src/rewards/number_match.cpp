// Exact numeric answer keys and answer matching.
#include "r1/rewards/number_match.h"

#include <cctype>
#include <numeric>

#include "r1/data/answer_format.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

// A cleaned decimal ("-12.5") as a reduced fraction "p/q" (or "p"), or itself when too long for int64.
std::string decimal_key(const std::string& cleaned) {
  bool negative = !cleaned.empty() && cleaned[0] == '-';
  std::string body = negative ? cleaned.substr(1) : cleaned;
  size_t dot = body.find('.');
  std::string digits = dot == std::string::npos ? body : body.substr(0, dot) + body.substr(dot + 1);
  size_t frac = dot == std::string::npos ? 0 : body.size() - dot - 1;
  size_t nz = digits.find_first_not_of('0');
  digits = nz == std::string::npos ? "0" : digits.substr(nz);
  if (digits.size() > 18 || frac > 18) return cleaned;
  long long num = std::stoll(digits);
  long long den = 1;
  for (size_t i = 0; i < frac; ++i) den *= 10;
  long long g = std::gcd(num, den);
  num /= g;
  den /= g;
  std::string out = (negative && num != 0 ? "-" : "") + std::to_string(num);
  if (den != 1) out += "/" + std::to_string(den);
  return out;
}

// p/q with p, q cleaned integers (q != 0); reduced when both fit in int64.
std::optional<std::string> fraction_key(const std::string& p, const std::string& q) {
  auto cp = clean_number(p), cq = clean_number(q);
  if (!cp || !cq || cp->find('.') != std::string::npos || cq->find('.') != std::string::npos) return std::nullopt;
  if (*cq == "0") return std::nullopt;
  bool negative = ((*cp)[0] == '-') != ((*cq)[0] == '-');
  std::string pa = (*cp)[0] == '-' ? cp->substr(1) : *cp;
  std::string qa = (*cq)[0] == '-' ? cq->substr(1) : *cq;
  if (pa.size() > 18 || qa.size() > 18) return (negative && pa != "0" ? "-" : "") + pa + "/" + qa;
  long long num = std::stoll(pa), den = std::stoll(qa);
  long long g = std::gcd(num, den);
  num /= g;
  den /= g;
  std::string out = (negative && num != 0 ? "-" : "") + std::to_string(num);
  if (den != 1) out += "/" + std::to_string(den);
  return out;
}

std::string strip_wrappers(std::string_view text) {
  std::string s = trim(text);
  // $...$ and a trailing sentence period.
  if (s.size() >= 2 && s.front() == '$' && s.back() == '$') s = trim(s.substr(1, s.size() - 2));
  if (!s.empty() && s.back() == '.' && s.size() >= 2 && !std::isdigit(static_cast<unsigned char>(s[s.size() - 2])))
    s.pop_back();
  // "x = 5": one letter then '='.
  if (s.size() >= 2 && std::isalpha(static_cast<unsigned char>(s[0]))) {
    size_t i = 1;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size() && s[i] == '=') s = trim(s.substr(i + 1));
  }
  return s;
}

}  // namespace

std::optional<std::string> number_key(std::string_view text) {
  std::string s = strip_wrappers(text);
  if (s.empty() || s.size() > 10000) return std::nullopt;
  if (auto n = clean_number(s)) return decimal_key(*n);
  // \frac{p}{q} with an optional leading sign.
  std::string body = s;
  std::string sign;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    sign = body[0] == '-' ? "-" : "";
    body = trim(body.substr(1));
  }
  for (const char* f : {"\\frac", "\\dfrac", "\\tfrac"}) {
    if (!starts_with(body, f)) continue;
    std::string rest = body.substr(std::string(f).size());
    if (rest.size() < 4 || rest[0] != '{') return std::nullopt;
    size_t close = rest.find('}');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != '{' || rest.back() != '}')
      return std::nullopt;
    std::string p = rest.substr(1, close - 1);
    std::string q = rest.substr(close + 2, rest.size() - close - 3);
    if (q.find('}') != std::string::npos || q.find('{') != std::string::npos) return std::nullopt;
    return fraction_key(sign + p, q);
  }
  size_t slash = s.find('/');
  if (slash != std::string::npos && s.find('/', slash + 1) == std::string::npos)
    return fraction_key(s.substr(0, slash), s.substr(slash + 1));
  return std::nullopt;
}

std::string normalize_answer_text(std::string_view text) {
  std::string s = trim(text);
  if (s.size() >= 2 && s.front() == '$' && s.back() == '$') s = s.substr(1, s.size() - 2);
  s = replace_all(s, "\\left", "");
  s = replace_all(s, "\\right", "");
  s = replace_all(s, "\\!", "");
  s = replace_all(s, "\\dfrac", "\\frac");
  s = replace_all(s, "\\tfrac", "\\frac");
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string answer_key(std::string_view text) {
  if (auto k = number_key(text)) return *k;
  return normalize_answer_text(text);
}

bool answers_match(std::string_view predicted, std::string_view gold) {
  if (trim(predicted).empty()) return false;
  auto g = number_key(gold);
  if (g) {
    auto p = number_key(predicted);
    return p && *p == *g;
  }
  std::string gn = normalize_answer_text(gold);
  return !gn.empty() && normalize_answer_text(predicted) == gn;
}

}  // namespace r1
