// A progress line for long loops: step/total, rate, ETA and a few named values. On a TTY it rewrites
// one line; otherwise it prints a plain line at most every `interval_s` seconds (and at the end).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "r1/util/timer.h"

namespace r1 {

class Progress {
 public:
  Progress(std::string label, std::int64_t total, std::string unit = "step", double interval_s = 10.0);
  // `done` counts finished units since the loop began at `start` (for resumed runs).
  void update(std::int64_t done, const std::vector<std::pair<std::string, double>>& values = {});
  void finish();
  void set_start(std::int64_t start) { start_ = start; }
  // Silences the line (e.g. ranks other than 0).
  void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  std::string render(std::int64_t done, const std::vector<std::pair<std::string, double>>& values) const;

  std::string label_;
  std::int64_t total_;
  std::string unit_;
  double interval_s_;
  std::int64_t start_ = 0;
  Stopwatch clock_;
  double last_print_ = -1e9;
  bool tty_;
  bool enabled_ = true;
  bool printed_tty_ = false;
};

// "1h02m", "4m05s", "12s".
std::string format_duration(double seconds);

}  // namespace r1
