#!/usr/bin/env bash
# Runs the test tiers against the ASan + UBSan build and ends with one
# "N passed, N failed, N skipped" line. Each tier prints TAP-style "ok"/"not
# ok" lines; this script counts them. A check that could not run prints
# "# skip - WHY" (or "ok N - # SKIP WHY"): it is counted as skipped, never as
# passed, and listed with its reason before the summary. Exit 1 on any
# failure.
#
# Usage: tests/run.sh [--quick]
#   (none)    every tier: unit, golden, maps, fuzz replay, layers, memcheck
#             (valgrind), integration, independent parser (`make check`)
#   --quick   unit, golden, maps, fuzz replay, layers: the tiers that take
#             seconds (`make check-quick`)
# Independent pieces of a tier (test programs, golden inputs, valgrind runs,
# integration scripts) run TEST_JOBS at a time (default: the number of
# CPUs); their outputs are printed whole and in order. build/test-times.log
# gets the time each tier and each integration script took.
set -u
cd "$(dirname "$0")/.." || exit 2
quick=""
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: tests/run.sh [--quick]" >&2; exit 2 ;;
esac
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export WHARF_SCHEMAS="$PWD/schemas" WHARF_MAPPINGS="$PWD/mappings"
# a workspace of the caller's would put its own code lists before the
# installed ones in `wharf map test`
unset WHARF_WORKSPACE
. tests/lib/parallel.bash
log=build/test.log
times=build/test-times.log
mkdir -p build
: > "$log"
: > "$times"
pass=0 fail=0 skip=0
skipped=()
started=$SECONDS tier_name="" tier_start=$SECONDS

tally() {  # reads TAP lines from stdin, echoes failures and skips, counts
  local line
  while IFS= read -r line; do
    echo "$line" >> "$log"
    case "$line" in
      "ok "*"# "[Ss][Kk][Ii][Pp]*)
        skip=$((skip + 1)); skipped+=("${line#*\# }"); echo "$line" ;;
      "ok "*) pass=$((pass + 1)) ;;
      "not ok "*) fail=$((fail + 1)); echo "$line" ;;
      "# "[Ss][Kk][Ii][Pp]*)
        skip=$((skip + 1)); skipped+=("${line#\# }"); echo "$line" ;;
      "#"*) echo "$line" ;;
    esac
  done
}

tier_end() {
  [ -n "$tier_name" ] && printf '%5ds  tier: %s\n' $((SECONDS - tier_start)) "$tier_name" >> "$times"
  tier_name="" tier_start=$SECONDS
}
tier() { tier_end; tier_name=$1; echo "== $1"; }

unit() {  # unit TEST: one cmocka program
  local out rc
  out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$1" 2>&1); rc=$?
  echo "$out"
  if [ $rc -ne 0 ] && ! grep -q '^not ok' <<< "$out"; then
    echo "not ok - $1 exited $rc"; echo "$out" | tail -20 | sed 's/^/#   /'
  fi
}
# The par_* calls of a tier run together in the one subshell that feeds
# tally: a shell waits only for its own children.
tier "unit (cmocka)"
tally < <(
  par_init
  for t in build/san/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] && par_spawn unit "$t"
  done
  par_wait)

tier "golden files"
tally < <(tests/golden/run.sh build/san/wharf 2>&1)

maplint() {  # maplint NAME: the map compiles and lints clean (no money through doubles)
  local out
  if out=$(build/san/wharf map check "$1" 2>&1) && ! grep -q "^warning" <<< "$out"; then
    echo "ok - map check $1"
  else
    echo "not ok - map check $1"; echo "$out" | head -5 | sed 's/^/#   /'
  fi
}
tier "maps (wharf map test, wharf map check)"
tally < <(
  par_init
  par_spawn build/san/wharf map test
  for name in $(build/san/wharf map list | awk '{print $1}'); do
    par_spawn maplint "$name"
  done
  par_wait)

replay() {  # replay TARGET: a fuzz target over its committed corpus
  local n out
  n=$(basename "$1")
  if out=$("$1" tests/fuzz/corpus/"$n" 2>&1); then
    echo "ok - $n: $out"
  else
    echo "not ok - $n"; echo "$out" | tail -30 | sed 's/^/#   /'
  fi
}
tier "fuzz corpus replay"
tally < <(
  par_init
  for t in build/san/fuzz/fuzz_*; do
    [ -f "$t" ] && [ -x "$t" ] && par_spawn replay "$t"
  done
  par_wait)

tier "layers (scripts/check-layers.py)"
if command -v python3 > /dev/null; then
  tally < <(bash tests/layers/run.sh 2>&1)
else
  tally <<< "# skip - layers: python3 is not installed (scripts/deps.sh --tests installs it)"
fi

if [ -n "$quick" ]; then
  tier_end
else
  # ASan does not see reads of uninitialised memory; valgrind does.
  vg() {  # vg NAME WHARF-ARGS...: one run of the release build under valgrind
    local name=$1 err rc
    shift
    err=$(mktemp)
    # the release build's malloc is mimalloc's (Makefile MALLOC_LIBS):
    # valgrind replaces it there, where it would look in libc only
    # --trace-children: the front (build/wharf) executes the core for most commands
    WHARF_NOW=${VG_NOW:-2025-01-01T00:00:00Z} valgrind -q --trace-children=yes --error-exitcode=99 --leak-check=full \
      --soname-synonyms=somalloc=libmimalloc.so.2 \
      --errors-for-leak-kinds=definite build/wharf "$@" > /dev/null 2> "$err"
    rc=$?
    if [ $rc -eq 99 ]; then echo "not ok - memcheck: wharf $name"; head -30 "$err" | sed 's/^/#   /'
    elif [ "${VG_RC:-0}" != any ] && [ $rc -ne "${VG_RC:-0}" ]; then
      echo "not ok - memcheck: wharf $name exits $rc"; tail -5 "$err" | sed 's/^/#   /'
    else echo "ok - memcheck: wharf $name"; fi
    rm -f "$err"
  }
  day() {  # the gateway's day under valgrind: POs, acks, ship notices, labels, invoices
    local vws
    vws=$(mktemp -d)
    build/wharf init "$vws/ws" > /dev/null
    cp tests/golden/x12/amazon-rp-850.edi "$vws/ws/partners/amazon-rp/inbound/"
    cp tests/golden/x12/amazon-df-850.edi "$vws/ws/partners/amazon-df/inbound/"
    vg "run --once" run --once -w "$vws/ws"
    vg "orders approve" orders approve 4Z32PABC -w "$vws/ws"
    vg "ack run" ack run -w "$vws/ws"
    VG_NOW=2025-01-02T15:00:00Z vg "ship (RP CSV)" ship tests/integration/ship/in/rp-one-po-many-cartons.csv -w "$vws/ws"
    VG_RC=1 VG_NOW=2025-01-02T15:00:00Z vg "ship (refused)" ship tests/integration/ship/in/refuse-over-shipment.csv -w "$vws/ws"
    VG_NOW=2025-01-02T15:00:00Z vg "ship (DF)" ship tests/integration/ship/in/df-single-package.csv -w "$vws/ws"
    VG_NOW=2025-01-02T15:00:00Z vg "labels --zpl" labels ACME1-20250102-0001 --zpl -w "$vws/ws"
    VG_NOW=2025-01-03T15:00:00Z vg "invoice run" invoice run -w "$vws/ws"
    VG_NOW=2025-01-03T15:00:00Z vg "invoices list" invoices list -w "$vws/ws"
    VG_NOW=2025-01-03T15:00:00Z vg "documents" documents -w "$vws/ws"
    VG_NOW=2025-01-03T15:00:00Z vg "status" status -w "$vws/ws"
    rm -rf "$vws"
  }
  tier "memcheck (valgrind, release build)"
  if command -v valgrind > /dev/null; then
    tally < <(
      par_init
      # the day first: it is the longest sequence, the single runs fill in beside it
      par_spawn day
      # parse, validate and ack take every file in one run (the guides compile
      # once, as in a daemon that reads file after file); to-xml takes one
      files=(tests/golden/x12/*.edi tests/golden/x12/bad/*)
      for cmd in "edi validate" "edi ack" "edi parse"; do
        # shellcheck disable=SC2086 # cmd is two words
        VG_RC=any par_spawn vg "$cmd (${#files[@]} files)" $cmd "${files[@]}"
      done
      for f in "${files[@]}"; do
        VG_RC=any par_spawn vg "edi to-xml $f" edi to-xml "$f"
      done
      par_wait)
  else
    tally <<< "# skip - memcheck: valgrind is not installed (scripts/deps.sh --tests installs it)"
  fi

  timed() {  # timed SCRIPT: an integration script, its time in build/test-times.log
    local s=$SECONDS
    bash "$1" build/san/wharf 2>&1
    printf '%5ds  %s\n' $((SECONDS - s)) "$1" >> "$times"
  }
  tier "integration"
  # each script works in its own temp folder and holds no fixed port or
  # path, so they run side by side; their outputs come out in order
  # the longest first (build/test-times.log has each one's time), so the tier
  # does not end with one long script running while the other jobs idle
  slow="spapi invoice inbound-faults erp-brightpearl-oauth erp-brightpearl erp-webhooks erp-quickbooks sftp erp-quickbooks-faults schedule acks spapi-finances crash-erp crash-bulk decisions ship"
  tally < <(
    par_init
    started_scripts=""
    for t in $(for s in $slow; do echo "tests/integration/$s.sh"; done) tests/integration/*.sh; do
      [ -f "$t" ] || continue
      [ "$t" = tests/integration/independent.sh ] && continue  # its own tier
      case " $started_scripts " in *" $t "*) continue ;; esac
      started_scripts="$started_scripts $t"
      par_spawn timed "$t"
    done
    par_wait)

  tier "independent parser (node-x12)"
  # every golden outbound X12 document read by another parser; without node
  # or npm its files are counted as skipped, never as passed
  tally < <(bash tests/integration/independent.sh build/san/wharf 2>&1)
  tier_end
fi

printf '%5ds  total%s\n' $((SECONDS - started)) "${quick:+ (--quick)}" >> "$times"
if [ "$skip" -gt 0 ]; then
  echo "== skipped (counted as skipped, not as passed):"
  printf '  %s\n' "${skipped[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
