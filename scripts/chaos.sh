#!/usr/bin/env bash
# The long fault campaign of README "Reliability": kill -9 at random points with resume, SIGINT/SIGTERM in every
# stage kind, a full disk, and two concurrent writers, on the micro recipe. Prints a summary table; exits 1 when any
# trial found a resume mismatch, a corrupt file, a leftover temporary file or a wrong exit code.
#
#   scripts/chaos.sh [--kills N] [--seed S] [--r1 PATH] [--work DIR]
#
# Needs a built r1 (default build/r1; scripts/test.sh builds it) and runs from the checkout root. The full-disk trial
# mounts a small tmpfs and is skipped (and says so) where mounting is not allowed.
set -u
cd "$(dirname "$0")/.."

KILLS=50
SEED=1
R1=build/r1
WORK=/tmp/r1-chaos
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) KILLS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --r1) R1="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    *) echo "usage: scripts/chaos.sh [--kills N] [--seed S] [--r1 PATH] [--work DIR]" >&2; exit 2 ;;
  esac
done
R1="$(realpath "$R1")"
[ -x "$R1" ] || { echo "chaos: $R1 is not an executable (build first: scripts/test.sh or cmake --build build)" >&2; exit 2; }
RECIPE=tests/data/micro_recipe.yaml
RANDOM=$SEED
rm -rf "$WORK"
mkdir -p "$WORK"
START=$(date +%s)

declare -A TRIALS FAILS
RESUMED=0   # kill trials whose last run resumed from a checkpoint or journal (not from scratch)
STOPPED=0   # signal trials that hit a running command (the others had finished)
note() { TRIALS[$1]=$(( ${TRIALS[$1]:-0} + 1 )); }
fail() { FAILS[$1]=$(( ${FAILS[$1]:-0} + 1 )); echo "chaos: FAIL [$1] $2" >&2; }

# JSONL rows without their wall-clock keys (what two runs of one seed must reproduce).
det_rows() {
  python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    for k in ("tokens_per_s", "rollout_s", "logprob_s", "train_s", "step_s", "seconds", "wall_s"):
        row.pop(k, None)
    print(json.dumps(row, sort_keys=True))
EOF
}

# 0 when every *.jsonl under $1 parses line by line and no temporary file is left.
files_whole() {
  local dir=$1 bad=0
  if [ -n "$(find "$dir" -name '*.r1tmp.*' 2>/dev/null | head -1)" ]; then
    echo "chaos: leftover temporary files under $dir:" >&2; find "$dir" -name '*.r1tmp.*' >&2; bad=1
  fi
  while IFS= read -r f; do
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$f" 2>/dev/null || { echo "chaos: corrupt $f" >&2; bad=1; }
  done < <(find "$dir" -name '*.jsonl')
  return $bad
}

echo "chaos: base model"
"$R1" pretrain --recipe $RECIPE --stage base --out "$WORK/base" >"$WORK/base.log" 2>&1 || { cat "$WORK/base.log"; exit 1; }
BASE="$WORK/base/final"

# The stage commands under test: name -> arguments (each writes its own --out).
declare -A CMD
CMD[pretrain]="pretrain --recipe $RECIPE --stage base --set steps=12 --set checkpoint.every=1"
CMD[train-zero]="train-zero --recipe $RECIPE --stage zero --init $BASE --set steps=6 --set checkpoint.every=1"
CMD[cold-start]="cold-start --recipe $RECIPE --stage cold --policy $BASE --set prompts.n=40 --set batch_prompts=2"
CMD[sft]="sft --recipe $RECIPE --stage sft --init $BASE --data tests/data/sft_micro.jsonl --set epochs=4 --set batch_size=2 --set checkpoint.every=1"
CMD[grpo]="grpo --recipe $RECIPE --stage r1 --init $BASE --set steps=4 --set checkpoint.every=1"
CMD[rejection-sample]="rejection-sample --recipe $RECIPE --stage reject --policy $BASE --set prompts.n=40 --set batch_prompts=2"
CMD[distill]="distill --recipe $RECIPE --stage student --teacher $BASE --data tests/data/sft_micro.jsonl --set epochs=4 --set batch_size=2 --set checkpoint.every=1"
KINDS=(pretrain train-zero cold-start sft grpo rejection-sample distill)

# The output that must not depend on interruptions: final weights for trainers, data rows for data stages.
outcome() {
  local dir=$1
  if [ -f "$dir/data.jsonl" ]; then det_rows "$dir/data.jsonl" | sha256sum
  elif [ -f "$dir/final/model.safetensors" ]; then
    { sha256sum < "$dir/final/model.safetensors"; [ -f "$dir/metrics.jsonl" ] && det_rows "$dir/metrics.jsonl"; } | sha256sum
  else echo missing; fi
}

echo "chaos: reference runs"
declare -A REF
for k in "${KINDS[@]}"; do
  "$R1" ${CMD[$k]} --out "$WORK/ref-$k" >"$WORK/ref-$k.log" 2>&1 || { cat "$WORK/ref-$k.log"; exit 1; }
  REF[$k]=$(outcome "$WORK/ref-$k")
done

# ---- kill -9 at random points, then resume (up to 3 kills per trial) ----
echo "chaos: $KILLS kill -9 trials"
for ((t = 0; t < KILLS; t++)); do
  k=${KINDS[$((t % ${#KINDS[@]}))]}
  out="$WORK/kill-$t"
  for kill_round in 1 2 3; do
    [ -f "$out/DONE" ] && break
    "$R1" ${CMD[$k]} --out "$out" >>"$WORK/kill-$t.log" 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' $((300 + RANDOM % 700)))"  # start-up takes ~0.4 s; the micro stages ~1 s after it
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
  done
  "$R1" ${CMD[$k]} --out "$out" >>"$WORK/kill-$t.log" 2>&1 || { fail kill "trial $t ($k): resume exited $?"; continue; }
  note kill
  grep -qE "resumed from|resuming after" "$WORK/kill-$t.log" && RESUMED=$((RESUMED + 1))
  [ "$(outcome "$out")" = "${REF[$k]}" ] || fail kill "trial $t ($k): result differs from the uninterrupted run"
  files_whole "$out" || fail kill "trial $t ($k): corrupt or leftover files"
done

# ---- SIGINT / SIGTERM in every stage kind (and eval): exit code, message, and the printed command resumes ----
echo "chaos: signals"
for k in "${KINDS[@]}" eval; do
  for sig in INT TERM; do
    out="$WORK/sig-$k-$sig"
    if [ "$k" = eval ]; then args="eval --model $BASE --task arithmetic --template chat --n 400 --samples 4 --out $out"; else args="${CMD[$k]} --out $out"; fi
    "$R1" $args >"$out.log" 2>&1 &
    pid=$!
    # Once the stage has started its work (its log exists; eval: once start-up is over), a little into it.
    for _ in $(seq 400); do [ -f "$out/log.txt" ] || { [ $k = eval ] && grep -q "eval" "$out.log" 2>/dev/null; } && break; sleep 0.01; done
    sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
    kill -$sig $pid 2>/dev/null
    wait $pid; code=$?
    note signal
    [ $code -ne 0 ] && STOPPED=$((STOPPED + 1))
    want=$([ $sig = INT ] && echo 130 || echo 143)
    if [ $code -eq 0 ]; then continue; fi  # finished before the signal: nothing to check
    [ $code -eq $want ] || { fail signal "$k SIG$sig: exit $code, expected $want"; continue; }
    if [ "$k" != eval ]; then
      resume=$(grep -o 'Resume with: .*' "$out.log" | head -1 | sed 's/^Resume with: r1 //')
      if [ -z "$resume" ]; then
        grep -q 'r1: interrupted' "$out.log" || fail signal "$k SIG$sig: no resume command and no message"
        resume="$args"
      fi
      eval "\"$R1\" $resume" >>"$out.log" 2>&1 || { fail signal "$k SIG$sig: the printed resume command failed"; continue; }
      [ "$(outcome "$out")" = "${REF[$k]}" ] || fail signal "$k SIG$sig: resumed result differs"
      files_whole "$out" || fail signal "$k SIG$sig: corrupt or leftover files"
    else
      [ ! -f "$out/eval.json" ] || fail signal "eval SIG$sig: a partial eval.json was written"
    fi
  done
done

# ---- two concurrent writers of one run_dir ----
echo "chaos: concurrent writers"
for t in 1 2 3 4 5; do
  rd="$WORK/concurrent-$t"
  # A chain long enough (40 GRPO steps) that the second writer starts while the first holds the lock.
  "$R1" run $RECIPE --set run_dir="$rd" --set stages.zero.steps=40 >"$rd.a.log" 2>&1 &
  a=$!
  for _ in $(seq 200); do [ -s "$rd/.r1.lock" ] && break; sleep 0.05; done
  sleep 0.$((RANDOM % 5))
  "$R1" run $RECIPE --set run_dir="$rd" --set stages.zero.steps=40 >"$rd.b.log" 2>&1 &
  b=$!
  wait $a; ca=$?
  wait $b; cb=$?
  note concurrent
  if [ "$ca$cb" != "02" ] && [ "$ca$cb" != "20" ]; then
    fail concurrent "trial $t: exit codes $ca and $cb (want one 0 and one 2)"
  fi
  grep -q "in use by another r1 process" "$rd.a.log" "$rd.b.log" || fail concurrent "trial $t: no holder message"
  files_whole "$rd" || fail concurrent "trial $t: corrupt or leftover files"
done

# ---- a full disk ----
echo "chaos: full disk"
disk="$WORK/disk"
mkdir -p "$disk"
if mount -t tmpfs -o size=1m tmpfs "$disk" 2>/dev/null; then
  for k in sft train-zero; do  # their checkpoints outgrow 1 MiB; the data stages' micro outputs fit
    "$R1" ${CMD[$k]} --out "$disk/$k" >"$WORK/disk-$k.log" 2>&1; code=$?
    note disk
    [ $code -eq 1 ] || [ $code -eq 2 ] || fail disk "$k on a full disk: exit $code (want 1 or 2)"
    grep -qE "disk space|No space left" "$WORK/disk-$k.log" || fail disk "$k: the message does not say the disk is full"
    [ -z "$(find "$disk" -name '*.r1tmp.*' | head -1)" ] || fail disk "$k: temporary files left on the full disk"
  done
  umount "$disk"
else
  echo "chaos: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): full-disk trials skipped"
fi

# ---- summary ----
echo
echo "| trials | run | failed |"
echo "|---|---|---|"
total_fail=0
for c in kill signal concurrent disk; do
  echo "| $c | ${TRIALS[$c]:-0} | ${FAILS[$c]:-0} |"
  total_fail=$((total_fail + ${FAILS[$c]:-0}))
done
echo
echo "kill trials resumed from a checkpoint or journal: $RESUMED; signal trials that hit a running command: $STOPPED"
echo "chaos: $((${TRIALS[kill]:-0} + ${TRIALS[signal]:-0} + ${TRIALS[concurrent]:-0} + ${TRIALS[disk]:-0})) trials," \
     "$total_fail failed, $(( $(date +%s) - START )) s"
[ $total_fail -eq 0 ]
