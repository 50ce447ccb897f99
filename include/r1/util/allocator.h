// How r1 asks glibc's malloc to treat large blocks.
//
// A training step allocates and frees the same large activations every step (a small layer's packed gate|up
// output is 23 MB). glibc's default serves blocks above its mmap threshold (dynamic, at most 32 MB) with fresh
// mmap'd pages and gives the heap top back once it passes its trim threshold, so every step pays the page faults
// and zero fills of its activations again. r1's default keeps large blocks in the heap instead (no mmap'd blocks,
// no automatic trim) and gives free heap pages back at points where the allocation pattern changes (between the
// stages of `r1 run`). R1_MALLOC=system keeps glibc's default; a malloc setting of the user's own (a MALLOC_*_
// variable or a glibc.malloc tunable) always wins.
#pragma once
#include <functional>
#include <string>

namespace r1 {

enum class AllocatorMode { kKeepLargeBlocks, kSystem };

struct AllocatorPolicy {
  AllocatorMode mode = AllocatorMode::kKeepLargeBlocks;
  std::string why;  // one line for the log: what was chosen and what decided it
};

// Reads R1_MALLOC ("keep", the default, or "system") and the user's glibc malloc settings through `getenv`.
// Throws InputError for another R1_MALLOC value.
AllocatorPolicy choose_allocator_policy(const std::function<const char*(const char*)>& getenv);

// Sets glibc's malloc parameters for `policy`; kSystem changes nothing. Returns whether it changed them.
bool apply_allocator_policy(const AllocatorPolicy& policy);

// Gives the heap's free pages back to the system (malloc_trim). Returns whether any were given back.
bool release_free_memory();

}  // namespace r1
