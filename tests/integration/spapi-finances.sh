#!/usr/bin/env bash
# Invoice status from Amazon's Finances Invoices API, against the local
# SP-API stand-in (tests/spapi/server.py) over TLS on loopback: an RP and a
# DF order are acknowledged, shipped and invoiced; the stand-in is then
# given Finances records for OUR invoice numbers (one PAID, one DEDUCTED
# with a PQV line) and for an invoice that is not ours; a run reads them:
# the invoices' states, `wharf invoices show/list` and erp/out say so;
# reading the same again writes no second history line; a 500 on the
# finances call is retried later. Setup as spapi.sh (which another
# engineer owns). Usage: spapi-finances.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
. "$PWD/tests/spapi/lib.bash"

# calls OPERATION: how many calls of an operation the stand-in answered
calls() {
  ctl GET /_test/state | python3 -c '
import json, sys
st = json.load(sys.stdin)
print(sum(n for op, n in st.get("calls", {}).items() if op.endswith(sys.argv[1])))' "$1"
}

# ---- the workspace: both partners on the stand-in --------------------------------------
spapi_workspace

# ---- one RP and one DF order: in, acknowledged, shipped, invoiced --------------------------
python3 - "$FIX" "$tmp" <<'PY'
import json, sys
fix, tmp = sys.argv[1:3]
rp = [o for o in json.load(open(fix + "/rp-orders.json")) if o["purchaseOrderNumber"] == "4Z32PABC"]
df = [o for o in json.load(open(fix + "/df-orders.json")) if o["purchaseOrderNumber"] == "TVd4wGZnR"]
json.dump(rp, open(tmp + "/rp.json", "w"))
json.dump(df, open(tmp + "/df.json", "w"))
PY
ctl POST '/_test/orders/rp?rebase=1' "$tmp/rp.json" > "$tmp/out" 2>&1 || no "inject the RP order" "$tmp/out"
ctl POST '/_test/orders/df?rebase=1' "$tmp/df.json" > "$tmp/out" 2>&1 || no "inject the DF order" "$tmp/out"
w run --once -w "$ws" > "$tmp/run1" 2>&1
w orders approve 4Z32PABC -w "$ws" > "$tmp/approve" 2>&1
w ack run -w "$ws" > "$tmp/ack" 2>&1
tick 3; w run --once -w "$ws" >> "$tmp/run1" 2>&1
TODAY=$(date -u +%FT%TZ)
cat > "$tmp/rp-ship.csv" <<CSV
po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,pro,weight_kg,length_cm,width_cm,height_cm
4Z32PABC,1,12,C1,NJ1,$TODAY,ODFL,BOLC1,PRO77,6.5,40,30,30
4Z32PABC,1,12,C2,NJ1,$TODAY,ODFL,BOLC1,PRO77,6.5,40,30,30
4Z32PABC,2,12,C3,NJ1,$TODAY,ODFL,BOLC1,PRO77,4.25,40,30,20
4Z32PABC,3,6,C4,NJ1,$TODAY,ODFL,BOLC1,PRO77,9,40,40,40
CSV
cat > "$tmp/df-ship.csv" <<CSV
po_number,line_no,quantity,carton_id,warehouse,ship_date,tracking_number,weight_kg
TVd4wGZnR,1,1,PKG1,NJ1,$TODAY,1Z6A34Y60369738804,2.2
TVd4wGZnR,2,2,PKG1,NJ1,$TODAY,1Z6A34Y60369738804,2.2
CSV
w ship "$tmp/rp-ship.csv" -w "$ws" > "$tmp/ship" 2>&1 || no "RP ship" "$tmp/ship"
w ship "$tmp/df-ship.csv" -w "$ws" >> "$tmp/ship" 2>&1 || no "DF ship" "$tmp/ship"
w invoice run -w "$ws" > "$tmp/inv" 2>&1 || no "invoice run" "$tmp/inv"
tick 3; w run --once -w "$ws" > "$tmp/run2" 2>&1
w invoices list --json -w "$ws" > "$tmp/inv.json" 2>&1
RPINV=$(python3 -c 'import json,sys; print(next(i["number"] for i in json.load(open(sys.argv[1])) if i["partner"] == "amazon-rp"))' "$tmp/inv.json" 2>/dev/null)
DFINV=$(python3 -c 'import json,sys; print(next(i["number"] for i in json.load(open(sys.argv[1])) if i["partner"] == "amazon-df"))' "$tmp/inv.json" 2>/dev/null)
RPTOTAL=$(python3 -c 'import json,sys; print(next(i["total"] for i in json.load(open(sys.argv[1])) if i["partner"] == "amazon-rp"))' "$tmp/inv.json" 2>/dev/null)
DFTOTAL=$(python3 -c 'import json,sys; print(next(i["total"] for i in json.load(open(sys.argv[1])) if i["partner"] == "amazon-df"))' "$tmp/inv.json" 2>/dev/null)
# Amazon pays the DF invoice 10.00 short (one unit of line 2 short in transit)
DFPAID=$(python3 -c 'import sys; from decimal import Decimal; print(Decimal(sys.argv[1]) - 10)' "$DFTOTAL" 2>/dev/null)
[ -n "$RPINV" ] && [ -n "$DFINV" ] && ok "an RP and a DF invoice went to Amazon ($RPINV, $DFINV)" || no "two invoices" "$tmp/inv.json"
w invoices show "$RPINV" -w "$ws" > "$tmp/show0" 2>&1
hasnt "before Amazon's Finances API speaks, show has no Amazon line" "^Amazon \\(Finances API\\)" "$tmp/show0"

# ---- Amazon's word: the RP invoice PAID, the DF one DEDUCTED with a PQV line -------------
python3 - "$tmp" "$RPINV" "$DFINV" "$(now_iso)" "$RPTOTAL" "$DFTOTAL" "$DFPAID" <<'PY'
import json, sys
tmp, rp, df, now = sys.argv[1:5]
rpt, dft, dfp = (float(x) for x in sys.argv[5:8])
def header(number, status, amount, paid):
    h = {"invoiceNumber": number, "invoiceIdentifier": number + "~ACMEPAY", "invoiceStatus": status,
         "invoiceType": "AP_INVENTORY",
         "payee": {"partnerId": "VG-ACME-001", "partnerType": "VENDOR", "partnerEntities": ["ACME1"]},
         "payer": {"partnerId": "AMAZON_US", "partnerType": "AMAZON", "partnerEntities": []},
         "issueDate": now, "creationDate": now, "lastUpdatedDate": now,
         "invoiceAmount": {"currencyCode": "USD", "currencyAmount": amount}}
    if paid is not None:
        h["invoiceSettlementBreakdowns"] = [{"breakdownType": "AmountPaid",
                                             "breakdownAmount": {"currencyCode": "USD", "currencyAmount": paid},
                                             "breakdowns": []}]
    return h
def item(n, asin, qty, cost, paidq, reasons=None, qv=0):
    mc = {"matchedQuantity": qty, "matchedAmount": {"currencyCode": "USD", "currencyAmount": qty * cost},
          "paidQuantity": paidq, "paidAmount": {"currencyCode": "USD", "currencyAmount": paidq * cost}}
    if reasons:
        mc["varianceReasons"] = reasons
        mc["quantityVariance"] = qv
    return {"lineItemId": "LI-%03d" % n, "quantity": qty,
            "unitCost": {"currencyCode": "USD", "currencyAmount": cost},
            "totalAmount": {"currencyCode": "USD", "currencyAmount": qty * cost},
            "lineItemContext": {"lineItemType": "GOODS", "matchingContext": mc,
                                "itemIdentifiers": [{"itemIdentifierName": "ASIN", "itemIdentifierValue": asin}]}}
recs = [
    {"invoiceHeader": header(rp, "PAID", rpt, rpt), "invoiceItems": []},
    {"invoiceHeader": header(df, "DEDUCTED", dft, dfp),
     "invoiceItems": [item(1, "B07DFVDRAB", 1, 10.0, 1),
                      item(2, "B07DFYF5AB", 2, 10.0, 1,
                           [{"varianceType": "PQV", "defectTypes": ["SHORTAGES_IN_TRANSIT"]}], 1)]},
    {"invoiceHeader": header("NOT-OURS-1", "PAID", 99.0, 99.0), "invoiceItems": []},
]
json.dump(recs, open(tmp + "/fin.json", "w"))
PY
ctl POST /_test/finances "$tmp/fin.json" > "$tmp/out" 2>&1 || no "the stand-in takes the finances records" "$tmp/out"
tick 3; w run --once -w "$ws" > "$tmp/run3" 2>&1
w invoices show "$RPINV" -w "$ws" > "$tmp/show-rp" 2>&1
w invoices show "$DFINV" -w "$ws" > "$tmp/show-df" 2>&1
has "the RP invoice is paid" "^invoice $RPINV .*: paid," "$tmp/show-rp"
has "show says Amazon's status" "^Amazon \\(Finances API\\): PAID" "$tmp/show-rp"
has "and the amounts, as decimals" "Amazon paid $RPTOTAL of $RPTOTAL USD" "$tmp/show-rp"
has "the DF invoice is deducted" "^invoice $DFINV .*: deducted," "$tmp/show-df"
has "show: Amazon deducted, paid $DFPAID of $DFTOTAL" "Amazon deducted the invoice: paid $DFPAID of $DFTOTAL USD" "$tmp/show-df"
has "show: the variance line with its PQV reason" "line 2 \\(B07DFYF5AB\\): PQV SHORTAGES_IN_TRANSIT, quantity variance 1, paid 1 of 2" "$tmp/show-df"
hasnt "a line without variance is not listed" "line 1 " "$tmp/show-df"
[ "$(grep -c 'Amazon: ' "$tmp/show-df")" = 1 ] && ok "one history line for Amazon's word" || no "history lines" "$tmp/show-df"
w invoices show "$DFINV" --json -w "$ws" > "$tmp/show-df.json" 2>&1
python3 - "$tmp/show-df.json" "$DFPAID" "$DFTOTAL" > "$tmp/json-check" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
paid, total = sys.argv[2:4]
a = j["amazon"]
assert j["state"] == "deducted", j["state"]
assert a["status"] == "DEDUCTED", a
assert a["summary"] == "Amazon deducted the invoice: paid %s of %s USD" % (paid, total), a
assert a["variances"] == ["line 2 (B07DFYF5AB): PQV SHORTAGES_IN_TRANSIT, quantity variance 1, paid 1 of 2"], a
print("fine")
PY
has "show --json: amazon {status, summary, variances}" "^fine$" "$tmp/json-check"
w invoices list -w "$ws" > "$tmp/list" 2>&1
has "list shows the new state" "^amazon-df +$DFINV +deducted " "$tmp/list"
has "list shows Amazon's summary" "^    Amazon deducted the invoice: paid $DFPAID of $DFTOTAL USD" "$tmp/list"
w invoices list --state deducted -w "$ws" > "$tmp/list2" 2>&1
[ "$(grep -c '^amazon-' "$tmp/list2")" = 1 ] && ok "list --state deducted: one" || no "list --state deducted" "$tmp/list2"
ERPF=$ws/erp/out/amazon-df-invoice-status-$DFINV.json
if [ -f "$ERPF" ]; then
  ok "erp/out gets the invoice status"
  python3 - "$ERPF" "$DFPAID" "$DFTOTAL" > "$tmp/erp-check" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
paid, total = sys.argv[2:4]
assert j["state"] == "deducted" and j["amazonStatus"] == "DEDUCTED", j
assert j["amountPaid"] == paid and j["invoiceAmount"] == total and j["invoiceTotal"] == total, j
assert j["lines"][0]["variances"][0] == {"type": "PQV", "defects": ["SHORTAGES_IN_TRANSIT"]}, j
print("fine")
PY
  has "  with the state, amounts as decimal strings and the variance" "^fine$" "$tmp/erp-check"
else
  no "erp/out gets the invoice status ($ERPF)" "$tmp/run3"; no "  its content"
fi
[ -f "$ws/erp/out/amazon-rp-invoice-status-$RPINV.json" ] && ok "and the paid one's too" || no "RP invoice status file" "$tmp/run3"
hasnt "an invoice that is not ours is not recorded" "NOT-OURS-1" "$ws/erp/out/"* 2>/dev/null
[ "$(calls getInvoice)" -ge 1 ] && ok "the deducted invoice's lines were read (getInvoice)" || no "getInvoice calls" "$tmp/run3"

# ---- the same word again: nothing new ------------------------------------------------------
ls -l --time-style=+%s "$ws/erp/out/" > "$tmp/erp-before"
rm -f "$ERPF"
tick 3; w run --once -w "$ws" > "$tmp/run4" 2>&1
w invoices show "$DFINV" -w "$ws" > "$tmp/show-df2" 2>&1
[ "$(grep -c 'Amazon: ' "$tmp/show-df2")" = 1 ] && ok "read again: no second history line" || no "history after a second read" "$tmp/show-df2"
[ ! -f "$ERPF" ] && ok "read again: no second ERP file" || no "an ERP file written again" "$tmp/run4"
# a status Amazon changes is news: PARTIALLY_PAID from the same invoice
python3 - "$tmp/fin.json" "$(now_iso)" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
h = recs[1]["invoiceHeader"]
h["invoiceStatus"] = "PARTIALLY_PAID"
h["lastUpdatedDate"] = sys.argv[2]
json.dump(recs[1:2], open(sys.argv[1] + ".2", "w"))
PY
ctl POST /_test/finances "$tmp/fin.json.2" > /dev/null
tick 1; w run --once -w "$ws" > "$tmp/run5" 2>&1
w invoices show "$DFINV" -w "$ws" > "$tmp/show-df3" 2>&1
has "a changed status is news: partially-paid" "^invoice $DFINV .*: partially-paid," "$tmp/show-df3"
has "  in plain words" "Amazon: Amazon paid $DFPAID of $DFTOTAL USD; line 2 \\(B07DFYF5AB\\): PQV SHORTAGES_IN_TRANSIT" "$tmp/show-df3"
[ -f "$ERPF" ] && ok "  and the ERP learns it" || no "ERP file after a change" "$tmp/run5"

# ---- a 500 on the finances call: retried later ----------------------------------------------
python3 - "$tmp/fin.json" "$RPINV" "$(date -u -d "@$((T + 60))" +%FT%TZ)" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
h = recs[0]["invoiceHeader"]
h["invoiceStatus"] = "REJECTED"
h["lastUpdatedDate"] = sys.argv[3]
json.dump(recs[0:1], open(sys.argv[1] + ".3", "w"))
PY
ctl POST /_test/finances "$tmp/fin.json.3" > /dev/null
cat > "$tmp/faults.json" <<'JSON'
[{"operation": "getInvoiceHeaders", "kind": "500", "count": 2}]
JSON
ctl POST /_test/faults "$tmp/faults.json" > /dev/null
tick 2; w run --once -w "$ws" > "$tmp/run6" 2>&1
has "a 500 on getInvoiceHeaders is said" "getInvoiceHeaders.*Amazon answered 500" "$tmp/run6"
w invoices show "$RPINV" -w "$ws" > "$tmp/show-rp2" 2>&1
has "  and the invoice is as it was" "^invoice $RPINV .*: paid," "$tmp/show-rp2"
tick 3; w run --once -w "$ws" > "$tmp/run7" 2>&1
w invoices show "$RPINV" -w "$ws" > "$tmp/show-rp3" 2>&1
has "the next run reads it: Amazon rejected the invoice" "^invoice $RPINV .*: rejected," "$tmp/show-rp3"
has "  with Amazon's words" "Amazon rejected the invoice: paid $RPTOTAL of $RPTOTAL USD" "$tmp/show-rp3"

# ---- secrets: nowhere but the vault ------------------------------------------------------
cat "$tmp"/run* "$tmp"/show* "$tmp"/list* "$tmp"/ack "$tmp"/ship "$tmp"/inv "$tmp"/approve "$tmp"/*.out \
  > "$tmp/all-output" 2>/dev/null
hasnt "no sanitizer report (ASan, LeakSanitizer, UBSan) in any output" "Sanitizer|runtime error" "$tmp/all-output"
leak=0
for v in "$CID" "$CSECRET" "$REFRESH"; do
  for f in "$ws"/log/* "$tmp/all-output" "$ws"/erp/out/*; do
    [ -f "$f" ] && grep -aqF -- "$v" "$f" && leak=1
  done
done
[ $leak = 0 ] && ok "no LWA value in the logs, erp/out or any output" || no "a secret leaked"
echo "# $n checks"
