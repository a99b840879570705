#!/usr/bin/env bash
# Integration tests of acknowledgments: decisions by hand and automatic,
# Amazon's rules refusing bad decisions, the acknowledgment run queueing
# 855s with control numbers from the store, and its idempotence. The clock
# moves with WHARF_NOW. Usage: acks.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"


"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df
cp "$G/amazon-rp-850.edi" "$RP/inbound/po.edi"
cp "$G/amazon-df-850.edi" "$DF/inbound/df.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1

# DF is acknowledged automatically, 00 on every line, fill-or-kill
cat "$DF"/outbound/*855* > "$tmp/df855" 2>/dev/null
has "DF: an 855 went out on its own" "^BAK\*00\*AD\*TVd4wGZnR" "$tmp/df855"
has "DF: code 00 on every line" "^ACK\*00\*2\*EA~" "$tmp/df855"
has "DF: ship-from warehouse named" "^N1\*SF\*\*92\*NJ1~" "$tmp/df855"
at 2025-01-01T00:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "DF: the order is acknowledged" "TVd4wGZnR +acknowledged" "$tmp/orders"
has "RP: the order waits for approval" "4Z32PABC +pending-approval" "$tmp/orders"
ls "$RP/outbound" > "$tmp/ls"
grep -q 855 "$tmp/ls" && no "RP: nothing is acknowledged before approval" "$tmp/ls" || ok "RP: nothing is acknowledged before approval"

# the rules refuse, naming the rule and the line, and keep nothing
exits "RP: more than ordered is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 5 -w "$ws"
has "  the refusal names the rule and the line" "line 1: accepted 20 \+ backordered 5 .* 24 were ordered.*rule ack-sum" "$tmp/out"
exits "RP: less than ordered is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 2 --accept 6 -w "$ws"
exits "RP: an unknown line is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 9 --accept 1 -w "$ws"
at 2025-01-01T01:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "  and nothing was queued" "^0 acknowledgments queued" "$tmp/out"
exits "DF: a partial line is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve TVd4wGZnR --line 2 --accept 1 --reject 1 -w "$ws"
has "  fill-or-kill is the rule" "ack-df-fill-or-kill" "$tmp/out"

# partial: accept 20, backorder 4, reject line 3
exits "RP: a partial decision is kept" 0 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 --ship-date 2025-01-05 --line 3 --reject 6 --reason obsolete-product -w "$ws"
at 2025-01-01T01:30:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "the ack run queues the 855" "^1 acknowledgments queued, 1 messages sent" "$tmp/out"
cat "$RP"/outbound/*855* > "$tmp/rp855"
has "BAK says accepted with changes" "^BAK\*00\*AC\*4Z32PABC" "$tmp/rp855"
has "line 1: 20 accepted" "^ACK\*IA\*20\*EA\*068\*20250105~" "$tmp/rp855"
has "line 1: 4 backordered" "^ACK\*IB\*4\*EA\*068\*20250105~" "$tmp/rp855"
has "line 3: rejected, with its reason in Amazon's word (ACK27 ZZ, ACK29)" "^ACK\*IR\*6\*EA\*{24}ZZ\*\*ObsoleteProduct~" "$tmp/rp855"
has "unit cost exactly as the PO sent it" "^PO1\*3\*6\*EA\*39.99\*PE\*UP\*084123450027" "$tmp/rp855"
"$W" edi validate --guide partners/amazon-rp/855 "$RP"/outbound/*855* > "$tmp/out" 2>&1 && ok "the 855 passes the Amazon RP guide" || no "the 855 passes the Amazon RP guide" "$tmp/out"
has "control numbers from the store: ISA13 after the 997's" "^ISA\*.*\*000000002\*0\*P\*>~" "$tmp/rp855"
at 2025-01-01T02:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "a second run sends nothing new" "^0 acknowledgments queued, 0 messages sent" "$tmp/out"
[ "$(ls "$RP"/outbound/*855* | wc -l)" = 1 ] && ok "one 855 file" || no "one 855 file"

# updates: a rejected line stays rejected; after 48 hours only dates change
exits "RP: rejected never becomes accepted" 1 at 2025-01-01T03:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 --line 3 --accept 6 -w "$ws"
has "  that is the rule" "ack-rejected-line" "$tmp/out"
exits "RP: an update within 48 hours is kept" 0 at 2025-01-02T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 24 --line 3 --reject 6 -w "$ws"
at 2025-01-02T01:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "  and goes out" "^1 acknowledgments queued" "$tmp/out"
exits "RP: a quantity change after 48 hours is refused" 1 at 2025-01-05T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 --line 3 --reject 6 -w "$ws"
has "  after 48 hours, only dates" "ack-update-too-late" "$tmp/out"
exits "RP: a date change after 48 hours is kept" 0 at 2025-01-05T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 24 --ship-date 2025-01-09 --line 3 --reject 6 -w "$ws"

# a DF order rejected: one status for the whole order
cp "$G/amazon-df-850.edi" "$tmp/df2.edi"
sed -i -e '1s/\*[0-9]\{9\}\*0\*P\*/*000007777*0*P*/' -e 's/^IEA\*1\*[0-9]*~/IEA*1*000007777~/' -e 's/TVd4wGZnR/TVd4wGZnS/' "$tmp/df2.edi"
# a manual DF partner for this test would need config; reject through the operator instead
cp "$tmp/df2.edi" "$DF/inbound/df2.edi"
at 2025-01-06T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
exits "DF: reject with code 03 is kept" 0 at 2025-01-06T00:10:00Z "$W" orders reject TVd4wGZnS --code 03 -w "$ws"
at 2025-01-06T00:20:00Z "$W" ack run -w "$ws" > /dev/null 2>&1
cat "$DF"/outbound/*TVd4wGZnS* > "$tmp/df3" 2>/dev/null
has "DF: the reject 855 carries 03 on every line" "^ACK\*03\*2\*EA~" "$tmp/df3"
has "DF: BAK rejects" "^BAK\*00\*RD\*TVd4wGZnS" "$tmp/df3"

# DF: the same Ship ID again is answered with code 04, and makes no second order
sed -e '1s/\*[0-9]\{9\}\*0\*P\*/*000008888*0*P*/' -e 's/^IEA\*1\*[0-9]*~/IEA*1*000008888~/' "$G/amazon-df-850.edi" > "$DF/inbound/df-again.edi"
at 2025-01-07T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
cat "$DF"/outbound/*855-TVd4wGZnR* > "$tmp/df04" 2>/dev/null
has "DF: a repeated Ship ID gets an 855 with code 04" "^ACK\*04\*2\*EA~" "$tmp/df04"
at 2025-01-07T00:00:00Z "$W" orders show TVd4wGZnR -w "$ws" > "$tmp/out" 2>&1
has "  the order keeps its state" "TVd4wGZnR — acknowledged" "$tmp/out"

# auto-stock: accept up to stock; DF fill-or-kill rejects with 03 when short
ws2=$tmp/ws2
"$W" init "$ws2" > /dev/null 2>&1
sed -i 's/<acknowledge mode="auto-all"/<acknowledge mode="auto-stock"/' "$ws2/wharf.xml"
printf 'sku,warehouse,available\nACME-1001,NJ1,5\nACME-1002,NJ1,1\n' > "$ws2/erp/in/stock.csv"
cp "$G/amazon-df-850.edi" "$ws2/partners/amazon-df/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws2" > "$tmp/out" 2>&1
cat "$ws2"/partners/amazon-df/outbound/*855* > "$tmp/stock855" 2>/dev/null
has "auto-stock DF: short on one line rejects the order with 03" "^ACK\*03\*" "$tmp/stock855"
printf 'sku,warehouse,available\nACME-1001,NJ1,5\nACME-1002,NJ1,9\n' > "$ws2/erp/in/stock.csv"
sed -e '1s/\*[0-9]\{9\}\*0\*P\*/*000006666*0*P*/' -e 's/^IEA\*1\*[0-9]*~/IEA*1*000006666~/' -e 's/TVd4wGZnR/TVd4wGZnT/' "$G/amazon-df-850.edi" > "$ws2/partners/amazon-df/inbound/df2.edi"
at 2025-01-01T01:00:00Z "$W" run --once -w "$ws2" > "$tmp/out" 2>&1
cat "$ws2"/partners/amazon-df/outbound/*855-TVd4wGZnT* > "$tmp/stock855b" 2>/dev/null
has "auto-stock DF: enough stock accepts with 00" "^ACK\*00\*" "$tmp/stock855b"

# decisions from the ERP: JSON and CSV in erp/in
ws3=$tmp/ws3
"$W" init "$ws3" > /dev/null 2>&1
cp "$G/amazon-rp-850-multi.edi" "$ws3/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws3" > /dev/null 2>&1
cat > "$ws3/erp/in/decisions.json" <<'JSON'
[{"po_number": "4Z32PABD", "action": "approve",
  "lines": [{"line_no": 1, "accept": "40", "backorder": "8", "ship_date": "2025-01-03"}]},
 {"po_number": "4Z32PABE", "action": "reject", "reason": "obsolete-product"}]
JSON
printf 'po_number,line_no,accept,backorder,reject,reason,ship_date\n5KQ7TWXM,1,1,0,999,,\n' > "$ws3/erp/in/bad.csv"
at 2025-01-01T01:00:00Z "$W" ack run -w "$ws3" > "$tmp/out" 2>&1
has "ERP JSON decisions are applied and acknowledged" "^2 acknowledgments queued" "$tmp/out"
ls "$ws3/erp/in/done" > "$tmp/ls" 2>&1
has "  the applied file moves to done/" "decisions.json" "$tmp/ls"
ls "$ws3/erp/in/refused" > "$tmp/ls" 2>&1
has "a decision breaking a rule is refused" "bad.csv.reason" "$tmp/ls"
has "  and the reason names the rule and the line" "line 1: .*rule ack-sum" "$ws3/erp/in/refused/bad.csv.reason"
at 2025-01-01T01:00:00Z "$W" orders list -w "$ws3" > "$tmp/out" 2>&1
has "  the rejected PO is rejected" "4Z32PABE +rejected" "$tmp/out"

# RP: accept all; reject with each reason
ws4=$tmp/ws4
"$W" init "$ws4" > /dev/null 2>&1
cp "$G/amazon-rp-850-multi.edi" "$G/amazon-rp-850.edi" "$ws4/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws4" > /dev/null 2>&1
exits "RP: approve without lines accepts everything" 0 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABD -w "$ws4"
for r in temporarily-unavailable invalid-product-identifier obsolete-product; do
  case $r in temporarily-unavailable) po=4Z32PABE ;; invalid-product-identifier) po=5KQ7TWXM ;; *) po= ;; esac
  [ -n "$po" ] && exits "RP: reject with $r" 0 at 2025-01-01T01:00:00Z "$W" orders reject $po --reason $r -w "$ws4"
done
exits "RP: an unknown reason is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --reject 24 --reason because -w "$ws4"
has "  the rule is named" "rule ack-reason" "$tmp/out"
at 2025-01-01T02:00:00Z "$W" ack run -w "$ws4" > "$tmp/out" 2>&1
has "three 855s queued" "^3 acknowledgments queued" "$tmp/out"
cat "$ws4"/partners/amazon-rp/outbound/*855-4Z32PABD* > "$tmp/all" 2>/dev/null
has "accept all: BAK AD" "^BAK\*00\*AD\*4Z32PABD" "$tmp/all"
has "accept all: every line IA in full" "^ACK\*IA\*48\*EA" "$tmp/all"
cat "$ws4"/partners/amazon-rp/outbound/*855-4Z32PABE* > "$tmp/rej" 2>/dev/null
has "reject: BAK AC (RP has no RD)" "^BAK\*00\*AC\*4Z32PABE" "$tmp/rej"
has "reject: lines IR" "^ACK\*IR\*" "$tmp/rej"
for f in "$ws4"/partners/amazon-rp/outbound/*855*; do
  "$W" edi validate --guide partners/amazon-rp/855 "$f" > "$tmp/out" 2>&1 && ok "$(basename "$f") passes the Amazon RP 855 guide" || no "$(basename "$f") passes the Amazon RP 855 guide" "$tmp/out"
done

# deadlines: 24 hours to acknowledge; a warning from 4 hours before
ws5=$tmp/ws5
"$W" init "$ws5" > /dev/null 2>&1
cp "$G/amazon-rp-850.edi" "$ws5/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws5" > /dev/null 2>&1
at 2025-01-01T12:00:00Z "$W" ack run -w "$ws5" > "$tmp/out" 2>&1
grep -q "acknowledgment due" "$tmp/out" && no "no warning 12 hours before the deadline" "$tmp/out" || ok "no warning 12 hours before the deadline"
at 2025-01-01T21:00:00Z "$W" ack run -w "$ws5" > "$tmp/out" 2>&1
has "a warning 3 hours before the deadline" "4Z32PABC \(pending-approval\): acknowledgment due in 3 h 00 min" "$tmp/out"
at 2025-01-02T01:30:00Z "$W" ack run -w "$ws5" > "$tmp/out" 2>&1
has "a warning when overdue" "acknowledgment overdue by 1 h 30 min" "$tmp/out"
at 2025-01-01T21:00:00Z "$W" status -w "$ws5" > "$tmp/out" 2>&1
has "status lists the order due soon first" "^acknowledgments due" "$tmp/out"
head -2 "$tmp/out" | grep -q "4Z32PABC .*due in 3 h 00 min" && ok "  with its time left" || no "  with its time left" "$tmp/out"
at 2025-01-01T21:00:00Z "$W" status --json -w "$ws5" > "$tmp/out" 2>&1
has "status --json has the deadlines" '"minutes_left": 180' "$tmp/out"
for f in "$DF"/outbound/*855*; do
  "$W" edi validate --guide partners/amazon-df/855 "$f" > "$tmp/out" 2>&1 && ok "$(basename "$f") passes the Amazon DF 855 guide" || no "$(basename "$f") passes the Amazon DF 855 guide" "$tmp/out"
done

# ---- backorders carry the date they ship; Amazon's reason words ------------------------------
# Regression: a backordered RP line went out as ACK*IB*4*EA, without the
# scheduled ship date Amazon needs; Amazon's spellings of the rejection
# reasons were refused.
ws6=$tmp/ws6
"$W" init "$ws6" > /dev/null 2>&1
cp "$G/amazon-rp-850.edi" "$G/amazon-rp-850-multi.edi" "$ws6/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws6" > /dev/null 2>&1
exits "RP: a backorder without a ship date is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 -w "$ws6"
has "  the refusal says how to give one" "line 1: 4 backordered without a scheduled ship date: Amazon needs one; give --ship-date YYYY-MM-DD \(ERP: ship_date\), or set backorder-lead-days .*rule ack-backorder-date" "$tmp/out"
exits "RP: a backorder to ship before today is refused" 1 at 2025-01-03T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 --ship-date 2025-01-02 -w "$ws6"
has "  naming the date" "backordered to ship on 2025-01-02, before today \(2025-01-03\)" "$tmp/out"
exits "RP: a ship date that is no date is refused" 1 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 1 --accept 20 --backorder 4 --ship-date 2025-02-30 -w "$ws6"
has "  naming the value" "ship date '2025-02-30' is not a date YYYY-MM-DD.*rule ack-ship-date" "$tmp/out"
printf 'po_number,line_no,accept,backorder,reject,reason,ship_date\n4Z32PABD,1,40,8,0,,\n' > "$ws6/erp/in/bo.csv"
at 2025-01-01T01:00:00Z "$W" ack run -w "$ws6" > "$tmp/out" 2>&1
has "ERP: a backorder without ship_date is refused" "line 1: 8 backordered without a scheduled ship date.*rule ack-backorder-date" "$ws6/erp/in/refused/bo.csv.reason"
# a line number that is no number is no line (it was read as line 1)
printf 'po_number,line_no,accept,backorder,reject,reason,ship_date\n4Z32PABD,1x,48,0,0,,\n' > "$ws6/erp/in/badline.csv"
at 2025-01-01T01:00:00Z "$W" ack run -w "$ws6" > "$tmp/out" 2>&1
has "ERP: a line number that is not a number is refused" "rule ack-unknown-line" "$ws6/erp/in/refused/badline.csv.reason"
# Amazon's own words for the reasons, by hand and from the ERP
exits "RP: reject with Amazon's ObsoleteProduct" 0 at 2025-01-01T01:00:00Z "$W" orders approve 4Z32PABC --line 3 --reject 6 --reason ObsoleteProduct -w "$ws6"
cat > "$ws6/erp/in/reasons.json" <<'JSON'
[{"po_number": "4Z32PABE", "action": "reject", "reason": "TemporarilyUnavailable"},
 {"po_number": "5KQ7TWXM", "action": "approve", "lines": [{"line_no": 1, "accept": "5", "reject": "1", "reason": "InvalidProductIdentifier"}]}]
JSON
at 2025-01-01T02:00:00Z "$W" ack run -w "$ws6" > "$tmp/out" 2>&1
has "  the decisions are kept and acknowledged" "^3 acknowledgments queued" "$tmp/out"
cat "$ws6"/partners/amazon-rp/outbound/*855-4Z32PABC* > "$tmp/r1" 2>/dev/null
has "  ObsoleteProduct in ACK29" "^ACK\*IR\*6\*EA\*{24}ZZ\*\*ObsoleteProduct~" "$tmp/r1"
cat "$ws6"/partners/amazon-rp/outbound/*855-4Z32PABE* > "$tmp/r2" 2>/dev/null
has "  TemporarilyUnavailable from the ERP" "^ACK\*IR\*[0-9]+\*EA\*{24}ZZ\*\*TemporarilyUnavailable~" "$tmp/r2"
cat "$ws6"/partners/amazon-rp/outbound/*855-5KQ7TWXM* > "$tmp/r3" 2>/dev/null
has "  InvalidProductIdentifier on a line" "^ACK\*IR\*1\*EA\*{24}ZZ\*\*InvalidProductIdentifier~" "$tmp/r3"
# a partner's default lead time gives the date when the decision has none
sed -i '0,/<acknowledge mode="manual" warn-hours="4"\/>/s//<acknowledge mode="manual" warn-hours="4" backorder-lead-days="5"\/>/' "$ws6/wharf.xml"
exits "RP: with backorder-lead-days, a backorder without a date is kept" 0 at 2025-01-01T03:00:00Z "$W" orders approve 4Z32PABD --line 1 --accept 40 --backorder 8 -w "$ws6"
at 2025-01-01T03:00:00Z "$W" ack run -w "$ws6" > "$tmp/out" 2>&1
cat "$ws6"/partners/amazon-rp/outbound/*855-4Z32PABD* > "$tmp/bo" 2>/dev/null
has "  the IB ships today + 5 days (ACK04 068, ACK05)" "^ACK\*IB\*8\*EA\*068\*20250106~" "$tmp/bo"
has "  the accepted quantity has no date of its own" "^ACK\*IA\*40\*EA~" "$tmp/bo"
for f in "$ws6"/partners/amazon-rp/outbound/*855*; do
  "$W" edi validate --guide partners/amazon-rp/855 "$f" > "$tmp/out" 2>&1 && ok "$(basename "$f") passes the Amazon RP 855 guide" || no "$(basename "$f") passes the Amazon RP 855 guide" "$tmp/out"
done


# auto-stock RP without backorder-lead-days: short stock would backorder
# without a ship date, which Amazon refuses; the ack run cannot decide it,
# so the order goes back to pending-approval with the reason, for a person,
# and is not tried (nor warned about) again on every ack run
ws7=$tmp/ws7
"$W" init "$ws7" > /dev/null 2>&1
sed -i '/<partner id="amazon-rp"/,/<\/partner>/s/<acknowledge mode="manual"/<acknowledge mode="auto-stock"/' "$ws7/wharf.xml"
printf 'sku,warehouse,available\nACME-1001,NJ1,5\nACME-1002,NJ1,100\nACME-2001,NJ1,100\n' > "$ws7/erp/in/stock.csv"
cp "$G/amazon-rp-850.edi" "$ws7/partners/amazon-rp/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws7" > "$tmp/out" 2>&1
has "auto-stock RP that cannot be decided: the log says why" "4Z32PABC: cannot be acknowledged automatically: line 1: 19 backordered without a scheduled ship date" "$tmp/out"
"$W" orders show 4Z32PABC -w "$ws7" > "$tmp/show" 2>&1
has "  the order waits for a person (pending-approval)" "4Z32PABC — pending-approval" "$tmp/show"
has "  its history says why" "pending-approval +cannot be acknowledged automatically" "$tmp/show"
ls "$ws7"/partners/amazon-rp/outbound/*855* > /dev/null 2>&1 && no "  no 855 went out" "$tmp/out" || ok "  no 855 went out"
at 2025-01-01T01:00:00Z "$W" run --once -w "$ws7" > "$tmp/out" 2>&1
hasnt "  the next ack run does not try it again" "cannot be acknowledged automatically" "$tmp/out"
