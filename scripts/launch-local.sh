#!/usr/bin/env bash
# Starts N processes of a command on this machine as one data-parallel run, the way torchrun does:
#   scripts/launch-local.sh N r1 sft --config sft.yaml ...
# Each process gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR (default 127.0.0.1) and MASTER_PORT
# (default: a free port). SIGINT/SIGTERM are forwarded to every process (r1 then stops after the current step, with a
# checkpoint). Rank 0 prints as usual, the others' lines are prefixed with [rank N]. When a process fails, the others
# get R1_DIST_TIMEOUT_S (default 300) + 30 seconds to notice and exit before they are killed. The exit status is the
# first non-zero one, else 0.
set -uo pipefail

usage() {
  echo "usage: $0 N COMMAND [ARG...]   (N >= 1 processes of COMMAND, e.g. $0 2 build/r1 sft --config sft.yaml)" >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
n="$1"
shift
[[ "$n" =~ ^[1-9][0-9]*$ ]] || usage

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    # Free when nothing accepts a connection there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo "launch-local: no free port found; set MASTER_PORT" >&2
  exit 1
}

export MASTER_ADDR="${MASTER_ADDR:-127.0.0.1}"
export MASTER_PORT="${MASTER_PORT:-$(free_port)}"
export WORLD_SIZE="$n" LOCAL_WORLD_SIZE="$n"

# Job control puts each process in its own process group: a Ctrl-C at the terminal reaches only this script, which
# forwards it once (r1 treats a second SIGINT as "abort now"), and the processes do not start with SIGINT ignored.
set -m
pids=()
forward() {
  local sig="$1"
  for p in "${pids[@]}"; do kill -s "$sig" "$p" 2>/dev/null; done
}
trap 'forward INT' INT
trap 'forward TERM' TERM

for ((i = 0; i < n; i++)); do
  if ((i == 0)); then
    RANK=$i LOCAL_RANK=$i "$@" &
  else
    # The prefixing filters ignore INT/TERM so they outlive a stop request and keep the rank's output flowing.
    RANK=$i LOCAL_RANK=$i "$@" > >(trap '' INT TERM; exec sed -u "s/^/[rank $i] /") \
      2> >(trap '' INT TERM; exec sed -u "s/^/[rank $i] /" >&2) &
  fi
  pids+=($!)
done

status=0
deadline=0
timeout_s="${R1_DIST_TIMEOUT_S:-300}"
grace=$((${timeout_s%.*} + 30))
while ((${#pids[@]} > 0)); do
  remaining=()
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
      remaining+=("$p")
      continue
    fi
    wait "$p"
    rc=$?
    if ((rc != 0 && status == 0)); then
      status=$rc
      deadline=$((SECONDS + grace))
    fi
  done
  pids=("${remaining[@]}")
  if ((deadline > 0 && SECONDS >= deadline && ${#pids[@]} > 0)); then
    echo "launch-local: ${#pids[@]} process(es) still running ${grace}s after a failure; killing them" >&2
    forward KILL
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    break
  fi
  ((${#pids[@]} > 0)) && sleep 0.2
done
exit "$status"
