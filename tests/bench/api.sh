#!/usr/bin/env bash
# `make bench`, issue 17: the HTTP API and /metrics on a store with
# BENCH_API_DOCS documents (default 100000; a third of them 850s, each with
# its order, interchange and raw row, the rest 855/856/810/997 going out),
# filled with SQL straight into the store wharf made (a bench of reading,
# not of the inbound flow). Times with curl, against `wharf serve --http`
# on loopback: the first page of documents, a deep page (after= near the
# oldest), a filtered page (state=rejected, which is rare), orders?q= (a
# part of a PO number, which scans), the quarantine list, and /metrics.
# Figures, not assertions, except a FAIL line (exit 1) when an answer is
# not 200. Usage: tests/bench/api.sh [WHARF] (default build/wharf).
set -u
for t in curl sqlite3 python3; do
  command -v $t > /dev/null || { echo "api: skipped (no $t; scripts/deps.sh --tests installs it)"; exit 0; }
done
W=$(cd "$(dirname "${1:-build/wharf}")" && pwd)/$(basename "${1:-build/wharf}")
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_API_DOCS:-100000}
tmp=$(mktemp -d)
ws=$tmp/ws
PID=
trap '[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }; [ -n "${KEEP:-}" ] && echo "api: kept $tmp" || rm -rf "$tmp"' EXIT
say() { printf 'api: %s\n' "$*"; }
"$W" init "$ws" > /dev/null 2>&1 || { say "FAIL init"; exit 1; }
t0=$(date +%s.%N)
sqlite3 "$ws/wharf.db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N / 3)
INSERT INTO raw (id, partner, direction, name, sha256, bytes, size, received, state, verdict, reason)
  SELECT i, 'amazon-rp', 'in', 'po-' || i || '.edi', printf('%064x', i), 'ISA*...', 7, 1700000000 + i * 60,
         'processed', CASE WHEN i % 500 = 0 THEN 'quarantined' ELSE 'archived' END,
         CASE WHEN i % 500 = 0 THEN 'po: refused: not an interchange from partner amazon-rp' END FROM n;
INSERT INTO interchanges (id, raw_id, partner, direction, control, sender, receiver, status, at)
  SELECT id, id, 'amazon-rp', 'in', printf('%09d', id), 'AMAZON', 'ACMEVENDOR', 'received', received FROM raw;
INSERT INTO orders (id, partner, program, po_number, state, canonical, created, updated)
  SELECT id, 'amazon-rp', 'RP', printf('%dPO%05d', id % 10, id), CASE WHEN id % 7 = 0 THEN 'pending-approval' ELSE 'closed' END,
         '<order/>', received, received FROM raw;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO documents (interchange_id, partner, direction, kind, group_control, set_control, ref, state, findings, created, updated)
  SELECT CASE WHEN i % 3 = 1 THEN i / 3 + 1 END, 'amazon-rp', CASE WHEN i % 3 = 1 THEN 'in' ELSE 'outbound' END,
         CASE i % 3 WHEN 1 THEN '850' WHEN 2 THEN '855' ELSE '997' END, i, '0001', printf('PO%05d', i / 3 + 1),
         CASE WHEN i % 1000 = 1 THEN 'rejected' WHEN i % 3 = 1 THEN 'accepted' ELSE 'sent' END,
         CASE WHEN i % 1000 = 1 THEN 'segment 3: BEG03 is required [element-missing]' END,
         1700000000 + i * 20, 1700000000 + i * 20 FROM n;
COMMIT;
ANALYZE;
SQL
[ $? = 0 ] || { say "FAIL the store could not be filled"; exit 1; }
say "$(sqlite3 "$ws/wharf.db" 'SELECT count(*) FROM documents') documents, $(sqlite3 "$ws/wharf.db" 'SELECT count(*) FROM orders') orders filled in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
printf 'bench-password-1\n' | "$W" users add bench --role operator -w "$ws" > /dev/null 2>&1
TOK=$("$W" users token bench -w "$ws" 2> /dev/null)
WHARF_POLL_SECONDS=3600 "$W" serve --http 127.0.0.1:0 -w "$ws" 2> "$tmp/serve.log" &
PID=$!
P=
for _ in $(seq 300); do
  P=$(sed -n 's|.*http: listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log" | head -1)
  [ -n "$P" ] && grep -q "first pass done" "$tmp/serve.log" && break; sleep 0.1
done
[ -n "$P" ] || { say "FAIL serve did not listen"; exit 1; }
B=http://127.0.0.1:$P
DEEP=$(sqlite3 "$ws/wharf.db" 'SELECT id FROM documents ORDER BY id LIMIT 1 OFFSET 100')
fail=0
# each URL 5 times: the best and the median of the wall times
time_it() {
  local name=$1 url=$2 i code t ts=()
  for i in 1 2 3 4 5; do
    read -r code t < <(curl -s -o "$tmp/body" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOK" "$url")
    [ "$code" = 200 ] || { say "FAIL $name: $code $(head -c 200 "$tmp/body")"; fail=1; return; }
    ts+=("$t")
  done
  printf 'api: %-34s best %6.1f ms, median %6.1f ms, %s bytes\n' "$name" \
    "$(printf '%s\n' "${ts[@]}" | sort -n | head -1 | awk '{print $1 * 1000}')" \
    "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 3p | awk '{print $1 * 1000}')" "$(wc -c < "$tmp/body")"
}
time_it "documents, first page (50)" "$B/api/v1/documents"
time_it "documents, a deep page (after=)" "$B/api/v1/documents?after=$DEEP"
time_it "documents?state=rejected" "$B/api/v1/documents?state=rejected"
time_it "documents?type=850&partner=" "$B/api/v1/documents?type=850&partner=amazon-rp"
time_it "orders, first page" "$B/api/v1/orders"
time_it "orders?q= (a part of a PO)" "$B/api/v1/orders?q=PO0123"
time_it "orders?state=pending-approval" "$B/api/v1/orders?state=pending-approval&limit=500"
time_it "quarantine" "$B/api/v1/quarantine"
time_it "/metrics" "$B/metrics"
exit $fail
