// Jinja lexing with transformers' settings: trim_blocks, lstrip_blocks, keep_trailing_newline off.
#include "jinja_lexer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "jinja_pystring.h"
#include "r1/util/utf8.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::jinja {

namespace {

// The template with \r\n and \r turned into \n and one trailing newline removed, as Jinja reads it.
std::string normalize_source(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Python's str.isspace() over all of s (and s non-empty), as lstrip_blocks' `\s+` fullmatch.
bool all_space(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size();)
    if (!py::is_space(utf8::next(s, i))) return false;
  return true;
}

// Index just past the whitespace that starts at i (Python's \s*).
size_t skip_space(const std::string& s, size_t i) {
  while (i < s.size()) {
    size_t j = i;
    if (!py::is_space(utf8::next(s, j))) break;
    i = j;
  }
  return i;
}

class Lexer {
 public:
  Lexer(const std::string& source, const std::string& name) : src_(normalize_source(source)), name_(name) {
    for (size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') newlines_.push_back(i);
  }

  std::vector<Segment> run() {
    size_t pos = 0;
    bool line_starting = true;
    while (pos < src_.size()) {
      size_t at = next_tag(pos);
      if (at == std::string::npos) {
        add_text(src_.substr(pos), pos);
        break;
      }
      char kind = src_[at + 1];
      size_t p = at + 2;
      char sign = 0;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) sign = src_[p++];
      std::string text = src_.substr(pos, at - pos);
      if (sign == '-') {
        text = py::strip(text, std::nullopt, false, true);
      } else if (sign != '+' && kind != '{') {
        // lstrip_blocks: drop spaces between the line start and a block or comment tag.
        size_t line_start = text.rfind('\n');
        line_start = line_start == std::string::npos ? 0 : line_start + 1;
        if ((line_start > 0 || line_starting) && all_space(text.substr(line_start))) text.resize(line_start);
      }
      add_text(text, pos);
      size_t end = kind == '#' ? skip_comment(at, p) : lex_tag(at, p, kind == '%');
      line_starting = src_[end - 1] == '\n';
      pos = end;
    }
    return std::move(segments_);
  }

 private:
  int line_at(size_t pos) const {
    return static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), pos) - newlines_.begin()) + 1;
  }

  [[noreturn]] void fail(size_t pos, const std::string& message) const {
    throw InputError(located(name_, line_at(pos), message));
  }

  size_t next_tag(size_t pos) const {
    for (size_t i = src_.find('{', pos); i != std::string::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    }
    return std::string::npos;
  }

  void add_text(std::string text, size_t pos) {
    if (text.empty()) return;
    Segment s;
    s.kind = Segment::Kind::Text;
    s.text = std::move(text);
    s.line = line_at(pos);
    segments_.push_back(std::move(s));
  }

  // Returns the index after the comment's end (and the whitespace its markers remove).
  size_t skip_comment(size_t open, size_t body) {
    size_t close = src_.find("#}", body);
    if (close == std::string::npos) fail(open, "unclosed comment: \"{#\" without \"#}\"");
    size_t end = close + 2;
    char sign = close > body ? src_[close - 1] : 0;
    if (sign == '-') return skip_space(src_, end);
    if (sign != '+' && end < src_.size() && src_[end] == '\n') ++end;
    return end;
  }

  // Tokenizes a {{ ... }} or {% ... %} tag; returns the index after its end marker (and trimmed whitespace).
  size_t lex_tag(size_t open, size_t p, bool block) {
    Segment seg;
    seg.kind = block ? Segment::Kind::Statement : Segment::Kind::Print;
    seg.line = line_at(open);
    int depth = 0;
    const std::string close = block ? "%}" : "}}";
    while (true) {
      while (p < src_.size() && ascii_space(src_[p])) ++p;
      if (p >= src_.size())
        fail(open, std::string("unclosed tag: \"") + (block ? "{%" : "{{") + "\" without \"" + close + "\"");
      if (depth == 0) {
        if (src_.compare(p, 3, "-" + close) == 0) {
          p = skip_space(src_, p + 3);
          break;
        }
        if (block && src_.compare(p, 3, "+" + close) == 0) {
          p += 3;
          break;
        }
        if (src_.compare(p, 2, close) == 0) {
          p += 2;
          if (block && p < src_.size() && src_[p] == '\n') ++p;  // trim_blocks
          break;
        }
      }
      Token t;
      t.line = line_at(p);
      p = lex_token(p, t);
      if (t.kind == TokenKind::Operator) {
        if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
        if ((t.text == ")" || t.text == "]" || t.text == "}") && depth > 0) --depth;
      }
      seg.tokens.push_back(std::move(t));
      if (block && seg.tokens.size() == 1 && seg.tokens[0].kind == TokenKind::Name && seg.tokens[0].text == "raw")
        fail(open, "unsupported statement \"raw\"");
    }
    segments_.push_back(std::move(seg));
    return p;
  }

  size_t lex_token(size_t p, Token& t) {
    char c = src_[p];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = p;
      while (e < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
      t.kind = TokenKind::Name;
      t.text = src_.substr(p, e - p);
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return lex_number(p, t);
    if (c == '\'' || c == '"') return lex_string(p, t);
    static const char* const kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
                                             "]",  "(",  ")",  "{",  "}",  ">",  "<", "=", ".", ":", "|", ",", ";"};
    for (const char* op : kOperators) {
      if (src_.compare(p, std::char_traits<char>::length(op), op) == 0) {
        t.kind = TokenKind::Operator;
        t.text = op;
        return p + t.text.size();
      }
    }
    size_t e = p;
    utf8::next(src_, e);
    fail(p, "unexpected character " + quote(src_.substr(p, e - p)));
  }

  // Digits with single underscores between them, from p; returns the end.
  size_t digits(size_t p) const {
    size_t e = p;
    while (e < src_.size() &&
           (std::isdigit(static_cast<unsigned char>(src_[e])) ||
            (src_[e] == '_' && e > p && e + 1 < src_.size() && std::isdigit(static_cast<unsigned char>(src_[e + 1])))))
      ++e;
    return e;
  }

  size_t lex_number(size_t p, Token& t) {
    size_t e = digits(p);
    bool is_float = false;
    bool after_dot = p > 0 && src_[p - 1] == '.';  // "a.0.1" is attribute 0 then 1, as Jinja reads it
    if (!after_dot) {
      if (e + 1 < src_.size() && src_[e] == '.' && std::isdigit(static_cast<unsigned char>(src_[e + 1]))) {
        e = digits(e + 1);
        is_float = true;
      }
      if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
        size_t x = e + 1;
        if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
        if (x < src_.size() && std::isdigit(static_cast<unsigned char>(src_[x]))) {
          e = digits(x);
          is_float = true;
        }
      }
    }
    std::string text;
    for (size_t i = p; i < e; ++i)
      if (src_[i] != '_') text += src_[i];
    t.text = src_.substr(p, e - p);
    if (is_float) {
      t.kind = TokenKind::Float;
      t.float_value = std::strtod(text.c_str(), nullptr);
    } else {
      t.kind = TokenKind::Integer;
      errno = 0;
      t.int_value = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) fail(p, "integer literal " + t.text + " is too large");
    }
    return e;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // A quoted string with Python's escapes (\n \t \\ \' \" \xhh \uXXXX \UXXXXXXXX octal; unknown ones kept).
  size_t lex_string(size_t p, Token& t) {
    char q = src_[p];
    std::string out;
    size_t i = p + 1;
    while (true) {
      if (i >= src_.size()) fail(p, "unclosed string literal");
      char c = src_[i];
      if (c == q) break;
      if (c != '\\') {
        out += c;
        ++i;
        continue;
      }
      if (i + 1 >= src_.size()) fail(p, "unclosed string literal");
      char e = src_[i + 1];
      i += 2;
      switch (e) {
        case '\n':
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x':
        case 'u':
        case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          char32_t cp = 0;
          for (int k = 0; k < n; ++k, ++i) {
            int h = i < src_.size() ? hex_value(src_[i]) : -1;
            if (h < 0) fail(p, std::string("truncated \\") + e + " escape in a string literal");
            cp = cp * 16 + static_cast<char32_t>(h);
          }
          if (cp > 0x10FFFF) fail(p, "escape beyond U+10FFFF in a string literal");
          utf8::append(out, cp);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            char32_t cp = static_cast<char32_t>(e - '0');
            for (int k = 0; k < 2 && i < src_.size() && src_[i] >= '0' && src_[i] <= '7'; ++k, ++i)
              cp = cp * 8 + static_cast<char32_t>(src_[i] - '0');
            utf8::append(out, cp);
          } else if (e == 'N' || static_cast<unsigned char>(e) >= 0x80) {
            fail(p, std::string("unsupported escape in a string literal"));
          } else {
            out += '\\';
            out += e;
          }
      }
    }
    t.kind = TokenKind::String;
    t.text = std::move(out);
    return i + 1;
  }

  std::string src_;
  std::string name_;
  std::vector<size_t> newlines_;
  std::vector<Segment> segments_;
};

}  // namespace

std::string located(const std::string& source_name, int line, const std::string& message) {
  return source_name + " line " + std::to_string(line) + ": " + message;
}

std::vector<Segment> lex_template(const std::string& source, const std::string& source_name) {
  return Lexer(source, source_name).run();
}

std::string describe(const Token& t) {
  if (t.kind == TokenKind::String) return quote(t.text);
  return "\"" + t.text + "\"";
}

}  // namespace r1::jinja
