// flock-based run-directory lock.
#include "r1/util/run_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/signals.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {
std::string holder_line() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return "pid " + std::to_string(::getpid()) + " on host " + std::string(host) + " since " + when + ": " +
         resume_command() + "\n";
}
}  // namespace

RunDirLock RunDirLock::acquire(const std::filesystem::path& dir) {
  RunDirLock lock;
  const char* skip = std::getenv("R1_NO_RUN_LOCK");
  if (skip && std::string(skip) == "1") return lock;
  make_dirs(dir);
  const auto path = dir / kFileName;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    throw InputError(path.string() + ": cannot open the run-directory lock (" + errno_text(err) + ")");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder = trim(read_file(path));
      throw InputError(dir.string() + " is in use by another r1 process (" +
                       (holder.empty() ? std::string("holder unknown") : holder) +
                       "). One command writes a run directory at a time: wait for it to finish, or stop it "
                       "(Ctrl-C / kill PID) and run again.");
    }
    throw InputError(path.string() + ": cannot lock the run directory (" + errno_text(err) +
                     "); this file system may not support flock (set R1_NO_RUN_LOCK=1 to run without the lock)");
  }
  const std::string line = holder_line();
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, line.data(), line.size(), 0);
    (void)ignored;
  }
  lock.fd_ = fd;
  return lock;
}

RunDirLock::RunDirLock(RunDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunDirLock& RunDirLock::operator=(RunDirLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RunDirLock::~RunDirLock() { release(); }

void RunDirLock::release() {
  if (fd_ < 0) return;
  ::close(fd_);  // closing the descriptor drops the flock
  fd_ = -1;
}

}  // namespace r1
