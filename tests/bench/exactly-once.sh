#!/usr/bin/env bash
# `make bench`, issue 18: exactly-once at bench scale. 10,000 RP 850s in 10
# files through `wharf run --once` with the default map workers, SIGKILLed
# at 5 random moments, then one normal run: tests/integration/crash-bulk.sh
# (which make check runs at 2,000 POs) checks every PO an order and a
# document once, every 997 once, every ERP record present, no temporary
# file left. Prints one line of figures, and FAIL lines (exit 1) when a
# check fails. BENCH_KILL_POS / BENCH_KILLS change the scale; SEED=N
# reruns one set of kill points.
# Usage: tests/bench/exactly-once.sh [WHARF] (default build/wharf). Needs sqlite3, python3.
set -u
for t in python3 sqlite3; do
  command -v $t > /dev/null || { echo "exactly-once: skipped (no $t; scripts/deps.sh --tests installs it)"; exit 0; }
done
W=$(cd "$(dirname "${1:-build/wharf}")" && pwd)/$(basename "${1:-build/wharf}")
cd "$(dirname "$0")/../.." || exit 2
npo=${BENCH_KILL_POS:-10000} kills=${BENCH_KILLS:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
t0=$(date +%s)
NPO=$npo NFILES=10 KILLS=$kills bash tests/integration/crash-bulk.sh "$W" > "$out" 2>&1
t1=$(date +%s)
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
echo "exactly-once: $npo POs in 10 files, SIGKILL at $kills random moments, then a normal run"
echo "  $(grep -m1 '^# seed' "$out" | sed 's/^# //')"
echo "  $(grep -m1 '^# kill points' "$out" | sed 's/^# //')"
echo "  checks                           $passed passed, $failed failed ($((t1 - t0)) s in all)"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  grep -v '^ok ' "$out" | sed 's/^/  FAIL: /'
  exit 1
fi
