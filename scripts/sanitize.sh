#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of r1 (build-asan/), then the reliability, fuzz and parser
# tests under it. Exits non-zero on any sanitizer report or test failure.
#
#   scripts/sanitize.sh [CATCH2 TEST SPEC]     (default: the [reliability] tests and the fuzz tests)
#
# LibTorch and OpenBLAS are not instrumented; ASan still checks every access r1's own code makes, except in the
# SentencePiece shim (libr1_spm.so), which is loaded with dlmopen into its own link namespace where a sanitizer
# runtime cannot come first, and so stays uninstrumented (CMakeLists.txt). Slow: the build takes about an hour on 2
# cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
SPEC="${1:-[reliability],*fuzz*}"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS=""
cmake --build build-asan -j"$(nproc)"
# Leak checking is off: LibTorch and glog keep process-lifetime allocations that LSan reports as leaks. Reports go
# to files, so that those of the r1 processes the tests start (their output goes to the tests' own logs) count too.
REPORTS=$(mktemp -d)
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_odr_violation=0:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
status=0
build-asan/r1_tests "$SPEC" || status=$?
if [ -n "$(ls -A "$REPORTS")" ]; then
  cat "$REPORTS"/* >&2
  echo "sanitize: $(ls "$REPORTS" | wc -l) sanitizer report(s) (above), from the tests matching: $SPEC" >&2
  exit 1
fi
rm -rf "$REPORTS"
if [ "$status" -ne 0 ]; then
  echo "sanitize: no sanitizer report, but tests failed (exit $status)" >&2
  exit "$status"
fi
echo "sanitize: 0 reports (ASan + UBSan, the test process and every r1 it started) in the tests matching: $SPEC"
