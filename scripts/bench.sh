#!/usr/bin/env bash
# Builds r1 (Release) and runs the performance benchmark: bench.json in the repo root (or BENCH_OUT) and the
# table on stdout (also in bench.md). Extra arguments go to `r1 bench` (e.g. --preset tiny --runs 7).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target r1
exec "$BUILD_DIR/r1" bench --out "${BENCH_OUT:-bench.json}" --table "${BENCH_TABLE:-bench.md}" "$@"
