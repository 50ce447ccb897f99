#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of r1 (build-asan/), then the reliability, fuzz and parser
# tests under it. Exits non-zero on any sanitizer report or test failure.
#
#   scripts/sanitize.sh [CATCH2 TEST SPEC]     (default: the [reliability] tests and the fuzz tests)
#
# LibTorch and OpenBLAS are not instrumented; ASan still checks every access r1's own code makes. Slow: a full
# build from scratch takes about as long as scripts/test.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
SPEC="${1:-[reliability],*fuzz*}"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build build-asan -j"$(nproc)"
# Leak checking is off: LibTorch and glog keep process-lifetime allocations that LSan reports as leaks.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
build-asan/r1_tests "$SPEC"
echo "sanitize: 0 reports (ASan + UBSan) in the tests matching: $SPEC"
