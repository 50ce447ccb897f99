// Safetensors reading (header validated before any data is touched) and atomic writing.
#include "r1/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include <torch/torch.h>

#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; r1 copies it as-is and needs a little-endian host");

namespace r1 {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;  // as Hugging Face's reader: 100 MB
constexpr int kMaxJsonDepth = 64;                            // a real header nests 3 deep

struct DtypeSpec {
  const char* name;
  at::ScalarType type;
  size_t size;
};

constexpr DtypeSpec kDtypes[] = {
    {"F64", at::kDouble, 8}, {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2},  {"BF16", at::kBFloat16, 2},
    {"I64", at::kLong, 8},   {"I32", at::kInt, 4},   {"I16", at::kShort, 2}, {"I8", at::kChar, 1},
    {"U8", at::kByte, 1},    {"BOOL", at::kBool, 1},
};

const DtypeSpec* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

const DtypeSpec* find_dtype(at::ScalarType type) {
  for (const auto& d : kDtypes)
    if (type == d.type) return &d;
  return nullptr;
}

std::string supported_dtypes() {
  std::vector<std::string> names;
  for (const auto& d : kDtypes) names.push_back(d.name);
  return join(names, ", ");
}

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw InputError(source + ": invalid safetensors file: " + message);
}

[[noreturn]] void fail_tensor(const std::string& source, const std::string& name, const std::string& message) {
  fail(source, "tensor " + quote(name) + ": " + message);
}

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string u64_le(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// Rejects pathological nesting before the JSON parser sees it (bounded work, no deep recursion anywhere later).
void check_json_depth(const char* text, size_t size, const std::string& source) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < size; ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        fail(source, "header JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// A JSON value's text for messages, cut short.
std::string short_dump(const Json& v) {
  std::string text = v.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// A non-negative integer JSON value, or false.
bool json_u64(const Json& v, uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(v.get<int64_t>());
    return true;
  }
  return false;
}

struct ParsedHeader {
  std::vector<TensorInfo> infos;  // sorted by name
  std::map<std::string, std::string> metadata;
};

// Validates the JSON header text against a data section of `data_size` bytes.
ParsedHeader parse_header_text(const char* text, size_t size, uint64_t data_size, const std::string& source) {
  check_json_depth(text, size, source);
  std::set<std::string> seen;
  std::string duplicate;
  bool has_duplicate = false;
  Json::parser_callback_t on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key && depth == 1 && !has_duplicate) {
      std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second) {
        duplicate = key;
        has_duplicate = true;
      }
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(text, text + size, on_event);
  } catch (const Json::exception& e) {
    std::string msg = e.what();
    size_t pos = msg.find(' ');
    fail(source, "header is not valid JSON (" + (pos == std::string::npos ? msg : msg.substr(pos + 1)) + ")");
  }
  if (!header.is_object()) fail(source, "header must be a JSON object, got " + describe_json(header));
  if (has_duplicate) fail_tensor(source, duplicate, "listed twice in the header");

  ParsedHeader out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const Json& entry = it.value();
    if (name == "__metadata__") {
      if (entry.is_null()) continue;
      if (!entry.is_object()) fail(source, "__metadata__ must be an object of strings, got " + describe_json(entry));
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string())
          fail(source, "__metadata__ key " + quote(m.key()) + ": expected a string, got " + describe_json(m.value()));
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!entry.is_object()) fail_tensor(source, name, "expected an object, got " + describe_json(entry));
    TensorInfo info;
    info.name = name;

    auto dt = entry.find("dtype");
    if (dt == entry.end()) fail_tensor(source, name, "missing \"dtype\"");
    if (!dt->is_string()) fail_tensor(source, name, "dtype: expected a string, got " + describe_json(*dt));
    info.dtype = dt->get<std::string>();
    const DtypeSpec* spec = find_dtype(info.dtype);
    if (!spec)
      fail_tensor(source, name, "unsupported dtype " + quote(info.dtype) + " (supported: " + supported_dtypes() + ")");

    auto sh = entry.find("shape");
    if (sh == entry.end()) fail_tensor(source, name, "missing \"shape\"");
    if (!sh->is_array()) fail_tensor(source, name, "shape: expected a list of integers, got " + describe_json(*sh));
    uint64_t numel = 1;
    bool overflow = false;
    for (size_t d = 0; d < sh->size(); ++d) {
      uint64_t dim = 0;
      if (!json_u64((*sh)[d], dim))
        fail_tensor(source, name, "shape[" + std::to_string(d) + "]: expected a non-negative integer, got " +
                                      describe_json((*sh)[d]));
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail_tensor(source, name, "shape[" + std::to_string(d) + "] = " + std::to_string(dim) + " is too large");
      info.shape.push_back(static_cast<int64_t>(dim));
      if (__builtin_mul_overflow(numel, dim, &numel)) overflow = true;
    }
    uint64_t nbytes = 0;
    bool zero = std::find(info.shape.begin(), info.shape.end(), 0) != info.shape.end();
    if (!zero && (overflow || numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
                  __builtin_mul_overflow(numel, static_cast<uint64_t>(spec->size), &nbytes)))
      fail_tensor(source, name, "shape " + short_dump(*sh) + " has too many elements (size overflows 64 bits)");
    if (zero) nbytes = 0;

    auto off = entry.find("data_offsets");
    if (off == entry.end()) fail_tensor(source, name, "missing \"data_offsets\"");
    if (!off->is_array() || off->size() != 2 || !json_u64((*off)[0], info.begin) || !json_u64((*off)[1], info.end))
      fail_tensor(source, name, "data_offsets: expected [begin, end] as two non-negative integers, got " +
                                    (off->is_array() ? short_dump(*off) : describe_json(*off)));
    std::string range = "data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + "]";
    if (info.begin > info.end) fail_tensor(source, name, range + ": begin is after end");
    if (info.end > data_size)
      fail_tensor(source, name, range + " run past the end of the data section (" + std::to_string(data_size) +
                                    " bytes; file truncated?)");
    if (info.end - info.begin != nbytes)
      fail_tensor(source, name, range + " hold " + std::to_string(info.end - info.begin) + " bytes but " +
                                    info.dtype + " x shape " + short_dump(*sh) + " needs " + std::to_string(nbytes));
    out.infos.push_back(std::move(info));
  }

  // No two non-empty entries may share bytes.
  std::vector<const TensorInfo*> by_offset;
  for (const auto& info : out.infos)
    if (info.end > info.begin) by_offset.push_back(&info);
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  const TensorInfo* reach = nullptr;  // the entry ending furthest so far
  for (const TensorInfo* info : by_offset) {
    if (reach && info->begin < reach->end)
      fail_tensor(source, info->name, "bytes [" + std::to_string(info->begin) + ", " + std::to_string(info->end) +
                                          ") overlap tensor " + quote(reach->name) + " [" +
                                          std::to_string(reach->begin) + ", " + std::to_string(reach->end) + ")");
    if (!reach || info->end > reach->end) reach = info;
  }
  return out;
}

// Checks the 8-byte prefix of a file of `file_size` bytes; returns the header length.
uint64_t check_header_length(const unsigned char* prefix, uint64_t file_size, const std::string& source) {
  if (file_size < 8)
    fail(source, "file is " + std::to_string(file_size) + " bytes, shorter than the 8-byte header length");
  uint64_t n = read_u64_le(prefix);
  if (n < 2) fail(source, "header length " + std::to_string(n) + " is too small for a JSON object");
  if (n > kMaxHeaderBytes)
    fail(source, "header length " + std::to_string(n) + " exceeds the " + std::to_string(kMaxHeaderBytes) +
                     "-byte limit (not a safetensors file?)");
  if (n > file_size - 8)
    fail(source, "header length " + std::to_string(n) + " runs past the end of the " + std::to_string(file_size) +
                     "-byte file (file truncated?)");
  return n;
}

at::Tensor empty_tensor(const TensorInfo& info) {
  return at::empty(info.shape, at::TensorOptions().dtype(find_dtype(info.dtype)->type).device(at::kCPU));
}

void check_bool_bytes(const TensorInfo& info, const unsigned char* data, const std::string& source) {
  if (info.dtype != "BOOL") return;
  for (uint64_t i = 0; i < info.end - info.begin; ++i)
    if (data[i] > 1)
      fail_tensor(source, info.name, "BOOL element " + std::to_string(i) + " has byte value " +
                                         std::to_string(data[i]) + " (expected 0 or 1)");
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Reads exactly `size` bytes at `offset`; InputError when the file ends first.
void pread_all(int fd, void* buf, uint64_t size, uint64_t offset, const std::string& path) {
  auto* p = static_cast<char*>(buf);
  while (size > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, 1ull << 30));
    ssize_t n = ::pread(fd, p, chunk, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path + ": read failed (" + errno_text(errno) + ")");
    }
    if (n == 0) throw InputError(path + ": file ended early while reading (truncated while being read?)");
    p += n;
    size -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
}

void write_all(int fd, const void* buf, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(buf);
  while (size > 0) {
    ssize_t n = ::write(fd, p, std::min<size_t>(size, 1u << 30));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw RuntimeFailure(path + ": write failed (" + errno_text(errno) + ")");
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

size_t safetensors_dtype_size(const std::string& dtype) {
  const DtypeSpec* spec = find_dtype(dtype);
  return spec ? spec->size : 0;
}

std::vector<TensorInfo> parse_safetensors_header(const std::string& bytes, const std::string& source) {
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  uint64_t n = check_header_length(data, bytes.size(), source);
  return parse_header_text(bytes.data() + 8, n, bytes.size() - 8 - n, source).infos;
}

std::map<std::string, at::Tensor> parse_safetensors(const std::string& bytes, const std::string& source,
                                                    std::map<std::string, std::string>* metadata) {
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  uint64_t n = check_header_length(data, bytes.size(), source);
  ParsedHeader header = parse_header_text(bytes.data() + 8, n, bytes.size() - 8 - n, source);
  const unsigned char* section = data + 8 + n;
  std::map<std::string, at::Tensor> out;
  for (const auto& info : header.infos) {
    check_bool_bytes(info, section + info.begin, source);
    at::Tensor t = empty_tensor(info);
    if (info.end > info.begin) std::memcpy(t.data_ptr(), section + info.begin, info.end - info.begin);
    out.emplace(info.name, std::move(t));
  }
  if (metadata) *metadata = std::move(header.metadata);
  return out;
}

std::map<std::string, at::Tensor> load_safetensors(const std::string& path,
                                                   std::map<std::string, std::string>* metadata) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": expected a safetensors file, found a directory");
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw InputError(path + ": cannot open safetensors file (" + errno_text(errno) + ")");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw InputError(path + ": not a regular file");
  uint64_t file_size = static_cast<uint64_t>(st.st_size);

  unsigned char prefix[8] = {0};
  if (file_size >= 8) pread_all(fd.get(), prefix, 8, 0, path);
  uint64_t n = check_header_length(prefix, file_size, path);
  std::string text(n, '\0');
  pread_all(fd.get(), text.data(), n, 8, path);
  ParsedHeader header = parse_header_text(text.data(), n, file_size - 8 - n, path);

  std::map<std::string, at::Tensor> out;
  for (const auto& info : header.infos) {
    at::Tensor t = empty_tensor(info);
    uint64_t size = info.end - info.begin;
    if (size > 0) {
      pread_all(fd.get(), t.data_ptr(), size, 8 + n + info.begin, path);
      check_bool_bytes(info, static_cast<const unsigned char*>(t.data_ptr()), path);
    }
    out.emplace(info.name, std::move(t));
  }
  if (metadata) *metadata = std::move(header.metadata);
  return out;
}

void save_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<const std::string*, at::Tensor>> prepared;
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__") throw RuntimeFailure(path + ": \"__metadata__\" cannot be used as a tensor name");
    if (!tensor.defined()) throw RuntimeFailure(path + ": tensor " + quote(name) + " is undefined");
    if (tensor.layout() != at::kStrided)
      throw RuntimeFailure(path + ": tensor " + quote(name) + " is not dense (sparse tensors are not supported)");
    const DtypeSpec* spec = find_dtype(tensor.scalar_type());
    if (!spec)
      throw RuntimeFailure(path + ": tensor " + quote(name) + " has dtype " +
                           std::string(c10::toString(tensor.scalar_type())) + ", which safetensors cannot hold here (" +
                           supported_dtypes() + ")");
    at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    uint64_t nbytes = static_cast<uint64_t>(t.numel()) * spec->size;
    header[name] = {{"dtype", spec->name},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    prepared.emplace_back(&name, std::move(t));
  }
  std::string text = header.dump(-1, ' ', false, Json::error_handler_t::strict);
  text.append((8 - text.size() % 8) % 8, ' ');

  std::filesystem::path target(path);
  std::filesystem::path parent = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  make_dirs(parent);
  std::string tmp = temp_sibling(target).string();
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int err = errno;
    throw RuntimeFailure(tmp + ": cannot create (" + errno_text(err) + ")");
  }
  try {
    std::string prefix = u64_le(text.size());
    write_all(fd.get(), prefix.data(), prefix.size(), tmp);
    write_all(fd.get(), text.data(), text.size(), tmp);
    for (const auto& [name, t] : prepared)
      if (t.numel() > 0) write_all(fd.get(), t.data_ptr(), t.numel() * t.element_size(), tmp);
    if (::fsync(fd.get()) != 0) {
      const int err = errno;
      throw RuntimeFailure(tmp + ": fsync failed (" + errno_text(err) + ")");
    }
    if (::close(fd.release()) != 0) {
      const int err = errno;
      throw RuntimeFailure(tmp + ": close failed (" + errno_text(err) + ")");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, target, ec);
    if (ec) throw RuntimeFailure(path + ": rename from " + tmp + " failed (" + ec.message() + ")");
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  fsync_path(parent);
}

}  // namespace r1
