// Added tokens (special or not) and how HF finds them in text: leftmost-longest, non-overlapping matches,
// where a single_word token must not touch word characters, and lstrip/rstrip tokens take the whitespace
// beside them into the match.
#pragma once
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

struct AddedToken {
  int id = -1;
  std::string content;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;  // matched in the normalized text (true) or the raw text (false)
};

// A piece of text: plain text (token == -1) or an added token (its id).
struct TextSpan {
  size_t begin = 0, end = 0;
  int token = -1;
};

class AddedTokenMatcher {
 public:
  // Adds `token`, found in text as `pattern` (its content, normalized for normalized tokens). Empty patterns
  // are ignored, like HF does.
  void add(const std::string& pattern, const AddedToken& token);
  bool empty() const { return patterns_ == 0; }

  // Appends spans covering text[begin, end) in order: plain pieces and matched tokens (empty plain pieces left
  // out). `text` is valid UTF-8.
  void split(std::string_view text, std::vector<TextSpan>& out) const;

 private:
  struct Node {
    std::map<unsigned char, int> children;
    int token = -1;  // index into tokens_ when a pattern ends here
  };
  // The longest pattern starting at text[pos]: its length (0 when none) and token index.
  size_t longest_at(std::string_view text, size_t pos, int& token) const;

  std::vector<Node> nodes_{Node{}};
  std::vector<AddedToken> tokens_;
  std::array<bool, 256> first_byte_{};
  size_t patterns_ = 0;
};

}  // namespace r1
