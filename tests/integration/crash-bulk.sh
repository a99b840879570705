#!/usr/bin/env bash
# Exactly-once under SIGKILL on the bulk path (issue 18): a multi-thousand-PO
# `wharf run --once` (NPO RP 850s in NFILES files, each file one store
# transaction without per-call savepoints) is killed with SIGKILL at KILLS
# random moments, then one normal run: every PO is an order once and a
# document once, every file has its 997 queued and sent once, every order
# has its ERP JSON and CSV record, nothing is left in inbound/ and no
# temporary file anywhere in the workspace.
# The kill points come from a seeded RNG whose seed is printed (SEED=N
# reruns one). This script runs the release build (build/wharf) when it
# exists, whatever WHARF says: under ASan a 2,000-PO run takes too long for
# check's budget (CRASH_BULK_SAN=1 keeps WHARF); the ASan build covers the
# same code in inbound-faults.sh, race.sh and gateway.sh.
# Usage: crash-bulk.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
NPO=${NPO:-2000} NFILES=${NFILES:-4} KILLS=${KILLS:-5}
SEED=${SEED:-$((($$ + $(date +%s)) % 32768))}
RANDOM=$SEED
[ -x build/wharf ] && [ "${CRASH_BULK_SAN:-}" = "" ] && W=$PWD/build/wharf
echo "# seed $SEED ($NPO POs in $NFILES files, $KILLS kills; $(basename "$(dirname "$W")")/wharf)"

"$W" init "$ws" > "$tmp/out" 2>&1 || { no "init" "$tmp/out"; exit 0; }
RP=$ws/partners/amazon-rp
# NFILES interchanges of NPO/NFILES POs, like make bench's (PO numbers 4A000001 ...)
python3 - "$NPO" "$NFILES" "$tmp/files" <<'EOF'
import os, sys
npo, nfiles, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
skus = [("012345678905", "ACME-1001", "B07DFVDRAB"), ("084123450010", "ACME-1002", "B07DFYF5AB"),
        ("084123450027", "ACME-2001", "B01LNRIIAB"), ("084123450034", "ACME-2002", "B01LNRIIXY")]
per = npo // nfiles
for f in range(nfiles):
    ctl = 700 + f
    segs = []
    for n in range(f * per + 1, (f + 1) * per + 1):
        s = ["ST*850*%04d" % (n % 10000), "BEG*00*NE*%08X**20240315" % (0x4A000000 + n), "REF*CR*ACME1",
             "DTM*064*20240320", "DTM*063*20240329", "N1*ST**92*ABE%d" % (n % 9 + 1)]
        lines = 2 + n % 3
        for i in range(lines):
            u = skus[(n + i) % 4]
            s.append("PO1*%d*%d*EA*%d.%02d*PE*UP*%s*VN*%s*BP*%s" % (i + 1, 6 * (1 + (n + i) % 8), 5 + n % 40,
                                                                     (n * 7 + i) % 100, u[0], u[1], u[2]))
        s.append("CTT*%d" % lines)
        s.append("SE*%d*%04d" % (len(s) + 1, n % 10000))
        segs += s
    with open("%s/bulk-%d.edi" % (out, f), "w") as fh:
        fh.write("ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
                 "*240315*0712*U*00401*%09d*0*P*>~\n" % ctl)
        fh.write("GS*PO*AMAZON*ACMEVENDOR*20240315*0712*%d*X*004010~\n" % ctl)
        fh.write("".join(x + "~\n" for x in segs))
        fh.write("GE*%d*%d~\nIEA*1*%09d~\n" % (per, ctl, ctl))
EOF
cp "$tmp"/files/*.edi "$RP/inbound/"
ms() { echo $(($(date +%s%N) / 1000000)); }
seq $((0x4A000001)) $((0x4A000000 + NPO)) | while read -r n; do printf '%08X\n' "$n"; done > "$tmp/want"

running() { [ -e "/proc/$1" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2> /dev/null)" != Z ]; }
# kill points spread over the time the NFILES files take (one file timed in
# a scratch workspace), so that together the killed runs get through about
# one pass: they fall into parsing, mapping, commits, the 997 and ERP files
"$W" init "$tmp/cal" > /dev/null 2>&1 && cp "$tmp/files/bulk-0.edi" "$tmp/cal/partners/amazon-rp/inbound/"
t0=$(ms)
at 2025-01-01T00:00:00Z "$W" run --once -w "$tmp/cal" > /dev/null 2>&1
span=$((($(ms) - t0) * NFILES * 2 / KILLS + 100))
killed=0 points=""
for ((k = 1; k <= KILLS; k++)); do
  wait_ms=$((50 + (RANDOM * 32768 + RANDOM) % span))
  points="$points $wait_ms"
  # wharf itself in the background, not the function at(): $! of a
  # function is a subshell, and SIGKILL to it leaves wharf running
  WHARF_NOW=2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/storm$k" 2>&1 &
  p=$!
  sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  running "$p" && kill -9 "$p" 2> /dev/null && killed=$((killed + 1))
  wait "$p" 2> /dev/null
done
q() { sqlite3 "$ws/wharf.db" "$1"; }
echo "# kill points (ms):$points; $killed of $KILLS runs killed; after them: $(q 'SELECT count(*) FROM orders') orders, $(ls "$RP/inbound" | wc -l) files in inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1 || no "the normal run after the kills" "$tmp/run"

[ -z "$(find "$RP/inbound" -type f)" ] && ok "inbound/ is empty: every file was taken" || no "files left in inbound/" <(find "$RP/inbound" -type f)
[ "$(q "SELECT count(*) FROM raw WHERE direction = 'in' AND state = 'received'")" = 0 ] && ok "no file is left received" ||
  no "files left received" <(q "SELECT name, state FROM raw")
[ "$(q "SELECT count(*) FROM raw WHERE direction = 'in' AND verdict = 'archived'")" = "$NFILES" ] &&
  ok "each of the $NFILES files is archived once" || no "archived files" <(q "SELECT name, state, verdict FROM raw")
q "SELECT po_number FROM orders WHERE program = 'RP' ORDER BY po_number" > "$tmp/orders"
diff "$tmp/want" "$tmp/orders" > "$tmp/diff" && ok "every PO is an order, once ($NPO)" || no "orders differ from the POs sent" "$tmp/diff"
q "SELECT ref FROM documents WHERE direction = 'in' AND kind = '850' ORDER BY ref" > "$tmp/docs"
diff "$tmp/want" "$tmp/docs" > "$tmp/diff" && ok "every PO is a document, once" || no "850 documents differ from the POs sent" "$tmp/diff"
[ "$(q "SELECT count(*) FROM documents WHERE direction = 'in' AND state != 'accepted'")" = 0 ] &&
  ok "  all accepted" || no "  documents not accepted" <(q "SELECT ref, state FROM documents WHERE state != 'accepted'")
[ "$(q "SELECT count(*) FROM order_history WHERE what LIKE 'updated%'")" = 0 ] && ok "  no order was updated (none made twice)" ||
  no "orders updated" <(q "SELECT * FROM order_history WHERE what LIKE 'updated%' LIMIT 5")
[ "$(q "SELECT count(*), count(DISTINCT name) FROM outbox WHERE kind = '997'")" = "$NFILES|$NFILES" ] &&
  ok "a 997 queued once per file" || no "997s queued" <(q "SELECT name, sent_at FROM outbox WHERE kind = '997'")
[ "$(q "SELECT count(*) FROM outbox WHERE kind = '997' AND sent_at IS NULL")" = 0 ] && ok "  and sent" || no "  997s not sent"
n997=$(ls "$RP/outbound" | grep -c -- '-997-')
[ "$n997" = "$NFILES" ] && ok "  one 997 file per inbound file in outbound/" || no "  $n997 997 files in outbound/" <(ls "$RP/outbound")
# the ERP records, whatever the layout of erp/out: each PO in a JSON and a CSV record
grep -ohE '"po_number": *"[0-9A-F]{8}"' "$ws"/erp/out/*.json* 2> /dev/null | grep -oE '[0-9A-F]{8}' | sort -u > "$tmp/erpj"
diff "$tmp/want" "$tmp/erpj" > "$tmp/diff" && ok "every order has its ERP JSON record" || no "ERP JSON records differ" "$tmp/diff"
cut -d, -f3 "$ws"/erp/out/*.csv 2> /dev/null | grep -E '^[0-9A-F]{8}$' | sort -u > "$tmp/erpc"
diff "$tmp/want" "$tmp/erpc" > "$tmp/diff" && ok "every order has its ERP CSV record" || no "ERP CSV records differ" "$tmp/diff"
[ "$(q "SELECT count(*) FROM outbox WHERE sent_at IS NULL")" = 0 ] && ok "nothing waits in the outbox" ||
  no "the outbox still holds" <(q "SELECT kind, name FROM outbox WHERE sent_at IS NULL LIMIT 10")
find "$ws" -name '*.tmp' -o -name '.*' -type f -o -name '*.part' | grep -v '/\.\(wharf\)' > "$tmp/stray"
[ ! -s "$tmp/stray" ] && ok "no temporary files left in the workspace" || no "temporary files left" "$tmp/stray"
