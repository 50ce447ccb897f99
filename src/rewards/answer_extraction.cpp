// Final-answer extraction from completions.
#include "r1/rewards/answer_extraction.h"

#include "r1/data/answer_format.h"
#include "r1/util/strings.h"

namespace r1 {

std::vector<std::string> answer_blocks(const std::string& text) {
  static const std::string open = "<answer>", close = "</answer>";
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t a = text.find(open, pos);
    if (a == std::string::npos) break;
    size_t b = text.find(close, a + open.size());
    if (b == std::string::npos) break;
    out.push_back(text.substr(a + open.size(), b - a - open.size()));
    pos = b + close.size();
  }
  return out;
}

size_t count_occurrences(const std::string& text, const std::string& tag) {
  size_t n = 0;
  for (size_t pos = text.find(tag); pos != std::string::npos; pos = text.find(tag, pos + tag.size())) ++n;
  return n;
}

ExtractedAnswer extract_answer(const std::string& completion) {
  ExtractedAnswer out;
  size_t opens = count_occurrences(completion, "<answer>");
  size_t closes = count_occurrences(completion, "</answer>");
  if (opens > 1 || closes > 1) {
    out.ambiguous = true;
    return out;
  }
  auto blocks = answer_blocks(completion);
  if (!blocks.empty()) {
    std::string content = blocks.back();
    if (auto b = extract_boxed(content)) content = *b;
    else if (auto h = extract_hashes_answer(content)) content = *h;
    out.text = trim(content);
    out.found = !out.text.empty();
    out.source = "tag";
    return out;
  }
  if (auto b = extract_boxed(completion)) {
    out.text = *b;
    out.found = !out.text.empty();
    out.source = "boxed";
  } else if (auto h = extract_hashes_answer(completion)) {
    out.text = *h;
    out.found = !out.text.empty();
    out.source = "hashes";
  }
  return out;
}

}  // namespace r1
