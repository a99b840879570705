#!/usr/bin/env bash
# Integration tests of status read-back: a partner's 997/999 moves the 855s
# we sent to accepted or rejected (matched by our GS06 and ST02, with the
# AK3/AK4 detail in plain words), a 997 for a group we never sent is kept
# and warned about, an 864 is kept with the document it refers to, and
# `wharf documents` and `wharf status` show it all. The clock moves with
# WHARF_NOW. Usage: readback.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"

valid() {  # valid NAME FILE [--guide G]: wharf edi validate says it is clean
  if "$W" edi validate "${@:3}" "$2" > "$tmp/val" 2>&1; then ok "$1"; else no "$1" "$tmp/val"; fi
}

# fa FILE ISA13 GS06 SEGMENT...: a 997 from Amazon (004010), ST02 0001
fa() {
  local f=$1 isa=$2 gs=$3; shift 3
  {
    printf 'ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     *250102*0100*U*00401*%09d*0*P*>~\n' "$isa"
    printf 'GS*FA*AMAZON*ACMEVENDOR*20250102*0100*%s*X*004010~\nST*997*0001~\n' "$gs"
    printf '%s~\n' "$@"
    printf 'SE*%d*0001~\nGE*1*%s~\nIEA*1*%09d~\n' $(($# + 2)) "$gs" "$isa"
  } > "$f"
}

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
cp "$G/amazon-rp-850.edi" "$RP/inbound/po.edi"
cp "$G/amazon-rp-850-multi.edi" "$RP/inbound/multi.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
for po in 4Z32PABC 4Z32PABD 4Z32PABE 5KQ7TWXM; do
  at 2025-01-01T01:00:00Z "$W" orders approve $po -w "$ws" > /dev/null 2>&1
done
at 2025-01-01T01:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "four 855s queued and sent" "^4 acknowledgments queued, 4 messages sent" "$tmp/out"
gs_of() { grep -h '^GS\*' "$RP"/outbound/*855-"$1"-* | cut -d'*' -f7; }
st_of() { grep -h '^ST\*855' "$RP"/outbound/*855-"$1"-* | cut -d'*' -f3 | tr -d '~'; }
gsA=$(gs_of 4Z32PABC) stA=$(st_of 4Z32PABC)
gsB=$(gs_of 4Z32PABD) stB=$(st_of 4Z32PABD)
gsC=$(gs_of 4Z32PABE) stC=$(st_of 4Z32PABE)
gsD=$(gs_of 5KQ7TWXM) stD=$(st_of 5KQ7TWXM)
[ -n "$gsA$stA" ] && [ "$gsA" != "$gsB" ] && ok "our GS06/ST02 read from the 855s ($gsA/$stA $gsB/$stB $gsC/$stC $gsD/$stD)" || no "our GS06/ST02 read from the 855s"
"$W" documents --kind 855 -w "$ws" > "$tmp/out" 2>&1
[ "$(grep -cE ' outbound 855 .* sent ' "$tmp/out")" = 4 ] && ok "documents: the four 855s are sent" || no "documents: the four 855s are sent" "$tmp/out"

# the partner's answers: A accepted, B rejected with AK3/AK4, C rejected by
# AK9 alone (AK102 with leading zeros), D by a 999 accepted with errors, and
# a group we never sent
fa "$tmp/1-acc.edi" 101 101 "AK1*PR*$gsA" "AK2*855*$stA" "AK5*A" "AK9*A*1*1*1"
fa "$tmp/2-rej.edi" 102 102 "AK1*PR*$gsB" "AK2*855*$stB" "AK3*N1*12*N1*8" "AK4*4*67*7*XX" "AK5*R*5" "AK9*R*1*1*0"
fa "$tmp/3-grp.edi" 103 103 "AK1*PR*0000$gsC" "AK9*R*1*1*0*5"
fa "$tmp/5-unknown.edi" 105 105 "AK1*PR*999999" "AK2*855*0999" "AK5*A" "AK9*A*1*1*1"
cat > "$tmp/4-999.edi" <<EOF
ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     *250102*0100*^*00501*000000104*0*P*>~
GS*FA*AMAZON*ACMEVENDOR*20250102*0100*104*X*005010X231A1~
ST*999*0001*005010X231A1~
AK1*PR*$gsD*004010~
AK2*855*$stD~
IK3*PO1*5**8~
IK4*2*330*6*1X2~
IK5*E*I5~
AK9*E*1*1*1~
SE*8*0001~
GE*1*104~
IEA*1*000000104~
EOF
for f in 1-acc 2-rej 3-grp 5-unknown; do valid "the 997 $f is valid" "$tmp/$f.edi" --guide x12/004010/997; done
valid "the 999 is valid" "$tmp/4-999.edi"
cp "$tmp"/[1-5]-*.edi "$RP/inbound/"
at 2025-01-02T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1 && ok "run --once reads the 997s" || no "run --once reads the 997s" "$tmp/run"
has "  every 997 and the 999 is accepted by the guides" "^5 files .* 5 sets: 5 accepted, 0 rejected" "$tmp/run"

at 2025-01-02T00:00:00Z "$W" documents --about 4Z32PABC --kind 855 -w "$ws" > "$tmp/a" 2>&1
has "997 AK5 A: the 855 is accepted" "outbound 855 +4Z32PABC +accepted +$gsA/$stA" "$tmp/a"
has "  the 997 is shown about it" "^  [0-9]+ .* in +997 .* about #" "$tmp/a"
has "  with what it said" "855 4Z32PABC GS $gsA ST $stA accepted$" "$tmp/a"

at 2025-01-02T00:00:00Z "$W" documents --about 4Z32PABD --kind 855 -w "$ws" > "$tmp/b" 2>&1
has "997 AK5 R: the 855 is rejected" "outbound 855 +4Z32PABD +rejected" "$tmp/b"
has "  the detail names AK3 and AK4 in plain words" "rejected: AK3 N1 at segment 12 \(loop N1\): 8 segment has data element errors; AK4 element 4 \(ref 67\): 7 invalid code value 'XX'; AK5 R: rejected, 5 one or more segments in error" "$tmp/b"
has "  the rejection is logged as a warning with partner, kind, ref and detail" "warn +amazon-rp: 855 4Z32PABD rejected by the partner's 997 0001: AK3 N1 at segment 12" "$tmp/run"

at 2025-01-02T00:00:00Z "$W" documents --about 4Z32PABE --kind 855 -w "$ws" > "$tmp/c" 2>&1
has "997 without AK2: AK9 R rejects the group's 855 (AK102 with leading zeros)" "outbound 855 +4Z32PABE +rejected" "$tmp/c"
has "  with the AK9 codes" "rejected: AK9 R: rejected, 5 number of included transaction sets does not match actual count" "$tmp/c"

at 2025-01-02T00:00:00Z "$W" documents --about 5KQ7TWXM --kind 855 -w "$ws" > "$tmp/d" 2>&1
has "999 IK5 E: the 855 is accepted" "outbound 855 +5KQ7TWXM +accepted" "$tmp/d"
has "  the 999 says what it noted (IK3/IK4)" "in +999 .* about #" "$tmp/d"
has "  in plain words" "accepted: IK3 PO1 at segment 5: 8 segment has data element errors; IK4 element 2 \(ref 330\): 6 invalid character in data element '1X2'; IK5 E: accepted but errors were noted, I5" "$tmp/d"

has "a 997 for a group we never sent is warned about, naming the group" "warn +amazon-rp: 997 0001 acknowledges group 999999 \(PR\), which matches nothing we sent: kept" "$tmp/run"
at 2025-01-02T00:00:00Z "$W" documents --kind 997 -w "$ws" > "$tmp/k" 2>&1
has "  and kept" "group 999999: nothing we sent matches" "$tmp/k"
[ "$(grep -cE ' in +997 ' "$tmp/k")" = 4 ] && ok "  four 997 documents kept" || no "  four 997 documents kept" "$tmp/k"

# an 864 refers to the rejected 855 by REF*PO; another one to nothing we know
m864() {  # m864 FILE ISA13 REFQUAL REF
  cat > "$1" <<EOF
ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     *250103*0100*U*00401*$(printf %09d "$2")*0*P*>~
GS*TX*AMAZON*ACMEVENDOR*20250103*0100*$2*X*004010~
ST*864*0001~
BMG*00*Acknowledgment problem~
DTM*097*20250103~
N1*ST*Amazon~
REF*$3*$4~
MIT*$4*855 rejected~
MSG*Line 3 was rejected: the product is obsolete.~
MSG*Please send a corrected acknowledgment.~
SE*9*0001~
GE*1*$2~
IEA*1*$(printf %09d "$2")~
EOF
}
m864 "$tmp/6-864.edi" 201 PO 4Z32PABD
m864 "$tmp/7-864.edi" 202 IV NOSUCHINV
valid "the 864 is valid by the 004010 864 guide" "$tmp/6-864.edi" --guide x12/004010/864
valid "the other 864 too" "$tmp/7-864.edi" --guide x12/004010/864
cp "$tmp/6-864.edi" "$tmp/7-864.edi" "$RP/inbound/"
at 2025-01-03T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "the 864 is logged at info with what it refers to" "info +amazon-rp: 864 0001 about 855 4Z32PABD \(rejected\): 855 rejected" "$tmp/run"
has "an 864 about nothing we know is logged and kept" "864 0001 about IV NOSUCHINV, which matches nothing we know: kept" "$tmp/run"
at 2025-01-03T00:00:00Z "$W" documents --about 4Z32PABD -w "$ws" > "$tmp/b" 2>&1
awk '/outbound 855 +4Z32PABD/{f=1} f' "$tmp/b" > "$tmp/b855"
has "the 864 is shown with the document it refers to" "^  [0-9]+ .* in +864 .* about #" "$tmp/b855"
has "  with its text" "^      Line 3 was rejected: the product is obsolete\.$" "$tmp/b855"
has "  every line of it" "^      Please send a corrected acknowledgment\.$" "$tmp/b855"
has "  and the 997 that rejected it" "^  [0-9]+ .* in +997 " "$tmp/b855"
has "  the PO's own 850 is listed too" " in +850 +4Z32PABD " "$tmp/b"
at 2025-01-03T00:00:00Z "$W" documents --about 4Z32PABD --kind 855 --json -w "$ws" > "$tmp/j" 2>&1
has "documents --json: the 864's text" '"text": "855 rejected\\nLine 3 was rejected: the product is obsolete.\\nPlease send a corrected acknowledgment."' "$tmp/j"
has "  under about_it" '"about_it": \[' "$tmp/j"
at 2025-01-03T00:00:00Z "$W" documents --kind 864 -w "$ws" > "$tmp/k" 2>&1
[ "$(grep -cE ' in +864 ' "$tmp/k")" = 2 ] && ok "documents --kind 864: both kept" || no "documents --kind 864: both kept" "$tmp/k"

# status: the rejected 855s with their detail, and the 864s counted
at 2025-01-03T00:00:00Z "$W" status -w "$ws" > "$tmp/s" 2>&1
has "status shows a rejected 855 with its detail" "amazon-rp 855 4Z32PABD GS $gsB ST $stB rejected: AK3 N1 at segment 12" "$tmp/s"
has "  and the one the group rejected" "amazon-rp 855 4Z32PABE GS $gsC ST $stC rejected: AK9 R" "$tmp/s"
hasnt "  not the accepted ones" "855 4Z32PABC GS" "$tmp/s"
has "  and counts the 864s" "^text messages \(864\) received: 2" "$tmp/s"
at 2025-01-03T00:00:00Z "$W" status --json -w "$ws" > "$tmp/s" 2>&1
has "status --json: the 864 count" '"messages_864": 2' "$tmp/s"

# idempotent: the same file again is refused; the same 997 resent changes nothing
at 2025-01-03T00:00:00Z "$W" documents --json -w "$ws" > "$tmp/before" 2>&1
cp "$tmp/1-acc.edi" "$RP/inbound/again.edi"
at 2025-01-04T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "the same 997 file again is refused" "received before" "$tmp/run"
at 2025-01-03T00:00:00Z "$W" documents --json -w "$ws" > "$tmp/after" 2>&1
cmp -s "$tmp/before" "$tmp/after" && ok "  and nothing is added or changed" || { diff "$tmp/before" "$tmp/after" > "$tmp/diff"; no "  and nothing is added or changed" "$tmp/diff"; }
fa "$tmp/8-resent.edi" 108 108 "AK1*PR*$gsA" "AK2*855*$stA" "AK5*A" "AK9*A*1*1*1"
cp "$tmp/8-resent.edi" "$RP/inbound/"
at 2025-01-05T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
has "the same 997 resent in another interchange is read" "855 4Z32PABC accepted by the partner's 997 0001 \(again\)" "$tmp/run"
at 2025-01-05T00:00:00Z "$W" documents --about 4Z32PABC --kind 855 --json -w "$ws" > "$tmp/j" 2>&1
grep -m1 '"updated"' "$tmp/j" > "$tmp/upd"
has "  the 855 is left as it was (not updated again)" '"updated": 1735776000' "$tmp/upd"

# usage
at 2025-01-05T00:00:00Z "$W" documents --about NOSUCH -w "$ws" > "$tmp/out" 2>&1
[ $? = 1 ] && ok "documents --about an unknown ref exits 1" || no "documents --about an unknown ref exits 1" "$tmp/out"
"$W" documents --kind -w "$ws" > "$tmp/out" 2>&1
[ $? = 2 ] && ok "documents --kind without a value exits 2" || no "documents --kind without a value exits 2" "$tmp/out"
"$W" help documents > "$tmp/out" 2>&1
has "wharf help documents" "^usage: wharf documents" "$tmp/out"
