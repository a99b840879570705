#!/usr/bin/env bash
# The AS2 transport (issue 16): two wharf workspaces talking AS2 to each
# other on loopback, each `wharf serve` with its <as2> listener on a free
# port. B is the vendor (wharf init's DF partner switched to AS2, sync
# receipts); A plays Amazon (the same partnership seen from the other side,
# async receipts). Checked:
#   - wharf certs new / export / import / list on both sides;
#   - an 850 A sends lands in B as an order; B's 997 and 855 come back to A;
#     every receipt positive, signed, with the MIC each sender computed, and
#     the Message-ID kept in as2_messages;
#   - B down: A's send fails, nothing is lost; B back: it goes once, with
#     the same Message-ID;
#   - the same Message-ID POSTed again: a duplicate-document warning, and
#     it is not stored twice;
#   - an arrival wakes its partner's inbound pass: with passes every 120 s,
#     A's next 850 is an order in B within seconds; the async receipt B
#     then owes A (down) is counted apart in `wharf status`.
set -u
. "$(dirname "$0")/lib.bash" "$@"

if ! command -v sqlite3 > /dev/null || ! command -v curl > /dev/null; then
  skip 26 "sqlite3 or curl is not installed (scripts/deps.sh --tests)"
  exit 0
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PA=$(free_port) PB=$(free_port)
A=$tmp/a B=$ws
"$W" init "$A" > /dev/null 2>&1 && "$W" init "$B" > /dev/null 2>&1 || { no "init"; exit 0; }
# B: the vendor; A: Amazon's side of the same partnership
as2() {  # as2 WS LISTEN_PORT PEER_PORT AS2_ID OUR_ID MDN
  sed -i "s|<transport kind=\"files\" dir=\"partners/amazon-df\"/>|<transport kind=\"as2\" url=\"http://127.0.0.1:$3/as2\" as2-id=\"$4\" our-as2-id=\"$5\" sign=\"sha256\" encrypt=\"aes256-cbc\" mdn=\"$6\" mdn-sign=\"sha256\" mdn-timeout=\"30\" partner-cert=\"certs/peer.pem\"/>|; 0,/<partner /s|<partner |<as2 listen=\"127.0.0.1:$2\" path=\"/as2\"/>\n  <partner |" "$1/wharf.xml"
}
as2 "$B" "$PB" "$PA" AMAZONDS ACMEVENDOR sync
as2 "$A" "$PA" "$PB" ACMEVENDOR AMAZONDS async
# A's X12 ids are Amazon's: what B sends is addressed to it
sed -i 's|<interchange qualifier="ZZ" id="ACMEVENDOR"/>|<interchange qualifier="ZZ" id="AMAZONDS-X"/>|; s|<interchange qualifier="ZZ" id="AMAZONDS"/>|<interchange qualifier="ZZ" id="ACMEVENDOR"/>|; s|id="AMAZONDS-X"|id="AMAZONDS"|' "$A/wharf.xml"
grep -q 'kind="as2"' "$B/wharf.xml" && grep -q '<as2 listen' "$A/wharf.xml" && ok "both workspaces have the as2 transport" || no "as2 config" "$B/wharf.xml"

"$W" certs new amazon-df -w "$A" > "$tmp/out" 2>&1 && "$W" certs new amazon-df -w "$B" >> "$tmp/out" 2>&1 \
  && ok "certs new on both sides" || no "certs new" "$tmp/out"
has "certs new says where the key and certificate are" "our current AS2 key \(vault secret as2-key\) and certificate .*certs/amazon-df.ours.pem" "$tmp/out"
"$W" certs export amazon-df -w "$A" > "$tmp/a.pem" && "$W" certs export amazon-df -w "$B" > "$tmp/b.pem" \
  && grep -q "BEGIN CERTIFICATE" "$tmp/a.pem" && ok "certs export prints our certificate as PEM" || no "certs export" "$tmp/a.pem"
grep -q "PRIVATE KEY" "$tmp/a.pem" "$A"/certs/* && no "no private key outside the vault" || ok "no private key outside the vault"
"$W" certs import amazon-df "$tmp/b.pem" -w "$A" > "$tmp/out" 2>&1 && "$W" certs import amazon-df "$tmp/a.pem" -w "$B" >> "$tmp/out" 2>&1 \
  && ok "certs import on both sides" || no "certs import" "$tmp/out"
"$W" certs list --json -w "$B" > "$tmp/list.json" 2>&1
python3 - "$tmp/list.json" "$tmp/a.pem" > "$tmp/out" 2>&1 <<'EOF' && ok "certs list --json: both sides current, the fingerprints openssl computes" || no "certs list" "$tmp/out"
import json, subprocess, sys
v = json.load(open(sys.argv[1]))
cur = {(c["side"], c["slot"]): c for c in v}
assert set(cur) == {("ours", "current"), ("partner", "current")}, cur
fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", sys.argv[2]], capture_output=True, text=True).stdout.split("=", 1)[1].strip()
assert cur[("partner", "current")]["sha256"] == fp, (cur, fp)
assert cur[("ours", "current")]["state"] == "valid" and cur[("ours", "current")]["days_left"] >= 700, cur
EOF

qa() { sqlite3 -cmd ".timeout 5000" "$A/wharf.db" "$@"; }
qb() { sqlite3 -cmd ".timeout 5000" "$B/wharf.db" "$@"; }
# A queues an 850 for B (as Amazon's outbox would hold it)
qa "INSERT INTO outbox (partner, kind, name, bytes, created, next_try) VALUES ('amazon-df', '850', 'po-df1.edi', readfile('$G/amazon-df-850.edi'), strftime('%s','now'), 0)"
apid= bpid=
# serve WS LOG: in the background, a pass every second; its pid in $!. Not
# in a $(...): a daemon started there is no child of this shell, and stop's
# wait would return at once, with the daemon still writing to its store
serve() {
  WHARF_POLL_SECONDS=1 "$W" serve -w "$1" > "$2" 2>&1 &
}
stop() { [ -n "$1" ] && kill "$1" 2> /dev/null && wait "$1" 2> /dev/null; }  # stop PID: until it has exited
trap 'stop "$apid"; stop "$bpid"; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
up() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
# B listens before A starts: A's first pass sends at once, and a send B
# cannot take yet waits out the back-off (a minute), longer than the checks
serve "$B" "$tmp/b.log"; bpid=$!
wait_for 60 up "$PB"
serve "$A" "$tmp/a.log"; apid=$!
wait_for 60 up "$PB" && wait_for 60 up "$PA" && ok "both listeners up" || no "listeners" "$tmp/b.log"
got_order() { [ "$(qb "SELECT count(*) FROM orders WHERE partner = 'amazon-df'")" -ge 1 ]; }
wait_for 60 got_order && ok "the 850 A sent over AS2 is an order in B" || no "order in B" "$tmp/b.log"
back() { [ "$(qa "SELECT count(*) FROM raw WHERE partner = 'amazon-df' AND direction = 'in'")" -ge 2 ]; }
wait_for 60 back && ok "B's 997 and 855 came back to A over AS2" || no "997/855 back in A" "$tmp/a.log"
a_ok() { [ "$(qa "SELECT status FROM as2_messages WHERE direction = 'out' AND outbox_id = 1")" = accepted ]; }
wait_for 60 a_ok && ok "A's 850: the async receipt B sent is positive, its MIC A's" || no "A's async receipt" "$tmp/a.log"
wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$A/wharf.db' \"SELECT status FROM outbox WHERE id = 1\")\" = accepted ]" \
  && ok "A's outbox message is accepted (status() read the receipt)" || no "A's outbox accepted" "$tmp/a.log"
qb "SELECT kind || ' ' || coalesce(status, '-') FROM outbox WHERE partner = 'amazon-df' AND kind IN ('997', '855')" > "$tmp/bsent"
[ "$(grep -c accepted "$tmp/bsent")" -ge 2 ] && ok "B's 997 and 855: sync receipts positive, signed, MIC matching" || no "B's sync receipts" "$tmp/bsent"
qa "SELECT message_id FROM as2_messages WHERE direction = 'out' AND outbox_id = 1" > "$tmp/mid"
grep -qE '^<wharf-1-[0-9a-f]{32}@[A-Za-z0-9.-]+>$' "$tmp/mid" && ok "A's Message-ID: <wharf-OUTBOX-RANDOM@HOST>" || no "Message-ID form" "$tmp/mid"
[ "$(qb "SELECT count(*) FROM as2_messages WHERE direction = 'in' AND message_id = '$(cat "$tmp/mid")' AND status = 'processed'")" = 1 ] \
  && ok "B recorded A's Message-ID as processed" || no "B's inbound record" "$tmp/b.log"
has "B's log: the message received, signed and encrypted" "as2: amazon-df: message <wharf-1-.*received: po-df1.edi, [0-9]+ bytes, signed, encrypted" "$tmp/b.log"

# B down: A's next message waits, nothing lost; B back: it goes once
stop "$bpid"; bpid=
qa "INSERT INTO outbox (partner, kind, name, bytes, created, next_try) VALUES ('amazon-df', '850', 'po-df2.edi', readfile('$G/amazon-df-850.edi') || 'x', strftime('%s','now'), 0)"
wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$A/wharf.db' \"SELECT attempts FROM outbox WHERE name = 'po-df2.edi'\")\" -ge 1 ]" \
  && ok "B down: A's send failed and is kept for a retry" || no "retry kept" "$tmp/a.log"
has "the failure is logged as a connection problem" "cannot send po-df2.edi" "$tmp/a.log"
mid2=$(qa "SELECT message_id FROM as2_messages WHERE outbox_id = (SELECT id FROM outbox WHERE name = 'po-df2.edi')")
serve "$B" "$tmp/b2.log"; bpid=$!
wait_for 60 up "$PB"
qa "UPDATE outbox SET next_try = 0 WHERE name = 'po-df2.edi'"   # the back-off, shortened
wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$B/wharf.db' \"SELECT count(*) FROM as2_messages WHERE direction = 'in' AND message_id = '$mid2'\")\" = 1 ]" \
  && ok "B back: the message arrived, with the Message-ID of the failed try" || no "resend after B is back" "$tmp/b2.log"
[ "$(qb "SELECT count(*) FROM raw WHERE partner = 'amazon-df' AND name = 'po-df2.edi'")" = 1 ] && ok "stored once in B" || no "stored once"

# the same Message-ID again (a sender that lost our answer): answered as a duplicate
stop "$apid"; apid=
qa "UPDATE as2_messages SET status = 'sending' WHERE message_id = '$mid2'"
qa "UPDATE outbox SET sent_at = NULL, next_try = 0, status = NULL WHERE name = 'po-df2.edi'"
"$W" run --once -w "$A" > "$tmp/out" 2>&1
[ "$(qb "SELECT count(*) FROM raw WHERE partner = 'amazon-df' AND name = 'po-df2.edi'")" = 1 ] && ok "the same Message-ID again: not stored twice" || no "duplicate stored"
has "B answered it as a duplicate" "message $mid2 again: answered as a duplicate, not processed again" "$tmp/b2.log"

# an arrival wakes its partner's pass: B with a pass every 120 s makes an
# order of A's next 850 within seconds (A down: B's async receipt waits)
stop "$bpid"
WHARF_POLL_SECONDS=120 "$W" serve -w "$B" > "$tmp/b3.log" 2>&1 &
bpid=$!
wait_for 60 up "$PB" && wait_for 60 grep -q "as2: listening" "$tmp/b3.log"
# its first pass (at start, which would take the message too) is over
wait_for 60 grep -q "first pass done" "$tmp/b3.log"
python3 - "$G/amazon-df-850.edi" "$tmp/po3.edi" <<'PY'
import re, sys
s = open(sys.argv[1]).read().replace("TVd4wGZnR", "WAKE00001")
s = re.sub(r"(ISA\*(?:[^*]*\*){12})\d{9}", lambda m: m.group(1) + "000000777", s, count=1)
s = re.sub(r"(IEA\*1\*)\d+", lambda m: m.group(1) + "000000777", s, count=1)
open(sys.argv[2], "w").write(s)
PY
qa "INSERT INTO outbox (partner, kind, name, bytes, created, next_try) VALUES ('amazon-df', '850', 'po-df3.edi', readfile('$tmp/po3.edi'), strftime('%s','now'), 0)"
t0=$(date +%s%N)
"$W" run --once -w "$A" > "$tmp/out" 2>&1
woke() { [ "$(qb "SELECT count(*) FROM orders WHERE partner = 'amazon-df' AND po_number = 'WAKE00001'")" = 1 ]; }
wait_for 60 woke; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
woke && [ "$ms" -lt 20000 ] && ok "an arrival wakes B's inbound pass: the 850 is an order $ms ms after A's send (passes every 120 s)" \
  || no "the 850 was not an order within 20 s ($ms ms)" "$tmp/b3.log"
# the wake logs its counts once its pass is over, after the order is committed
wait_for 60 grep -q "amazon-df: woken by an arrival: files=1 " "$tmp/b3.log"
has "B's log: woken by an arrival, one order" "amazon-df: woken by an arrival: files=1 .*orders=1" "$tmp/b3.log"
# the receipts B owes A (down): `wharf status` counts them apart from the outbox
wait_for 60 sh -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$B/wharf.db' \"SELECT count(*) FROM outbox WHERE kind = 'as2-mdn' AND sent_at IS NULL AND attempts > 0\")\" -ge 1 ]"
owed=$(qb "SELECT count(*) FROM outbox WHERE kind = 'as2-mdn' AND sent_at IS NULL")
due=$(qb "SELECT count(*) FROM outbox WHERE kind <> 'as2-mdn' AND sent_at IS NULL AND next_try <= strftime('%s','now')")
"$W" status -w "$B" > "$tmp/status" 2>&1
[ "$owed" -ge 1 ] && grep -qE "^  as2:receipts-owed +$owed$" "$tmp/status" && grep -qE "^  outbox:due +$due$" "$tmp/status" \
  && ok "wharf status: $owed AS2 receipt(s) owed, counted apart from the outbox ($due due)" || no "status receipts owed ($owed, due $due)" "$tmp/status"
has "  and its failing try among the last errors, with where it goes" "amazon-df AS2 receipt owed, to http://127.0.0.1:$PA/as2 attempt [0-9]+ failed" "$tmp/status"
echo "1..$n"
