#!/usr/bin/env bash
# An inbound file is one store transaction without a savepoint per call
# (issue 18): the store it leaves must be the one the per-call savepoint
# path leaves (WHARF_TEST_SAVEPOINTS=1), call for call. Two files, good and
# bad sets: new POs, a set that fails validation (rejected, quarantined
# with its findings), a PO changed by the second file (a line cancelled),
# a set with an unknown segment. Orders, lines, history, documents, the
# outbox (997s, ERP records) and quarantine/ are dumped after each path and
# diffed with each other and with the expected dump (bulk-tx/expected),
# the ERP change logs of erp/out/ included.
# Usage: bulk-tx.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
EXP=$PWD/tests/integration/bulk-tx/expected

# make_file CTL FIRST LAST BAD... > file: POs FIRST..LAST; BAD ones broken
make_file() {
  python3 - "$@" <<'EOF'
import sys
ctl, first, last = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
bad = set(sys.argv[4:])
out = ["ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
       "*240315*0712*U*00401*%09d*0*P*>" % ctl, "GS*PO*AMAZON*ACMEVENDOR*20240315*0712*%d*X*004010" % ctl]
nsets = 0
for n in range(first, last + 1):
    s = ["ST*850*%04d" % n, "BEG*00*NE*PBULK%03d**20240315" % n, "REF*CR*ACME1",
         "DTM*064*20240320", "DTM*063*20240329", "N1*ST**92*ABE1"]
    for i in range(3):
        # z: the second line cancelled; Z: every line (the order is cancelled)
        qty = 0 if ("z%d" % n in bad and i == 1) or "Z%d" % n in bad else 6 * (i + 1) + ctl % 7
        s.append("PO1*%d*%d*EA*5.%02d*PE*UP*08412345%04d" % (i + 1, qty, n, i))
    if "q%d" % n in bad:
        s[-1] = "PO1*3**EA*5.00*PE*UP*084123450099"      # no quantity: rejected
    if "u%d" % n in bad:
        s.insert(3, "ZZZ*1")                             # a segment the guide does not know
    s.append("CTT*4" if "t%d" % n in bad else "CTT*3")   # t: the map refuses it (terminate)
    s.append("SE*%d*%04d" % (len(s) + 1, n))
    out += s
    nsets += 1
out += ["GE*%d*%d" % (nsets, ctl), "IEA*1*%09d" % ctl]
print("".join(x + "~\n" for x in out), end="")
EOF
}

dump() {  # dump WS > file: what the store and quarantine/ hold, without clocks
  local db=$1/wharf.db
  echo "# orders"
  sqlite3 "$db" "SELECT id, partner, program, po_number, state, length(canonical), created FROM orders ORDER BY id"
  sqlite3 "$db" "SELECT order_id, line_no, product_id, quantity, unit, unit_cost, state FROM order_lines ORDER BY order_id, line_no"
  sqlite3 "$db" "SELECT order_id, at, state, what FROM order_history ORDER BY id"
  echo "# documents"
  sqlite3 "$db" "SELECT id, interchange_id, direction, kind, group_control, set_control, ref, state, findings FROM documents ORDER BY id"
  sqlite3 "$db" "SELECT id, raw_id, partner, direction, control, sender, receiver, status, at FROM interchanges ORDER BY id"
  echo "# outbox"
  # an ERP change log's row holds its staged name, which has the process id in
  # it: shown as text, the id replaced; every other row's bytes as hex
  sqlite3 "$db" "SELECT id, partner, kind, name, created, sent_at IS NOT NULL,
                        CASE kind WHEN 'erp-log' THEN CAST(bytes AS TEXT) ELSE hex(bytes) END FROM outbox ORDER BY id" |
    sed 's/\.wharf-[0-9]*\.tmp$/.wharf-PID.tmp/'
  echo "# erp/out"
  (cd "$1/erp/out" 2> /dev/null && ls | sort && cat $(ls | sort))
  sqlite3 "$db" "SELECT name, state, verdict, reason FROM raw ORDER BY id"
  echo "# quarantine"
  (cd "$1/partners/amazon-rp/quarantine" && for f in $(ls | sed 's/^[0-9T]*-//' | sort); do echo "$f"; done
   cat $(ls | sort) 2> /dev/null | sed 's/[0-9]\{8\}T[0-9]\{6\}//g')
}

A_FILE="901 1 6 q3 u5" B_FILE="902 1 2 z1"
run_path() {  # run_path NAME [ENV=VALUE] [WORKERS]: both files through one path; the dump in $tmp/NAME
  local w=$tmp/ws-$1
  "$W" init "$w" > /dev/null 2>&1 || no "init $1"
  [ -n "${3:-}" ] && sed -i "s|^  <log |  <inbound workers=\"$3\"/>\n  <log |" "$w/wharf.xml"
  make_file $A_FILE > "$w/partners/amazon-rp/inbound/a.edi"
  env ${2:-} WHARF_NOW=2025-01-01T00:00:00Z "$W" run --once -w "$w" > "$tmp/run-$1" 2>&1
  make_file $B_FILE > "$w/partners/amazon-rp/inbound/b.edi"
  env ${2:-} WHARF_NOW=2025-01-01T01:00:00Z "$W" run --once -w "$w" >> "$tmp/run-$1" 2>&1
  dump "$w" > "$tmp/$1"
}
run_path bulk
run_path savepoints WHARF_TEST_SAVEPOINTS=1
has "the files were processed" "6 sets: 4 accepted, 2 rejected" "$tmp/run-bulk"
if diff -u "$tmp/savepoints" "$tmp/bulk" > "$tmp/diff"; then ok "the bulk path leaves the store the savepoint path leaves"
else no "the bulk path and the savepoint path differ" "$tmp/diff"; fi
has "  a rejected set is a rejected document with its findings" "\|rejected\|segment [0-9]+:" "$tmp/bulk"
has "  and quarantined with them" "a\.edi\.850-0003\.edi" "$tmp/bulk"
has "  a changed PO cancels its zero line" "^1\|2\|upc:084123450001\|0\|EA\|5\.01\|cancelled" "$tmp/bulk"
has "  one 997 per file" "^[0-9]+\|amazon-rp\|997\|amazon-rp-997-2\.edi" "$tmp/bulk"
golden bulk-path.txt "$tmp/bulk"

# SPEC: issue 18 — the map workers (<inbound workers>) leave the store, the
# outbox, erp/out/, quarantine/ and the log exactly as mapping on the flow's
# thread does (workers="0"): 80 POs (more than the window of 32 sets out at
# once), rejected, unknown-segment and map-refused (CTT01 wrong: the map's
# xsl:message terminate) sets among them, 40 changed by a second file (one
# to no open line: its ERP record is made with another state than the one a
# worker makes it with ahead).
unset WHARF_TEST_WORKERS   # each run's own <inbound workers>
A_FILE="903 1 80 q3 u5 t7 t33 q50 t79" B_FILE="904 1 40 z1 t2 z39 Z20"
run_path inline "" 0
run_path workers4 "" 4
run_path workers1 "" 1
has "the parallel files were processed" "80 sets: 77 accepted, 3 rejected" "$tmp/run-inline"
has "  the map refused a set" "refused by amazon-rp/850-to-order.*CTT01 says 4 line items" "$tmp/run-inline"
has "  and its document is rejected" "^7\|1\|in\|850\|903\|0007\|PBULK007\|rejected" "$tmp/inline"
has "  a PO changed to no open line cancels its order" "\|PBULK020\|cancelled\|" "$tmp/inline"
for wk in workers4 workers1; do
  if diff -u "$tmp/inline" "$tmp/$wk" > "$tmp/diff-$wk"; then ok "$wk leaves the store, outbox, erp/out and quarantine of workers=0"
  else no "$wk differs from workers=0" "$tmp/diff-$wk"; fi
  # the log (the runs' output, clocks fixed by WHARF_NOW): the same lines in the same order
  if diff -u "$tmp/run-inline" "$tmp/run-$wk" > "$tmp/ldiff-$wk"; then ok "  and the same log lines in the same order"
  else no "  $wk's log differs from workers=0" "$tmp/ldiff-$wk"; fi
done
