// Finding the final answer in a completion: the <answer>...</answer> block (inside it, a \boxed{} or "####"
// wins), else the last \boxed{}, else a "#### N" line. Several answer blocks make the answer ambiguous
// (<answer> spam is not rewarded).
#pragma once
#include <string>
#include <vector>

namespace r1 {

struct ExtractedAnswer {
  std::string text;        // the answer text, trimmed ("" if none)
  bool found = false;      // an answer was found (and is not ambiguous)
  bool ambiguous = false;  // more than one <answer> or </answer> tag: no answer is trusted
  std::string source;      // "tag" | "boxed" | "hashes" | "" (none)
};

// Contents of every complete <answer>...</answer> block (non-greedy, spanning lines), in order.
std::vector<std::string> answer_blocks(const std::string& text);

// Occurrences of `tag` in `text`.
size_t count_occurrences(const std::string& text, const std::string& tag);

ExtractedAnswer extract_answer(const std::string& completion);

}  // namespace r1
