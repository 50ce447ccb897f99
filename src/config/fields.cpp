// Scalar parsing, constraint texts, unknown-key reporting and YAML emit/load for the field framework.
#include "r1/config/fields.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1::config {

namespace {
template <class Int>
bool parse_int(const std::string& text, Int& out) {
  std::string s = trim(text);
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  Int v{};
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return false;
  out = v;
  return true;
}
}  // namespace

bool parse_value(const YAML::Node& node, bool& out) {
  if (!node.IsScalar()) return false;
  std::string s = to_lower(trim(node.Scalar()));
  if (s == "true" || s == "yes" || s == "on") out = true;
  else if (s == "false" || s == "no" || s == "off") out = false;
  else return false;
  return true;
}

bool parse_value(const YAML::Node& node, int& out) { return node.IsScalar() && parse_int(node.Scalar(), out); }
bool parse_value(const YAML::Node& node, std::int64_t& out) {
  return node.IsScalar() && parse_int(node.Scalar(), out);
}
bool parse_value(const YAML::Node& node, std::uint64_t& out) {
  return node.IsScalar() && parse_int(node.Scalar(), out);
}

bool parse_value(const YAML::Node& node, double& out) {
  if (!node.IsScalar()) return false;
  std::string s = trim(node.Scalar());
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool parse_value(const YAML::Node& node, std::string& out) {
  if (!node.IsScalar()) return false;
  out = node.Scalar();
  return true;
}

std::string element_text(const YAML::Node& node) { return node.IsScalar() ? node.Scalar() : std::string(); }

std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing (null)";
  if (node.IsScalar()) return quote(node.Scalar());
  if (node.IsSequence()) return "a list of " + std::to_string(node.size());
  if (node.IsMap()) return "a mapping";
  return "an unknown value";
}

std::string describe_constraints(const char* type, const std::vector<std::string>& parts) {
  std::string out = type;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (starts_with(p, "one of")) out = p;  // an enum: the choices say it all
    else out += " " + p;
  }
  return out;
}

std::string constraint_text(const Min& c) { return ">= " + format_number(c.value); }
std::string constraint_text(const Above& c) { return "> " + format_number(c.value); }
std::string constraint_text(const Max& c) { return "<= " + format_number(c.value); }
std::string constraint_text(const Between& c) {
  return "in [" + format_number(c.lo) + ", " + format_number(c.hi) + "]";
}
std::string constraint_text(const OneOf& c) { return "one of " + join(c.values, "|"); }

std::string enum_hint(const std::string& got, const OneOf& c) {
  std::string best = closest_match(got, c.values);
  return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
}

void FieldReader::finish(const std::vector<std::string>& also_allowed) {
  if (!node_.IsMap()) return;
  std::vector<std::string> allowed = known_;
  allowed.insert(allowed.end(), also_allowed.begin(), also_allowed.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : describe_node(it->first);
    bool ok = false;
    for (const auto& k : allowed) ok = ok || (k == key);
    if (ok) continue;
    std::string hint = closest_match(key, allowed);
    problems_.add(join_path(path_, key),
                  "unknown key" + (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"));
  }
}

YAML::Node write_value(bool v) { return YAML::Node(v); }
YAML::Node write_value(int v) { return YAML::Node(v); }
YAML::Node write_value(std::int64_t v) { return YAML::Node(v); }
YAML::Node write_value(std::uint64_t v) { return YAML::Node(v); }
YAML::Node write_value(double v) { return YAML::Node(format_number(v)); }
YAML::Node write_value(const std::string& v) { return YAML::Node(v); }

std::string emit_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str()) + "\n";
}

namespace {
std::string at_mark(const std::string& source, const YAML::Mark& m) {
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// A key written twice in one mapping (at any depth) is an error: YAML parsers disagree on which one wins.
void refuse_duplicate_keys(const YAML::Node& node, const std::string& source) {
  if (node.IsSequence()) {
    for (const auto& item : node) refuse_duplicate_keys(item, source);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Mark> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar()) {
      auto [pos, fresh] = seen.emplace(it->first.Scalar(), it->first.Mark());
      if (!fresh)
        throw InputError(at_mark(source, it->first.Mark()) + ": duplicate key " + quote(it->first.Scalar()) +
                         " (first at line " + std::to_string(pos->second.line + 1) +
                         "); write each key once");
    }
    refuse_duplicate_keys(it->second, source);
  }
}
}  // namespace

YAML::Node load_yaml_string(const std::string& text, const std::string& source) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw InputError(at_mark(source, e.mark) + ": invalid YAML: " + e.msg);
  }
  if (docs.size() > 1)
    throw InputError(at_mark(source, docs[1].Mark()) + ": a second YAML document starts here (after \"---\"); "
                     "r1 reads one document per file: remove the separator or split the file");
  if (docs.empty()) return YAML::Node();
  refuse_duplicate_keys(docs[0], source);
  return docs[0];
}

YAML::Node load_yaml_file(const std::string& path) { return load_yaml_string(read_file(path), path); }

}  // namespace r1::config
