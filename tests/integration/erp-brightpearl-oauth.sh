#!/usr/bin/env bash
# Brightpearl over OAuth, against the local stand-in (tests/erp/brightpearl.py,
# NOT Brightpearl) over real TLS on loopback, for what erp-brightpearl.sh
# (private app) leaves out: an auto-stock partner acknowledges from
# Brightpearl's product availability; answers lost after the request took
# effect (a contact cut, a sales order that stalls) leave each contact and
# order once; a PO change that meets a 412 reads the order again and lands
# once; an expired access token is refreshed, the rotated refresh token kept
# (the one used dies at once); a refresh token Brightpearl refuses keeps the
# change failing with a credentials message, nothing lost, until `wharf erp
# connect` and `wharf erp retry`.
# Usage: erp-brightpearl-oauth.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
. "$PWD/tests/erp/lib.bash"
CSECRET=bp-client-secret-That-Must-Never-Leak-0123
REFRESH=bprt-FirstRefreshTokenThatMustNeverLeak-42
erp_start brightpearl brightpearl.py --account acme --app-ref acme_wharf --dev-ref wharf-dev --staff-token '' \
  --client-secret "$CSECRET" --refresh-token "$REFRESH"
ctl POST /_test/refresh-policy '{"rotate": true}' > /dev/null
# in Brightpearl's warehouse 2: 10 of ACME-1001, 100 of ACME-1002, none of ACME-9001 (4 on hand, 4 allocated)
ctl POST /_test/seed '{"replace": true, "stock": [{"productId": 1001, "warehouseId": 2, "onHand": 10},
  {"productId": 1002, "warehouseId": 2, "onHand": 100}, {"productId": 1003, "warehouseId": 2, "onHand": 4, "allocated": 4}]}' > /dev/null

T=$(date -u +%s)
now_iso() { date -u -d "@$T" +%FT%TZ; }
tick() { T=$((T + $1 * 60)); ctl POST /_test/clock "{\"now\": \"$(now_iso)\"}" > /dev/null; }
w() { WHARF_NOW=$(now_iso) "$W" "$@"; }
tick 0
reqs() { ctl GET "/_test/requests?$1"; }

erp_workspace "  <erp kind=\"brightpearl\" id=\"bp\" account=\"acme\" auth=\"oauth\" endpoint=\"$URL\" ca-file=\"$CA\"
       receives=\"orders\" provides=\"stock\">
    <param name=\"warehouse-id\" value=\"2\"/>
    <param name=\"channel-id\" value=\"1\"/>
    <param name=\"price-list-id\" value=\"1\"/>
  </erp>"
# the RP partner acknowledges on arrival, up to the stock
sed -i '0,/<acknowledge mode="manual"/s//<acknowledge mode="auto-stock" backorder-lead-days="7"/' "$ws/wharf.xml"
for kv in brightpearl-app-ref=acme_wharf brightpearl-dev-ref=wharf-dev brightpearl-client-secret=$CSECRET \
          brightpearl-refresh-token=$REFRESH; do
  printf %s "${kv#*=}" | "$W" secrets set bp "${kv%%=*}" -w "$ws" >> "$tmp/sec" 2>&1 || no "secrets set ${kv%%=*}" "$tmp/sec"
done
w map codes bp-product set 1003 ACME-9001 -w "$ws" > "$tmp/codes" 2>&1 || no "map codes set" "$tmp/codes"

# ---- POs in: the first contact's answer is cut and the first order's stalls, both after they took
# effect; before them an address that stalls and a search cut, neither taken
ctl POST /_test/fault '[{"method": "POST", "path": "contact-service/contact$", "kind": "cut", "applied": true},
                        {"method": "POST", "path": "sales-order$", "kind": "timeout", "applied": true, "seconds": 1},
                        {"method": "POST", "path": "postal-address$", "kind": "timeout", "seconds": 1},
                        {"method": "GET", "path": "order-search", "kind": "cut"}]' > /dev/null
w run --once -w "$ws" > "$tmp/run1" 2>&1
for m in 3 6 12; do
  tick $m
  w run --once -w "$ws" > "$tmp/run-$m" 2>&1
done
ctl GET /_test/state > "$tmp/state.json"
python3 - "$tmp/state.json" <<'PY' > "$tmp/once" 2>&1 && ok "after a cut and a stalled answer: two orders, two contacts, two addresses, each once" || no "what Brightpearl holds" "$tmp/once"
import collections, json, sys
st = json.load(open(sys.argv[1]))
refs = collections.Counter(o["externalRef"] for o in st["orders"])
names = collections.Counter(c.get("organisation", {}).get("name") for c in st["contacts"])
print(refs, names, len(st["addresses"]))
sys.exit(0 if refs == {"amazon-rp:4Z32PABC": 1, "amazon-df:TVd4wGZnR": 1} and len(names) == 2 and
         set(names.values()) == {1} and len(st["addresses"]) == 2 else 1)
PY
reqs 'path=sales-order$|contact-service/contact$|postal-address$|order-search' |
  jq_ "sorted(set((r['path'].rsplit('/', 1)[1], str(r['status'])) for r in j['requests'] if r.get('fault')))" > "$tmp/posts"
has "  the faults were met: a contact cut, an order stalled, an address stalled, a search cut" \
  '^\[\["contact", "cut"\], \["order-search", "cut"\], \["postal-address", "timeout"\], \["sales-order", "timeout"\]\]$' "$tmp/posts"

# ---- auto-stock: decided from Brightpearl's availability, not a stock file -------------------
cat "$ws"/partners/amazon-rp/outbound/*855* 2>/dev/null | tr '~' '\n' | grep '^ACK' | cut -d'*' -f2,3 | tr '\n' ' ' > "$tmp/dec"
has "auto-stock's 855: 10 of 24 accepted (14 backordered), 12 of 12, the 6 allocated elsewhere backordered" \
  '^IA\*10 IB\*14 IA\*12 IB\*6 $' "$tmp/dec"
reqs 'path=product-availability' | jq_ "j['count']" > "$tmp/n"
[ "$(cat "$tmp/n")" -ge 1 ] && [ ! -e "$ws/erp/in/stock.csv" ] && ok "  read from warehouse-service/product-availability" || no "availability reads: $(cat "$tmp/n")"

# ---- a PO change meets a 412 (and an expired access token) ---------------------------------
RPIN=$ws/partners/amazon-rp/inbound
po_from amazon-rp-850.edi 4Z32PABC 4Z32PABC 9101 | sed 's/ACME-2001/ACME-9001/; s/PO1\*3\*6\*/PO1*3*7*/; s/CTT\*3\*42~/CTT*3*43~/' > "$RPIN/change1.edi"
ctl POST /_test/expire-tokens '{}' > /dev/null
ctl POST /_test/fault '{"method": "PUT", "path": "sales-order/", "kind": "412", "times": 1}' > /dev/null
SEQ=$(reqs '' | jq_ "max([r['seq'] for r in j['requests']])")
tick 5
w run --once -w "$ws" > "$tmp/run-412" 2>&1
ctl GET /_test/state > "$tmp/state.json"
jq_ "[r['quantity']['magnitude'] for o in j['orders'] if o['externalRef'] == 'amazon-rp:4Z32PABC' for r in o['orderRows'].values()]" < "$tmp/state.json" > "$tmp/q"
has "a 412 on the change: read again, the change applied (7)" '"24.0000", "12.0000", "7.0000"' "$tmp/q"
reqs "since=$SEQ&path=sales-order/|order-service/order/" | jq_ "[(r['method'], r['status'], r['headers'].get('if-match')) for r in j['requests']]" > "$tmp/puts"
python3 - "$tmp/puts" "$tmp/state.json" <<'PY' > "$tmp/412" 2>&1 && ok "  read, PUT (412), read again, PUT with the version read: once; one order" || no "the change's requests" "$tmp/412"
import json, sys
calls = json.load(open(sys.argv[1]))
st = json.load(open(sys.argv[2]))
rp = [o for o in st["orders"] if o["externalRef"] == "amazon-rp:4Z32PABC"]
print(calls, [o["version"] for o in rp])
calls = [c for c in calls if c[1] != 401]   # the expired token's, below
sys.exit(0 if [c[:2] for c in calls] == [["GET", 200], ["PUT", 412], ["GET", 200], ["PUT", 200]] and len(rp) == 1 and
         int(calls[3][2]) == rp[0]["version"] - 1 and len(st["orders"]) == 2 else 1)
PY
reqs 'path=oauth/token' | jq_ "[(r['body']['grant_type'], r['status']) for r in j['requests']]" > "$tmp/tok"
has "the expired access token refreshed with the rotated refresh token (the first is dead)" \
  '^\[\["refresh_token", 200\], \["refresh_token", 200\]\]$' "$tmp/tok"
reqs 'path=public-api' | jq_ "[r['status'] for r in j['requests']].count(401)" > "$tmp/n"
[ "$(cat "$tmp/n")" = 1 ] && ok "  after one 401" || no "401s: $(cat "$tmp/n")" "$tmp/tok"

# ---- a refresh token Brightpearl refuses: failing, said, nothing lost; connect and retry ----
printf %s bprt-not-a-token-Brightpearl-knows | "$W" secrets set bp brightpearl-refresh-token -w "$ws" > "$tmp/sec" 2>&1
ctl POST /_test/expire-tokens '{}' > /dev/null
po_from amazon-rp-850.edi 4Z32PABC 4Z32PABC 9102 | sed 's/ACME-2001/ACME-9001/; s/PO1\*3\*6\*/PO1*3*8*/; s/CTT\*3\*42~/CTT*3*44~/' > "$RPIN/change2.edi"
tick 5
w run --once -w "$ws" > "$tmp/run-bad" 2>&1
w erp status bp -w "$ws" > "$tmp/st" 2>&1
has "a refused refresh token: the change is failing, not lost" "failing +#[0-9]+ order:amazon-rp:4Z32PABC" "$tmp/st"
has "  saying Brightpearl refused the token and what to run" "refused the token request \\(invalid_grant\\).*wharf erp connect bp" "$tmp/st"
CODE=$(ctl POST /_test/oauth-code '{}' | jq_ "j['code']")
echo "$CODE" | w erp connect bp -w "$ws" > "$tmp/conn" 2>&1 && ok "erp connect bp: the code exchanged" || no "erp connect" "$tmp/conn"
exits "erp retry of the change" 0 w erp retry order:amazon-rp:4Z32PABC -w "$ws"
tick 1
w run --once -w "$ws" > "$tmp/run-fixed" 2>&1
w erp status bp --json -w "$ws" > "$tmp/st.json" 2>&1
ctl GET /_test/state > "$tmp/state.json"
python3 - "$tmp/st.json" "$tmp/state.json" <<'PY' > "$tmp/after" 2>&1 && ok "after connect and retry: the change applied (8), every message done, two orders" || no "after connect and retry" "$tmp/after"
import json, sys
msgs = json.load(open(sys.argv[1]))["erps"][0]["messages"]
st = json.load(open(sys.argv[2]))
q = [r["quantity"]["magnitude"] for o in st["orders"] if o["externalRef"] == "amazon-rp:4Z32PABC" for r in o["orderRows"].values()]
print([(m["name"], m["state"]) for m in msgs], q, len(st["orders"]))
sys.exit(0 if all(m["state"] == "done" for m in msgs) and len(msgs) == 4 and q[-1] == "8.0000" and len(st["orders"]) == 2 else 1)
PY

cat "$tmp"/run* "$tmp/st" "$tmp/conn" "$ws"/log/* > "$tmp/all" 2>/dev/null
hasnt "the client secret and the refresh tokens are in no output and no log" "$CSECRET|$REFRESH|bprt-not-a-token|$CODE" "$tmp/all"
if grep -qaE "$CSECRET|$REFRESH" "$ws/wharf.db"; then no "the secrets are sealed in the store"; else ok "the secrets are sealed in the store"; fi
