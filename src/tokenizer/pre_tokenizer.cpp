// Reading pre_tokenizer specs and running their steps over text.
#include "r1/tokenizer/pre_tokenizer.h"

#include "r1/tokenizer/hf_json.h"

namespace r1 {

const char* const kGpt2SplitRegex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

constexpr const char* kSupported = "supported: Split, ByteLevel, a Sequence of those, or null";

RegexSplit read_split_pattern(const nlohmann::json& spec, const std::string& file, const std::string& path) {
  std::string pattern_path = hf_json::child_path(path, "pattern");
  const auto& pattern = hf_json::require(spec, "pattern", file, path);
  if (hf_json::find(pattern, "Regex", file, pattern_path))
    return RegexSplit(hf_json::get_string(pattern, "Regex", file, pattern_path), false, file + ": " + pattern_path);
  if (hf_json::find(pattern, "String", file, pattern_path))
    return RegexSplit(hf_json::get_string(pattern, "String", file, pattern_path), true, file + ": " + pattern_path);
  hf_json::fail(file, pattern_path,
                "expected {\"Regex\": ...} or {\"String\": ...}, got " + hf_json::describe(pattern));
}

}  // namespace

PreTokenizer PreTokenizer::from_json(const nlohmann::json& spec, const std::string& file) {
  PreTokenizer p;
  if (!spec.is_null()) p.add_steps(spec, file, "pre_tokenizer");
  return p;
}

void PreTokenizer::add_steps(const nlohmann::json& spec, const std::string& file, const std::string& path) {
  std::string type = hf_json::type_of(spec, file, path);
  if (type == "Sequence") {
    const auto& list = hf_json::require(spec, "pretokenizers", file, path);
    std::string list_path = hf_json::child_path(path, "pretokenizers");
    if (!list.is_array()) hf_json::fail(file, list_path, "expected a list, got " + hf_json::describe(list));
    for (size_t i = 0; i < list.size(); ++i) add_steps(list[i], file, hf_json::item_path(list_path, i));
  } else if (type == "Split") {
    std::string behavior = hf_json::get_string(spec, "behavior", file, path);
    if (behavior != "Isolated")
      hf_json::fail(file, hf_json::child_path(path, "behavior"),
                    "unsupported Split behavior \"" + behavior + "\" (only Isolated is supported)");
    if (hf_json::get_bool(spec, "invert", false, file, path))
      hf_json::fail(file, hf_json::child_path(path, "invert"), "Split with invert: true is not supported");
    steps_.push_back(Step{false, read_split_pattern(spec, file, path)});
  } else if (type == "ByteLevel") {
    has_byte_level_ = true;
    Step step;
    step.prefix_space = hf_json::get_bool(spec, "add_prefix_space", true, file, path);
    if (hf_json::get_bool(spec, "use_regex", true, file, path))
      step.regex.emplace(kGpt2SplitRegex, false, file + ": " + path);
    if (step.prefix_space || step.regex) steps_.push_back(std::move(step));  // else only the byte mapping, done by BPE
  } else {
    hf_json::fail(file, hf_json::child_path(path, "type"),
                  "unsupported pre-tokenizer type \"" + type + "\" (" + kSupported + ")");
  }
}

void PreTokenizer::split(std::string_view text, PreTokens& out) const {
  out.clear();
  if (text.empty()) return;
  out.pieces.push_back(text);
  std::vector<std::string_view> next;
  for (const Step& step : steps_) {
    if (step.prefix_space) {
      for (auto& piece : out.pieces) {
        if (piece.front() == ' ') continue;
        out.storage.push_back(" " + std::string(piece));
        piece = out.storage.back();
      }
    }
    if (!step.regex) continue;
    next.clear();
    for (std::string_view piece : out.pieces) step.regex->split(piece, next);
    out.pieces.swap(next);
  }
}

}  // namespace r1
