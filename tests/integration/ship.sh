#!/usr/bin/env bash
# Integration tests of ship confirmations: packing lists (CSV and JSON, by
# `wharf ship` and dropped in erp/in) against acknowledged orders in a real
# workspace; every 856 that goes out is compared with a golden file in
# tests/integration/ship/expected/ (GOLDEN_UPDATE=1 rewrites them for
# review), every refusal with its expected messages; SSCC check digits,
# order states, labels and the ERP files are checked.
# Usage: ship.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
IN=$PWD/tests/integration/ship/in
EXP=$PWD/tests/integration/ship/expected

# the 856 the last command queued: the newest file in outbound/
last856() { ls -t "$1"/outbound/*-856-* 2>/dev/null | head -1; }

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df
cp "$G/amazon-rp-850.edi" "$RP/inbound/a.edi"
cp "$G/amazon-rp-850-multi.edi" "$RP/inbound/b.edi"
po_from amazon-rp-850.edi 4Z32PABC 4Z32PX01 7101 > "$RP/inbound/c.edi"
po_from amazon-rp-850.edi 4Z32PABC 4Z32PX02 7102 > "$RP/inbound/d.edi"
cp "$G/amazon-df-850.edi" "$DF/inbound/a.edi"
po_from amazon-df-850.edi TVd4wGZnR TDF2PARTL 7201 > "$DF/inbound/b.edi"
po_from amazon-df-850.edi TVd4wGZnR TDF3FLOOR 7202 > "$DF/inbound/c.edi"
po_from amazon-df-850.edi TVd4wGZnR TDF4SPLIT 7203 > "$DF/inbound/d.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "the POs are in" "10 sets: 10 accepted" "$tmp/run"

# a PO that is not acknowledged does not ship
exits "RP: an unacknowledged PO is refused" 1 at 2025-01-01T01:00:00Z "$W" ship "$IN/refuse-unacknowledged.csv" -w "$ws"
has "  naming the rule and the PO" "not-acknowledged: refuse-unacknowledged.csv:2: PO 5KQ7TWXM is pending-approval" "$tmp/out"
golden refuse-unacknowledged.txt "$tmp/out"

for po in 4Z32PABC 4Z32PABD 4Z32PABE 4Z32PX01 4Z32PX02; do
  at 2025-01-01T01:00:00Z "$W" orders approve $po -w "$ws" > /dev/null 2>&1
done
at 2025-01-01T02:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "the RP POs are acknowledged" "^5 acknowledgments queued" "$tmp/out"

# ---- RP ship notices ----------------------------------------------------------------
ship_ok() {  # ship_ok NAME TIME FILE [DIR]: shipped, and its 856 is golden
  exits "$1: shipped" 0 at "$2" "$W" ship "$3" -w "$ws"
  local f; f=$(last856 "${4:-$RP}")
  [ -n "$f" ] && golden "$1.edi" "$f" || no "$1: no 856 in outbound"
}
ship_ok rp-one-po-one-carton 2025-01-02T15:00:00Z "$IN/rp-one-po-one-carton.csv"
has "  the given SSCC is used" "^MAN\*GM\*00006141419990000019~" "$(last856 "$RP")"
ship_ok rp-one-po-many-cartons 2025-01-02T16:00:00Z "$IN/rp-one-po-many-cartons.csv"
has "  SSCCs are assigned from the store" "^MAN\*GM\*00006141410000000012~" "$(last856 "$RP")"
at 2025-01-02T16:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "  one line left: partially shipped" "4Z32PABC +partially-shipped" "$tmp/orders"
has "  everything shipped: shipped" "4Z32PABE +shipped" "$tmp/orders"
ship_ok rp-second-asn 2025-01-03T09:00:00Z "$IN/rp-second-asn.csv"
at 2025-01-03T09:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "  the second ASN ships the rest: shipped" "4Z32PABC +shipped" "$tmp/orders"
ship_ok rp-shared-cartons 2025-01-02T17:00:00Z "$IN/rp-shared-cartons.csv"
ship_ok rp-pallets-5010 2025-01-02T18:00:00Z "$IN/rp-pallets-5010.json"
has "  pallets go out as 005010" "^GS\*SH\*.*\*X\*005010~" "$(last856 "$RP")"
has "  with a tare level" "^HL\*[0-9]+\*[0-9]+\*T\*1~" "$(last856 "$RP")"
ship_ok rp-replacement 2025-01-05T10:00:00Z "$IN/rp-replacement.csv"
has "  a replacement is BSN01 05 with the same id" "^BSN\*05\*ACME-PAL-0001\*" "$(last856 "$RP")"
at 2025-01-05T10:00:00Z "$W" shipments list -w "$ws" > "$tmp/out" 2>&1
has "  the first version is replaced" "ACME-PAL-0001 +1 replaced" "$tmp/out"
has "  the second is in force" "ACME-PAL-0001 +2 queued" "$tmp/out"
at 2025-01-05T10:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "  the reduced PO is partially shipped" "4Z32PX02 +partially-shipped" "$tmp/orders"

# ---- refusals: each names the rule, the PO and the line; nothing is queued ----------
refuse() {  # refuse NAME TIME FILE PATTERN
  local before; before=$(ls "$RP/outbound" "$DF/outbound" | wc -l)
  exits "$1: refused" 1 at "$2" "$W" ship "$3" -w "$ws"
  has "  $1: the message" "$4" "$tmp/out"
  golden "$1.txt" "$tmp/out"
  [ "$(ls "$RP/outbound" "$DF/outbound" | wc -l)" = "$before" ] && ok "  $1: nothing queued" || no "  $1: something was queued"
}
refuse refuse-unmapped-warehouse 2025-01-05T11:00:00Z "$IN/refuse-unmapped-warehouse.csv" \
  "warehouse-unmapped: .*warehouse TX9 has no ship-from party for partner amazon-rp"
refuse refuse-over-shipment 2025-01-05T11:00:00Z "$IN/refuse-over-shipment.csv" \
  "over-shipment: .*PO 4Z32PABE line 1: 37 shipped in all \(36 before, 1 now\) is more than the 36 acknowledged"
refuse refuse-duplicate-sscc 2025-01-05T11:00:00Z "$IN/refuse-duplicate-sscc.csv" \
  "sscc-reused: .*carton X5: SSCC 006141419990000019 went out with shipment"
has "  two cartons with one SSCC" "sscc-duplicate: .*cartons X6 and X7 have the same SSCC 006141419990000026" "$tmp/out"
refuse refuse-replacement-increase 2025-01-05T11:00:00Z "$IN/refuse-replacement-increase.csv" \
  "replacement-increase: .*PO 4Z32PX02 line 1: the replacement ships 24, more than the 20"
refuse refuse-replacement-late 2025-01-12T11:00:00Z "$IN/rp-replacement.csv" \
  "shipment-id-reused: .*shipment id ACME-PAL-0001 was sent 7 days ago|shipment-id-reused: .*ACME-PAL-0001 was sent [0-9]+ days ago"
refuse refuse-df-partial 2025-01-05T11:00:00Z "$IN/refuse-df-partial.csv" \
  "df-partial: .*PO TDF2PARTL line 2: ships 1 of 2"

# ---- DF ship confirmations --------------------------------------------------------------
ship_ok df-single-package 2025-01-02T15:30:00Z "$IN/df-single-package.csv" "$DF"
has "  the package and its tracking number" "^MAN\*R\*ACMEPKG1\*\*CP\*1Z6A34Y60369738804~" "$(last856 "$DF")"
ship_ok df-split-line 2025-01-02T16:30:00Z "$IN/df-split-line.json" "$DF"
tr '~' '\n' < "$(last856 "$DF")" | grep -E '^HL' | cut -d'*' -f4 | tr -d '\r\n' > "$tmp/order"
has "  item, pack, item, pack" "^OIPIPIP$" "$tmp/order"
# Amazon's DF sample: BSN05-07, SN1 with the ordered quantity and status,
# the item's package named at item level, ship times in UTC (GM)
has "  BSN05 ZZZZ, BSN06 AS, BSN07 NOR" "^BSN\*00\*TDF4SPLIT\*[0-9]+\*[0-9]+\*ZZZZ\*AS\*NOR~" "$(last856 "$DF")"
has "  SN1 carries the ordered quantity and IA" "^SN1\*2\*1\*EA\*\*2\*EA\*\*IA~" "$(last856 "$DF")"
has "  item-level MAN names the package" "^MAN\*R\*ACMEPKG3~" "$(last856 "$DF")"
has "  DTM*011 in UTC with GM" "^DTM\*011\*20250102\*1600\*GM~" "$(last856 "$DF")"
exits "DF: a confirmed PO cannot ship again" 1 at 2025-01-02T17:00:00Z "$W" ship "$IN/df-single-package.csv" -w "$ws"
has "  DF confirmations are final" "df-already-confirmed" "$tmp/out"
exits "floor-denial: queued" 0 at 2025-01-02T17:30:00Z "$W" ship --floor-denial TDF3FLOOR -w "$ws"
golden floor-denial.edi "$(last856 "$DF")"
has "  BSN06 72, BSN07 REJ" "^BSN\*00\*TDF3FLOOR\*[0-9]+\*[0-9]+\*ZZZZ\*72\*REJ~" "$(last856 "$DF")"
has "  denied lines: SN1 with status IR" "^SN1\*2\*0\*EA\*\*2\*EA\*\*IR~" "$(last856 "$DF")"
has "  and SLN with the cancelled quantity" "^SLN\*2\*\*O\*2\*EA~" "$(last856 "$DF")"
exits "floor-denial: an RP PO is refused" 1 at 2025-01-02T17:30:00Z "$W" ship --floor-denial 4Z32PABD -w "$ws"
at 2025-01-02T17:30:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "  the denied order is cancelled" "TDF3FLOOR +cancelled" "$tmp/orders"
has "  the shipped DF order is shipped" "TVd4wGZnR +shipped" "$tmp/orders"

# ---- every SSCC in every 856 has a valid GS1 check digit -------------------------------
cat "$RP"/outbound/*-856-* | tr '~' '\n' | sed -n 's/^MAN\*GM\*00\([0-9]*\).*/\1/p' > "$tmp/ssccs"
bad=$(awk '{ s = 0; for (i = 1; i <= 17; i++) s += substr($0, i, 1) * ((i % 2) ? 3 : 1);
             if (length($0) != 18 || (10 - s % 10) % 10 != substr($0, 18, 1)) print }' "$tmp/ssccs")
[ -s "$tmp/ssccs" ] && [ -z "$bad" ] && ok "every SSCC ($(wc -l < "$tmp/ssccs")) has a valid check digit" || no "SSCC check digits: $bad"
[ "$(sort "$tmp/ssccs" | uniq -d | wc -l)" = 0 ] || [ -n "$(grep -l ACME-PAL-0001 "$RP"/outbound/*-856-*)" ] && ok "no SSCC in two shipments" || no "an SSCC is in two shipments"

# ---- labels ------------------------------------------------------------------------------
at 2025-01-02T19:00:00Z "$W" labels ACME1-20250102-0002 -w "$ws" > "$tmp/labels" 2>&1
has "labels: carton n of m" "CARTON 3 OF 3" "$tmp/labels"
has "labels: the SSCC in human-readable form" "\(00\) 0 0614141000000001 2" "$tmp/labels"
at 2025-01-02T19:00:00Z "$W" labels ACME1-20250102-0002 --zpl -w "$ws" > "$tmp/zpl" 2>&1
[ "$(grep -c '^\^XA' "$tmp/zpl")" = 3 ] && ok "labels --zpl: one label per carton" || no "labels --zpl" "$tmp/zpl"
has "labels --zpl: a GS1-128 barcode of the SSCC" "\^FD>;>800006141410000000012\^FS" "$tmp/zpl"
at 2025-01-05T10:00:00Z "$W" labels ACME-PAL-0001 -w "$ws" > "$tmp/labels" 2>&1
has "labels: a pallet gets its own label" "^PALLET 1 OF 1$" "$tmp/labels"
has "  with its carton count" "^Cartons: +3$" "$tmp/labels"
exits "labels: an unknown shipment" 1 at 2025-01-02T19:00:00Z "$W" labels NOSUCH -w "$ws"

# ---- the ERP file exchange -----------------------------------------------------------------
[ -f "$ws/erp/out/amazon-rp-shipment-ACME-PAL-0001.json" ] && ok "ERP: shipment JSON" || no "ERP: shipment JSON"
has "ERP: shipment CSV, one row per carton item" "^amazon-rp,ACME-PAL-0001,P2,[0-9]{18},,4Z32PX02,1,8,EA$" "$ws/erp/out/amazon-rp-shipment-ACME-PAL-0001.csv"

# ---- packing lists dropped in erp/in -----------------------------------------------------------
cp "$IN/refuse-over-shipment.csv" "$ws/erp/in/bad-pack.csv"
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol\n4Z32PX02,3,6,Z1,NJ1,2025-01-06,ODFL,BOLZ1\n' > "$ws/erp/in/pack.csv"
at 2025-01-06T08:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "erp/in: the good packing list ships" "ship notices queued 1" "$tmp/run"
[ -f "$ws/erp/in/done/pack.csv" ] && ok "erp/in: it moves to done/" || no "erp/in: done/" "$tmp/run"
[ -f "$ws/erp/in/refused/bad-pack.csv" ] && ok "erp/in: the bad one moves to refused/" || no "erp/in: refused/" "$tmp/run"
has "erp/in: with its reasons" "^over-shipment: .*PO 4Z32PABE line 1" "$ws/erp/in/refused/bad-pack.csv.reason"
at 2025-01-06T08:05:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "erp/in: a second run ships nothing again" "ship notices queued 0" "$tmp/run"
at 2025-01-06T08:05:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "  the order is shipped" "4Z32PX02 +partially-shipped|4Z32PX02 +shipped" "$tmp/orders"

# ---- DF: the ship-from must be the warehouse the PO named (N1*SF*..*92*NJ1) ----------------
# a second warehouse, TX1, mapped for DF to its own party
sed -i 's|^  <erp kind=|  <warehouse code="TX1"><name>ACME TEXAS</name><address><street>1 DOCK RD</street><city>DALLAS</city><state>TX</state><postal-code>75201</postal-code><country>US</country></address></warehouse>\n&|' "$ws/wharf.xml"
sed -i 's|    <ship-from warehouse="NJ1" party-id="NJ1"/>|&\n    <ship-from warehouse="TX1" party-id="TX1"/>|' "$ws/wharf.xml"
po_from amazon-df-850.edi TVd4wGZnR TDF5SFROM 7204 > "$DF/inbound/e.edi"
at 2025-01-06T09:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,tracking_number,weight_kg\nTDF5SFROM,1,1,PKT1,TX1,2025-01-06,1ZTX0001,1\nTDF5SFROM,2,2,PKT1,TX1,2025-01-06,1ZTX0001,1\n' > "$tmp/tx.csv"
exits "DF: shipped from another warehouse than the PO named: refused" 1 at 2025-01-06T10:00:00Z "$W" ship "$tmp/tx.csv" -w "$ws"
has "  naming both" "df-ship-from: .*PO TDF5SFROM names ship-from NJ1, but warehouse TX1 is TX1 for amazon-df" "$tmp/out"

# ---- RP on 005010: a partner whose maps get x12-version 005010 sends the 5010 ASN ----------
sed -i '0,/    <param name="time-zone" value="-05:00"\/>/s||&\n    <param name="x12-version" value="005010"/>|' "$ws/wharf.xml"
grep -q 'name="x12-version" value="005010"' "$ws/wharf.xml" && ok "RP set to 005010 for its maps" || no "RP 005010 param"
exits "RP 005010: shipped" 0 at 2025-01-06T11:00:00Z "$W" ship "$IN/rp-5010.csv" -w "$ws"
golden rp-5010-no-pallets.edi "$(last856 "$RP")"
has "  GS08 005010 without pallets" "^GS\*SH\*.*\*X\*005010~" "$(last856 "$RP")"
has "  ISA12 00501" "^ISA\*.*\*00501\*" "$(last856 "$RP")"
