// Crash-safe file-system helpers.
#include "r1/util/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "r1/util/error.h"

namespace r1 {

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path.string() + ": expected a file, found a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open file (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path.string() + ": read failed");
  return ss.str();
}

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

namespace {
std::string temp_suffix() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(gen() % 1000000);
}

void write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw RuntimeFailure(path.string() + ": write failed (" + std::strerror(errno) + ")");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}
}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  make_dirs(parent);
  fs::path tmp = path;
  tmp += temp_suffix();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw RuntimeFailure(tmp.string() + ": cannot create (" + std::strerror(errno) + ")");
  try {
    write_all(fd, content.data(), content.size(), tmp);
    if (::fsync(fd) != 0) throw RuntimeFailure(tmp.string() + ": fsync failed (" + std::strerror(errno) + ")");
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
    fs::remove(tmp, ec);
    throw RuntimeFailure(path.string() + ": rename failed (" + ec.message() + ")");
  }
  fsync_path(parent);
}

void rename_dir_durable(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::path aside;
  if (fs::exists(to, ec)) {
    aside = to;
    aside += ".old" + temp_suffix();
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
                         std::to_string(needed >> 20) + " MiB, have " + std::to_string(have >> 20) + " MiB free");
  }
}

}  // namespace r1
