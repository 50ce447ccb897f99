// One writer per run directory: an exclusive flock(2) on RUN_DIR/.r1.lock, held for the life of the command. The
// kernel drops it when the holder exits or dies (kill -9 never leaves a stale lock); the file keeps the holder's
// pid, host, command and start time so a second writer is told who holds it. On NFS, flock is emulated with
// byte-range locks by the client (Linux >= 2.6.12) and works as long as the server's lock manager does; on file
// systems without locking the lock cannot be taken and the command says so (R1_NO_RUN_LOCK=1 skips the lock at
// your own risk).
#pragma once
#include <filesystem>
#include <string>

namespace r1 {

class RunDirLock {
 public:
  RunDirLock() = default;
  // Creates `dir` if needed and locks it; throws InputError naming the holder (pid, host, command, since) when
  // another process holds the lock.
  static RunDirLock acquire(const std::filesystem::path& dir);
  RunDirLock(RunDirLock&& other) noexcept;
  RunDirLock& operator=(RunDirLock&& other) noexcept;
  RunDirLock(const RunDirLock&) = delete;
  RunDirLock& operator=(const RunDirLock&) = delete;
  ~RunDirLock();

  bool held() const { return fd_ >= 0; }
  // Releases the lock early (the destructor does it too).
  void release();

  static constexpr const char* kFileName = ".r1.lock";

 private:
  int fd_ = -1;
};

}  // namespace r1
