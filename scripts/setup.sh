#!/usr/bin/env bash
# Installs every Debian package r1's build, tests and demo need. Idempotent; quiet unless something fails.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-openmp          # LibTorch 1.13 (CPU); OpenBLAS is mandatory for fast matmuls
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libsentencepiece-dev                      # tokenizer (trainer included)
  libpcre2-dev libutf8proc-dev              # Hugging Face tokenizer.json: pre-tokenizer regexes, NFC
  catch2                                    # tests (Catch2 v2)
  libgloo-dev                               # c10d Gloo process group for distributed runs
  python3-torch                             # torchrun, for launch tests
  python3-jinja2                            # test-only oracle: renders chat templates as transformers does
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup.sh: installing ${missing[*]} failed (log above)" >&2
  exit 1
fi
rm -f "$log"
