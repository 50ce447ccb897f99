// Crash-safe file-system helpers.
#include "r1/util/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include "r1/util/error.h"

namespace r1 {

std::string errno_text(int err) { return std::strerror(err); }

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path.string() + ": expected a file, found a directory");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;  // kept before anything else can overwrite it
    throw InputError(path.string() + ": cannot open file (" + errno_text(err) + ")");
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw InputError(path.string() + ": read failed (" + errno_text(err) + ")");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

fs::path temp_sibling(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  fs::path p = target;
  p += std::string(kTempMarker) + std::to_string(::getpid()) + "." + std::to_string(counter++);
  return p;
}

bool is_temp_name(const std::string& filename) { return filename.find(kTempMarker) != std::string::npos; }

size_t remove_temp_files(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> doomed;
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!is_temp_name(it->path().filename().string())) continue;
    doomed.push_back(it->path());
    it.disable_recursion_pending();  // a temp directory goes whole
  }
  size_t removed = 0;
  for (const auto& p : doomed) removed += fs::remove_all(p, ec) > 0 ? 1 : 0;
  return removed;
}

namespace {
void write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      throw RuntimeFailure(path.string() + ": write failed (" + errno_text(err) + ")");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}
}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  make_dirs(parent);
  fs::path tmp = temp_sibling(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    throw RuntimeFailure(tmp.string() + ": cannot create (" + errno_text(err) + ")");
  }
  try {
    write_all(fd, content.data(), content.size(), tmp);
    if (::fsync(fd) != 0) {
      const int err = errno;
      throw RuntimeFailure(tmp.string() + ": fsync failed (" + errno_text(err) + ")");
    }
  } catch (...) {
    ::close(fd);
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();  // before the clean-up below reuses ec
    fs::remove(tmp, ec);
    throw RuntimeFailure(path.string() + ": rename of " + tmp.string() + " failed (" + why + ")");
  }
  fsync_path(parent);
}

void rename_dir_durable(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::path aside;
  if (fs::exists(to, ec)) {
    aside = temp_sibling(to);
    fs::rename(to, aside, ec);
    if (ec) throw RuntimeFailure(to.string() + ": cannot move aside (" + ec.message() + ")");
  }
  fs::rename(from, to, ec);
  if (ec) throw RuntimeFailure(to.string() + ": rename failed (" + ec.message() + ")");
  fsync_path(to.has_parent_path() ? to.parent_path() : fs::path("."));
  if (!aside.empty()) fs::remove_all(aside, ec);
}

void make_dirs(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec && !fs::is_directory(dir)) throw InputError(dir.string() + ": cannot create directory (" + ec.message() + ")");
}

namespace {
// `bytes` in the largest binary unit that keeps the value at least 1: the value and the unit's index (B, KiB, ...).
std::pair<double, int> in_binary_units(double bytes) {
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return {bytes, u};
}
const char* const kByteUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
}  // namespace

std::string format_bytes(std::uintmax_t bytes) {
  const auto [v, u] = in_binary_units(static_cast<double>(bytes));
  char buf[48];
  if (u == 0) std::snprintf(buf, sizeof buf, "%ju B", bytes);
  else std::snprintf(buf, sizeof buf, "%.3f %s (%ju bytes)", v, kByteUnits[u], bytes);
  return buf;
}

std::string format_bytes_short(std::int64_t bytes) {
  const auto [v, u] = in_binary_units(static_cast<double>(std::max<std::int64_t>(0, bytes)));
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%.0f B", v);
  else if (v < 10) std::snprintf(buf, sizeof buf, "%.2f %s", v, kByteUnits[u]);
  else if (v < 100) std::snprintf(buf, sizeof buf, "%.1f %s", v, kByteUnits[u]);
  else std::snprintf(buf, sizeof buf, "%.0f %s", v, kByteUnits[u]);
  return buf;
}

std::uintmax_t free_bytes(const fs::path& path) {
  fs::path p = path.empty() ? fs::path(".") : path;
  std::error_code ec;
  while (!fs::exists(p, ec) && p.has_parent_path() && p != p.parent_path()) p = p.parent_path();
  auto info = fs::space(p, ec);
  if (ec) return static_cast<std::uintmax_t>(-1);
  return info.available;
}

void require_free_space(const fs::path& path, std::uintmax_t needed, const std::string& what) {
  std::uintmax_t have = free_bytes(path);
  if (have < needed) {
    throw RuntimeFailure("not enough disk space for " + what + " at " + path.string() + ": need " +
                         format_bytes(needed) + ", have " + format_bytes(have) + " free");
  }
}

}  // namespace r1
