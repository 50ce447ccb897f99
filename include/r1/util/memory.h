// Host memory: how much this process may still use (cgroup limit or MemAvailable), its own resident size and
// peak, and memory sizes as users write them ("8GiB", "512M").
#pragma once
#include <cstdint>
#include <string>

#include "r1/util/fs.h"  // format_bytes_short

namespace r1 {

// Memory this process can still use: the smaller of /proc/meminfo's MemAvailable and its cgroup's limit minus the
// cgroup's current use (cgroup v2 memory.max/memory.current, or v1 memory.limit_in_bytes/usage_in_bytes).
struct MemoryBudget {
  std::int64_t bytes = -1;  // -1 = unknown (no /proc: the check is skipped)
  std::string source;       // "MemAvailable", "cgroup memory.max", "--memory-limit"
};
MemoryBudget available_memory();

// The same from the given file contents (for tests): meminfo text, and the cgroup's limit and current use as the
// files hold them ("max" = no limit; "" = no cgroup file).
MemoryBudget available_memory_from(const std::string& meminfo, const std::string& cgroup_limit,
                                   const std::string& cgroup_current);

// This process's resident size now (VmRSS) and its peak since start or the last reset (VmHWM); -1 if unknown.
std::int64_t resident_bytes();
std::int64_t peak_resident_bytes();
// Restarts the peak (Linux >= 4.0: "5" into /proc/self/clear_refs); false when the kernel does not allow it.
bool reset_peak_resident();

// "8GiB", "8 GiB", "8G", "512MiB", "1.5T", "123456" (bytes); binary units (K = 1024). Throws InputError naming
// `what` when the text is not a size.
std::int64_t parse_memory_size(const std::string& text, const std::string& what);

}  // namespace r1
