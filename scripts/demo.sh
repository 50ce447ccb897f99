#!/usr/bin/env bash
# Installs dependencies, builds r1, and runs the default recipe on the embedded tiny model; prints its table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
RECIPE=${RECIPE:-recipes/r1-tiny.yaml}
build/r1 run "$RECIPE" "$@"
