#!/usr/bin/env bash
# QuickBooks Online through the connector, against the local stand-in
# (tests/erp/quickbooks.py, NOT QuickBooks) over real TLS on loopback, for
# what erp-quickbooks.sh leaves out: receives="orders" posts each order as an
# Estimate (DocNumber the PO, totals exact); an answer that stalls and one
# cut after the request took effect leave each Estimate once (the retry's
# requestid gets the first answer); an invoice whose DocNumber a person used
# in QuickBooks for another total is held with QuickBooks' own words, shown
# by `wharf erp status`, and goes once after the fix and `wharf erp retry`.
# Usage: erp-quickbooks-faults.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
. "$PWD/tests/erp/lib.bash"
CID=ABwharfClientIdThatMustNeverLeak0000000000000000
CSECRET=qbo-client-secret-That-Must-Never-Leak-42
REFRESH=AB11RefreshTokenThatMustNeverLeak-0123456789
REALM=9130350000000000
erp_start quickbooks quickbooks.py --realm $REALM --client-id $CID --client-secret $CSECRET \
  --refresh-token $REFRESH --duplicate-docnumber-check
# an Item for the RP PO's third SKU; a customer of the vendor's own with an
# invoice a person typed in QuickBooks, numbered as wharf's DF invoice will be
ctl POST /_test/seed '{"items": [{"Id": "10", "Name": "Gizmo XL", "Sku": "ACME-9001", "UnitPrice": 39.99}],
  "customers": [{"Id": "300", "DisplayName": "Walk-in"}],
  "invoices": [{"Id": "900", "DocNumber": "ACME-DF-000001", "CustomerRef": {"value": "300"}, "Line": [{"DetailType":
    "SalesItemLineDetail", "Amount": 25.00, "SalesItemLineDetail": {"ItemRef": {"value": "8"}, "Qty": 2, "UnitPrice": 12.50}}]}]}' > /dev/null

T=$(date -u +%s)
now_iso() { date -u -d "@$T" +%FT%TZ; }
tick() { T=$((T + $1 * 60)); ctl POST /_test/clock "{\"now\": \"$(now_iso)\"}" > /dev/null; }
w() { WHARF_NOW=$(now_iso) "$W" "$@"; }
tick 0

erp_workspace "  <erp kind=\"files\" formats=\"json\"/>
  <erp kind=\"quickbooks\" id=\"qbo\" realm=\"$REALM\" endpoint=\"$URL\" ca-file=\"$CA\"
       token-endpoint=\"$URL/oauth2/v1/tokens/bearer\" receives=\"orders invoices\"/>"
printf %s $CID | "$W" secrets set qbo qbo-client-id -w "$ws" > "$tmp/sec" 2>&1
printf %s $CSECRET | "$W" secrets set qbo qbo-client-secret -w "$ws" >> "$tmp/sec" 2>&1
printf %s $REFRESH | "$W" secrets set qbo qbo-refresh-token -w "$ws" >> "$tmp/sec" 2>&1 || no "secrets set" "$tmp/sec"
# the vendor's Items, in the workspace's own code list (what `wharf map codes qbo-item set` writes)
mkdir -p "$ws/codelists"
cat > "$ws/codelists/qbo-item.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<codelist name="qbo-item">
  <entry from="8" to="ACME-1001"/>
  <entry from="9" to="ACME-1002"/>
  <entry from="10" to="ACME-9001"/>
</codelist>
XML

# ---- orders in as Estimates: the first answer stalls, the second is cut, both after they took effect
ctl POST /_test/fault '[{"method": "POST", "path": "/estimate$", "kind": "timeout", "applied": true, "seconds": 1},
                        {"method": "POST", "path": "/estimate$", "kind": "cut", "applied": true}]' > /dev/null
w run --once -w "$ws" > "$tmp/run1" 2>&1
# the retries meet a cut and a 500 before anything is done, then a 401 (the token refreshed)
ctl POST /_test/fault '[{"method": "POST", "path": "/estimate$", "kind": "cut"},
                        {"method": "POST", "path": "/estimate$", "kind": "500"}]' > /dev/null
tick 3
w run --once -w "$ws" > "$tmp/run-3" 2>&1
ctl POST /_test/fault '{"method": "POST", "path": "/estimate$", "kind": "401"}' > /dev/null
tick 6
w run --once -w "$ws" > "$tmp/run-6" 2>&1
ctl GET /_test/state > "$tmp/state.json"
jq_ "sorted((e['DocNumber'], str(e['TotalAmt'])) for e in j['estimates'])" < "$tmp/state.json" > "$tmp/est"
has "each order an Estimate, once, after a stalled answer, cuts, a 500 and a 401: the RP PO's totals 644.94" \
  '^\[\["4Z32PABC", "644.94"\], \["TVd4wGZnR", "[0-9.]+"\]\]$' "$tmp/est"
ctl GET '/_test/requests?method=POST&path=/estimate$' |
  jq_ "[(str(r['status']), r['outcome'], r['requestid']) for r in j['requests']]" > "$tmp/outcomes"
python3 - "$tmp/outcomes" <<'PY' > "$tmp/o" 2>&1 && ok "  each made once, by the post whose answer was lost; every later try carried its requestid" || no "the Estimate posts" "$tmp/o"
import json, sys
v = json.load(open(sys.argv[1]))
print(v)
by = {}
for status, outcome, rid in v:
    by.setdefault(rid, []).append((status, outcome))
# per document: the applied fault, a cut or a 500 that made nothing, a 401 or not, the replay
tries = sorted([t for t in v if t[0] != "401"] for v in by.values())
sys.exit(0 if len(by) == 2 and sum(len(v) for v in by.values()) == 7 and
         [t[0] for t in tries[0]] in (["cut", "cut", "200"], ["cut", "500", "200"]) and
         [t[0] for t in tries[1]] in (["timeout", "cut", "200"], ["timeout", "500", "200"]) and
         all(t[0] == "200" and t[1] == "replayed" for v in tries for t in v[-1:]) and
         [t[1] for v in tries for t in v].count("created") == 2 else 1)
PY
ctl GET '/_test/requests?path=tokens/bearer' | jq_ "len(j['requests'])" > "$tmp/n"
[ "$(cat "$tmp/n")" = 2 ] && ok "  the 401: the access token refreshed once, the post tried again" || no "token requests: $(cat "$tmp/n")" "$tmp/run-6"

# ---- a DocNumber a person used, for another total: held in QuickBooks' words -----------------
w ship "$PWD/tests/integration/ship/in/df-single-package.csv" -w "$ws" > "$tmp/out" 2>&1 || no "ship DF" "$tmp/out"
tick 60
w invoice run -w "$ws" > "$tmp/inv" 2>&1
w run --once -w "$ws" > "$tmp/run-dup" 2>&1
w erp status qbo -w "$ws" > "$tmp/st" 2>&1
has "erp status: the DF invoice is held" "held +#[0-9]+ invoice:amazon-df:ACME-DF-000001" "$tmp/st"
has "  QuickBooks has that number for 25.00, and says so in its words" \
  "already has Invoice ACME-DF-000001 totalling 25.00, and this one totals [0-9.]+; it said: Duplicate Document Number Error" "$tmp/st"
# the fix, in QuickBooks: the typed invoice renumbered
ctl POST /_test/seed '{"invoices": [{"Id": "900", "DocNumber": "TYPED-0001", "CustomerRef": {"value": "300"}, "Line": [{"DetailType":
    "SalesItemLineDetail", "Amount": 25.00, "SalesItemLineDetail": {"ItemRef": {"value": "8"}, "Qty": 2, "UnitPrice": 12.50}}]}]}' > /dev/null
exits "erp retry after the fix" 0 w erp retry invoice:amazon-df:ACME-DF-000001 -w "$ws"
tick 1
w run --once -w "$ws" > "$tmp/run-fixed" 2>&1
w erp status qbo --json -w "$ws" > "$tmp/st.json" 2>&1
ctl GET /_test/state > "$tmp/state.json"
python3 - "$tmp/st.json" "$tmp/state.json" <<'PY' > "$tmp/ids" 2>&1 && ok "then it goes once: every message done, with QuickBooks' own Ids" || no "after the fix" "$tmp/ids"
import collections, json, sys
msgs = json.load(open(sys.argv[1]))["erps"][0]["messages"]
st = json.load(open(sys.argv[2]))
qbo = {("invoice", i["DocNumber"]): i["Id"] for i in st["invoices"]}
qbo.update({("order", e["DocNumber"]): e["Id"] for e in st["estimates"]})
got = {(m["name"].split(":")[0], m["name"].split(":")[2]): (m["state"], m["erp_id"]) for m in msgs}
docs = collections.Counter(i["DocNumber"] for i in st["invoices"])
print(got, qbo, docs)
want = {k: ("done", v) for k, v in qbo.items() if k != ("invoice", "TYPED-0001")}
sys.exit(0 if got == want and len(msgs) == 3 and docs == {"ACME-DF-000001": 1, "TYPED-0001": 1} else 1)
PY

cat "$tmp"/run* "$tmp/st" "$ws"/log/* > "$tmp/all" 2>/dev/null
hasnt "the client secret and refresh token are in no output and no log" "$CSECRET|$REFRESH" "$tmp/all"
