#!/usr/bin/env bash
# Interchange ids: only an interchange from the partner (its configured
# ISA05/ISA06, and GS02 when group-id is set) to us (the vendor's ISA07/
# ISA08, GS03) is processed. Anything else is refused with a TA1 naming the
# field (TA105 005-008, 024 for a GS), gets no 997, makes no order, and the
# file goes to quarantine/ with a .reason naming the ids found and expected.
# A TA1 for an unreadable file comes from our id to the partner's.
. "$(dirname "$0")/lib.bash" "$@"
export WHARF_NOW=2025-01-01T00:00:00Z

# a copy of a golden file as another interchange (ISA13/IEA02), edited
variant() {  # variant SRC CONTROL DEST [sed-expression]
  sed -e "1s/\*[0-9]\{9\}\*\([01]\)\*\([PT]\)\*/*$2*\1*\2*/" -e "s/^IEA\*\([0-9]*\)\*[0-9]*~/IEA*\1*$2~/" \
      ${4:+-e "$4"} "$1" > "$3"
}
# refused NAME FILE CODE FOUND EXPECTED: one run over FILE refuses it
refused() {
  local name=$1 file=$2 code=$3 found=$4 want=$5
  rm -f "$RP"/outbound/*
  variant "$G/amazon-rp-850.edi" "$CTL" "$RP/inbound/$file" "$SED"
  "$W" run --once -w "$ws" > "$tmp/out" 2>&1
  cat "$RP"/outbound/* > "$tmp/acks" 2>/dev/null
  has "$name: a TA1 with TA105 $code" "^TA1\*$CTL\*240315\*0712\*R\*$code~" "$tmp/acks"
  has "$name: the TA1 goes from us to the partner" "^ISA\*00\*          \*00\*          \*ZZ\*ACMEVENDOR     \*ZZ\*AMAZON         \*" "$tmp/acks"
  hasnt "$name: no 997" "^ST\*997|^AK" "$tmp/acks"
  "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
  hasnt "$name: no order" "4Z32PABC" "$tmp/orders"
  ls "$RP/quarantine" > "$tmp/q"
  has "$name: the file is quarantined" "$file$" "$tmp/q"
  local reason
  reason=$(ls "$RP"/quarantine/*"$file".reason 2>/dev/null | head -1)
  if [ -n "$reason" ]; then
    has "$name: the reason names the id found" "'$found'" "$reason"
    has "$name: the reason names the id expected" "expected '$want'" "$reason"
  else
    no "$name: a .reason beside it" "$tmp/q"
  fi
  ls "$RP/archive" > "$tmp/a" 2>/dev/null
  hasnt "$name: not archived as processed" "$file$" "$tmp/a"
}

exits "init" 0 "$W" init "$ws"
RP=$ws/partners/amazon-rp

CTL=000000101 SED='1s/\*ZZ\*ACMEVENDOR     \*/*ZZ*STRANGER       */'
refused "receiver not us" stranger-to.edi 008 STRANGER ACMEVENDOR
CTL=000000102 SED='1s/\*01\*ACMEVENDOR     \*/&/; 1s/\*ZZ\*ACMEVENDOR     \*/*01*ACMEVENDOR     */'
refused "receiver qualifier not ours" qual-to.edi 007 01 ZZ
CTL=000000103 SED='1s/\*ZZ\*AMAZON         \*/*ZZ*EVILCORP       */'
refused "sender not the partner" evil-from.edi 006 EVILCORP AMAZON
hasnt "nothing is addressed to the stranger" "EVILCORP" "$tmp/acks"
CTL=000000104 SED='1s/\*ZZ\*AMAZON         \*/*14*AMAZON         */'
refused "sender qualifier not the partner's" qual-from.edi 005 14 ZZ

# the partner's own interchange with a control number a stranger used: processed
variant "$G/amazon-rp-850.edi" 000000103 "$RP/inbound/real.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "a stranger's control number does not make the partner's a duplicate" "4Z32PABC" "$tmp/orders"
cat "$RP"/outbound/* > "$tmp/acks"
has "the partner's interchange gets its 997" "^AK9\*A\*1\*1\*1~" "$tmp/acks"

# GS ids, once group-id is configured (a new workspace: the PO is new there)
rm -rf "$ws"
exits "init again" 0 "$W" init "$ws"
sed -i -e 's|<interchange qualifier="ZZ" id="ACMEVENDOR"/>|<interchange qualifier="ZZ" id="ACMEVENDOR" group-id="ACMEVENDOR"/>|' \
       -e 's|<interchange qualifier="ZZ" id="AMAZON"/>|<interchange qualifier="ZZ" id="AMAZON" group-id="AMAZON"/>|' "$ws/wharf.xml"
CTL=000000201 SED='s/^GS\*PO\*AMAZON\*/GS*PO*OTHERCO*/'
refused "GS02 not the partner's group id" gs-from.edi 024 OTHERCO AMAZON
CTL=000000202 SED='s/^GS\*PO\*AMAZON\*ACMEVENDOR\*/GS*PO*AMAZON*SOMEONE*/'
refused "GS03 not our group id" gs-to.edi 024 SOMEONE ACMEVENDOR
variant "$G/amazon-rp-850.edi" 000000203 "$RP/inbound/real.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "with group ids configured, the partner's own groups are processed" "4Z32PABC" "$tmp/orders"

# an unreadable ISA: the TA1 carries our id and the partner's, not UNKNOWN
rm -f "$RP"/outbound/*
printf 'ISA*00*garbage~\n' > "$RP/inbound/broken.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
cat "$RP"/outbound/* > "$tmp/acks" 2>/dev/null
has "a broken ISA gets a TA1" "^TA1\*" "$tmp/acks"
has "the TA1 for a broken ISA comes from us to the partner" "^ISA\*00\*          \*00\*          \*ZZ\*ACMEVENDOR     \*ZZ\*AMAZON         \*" "$tmp/acks"
hasnt "no UNKNOWN in it" "UNKNOWN" "$tmp/acks"
rm -f "$RP"/outbound/*
printf 'this is not X12 at all\n' > "$RP/inbound/garbage.edi"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
cat "$RP"/outbound/* > "$tmp/acks" 2>/dev/null
has "a file with no ISA gets a TA1 from us to the partner" "^ISA\*00\*          \*00\*          \*ZZ\*ACMEVENDOR     \*ZZ\*AMAZON         \*" "$tmp/acks"
# the command line without a workspace keeps its UNKNOWN (nobody configured)
"$W" edi ack "$RP/quarantine/"*garbage.edi > "$tmp/out" 2>&1
has "edi ack without a workspace still says UNKNOWN" "UNKNOWN" "$tmp/out"

echo "# $n tests"
