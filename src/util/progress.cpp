// Progress line rendering (TTY: one rewritten line; pipes/files: periodic plain lines).
#include "r1/util/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "r1/util/strings.h"

namespace r1 {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

Progress::Progress(std::string label, std::int64_t total, std::string unit, double interval_s)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)), interval_s_(interval_s),
      tty_(::isatty(STDERR_FILENO) != 0) {}

std::string Progress::render(std::int64_t done, const std::vector<std::pair<std::string, double>>& values) const {
  double elapsed = clock_.seconds();
  double rate = elapsed > 0 ? static_cast<double>(done - start_) / elapsed : 0.0;
  double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : NAN;
  char head[160];
  std::snprintf(head, sizeof head, "[%s] %s %lld/%lld  %.2f %s/s  elapsed %s  ETA %s", label_.c_str(), unit_.c_str(),
                static_cast<long long>(done), static_cast<long long>(total_), rate, unit_.c_str(),
                format_duration(elapsed).c_str(), format_duration(eta).c_str());
  std::string line = head;
  for (const auto& [name, value] : values) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %s %.4g", name.c_str(), value);
    line += buf;
  }
  return line;
}

void Progress::update(std::int64_t done, const std::vector<std::pair<std::string, double>>& values) {
  if (!enabled_) return;
  double now = clock_.seconds();
  bool last = done >= total_;
  if (tty_) {
    if (now - last_print_ < 0.2 && !last) return;
    std::fprintf(stderr, "\r\033[K%s", render(done, values).c_str());
    std::fflush(stderr);
    printed_tty_ = true;
  } else {
    if (now - last_print_ < interval_s_ && !last) return;
    std::fprintf(stderr, "%s\n", render(done, values).c_str());
  }
  last_print_ = now;
}

void Progress::finish() {
  if (enabled_ && tty_ && printed_tty_) {
    std::fprintf(stderr, "\n");
    printed_tty_ = false;
  }
}

}  // namespace r1
