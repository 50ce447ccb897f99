// Host memory figures from /proc and the cgroup file system.
#include "r1/util/memory.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value in kB of "Key:   123 kB" in a /proc status-like text, in bytes; -1 when absent.
std::int64_t proc_field_bytes(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    long long kb = -1;
    if (std::sscanf(line.c_str() + key.size() + 1, "%lld", &kb) == 1 && kb >= 0) return kb * 1024;
  }
  return -1;
}

// A cgroup file's number; -1 for "max", empty or unparsable text, and for v1's "no limit" (near 2^63).
std::int64_t cgroup_number(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty() || t == "max") return -1;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(t.c_str(), &end, 10);
  if (end == t.c_str() || v >= (1ULL << 62)) return -1;
  return static_cast<std::int64_t>(v);
}

// This process's cgroup v2 directory ("0::/path" in /proc/self/cgroup), or "" when not on cgroup v2.
std::string cgroup_v2_dir() {
  std::istringstream in(slurp("/proc/self/cgroup"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  return "";
}

}  // namespace

MemoryBudget available_memory_from(const std::string& meminfo, const std::string& cgroup_limit,
                                   const std::string& cgroup_current) {
  MemoryBudget b;
  const std::int64_t avail = proc_field_bytes(meminfo, "MemAvailable");
  if (avail >= 0) b = {avail, "MemAvailable"};
  const std::int64_t limit = cgroup_number(cgroup_limit);
  if (limit >= 0) {
    const std::int64_t used = std::max<std::int64_t>(0, cgroup_number(cgroup_current));
    const std::int64_t left = std::max<std::int64_t>(0, limit - used);
    if (b.bytes < 0 || left < b.bytes) b = {left, "cgroup memory limit " + format_bytes_short(limit)};
  }
  return b;
}

MemoryBudget available_memory() {
  const std::string meminfo = slurp("/proc/meminfo");
  std::string limit, current;
  if (std::string dir = cgroup_v2_dir(); !dir.empty()) {
    limit = slurp(dir + "/memory.max");
    current = slurp(dir + "/memory.current");
  }
  if (limit.empty()) {  // cgroup v1
    limit = slurp("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    current = slurp("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  return available_memory_from(meminfo, limit, current);
}

std::int64_t resident_bytes() { return proc_field_bytes(slurp("/proc/self/status"), "VmRSS"); }
std::int64_t peak_resident_bytes() { return proc_field_bytes(slurp("/proc/self/status"), "VmHWM"); }

bool reset_peak_resident() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::int64_t parse_memory_size(const std::string& text, const std::string& what) {
  const std::string t = trim(text);
  const std::string expected = what + ": expected a memory size such as 8GiB, 512M or 1.5T (binary units), got " +
                               quote(text);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || !std::isfinite(v) || v < 0) throw InputError(expected);
  std::string unit = trim(std::string(end));
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() == 3 && unit.substr(1) == "IB") unit = unit.substr(0, 1);
  else if (unit.size() == 2 && unit[1] == 'B') unit = unit.substr(0, 1);
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K") scale = 1024.0;
  else if (unit == "M") scale = 1024.0 * 1024;
  else if (unit == "G") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T") scale = 1024.0 * 1024 * 1024 * 1024;
  if (scale == 0 || v * scale > 9.0e18) throw InputError(expected);
  return static_cast<std::int64_t>(std::llround(v * scale));
}


}  // namespace r1
