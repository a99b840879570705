#!/usr/bin/env bash
# Integration tests of issue 12 "Decisions": every decision (by hand, from
# erp/in JSON and CSV) is checked whole when it is made, so what is kept
# can be sent; a job that cannot send a document fails loudly (exit code,
# its run record, `wharf status`); listings refuse a filter they do not
# know. Usage: decisions.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df
# DF decided by hand here, like RP
sed -i 's/<acknowledge mode="auto-all"/<acknowledge mode="manual"/' "$ws/wharf.xml"
cp "$G/amazon-rp-850.edi" "$RP/inbound/po.edi"
cp "$G/amazon-df-850.edi" "$DF/inbound/df.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1

# ---- decisions refused when they are made, naming the value ---------------------------------
# Regression: --accept -5 --backorder 29 went out as ACK*IA*-5; --code 99 and
# an unknown reason on accepted lines were kept (exit 0), then not sent or
# dropped. Each row: name | orders arguments | what the refusal says.
while IFS='|' read -r name args says; do
  [ -z "$name" ] && continue
  # shellcheck disable=SC2086
  exits "refused: $name" 1 at 2025-01-01T01:00:00Z "$W" orders $args -w "$ws"
  has "  says: $says" "$says" "$tmp/out"
done <<'TABLE'
a negative quantity|approve 4Z32PABC --line 1 --accept -5 --backorder 29 --ship-date 2025-01-09|line 1: accept '-5' is not a quantity: a whole number of EA, 0 or more.*rule ack-quantity
a negative backorder|approve 4Z32PABC --line 1 --accept 25 --backorder -1 --ship-date 2025-01-09|line 1: backorder '-1' is not a quantity
a negative reject|approve 4Z32PABC --line 3 --accept 7 --reject -1|line 3: reject '-1' is not a quantity
a fraction of an each|approve 4Z32PABC --line 1 --accept 23.5 --reject 0.5|line 1: accept '23.5' is not a quantity: a whole number of EA
a number that is no number|approve 4Z32PABC --line 1 --accept 2e1 --reject 4|line 1: accept '2e1' is not a quantity
an unknown DF code|reject TVd4wGZnR --code 99|code '99' is not a Direct Fulfillment status code: 00 02 03 04 05 06 07 08 09 10 11 12 13 20 21 22 50 51 53 54 55 56 71.*rule ack-df-code
a DF reject with the accept code|reject TVd4wGZnR --code 00|code 00 accepts the order: a rejection needs a rejection code
a DF code on an RP order|reject 4Z32PABC --code 03|code 03 is for Direct Fulfillment orders; 4Z32PABC is RP
a reason that is none (whole order)|reject 4Z32PABC --reason because|'because' is not a rejection reason: TemporarilyUnavailable.*rule ack-reason
a reason that is none (accepted line)|approve 4Z32PABC --line 1 --accept 24 --reason because|line 1: 'because' is not a rejection reason
a reason that is none (DF)|reject TVd4wGZnR --reason because|'because' is not a rejection reason
a ship date that is no date|approve 4Z32PABC --ship-date 2025-02-30|ship date '2025-02-30' is not a date YYYY-MM-DD.*rule ack-ship-date
a ship date that is no date (DF)|approve TVd4wGZnR --ship-date 2025-13-01|ship date '2025-13-01' is not a date
TABLE
at 2025-01-01T01:00:00Z "$W" orders list -w "$ws" > "$tmp/out" 2>&1
has "  nothing was kept: RP still waits" "4Z32PABC +pending-approval" "$tmp/out"
has "  nothing was kept: DF still waits" "TVd4wGZnR +pending-approval" "$tmp/out"
exits "  and the ack run has nothing to send" 0 at 2025-01-01T01:00:00Z "$W" ack run -w "$ws"
has "  (0 queued)" "^0 acknowledgments queued" "$tmp/out"

# what is right is still kept: decimals in a unit that is not eaches are
# checked by the same rule (none in these samples), whole eaches pass
exits "kept: whole eaches with a backorder date" 0 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 --ship-date 2025-01-09 --line 3 --reject 6 --reason ObsoleteProduct -w "$ws"
exits "kept: a DF rejection with a listed code" 0 at 2025-01-01T01:00:00Z "$W" orders reject TVd4wGZnR --code 05 -w "$ws"

# ---- decisions from the ERP: the same checks ------------------------------------------------
ws3=$tmp/ws3
"$W" init "$ws3" > /dev/null 2>&1
cp "$G/amazon-rp-850-multi.edi" "$ws3/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws3" > /dev/null 2>&1
cat > "$ws3/erp/in/neg.json" <<'JSON'
{"po_number": "4Z32PABD", "action": "approve",
 "lines": [{"line_no": 1, "accept": -5, "backorder": 53, "ship_date": "2025-01-09"}]}
JSON
cat > "$ws3/erp/in/real.json" <<'JSON'
{"po_number": "4Z32PABE", "action": "approve", "lines": [{"line_no": 1, "accept": 5.5}]}
JSON
cat > "$ws3/erp/in/code.json" <<'JSON'
{"po_number": "5KQ7TWXM", "action": "reject", "code": "99", "reason": "obsolete-product"}
JSON
printf 'po_number,line_no,accept,backorder,reject,reason,ship_date\n4Z32PABD,1,-1,49,0,,2025-01-09\n' > "$ws3/erp/in/neg.csv"
at 2025-01-01T01:00:00Z "$W" ack run -w "$ws3" > "$tmp/out" 2>&1
has "ERP: nothing queued from refused decisions" "^0 acknowledgments queued" "$tmp/out"
while IFS='|' read -r file says; do
  [ -z "$file" ] && continue
  if [ -f "$ws3/erp/in/refused/$file.reason" ]; then
    has "ERP $file: refused, naming the line and the value" "$says" "$ws3/erp/in/refused/$file.reason"
  else
    no "ERP $file: refused, naming the line and the value"
  fi
done <<'TABLE'
neg.json|line 1: accept '-5' is not a quantity.*rule ack-quantity
real.json|line 1: accept '5.5' is not a quantity
code.json|rule ack-df-code
neg.csv|line 1: accept '-1' is not a quantity
TABLE

# ---- a job that cannot send a document fails, and says so -----------------------------------
# Regression: an acknowledgment refused by the partner's guide was logged,
# nothing sent, exit 0, and neither the runs nor `wharf status` said so. A
# decision kept before the checks existed stands in for any such refusal.
if command -v sqlite3 > /dev/null; then
  sqlite3 "$ws/wharf.db" "UPDATE acks SET canonical = replace(canonical, '<code>05</code>', '<code>99</code>') WHERE state = 'pending'"
  # each queued X12 takes one ISA13, GS06 and ST02; a refused one takes none
  taken='SELECT (SELECT group_concat(kind || value) FROM (SELECT kind, value FROM sequences ORDER BY partner, kind)),
         (SELECT count(*) FROM outbox WHERE kind IN ('"'"'855'"'"', '"'"'856'"'"', '"'"'810'"'"'))'
  sqlite3 "$ws/wharf.db" "$taken" > "$tmp/seq.before"
  exits "ack run: a refused 855 fails the run" 1 at 2025-01-01T02:00:00Z "$W" ack run -w "$ws"
  cp "$tmp/out" "$tmp/out.run"
  sqlite3 "$ws/wharf.db" "$taken" > "$tmp/seq.after"
  # Regression guard: the queue now takes its control numbers before the
  # guide checks the interchange it wrote with them; a refusal gives them back.
  if awk -F'|' 'NR == FNR { split($1, b, ","); nb = $2; next }
                { split($1, a, ","); d = $2 - nb
                  for (i in a) { k = substr(a[i], 1, 1); v[k] += substr(a[i], 2) }
                  for (i in b) { k = substr(b[i], 1, 1); v[k] -= substr(b[i], 2) }
                  exit !(v["I"] == d && v["G"] == d && v["S"] == d) }' "$tmp/seq.before" "$tmp/seq.after"; then
    ok "  the refused 855 took no control number"
  else
    no "  the refused 855 took no control number" "$tmp/seq.after"
  fi
  cp "$tmp/out.run" "$tmp/out"
  has "  naming the PO and why" "ack run failed: 1 acknowledgment not sent, left pending: amazon-df TVd4wGZnR: the 855 was not queued: .*ACK01 '99'" "$tmp/out"
  has "  the other decision still went out" "^1 acknowledgments queued, 1 messages sent" "$tmp/out"
  at 2025-01-01T02:00:00Z "$W" runs list -w "$ws" > "$tmp/runs" 2>&1
  has "  its run is recorded failed, with the error" "ack-run .* failed .*error: 1 acknowledgment not sent.*TVd4wGZnR" "$tmp/runs"
  at 2025-01-01T02:00:00Z "$W" status -w "$ws" > "$tmp/status" 2>&1
  has "  wharf status lists it in the last errors" "ack-run run failed: 1 acknowledgment not sent.*TVd4wGZnR" "$tmp/status"
  at 2025-01-01T02:00:00Z "$W" status --json -w "$ws" > "$tmp/status" 2>&1
  has "  and in --json" '"last_errors"' "$tmp/status"
  has "  (the failed run)" '"[^"]* ack-run run failed: 1 acknowledgment not sent' "$tmp/status"
  exits "run --once: the refused 855 fails it too" 1 at 2025-01-01T03:00:00Z "$W" run --once -w "$ws"
  at 2025-01-01T03:00:00Z "$W" runs list --state failed -w "$ws" > "$tmp/runs" 2>&1
  has "  recorded for the partner" "^2025-01-01 03:00:00 .*amazon-df +ack-run .*failed" "$tmp/runs"
  hasnt "runs list --state failed shows failed runs only" " done " "$tmp/runs"
else
  skip 10 "the refused-855 run: the sqlite3 command is not installed"
fi

# ---- listings name the filters they know ----------------------------------------------------
# Regression: an unknown --state or --kind answered an empty list, exit 0.
while IFS='|' read -r args says; do
  [ -z "$args" ] && continue
  # shellcheck disable=SC2086
  exits "$args: exit 2" 2 "$W" $args -w "$ws"
  has "  names the valid values" "$says" "$tmp/out"
done <<'TABLE'
orders list --state bogus|--state 'bogus' is not one of: pending-approval, approved, acknowledged, partially-shipped, shipped, invoiced, closed, cancelled, rejected
invoices list --state bogus|--state 'bogus' is not one of: held, queued, sent, accepted, rejected, paid, in-progress, partially-paid, deducted, partially-deducted
shipments list --state bogus|--state 'bogus' is not one of: queued, replaced, floor-denial
documents --state bogus|--state 'bogus' is not one of: accepted, rejected, duplicate-ship-id, queued, sent
documents --kind bogus|--kind 'bogus' is not a kind: a transaction set
runs list --state bogus|--state 'bogus' is not one of: running, done, failed
TABLE
for args in "orders list --state approved" "invoices list --state held" "shipments list --state queued" \
            "documents --state accepted" "documents --kind 850" "documents --kind TA1" "runs list --state done"; do
  # shellcheck disable=SC2086
  exits "$args: a known value lists (exit 0)" 0 "$W" $args -w "$ws"
done
exits "  orders list --state acknowledged finds the order" 0 "$W" orders list --state acknowledged -w "$ws"
has "  (the RP order)" "4Z32PABC +acknowledged" "$tmp/out"

# ---- an ack run whose 855 cannot be delivered is not done --------------------------------------
# Regression: the 855 was queued, its delivery failed, and `wharf ack run`
# exited 0. The message is retried later: exit 75, and the run is recorded.
ws4=$tmp/ws4
"$W" init "$ws4" > /dev/null 2>&1
cp "$G/amazon-rp-850.edi" "$ws4/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws4" > /dev/null 2>&1
rm -rf "$ws4/partners/amazon-rp/outbound" && : > "$ws4/partners/amazon-rp/outbound"   # a file: nothing can be written there
at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC -w "$ws4" > /dev/null 2>&1
exits "ack run: an undelivered 855 exits 75 (try again)" 75 at 2025-01-01T01:00:00Z "$W" ack run -w "$ws4"
has "  saying so" "ack run failed: 1 message not sent yet" "$tmp/out"
at 2025-01-01T01:00:00Z "$W" runs list --state failed -w "$ws4" > "$tmp/runs" 2>&1
has "  recorded as a failed run" "ack-run .* failed +acks=1 sent=0; error: 1 message not sent yet" "$tmp/runs"
