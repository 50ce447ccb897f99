// Logging: one spdlog logger ("r1") writing to the console and, while a stage runs, to its log.txt.
#pragma once
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace r1 {

// Sets up the console sink (stderr) at `level` ("trace".."off") and, if non-empty, a global log file.
// Throws InputError for an unknown level name.
void init_logging(const std::string& level, const std::string& log_file = "");

// The shared logger; valid (console-only, info) even if init_logging was never called.
std::shared_ptr<spdlog::logger> logger();

// Ranks other than 0 only print warnings and errors to the console.
void set_log_rank(int rank);

// While alive, everything logged also goes to `path` (appended). One per running stage.
class ScopedLogFile {
 public:
  explicit ScopedLogFile(const std::string& path);
  ~ScopedLogFile();
  ScopedLogFile(const ScopedLogFile&) = delete;
  ScopedLogFile& operator=(const ScopedLogFile&) = delete;

 private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

}  // namespace r1
