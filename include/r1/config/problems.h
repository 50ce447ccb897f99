// Collects config problems ("file: path: message") so validation can report every one at once.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace r1::config {

class Problems {
 public:
  explicit Problems(std::string source = "") : source_(std::move(source)) {}

  // Records "source: path: message" (path may be empty). Paths under an overridden prefix are labelled
  // "source (--set)".
  void add(const std::string& path, const std::string& message);
  // Records a line exactly as given (e.g. problems from another file).
  void add_raw(const std::string& line);
  // Paths changed by --set, so their problems name the override rather than the file.
  void mark_overridden(const std::string& path) { overridden_.insert(path); }

  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  const std::vector<std::string>& lines() const { return lines_; }
  const std::string& source() const { return source_; }
  void set_source(std::string source) { source_ = std::move(source); }
  void merge(const Problems& other);

  // Throws ConfigError listing every problem if there are any.
  void throw_if_any() const;

 private:
  bool is_overridden(const std::string& path) const;

  std::string source_;
  std::vector<std::string> lines_;
  std::set<std::string> overridden_;
};

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join_path(const std::string& parent, const std::string& key);
// "a.b" + 3 -> "a.b[3]".
std::string index_path(const std::string& parent, size_t index);

}  // namespace r1::config
