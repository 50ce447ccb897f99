// JSONL reading, writing and crash repair.
#include "r1/io/jsonl.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

std::string describe_json(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return quote(value.get<std::string>());
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    default: return value.dump();
  }
}

namespace {
// An upper estimate of the memory a parsed row takes (nlohmann's values, object nodes, string bodies), from a SAX
// pass that allocates nothing per value: a row of many tiny nested objects costs far more than its text.
struct MemoryEstimate : nlohmann::json_sax<Json> {
  std::size_t bytes = 0;
  bool null() override { return add(16); }
  bool boolean(bool) override { return add(16); }
  bool number_integer(number_integer_t) override { return add(16); }
  bool number_unsigned(number_unsigned_t) override { return add(16); }
  bool number_float(number_float_t, const string_t&) override { return add(16); }
  bool string(string_t& s) override { return add(48 + s.size()); }
  bool binary(binary_t& b) override { return add(48 + b.size()); }
  bool start_object(std::size_t) override { return add(64); }
  bool key(string_t& k) override { return add(96 + k.size()); }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return add(40); }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
  bool add(std::size_t n) {
    bytes += n;
    return true;
  }
};
}  // namespace

std::size_t jsonl_max_row_bytes() {
  const char* env = std::getenv("R1_JSONL_MAX_ROW_BYTES");
  if (env && *env) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (end && *end == '\0' && v > 0) return static_cast<std::size_t>(v);
    throw InputError("R1_JSONL_MAX_ROW_BYTES: expected a positive number of bytes, got " + quote(env));
  }
  return kDefaultJsonlMaxRowBytes;
}

void for_each_jsonl(const std::string& path, const std::function<void(const Json&, size_t)>& fn) {
  const std::size_t max_row = jsonl_max_row_bytes();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": expected a JSONL file, found a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open JSONL file");
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    if (line.find('\0') != std::string::npos)
      throw InputError(path + ":" + std::to_string(line_no) + ": not valid JSON (the line holds a NUL byte)");
    if (line.size() > max_row)
      throw InputError(path + ":" + std::to_string(line_no) + ": a row of " + std::to_string(line.size()) +
                       " bytes is over the limit of " + std::to_string(max_row) +
                       " (raise it with R1_JSONL_MAX_ROW_BYTES if the row is meant to be this large)");
    if (line.size() > kJsonlMemoryCheckBytes) {
      MemoryEstimate estimate;
      if (Json::sax_parse(line, &estimate) && estimate.bytes > kJsonlMaxBytesPerChar * line.size())
        throw InputError(path + ":" + std::to_string(line_no) + ": a row of " + std::to_string(line.size()) +
                         " bytes would take about " + std::to_string(estimate.bytes >> 20) +
                         " MiB once parsed (many tiny values); refused (at most " +
                         std::to_string(kJsonlMaxBytesPerChar) + " bytes per character for rows over 1 MiB)");
    }
    Json row;
    try {
      row = Json::parse(line);
    } catch (const Json::exception& e) {
      std::string msg = e.what();
      size_t pos = msg.find("parse error");
      throw InputError(path + ":" + std::to_string(line_no) + ": not valid JSON (" +
                       (pos == std::string::npos ? msg : msg.substr(pos)) + ")");
    }
    if (!row.is_object())
      throw InputError(path + ":" + std::to_string(line_no) + ": expected a JSON object, got " + describe_json(row));
    fn(row, line_no);
  }
}

std::vector<Json> read_jsonl(const std::string& path) {
  std::vector<Json> rows;
  for_each_jsonl(path, [&](const Json& row, size_t) { rows.push_back(row); });
  return rows;
}

std::string jsonl_where(const std::string& path, size_t line) { return path + ":" + std::to_string(line) + ": "; }

InputError jsonl_field_error(const std::string& path, size_t line, const std::string& field,
                             const std::string& expected, const Json& got) {
  return InputError(jsonl_where(path, line) + "field \"" + field + "\": expected " + expected + ", got " +
                    describe_json(got));
}

std::string jsonl_string(const Json& row, const std::string& field, const std::string& path, size_t line) {
  auto it = row.find(field);
  if (it == row.end()) throw InputError(jsonl_where(path, line) + "missing field \"" + field + "\"");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  if (it->is_number()) return format_number(it->get<double>());
  throw jsonl_field_error(path, line, field, "a string", *it);
}

double jsonl_number(const Json& row, const std::string& field, const std::string& path, size_t line) {
  auto it = row.find(field);
  if (it == row.end()) throw InputError(jsonl_where(path, line) + "missing field \"" + field + "\"");
  if (!it->is_number()) throw jsonl_field_error(path, line, field, "a number", *it);
  return it->get<double>();
}

long long jsonl_integer(const Json& value, const std::string& path, size_t line, const std::string& field) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d)) && d > -1e15 && d < 1e15) return static_cast<long long>(d);
  }
  throw jsonl_field_error(path, line, field, "an integer", value);
}

JsonlWriter::JsonlWriter(const std::string& path, bool append) : path_(path) {
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) make_dirs(parent);
  file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (!file_) throw RuntimeFailure(path + ": cannot open for writing");
}

JsonlWriter::~JsonlWriter() {
  if (file_) std::fclose(file_);
}

JsonlWriter::JsonlWriter(JsonlWriter&& other) noexcept : path_(std::move(other.path_)), file_(other.file_) {
  other.file_ = nullptr;
}

JsonlWriter& JsonlWriter::operator=(JsonlWriter&& other) noexcept {
  if (this != &other) {
    if (file_) std::fclose(file_);
    path_ = std::move(other.path_);
    file_ = other.file_;
    other.file_ = nullptr;
  }
  return *this;
}

void JsonlWriter::write(const Json& row) {
  if (!file_) throw RuntimeFailure("JsonlWriter: write to a closed file");
  std::string line = row.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw RuntimeFailure(path_ + ": write failed");
}

void JsonlWriter::sync() {
  if (file_) {
    std::fflush(file_);
    ::fsync(::fileno(file_));
  }
}

size_t repair_jsonl_tail(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  std::string text = read_file(path);
  if (text.empty()) return 0;
  size_t keep = text.size();
  size_t dropped = 0;
  if (text.back() != '\n') {
    size_t nl = text.rfind('\n');
    keep = nl == std::string::npos ? 0 : nl + 1;
    dropped = 1;
  } else {
    size_t start = text.rfind('\n', text.size() - 2);
    start = start == std::string::npos ? 0 : start + 1;
    std::string last = text.substr(start, text.size() - 1 - start);
    if (!trim(last).empty() && !Json::accept(last)) {
      keep = start;
      dropped = 1;
    }
  }
  if (dropped) write_file_atomic(path, text.substr(0, keep));
  return dropped;
}

size_t truncate_jsonl_after(const std::string& path, const std::string& key, double max_value) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  repair_jsonl_tail(path);
  std::ifstream in(path, std::ios::binary);
  std::string line, kept;
  size_t dropped = 0;
  while (std::getline(in, line)) {
    if (trim(line).empty()) continue;
    Json row = Json::parse(line, nullptr, false);
    if (!row.is_discarded() && row.is_object() && row.contains(key) && row[key].is_number() &&
        row[key].get<double>() > max_value) {
      ++dropped;
      continue;
    }
    kept += line + "\n";
  }
  if (dropped) write_file_atomic(path, kept);
  return dropped;
}

}  // namespace r1
