#!/usr/bin/env bash
# Integration tests of invoices: the invoice run over shipped orders in a
# real workspace (RP with tax, charge and allowance; DF with PO/VO/ON; a
# multi-PO RP invoice per ASN), every 810 compared with a golden file in
# tests/integration/invoice/expected/ (GOLDEN_UPDATE=1 rewrites them for
# review), held invoices for each mismatch of the three-way match, ERP
# invoices, idempotence, and the list/show commands.
# Usage: invoice.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
SHIP=$PWD/tests/integration/ship/in
EXP=$PWD/tests/integration/invoice/expected

inv810() { grep -l "BIG\*[0-9]*\*$2\*" "$1"/outbound/*-810-* 2>/dev/null | head -1; }
ship() {  # ship TIME PO LINE:QTY... : one carton per line, shipped by wharf ship
  local t=$1 po=$2; shift 2
  { echo "po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol"
    for lq in "$@"; do echo "$po,${lq%%:*},${lq##*:},$po-${lq%%:*},NJ1,${t%%T*},ODFL,BOL$po"; done; } > "$tmp/pack-$po.csv"
  at "$t" "$W" ship "$tmp/pack-$po.csv" -w "$ws" > "$tmp/ship" 2>&1 || no "ship $po" "$tmp/ship"
}
erp_invoice() {  # erp_invoice NUMBER PO QTY2 AMOUNT2 LINE_TOTAL LINE_TAXES(1/0) HEADER_TAX TOTAL
  local ltax1="" ltax2="" htax="" ttot=""
  if [ "$6" = 1 ]; then
    ltax1='<taxes><tax><type>sales</type><rate>6.625</rate><amount>19.88</amount></tax></taxes>'
    ltax2='<taxes><tax><type>sales</type><rate>6.625</rate><amount>6.96</amount></tax></taxes>'
  fi
  [ -n "$7" ] && htax="<taxes><tax><type>sales</type><rate>6.625</rate><amount>$7</amount></tax></taxes>" && ttot="<tax-total>$7</tax-total>"
  cat <<EOF
<invoice xmlns="urn:wharf:canonical:1">
  <program>RP</program>
  <type>invoice</type>
  <invoice-number>$1</invoice-number>
  <invoice-date>2025-01-04</invoice-date>
  <currency>USD</currency>
  <remit-to><id qualifier="92">ACMEPAY1</id><name>ACME WIDGETS INC</name></remit-to>
  <lines>
    <line><line-no>1</line-no><po-number>$2</po-number><id qualifier="upc" code="UP">012345678905</id>
      <invoiced-quantity unit="EA">24</invoiced-quantity><unit-price basis="PE">12.50</unit-price>
      <line-amount>300.00</line-amount>$ltax1</line>
    <line><line-no>2</line-no><po-number>$2</po-number><id qualifier="upc" code="UP">084123450010</id>
      <invoiced-quantity unit="EA">$3</invoiced-quantity><unit-price basis="PE">8.75</unit-price>
      <line-amount>$4</line-amount>$ltax2</line>
  </lines>
  $htax
  <totals><line-total>$5</line-total>$ttot<invoice-total>$8</invoice-total></totals>
</invoice>
EOF
}

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df
# the RP partner bills sales tax, a freight charge and a 2 % allowance
sed -i 's|      <terms type="discount-not-applicable" basis="invoice-date" net-days="60"/>|&\n      <tax type="sales" rate="6.625"/>\n      <charge type="freight" amount="25.00" description="FREIGHT TO FC"/>\n      <allowance type="discount" percent="2" description="VOLUME DISCOUNT"/>|' "$ws/wharf.xml"
cp "$G/amazon-rp-850.edi" "$RP/inbound/a.edi"
cp "$G/amazon-rp-850-multi.edi" "$RP/inbound/b.edi"
i=7300
for po in PQTY01 PTAX01 PCOST1 PMULT1 PTOT01; do
  i=$((i + 1)); po_from amazon-rp-850.edi 4Z32PABC $po $i > "$RP/inbound/$po.edi"
done
cp "$G/amazon-df-850.edi" "$DF/inbound/a.edi"
# a DF order at no cost (DF bills no charges here): its invoice totals zero
po_from amazon-df-850.edi TVd4wGZnR DZERO1 7399 | sed 's/\*EA\*[0-9.]*\*PE\*/*EA*0.00*PE*/' > "$DF/inbound/zero.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "the POs are in" "11 sets: 11 accepted" "$tmp/run"
for po in 4Z32PABC 4Z32PABD 4Z32PABE 5KQ7TWXM PQTY01 PTAX01 PCOST1 PMULT1 PTOT01; do
  at 2025-01-01T01:00:00Z "$W" orders approve $po -w "$ws" > "$tmp/out" 2>&1 || no "approve $po" "$tmp/out"
done
at 2025-01-01T02:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "the RP POs are acknowledged" "^9 acknowledgments queued" "$tmp/out"

# nothing shipped: nothing to invoice
at 2025-01-01T03:00:00Z "$W" invoice run -w "$ws" > "$tmp/out" 2>&1
has "nothing shipped, nothing invoiced" "^0 invoices queued, 0 held" "$tmp/out"

ship 2025-01-02T10:00:00Z 4Z32PABC 1:24 2:12 3:6
ship 2025-01-02T10:00:00Z 4Z32PABE 1:36
at 2025-01-02T10:00:00Z "$W" ship "$SHIP/df-single-package.csv" -w "$ws" > "$tmp/out" 2>&1 || no "ship DF" "$tmp/out"
sed 's/TVd4wGZnR/DZERO1/; s/1Z6A34Y60369738804/1Z6A34Y60369738899/g; s/ACMEPKG1/ACMEPKG9/g' "$SHIP/df-single-package.csv" > "$tmp/dzero.csv"
at 2025-01-02T10:00:00Z "$W" ship "$tmp/dzero.csv" -w "$ws" > "$tmp/out" 2>&1 || no "ship DF zero" "$tmp/out"

# ---- the invoice run ------------------------------------------------------------------------
exits "invoice run" 0 at 2025-01-03T09:00:00Z "$W" invoice run -w "$ws"
has "  three invoices queued, the zero one held" "^3 invoices queued, 1 held" "$tmp/out"
f=$(inv810 "$RP" ACME-INV-000001)
[ -n "$f" ] && golden rp-tax-charge-allowance.edi "$f" || no "RP 810 with tax, charge and allowance"
has "  TDS: lines 644.94 + freight 25.00 - 2 % 12.90 + tax 42.74 = 699.78" "^TDS\*69978~" "$f"
has "  a line tax" "^TXI\*ST\*19.88\*6.625~" "$f"
has "  the freight charge" "^SAC\*C\*D240\*\*\*2500" "$f"
f=$(inv810 "$DF" ACME-DF-000001)
[ -n "$f" ] && golden df-po-vo-on.edi "$f" || no "DF 810"
has "  each line carries PO, VO and ON" "^IT1\*1\*1\*EA\*24.99\*PE\*BP\*B07DFVDRAB\*SK\*ACME-1001\*PO\*TVd4wGZnR\*VO\*SO[0-9]+\*ON\*114-2948816-3841829~" "$f"
at 2025-01-03T09:00:00Z "$W" invoices list --state held -w "$ws" > "$tmp/out" 2>&1
has "held: a zero total" "zero-total: invoice total 0.00: Amazon refuses an invoice of zero" "$tmp/out"
at 2025-01-03T09:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "  a shipped, invoiced order is invoiced" "4Z32PABC +invoiced" "$tmp/orders"
has "  a held invoice leaves its order shipped" "DZERO1 +shipped" "$tmp/orders"

# idempotent: a second run bills nothing again
exits "a second run" 0 at 2025-01-03T09:30:00Z "$W" invoice run -w "$ws"
has "  invoices nothing twice" "^0 invoices queued, 0 held, 0 released" "$tmp/out"
[ "$(ls "$RP"/outbound/*-810-* "$DF"/outbound/*-810-* | wc -l)" = 3 ] && ok "  three 810s in all" || no "  three 810s in all"

# ---- one invoice per ASN: a multi-PO invoice -----------------------------------------------
sed -i 's|per="asn-po"|per="asn"|' "$ws/wharf.xml"
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol\n4Z32PABD,1,48,MA,NJ1,2025-01-03,ODFL,BOLM\nPMULT1,1,24,MA,NJ1,2025-01-03,ODFL,BOLM\nPMULT1,2,12,MB,NJ1,2025-01-03,ODFL,BOLM\n' > "$tmp/multi.csv"
exits "multi-PO ASN shipped" 0 at 2025-01-03T10:00:00Z "$W" ship "$tmp/multi.csv" -w "$ws"
exits "invoice run per ASN" 0 at 2025-01-03T11:00:00Z "$W" invoice run -w "$ws"
f=$(inv810 "$RP" ACME-INV-000003)
[ -n "$f" ] && golden rp-multi-po.edi "$f" || no "RP multi-PO 810" "$tmp/out"
has "  both POs on the lines" "PO\*4Z32PABD~" "$f"
has "  both POs on the lines" "PO\*PMULT1~" "$f"

# ---- held: the PO's cost changed after the acknowledgment ----------------------------------
po_from amazon-rp-850.edi 4Z32PABC PCOST1 7390 | sed 's/^PO1\*1\*24\*EA\*12.50\*/PO1*1*24*EA*13.00*/' > "$RP/inbound/cost-change.edi"
at 2025-01-03T12:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
ship 2025-01-03T12:30:00Z PCOST1 1:24
exits "invoice run with a changed cost" 0 at 2025-01-03T13:00:00Z "$W" invoice run -w "$ws"
has "  is held" "^0 invoices queued, 1 held" "$tmp/out"
at 2025-01-03T13:00:00Z "$W" invoices list --state held -w "$ws" > "$tmp/out" 2>&1
has "  the finding names the PO, the line and both costs" "cost-mismatch: PO PCOST1 line 1: unit cost 13.00 on the PO, 12.50 acknowledged" "$tmp/out"
# the vendor acknowledges the new cost; the next run releases the invoice
at 2025-01-03T14:00:00Z "$W" orders approve PCOST1 -w "$ws" > "$tmp/out" 2>&1
at 2025-01-03T14:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
exits "the next run" 0 at 2025-01-03T15:00:00Z "$W" invoice run -w "$ws"
has "  releases the held invoice" "1 released from hold" "$tmp/out"
num=$(at 2025-01-03T15:00:00Z "$W" invoices list -w "$ws" | awk '/PCOST1/ {print $2}')
at 2025-01-03T15:00:00Z "$W" invoices show "$num" -w "$ws" > "$tmp/out" 2>&1
has "  its history: held, then queued, then sent" "held .*cost-mismatch" "$tmp/out"
has "  ... released" "queued +matched again: now matches" "$tmp/out"
has "  ... sent" "sent +the 810 left the outbox" "$tmp/out"

# ---- ERP invoices -------------------------------------------------------------------------
ship 2025-01-03T16:00:00Z PQTY01 1:24 2:12
ship 2025-01-03T16:00:00Z PTAX01 1:24 2:12
erp_invoice ERP-Q-1 PQTY01 8 70.00 370.00 0 "" 370.00 > "$tmp/q.xml"
exits "ERP invoice, wrong quantity: kept" 0 at 2025-01-03T17:00:00Z "$W" invoice submit "$tmp/q.xml" -w "$ws"
has "  held: invoiced 8, shipped 12" "quantity-mismatch: PO PQTY01 line 2: invoiced quantity 8, shipped 12" "$tmp/out"
erp_invoice ERP-T-1 PTAX01 12 105.00 405.00 1 27.00 432.00 > "$tmp/t.xml"
exits "ERP invoice, header tax not the sum of line taxes: kept" 0 at 2025-01-03T17:00:00Z "$W" invoice submit "$tmp/t.xml" -w "$ws"
has "  held: 27.00 against 26.84" "tax-mismatch: header sales tax 27.00, but the line taxes add up to 26.84" "$tmp/out"
ship 2025-01-03T16:00:00Z PTOT01 1:24 2:12
erp_invoice ERP-S-1 PTOT01 12 105.00 405.00 0 "" 450.00 > "$tmp/s.xml"
exits "ERP invoice whose total is not lines + charges - allowances + tax: kept" 0 at 2025-01-03T17:00:00Z "$W" invoice submit "$tmp/s.xml" -w "$ws"
has "  held: 450.00 against 405.00" "total-mismatch: invoice total 450.00, but lines 405.00 \+ charges 0 - allowances 0 \+ tax 0 = 405.00" "$tmp/out"
erp_invoice ERP-T-2 PTAX01 12 105.00 405.00 0 "" 400.00 > "$tmp/t2.xml"
exits "ERP invoice of goods billed already: refused" 1 at 2025-01-03T17:00:00Z "$W" invoice submit "$tmp/t2.xml" -w "$ws"
has "  already billed" "already-billed: PO PTAX01: shipment .* is billed already" "$tmp/out"
erp_invoice ACME-INV-000001 PTAX01 12 105.00 405.00 0 "" 405.00 > "$tmp/dup.xml"
exits "ERP invoice with a number used before: refused" 1 at 2025-01-03T17:00:00Z "$W" invoice submit "$tmp/dup.xml" -w "$ws"
has "  no number twice" "number-reused: invoice number ACME-INV-000001 was used before" "$tmp/out"
sed 's|<currency>USD</currency>|<currency>US DOLLARS</currency>|' "$tmp/q.xml" > "$tmp/bad.xml"
exits "an ERP invoice that breaks the canonical schema: refused" 1 at 2025-01-03T17:00:00Z "$W" invoice submit "$tmp/bad.xml" -w "$ws"
has "  with the line and what is wrong" "schema: line 6: .*currency.*US DOLLARS" "$tmp/out"
exits "an unknown PO: refused" 1 at 2025-01-03T17:00:00Z "$W" invoice submit "$G/../../canonical/invoice-rp.xml" -w "$ws"
at 2025-01-03T17:00:00Z "$W" invoices list --state held -w "$ws" > "$tmp/held" 2>&1
[ "$(grep -c ' held ' "$tmp/held")" = 4 ] && ok "invoices list --state held: four held" || no "four held" "$tmp/held"
at 2025-01-03T17:00:00Z "$W" invoices list --json -w "$ws" > "$tmp/json" 2>&1
has "invoices list --json" '"number": "ERP-Q-1"' "$tmp/json"

# ---- paid, and the ERP files -----------------------------------------------------------------
exits "invoices paid" 0 at 2025-01-10T09:00:00Z "$W" invoices paid ACME-INV-000001 -w "$ws"
exits "a held invoice is not paid" 1 at 2025-01-10T09:00:00Z "$W" invoices paid ERP-Q-1 -w "$ws"
at 2025-01-10T09:00:00Z "$W" invoices show ACME-INV-000001 -w "$ws" > "$tmp/out" 2>&1
has "  paid, with its history" "^invoice ACME-INV-000001 for amazon-rp \(4Z32PABC\): paid, total 699.78 USD" "$tmp/out"
[ -f "$ws/erp/out/amazon-rp-invoice-ACME-INV-000001.json" ] && ok "ERP: invoice JSON" || no "ERP: invoice JSON"
has "ERP: invoice CSV, a row per line" "^amazon-rp,ACME-INV-000001,queued,699.78,4Z32PABC,3,6,39.99,239.94$" "$ws/erp/out/amazon-rp-invoice-ACME-INV-000001.csv"
at 2025-01-10T09:00:00Z "$W" status -w "$ws" > "$tmp/out" 2>&1
has "status counts invoices by state" "invoices:held +4" "$tmp/out"
has "status lists the held invoices with why" "^  amazon-rp +ERP-Q-1 +PQTY01 +quantity-mismatch: PO PQTY01 line 2" "$tmp/out"

# ---- one invoice per PO: only once the PO shipped in full, then one for all its ASNs --------
sed -i 's|per="asn"|per="po"|' "$ws/wharf.xml"
i=7400
po_from amazon-rp-850.edi 4Z32PABC PPERPO $i > "$RP/inbound/perpo.edi"
at 2025-01-11T08:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
at 2025-01-11T08:00:00Z "$W" orders approve PPERPO -w "$ws" > /dev/null 2>&1
at 2025-01-11T08:00:00Z "$W" ack run -w "$ws" > /dev/null 2>&1
ship 2025-01-11T09:00:00Z PPERPO 1:24
exits "per PO: partly shipped" 0 at 2025-01-11T10:00:00Z "$W" invoice run -w "$ws"
has "  waits for the rest" "^0 invoices queued, 0 held, 0 released from hold, 1 orders waiting" "$tmp/out"
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol\nPPERPO,2,12,PP2,NJ1,2025-01-11,ODFL,BOLPP2\nPPERPO,3,6,PP3,NJ1,2025-01-11,ODFL,BOLPP2\n' > "$tmp/pp2.csv"
at 2025-01-11T11:00:00Z "$W" ship "$tmp/pp2.csv" -w "$ws" > /dev/null 2>&1
exits "per PO: shipped in full" 0 at 2025-01-11T12:00:00Z "$W" invoice run -w "$ws"
has "  one invoice" "^1 invoices queued" "$tmp/out"
num=$(at 2025-01-11T12:00:00Z "$W" invoices list -w "$ws" | awk '$5 == "PPERPO" {print $2}')
f=$(inv810 "$RP" "$num")
[ "$(grep -c '^IT1' "$f" 2>/dev/null)" = 3 ] && ok "  billing both ASNs' lines" || no "  per PO 810" "$f"

# ---- a crash in the middle of a run: the next run bills the rest, nothing twice --------------
sed -i 's|per="po"|per="asn-po"|' "$ws/wharf.xml"
sed -i 's|<acknowledge mode="manual"|<acknowledge mode="auto-all"|' "$ws/wharf.xml"
: > "$tmp/many.csv"
echo "po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,shipment_id" > "$tmp/many.csv"
for k in $(seq 10 49); do
  po_from amazon-rp-850.edi 4Z32PABC PCR0$k $((7500 + k)) > "$RP/inbound/cr$k.edi"
  echo "PCR0$k,1,24,CR$k,NJ1,2025-01-12,ODFL,BOLCR$k,ASN-CR-$k" >> "$tmp/many.csv"
done
at 2025-01-12T08:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
exits "40 POs shipped in 40 ASNs" 0 at 2025-01-12T09:00:00Z "$W" ship "$tmp/many.csv" -w "$ws"
WHARF_NOW=2025-01-12T10:00:00Z "$W" invoice run -w "$ws" > "$tmp/crash" 2>&1 &
pid=$!
sleep 0.4
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
before=$(at 2025-01-12T10:00:00Z "$W" invoices list -w "$ws" | grep -c ' PCR0')
exits "after the crash, the next run" 0 at 2025-01-12T10:05:00Z "$W" invoice run -w "$ws"
at 2025-01-12T10:05:00Z "$W" invoices list -w "$ws" > "$tmp/inv" 2>&1
[ "$(grep -c ' PCR0' "$tmp/inv")" = 40 ] && ok "  every ASN billed once ($before before the crash, 40 after)" || no "  40 invoices" "$tmp/inv"
[ "$(awk '/ PCR0/ {print $5}' "$tmp/inv" | sort | uniq -d | wc -l)" = 0 ] && ok "  no PO billed twice" || no "  a PO billed twice" "$tmp/inv"
[ "$(grep -c ' PCR0' "$tmp/inv")" = "$(awk '/ PCR0/ {print $2}' "$tmp/inv" | sort -u | wc -l)" ] && ok "  no number twice" || no "  numbers" "$tmp/inv"
exits "a third run" 0 at 2025-01-12T10:10:00Z "$W" invoice run -w "$ws"
has "  bills nothing" "^0 invoices queued, 0 held" "$tmp/out"

# ---- a replaced ship notice: the same goods are billed once -------------------------------------
# Regression: a replacement (same shipment id, BSN01 05) was invoiced again
# in full after its first version had been invoiced.
asn() {  # asn TIME SHIPMENT_ID PO LINE:QTY...: one carton per line, with an explicit shipment id
  local t=$1 sid=$2 po=$3; shift 3
  { echo "po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,shipment_id"
    for lq in "$@"; do echo "$po,${lq%%:*},${lq##*:},$sid-${lq%%:*},NJ1,${t%%T*},ODFL,BOL$sid,$sid"; done; } > "$tmp/asn-$sid.csv"
  at "$t" "$W" ship "$tmp/asn-$sid.csv" -w "$ws" > "$tmp/ship" 2>&1 || no "ship $sid" "$tmp/ship"
}
i=7600
for po in PREPL1 PREPL2 PREPL3 PDEC4; do
  i=$((i + 1)); po_from amazon-rp-850.edi 4Z32PABC $po $i > "$RP/inbound/$po.edi"
done
# PDEC4: a unit cost with four decimals
sed -i 's/^PO1\*1\*24\*EA\*12.50\*/PO1*1*24*EA*1.2345*/' "$RP/inbound/PDEC4.edi"
at 2025-01-13T08:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "the replacement POs are in" "4 sets: 4 accepted" "$tmp/run"
asn 2025-01-13T09:00:00Z ASN-RPL-1 PREPL1 1:24 2:12
asn 2025-01-13T09:00:00Z ASN-RPL-2 PREPL2 1:24 2:12
exits "replacement: the first versions are invoiced" 0 at 2025-01-13T10:00:00Z "$W" invoice run -w "$ws"
has "  two invoices" "^2 invoices queued, 0 held" "$tmp/out"
n810=$(ls "$RP"/outbound/*-810-* | wc -l)
# ASN-RPL-1 replaced with fewer units of line 1; line 2 as before
asn 2025-01-13T11:00:00Z ASN-RPL-1 PREPL1 1:12 2:12
has "  the replacement went out" "replacement" "$tmp/ship"
# ASN-RPL-2 replaced with the same goods (a corrected carton, say)
asn 2025-01-13T11:00:00Z ASN-RPL-2 PREPL2 1:24 2:12
exits "replacement: the invoice run after the replacements" 0 at 2025-01-13T12:00:00Z "$W" invoice run -w "$ws"
has "  bills nothing again: the reduced one is held" "^0 invoices queued, 1 held, 0 released from hold, 0 orders waiting to ship in full, 1 replaced ship notices with nothing new to bill" "$tmp/out"
[ "$(ls "$RP"/outbound/*-810-* | wc -l)" = "$n810" ] && ok "  no new 810" || no "  no new 810" "$tmp/out"
[ "$(grep -l 'PO\*PREPL1~' "$RP"/outbound/*-810-* | wc -l)" = 1 ] && ok "  PREPL1's goods are on one 810" || no "  PREPL1 on one 810"
at 2025-01-13T12:00:00Z "$W" invoices list --state held -w "$ws" > "$tmp/held" 2>&1
has "  the hold names the line, the shipment, the invoice and the excess" \
  "replaced-after-billing: PO PREPL1 line 1: shipment ASN-RPL-1 \(now version 2\) ships 12, but invoice ACME-INV-[0-9]+ billed 24: 12 billed too many \(a credit for Amazon\)$" "$tmp/held"
hasnt "  line 2, unchanged, is not on the hold" "PO PREPL1 line 2" "$tmp/held"
has "  the held invoice totals 0.00: no goods, no freight again" "ACME-INV-[0-9]+ +held +0.00 +PREPL1" "$tmp/held"
held=$(awk '$5 == "PREPL1" && $3 == "held" {print $2}' "$tmp/held")
at 2025-01-13T12:00:00Z "$W" invoices show "$held" --json -w "$ws" > "$tmp/show" 2>&1
hasnt "  the held invoice bills no goods again" "invoiced-quantity" "$tmp/show"
at 2025-01-13T12:00:00Z "$W" status -w "$ws" > "$tmp/out" 2>&1
has "  status shows the hold and why" "^  amazon-rp +$held +PREPL1 +replaced-after-billing" "$tmp/out"
num=$(at 2025-01-13T12:00:00Z "$W" invoices list -w "$ws" | awk '$5 == "PREPL2" {print $2}')
at 2025-01-13T12:00:00Z "$W" invoices show "$num" -w "$ws" > "$tmp/out" 2>&1
has "  the same goods: the first invoice covers the replacement" "ASN-RPL-2 version 2 \(a replacement\) bills nothing new of PO PREPL2" "$tmp/out"
exits "replacement: the next run" 0 at 2025-01-13T13:00:00Z "$W" invoice run -w "$ws"
has "  still bills nothing" "^0 invoices queued, 0 held, 0 released from hold, 0 orders waiting to ship in full, 0 replaced" "$tmp/out"
# replaced before any invoice: the version in force is billed, once
asn 2025-01-13T14:00:00Z ASN-RPL-3 PREPL3 1:24 2:12
asn 2025-01-13T14:30:00Z ASN-RPL-3 PREPL3 1:20 2:12
exits "replacement before the invoice" 0 at 2025-01-13T15:00:00Z "$W" invoice run -w "$ws"
has "  one invoice" "^1 invoices queued, 0 held" "$tmp/out"
f=$(grep -l 'PO\*PREPL3~' "$RP"/outbound/*-810-* | head -1)
has "  of the version in force: 20 of line 1" "^IT1\*1\*20\*EA\*12.50\*" "$f"
[ "$(grep -c '^IT1' "$f")" = 2 ] && ok "  two lines, each once" || no "  two lines" "$f"

# a multi-PO ship notice replaced without one of its POs: that PO's goods were taken back
for po in PREPL5 PREPL6; do
  i=$((i + 1)); po_from amazon-rp-850.edi 4Z32PABC $po $i > "$RP/inbound/$po.edi"
done
at 2025-01-13T15:10:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,shipment_id\nPREPL5,1,24,R5,NJ1,2025-01-13,ODFL,BOLR4,ASN-RPL-4\nPREPL6,1,24,R6,NJ1,2025-01-13,ODFL,BOLR4,ASN-RPL-4\n' > "$tmp/r4.csv"
exits "a two-PO ship notice" 0 at 2025-01-13T15:20:00Z "$W" ship "$tmp/r4.csv" -w "$ws"
exits "  is invoiced" 0 at 2025-01-13T15:30:00Z "$W" invoice run -w "$ws"
has "  one invoice per PO" "^2 invoices queued, 0 held" "$tmp/out"
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,shipment_id\nPREPL5,1,24,R5,NJ1,2025-01-13,ODFL,BOLR4,ASN-RPL-4\n' > "$tmp/r4b.csv"
exits "  replaced without PREPL6" 0 at 2025-01-13T15:40:00Z "$W" ship "$tmp/r4b.csv" -w "$ws"
exits "  the invoice run after it" 0 at 2025-01-13T15:50:00Z "$W" invoice run -w "$ws"
has "  PREPL5 is covered, PREPL6's invoice is held" "^0 invoices queued, 1 held, 0 released from hold, 0 orders waiting to ship in full, 1 replaced" "$tmp/out"
at 2025-01-13T15:50:00Z "$W" invoices list --state held -w "$ws" > "$tmp/held" 2>&1
has "  the dropped PO: 24 billed, 0 in force" "replaced-after-billing: PO PREPL6 line 1: shipment ASN-RPL-4 \(now version 2\) ships 0, but invoice ACME-INV-[0-9]+ billed 24: 24 billed too many" "$tmp/held"

# ---- a unit cost with four decimals: extended, taxed and rounded per line ----------------------
asn 2025-01-13T16:00:00Z ASN-DEC-4 PDEC4 1:7
exits "four-decimal cost: invoiced" 0 at 2025-01-13T17:00:00Z "$W" invoice run -w "$ws"
f=$(grep -l 'PO\*PDEC4~' "$RP"/outbound/*-810-* | head -1)
has "  the unit cost goes out as the PO sent it" "^IT1\*1\*7\*EA\*1.2345\*" "$f"
at 2025-01-13T17:00:00Z "$W" invoices list --json -w "$ws" > "$tmp/json" 2>&1
num=$(at 2025-01-13T17:00:00Z "$W" invoices list -w "$ws" | awk '$5 == "PDEC4" {print $2}')
at 2025-01-13T17:00:00Z "$W" invoices show "$num" --json -w "$ws" > "$tmp/show" 2>&1
has "  7 x 1.2345 = 8.6415: the line is rounded to the cent once" "<line-amount>8.64</line-amount>" "$tmp/show"
has "  its tax: 6.625 % of 8.64 = 0.5724, rounded per line" "<amount>0.57</amount>" "$tmp/show"
# lines 8.64 + freight 25.00 - 2 % of 8.64 (0.1728 -> 0.17) + tax 0.57 = 34.04
has "  the total adds rounded amounts" "^TDS\*3404~" "$f"
