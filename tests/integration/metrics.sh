#!/usr/bin/env bash
# GET /metrics and GET /healthz on `wharf serve`'s HTTP listener (a port the
# kernel picks), after the golden RP and DF orders, and <log format="json">:
# the scrape's counts against the store, the exposition format read by a
# strict parser (tests/integration/promparse.py), an acknowledgment deadline
# at risk with WHARF_NOW, an outbox item that cannot be sent, /healthz 200
# then 503 (a failing transport, a failed run, a store that does not answer),
# and every log line of serve one JSON object. Usage: metrics.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"

if ! command -v curl > /dev/null || ! command -v sqlite3 > /dev/null; then
  skip 36 "curl or sqlite3 is not installed (scripts/deps.sh --tests)"
  exit 0
fi
serve_pid=""
trap '[ -n "$serve_pid" ] && { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
db() { sqlite3 -cmd ".timeout 5000" "$ws/wharf.db" "$@"; }

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
DF=$ws/partners/amazon-df
cp "$G/amazon-rp-850.edi" "$RP/inbound/po.edi"
po_from amazon-rp-850.edi 4Z32PABC 5Z32PXYZ 0077 > "$RP/inbound/po2.edi"
cp "$G/amazon-df-850.edi" "$DF/inbound/df.edi"
sed -i 's|<log dir="log" level="info"/>|<log dir="log" level="info" format="json"/>|' "$ws/wharf.xml"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run.out" 2> "$tmp/run"
# RP's outbound folder is a file: its 855 cannot be written (a failing transport)
rm -rf "$RP/outbound" && touch "$RP/outbound"
at 2025-01-01T20:00:00Z "$W" orders approve 4Z32PABC -w "$ws" > /dev/null 2>&1

# 21:00: 5Z32PXYZ's deadline (00:00 + 24 h) is 3 h away, within warn-hours (4)
WHARF_NOW=2025-01-01T21:00:00Z WHARF_POLL_SECONDS=3600 "$W" serve --http 127.0.0.1:0 -w "$ws" 2> "$tmp/serve.log" &
serve_pid=$!
wait_for 60 grep -q "first pass done" "$tmp/serve.log"
PORT=$(sed -n 's|.*http: listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log" | head -1)
[ -n "$PORT" ] && ok "serve listens (port $PORT) and says where" || { no "serve's listening line" "$tmp/serve.log"; exit 0; }
U=http://127.0.0.1:$PORT

curl -s -D "$tmp/h" -o "$tmp/m" "$U/metrics"
has "/metrics answers 200 without a login" "^HTTP/1.1 200" "$tmp/h"
has "  as text exposition 0.0.4" "^Content-Type: text/plain; version=0.0.4" "$tmp/h"
python3 tests/integration/promparse.py < "$tmp/m" > "$tmp/parsed" 2>&1 && ok "  a strict parser reads it (HELP/TYPE before samples, escapes, numbers)" || no "the exposition does not parse" "$tmp/parsed"
printf '# TYPE m gauge\nm{a="x\\q"} 1\nm{a="x"} 1\nm{a="x"} 2\nn 1\nm 3\nm x\n' | python3 tests/integration/promparse.py > "$tmp/bad" 2>&1
[ "$(grep -c '^line ' "$tmp/bad")" = 4 ] && ok "  (the parser refuses a bad escape, a series twice, a family split, a bad value)" || no "the parser on bad input" "$tmp/bad"
val() { awk -v k="$1" '$1 == k {print $2}' "$tmp/m"; }
[ "$(val 'wharf_documents{kind="850",direction="in",state="accepted"}')" = "$(db "SELECT count(*) FROM documents WHERE kind='850' AND state='accepted'")" ] &&
  [ "$(val 'wharf_documents{kind="850",direction="in",state="accepted"}')" = 3 ] && ok "documents by kind and state: the store's count (3 850s)" || no "850 count" "$tmp/m"
has "orders by partner and state" '^wharf_orders\{partner="amazon-rp",state="pending-approval"\} 1$' "$tmp/m"
has "  the approved one acknowledged" '^wharf_orders\{partner="amazon-rp",state="acknowledged"\} 1$' "$tmp/m"
has "  DF's acknowledged on its own" '^wharf_orders\{partner="amazon-df",state="acknowledged"\} 1$' "$tmp/m"
has "the acknowledgment deadline at risk (within warn-hours)" '^wharf_ack_deadlines\{partner="amazon-rp",when="soon"\} 1$' "$tmp/m"
has "  none overdue" '^wharf_ack_deadlines\{partner="amazon-rp",when="overdue"\} 0$' "$tmp/m"
has "the 855 that could not be written is unsent" '^wharf_outbox_unsent\{partner="amazon-rp",kind="855"\} 1$' "$tmp/m"
has "  and failing" '^wharf_outbox_failing\{partner="amazon-rp",kind="855"\} 1$' "$tmp/m"
has "  not due before its retry time" '^wharf_outbox_due\{partner="amazon-rp",kind="855"\} 0$' "$tmp/m"
has "each job's last run" '^wharf_run_last_failed\{partner="amazon-rp",job="ack-run"\} 0$' "$tmp/m"
has "the HTTP client counter family is there (no partner API in this workspace)" '^# TYPE wharf_http_client_requests_total counter$' "$tmp/m"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 200 ] && has "/healthz: 200 ok while one failed attempt is a retry" '^\{"status":"ok","store":"ok"' "$tmp/hz" || no "/healthz $code" "$tmp/hz"

# the daemon's clock is frozen at 21:00: the 855 is made older and due, after 3 failed attempts
db "UPDATE outbox SET attempts = 3, created = created - 600, next_try = strftime('%s', '2025-01-01T20:59:00Z') WHERE kind = '855' AND sent_at IS NULL"
curl -s -o "$tmp/m" "$U/metrics"
has "a due item is counted due" '^wharf_outbox_due\{partner="amazon-rp",kind="855"\} 1$' "$tmp/m"
has "  with the age of the oldest (queued at 21:00 less 10 min)" '^wharf_outbox_oldest_due_age_seconds\{partner="amazon-rp",kind="855"\} 600$' "$tmp/m"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 503 ] && has "/healthz: 503 when a partner's item failed 3 attempts, naming it" '"part":"amazon-rp outbox 855"' "$tmp/hz" || no "/healthz $code" "$tmp/hz"
db "UPDATE outbox SET attempts = 1 WHERE kind = '855'"
# a run that failed, as sched.c records one
db "INSERT INTO runs (partner, job, due, started, ended, state, error) VALUES ('amazon-df', 'poll', 1735776000, 1735776000, 1735776003, 'failed', 'x')"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 503 ] && has "/healthz: 503 when a job's last run failed, naming it" '"part":"amazon-df poll","why":"the last run failed"' "$tmp/hz" || no "/healthz $code" "$tmp/hz"
curl -s -o "$tmp/m" "$U/metrics"
has "  /metrics says it too, with the run's seconds" '^wharf_run_last_failed\{partner="amazon-df",job="poll"\} 1$' "$tmp/m"
db "DELETE FROM runs WHERE state = 'failed'"
# the store does not answer: a folder where the file was (the daemon keeps its open file)
mv "$ws/wharf.db" "$ws/wharf.db.moved" && mkdir "$ws/wharf.db"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 503 ] && has "/healthz: 503 when the store does not answer" '"store":"failing"' "$tmp/hz" || no "/healthz $code" "$tmp/hz"
code=$(curl -s -o "$tmp/m" -w '%{http_code}' "$U/metrics")
[ "$code" = 503 ] && ok "  /metrics: 503 too" || no "/metrics with no store: $code" "$tmp/m"
rmdir "$ws/wharf.db"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 503 ] && [ ! -e "$ws/wharf.db" ] && ok "  and when it is gone, without making an empty one" || no "/healthz with no store: $code" "$tmp/hz"
mv "$ws/wharf.db.moved" "$ws/wharf.db"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 200 ] && ok "/healthz: 200 again once it answers" || no "/healthz $code" "$tmp/hz"

# <http public="true"> (read at a SIGHUP reload, the listener kept): /metrics asks for a user's token
printf 'viewer-pass-12\n' | "$W" users add vic --role viewer -w "$ws" > /dev/null 2>&1
TOK=$("$W" users token vic -w "$ws" 2> /dev/null)
sed -i '0,/  <partner /s||  <http listen="127.0.0.1:0" public="true"/>\n  <partner |' "$ws/wharf.xml"
kill -HUP "$serve_pid"
wait_for 60 grep -q "configuration reloaded" "$tmp/serve.log"
code=$(curl -s -o "$tmp/m" -w '%{http_code}' "$U/metrics")
[ "$code" = 401 ] && ok "a public listener's /metrics without a token: 401" || no "public /metrics: $code" "$tmp/m"
has "  saying what it takes" "Authorization: Bearer TOKEN' of a user" "$tmp/m"
code=$(curl -s -o "$tmp/m" -w '%{http_code}' -H "Authorization: Bearer ${TOK:-x}" "$U/metrics")
[ "$code" = 200 ] && grep -q '^wharf_documents' "$tmp/m" && ok "  with a user's token (a viewer's): the metrics" || no "/metrics with a token: $code" "$tmp/m"
# the first character changed (to 1 when it is 0: "0" again would be the token)
BADTOK=0${TOK:1}; [ "$BADTOK" = "$TOK" ] && BADTOK=1${TOK:1}
code=$(curl -s -o "$tmp/m" -w '%{http_code}' -H "Authorization: Bearer $BADTOK" "$U/metrics")
[ "$code" = 401 ] && ok "  a token that is none: 401" || no "/metrics with a wrong token: $code" "$tmp/m"
code=$(curl -s -o "$tmp/hz" -w '%{http_code}' "$U/healthz")
[ "$code" = 200 ] && ok "  /healthz stays open" || no "/healthz public: $code" "$tmp/hz"

kill -TERM "$serve_pid"; wait "$serve_pid"; serve_pid=""
# <log format="json">: every line of serve, the listener threads' too, one JSON object
python3 - "$tmp/serve.log" "$tmp/run" > "$tmp/jl" 2>&1 <<'PY' && ok "json log: every line of run --once and serve is one JSON object with time, level, partner, document, event" || no "json log lines" "$tmp/jl"
import json, sys
for f in sys.argv[1:]:
    n = 0
    for line in open(f, encoding="utf-8"):
        v = json.loads(line)
        assert sorted(v) == ["document", "event", "level", "partner", "time"], v
        n += 1
    assert n > 5, (f, n)
PY
has "  the listener's request lines too" '^\{"time":"[^"]*","level":"info","partner":null,"document":null,"event":"http-in GET /metrics 200 ' "$tmp/serve.log"
has "  a partner's line names the partner" '"level":"warn","partner":"amazon-rp","document":null,"event":"5Z32PXYZ \(pending-approval\): acknowledgment due in 3 h 00 min"' "$tmp/serve.log"
has "  and a file's line the file as the document" '"partner":"amazon-rp","document":"po2.edi","event":"1 sets, 1 accepted, 0 rejected"' "$tmp/run"
has "  the send failure names its partner" '"level":"error","partner":"amazon-rp","document":null,"event":"cannot send ' "$tmp/serve.log"
