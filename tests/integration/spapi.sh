#!/usr/bin/env bash
# A day of two SP-API partners (RP and DF) against the local SP-API
# stand-in (tests/spapi/server.py, built from Amazon's models) over real
# TLS on loopback: POs pulled across pages, approved, acknowledged,
# shipped and invoiced, transaction statuses read back; with faults
# injected (429s, 500s, cut bodies, a lost response, an expired token,
# transactions that fail or stay Processing), after which each PO is one
# order and each document was accepted once. The LWA values live only in
# the vault: none is found in the store, the logs or any command's output.
# Usage: spapi.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
. "$PWD/tests/spapi/lib.bash"

# submitted OPERATION: how many submissions the stand-in accepted
submitted() {
  ctl GET /_test/state | python3 -c '
import json, sys
st = json.load(sys.stdin)
print(sum(1 for s in st.get("submissions", []) if s.get("operation", "").endswith(sys.argv[1])))' "$1"
}

# ---- the workspace ----------------------------------------------------------------
spapi_workspace
has "init --sp-api says how to put the LWA values in the vault" "secrets set amazon-rp lwa-refresh-token" "$tmp/init.out"
has "both partners use the SP-API" 'kind="sp-api"' "$ws/wharf.xml"
# DF orders come from two warehouses, pulled per ship-from party
python3 - "$ws/wharf.xml" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace('  <warehouse code="NJ1">', '  <warehouse code="CA2">\n    <name>ACME WEST</name>\n    <address>\n'
              '      <street>9 HARBOR WAY</street>\n      <city>OAKLAND</city>\n      <state>CA</state>\n'
              '      <postal-code>94607</postal-code>\n      <country>US</country>\n    </address>\n  </warehouse>\n'
              '  <warehouse code="NJ1">', 1)
s = s.replace('    <ship-from warehouse="NJ1" party-id="NJ1"/>', '    <ship-from warehouse="NJ1" party-id="NJ1"/>\n'
              '    <ship-from warehouse="CA2" party-id="ACMW"/>', 1)
open(p, 'w').write(s)
EOF
# RP orders wait for an operator's approval; DF is auto-all in the sample
has "six secrets set" "lwa-refresh-token" "$tmp/secrets.out"

# ---- POs in: RP across pages and both queries, DF with its RDT ----------------------
ctl POST /_test/orders/rp "$FIX/rp-orders.json" > "$tmp/out" 2>&1 || no "inject RP orders" "$tmp/out"
ctl POST /_test/orders/df "$FIX/df-orders.json" > "$tmp/out" 2>&1 || no "inject DF orders" "$tmp/out"
# ours: RP POs to our vendor code (one in the fixture is another vendor's:
# orderingVendorCode keeps it out), DF POs from our ship-from parties
NRP=$(python3 -c 'import json,sys; print(sum(o["orderDetails"]["sellingParty"]["partyId"] == "ACME1" for o in json.load(open(sys.argv[1]))))' "$FIX/rp-orders.json")
NDF=$(python3 -c 'import json,sys; print(sum(o["orderDetails"]["shipFromParty"]["partyId"] in ("NJ1", "ACMW") for o in json.load(open(sys.argv[1]))))' "$FIX/df-orders.json")
w run --once -w "$ws" > "$tmp/run1" 2>&1
w orders list -w "$ws" > "$tmp/orders" 2>&1
[ "$(grep -c '^amazon-rp ' "$tmp/orders")" = "$NRP" ] && ok "every RP PO is an order ($NRP, pages of 2)" || no "RP orders: want $NRP" "$tmp/orders"
[ "$(grep -c '^amazon-df ' "$tmp/orders")" = "$NDF" ] && ok "every DF PO is an order ($NDF)" || no "DF orders: want $NDF" "$tmp/orders"
has "RP orders wait for approval" "amazon-rp +RP +[A-Z0-9]+ +pending-approval" "$tmp/orders"

# a second pull (overlapping windows) makes no second order
w run --once -w "$ws" > "$tmp/run2" 2>&1
w orders list -w "$ws" > "$tmp/orders2" 2>&1
[ "$(wc -l < "$tmp/orders2")" = "$(wc -l < "$tmp/orders")" ] && ok "pulling again makes no second order" || no "orders after a second pull" "$tmp/orders2"

cat "$tmp/run1" "$tmp/run2" > "$tmp/runs"

# ---- acknowledgments: RP approved by an operator, DF by the auto rule ------------------
RPS=$(awk '$1 == "amazon-rp" {print $3}' "$tmp/orders")
for po in $RPS; do w orders approve "$po" -w "$ws" >> "$tmp/approve" 2>&1; done
w ack run -w "$ws" > "$tmp/ack1" 2>&1
has "the acknowledgments go out" "[0-9]+ acknowledgments queued, [0-9]+ messages sent" "$tmp/ack1"
[ "$(submitted submitAcknowledgement)" = "$((NRP + NDF))" ] && ok "Amazon took one acknowledgement per PO ($((NRP + NDF)))" \
  || { ctl GET /_test/state > "$tmp/state"; no "acknowledgements taken: $(submitted submitAcknowledgement), want $((NRP + NDF))" "$tmp/ack1"; }
w documents -w "$ws" > "$tmp/docs1" 2>&1
has "each is kept with its transaction id" "855" "$tmp/docs1"
# the stand-in says Processing once, then Success; receipts are asked again after 30 s
tick 3; w run --once -w "$ws" > "$tmp/run3" 2>&1
w documents -w "$ws" > "$tmp/docs15" 2>&1
has "Processing leaves an acknowledgement sent, not yet accepted" "855 .* sent " "$tmp/docs15"
tick 3; w run --once -w "$ws" >> "$tmp/run3" 2>&1
w documents -w "$ws" > "$tmp/docs2" 2>&1
[ "$(grep -c '855.*accepted' "$tmp/docs2")" = "$((NRP + NDF))" ] && ok "every acknowledgement reads accepted (getTransaction)" \
  || no "acknowledgements accepted: want $((NRP + NDF))" "$tmp/docs2"

# ---- ship confirmations: RP cartons with SSCCs and the Ship-From party, DF packages -------
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
w ship "$tmp/rp-ship.csv" -w "$ws" > "$tmp/ship1" 2>&1 && ok "an RP packing list ships" || no "RP ship" "$tmp/ship1"
w ship "$tmp/df-ship.csv" -w "$ws" > "$tmp/ship2" 2>&1 && ok "a DF packing list ships" || no "DF ship" "$tmp/ship2"
[ "$(submitted SubmitShipmentConfirmations)" = 1 ] && ok "RP: one SubmitShipmentConfirmations" || no "RP shipment confirmations: $(submitted SubmitShipmentConfirmations)" "$tmp/ship1"
[ "$(submitted submitShipmentConfirmations)" = 1 ] && ok "DF: one submitShipmentConfirmations" || no "DF shipment confirmations: $(submitted submitShipmentConfirmations)" "$tmp/ship2"
ctl GET /_test/state > "$tmp/state"
python3 - "$tmp/state" > "$tmp/shipbody" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
for s in st["submissions"]:
    if s["operation"].endswith("SubmitShipmentConfirmations"):
        c = s["body"]["shipmentConfirmations"][0]
        print("shipFrom", c["shipFromParty"]["partyId"])
        for k in c.get("cartons", []):
            for i in k.get("cartonIdentifiers", []):
                print("carton", i["containerIdentificationType"], i["containerIdentificationNumber"])
PY
has "RP: the Ship-From party is the one Amazon assigned to NJ1" "^shipFrom ACMW1$" "$tmp/shipbody"
# the model: "2 Digit Application Identifier (00) followed by unique 18-digit SSCC"
[ "$(grep -c '^carton SSCC 00[0-9]\{18\}$' "$tmp/shipbody")" = 4 ] && ok "RP: four cartons, each with AI 00 and an SSCC-18" || no "RP cartons" "$tmp/shipbody"

# ---- invoices ---------------------------------------------------------------------------
w invoice run -w "$ws" > "$tmp/inv1" 2>&1 && ok "the invoice run bills what shipped" || no "invoice run" "$tmp/inv1"
[ "$(submitted submitInvoices)" = 1 ] && ok "RP: one submitInvoices" || no "RP invoices: $(submitted submitInvoices)" "$tmp/inv1"
[ "$(submitted submitInvoice)" = 1 ] && ok "DF: one submitInvoice" || no "DF invoices: $(submitted submitInvoice)" "$tmp/inv1"
w invoice run -w "$ws" > "$tmp/inv2" 2>&1
[ "$(submitted submitInvoices)" = 1 ] && [ "$(submitted submitInvoice)" = 1 ] && ok "a second invoice run bills nothing twice" || no "invoices after a second run" "$tmp/inv2"
tick 3; w run --once -w "$ws" > "$tmp/run4" 2>&1
tick 3; w run --once -w "$ws" >> "$tmp/run4" 2>&1
w documents -w "$ws" > "$tmp/docs3" 2>&1
[ "$(grep -c '856.*accepted' "$tmp/docs3")" = 2 ] && ok "both ship confirmations read accepted" || no "ship confirmations accepted" "$tmp/docs3"
has "invoices stay sent: Amazon's invoice transactions stay Processing" "810 .* sent " "$tmp/docs3"

# ---- a day of faults -------------------------------------------------------------------------
# new POs (the fixtures with other numbers, created a minute ago), and Amazon misbehaving
tick 1
python3 - "$FIX" "$tmp" "$(date -u -d "@$((T - 60))" +%FT%TZ)" <<'PY'
import json, sys
fix, tmp, stamp = sys.argv[1:4]
for prog, key in (("rp", "purchaseOrderDate"), ("df", "orderDate")):
    orders = json.load(open("%s/%s-orders.json" % (fix, prog)))
    for o in orders:
        o["purchaseOrderNumber"] = o["purchaseOrderNumber"][:-1] + "Z"
        o["orderDetails"][key] = stamp
        o["orderDetails"].pop("purchaseOrderChangedDate", None)
        if prog == "rp":
            o["orderDetails"]["purchaseOrderStateChangedDate"] = stamp
    json.dump(orders, open("%s/%s-2.json" % (tmp, prog), "w"))
PY
ctl POST /_test/orders/rp "$tmp/rp-2.json" > /dev/null
ctl POST /_test/orders/df "$tmp/df-2.json" > /dev/null
cat > "$tmp/faults1.json" <<'JSON'
[{"operation": "vendorOrders/getPurchaseOrders", "kind": "500", "count": 1},
 {"operation": "vendorDirectFulfillmentOrders_2021-12-28/getOrders", "kind": "cut", "count": 1},
 {"operation": "vendorOrders/getPurchaseOrders", "kind": "401-expired", "count": 1}]
JSON
ctl POST /_test/faults "$tmp/faults1.json" > /dev/null
w run --once -w "$ws" > "$tmp/f-run1" 2>&1
has "a 500 is retried later, and said" "Amazon answered 500" "$tmp/f-run1"
has "a body cut short is retried later" "df.getOrders|cut short|partial|not JSON|closed" "$tmp/f-run1"
# acknowledgements through a 429 burst (DF, acknowledged as they arrive) and
# a response lost on the way back (RP, below)
cat > "$tmp/faults2.json" <<'JSON'
[{"operation": "vendorOrders/submitAcknowledgement", "kind": "timeout", "count": 1, "seconds": 1, "after": true},
 {"operation": "vendorDirectFulfillmentOrders_2021-12-28/submitAcknowledgement", "kind": "429", "count": 2, "seconds": 1}]
JSON
ctl POST /_test/faults "$tmp/faults2.json" > /dev/null
w run --once -w "$ws" > "$tmp/f-run2" 2>&1
w orders list -w "$ws" > "$tmp/orders3" 2>&1
[ "$(grep -c '^amazon-rp ' "$tmp/orders3")" = "$((2 * NRP))" ] && ok "after the faults every new RP PO is an order, once" || no "RP orders after faults: want $((2 * NRP))" "$tmp/orders3"
[ "$(grep -c '^amazon-df ' "$tmp/orders3")" = "$((2 * NDF))" ] && ok "after the faults every new DF PO is an order, once" || no "DF orders after faults: want $((2 * NDF))" "$tmp/orders3"
cat "$tmp/f-run1" "$tmp/f-run2" > "$tmp/f-runs"
has "an access token Amazon calls expired is refreshed once" "refused \\(401\\): refreshing it" "$tmp/f-runs"

for po in $(awk '$1 == "amazon-rp" && $4 == "pending-approval" {print $3}' "$tmp/orders3"); do
  w orders approve "$po" -w "$ws" >> "$tmp/approve" 2>&1
done
w ack run -w "$ws" > "$tmp/f-ack1" 2>&1
has "a 429 is waited out: the acknowledgement goes later" "rate limit \\(429\\)" "$tmp/f-run2"
for m in 3 6 9 12; do tick 3; w run --once -w "$ws" >> "$tmp/f-run3" 2>&1; done
ctl GET /_test/state > "$tmp/state2"
python3 - "$tmp/state2" > "$tmp/acks-per-po" <<'PY'
import collections, json, sys
st = json.load(open(sys.argv[1]))
n = collections.Counter()
for s in st["submissions"]:
    if s["operation"].endswith("submitAcknowledgement"):
        for a in s["body"].get("acknowledgements", []) + s["body"].get("orderAcknowledgements", []):
            n[a["purchaseOrderNumber"]] += 1
for po, k in sorted(n.items()):
    print(po, k)
PY
[ "$(wc -l < "$tmp/acks-per-po")" = "$((2 * (NRP + NDF)))" ] && ok "every PO of both days was acknowledged" || no "POs acknowledged: want $((2 * (NRP + NDF)))" "$tmp/acks-per-po"
hasnt "no PO was acknowledged twice (the lost response was looked up, not resent)" " [2-9]$" "$tmp/acks-per-po"
has "the lost RP acknowledgement was found on Amazon" "an earlier attempt took" "$tmp/f-run3"
w documents -w "$ws" > "$tmp/docs4" 2>&1
[ "$(grep -c ' 855 .*accepted' "$tmp/docs4")" = "$((2 * (NRP + NDF)))" ] && ok "every acknowledgement of both days reads accepted" || no "acknowledgements accepted after faults" "$tmp/docs4"

# a ship confirmation Amazon fails, one that stays Processing
cat > "$tmp/faults3.json" <<'JSON'
[{"operation": "vendorDirectFulfillmentShipping_2021-12-28/submitShipmentConfirmations", "kind": "fail", "count": 1,
  "errorCode": "INVALID_ORDER_ID", "errorMessage": "The purchase order number is not valid for this vendor."},
 {"operation": "vendorShipments/SubmitShipmentConfirmations", "kind": "processing", "count": 1}]
JSON
ctl POST /_test/faults "$tmp/faults3.json" > /dev/null
sed -e 's/^4Z32PABC,/4Z32PABZ,/' -e 's/,C\([0-9]\),/,D\1,/' "$tmp/rp-ship.csv" > "$tmp/rp-ship2.csv"
sed -e 's/^TVd4wGZnR,/TVd4wGZnZ,/' -e 's/PKG1/PKG2/' -e 's/1Z6A34Y60369738804/1Z6A34Y60369738811/' "$tmp/df-ship.csv" > "$tmp/df-ship2.csv"
w ship "$tmp/rp-ship2.csv" -w "$ws" > "$tmp/f-ship" 2>&1 || no "RP ship, day 2" "$tmp/f-ship"
w ship "$tmp/df-ship2.csv" -w "$ws" >> "$tmp/f-ship" 2>&1 || no "DF ship, day 2" "$tmp/f-ship"
tick 3; w run --once -w "$ws" > "$tmp/f-run4" 2>&1
tick 3; w run --once -w "$ws" >> "$tmp/f-run4" 2>&1
w documents -w "$ws" > "$tmp/docs5" 2>&1
has "a failed transaction marks its ship confirmation rejected" " 856 +TVd4wGZnZ .*rejected" "$tmp/docs5"
has "with Amazon's code and words" "INVALID_ORDER_ID: The purchase order number is not valid" "$tmp/f-run4"
# processing-minutes="30": past it, the confirmation is unknown and not sent again
tick 35; w run --once -w "$ws" > "$tmp/f-run5" 2>&1
w documents -w "$ws" > "$tmp/docs6" 2>&1
has "a confirmation Processing past the limit is unknown" " 856 +ACME1-[0-9]+-0002 +unknown" "$tmp/docs6"
has "and says why" "still Processing [0-9]+ minutes after it was sent: not sent again" "$tmp/f-run5"
[ "$(submitted SubmitShipmentConfirmations)" = 2 ] && ok "and it was not sent again" || no "RP confirmations sent: $(submitted SubmitShipmentConfirmations), want 2" "$tmp/f-run5"

# ---- a PO Amazon changes, one a window missed, an acknowledgement stuck Processing -------------
python3 - "$FIX" "$tmp" "$(date -u -d "@$T" +%FT%TZ)" "$(date -u -d "@$((T - 3 * 86400))" +%FT%TZ)" <<'PY'
import json, sys
fix, tmp, now, old = sys.argv[1:5]
orders = json.load(open(fix + "/rp-orders.json"))
# 7PBQ8KZZ changed: its one line now 6, not 4 (a quantity change after the ack)
changed = [o for o in orders if o["purchaseOrderNumber"] == "7PBQ8KZT"][0]
changed["purchaseOrderNumber"] = "7PBQ8KZZ"
changed["orderDetails"]["purchaseOrderChangedDate"] = now
changed["orderDetails"]["items"][0]["orderedQuantity"]["amount"] = 6
# a PO created three days ago that no window saw (Amazon published it late)
late = json.loads(json.dumps(orders[0]))
late["purchaseOrderNumber"] = "4Z32LATE"
late["orderDetails"]["purchaseOrderDate"] = old
late["orderDetails"]["purchaseOrderStateChangedDate"] = old
# a PO whose acknowledgement will stay Processing
stuck = json.loads(json.dumps(orders[1]))
stuck["purchaseOrderNumber"] = "2JK3STUK"
stuck["orderDetails"]["purchaseOrderDate"] = now
stuck["orderDetails"]["purchaseOrderStateChangedDate"] = now
json.dump([changed, late, stuck], open(tmp + "/rp-3.json", "w"))
PY
ctl POST /_test/orders/rp "$tmp/rp-3.json" > /dev/null
tick 1; w run --once -w "$ws" > "$tmp/c-run1" 2>&1
w orders show 7PBQ8KZZ -w "$ws" > "$tmp/changed" 2>&1
has "a PO Amazon changed updates its order" "PO changed by rp-order-7PBQ8KZZ" "$tmp/changed"
w orders list -w "$ws" > "$tmp/orders4" 2>&1
hasnt "a PO created before the last window is not pulled by the next one" "4Z32LATE" "$tmp/orders4"
# first the work is done but the transaction stays Processing; then (the
# changed 7PBQ8KZZ's new ack) it stays Processing and never took
printf '[{"operation": "vendorOrders/submitAcknowledgement", "kind": "processing", "count": 1, "applied": true}]' > "$tmp/faults4.json"
ctl POST /_test/faults "$tmp/faults4.json" > /dev/null
w orders approve 2JK3STUK -w "$ws" > /dev/null 2>&1
w ack run -w "$ws" > "$tmp/c-ack" 2>&1
tick 35; w run --once -w "$ws" > "$tmp/c-run2" 2>&1
w documents -w "$ws" > "$tmp/docs7" 2>&1
has "an RP acknowledgement Processing past the limit is reconciled: Amazon shows it confirmed" \
  "getPurchaseOrdersStatus shows the items confirmed" "$tmp/c-run2"
has "so it reads accepted, not unknown" " 855 +2JK3STUK +accepted" "$tmp/docs7"
[ "$(ctl GET /_test/state | grep -o '"purchaseOrderNumber": *"2JK3STUK"' | wc -l)" -ge 1 ] && ok "(the stand-in holds its acknowledgement)" || no "2JK3STUK acknowledgement"
printf '[{"operation": "vendorOrders/submitAcknowledgement", "kind": "processing", "count": 1}]' > "$tmp/faults5.json"
ctl POST /_test/faults "$tmp/faults5.json" > /dev/null
python3 - "$tmp" "$(now_iso)" <<'PY'
import json, sys
tmp, now = sys.argv[1:3]
o = json.load(open(tmp + "/rp-3.json"))[2]
o["purchaseOrderNumber"] = "2JK3NEVR"
o["orderDetails"]["purchaseOrderDate"] = now
o["orderDetails"]["purchaseOrderStateChangedDate"] = now
json.dump([o], open(tmp + "/rp-4.json", "w"))
PY
ctl POST /_test/orders/rp "$tmp/rp-4.json" > /dev/null
tick 1; w run --once -w "$ws" >> "$tmp/c-run2" 2>&1
w orders approve 2JK3NEVR -w "$ws" > /dev/null 2>&1
w ack run -w "$ws" >> "$tmp/c-ack" 2>&1
tick 35; w run --once -w "$ws" > "$tmp/c-run2b" 2>&1
has "one that never took is found unconfirmed and sent again" "2JK3NEVR.*never took; sent again" "$tmp/c-run2b"
tick 3; w run --once -w "$ws" >> "$tmp/c-run2b" 2>&1
tick 3; w run --once -w "$ws" >> "$tmp/c-run2b" 2>&1
w documents -w "$ws" > "$tmp/docs8" 2>&1
has "and then reads accepted" " 855 +2JK3NEVR +accepted" "$tmp/docs8"
# the next day's back-fill (the last 14 days again) finds the late PO
tick 1440; w run --once -w "$ws" > "$tmp/c-run3" 2>&1
w orders list -w "$ws" > "$tmp/orders5" 2>&1
has "the daily back-fill pulls the PO the windows missed" "amazon-rp +RP +4Z32LATE " "$tmp/orders5"
[ "$(grep -c ' 7PBQ8KZZ ' "$tmp/orders5")" = 1 ] && ok "the back-fill makes no second order of a PO it pulls again" || no "7PBQ8KZZ orders" "$tmp/orders5"

# ---- a request Amazon refuses as such (400): rejected with its words, not retried --------------
python3 - "$FIX" "$tmp" "$(now_iso)" <<'PY'
import json, sys
fix, tmp, now = sys.argv[1:4]
o = json.load(open(fix + "/df-orders.json"))[0]
o["purchaseOrderNumber"] = "TVd4w400Z"
o["orderDetails"]["orderDate"] = now
json.dump([o], open(tmp + "/df-5.json", "w"))
PY
ctl POST /_test/orders/df "$tmp/df-5.json" > /dev/null
printf '[{"operation": "vendorDirectFulfillmentOrders_2021-12-28/submitAcknowledgement", "kind": "400", "count": 1, "errorCode": "InvalidInput", "errorMessage": "vendorOrderNumber is not valid"}]' > "$tmp/faults6.json"
ctl POST /_test/faults "$tmp/faults6.json" > /dev/null
before=$(submitted submitAcknowledgement)
tick 1; w run --once -w "$ws" > "$tmp/r-run1" 2>&1
tick 3; w run --once -w "$ws" >> "$tmp/r-run1" 2>&1
w documents -w "$ws" > "$tmp/docs9" 2>&1
has "a request Amazon refuses (400) marks its document rejected" " 855 +TVd4w400Z +rejected" "$tmp/docs9"
has "with Amazon's code and words" "InvalidInput: vendorOrderNumber is not valid" "$tmp/r-run1"
[ "$(submitted submitAcknowledgement)" = "$before" ] && ok "and it is not sent again" || no "acks after a 400: $(submitted submitAcknowledgement), want $before" "$tmp/r-run1"

# ---- secrets: in the vault, nowhere else ---------------------------------------------------
cat "$tmp"/*.out "$tmp"/run* "$tmp"/f-* "$tmp"/c-* "$tmp"/r-* "$tmp"/ack* "$tmp"/ship* "$tmp"/inv* "$tmp"/docs* > "$tmp/all-output" 2>/dev/null
"$W" secrets list -w "$ws" --json >> "$tmp/all-output" 2>&1
"$W" status -w "$ws" --json >> "$tmp/all-output" 2>&1
leak=0
for v in "$CID" "$CSECRET" "$REFRESH"; do
  for f in "$ws"/wharf.db* "$ws"/log/* "$tmp/all-output" "$ws"/erp/out/* "$ws"/secrets.key; do
    [ -f "$f" ] && grep -aqF -- "$v" "$f" && { leak=1; echo "# found in $f" >> "$tmp/leaks"; }
  done
done
[ $leak = 0 ] && ok "no LWA value in the store, the logs, erp/out or any output" || no "a secret leaked" "$tmp/leaks"
hasnt "no access token in the logs" "Atza\\|" "$tmp/all-output"
