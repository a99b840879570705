#!/usr/bin/env bash
# Golden-file tests of the X12 engine: each input under tests/golden/x12
# beside its expected outputs in tests/golden/x12/expected/:
#   NAME.validate   `wharf edi validate` (and its exit status)
#   NAME.json       `wharf edi validate --json`, for the bad inputs
#   NAME.partner    the same against the Amazon partner guide the name implies
#   NAME.ack        `wharf edi ack`
#   NAME.partner-ack `wharf edi ack` against the partner guide (inbound 850s)
#   NAME.xml        `wharf edi to-xml`
# plus the round trip to-xml | from-xml, which must give the same segments.
# GOLDEN_UPDATE=1 rewrites the expectations (review them with git diff).
# Prints "ok"/"not ok" lines.
set -u
W=${1:-build/san/wharf}
cd "$(dirname "$0")/../.." || exit 2
dir=tests/golden/x12
exp=$dir/expected
mkdir -p "$exp"
export WHARF_NOW=2025-01-01T00:00:00Z WHARF_CONTROL_START=1
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT

check() {  # name file: compare $tmp/out with $exp/name
  local name=$1
  if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
    cp "$tmp/out" "$exp/$name"
    echo "ok - $name (updated)"
  elif [ ! -f "$exp/$name" ]; then
    echo "not ok - $name: no expected file (make golden-update, then review)"
  elif diff -u "$exp/$name" "$tmp/out" > "$tmp/diff"; then
    echo "ok - $name"
  else
    echo "not ok - $name"
    sed 's/^/#   /' "$tmp/diff" | head -40
  fi
}

run() {  # capture stdout+stderr and the exit status
  "$@" > "$tmp/out" 2>&1
  echo "exit: $?" >> "$tmp/out"
}

partner_guide() {  # amazon-rp-850-multi.edi -> partners/amazon-rp/850
  local b=$1
  if [[ $b =~ ^(amazon-(rp|df))-([0-9]{3})(-5010)? ]]; then
    echo "partners/${BASH_REMATCH[1]}/${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
  fi
}

one() {  # one FILE: every golden check of one input, in a folder of its own
  local f=$1 tmp
  tmp=$(mktemp -d -p "$top")
  b=$(basename "$f"); b=${b%.*}
  [[ $f == */bad/* ]] && b="bad-$b"
  run "$W" edi validate "$f"; check "$b.validate"
  g=$(partner_guide "$(basename "$f")")
  if [ -n "$g" ] && [ -f "schemas/$g.xml" ]; then
    run "$W" edi validate --guide "$g" "$f"; check "$b.partner"
    # the 997 the gateway sends for an inbound PO: from the partner guide
    if [[ $g == */850 ]] && { [ -f "$exp/$b.partner-ack" ] || [ "${GOLDEN_UPDATE:-}" = 1 ]; }; then
      run "$W" edi ack --guide "$g" "$f"; check "$b.partner-ack"
    fi
  fi
  if [[ $f == */bad/* ]]; then
    run "$W" edi validate --json "$f"; check "$b.json"
  fi
  run "$W" edi ack "$f"; check "$b.ack"
  if [[ $f != */bad/* ]]; then
    # to-xml once: its output is both the golden file and the round trip's input
    "$W" edi to-xml "$f" > "$tmp/xml" 2> "$tmp/xmlerr"
    local rc=$?
    if [ -s "$tmp/xmlerr" ]; then
      run "$W" edi to-xml "$f"    # stdout and stderr interleaved as they came
    else
      { cat "$tmp/xml"; echo "exit: $rc"; } > "$tmp/out"
    fi
    check "$b.xml"
    # round trip: the same segments (line ends aside)
    if "$W" edi from-xml - < "$tmp/xml" > "$tmp/rt" 2> "$tmp/err" &&
       cmp -s <(tr -d '\r\n' < "$f") <(tr -d '\r\n' < "$tmp/rt"); then
      echo "ok - $b round trip"
    else
      echo "not ok - $b round trip"
      diff <(tr -d '\r\n' < "$f" | tr '~' '\n') <(tr -d '\r\n' < "$tmp/rt" | tr '~' '\n') | head -10 | sed 's/^/#   /'
      sed 's/^/#   /' "$tmp/err"
    fi
  fi
}

# the inputs are independent: a few at a time, outputs in order
. tests/lib/parallel.bash
par_init
for f in "$dir"/*.edi "$dir"/bad/*; do
  [ -f "$f" ] && par_spawn one "$f"
done
par_wait
