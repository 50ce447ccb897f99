// Error types: ConfigError joins its problems into one message.
#include "r1/util/error.h"

#include "r1/util/signals.h"

namespace r1 {

namespace {
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}
}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : InputError(join_lines(problems)), problems_(std::move(problems)) {}

int Interrupted::exit_code() const { return stop_exit_code(); }

}  // namespace r1
