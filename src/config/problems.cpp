// Config problem collection and formatting.
#include "r1/config/problems.h"

#include "r1/util/error.h"

namespace r1::config {

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

bool Problems::is_overridden(const std::string& path) const {
  for (const auto& p : overridden_) {
    if (path == p) return true;
    if (path.size() > p.size() && path.compare(0, p.size(), p) == 0 && (path[p.size()] == '.' || path[p.size()] == '['))
      return true;
  }
  return false;
}

void Problems::add(const std::string& path, const std::string& message) {
  std::string line;
  if (!source_.empty()) line = source_ + (is_overridden(path) ? " (--set)" : "") + ": ";
  if (!path.empty()) line += path + ": ";
  line += message;
  lines_.push_back(line);
}

void Problems::add_raw(const std::string& line) { lines_.push_back(line); }

void Problems::merge(const Problems& other) {
  for (const auto& l : other.lines_) lines_.push_back(l);
}

void Problems::throw_if_any() const {
  if (!lines_.empty()) throw ConfigError(lines_);
}

}  // namespace r1::config
