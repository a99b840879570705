#!/usr/bin/env bash
# `make bench`, issue 16: AS2 messages per second on loopback, each signed
# (SHA-256), encrypted (AES-256-CBC), POSTed and answered with a signed
# synchronous MDN whose signature and MIC the sender verifies. Two
# workspaces as in tests/integration/as2.sh: A sends N DF 850s
# (BENCH_AS2_MESSAGES, default 300, each with its own PO number) from its
# outbox in one `wharf run --once` (timed wall-clock); B is `wharf serve`
# with its <as2> listener (which stores each, answers, and runs its inbound
# pass: the 850 becomes an order, as in production). Then 20 more go
# through a byte-counting relay (tests/as2/relay.py) for the size on the
# wire: request (headers and body) and receipt (headers and MDN) against
# the payload. Figures, not assertions, except a FAIL line (exit 1) when a
# message is not accepted or not stored in B exactly once.
# Usage: tests/bench/as2.sh [WHARF] (default build/wharf). Needs python3 and sqlite3.
set -u
for t in python3 sqlite3; do
  command -v $t > /dev/null || { echo "as2: skipped (no $t; scripts/deps.sh --tests installs it)"; exit 0; }
done
W=$(cd "$(dirname "${1:-build/wharf}")" && pwd)/$(basename "${1:-build/wharf}")
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_AS2_MESSAGES:-300}
M=20
tmp=$(mktemp -d)
A=$tmp/a B=$tmp/b
BPID= RPID=
trap 'for p in $BPID $RPID; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done; [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
say() { printf 'as2: %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PA=$(free_port) PB=$(free_port) PR=$(free_port)
"$W" init "$A" > /dev/null 2>&1 && "$W" init "$B" > /dev/null 2>&1 || { say "FAIL wharf init"; exit 1; }
as2() {  # as2 WS LISTEN_PORT PEER_PORT AS2_ID OUR_ID
  sed -i "s|<transport kind=\"files\" dir=\"partners/amazon-df\"/>|<transport kind=\"as2\" url=\"http://127.0.0.1:$3/as2\" as2-id=\"$4\" our-as2-id=\"$5\" sign=\"sha256\" encrypt=\"aes256-cbc\" mdn=\"sync\" mdn-sign=\"sha256\" partner-cert=\"certs/peer.pem\"/>|; 0,/<partner /s|<partner |<as2 listen=\"127.0.0.1:$2\" path=\"/as2\"/>\n  <partner |" "$1/wharf.xml"
}
as2 "$B" "$PB" "$PA" AMAZONDS ACMEVENDOR
as2 "$A" "$PA" "$PB" ACMEVENDOR AMAZONDS
for ws in "$A" "$B"; do "$W" certs new amazon-df -w "$ws" > /dev/null 2>&1 || { say "FAIL certs new"; exit 1; }; done
"$W" certs export amazon-df -w "$A" > "$tmp/a.pem" && "$W" certs export amazon-df -w "$B" > "$tmp/b.pem" \
  && "$W" certs import amazon-df "$tmp/b.pem" -w "$A" > /dev/null 2>&1 && "$W" certs import amazon-df "$tmp/a.pem" -w "$B" > /dev/null 2>&1 \
  || { say "FAIL certificates"; exit 1; }
# N + M DF POs, one interchange each: the sample with its PO and control numbers changed
mkdir -p "$tmp/po"
python3 - "$((N + M))" tests/golden/x12/amazon-df-850.edi "$tmp/po" <<'PY'
import re, sys
n, src, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = open(src).read()
for i in range(n):
    c = 100000 + i
    t = s.replace('TVd4wGZnR', 'A%08d' % i)
    t = re.sub(r'(ISA\*(?:[^*]*\*){12})\d{9}', lambda m: m.group(1) + '%09d' % c, t, count=1)
    t = re.sub(r'(IEA\*1\*)\d+', lambda m: m.group(1) + '%09d' % c, t, count=1)
    open('%s/po%06d.edi' % (out, i), 'w').write(t)
PY
queue() {  # queue FROM TO: outbox messages FROM..TO-1 in A
  python3 - "$A/wharf.db" "$tmp/po" "$1" "$2" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10)
for i in range(int(sys.argv[3]), int(sys.argv[4])):
    b = open('%s/po%06d.edi' % (sys.argv[2], i), 'rb').read()
    db.execute("INSERT INTO outbox (partner, kind, name, bytes, created, next_try) VALUES ('amazon-df', '850', ?, ?, ?, 0)",
               ('po%06d.edi' % i, b, int(time.time())))
db.commit()
PY
}
queue 0 "$N"
WHARF_POLL_SECONDS=3600 "$W" serve -w "$B" > "$tmp/b.log" 2>&1 &
BPID=$!
for _ in $(seq 100); do grep -q "as2: listening" "$tmp/b.log" && break; sleep 0.1; done
sleep 0.5
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$tmp/rss" "$W" run --once -w "$A" > "$tmp/run1" 2>&1
end=$(date +%s.%N)
# the size on the wire: M more through the counting relay
python3 tests/as2/relay.py "$PR" "$PB" "$tmp/bytes" &
RPID=$!
for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$PR") 2> /dev/null && break; sleep 0.1; done
sed -i "s|url=\"http://127.0.0.1:$PB/as2\"|url=\"http://127.0.0.1:$PR/as2\"|" "$A/wharf.xml"
queue "$N" "$((N + M))"
"$W" run --once -w "$A" > "$tmp/run2" 2>&1
for _ in $(seq 50); do [ -s "$tmp/bytes" ] && [ "$(cut -d' ' -f3 "$tmp/bytes")" -ge 0 ] && break; sleep 0.1; done
sleep 0.3
brss=$(awk '/VmHWM/ {print $2}' "/proc/$BPID/status" 2> /dev/null)
python3 - "$A/wharf.db" "$B/wharf.db" "$N" "$M" "$start" "$end" "$(cat "$tmp/rss")" "${brss:-0}" "$tmp/bytes" <<'PY'
import sqlite3, sys
a, b = sqlite3.connect(sys.argv[1], timeout=10), sqlite3.connect(sys.argv[2], timeout=10)
n, m, t0, t1, rss, brss = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
up, down, conns = (open(sys.argv[9]).read().split() + ["0", "0", "0"])[:3]
up, down = int(up), int(down)
acc = a.execute("SELECT count(*) FROM outbox WHERE kind = '850' AND status = 'accepted'").fetchone()[0]
payload = a.execute("SELECT avg(length(bytes)) FROM outbox WHERE kind = '850' AND name >= 'po%06d.edi'" % n).fetchone()[0] or 0
stored = b.execute("SELECT count(*), count(DISTINCT name) FROM raw WHERE partner = 'amazon-df' AND direction = 'in'").fetchone()
dt = t1 - t0
print("as2: %d messages signed (SHA-256), encrypted (AES-256-CBC), POSTed and answered with a signed sync MDN, "
      "verified: %.1f s wall, %.1f messages/s, %d MB peak RSS sending, %d MB receiving" % (n, dt, n / dt, rss // 1024, brss // 1024))
if payload and up:
    req, rec = up / m, down / m
    print("as2: on the wire (%d messages through a counting relay): payload %.0f bytes, request %.0f bytes "
          "(+%.0f%%), receipt %.0f bytes; both ways %.0f bytes a message (%.1fx the payload)"
          % (m, payload, req, 100 * (req - payload) / payload, rec, req + rec, (req + rec) / payload))
if acc != n + m or stored[0] != n + m or stored[1] != n + m:
    print("as2: FAIL %d of %d accepted, %d stored in B (%d names)" % (acc, n + m, stored[0], stored[1]))
    sys.exit(1)
print("as2: every message accepted by its verified receipt and stored once")
PY
