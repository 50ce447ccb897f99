// The added-token matcher: a byte trie for leftmost-longest search, then HF's single_word/lstrip/rstrip rules.
#include "r1/tokenizer/added_tokens.h"

#include <algorithm>

#include <utf8proc.h>

#include "r1/util/utf8.h"

namespace r1 {
namespace {

// Unicode White_Space (what HF's `\s` means around lstrip/rstrip tokens).
bool is_white_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// A word character as HF's `\w` sees it: letters, marks, decimal digits, letter numbers, connector punctuation
// and the joiners.
bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (c == 0x200C || c == 0x200D) return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

bool word_char_before(std::string_view text, size_t pos) {
  if (pos == 0) return false;
  int len = 0;
  return is_word_char(utf8::decode_at(text, utf8::previous_start(text, pos), len));
}

bool word_char_at(std::string_view text, size_t pos) {
  if (pos >= text.size()) return false;
  int len = 0;
  return is_word_char(utf8::decode_at(text, pos, len));
}

// Start of the whitespace run that ends at `pos`, not going below `floor`.
size_t skip_space_back(std::string_view text, size_t pos, size_t floor) {
  while (pos > floor) {
    size_t prev = utf8::previous_start(text, pos);
    int len = 0;
    if (prev < floor || !is_white_space(utf8::decode_at(text, prev, len))) break;
    pos = prev;
  }
  return pos;
}

// End of the whitespace run that starts at `pos`.
size_t skip_space_forward(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    int len = 0;
    if (!is_white_space(utf8::decode_at(text, pos, len))) break;
    pos += static_cast<size_t>(len);
  }
  return pos;
}

}  // namespace

void AddedTokenMatcher::add(const std::string& pattern, const AddedToken& token) {
  if (pattern.empty()) return;
  int node = 0;
  for (char ch : pattern) {
    auto c = static_cast<unsigned char>(ch);
    auto it = nodes_[node].children.find(c);
    if (it == nodes_[node].children.end()) {
      nodes_.push_back(Node{});
      int child = static_cast<int>(nodes_.size()) - 1;
      nodes_[node].children.emplace(c, child);
      node = child;
    } else {
      node = it->second;
    }
  }
  if (nodes_[node].token >= 0) return;  // the same pattern twice: the first token keeps it
  nodes_[node].token = static_cast<int>(tokens_.size());
  tokens_.push_back(token);
  first_byte_[static_cast<unsigned char>(pattern[0])] = true;
  ++patterns_;
}

size_t AddedTokenMatcher::longest_at(std::string_view text, size_t pos, int& token) const {
  size_t best = 0;
  int node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const auto& children = nodes_[node].children;
    auto it = children.find(static_cast<unsigned char>(text[i]));
    if (it == children.end()) break;
    node = it->second;
    if (nodes_[node].token >= 0) {
      best = i + 1 - pos;
      token = nodes_[node].token;
    }
  }
  return best;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<TextSpan>& out) const {
  size_t emitted = 0;  // end of what is already covered by spans
  size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    int index = -1;
    size_t len = longest_at(text, pos, index);
    if (len == 0) {
      ++pos;
      continue;
    }
    size_t start = pos, stop = pos + len;
    pos = stop;  // the search goes on after this match even when the rules below discard it
    const AddedToken& token = tokens_[static_cast<size_t>(index)];
    if (start < emitted) continue;  // inside whitespace an earlier rstrip token took
    if (token.single_word && (word_char_before(text, start) || word_char_at(text, stop))) continue;
    if (token.lstrip) start = skip_space_back(text, start, emitted);
    if (token.rstrip) stop = skip_space_forward(text, stop);
    if (start > emitted) out.push_back(TextSpan{emitted, start, -1});
    out.push_back(TextSpan{start, stop, token.id});
    emitted = stop;
    pos = std::max(pos, stop);
  }
  if (emitted < text.size()) out.push_back(TextSpan{emitted, text.size(), -1});
}

}  // namespace r1
