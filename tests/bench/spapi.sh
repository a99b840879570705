#!/usr/bin/env bash
# `make bench`, issue 14: the time to pull and acknowledge N DF orders
# (BENCH_DF_ORDERS, default 1000) within Amazon's rate limits, against the
# local SP-API stand-in (tests/spapi/server.py, not Amazon) over TLS on
# loopback with its default limits (acknowledgements 10/s burst 10,
# getOrders 10/s, RDT 1/s burst 10). `wharf run --once` (pull, ack run,
# flush) is repeated until the stand-in holds an acknowledgement for every
# order; the whole of it is timed wall-clock.
# Usage: tests/bench/spapi.sh [WHARF] (default build/wharf; `make bench` runs
# it). Figures, not assertions, except a FAIL line (and exit 1) when a PO is
# not acknowledged exactly once. Needs python3 and openssl (else skipped).
# KEEP=1 keeps the temp folder (the runs' logs, the stand-in's request log).
set -u
for t in python3 openssl; do
  command -v $t > /dev/null || { echo "spapi: skipped (no $t; scripts/deps.sh --tests installs it)"; exit 0; }
done
W=$(cd "$(dirname "${1:-build/wharf}")" && pwd)/$(basename "${1:-build/wharf}")
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_DF_ORDERS:-1000}
MAX_RUNS=${BENCH_DF_RUNS:-$((N / 4 + 40))}
SRV=$PWD/tests/spapi/server.py
FIX=$PWD/tests/spapi/fixtures
CID=amzn1.application-oa2-client.0123456789abcdef0123456789abcdef
CSECRET=amzn1.oa2-cs.v1.BenchSecret000000000000000000000000000000000000000
REFRESH='Atzr|IwEBIBenchRefreshToken-0123456789abcdefghijklmnopqrstuvwxyz'
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "spapi: keeping $tmp"
ws=$tmp/ws
SRV_PID=
trap '[ -n "$SRV_PID" ] && { kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; }; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
say() { printf 'spapi: %s\n' "$*"; }
fail() { printf 'spapi: FAIL %s\n' "$1"; [ -n "${2:-}" ] && sed 's/^/spapi:   /' "$2" | tail -15; exit 1; }

# ---- a throwaway CA, a certificate for 127.0.0.1, the stand-in on TLS ---------
. "$PWD/tests/lib/standin.bash"
test_pki "$tmp/pki" || fail "a test CA and server certificate (openssl)" "$tmp/pki.log"
# --verbose: one stderr line per request, with its status (the 429s are counted from it)
python3 "$SRV" --port 0 --port-file "$tmp/port" --cert "$tmp/pki/srv.pem" --key "$tmp/pki/srv.key" \
  --client-id "$CID" --client-secret "$CSECRET" --refresh-token "$REFRESH" --verbose \
  > "$tmp/server.out" 2> "$tmp/server.err" &
SRV_PID=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || fail "the SP-API stand-in did not start" "$tmp/server.err"
URL=https://127.0.0.1:$(cat "$tmp/port")

# ctl METHOD PATH [JSON-FILE]: the stand-in's /_test/ control API; the answer on stdout
ctl() { standin_ctl "$URL" "$tmp/pki/ca.pem" "$1" "$2" ${3:+"@$3"}; }
acked() {  # how many DF POs the stand-in holds an accepted acknowledgement for
  ctl GET /_test/state > "$tmp/state" || { echo 0; return; }
  python3 - "$tmp/state" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
print(len({a["purchaseOrderNumber"] for s in st["submissions"] if s["operation"].endswith("Orders_2021-12-28/submitAcknowledgement")
           for a in s["body"].get("orderAcknowledgements", [])}))
EOF
}

# ---- N DF orders: the fixture's first, each its own PO, created in the last hour, from NJ1 ----
python3 - "$FIX/df-orders.json" "$N" > "$tmp/orders.json" <<'EOF'
import copy, datetime, json, sys
base = json.load(open(sys.argv[1]))[0]
n = int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
out = []
for i in range(n):
    o = copy.deepcopy(base)
    o["purchaseOrderNumber"] = "BENCH%06d" % i
    d = o["orderDetails"]
    d["orderDate"] = (now - datetime.timedelta(seconds=3000 - (2400 * i) // max(n, 1))).strftime("%Y-%m-%dT%H:%M:%SZ")
    d["orderStatus"] = "NEW"
    d["shipFromParty"]["partyId"] = "NJ1"
    d["customerOrderNumber"] = "114-%07d-%07d" % (i, 3841829)
    out.append(o)
json.dump(out, sys.stdout)
EOF
ctl POST /_test/orders/df "$tmp/orders.json" > "$tmp/inject.out" 2>&1 || fail "inject $N DF orders" "$tmp/inject.out"

# ---- the workspace, pointed at the stand-in -------------------------------------
"$W" init --sp-api "$ws" > "$tmp/init.out" 2>&1 || fail "init --sp-api" "$tmp/init.out"
sed -i -e "s|selling-party=\"ACME1\"|selling-party=\"ACME1\" endpoint=\"$URL\" token-endpoint=\"$URL/auth/o2/token\" ca-file=\"$tmp/pki/ca.pem\"|" \
  "$ws/wharf.xml"
grep -q '<acknowledge mode="auto-all"/>' "$ws/wharf.xml" || fail "the sample's DF partner is not auto-all" "$ws/wharf.xml"
for p in amazon-rp amazon-df; do
  printf %s "$CID" | "$W" secrets set $p lwa-client-id -w "$ws" >> "$tmp/secrets.out" 2>&1
  printf %s "$CSECRET" | "$W" secrets set $p lwa-client-secret -w "$ws" >> "$tmp/secrets.out" 2>&1
  printf '%s\n' "$REFRESH" | "$W" secrets set $p lwa-refresh-token -w "$ws" >> "$tmp/secrets.out" 2>&1
done

# ---- run --once until every order is acknowledged on the stand-in --------------------
TIME=
[ -x /usr/bin/time ] && TIME="/usr/bin/time -f %M -o"
runs=0 got=0 rss=0 inrun=0
t0=$(date +%s.%N)
while [ "$runs" -lt "$MAX_RUNS" ]; do
  runs=$((runs + 1))
  r0=$(date +%s.%N)
  if [ -n "$TIME" ]; then
    $TIME "$tmp/rss.$runs" "$W" run --once -w "$ws" > "$tmp/run.$runs" 2>&1
    k=$(tail -1 "$tmp/rss.$runs"); [ "$k" -gt "$rss" ] 2>/dev/null && rss=$k
  else
    "$W" run --once -w "$ws" > "$tmp/run.$runs" 2>&1
  fi
  r1=$(date +%s.%N)
  inrun=$(awk "BEGIN{print $inrun + $r1 - $r0}")
  before=$got
  got=$(acked)
  say "$(printf 'run --once #%d: %.1f s, %d of %d acknowledged' "$runs" "$(awk "BEGIN{print $r1 - $r0}")" "$got" "$N")"
  [ "$got" -ge "$N" ] && break
  [ "$got" = "$before" ] && sleep 1   # nothing moved: a back-off; let its time pass
done
t1=$(date +%s.%N)
ctl GET /_test/state > "$tmp/state"
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
pulled=$(grep -c '^amazon-df ' "$tmp/orders")
errlines=$(cat "$tmp"/run.* | grep -c ' error ')

# ---- figures --------------------------------------------------------------------------
python3 - "$tmp/state" "$tmp/server.err" "$N" "$runs" "$(awk "BEGIN{print $t1 - $t0}")" "$rss" "$tmp/ws/wharf.db" "$pulled" "$errlines" "$t0" "$inrun" <<'EOF'
import collections, datetime, json, os, re, sys
st = json.load(open(sys.argv[1]))
log = open(sys.argv[2], errors="replace").read().splitlines()
n, runs, wall, rss = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
ACK = "Orders_2021-12-28/submitAcknowledgement"
subs = [s for s in st["submissions"] if s["operation"].endswith(ACK)]
per_po = collections.Counter(a["purchaseOrderNumber"] for s in subs for a in s["body"].get("orderAcknowledgements", []))
calls = st.get("calls", {})
def calls_of(suffix):
    return sum(v for k, v in calls.items() if k.endswith(suffix))
# the stand-in's request log: "METHOD PATH HTTP/1.1" STATUS
status = collections.Counter()
for line in log:
    m = re.search(r'"(\w+) (\S+) HTTP/1\.[01]" (\d{3})', line)
    if m:
        path = m.group(2).split("?")[0]
        kind = ("ack" if path.endswith("/orders/2021-12-28/acknowledgements") else
                "getOrders" if path.endswith("/orders/2021-12-28/purchaseOrders") else
                "rdt" if path.endswith("/restrictedDataToken") else
                "tx" if "/directFulfillment/transactions/" in path else
                "lwa" if path.endswith("/auth/o2/token") else "other")
        status[kind, m.group(3)] += 1
pages = status["getOrders", "200"]
times = sorted(s["time"] for s in subs)
def p(k, v): print("spapi: %-44s %s" % (k, v))
p("DF orders injected", n)
p("orders pulled (wharf orders list)", sys.argv[8])
p("run --once passes", runs)
p("getOrders pages (200s; calls, 429s)", "%d (%d calls, %d 429s)" % (pages, calls_of("Orders_2021-12-28/getOrders"), status["getOrders", "429"]))
p("DF getTransactionStatus calls / 429s", "%d / %d" % (sum(v for (k, c), v in status.items() if k == "tx"), status["tx", "429"]))
p("RDTs / LWA tokens issued", "%s / %s" % (st.get("tokensIssued", {}).get("rdt"), st.get("tokensIssued", {}).get("access")))
p("acknowledgement calls / accepted / 429s", "%d / %d / %d" % (calls_of(ACK), len(subs), status["ack", "429"]))
p("POs acknowledged", len(per_po))
p("wall seconds (all passes; in wharf itself)", "%.1f (%.1f)" % (wall, float(sys.argv[11])))
p("wharf log lines at error level (all passes)", sys.argv[9])
best = max(n - 10, 0) / 10.0
ach = len(per_po) / wall if wall > 0 else 0
p("acks/s achieved (wall) vs Amazon's 10/s", "%.2f/s = %.0f%% of the limit" % (ach, 100 * ach / 10))
p("the limit's floor for %d acks (burst 10)" % n, "%.1f s; wall is %.1fx the floor" % (best, wall / best if best else 0))
if times:
    f = lambda s: datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp()
    p("start to the last accepted ack (1 s ticks)", "%.0f s (the rest of the wall: receipts, run ends)" % (f(times[-1]) - float(sys.argv[10])))
    span = f(times[-1]) - f(times[0])
    if span > 0 and len(subs) > 10:
        r = (len(subs) - 10) / span   # the first 10 are the burst
        p("ack phase (first..last accepted, 1 s ticks)", "%.0f s: %.2f acks/s after the burst = %.0f%% of 10/s" % (span, r, 10 * r))
if rss:
    p("max RSS of a wharf run --once", "%d KB" % rss)
if os.path.exists(sys.argv[7]):
    p("wharf.db size", "%d KB" % (os.path.getsize(sys.argv[7]) // 1024))
bad = {po: k for po, k in per_po.items() if k != 1}
missing = n - len(per_po)
if bad or missing:
    print("spapi: FAIL exactly-once: %d POs acknowledged more than once, %d not acknowledged %s" % (len(bad), missing, sorted(bad.items())[:5]))
    sys.exit(1)
else:
    print("spapi: every PO acknowledged exactly once")
EOF
