// One PCRE2 pattern (UTF + UCP mode, JIT when available) that splits text into its matches and the gaps
// between them, HF's "Isolated" split behaviour.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

class RegexSplit {
 public:
  // Compiles `pattern` (a literal string when `literal`); InputError naming `where` if it does not compile.
  RegexSplit(const std::string& pattern, bool literal, const std::string& where);

  // Appends to `out` the non-empty matches of the pattern in `text` (valid UTF-8) and the non-empty gaps
  // between them, in order; together they cover `text`.
  void split(std::string_view text, std::vector<std::string_view>& out) const;

 private:
  struct Compiled;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace r1
