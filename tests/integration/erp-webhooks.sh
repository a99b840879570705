#!/usr/bin/env bash
# Brightpearl webhooks through `wharf serve`'s HTTP listener (TLS, a
# throwaway CA, a port the kernel picks), against the local stand-in
# (tests/erp/brightpearl.py), which delivers its webhooks to it: `wharf erp
# webhooks` subscribes the two events once; an order status changed in
# Brightpearl is applied within seconds, far sooner than the pass interval;
# a wrong token, an unknown connector, another method and another path
# change nothing; a webhook for a change already applied applies nothing
# twice; with webhooks lost, the next reconciling poll applies the change;
# a shipped goods-out note queues its 856 on its webhook; the token is in
# no output and no log. Config refusals of <http> name the file and line.
# Usage: erp-webhooks.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
. "$PWD/tests/erp/lib.bash"
STAFF='bp-staff-token-That-Must-Never-Leak-0123456789'
# the pass interval: longer than the steps between the first pass and the
# status change below (subscribing, the stand-in's control calls) can take on
# a loaded machine, so that the webhook, not the next pass, applies it
INTERVAL=30
erp_start brightpearl brightpearl.py --account acme --app-ref acme_wharf --staff-token "$STAFF" --webhook-ca "$CA"
state() { ctl GET /_test/state; }
serve_pid=""
trap 'for p in $ERP_PIDS $serve_pid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

erp_workspace "  <erp kind=\"brightpearl\" id=\"bp\" account=\"acme\" endpoint=\"$URL\" ca-file=\"$CA\"
       receives=\"orders shipments invoices\" provides=\"decisions packing-lists\">
    <param name=\"warehouse-id\" value=\"2\"/>
    <param name=\"channel-id\" value=\"1\"/>
    <param name=\"price-list-id\" value=\"1\"/>
    <param name=\"bol\" value=\"note\"/>
  </erp>"
# http_conf ATTRS: the <http> element of wharf.xml (before the first partner)
http_conf() {
  python3 - "$ws/wharf.xml" "$1" <<'PY'
import re, sys
p, attrs = sys.argv[1], sys.argv[2]
s = re.sub(r'  <http [^>]*/>\n', '', open(p).read())
s = s.replace('  <partner ', '  <http %s/>\n  <partner ' % attrs, 1)
open(p, 'w').write(s)
PY
}
printf acme_wharf | "$W" secrets set bp brightpearl-app-ref -w "$ws" > "$tmp/sec" 2>&1
printf %s "$STAFF" | "$W" secrets set bp brightpearl-staff-token -w "$ws" >> "$tmp/sec" 2>&1 || no "secrets set" "$tmp/sec"
# the installed examples map 1001, 1002 and warehouse 2 (NJ1); the vendor's own SKU:
"$W" map codes bp-product set 1003 ACME-9001 -w "$ws" > "$tmp/codes" 2>&1 || no "map codes set ACME-9001" "$tmp/codes"

# ---- <http> refusals name the file and the line -------------------------------------------------
http_conf 'listen="0.0.0.0:8443"'
exits "<http> on a non-loopback address without public=\"true\" is refused" 2 "$W" serve -w "$ws"
has "  naming wharf.xml, its line and what to add" 'wharf\.xml:[0-9]+: <http listen="0\.0\.0\.0:8443">: not a loopback address.*public="true"' "$tmp/out"
http_conf "listen=\"127.0.0.1:0\" tls-cert=\"$tmp/pki/srv.pem\" tls-key=\"$tmp/pki/srv.key\""
exits "serve --http to a non-loopback address is refused too" 2 "$W" serve --http 192.0.2.1:80 -w "$ws"
has "  saying what wharf.xml must say" 'not a loopback address.*public="true"' "$tmp/out"

# ---- the orders in Brightpearl, then the daemon with its listener ------------------------------------
"$W" run --once -w "$ws" > "$tmp/run1" 2>&1
state > "$tmp/state.json"
RPID=$(jq_ "[o['id'] for o in j['orders'] if o['externalRef'] == 'amazon-rp:4Z32PABC'][0]" < "$tmp/state.json")
DFID=$(jq_ "[o['id'] for o in j['orders'] if o['externalRef'] == 'amazon-df:TVd4wGZnR'][0]" < "$tmp/state.json")
[ -n "$RPID" ] && [ -n "$DFID" ] && ok "the RP and DF orders are in Brightpearl" || no "orders in Brightpearl" "$tmp/run1"

searches() { ctl GET '/_test/requests?path=goods-out-search' | jq_ "j['count']"; }
before=$(searches)
WHARF_POLL_SECONDS=$INTERVAL "$W" serve -w "$ws" 2> "$tmp/serve.log" &
serve_pid=$!
wait_for 60 grep -q "http: listening on https://127\.0\.0\.1:[0-9]*/" "$tmp/serve.log"
PORT=$(sed -n 's|.*http: listening on https://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log" | head -1)
[ -n "$PORT" ] && ok "serve says the port the kernel picked (https://127.0.0.1:$PORT/)" || no "serve's listening line" "$tmp/serve.log"
BASE=https://127.0.0.1:$PORT
# the first pass is over (its last pull done) before anything changes: a
# status set while it still pulls would be its, not the webhook's
wait_for 60 grep -q "first pass done" "$tmp/serve.log"
[ "$(searches)" -gt "$before" ] && ok "serve's first pass pulled from Brightpearl" || no "serve's first pass" "$tmp/serve.log"

# ---- subscribing, twice --------------------------------------------------------------------------------
"$W" erp webhooks bp --url "$BASE/" --json -w "$ws" > "$tmp/sub1.json" 2> "$tmp/sub1.err" || no "erp webhooks" "$tmp/sub1.err"
"$W" erp webhooks bp --url "$BASE" -w "$ws" > "$tmp/sub2" 2>&1 || no "erp webhooks again" "$tmp/sub2"
state > "$tmp/state.json"
jq_ "sorted(w['subscribeTo'] for w in j['webhooks'])" < "$tmp/state.json" > "$tmp/subs"
has "two subscriptions: order status changes and shipped goods-out notes" '\["goods-out-note.modified.shipped", "order.modified.order-status"\]' "$tmp/subs"
jq_ "sorted(w['action'] for w in j['webhooks'])" < "$tmp/sub1.json" > "$tmp/acts"
has "  the first run subscribed both (--json)" '\["subscribed", "subscribed"\]' "$tmp/acts"
[ "$(grep -c '^kept' "$tmp/sub2")" = 2 ] && ok "  the second run kept both, subscribed none" || no "the second run" "$tmp/sub2"
TOKEN=$(jq_ "j['webhooks'][0]['uriTemplate'].rsplit('/', 1)[1]" < "$tmp/state.json")
[ "${#TOKEN}" = 64 ] && ok "  each calls $BASE/webhooks/erp/bp/TOKEN (64 hex digits)" || no "the token: '$TOKEN'" "$tmp/state.json"
jq_ "[w['uriTemplate'] == '$BASE/webhooks/erp/bp/$TOKEN' and w['idSetAccepted'] and w['qualityOfService'] == 1 for w in j['webhooks']]" < "$tmp/state.json" > "$tmp/shape"
has "  POST, ids only, at least once" '^\[true, true\]$' "$tmp/shape"
has "  the URL shown is redacted" "\"url\": \"$BASE/webhooks/erp/bp/${TOKEN:0:4}…\"" "$tmp/sub1.json"

# ---- a status set in Brightpearl: applied within seconds, by the webhook -----------------------------
t0=$(date +%s%N)
ctl POST /_test/order-status "{\"orderId\": $RPID, \"statusId\": 20}" > /dev/null
wait_for 60 grep -q "erp bp: woken: 1 decision applied" "$tmp/serve.log"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if grep -q "erp bp: woken: 1 decision applied" "$tmp/serve.log" && [ "$ms" -lt $((INTERVAL * 1000 / 2)) ]; then
  ok "the RP order's new status is applied by its webhook in $ms ms (passes every $INTERVAL s)"
else
  no "the webhook did not apply the status within $((INTERVAL / 2)) s ($ms ms)" "$tmp/serve.log"
fi
has "  the webhook's log line names the resource, never the token" "erp bp: webhook \(order $RPID modified.order-status\)" "$tmp/serve.log"
has "  the request's log line hides the path after the route" "http-in POST /webhooks/erp/… 200 " "$tmp/serve.log"

# ---- what must change nothing --------------------------------------------------------------------------
hooks_before=$(grep -c "erp bp: webhook" "$tmp/serve.log")
post() { curl -s --cacert "$CA" -o "$tmp/body" -w '%{http_code}' "$@"; }
wrong=${TOKEN%?}$([ "${TOKEN: -1}" = 0 ] && echo 1 || echo 0)
code=$(post -X POST -d '{"id":"1"}' "$BASE/webhooks/erp/bp/$wrong")
[ "$code" = 404 ] && ok "a wrong token: 404" || no "a wrong token: $code" "$tmp/body"
code=$(post -X POST -d '{"id":"1"}' "$BASE/webhooks/erp/qbo/$TOKEN")
[ "$code" = 404 ] && cmp -s "$tmp/body" <(printf '{"error":"not found"}\n') && ok "an unknown connector: the same 404" || no "an unknown connector: $code" "$tmp/body"
code=$(post "$BASE/webhooks/erp/bp/$TOKEN")
[ "$code" = 405 ] && ok "GET on the webhook route: 405" || no "GET: $code" "$tmp/body"
code=$(post -X POST "$BASE/nothing/here")
[ "$code" = 404 ] && has "an unknown path: 404 with a JSON error" '"error"' "$tmp/body" || no "an unknown path: $code" "$tmp/body"
code=$(post -X POST --data-binary @<(head -c 1100000 /dev/zero | tr '\0' 'x') "$BASE/webhooks/erp/bp/$TOKEN")
[ "$code" = 413 ] && ok "a body over 1 MiB: 413" || no "an oversize body: $code" "$tmp/body"
sleep 0.5
[ "$(grep -c "erp bp: webhook" "$tmp/serve.log")" = "$hooks_before" ] && ok "  none of them woke anything" || no "a refused request woke bp" "$tmp/serve.log"

# the same webhook again, for a change already applied
code=$(post -X POST -H 'content-type: application/json' -d "{\"resourceType\":\"order\",\"id\":\"$RPID\"}" "$BASE/webhooks/erp/bp/$TOKEN")
[ "$code" = 200 ] && ok "the same webhook again: 200" || no "the webhook again: $code" "$tmp/body"
wait_for 60 eval '[ "$(grep -c "erp bp: webhook" "$tmp/serve.log")" -gt "$hooks_before" ]'
sleep 1
[ "$(grep -c "applied from brightpearl-order-$RPID-" "$tmp/serve.log")" = 1 ] && [ "$(grep -c "woken: " "$tmp/serve.log")" = 1 ] &&
  ok "  it applied nothing twice" || no "a second webhook applied the status again" "$tmp/serve.log"

# ---- webhooks lost: the reconciling poll applies the change --------------------------------------------
ctl POST /_test/webhooks '{"drop": -1}' > /dev/null
ctl POST /_test/order-status "{\"orderId\": $DFID, \"statusId\": 20}" > /dev/null
ctl GET /_test/webhooks | jq_ "[d['status'] for d in j['deliveries'] if d['resourceId'] == $DFID]" > "$tmp/dl"
has "the DF order's webhook is lost (dropped by the stand-in)" '"dropped"' "$tmp/dl"
wait_for $((INTERVAL + 60)) grep -q "applied from brightpearl-order-$DFID-" "$tmp/serve.log"
has "  the next pass (the reconciling poll) applied it" "applied from brightpearl-order-$DFID-" "$tmp/serve.log"
[ "$(grep -c "woken: " "$tmp/serve.log")" = 1 ] && ok "  and no wake did (the one wake is the RP order's)" || no "a wake without a webhook" "$tmp/serve.log"
ctl POST /_test/webhooks '{"drop": 0}' > /dev/null

# ---- a goods-out note shipped: its 856 on the webhook -----------------------------------------------------
wait_for 60 eval 'ls "$ws/partners/amazon-rp/outbound/" | grep -q 855'
ctl POST /_test/ship "{\"orderId\": $RPID, \"warehouseId\": 2, \"reference\": \"1Z999AA10123456784\", \"boxes\": 1, \"weight\": \"12.5\", \"shippingMethodId\": 7}" > /dev/null
wait_for 60 grep -q "woken: 0 decisions applied, 1 ship notice queued" "$tmp/serve.log"
has "a shipped goods-out note: its webhook queues the ship notice" "erp bp: woken: 0 decisions applied, 1 ship notice queued" "$tmp/serve.log"
ls "$ws/partners/amazon-rp/outbound/" > "$tmp/ob" 2>&1
has "  and the 856 is written out" "856" "$tmp/ob"

# ---- SIGHUP: the listener stays, or moves when its address changed --------------------------------------
kill -HUP "$serve_pid"
wait_for 60 grep -q "configuration reloaded" "$tmp/serve.log"
# /metrics reads the configuration the daemon swapped in (api/metrics.h)
code=$(post "$BASE/metrics")
[ "$(grep -c "configuration reloaded" "$tmp/serve.log")" = 1 ] && [ "$code" = 200 ] &&
  [ "$(grep -c "http: listening on" "$tmp/serve.log")" = 1 ] && ok "SIGHUP: the listener stays, on its port (and /metrics reads the new config)" ||
  no "SIGHUP kept the listener? ($code)" "$tmp/serve.log"
http_conf "listen=\"localhost:0\" tls-cert=\"$tmp/pki/srv.pem\" tls-key=\"$tmp/pki/srv.key\""
kill -HUP "$serve_pid"
wait_for 60 eval '[ "$(grep -c "http: listening on" "$tmp/serve.log")" -ge 2 ]'
PORT2=$(sed -n 's|.*http: listening on https://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log" | tail -1)
code=$(post "https://127.0.0.1:$PORT2/webhooks/erp/bp/$TOKEN")
code_old=$(post "$BASE/metrics")
[ "$code" = 405 ] && [ "$code_old" = 000 ] && ok "  another address: it restarts there (port $PORT2), the old one is closed" ||
  no "the listener after an address change: new $code, old $code_old" "$tmp/serve.log"

# ---- stopping, unsubscribing, and where the token is not ---------------------------------------------------
kill -TERM "$serve_pid"; wait "$serve_pid"; rc=$?; serve_pid=""
[ "$rc" = 0 ] && has "SIGTERM stops serve and its listener" "stopping" "$tmp/serve.log" || no "serve exit $rc" "$tmp/serve.log"
"$W" erp webhooks bp --url "$BASE" --new-token -w "$ws" > "$tmp/sub3" 2>&1 || no "erp webhooks --new-token" "$tmp/sub3"
TOKEN2=$(state | jq_ "sorted(set(w['uriTemplate'].rsplit('/', 1)[1] for w in j['webhooks']))")
[ "$(grep -c '^removed' "$tmp/sub3")" = 2 ] && [ "$(grep -c '^subscribed' "$tmp/sub3")" = 2 ] &&
  [ "${#TOKEN2}" = 68 ] && [ "$TOKEN2" != "[\"$TOKEN\"]" ] &&
  ok "--new-token: both subscriptions replaced, with one new token" || no "--new-token ($TOKEN2)" "$tmp/sub3"
exits "erp webhooks --remove" 0 "$W" erp webhooks bp --remove -w "$ws"
cp "$tmp/out" "$tmp/remove"
[ "$(state | jq_ "len(j['webhooks'])")" = 0 ] && ok "  no subscription of wharf's is left" || no "subscriptions left"
cat "$tmp"/sub* "$tmp/remove" "$tmp/serve.log" "$tmp"/run1 > "$tmp/all" 2>/dev/null
hasnt "the token is in no output and no log" "$TOKEN" "$tmp/all"
hasnt "  nor is the new one" "${TOKEN2:2:64}" "$tmp/all"
hasnt "  nor is the staff token" "$STAFF" "$tmp/all"
if grep -qa "$TOKEN" "$ws/wharf.db"; then no "the token is sealed in the store"; else ok "the token is sealed in the store"; fi
