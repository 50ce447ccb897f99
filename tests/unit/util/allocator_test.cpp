// The allocator policy: R1_MALLOC and the user's glibc settings decide it, and "keep" really serves large blocks
// from the heap (no mmap'd chunks) while release_free_memory() gives their pages back.
#include <catch2/catch.hpp>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "r1/util/allocator.h"
#include "r1/util/error.h"

namespace {

using Env = std::map<std::string, std::string>;

r1::AllocatorPolicy choose(const Env& env) {
  return r1::choose_allocator_policy([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

double resident_mb() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

// Runs `body` in a forked child (a policy changes the whole process's malloc) and returns its exit status.
int in_child(int (*body)()) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

constexpr size_t kBlock = 48u << 20;  // above glibc's largest mmap threshold (32 MB)

// Called through volatile pointers so the compiler cannot drop an unused malloc/free pair.
void* (*volatile allocate)(size_t) = std::malloc;
void (*volatile release)(void*) = std::free;

// Bytes in mmap'd chunks (the forked child inherits the parent's, so the checks compare before and after).
size_t mmapped_bytes() { return mallinfo2().hblkhd; }

// 0 when a 48 MB block is served from the heap and trimming gives its pages back; a bit per failed check.
int keep_policy_child() {
  if (!r1::apply_allocator_policy({r1::AllocatorMode::kKeepLargeBlocks, ""})) return 1;
  size_t before = mmapped_bytes();
  auto* p = static_cast<char*>(allocate(kBlock));
  std::memset(p, 1, kBlock);
  int failed = mmapped_bytes() == before ? 0 : 2;  // not an mmap'd chunk
  release(p);
  double kept = resident_mb();
  if (!r1::release_free_memory()) failed |= 4;
  if (kept - resident_mb() < 32) failed |= 8;  // the freed block's pages went back
  return failed;
}

// glibc's default: the same block is an mmap'd chunk (so the check above can fail).
int system_policy_child() {
  if (r1::apply_allocator_policy({r1::AllocatorMode::kSystem, ""})) return 1;
  size_t before = mmapped_bytes();
  auto* p = static_cast<char*>(allocate(kBlock));
  std::memset(p, 1, kBlock);
  int failed = mmapped_bytes() >= before + kBlock ? 0 : 2;
  release(p);
  return failed;
}

}  // namespace

TEST_CASE("allocator policy: keep large blocks unless R1_MALLOC=system or the user set glibc's malloc", "[util]") {
  CHECK(choose({}).mode == r1::AllocatorMode::kKeepLargeBlocks);
  CHECK(choose({{"R1_MALLOC", "keep"}}).mode == r1::AllocatorMode::kKeepLargeBlocks);
  CHECK(choose({{"R1_MALLOC", "system"}}).mode == r1::AllocatorMode::kSystem);
  auto user = choose({{"MALLOC_TRIM_THRESHOLD_", "131072"}});
  CHECK(user.mode == r1::AllocatorMode::kSystem);
  CHECK(user.why.find("MALLOC_TRIM_THRESHOLD_") != std::string::npos);
  auto tunable = choose({{"GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F:glibc.malloc.mmap_max=4"}});
  CHECK(tunable.mode == r1::AllocatorMode::kSystem);
  CHECK(tunable.why.find("glibc.malloc.mmap_max") != std::string::npos);
  // Settings r1 does not override leave the policy on.
  CHECK(choose({{"GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F"}}).mode == r1::AllocatorMode::kKeepLargeBlocks);
  CHECK(choose({{"MALLOC_ARENA_MAX", "2"}}).mode == r1::AllocatorMode::kKeepLargeBlocks);
  try {
    choose({{"R1_MALLOC", "jemalloc"}});
    FAIL("expected an InputError");
  } catch (const r1::InputError& e) {
    std::string what = e.what();
    CHECK(what.find("R1_MALLOC") != std::string::npos);
    CHECK(what.find("\"keep\" or \"system\"") != std::string::npos);
    CHECK(what.find("jemalloc") != std::string::npos);
  }
}

TEST_CASE("allocator policy: keep serves large blocks from the heap, release_free_memory gives pages back",
          "[util]") {
  CHECK(in_child(keep_policy_child) == 0);
  CHECK(in_child(system_policy_child) == 0);
}
