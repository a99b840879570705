#!/usr/bin/env bash
# Integration tests of the gateway: a real workspace in a temp folder, real
# files, the real SQLite store, the real daemon. Usage: gateway.sh WHARF.
# Prints ok/not ok lines.
set -u
W=$(cd "$(dirname "${1:-build/san/wharf}")" && pwd)/$(basename "${1:-build/san/wharf}")
cd "$(dirname "$0")/../.." || exit 2
G=$PWD/tests/golden/x12
. tests/lib/wait.bash   # wait_for
tmp=$(mktemp -d)
trap 'kill $SERVE 2>/dev/null; rm -rf "$tmp"' EXIT
SERVE=
n=0
export WHARF_NOW=2025-01-01T00:00:00Z
ws=$tmp/ws

ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -15; }
check() {  # check NAME COMMAND...: the command succeeds
  local name=$1; shift
  if "$@" > "$tmp/out" 2>&1; then ok "$name"; else no "$name" "$tmp/out"; fi
}
has() {  # has NAME PATTERN FILE
  if grep -qE -- "$2" "$3"; then ok "$1"; else no "$1" "$3"; fi
}
# a copy of a golden file with another ISA13/IEA02 (a new interchange)
variant() {  # variant SRC CONTROL DEST [sed-expression]
  sed -e "1s/\*[0-9]\{9\}\*\([01]\)\*\([PT]\)\*/*$2*\1*\2*/" -e "s/^IEA\*\([0-9]*\)\*[0-9]*~/IEA*\1*$2~/" \
      ${4:+-e "$4"} "$1" > "$3"
}

check "init creates a workspace" "$W" init "$ws"
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df

cp "$G/amazon-rp-850.edi" "$RP/inbound/po1.edi"
cp "$G/amazon-df-850.edi" "$DF/inbound/df1.edi"
check "run --once processes the inbound folders" "$W" run --once -w "$ws"
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "the RP PO waits for approval" "amazon-rp +RP +4Z32PABC +pending-approval +3" "$tmp/orders"
has "the DF PO is acknowledged at once (auto-acknowledge)" "amazon-df +DF +TVd4wGZnR +acknowledged +2" "$tmp/orders"
ls "$RP/outbound" > "$tmp/out"
has "a 997 went to the RP outbound folder" "amazon-rp-997-" "$tmp/out"
cat "$RP"/outbound/*997* > "$tmp/out"
has "the 997 accepts the PO" "^AK9\*A\*1\*1\*1~" "$tmp/out"
ls "$RP/archive" > "$tmp/out"
has "the file is archived" "po1.edi$" "$tmp/out"
# layout="per-file" (what init writes): the file's orders as one change log
ls "$ws/erp/out" > "$tmp/out"
has "the ERP gets JSON and CSV" "^orders-000000000001-amazon-rp.csv$" "$tmp/out"
has "the ERP JSON is there" "^orders-000000000001-amazon-rp.jsonl$" "$tmp/out"
has "the ERP JSON carries the order" '^\{"partner":"amazon-rp","program":"RP","po_number":"4Z32PABC",' "$ws/erp/out/orders-000000000001-amazon-rp.jsonl"

# the same bytes again, and the same interchange again
cp "$G/amazon-rp-850.edi" "$RP/inbound/po1-again.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
has "the same file twice is not processed twice" "same bytes were received before" "$tmp/out"
variant "$G/amazon-rp-850.edi" 000004721 "$RP/inbound/po1-resent.edi" 's/^REF\*CR\*ACME1~/REF*CR*ACME1~\nREF*ZZ*RESENT~/'
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
has "the same ISA13 twice is not processed twice" "interchange 000004721 was received before" "$tmp/out"
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
[ "$(grep -c 4Z32PABC "$tmp/orders")" = 1 ] && ok "still one order for the PO" || no "still one order for the PO" "$tmp/orders"

# RP: the same PO again with changes; line 3 cancelled with quantity 0
variant "$G/amazon-rp-850.edi" 000009001 "$RP/inbound/po1-change.edi" 's/^PO1\*3\*6\*/PO1*3*0*/; s/^CTT\*3\*42~/CTT*3*36~/'
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
has "an RP change updates the order" "order 4Z32PABC updated" "$tmp/out"
"$W" orders show 4Z32PABC -w "$ws" > "$tmp/show" 2>&1
has "the cancelled line is cancelled" "line 3 .* 0 EA .*cancelled" "$tmp/show"
has "the change is in the history" "PO changed by po1-change.edi" "$tmp/show"

# DF: a Ship ID seen before never becomes a second order
variant "$G/amazon-df-850.edi" 000009002 "$DF/inbound/df1-again.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
has "a repeated DF Ship ID is recorded for ack code 04" "duplicate Ship ID TVd4wGZnR" "$tmp/out"
"$W" orders list --partner amazon-df -w "$ws" > "$tmp/orders" 2>&1
[ "$(grep -c TVd4wGZnR "$tmp/orders")" = 1 ] && ok "no second DF order" || no "no second DF order" "$tmp/orders"

# a set that fails validation: rejected in the 997, quarantined with its findings
variant "$G/bad/bad-date.edi" 000009003 "$RP/inbound/bad.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
ls "$RP/quarantine" > "$tmp/q"
has "the bad set is quarantined" "bad.edi.850-0001.edi$" "$tmp/q"
has "with the reason beside it" "bad.edi.850-0001.edi.reason" "$tmp/q"
has "the reason names the element" "BEG05 '20241310' is not a valid date" "$RP/quarantine/bad.edi.850-0001.edi.reason"
grep -l "000009003" "$RP"/outbound/* > /dev/null 2>&1
cat "$RP"/outbound/* > "$tmp/out"
has "the 997 rejects the set" "^AK5\*R\*5~" "$tmp/out"

# not X12 at all
head -c 300 /dev/urandom > "$RP/inbound/garbage.bin"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
ls "$RP/quarantine" > "$tmp/q"
has "garbage is quarantined" "garbage.bin$" "$tmp/q"
has "with a reason" "garbage.bin.reason" "$tmp/q"

# status and orders as JSON
"$W" status --json -w "$ws" > "$tmp/out" 2>&1
has "status --json counts orders" '"orders:pending-approval": 1' "$tmp/out"
"$W" orders show 4Z32PABC --json -w "$ws" > "$tmp/out" 2>&1
has "orders show --json has the history" '"what": "updated: PO changed by po1-change.edi"|"PO changed by po1-change.edi"' "$tmp/out"
"$W" orders show NOPE -w "$ws" > "$tmp/out" 2>&1; [ $? = 1 ] && ok "orders show of an unknown PO exits 1" || no "orders show of an unknown PO exits 1" "$tmp/out"
"$W" status -w "$tmp/nowhere" > "$tmp/out" 2>&1; [ $? = 2 ] && ok "a folder that is not a workspace exits 2" || no "a folder that is not a workspace exits 2" "$tmp/out"

# the daemon: polls, processes, stops cleanly on SIGTERM
variant "$G/amazon-rp-850-multi.edi" 000009004 "$tmp/multi.edi"
WHARF_POLL_SECONDS=1 "$W" serve -w "$ws" > "$tmp/serve.log" 2>&1 &
SERVE=$!
sleep 1
cp "$tmp/multi.edi" "$RP/inbound/multi.edi"
wait_for 60 grep -q "multi.edi: 3 sets" "$tmp/serve.log"
has "the daemon processes a dropped file" "multi.edi: 3 sets, 3 accepted" "$tmp/serve.log"
kill -TERM $SERVE
wait $SERVE; rc=$?
SERVE=
[ $rc = 0 ] && ok "SIGTERM stops the daemon cleanly" || no "SIGTERM stops the daemon cleanly (exit $rc)" "$tmp/serve.log"
has "and it says so" "stopping" "$tmp/serve.log"
