// Python `str` semantics for the Jinja interpreter: code points, whitespace, strip/split, repr, JSON strings.
#include "jinja_pystring.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "r1/tokenizer/jinja_value.h"
#include "r1/util/utf8.h"

namespace r1::jinja::py {

namespace {

bool in_set(char32_t c, const std::vector<char32_t>& set) {
  for (char32_t x : set)
    if (x == c) return true;
  return false;
}

std::vector<char32_t> decode_all(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(utf8::next(s, i));
  return out;
}

// Code points Python's str.isprintable() rejects, beyond ASCII controls (common cases only).
bool non_printable_non_ascii(char32_t c) {
  return (c >= 0x80 && c <= 0xA0) || c == 0xAD || c == 0x1680 || (c >= 0x2000 && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202F) || (c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0x3000 ||
         (c >= 0xD800 && c <= 0xF8FF) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB) || c == 0xFFFE || c == 0xFFFF ||
         (c >= 0xE0000 && c <= 0xE007F) || c >= 0xF0000;
}

std::string hex_escape(const char* prefix, unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, width, value);
  return buf;
}

}  // namespace

std::vector<size_t> code_point_offsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); i += utf8::length_at(s, i)) out.push_back(i);
  out.push_back(s.size());
  return out;
}

size_t code_point_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += utf8::length_at(s, i)) ++n;
  return n;
}


bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}


std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right) {
  std::vector<char32_t> set;
  if (chars) set = decode_all(*chars);
  auto strippable = [&](char32_t c) { return chars ? in_set(c, set) : is_space(c); };
  std::vector<size_t> offs = code_point_offsets(s);
  size_t b = 0, e = offs.size() - 1;  // code point indices [b, e)
  auto cp_at = [&](size_t k) {
    size_t i = offs[k];
    return utf8::next(s, i);
  };
  if (left)
    while (b < e && strippable(cp_at(b))) ++b;
  if (right)
    while (e > b && strippable(cp_at(e - 1))) --e;
  return std::string(s.substr(offs[b], offs[e] - offs[b]));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, long maxsplit) {
  std::vector<std::string> out;
  if (sep) {
    if (sep->empty()) throw EvalError("split: empty separator");
    size_t start = 0;
    while (maxsplit < 0 || static_cast<long>(out.size()) < maxsplit) {
      size_t at = s.find(*sep, start);
      if (at == std::string_view::npos) break;
      out.emplace_back(s.substr(start, at - start));
      start = at + sep->size();
    }
    out.emplace_back(s.substr(start));
    return out;
  }
  size_t i = 0;
  auto skip_space = [&] {
    while (i < s.size()) {
      size_t j = i;
      if (!is_space(utf8::next(s, j))) break;
      i = j;
    }
  };
  skip_space();
  while (i < s.size()) {
    if (maxsplit >= 0 && static_cast<long>(out.size()) == maxsplit) {
      out.emplace_back(s.substr(i));  // the rest, trailing whitespace kept, is the last part
      return out;
    }
    size_t start = i;
    while (i < s.size()) {
      size_t j = i;
      if (is_space(utf8::next(s, j))) break;
      i = j;
    }
    out.emplace_back(s.substr(start, i - start));
    skip_space();
  }
  return out;
}

std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, long maxsplit) {
  if (maxsplit < 0) return split(s, sep, maxsplit);
  std::vector<std::string> out;
  if (sep) {
    if (sep->empty()) throw EvalError("rsplit: empty separator");
    size_t end = s.size();
    while (static_cast<long>(out.size()) < maxsplit) {
      if (end < sep->size()) break;
      size_t at = s.rfind(*sep, end - sep->size());
      if (at == std::string_view::npos) break;
      out.emplace_back(s.substr(at + sep->size(), end - at - sep->size()));
      end = at;
    }
    out.emplace_back(s.substr(0, end));
  } else {
    std::vector<size_t> offs = code_point_offsets(s);
    auto space_at = [&](size_t k) {
      size_t i = offs[k];
      return is_space(utf8::next(s, i));
    };
    size_t e = offs.size() - 1;
    while (e > 0 && space_at(e - 1)) --e;
    while (e > 0) {
      if (static_cast<long>(out.size()) == maxsplit) {
        out.emplace_back(s.substr(0, offs[e]));  // the rest, leading whitespace kept
        break;
      }
      size_t b = e;
      while (b > 0 && !space_at(b - 1)) --b;
      out.emplace_back(s.substr(offs[b], offs[e] - offs[b]));
      e = b;
      while (e > 0 && space_at(e - 1)) --e;
    }
  }
  return std::vector<std::string>(out.rbegin(), out.rend());
}

std::string repr_string(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t c = utf8::next(s, i);
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += hex_escape("\\x", c, 2);
    } else if (c >= 0x80 && non_printable_non_ascii(c)) {
      out += c < 0x100 ? hex_escape("\\x", c, 2) : c < 0x10000 ? hex_escape("\\u", c, 4) : hex_escape("\\U", c, 8);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  out += quote;
  return out;
}

std::string repr_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  // buf is "[-]d[.ddd]e[+-]XX": collect the significant digits and the decimal exponent.
  std::string text(buf);
  std::string sign = text[0] == '-' ? "-" : "";
  size_t e_at = text.find('e');
  std::string mantissa = text.substr(sign.size(), e_at - sign.size());
  int exponent = std::atoi(text.c_str() + e_at + 1);
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = sign;
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exponent + 1));
      int_part.append(exponent + 1 - int_part.size(), '0');
      std::string frac = digits.size() > static_cast<size_t>(exponent + 1) ? digits.substr(exponent + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(-exponent - 1, '0') + digits;
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  }
  return out;
}

std::string json_string(std::string_view s, bool ensure_ascii) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t c = utf8::next(s, i);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += hex_escape("\\u", c, 4);
        } else if (ensure_ascii && c >= 0x7F) {
          if (c < 0x10000) {
            out += hex_escape("\\u", c, 4);
          } else {
            char32_t v = c - 0x10000;
            out += hex_escape("\\u", 0xD800 | (v >> 10), 4);
            out += hex_escape("\\u", 0xDC00 | (v & 0x3FF), 4);
          }
        } else {
          out.append(s.substr(start, i - start));
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace r1::jinja::py
