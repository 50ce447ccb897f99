// Error types and the exit codes they map to: InputError (bad config, data, checkpoint, CLI value) exits 2,
// RuntimeFailure exits 1, Interrupted (SIGINT/SIGTERM after a clean checkpoint) exits 130 or 143.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace r1 {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterrupted = 130;

// Base of every error r1 reports to the user; `exit_code()` tells main what to return.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_code() const { return kExitRuntime; }
};

// Bad input from the user: a config, data file, checkpoint or command-line value. Exit code 2.
// The message names the file, the key or line, what was expected and what was found.
class InputError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitBadInput; }
};

// Several config problems found at once; what() lists them, one per line.
class ConfigError : public InputError {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Something went wrong while running (numerics, disk, a peer rank died). Exit code 1.
class RuntimeFailure : public Error {
 public:
  using Error::Error;
};

// The user asked to stop (SIGINT/SIGTERM); what resumes the work was saved first. Exit code 128 + the signal
// (130 for SIGINT, 143 for SIGTERM).
class Interrupted : public Error {
 public:
  using Error::Error;
  int exit_code() const override;
};

}  // namespace r1
