// Jinja lexing: splits a template into text, {{ print }} and {% statement %} segments with the whitespace control
// transformers uses (trim_blocks, lstrip_blocks, "-"/"+" markers; comments dropped), and tag contents into tokens.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace r1::jinja {

enum class TokenKind { Name, String, Integer, Float, Operator };

struct Token {
  TokenKind kind = TokenKind::Operator;
  std::string text;  // names, operators, the decoded value of strings
  std::int64_t int_value = 0;
  double float_value = 0;
  int line = 0;
};

struct Segment {
  enum class Kind { Text, Print, Statement };
  Kind kind = Kind::Text;
  std::string text;           // Text
  std::vector<Token> tokens;  // Print, Statement
  int line = 0;               // where the segment starts
};

// "<source> line N: message" — the form of every template error.
std::string located(const std::string& source_name, int line, const std::string& message);

// Throws r1::InputError (naming the source and line) for unclosed tags/comments/strings, unexpected characters
// and {% raw %} (unsupported).
std::vector<Segment> lex_template(const std::string& source, const std::string& source_name);

// How a token is shown in messages: names and operators as written, strings quoted.
std::string describe(const Token& t);

}  // namespace r1::jinja
