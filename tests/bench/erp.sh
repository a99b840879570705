#!/usr/bin/env bash
# `make bench`, issue 15: N DF orders (BENCH_ERP_ORDERS, default 300) in as
# X12 and pushed to Brightpearl as sales orders, against the local stand-in
# (tests/erp/brightpearl.py, not Brightpearl) over TLS on loopback at its
# documented 200 requests a minute lifted (the limit is Brightpearl's, not
# wharf's: at 200/min a push is ~3 requests, so ~65 orders a minute). The
# push is timed wall-clock; figures, not assertions, except a FAIL line
# (exit 1) when an order is not in Brightpearl exactly once.
# Usage: tests/bench/erp.sh [WHARF] (default build/wharf). Needs python3 and openssl.
set -u
for t in python3 openssl; do
  command -v $t > /dev/null || { echo "erp: skipped (no $t; scripts/deps.sh --tests installs it)"; exit 0; }
done
W=$(cd "$(dirname "${1:-build/wharf}")" && pwd)/$(basename "${1:-build/wharf}")
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_ERP_ORDERS:-300}
tmp=$(mktemp -d)
ws=$tmp/ws
PID=
trap '[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }; rm -rf "$tmp"' EXIT
say() { printf 'erp: %s\n' "$*"; }
. "$PWD/tests/lib/standin.bash"
test_pki "$tmp/pki" || { say "FAIL no test CA"; exit 1; }
python3 tests/erp/brightpearl.py --port 0 --port-file "$tmp/port" --cert "$tmp/pki/srv.pem" --key "$tmp/pki/srv.key" \
  --staff-token bench-token --rate-per-minute 100000 > /dev/null 2> "$tmp/srv.err" &
PID=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
URL=https://127.0.0.1:$(cat "$tmp/port")
"$W" init "$ws" > /dev/null 2>&1
python3 - "$ws/wharf.xml" "$URL" "$tmp/pki/ca.pem" <<'PY'
import sys
p, url, ca = sys.argv[1:4]
s = open(p).read()
# before the files exchange, whatever its attributes (init writes layout="per-file")
at = s.index('<erp kind="files"')
s = s[:at] + '<erp kind="brightpearl" id="bp" account="acme" endpoint="%s" ca-file="%s" receives="orders"/>\n  ' % (url, ca) + s[at:]
open(p, 'w').write(s)
PY
printf acme_wharf | "$W" secrets set bp brightpearl-app-ref -w "$ws" > /dev/null 2>&1
printf bench-token | "$W" secrets set bp brightpearl-staff-token -w "$ws" > /dev/null 2>&1
# N DF POs, one interchange each: the sample with its PO and control numbers changed
python3 - "$N" tests/golden/x12/amazon-df-850.edi "$ws/partners/amazon-df/inbound" <<'PY'
import re, sys
n, src, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = open(src).read()
for i in range(n):
    c = 100000 + i
    t = s.replace('TVd4wGZnR', 'B%08d' % i)
    t = re.sub(r'(ISA\*(?:[^*]*\*){12})\d{9}', lambda m: m.group(1) + '%09d' % c, t, count=1)
    t = re.sub(r'(IEA\*1\*)\d+', lambda m: m.group(1) + '%09d' % c, t, count=1)
    t = re.sub(r'(GS\*(?:[^*]*\*){5})\d+', lambda m: m.group(1) + str(c), t, count=1)
    t = re.sub(r'(GE\*1\*)\d+', lambda m: m.group(1) + str(c), t, count=1)
    open('%s/po%06d.edi' % (out, i), 'w').write(t)
PY
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$tmp/rss" "$W" run --once -w "$ws" > "$tmp/run1" 2>&1
runs=1
while [ $runs -lt 5 ]; do
  got=$(standin_ctl "$URL" "$tmp/pki/ca.pem" GET /_test/state | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["orders"]))')
  [ "$got" -ge "$N" ] && break
  "$W" run --once -w "$ws" > "$tmp/run$((runs + 1))" 2>&1; runs=$((runs + 1))
done
end=$(date +%s.%N)
python3 - "$URL" "$tmp/pki/ca.pem" "$N" "$start" "$end" "$runs" "$(cat "$tmp/rss")" <<'PY'
import json, ssl, sys, urllib.request
url, ca, n, t0, t1, runs, rss = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], int(sys.argv[7])
c = ssl.create_default_context(cafile=ca)
st = json.load(urllib.request.urlopen(url + "/_test/state", context=c))
reqs = json.load(urllib.request.urlopen(url + "/_test/requests", context=c))["count"]
refs = [o["externalRef"] for o in st["orders"]]
dt = t1 - t0
print("erp: %d DF POs in as X12, pushed to Brightpearl in %d run(s): %.1f s wall, %.1f orders/s, %.1f requests an order, %d MB peak RSS (first run)" % (n, int(runs), dt, n / dt, reqs / max(1, n), rss // 1024))
if len(refs) != n or len(set(refs)) != n:
    print("erp: FAIL %d orders in Brightpearl for %d POs (%d distinct)" % (len(refs), n, len(set(refs))))
    sys.exit(1)
print("erp: every PO is one sales order (searched by externalRef before each create)")
PY
