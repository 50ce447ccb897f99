// Curation checks for sampled reasoning.
#include "r1/data/sample_filters.h"

#include <cctype>
#include <set>
#include <vector>

#include "r1/util/strings.h"

namespace r1 {

bool has_code_block(const std::string& text) { return text.find("```") != std::string::npos; }

size_t longest_paragraph(const std::string& text) {
  size_t best = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\n\n", start);
    if (end == std::string::npos) end = text.size();
    best = std::max(best, trim(text.substr(start, end - start)).size());
    start = end + 2;
  }
  return best;
}

namespace {
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(cur), cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}
}  // namespace

double repeated_ngram_fraction(const std::string& text, size_t n) {
  auto w = words(text);
  if (w.size() < n) return 0.0;
  std::set<std::string> seen;
  size_t total = 0, repeats = 0;
  for (size_t i = 0; i + n <= w.size(); ++i) {
    std::string gram;
    for (size_t j = 0; j < n; ++j) gram += w[i + j] + "\x1f";
    ++total;
    if (!seen.insert(gram).second) ++repeats;
  }
  return static_cast<double>(repeats) / static_cast<double>(total);
}

std::string normalize_for_dedupe(const std::string& text) {
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (std::ispunct(c) && c != '<' && c != '>' && c != '/' && c != '+' && c != '-' && c != '*' && c != '=') continue;
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

ReasoningParts split_reasoning(const std::string& completion) {
  ReasoningParts p;
  size_t t0 = completion.find("<think>");
  if (t0 != std::string::npos) {
    size_t t1 = completion.find("</think>", t0);
    if (t1 != std::string::npos) p.reasoning = trim(completion.substr(t0 + 7, t1 - t0 - 7));
  }
  size_t a1 = completion.rfind("</answer>");
  if (a1 != std::string::npos) {
    size_t a0 = completion.rfind("<answer>", a1);
    if (a0 != std::string::npos) p.answer = trim(completion.substr(a0 + 8, a1 - a0 - 8));
  }
  return p;
}

std::string rewrite_cold_start(const std::string& tmpl, const ReasoningParts& parts, const std::string& language) {
  std::string summary = (language == "es" ? "La respuesta es " : "The answer is ") + parts.answer + ".";
  std::string out = replace_all(tmpl, "{reasoning}", parts.reasoning);
  out = replace_all(out, "{summary}", summary);
  return replace_all(out, "{answer}", parts.answer);
}

}  // namespace r1
