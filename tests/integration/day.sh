#!/usr/bin/env bash
# A full business day under a fake clock (WHARF_NOW), driven the way a
# cron'd `wharf run --once` would drive it: POs arrive, acknowledgments go
# out, the warehouse's packing lists ship, the scheduled invoice runs bill
# (RP at 18:00, DF at 19:00, as `wharf init` sets them), and Amazon's 997s
# come back for everything we sent. At the end every outbound document,
# order and invoice is in the state it must be in.
# Usage: day.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
unset WHARF_POLL_SECONDS

D=2025-03-03
run() {  # run HH:MM: one pass at that time of the day
  WHARF_NOW=${D}T$1:00Z "$W" run --once -w "$ws" > "$tmp/run-$1" 2>&1 || no "run --once at $1" "$tmp/run-$1"
}
at() { WHARF_NOW=${D}T$1:00Z "${@:2}"; }

# Amazon's 997 for each of our interchanges in outbound/ not answered yet:
# accepted, or rejected (AK5 R with an AK3/AK4) for the sets named in $REJECT
ctl=8000
answer() {  # answer PARTNER-DIR SENDER HHMM
  local dir=$1 sender=$2 hhmm=$3 f
  for f in "$dir"/outbound/*.edi; do
    [ -e "$f" ] || continue
    grep -q "^$(basename "$f")$" "$tmp/answered" 2>/dev/null && continue
    echo "$(basename "$f")" >> "$tmp/answered"
    local gs st set
    gs=$(tr '~' '\n' < "$f" | awk -F'*' '$1 == "GS" { print $2 "*" $7 }')
    st=$(tr '~' '\n' < "$f" | awk -F'*' '$1 == "ST" { print $2 "*" $3 }')
    set=${st%%\**}
    [ "$set" = 997 ] && continue
    ctl=$((ctl + 1))
    local ak5="AK5*A~" ak9="AK9*A*1*1*1~" nseg=6
    if echo " ${REJECT:-} " | grep -q " $(basename "$f") "; then
      ak5="AK3*TD5*4**8~AK4*3**7*ZZZZ~AK5*R*5~"; ak9="AK9*R*1*1*0~"; nseg=8
    fi
    printf 'ISA*00*          *00*          *ZZ*%-15s*ZZ*ACMEVENDOR     *250303*%s*U*00401*%09d*0*P*>~\n' "$sender" "$hhmm" "$ctl"
    printf 'GS*FA*%s*ACMEVENDOR*20250303*%s*%d*X*004010~\n' "$sender" "$hhmm" "$ctl"
    printf 'ST*997*0001~\nAK1*%s~\nAK2*%s~\n%s\n%s\n' "$gs" "$st" "$ak5" "$ak9"
    printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$nseg" "$ctl" "$ctl"
  done > "$tmp/997.edi"
  [ -s "$tmp/997.edi" ] && cp "$tmp/997.edi" "$dir/inbound/997-$hhmm-$(basename "$dir").edi"
  return 0
}
state_of() {  # state_of KIND REF: the state of our outbound document
  at 23:59 "$W" documents --json -w "$ws" 2>/dev/null | tr -d ' \n' | tr '{' '\n' |
    grep "\"kind\":\"$1\"" | grep "\"direction\":\"outbound\"" | grep "\"ref\":\"$2\"" |
    sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p' | head -1
}

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df

# 00:05 the first pass of the day: nothing to do
run 00:05
has "00:05 a quiet start" "^0 files" "$tmp/run-00:05"

# 06:00 the POs arrive
cp "$G/amazon-rp-850.edi" "$RP/inbound/a.edi"
cp "$G/amazon-rp-850-multi.edi" "$RP/inbound/b.edi"
cp "$G/amazon-df-850.edi" "$DF/inbound/a.edi"
run 06:00
has "06:00 five POs become orders" "orders: 5 created" "$tmp/run-06:00"
ls "$RP/outbound" > "$tmp/ls"
has "06:00 the 997s for the POs go out" "997" "$tmp/ls"
has "06:00 DF is acknowledged on arrival" "855" <(ls "$DF/outbound")

# 07:10 the buyer approves two RP POs; the 07:30 pass sends their 855s
at 07:10 "$W" orders approve 4Z32PABC -w "$ws" > /dev/null 2>&1
at 07:10 "$W" orders approve 4Z32PABD -w "$ws" > /dev/null 2>&1
run 07:30
has "07:30 two RP 855s go out" "acks queued 2" "$tmp/run-07:30"

# 09:00 Amazon's 997s for everything so far
answer "$RP" AMAZON 0900; answer "$DF" AMAZONDS 0900
run 09:00
[ "$(state_of 855 4Z32PABC)" = accepted ] && ok "09:00 the 855 for 4Z32PABC is accepted" || no "855 4Z32PABC: $(state_of 855 4Z32PABC)"
[ "$(state_of 855 TVd4wGZnR)" = accepted ] && ok "09:00 the DF 855 is accepted" || no "DF 855: $(state_of 855 TVd4wGZnR)"

# 13:00 the warehouse ships: packing lists dropped in erp/in
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,shipment_id\n4Z32PABC,1,24,C1,NJ1,2025-03-03,ODFL,BOL1,ASN-0303-1\n4Z32PABC,2,12,C2,NJ1,2025-03-03,ODFL,BOL1,ASN-0303-1\n4Z32PABC,3,6,C2,NJ1,2025-03-03,ODFL,BOL1,ASN-0303-1\n' > "$ws/erp/in/pack-1.csv"
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol,shipment_id\n4Z32PABD,1,48,D1,NJ1,2025-03-03,UPSN,BOL2,ASN-0303-2\n4Z32PABD,2,12,D2,NJ1,2025-03-03,UPSN,BOL2,ASN-0303-2\n' > "$ws/erp/in/pack-2.csv"
printf 'po_number,line_no,quantity,carton_id,warehouse,ship_date,tracking_number,weight_kg\nTVd4wGZnR,1,1,PKG1,NJ1,2025-03-03T12:40:00Z,1Z0303,2.5\nTVd4wGZnR,2,2,PKG1,NJ1,2025-03-03T12:40:00Z,1Z0303,2.5\n' > "$ws/erp/in/pack-df.csv"
run 13:00
has "13:00 three ship notices go out" "ship notices queued 3" "$tmp/run-13:00"
at 13:00 "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "13:00 4Z32PABC is shipped" "4Z32PABC +shipped" "$tmp/orders"

# 15:00 the 997s for the 856s: Amazon rejects the second ASN (a bad TD5)
REJECT=$(cd "$RP/outbound" && ls | grep -- '-856-ASN-0303-2-')
answer "$RP" AMAZON 1500; answer "$DF" AMAZONDS 1500
REJECT=
run 15:00
[ "$(state_of 856 ASN-0303-1)" = accepted ] && ok "15:00 ASN-0303-1 is accepted" || no "856 ASN-0303-1: $(state_of 856 ASN-0303-1)"
[ "$(state_of 856 ASN-0303-2)" = rejected ] && ok "15:00 ASN-0303-2 is rejected" || no "856 ASN-0303-2: $(state_of 856 ASN-0303-2)"
at 15:00 "$W" status -w "$ws" > "$tmp/status" 2>&1
has "15:00 status shows the rejection with its detail" "856 ASN-0303-2.*rejected|ASN-0303-2" "$tmp/status"

# 17:59 not yet: invoices go out on the partner's schedule only
run 17:59
hasnt "17:59 no invoice before the 18:00 run" "-810-" <(ls "$RP/outbound" "$DF/outbound")
# 18:00 the RP invoice run; 19:00 the DF one
run 18:00
[ "$(ls "$RP/outbound" | grep -c -- '-810-')" = 2 ] && ok "18:00 the RP invoice run bills both ASNs" || no "18:00 RP 810s" "$tmp/run-18:00"
hasnt "18:00 DF waits for its own run" "-810-" <(ls "$DF/outbound")
run 19:00
[ "$(ls "$DF/outbound" | grep -c -- '-810-')" = 1 ] && ok "19:00 the DF invoice run" || no "19:00 DF 810" "$tmp/run-19:00"
at 19:00 "$W" runs list --json --limit 0 -w "$ws" > "$tmp/runs" 2>&1
has "the runs record the invoice run's work" '"counts": "invoices=2 held=0 sent=2' "$tmp/runs"

# 20:00 the 997s for the invoices
answer "$RP" AMAZON 2000; answer "$DF" AMAZONDS 2000
run 20:00

# ---- the end of the day ------------------------------------------------------------------
for doc in "855 4Z32PABC" "855 4Z32PABD" "855 TVd4wGZnR" "856 ASN-0303-1" "856 TVd4wGZnR"; do
  [ "$(state_of $doc)" = accepted ] && ok "end: $doc accepted" || no "end: $doc is $(state_of $doc)"
done
[ "$(state_of 856 ASN-0303-2)" = rejected ] && ok "end: 856 ASN-0303-2 rejected" || no "end: 856 ASN-0303-2"
at 23:59 "$W" invoices list -w "$ws" > "$tmp/inv" 2>&1
[ "$(grep -c ' accepted ' "$tmp/inv")" = 3 ] && ok "end: three invoices accepted" || no "end: invoices" "$tmp/inv"
at 23:59 "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "end: 4Z32PABC invoiced" "4Z32PABC +invoiced" "$tmp/orders"
has "end: 4Z32PABD invoiced" "4Z32PABD +invoiced" "$tmp/orders"
has "end: the DF order invoiced" "TVd4wGZnR +invoiced" "$tmp/orders"
has "end: the unapproved PO still waits" "4Z32PABE +pending-approval" "$tmp/orders"
at 23:59 "$W" documents --state queued -w "$ws" > "$tmp/q" 2>&1
hasnt "end: nothing is left queued" "outbound" "$tmp/q"
