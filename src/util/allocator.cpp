// glibc malloc settings: see the header.
#include "r1/util/allocator.h"

#include <malloc.h>

#include <cstring>

#include "r1/util/error.h"

namespace r1 {

namespace {

// The glibc settings r1's policy would override: each as an environment variable and as a tunable.
struct GlibcSetting {
  const char* variable;
  const char* tunable;
};
constexpr GlibcSetting kOverriddenSettings[] = {{"MALLOC_MMAP_MAX_", "glibc.malloc.mmap_max"},
                                                {"MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold"},
                                                {"MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold"},
                                                {"MALLOC_TOP_PAD_", "glibc.malloc.top_pad"}};

// The first of those the user set, or "".
std::string user_malloc_setting(const std::function<const char*(const char*)>& getenv) {
  const char* tunables = getenv("GLIBC_TUNABLES");
  for (const auto& s : kOverriddenSettings) {
    if (getenv(s.variable) != nullptr) return s.variable;
    if (tunables != nullptr && std::strstr(tunables, s.tunable) != nullptr)
      return std::string("GLIBC_TUNABLES ") + s.tunable;
  }
  return "";
}

}  // namespace

AllocatorPolicy choose_allocator_policy(const std::function<const char*(const char*)>& getenv) {
  const char* r1_malloc = getenv("R1_MALLOC");
  std::string value = r1_malloc == nullptr ? "" : r1_malloc;
  if (!value.empty() && value != "keep" && value != "system")
    throw InputError("environment variable R1_MALLOC: expected \"keep\" or \"system\", found \"" + value + "\"");
  if (value == "system") return {AllocatorMode::kSystem, "allocator: glibc's default (R1_MALLOC=system)"};
  std::string user = user_malloc_setting(getenv);
  if (!user.empty()) return {AllocatorMode::kSystem, "allocator: glibc's default with the user's " + user};
  return {AllocatorMode::kKeepLargeBlocks,
          "allocator: large blocks stay in the heap between steps (R1_MALLOC=system for glibc's default)"};
}

bool apply_allocator_policy(const AllocatorPolicy& policy) {
  if (policy.mode != AllocatorMode::kKeepLargeBlocks) return false;
  // No block is served by mmap, and the heap top is never trimmed by free(); release_free_memory() trims.
  bool ok = mallopt(M_MMAP_MAX, 0) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 && ok;
  return ok;
}

bool release_free_memory() { return malloc_trim(0) == 1; }

}  // namespace r1
