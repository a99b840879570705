#!/usr/bin/env bash
# The ERP change log of each inbound file (issue 18, <erp layout="per-file">,
# what `wharf init` writes): two inbound files make two JSON Lines files
# and two CSVs in commit (name) order, each order once in each, an order
# changed by the later file in the later one; a run killed (SIGKILL, the
# WHARF_TEST_ERP_CRASH hook) after its commit and before the rename, and
# one killed once its log was staged and before the commit, are finished
# by a normal run: every log once, in order, no staged file left, no
# record twice, none missing. Then layout="per-order": a JSON and a CSV
# per order again, the JSON the same object (key order, number text) as
# the change log's record of the same order, the CSV the same header and
# rows. Usage: erp-files.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
export WHARF_NOW=2025-01-01T00:00:00Z
RP=$ws/partners/amazon-rp
OUT=$ws/erp/out

"$W" init "$ws" > "$tmp/out" 2>&1 || { no "init" "$tmp/out"; exit 0; }
has "init writes layout=\"per-file\"" '<erp kind="files" formats="json csv" layout="per-file">' "$ws/wharf.xml"
# po PO CONTROL [SED]: one interchange with one RP 850; SED changes it
po() { po_from amazon-rp-850.edi 4Z32PABC "$1" "$2" | sed -e "${3:-s/^//}"; }
CHANGED='s/\*12\.50\*PE/*13.25*PE/'     # line 1's price (the CTT hash is of quantities)
{ po PA1 7001; po PA2 7002; } > "$RP/inbound/a.edi"
{ po PB1 7003; po PA1 7004 "$CHANGED"; } > "$RP/inbound/b.edi"
"$W" run --once -w "$ws" > "$tmp/run1" 2>&1
has "two files, four sets, three orders made and one changed" "2 files .* 4 sets: 4 accepted.*orders: 3 created, 1 updated" "$tmp/run1"

# records FILE...: "SEQ PO UNIT_COST_OF_LINE_1" a record, in file order
records() {
  python3 - "$@" << 'EOF'
import json, re, sys
for path in sys.argv[1:]:
    seq = re.search(r'orders-(\d{12})-', path).group(1)
    for line in open(path, encoding='utf-8'):
        j = json.loads(line, parse_float=str)
        print(seq, j['po_number'], j['lines'][0]['unit_cost'])
EOF
}
ls -A "$OUT" > "$tmp/ls"
printf '%s\n' orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl \
  orders-000000000002-amazon-rp.csv orders-000000000002-amazon-rp.jsonl > "$tmp/want"
diff "$tmp/want" "$tmp/ls" > "$tmp/diff" && ok "a JSON Lines file and a CSV per inbound file, nothing else" ||
  no "a JSON Lines file and a CSV per inbound file, nothing else" "$tmp/diff"
records "$OUT"/orders-*.jsonl > "$tmp/rec" 2>&1
printf '%s\n' "000000000001 PA1 12.50" "000000000001 PA2 12.50" "000000000002 PB1 12.50" "000000000002 PA1 13.25" > "$tmp/want"
diff "$tmp/want" "$tmp/rec" > "$tmp/diff" && ok "each order once a file, in file order; PA1's change in the later file (one JSON object a line, number text kept)" ||
  no "the records of the two files" "$tmp/diff"
for s in 1 2; do
  f=$OUT/orders-00000000000$s-amazon-rp.csv
  [ "$(grep -c '^partner,program,po_number,' "$f")" = 1 ] && [ "$(head -1 "$f" | cut -c1-26)" = "partner,program,po_number," ] &&
    [ "$(grep -c '^amazon-rp,RP,' "$f")" = 6 ] && ok "CSV $s: one header, three rows for each of its two orders" ||
    no "CSV $s: one header, three rows for each of its two orders" "$f"
done
has "the CSV has PA1's changed price in the later file" "^amazon-rp,RP,PA1,[a-z-]+,1,upc:012345678905,24,EA,13.25," "$OUT/orders-000000000002-amazon-rp.csv"
[ "$(stat -c %a "$OUT/orders-000000000001-amazon-rp.jsonl")" = 600 ] && ok "the logs are the owner's only (0600)" || no "the logs are 0600"

# ---- killed between the commit and the rename, and between staging and the commit ---------------
{ po PC1 7005; po PA2 7006 "$CHANGED"; } > "$RP/inbound/c.edi"
WHARF_TEST_ERP_CRASH=committed "$W" run --once -w "$ws" > "$tmp/run2" 2>&1
rc=$?
[ "$rc" = 137 ] && ok "the run is killed after its commit (SIGKILL)" || no "the run is killed after its commit (exit $rc)" "$tmp/run2"
ls -A "$OUT" | grep -c '^\.orders-000000000003-amazon-rp\.\(jsonl\|csv\)\.wharf-[0-9]*\.tmp$' > "$tmp/n"
[ "$(cat "$tmp/n")" = 2 ] && [ ! -e "$OUT/orders-000000000003-amazon-rp.jsonl" ] && ok "  its log is staged, not renamed" ||
  { ls -A "$OUT" > "$tmp/ls"; no "  its log is staged, not renamed" "$tmp/ls"; }
po PD1 7007 > "$RP/inbound/d.edi"
WHARF_TEST_ERP_CRASH=staged "$W" run --once -w "$ws" > "$tmp/run3" 2>&1
rc=$?
[ "$rc" = 137 ] && ok "the next run is killed once its log is staged, before the commit" || no "killed once staged (exit $rc)" "$tmp/run3"
[ "$(ls -A "$OUT" | grep -c '^\.orders-000000000004-')" = 2 ] && ok "  its log is staged as number 4" ||
  { ls -A "$OUT" > "$tmp/ls"; no "  its log is staged as number 4" "$tmp/ls"; }
"$W" run --once -w "$ws" > "$tmp/run4" 2>&1
has "a normal run processes what was not committed" "orders: 1 created, 0 updated" "$tmp/run4"
has "  and removes the uncommitted log" "ERP change log \.orders-000000000004-amazon-rp\.jsonl\.wharf-[0-9]+\.tmp removed: its process \([0-9]+\) died before the store committed it" "$tmp/run4"
ls -A "$OUT" > "$tmp/ls"
for s in 1 2 3 4; do printf 'orders-00000000000%s-amazon-rp.csv\norders-00000000000%s-amazon-rp.jsonl\n' $s $s; done > "$tmp/want"
diff "$tmp/want" "$tmp/ls" > "$tmp/diff" && ok "four logs, each once, no staged or temporary file left" ||
  no "four logs, each once, no staged or temporary file left" "$tmp/diff"
records "$OUT"/orders-*.jsonl > "$tmp/rec" 2>&1
printf '%s\n' "000000000001 PA1 12.50" "000000000001 PA2 12.50" "000000000002 PB1 12.50" "000000000002 PA1 13.25" \
  "000000000003 PC1 12.50" "000000000003 PA2 13.25" "000000000004 PD1 12.50" > "$tmp/want"
diff "$tmp/want" "$tmp/rec" > "$tmp/diff" && ok "every record once, none missing, in commit order" || no "the records after the crashes" "$tmp/diff"
# the store: five orders, each one's last record is its state
sqlite3 "$ws/wharf.db" "SELECT po_number, (SELECT unit_cost FROM order_lines l WHERE l.order_id = o.id AND line_no = 1)
  FROM orders o ORDER BY po_number" 2> /dev/null | tr '|' ' ' > "$tmp/orders"
awk '{ last[$2] = $3 } END { for (p in last) print p, last[p] }' "$tmp/rec" | sort > "$tmp/last"
diff "$tmp/orders" "$tmp/last" > "$tmp/diff" && [ "$(wc -l < "$tmp/orders")" = 5 ] &&
  ok "the last record of each PO is the store's order" || no "the last record of each PO is the store's order" "$tmp/diff"
left=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM outbox WHERE kind = 'erp-log' AND sent_at IS NULL" 2>&1)
[ "$left" = 0 ] && ok "the store: every change log published" || no "the store: $left change logs unpublished"

# ---- layout="per-order" -------------------------------------------------------------------------
sed -i 's/layout="per-file"/layout="per-order"/' "$ws/wharf.xml"
{ po PE1 7008; po PA1 7009 "$CHANGED"; } > "$RP/inbound/e.edi"
"$W" run --once -w "$ws" > "$tmp/run5" 2>&1
has "per-order: the file is processed" "orders: 1 created, 1 updated" "$tmp/run5"
ls -A "$OUT" | grep -v '^orders-00000000000[1-4]-' > "$tmp/ls"
printf '%s\n' amazon-rp-PA1.csv amazon-rp-PA1.json amazon-rp-PE1.csv amazon-rp-PE1.json > "$tmp/want"
diff "$tmp/want" "$tmp/ls" > "$tmp/diff" && ok "per-order: a JSON and a CSV per order, no change log" ||
  no "per-order: a JSON and a CSV per order, no change log" "$tmp/diff"
# PA1 the same as in log 2: the same object, keys in the same order, numbers as written
python3 - "$OUT/amazon-rp-PA1.json" "$OUT/orders-000000000002-amazon-rp.jsonl" > "$tmp/cmp" 2>&1 << 'EOF'
import json, sys
same = lambda s: json.dumps(json.loads(s, parse_float=str, parse_int=str), separators=(',', ':'), ensure_ascii=False)
one = open(sys.argv[1], encoding='utf-8').read()
rec = [l for l in open(sys.argv[2], encoding='utf-8') if '"po_number":"PA1"' in l]
assert len(rec) == 1, rec
assert '\n' in one.strip(), 'the per-order JSON is as the map made it (indented)'
assert same(one) == same(rec[0]), (same(one), same(rec[0]))
def compact(s):   # white space outside strings out, nothing else
    out, ins, esc = [], False, False
    for ch in s:
        if ins:
            out.append(ch)
            esc, ins = (not esc and ch == '\\'), (ins and (esc or ch != '"'))
        elif ch not in ' \t\r\n':
            out.append(ch)
            ins = ch == '"'
    return ''.join(out)
assert compact(one) == rec[0].rstrip('\n'), 'the record is the JSON compacted, nothing else'
print('same')
EOF
has "per-order JSON and the change log's record are the same JSON, byte for byte but the white space" "^same$" "$tmp/cmp"
grep '^partner,\|^amazon-rp,RP,PA1,' "$OUT/orders-000000000002-amazon-rp.csv" > "$tmp/csv-log"
diff "$tmp/csv-log" "$OUT/amazon-rp-PA1.csv" > "$tmp/diff" && ok "per-order CSV: the change log's header and rows" ||
  no "per-order CSV: the change log's header and rows" "$tmp/diff"
cat "$tmp"/run* | grep "ERROR\|runtime error" > "$tmp/san"
[ ! -s "$tmp/san" ] && ok "no sanitizer reports" || no "sanitizer reports" "$tmp/san"

# ---- a change to an order in another state than a new one's -------------------------------------
# The map workers make the ERP records ahead for a new order's state and
# free the order's tree; PB1, approved, then changed, has its records made
# again from the order's text, with its own state (a regression test: the
# records were made from the freed tree).
sed -i 's/layout="per-order"/layout="per-file"/' "$ws/wharf.xml"
"$W" orders approve PB1 -w "$ws" > "$tmp/approve" 2>&1 || no "orders approve PB1" "$tmp/approve"
state=$(sqlite3 "$ws/wharf.db" "SELECT state FROM orders WHERE po_number = 'PB1'" 2>&1)
po PB1 7010 "$CHANGED" > "$RP/inbound/f.edi"
"$W" run --once -w "$ws" > "$tmp/run6" 2>&1
has "an approved order changed" "orders: 0 created, 1 updated" "$tmp/run6"
log=$(ls "$OUT"/orders-*-amazon-rp.jsonl | tail -1)
python3 - "$log" "$state" > "$tmp/st" 2>&1 << 'EOF'
import json, sys
rec = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
print(len(rec), rec[0]['po_number'], rec[0]['state'], sys.argv[2], rec[0]['lines'][0]['unit_cost'])
EOF
if [ "$state" != pending-approval ]; then
  has "  its JSON record has its state when changed ($state), not a new order's" "^1 PB1 $state $state 13.25$" "$tmp/st"
else
  no "  PB1 is still pending-approval" "$tmp/approve"
fi
has "  its CSV rows too" "^amazon-rp,RP,PB1,$state,1,upc:012345678905,24,EA,13.25," "${log%.jsonl}.csv"
grep "ERROR\|runtime error" "$tmp/run6" > "$tmp/san"
[ ! -s "$tmp/san" ] && ok "  no sanitizer reports" || no "  sanitizer reports" "$tmp/san"
