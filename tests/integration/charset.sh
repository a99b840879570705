#!/usr/bin/env bash
# Integration tests of character sets, both ways (issue 11 §2): an inbound
# name in ISO-8859-1 is decoded and kept (never stored empty), a value that
# cannot be decoded rejects its set with a finding naming the element, a
# partner set to utf-8 refuses Latin-1; outbound, values from wharf.xml that
# are not ASCII are transliterated into the X12 character set, refused when
# they have no ASCII spelling, and refused at load under outbound-charset
# "refuse". Usage: charset.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
IN=$PWD/tests/integration/ship/in

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df

# ---- inbound ------------------------------------------------------------------------
# The DF sample with the consumer's name in ISO-8859-1 (É = 0xC9, Ü = 0xDC),
# a second with a C1 control byte (0x85) in it: no character set reads that.
latin1() {  # latin1 PO CONTROL NAME-BYTES > file
  po_from amazon-df-850.edi TVd4wGZnR "$1" "$2" | sed "s/^N1\*ST\*JANE DOE~/N1*ST*$3~/"
}
latin1 TLATIN0001 7301 "$(printf 'JOS\311 M\334LLER')" > "$DF/inbound/latin1.edi"
latin1 TC1CTRL001 7302 "$(printf 'JOS\205 M\334LLER')" > "$DF/inbound/c1.edi"
grep -qa "$(printf 'JOS\311')" "$DF/inbound/latin1.edi" && ok "the Latin-1 test file holds Latin-1 bytes" ||
  no "the Latin-1 test file holds Latin-1 bytes"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "Latin-1: the set is accepted" "2 sets: 1 accepted, 1 rejected" "$tmp/run"
at 2025-01-01T00:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "Latin-1: the order is made" "TLATIN0001" "$tmp/orders"
hasnt "undecodable: no order" "TC1CTRL001" "$tmp/orders"
"$W" map run amazon-df/850-to-order "$DF/archive/"*latin1* > "$tmp/order.xml" 2>&1
has "Latin-1: the name is decoded, not emptied" "<name>JOSÉ MÜLLER</name>" "$tmp/order.xml"
cat "$ws"/erp/out/orders-*-amazon-df.jsonl > "$tmp/erp" 2> /dev/null
has "Latin-1: the ERP gets the consumer's name in UTF-8" '"po_number":"TLATIN0001",.*"name":"JOSÉ MÜLLER"' "$tmp/erp"
cat "$DF"/outbound/*997* > "$tmp/997"
has "undecodable: the 997 rejects with AK4 code 6 on N102" "^AK4\*2\*93\*6\*" "$tmp/997"
has "undecodable: AK5 R" "^AK5\*R\*5~" "$tmp/997"
cat "$DF"/quarantine/*.reason > "$tmp/reason" 2>/dev/null
has "undecodable: quarantined with a reason naming the element and byte" \
  "N102 cannot be decoded: byte 0x85 at offset 4 is a C1 control character" "$tmp/reason"
"$W" edi to-xml "$DF/archive/"*latin1* > "$tmp/l.xml" 2>&1
has "to-xml marks the decoded value" '<N102 charset="iso-8859-1">JOSÉ MÜLLER</N102>' "$tmp/l.xml"
"$W" edi from-xml "$tmp/l.xml" > "$tmp/back.edi" 2>&1
cmp -s "$tmp/back.edi" "$DF/archive/"*latin1* && ok "from-xml gives back the partner's bytes" ||
  no "from-xml gives back the partner's bytes"

# a partner that sends UTF-8 only: Latin-1 is refused, naming the element
sed -i '/<partner id="amazon-df"/,/<\/partner>/s#<x12 version="004010" usage="P"/>#<x12 version="004010" usage="P" inbound-charset="utf-8"/>#' "$ws/wharf.xml"
grep -q 'inbound-charset="utf-8"' "$ws/wharf.xml" && ok "config: amazon-df set to utf-8" || no "config: amazon-df set to utf-8"
latin1 TLATIN0002 7303 "$(printf 'JOS\311 M\334LLER')" > "$DF/inbound/strict.edi"
at 2025-01-01T01:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "utf-8 only: the set is rejected" "1 sets: 0 accepted, 1 rejected" "$tmp/run"
cat "$DF"/quarantine/*strict*.reason > "$tmp/reason" 2>/dev/null
has "utf-8 only: the reason names N102 and says why" \
  "N102 cannot be decoded: byte 0xc9 at offset 4 is not UTF-8 \(the partner's inbound-charset is utf-8\)" "$tmp/reason"
latin1 TUTF8OK001 7304 "JOSÉ MÜLLER" > "$DF/inbound/utf8.edi"
at 2025-01-01T01:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "utf-8 only: UTF-8 is accepted" "1 sets: 1 accepted, 0 rejected" "$tmp/run"
sed -i 's# inbound-charset="utf-8"##' "$ws/wharf.xml"

# ---- outbound ------------------------------------------------------------------------
# the warehouse's name and street as a French vendor writes them
sed -i 's#<name>ACME WIDGETS WAREHOUSE</name>#<name>ENTREPÔT MÜLLER – NORD</name>#; s#100 INDUSTRIAL PKWY#12 CHAUSSÉE D’IXELLES#' "$ws/wharf.xml"
cp "$G/amazon-rp-850.edi" "$RP/inbound/a.edi"
at 2025-01-02T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
at 2025-01-02T01:00:00Z "$W" orders approve 4Z32PABC -w "$ws" > /dev/null 2>&1
at 2025-01-02T02:00:00Z "$W" ack run -w "$ws" > /dev/null 2>&1
exits "transliterate: the ship notice goes out" 0 at 2025-01-02T15:00:00Z "$W" ship "$IN/rp-one-po-many-cartons.csv" -w "$ws"
f=$(ls -t "$RP"/outbound/*-856-* 2>/dev/null | head -1)
has "transliterate: the ship-from name is spelled in ASCII" "^N1\*SF\*ENTREPOT MULLER - NORD\*92\*ACMW1~" "$f"
has "transliterate: the street too" "^N3\*12 CHAUSSEE D'IXELLES~" "$f"
if LC_ALL=C grep -qa '[^ -~]' "$f"; then no "transliterate: every byte is in the X12 character set" "$f"
else ok "transliterate: every byte is in the X12 character set"; fi
"$W" edi validate --guide partners/amazon-rp/856 "$f" > "$tmp/out" 2>&1 && ok "transliterate: the 856 passes Amazon's guide" ||
  no "transliterate: the 856 passes Amazon's guide" "$tmp/out"

# a name with no ASCII spelling is refused, naming the element; nothing queued
sed -i 's#ENTREPÔT MÜLLER – NORD#東京倉庫#' "$ws/wharf.xml"
po_from amazon-rp-850.edi 4Z32PABC 4Z32PCJK 7401 > "$RP/inbound/b.edi"
at 2025-01-03T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
at 2025-01-03T01:00:00Z "$W" orders approve 4Z32PCJK -w "$ws" > /dev/null 2>&1
at 2025-01-03T02:00:00Z "$W" ack run -w "$ws" > /dev/null 2>&1
sed "s/4Z32PABC/4Z32PCJK/g" "$IN/rp-one-po-many-cartons.csv" > "$tmp/cjk.csv"
before=$(ls "$RP"/outbound | wc -l)
exits "no ASCII spelling: the ship notice is refused" 1 at 2025-01-03T15:00:00Z "$W" ship "$tmp/cjk.csv" -w "$ws"
has "  naming the element, the value and the character" "N102 '東京倉庫' has U\+6771, which the partner's X12 character set cannot carry" "$tmp/out"
[ "$(ls "$RP"/outbound | wc -l)" = "$before" ] && ok "  and nothing is queued" || no "  and nothing is queued"

# outbound-charset="refuse": caught when wharf.xml is loaded, with its line
sed -i '/<partner id="amazon-rp"/,/<\/partner>/s#<x12 version="004010" usage="P"/>#<x12 version="004010" usage="P" outbound-charset="refuse"/>#' "$ws/wharf.xml"
exits "refuse: a config value that is not ASCII stops the load" 2 "$W" status -w "$ws"
has "  with the file, line, value and what to do" \
  "wharf.xml:[0-9]+: <name> '東京倉庫' has characters outside the X12 character set, and partner amazon-rp has outbound-charset=\"refuse\": write it in ASCII" "$tmp/out"
sed -i 's#東京倉庫#ACME WAREHOUSE NORD#; s#12 CHAUSSÉE D’IXELLES#12 CHAUSSEE D IXELLES#' "$ws/wharf.xml"
exits "refuse: an ASCII config loads" 0 "$W" status -w "$ws"
