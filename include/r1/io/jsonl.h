// JSONL: line-numbered reading with clear errors (never a silent skip), crash-safe appending, and repair of
// a torn last line after a kill.
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "r1/util/error.h"

namespace r1 {

using Json = nlohmann::json;

// Row limits: a row longer than jsonl_max_row_bytes() (default 64 MiB, env R1_JSONL_MAX_ROW_BYTES) is refused, and a
// row over 1 MiB whose parsed form would take more than 20 bytes per character (deeply nested tiny values) too, so
// one hostile line cannot exhaust memory.
constexpr std::size_t kDefaultJsonlMaxRowBytes = std::size_t{64} << 20;
constexpr std::size_t kJsonlMemoryCheckBytes = std::size_t{1} << 20;
constexpr std::size_t kJsonlMaxBytesPerChar = 20;
std::size_t jsonl_max_row_bytes();

// Calls fn(object, line_number) for each non-blank line; every line must be a JSON object.
// Throws InputError "path:LINE: ..." on the first bad line.
void for_each_jsonl(const std::string& path, const std::function<void(const Json&, size_t)>& fn);
std::vector<Json> read_jsonl(const std::string& path);

// Field accessors for rows: throw InputError "path:LINE: field \"x\": expected a string, got 42" etc.
std::string jsonl_string(const Json& row, const std::string& field, const std::string& path, size_t line);
double jsonl_number(const Json& row, const std::string& field, const std::string& path, size_t line);
// An integer field's value: an integer, or a float with an integral value (|v| < 1e15); else the error below.
long long jsonl_integer(const Json& value, const std::string& path, size_t line, const std::string& field);
// Short text of a JSON value for messages.
std::string describe_json(const Json& value);
// "path:LINE: " (the prefix of every row error).
std::string jsonl_where(const std::string& path, size_t line);
// InputError "path:LINE: field \"x\": expected EXPECTED, got GOT".
InputError jsonl_field_error(const std::string& path, size_t line, const std::string& field,
                             const std::string& expected, const Json& got);

// Appends one JSON object per line; each line is written whole and flushed.
class JsonlWriter {
 public:
  JsonlWriter() = default;
  // append=false truncates. Creates parent directories.
  JsonlWriter(const std::string& path, bool append);
  ~JsonlWriter();
  JsonlWriter(JsonlWriter&& other) noexcept;
  JsonlWriter& operator=(JsonlWriter&& other) noexcept;
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  void write(const Json& row);
  // fsync the file (call at checkpoints).
  void sync();
  bool is_open() const { return file_ != nullptr; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// After a crash: drops a torn last line (no final newline, or not valid JSON). Returns lines dropped.
size_t repair_jsonl_tail(const std::string& path);
// Keeps only rows whose numeric `key` is <= max_value (rows without the key are kept); used on resume so
// metrics written after the checkpoint are not duplicated. Rewrites the file atomically. Returns rows dropped.
size_t truncate_jsonl_after(const std::string& path, const std::string& key, double max_value);

}  // namespace r1
