#!/usr/bin/env bash
# The HTTP API of issue 17 with curl against `wharf serve --http` on a port
# the kernel picks, over a workspace holding the RP and DF golden orders:
# users (passwords on standard input, refused when short), login (good and
# bad password, the rate limit's 429), viewer against operator (a viewer
# cannot approve, sees no DF consumer address; an operator sees it),
# approve through the API (the order approved, its 855 queued by the ack
# run as after the CLI's approve), a refusal in the CLI's words, CSRF,
# Bearer tokens without CSRF, a session of another workspace refused,
# logout; runs, ERP queues, shipments and invoices as the CLI's --json says
# them (a DF one's canonical document hidden from viewers). Usage: api.sh
# WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
command -v curl > /dev/null || { skip 111 "curl is not installed"; exit 0; }
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
ws2=$tmp/ws2
"$W" init "$ws" > /dev/null 2>&1 && "$W" init "$ws2" > /dev/null 2>&1 || { no "init"; exit 0; }
sed -i 's/<acknowledge mode="auto-all"/<acknowledge mode="manual"/' "$ws/wharf.xml"
cp "$G/amazon-rp-850.edi" "$ws/partners/amazon-rp/inbound/po.edi"
cp "$G/amazon-df-850.edi" "$ws/partners/amazon-df/inbound/df.edi"
cp "$G/bad/amazon-df-850-no-beg03.edi" "$ws/partners/amazon-df/inbound/bad.edi"
"$W" run --once -w "$ws" > "$tmp/run" 2>&1 || no "run --once" "$tmp/run"
# ws2's ERP is Brightpearl without its secrets: the orders' messages fail, kept for erp status;
# its DF order (acknowledged by itself) ships and is invoiced, for shipments and invoices
python3 - "$ws2/wharf.xml" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
erp = """  <erp kind="brightpearl" id="bp" account="acme" endpoint="https://127.0.0.1:9/"
       receives="orders" provides="packing-lists">
    <param name="warehouse-id" value="2"/><param name="channel-id" value="1"/>
    <param name="price-list-id" value="1"/><param name="bol" value="note"/>
  </erp>"""
open(sys.argv[1], "w").write(re.sub(r'  <erp kind="files".*?</erp>\n', erp + "\n", s, count=1, flags=re.S))
PY
cp "$G/amazon-rp-850.edi" "$ws2/partners/amazon-rp/inbound/po.edi"
cp "$G/amazon-df-850.edi" "$ws2/partners/amazon-df/inbound/df.edi"
# a DF PO whose consumer's street (N301) is too long: rejected, its finding quotes the street
sed 's/\*000005301\*/*000005302*/; s/\*5301\*X/*5302*X/; s/N3\*123 ANY STREET\*/N3*123 ANY STREET WITH A VERY LONG NAME THAT GOES ON AND ON PAST FIFTY FIVE*/' \
  "$G/amazon-df-850.edi" > "$ws2/partners/amazon-df/inbound/long-street.edi"
"$W" run --once -w "$ws2" > "$tmp/run2" 2>&1
"$W" ship "$(dirname "$0")/ship/in/df-single-package.csv" -w "$ws2" > "$tmp/ship2" 2>&1 || no "ship in ws2" "$tmp/ship2"
"$W" invoice run -w "$ws2" >> "$tmp/ship2" 2>&1 || no "invoice run in ws2" "$tmp/ship2"
"$W" erp status --json -w "$ws2" > "$tmp/erp2.json" 2>&1
has "ws2's orders wait for its ERP" '"failing": 2' "$tmp/erp2.json"
"$W" shipments list --json -w "$ws2" > "$tmp/ship2.json" 2>&1
"$W" invoices list --json -w "$ws2" > "$tmp/inv2.json" 2>&1
has "ws2's DF order shipped and invoiced" '"number": "ACME-DF-000001"' "$tmp/inv2.json"

# ---- users ------------------------------------------------------------------------------------
printf 'operator-pass-1\n' | "$W" users add olga --role operator -w "$ws" > "$tmp/u1" 2>&1 || no "users add olga" "$tmp/u1"
printf 'viewer-pass-12\n' | "$W" users add vic --role viewer -w "$ws" >> "$tmp/u1" 2>&1 || no "users add vic" "$tmp/u1"
printf 'operator-pass-1\n' | "$W" users add olga --role operator -w "$ws2" >> "$tmp/u1" 2>&1 || no "users add in ws2" "$tmp/u1"
printf 'viewer-pass-12\n' | "$W" users add vic --role viewer -w "$ws2" >> "$tmp/u1" 2>&1 || no "users add vic in ws2" "$tmp/u1"
printf 'short\n' | exits "users add refuses a short password" 2 "$W" users add sam --role viewer -w "$ws"
has "  saying the rule" 'too short: 5 characters, at least 10' "$tmp/out"
exits "users add refuses a role that is none" 2 "$W" users add sam --role admin -w "$ws"
TOK=$("$W" users token olga -w "$ws" 2> "$tmp/tok.err")
[[ "$TOK" =~ ^[0-9a-f]{64}$ ]] && ok "users token prints a new token" || no "users token" "$tmp/tok.err"
"$W" users list --json -w "$ws" > "$tmp/users.json" 2>&1
has "users list --json: names and roles" '"name": "vic",' "$tmp/users.json"
hasnt "  never a hash" 'argon2|pwhash' "$tmp/users.json"
cat "$ws"/wharf.db* | tr -c "[:print:]\n" " " > "$tmp/db.txt"
hasnt "the store keeps no password and no token" "operator-pass-1|$TOK" "$tmp/db.txt"

"$W" runs list --json --limit 0 -w "$ws" > "$tmp/runs.json" 2>&1 || no "runs list --json" "$tmp/runs.json"

# ---- the servers ----------------------------------------------------------------------------
serve_http "$tmp/serve.log" -w "$ws"
serve_http "$tmp/serve2.log" -w "$ws2"
P1=$(port_of "$tmp/serve.log"); P2=$(port_of "$tmp/serve2.log")
[ -n "$P1" ] && [ -n "$P2" ] && ok "both workspaces serve the API" || no "serve's listening line" "$tmp/serve.log"
B=http://127.0.0.1:$P1/api/v1

# ---- login ------------------------------------------------------------------------------------
req "$B/status"
code "no session, no token: 401" 401
has "  in JSON, saying how to log in" '"error": *"log in first' "$tmp/body"
req -H 'Content-Type: application/json' -d '{"name":"olga","password":"wrong-password"}' "$B/login"
code "a wrong password: 401" 401
has "  wrong name or password" 'wrong name or password' "$tmp/body"
req -c "$tmp/op.jar" -H 'Content-Type: application/json' -d '{"name":"olga","password":"operator-pass-1"}' "$B/login"
code "the operator logs in" 200
has "  a session cookie: HttpOnly, SameSite=Strict, Path=/" '^Set-Cookie: wharf_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict' "$tmp/hdr"
hasnt "  not Secure over plain HTTP" '^Set-Cookie:.*Secure' "$tmp/hdr"
OPCSRF=$(jget 'j["csrf_token"]')
[[ "$OPCSRF" =~ ^[0-9a-f]{64}$ ]] && ok "  and its CSRF token" || no "csrf_token" "$tmp/body"
req -c "$tmp/v.jar" --data-urlencode name=vic --data-urlencode password=viewer-pass-12 "$B/login"
code "the viewer logs in with a form" 200

# ---- reading ------------------------------------------------------------------------------------
req -b "$tmp/v.jar" "$B/status"
code "status with the viewer's session" 200
has "  what wharf status --json says" '"orders:pending-approval": 2' "$tmp/body"
req -b "$tmp/v.jar" "$B/orders?limit=1"
code "orders, a page of one" 200
[ "$(jget 'len(j["orders"])'),$(jget 'j["next"] is not None')" = "1,True" ] && ok "  one order and a next page" || no "page" "$tmp/body"
req -b "$tmp/v.jar" "$B/orders?limit=1&after=$(jget 'j["next"]')"
[ "$(jget 'len(j["orders"]),j["next"]')" = "(1, None)" ] && ok "  the next page: the other order, no more" || no "page 2" "$tmp/body"
req -b "$tmp/v.jar" "$B/orders?q=32PA&partner=amazon-rp"
[ "$(jget '[o["po_number"] for o in j["orders"]]')" = "['4Z32PABC']" ] && ok "  q= finds by a part of the PO" || no "q=" "$tmp/body"
req -b "$tmp/v.jar" "$B/orders?state=pending"
code "a state that is none: 400" 400
has "  in the CLI's words" "state 'pending' is not one of: pending-approval, approved" "$tmp/body"
req -b "$tmp/v.jar" "$B/orders/amazon-df/TVd4wGZnR"
code "the viewer reads the DF order" 200
hasnt "  without the consumer's address" 'ship_to_address|address_lines|gift_message' "$tmp/body"
has "  saying it is hidden" '"personal_data": "hidden: operators only"' "$tmp/body"
req -b "$tmp/op.jar" "$B/orders/amazon-df/TVd4wGZnR"
has "the operator sees the consumer's address" '"ship_to_address"' "$tmp/body"
req -b "$tmp/v.jar" "$B/orders/amazon-rp/NOPE"
code "an order that is none: 404" 404
has "  in the CLI's words" 'no order NOPE for partner amazon-rp' "$tmp/body"

# ---- documents ------------------------------------------------------------------------------------
req -b "$tmp/v.jar" "$B/documents?type=850&since=2020-01-01"
[ "$(jget 'sorted((d["partner"], d["state"]) for d in j["documents"])')" = "[('amazon-df', 'accepted'), ('amazon-df', 'rejected'), ('amazon-rp', 'accepted')]" ] \
  && ok "documents?type=850: the three 850s" || no "documents" "$tmp/body"
req -b "$tmp/v.jar" "$B/documents?since=2099-01-01"
[ "$(jget 'len(j["documents"])')" = 0 ] && ok "  since= a later day: none" || no "since" "$tmp/body"
req -b "$tmp/v.jar" "$B/documents?since=yesterday"
code "  since= that is no date: 400" 400
req -b "$tmp/v.jar" "$B/documents?state=rejected&partner=amazon-df"
BAD=$(jget 'j["documents"][0]["id"]')
RPDOC=$(curl -s -b "$tmp/v.jar" "$B/documents?type=850&partner=amazon-rp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"][0]["id"])')
DFDOC=$(curl -s -b "$tmp/v.jar" "$B/documents?type=850&partner=amazon-df&state=accepted" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"][0]["id"])')
req -b "$tmp/op.jar" "$B/documents/$BAD/findings"
has "a rejected document's findings, one a line, with position and rule" '"segment 2: BEG03 .*is required.*\[element-missing\]"' "$tmp/body"
req -b "$tmp/v.jar" "$B/documents/$BAD/findings"
has "  a DF one's, to a viewer: position and rule only" '"segment 2: \[hidden: operators only\] \[element-missing\]"' "$tmp/body"
req -b "$tmp/op.jar" "$B/documents/$BAD"
[ "$(jget 'j["file"]["verdict"], type(j["file"]["id"]).__name__')" = "('archived', 'int')" ] \
  && ok "a document names its file and what became of it" || no "document's file" "$tmp/body"
req -b "$tmp/op.jar" -H "X-CSRF-Token: $OPCSRF" -X POST "$B/documents/$BAD/reprocess"
code "a set rejected in an accepted file is not reprocessed: 409" 409
has "  saying its acknowledgment told the partner" 'rejected in the acknowledgment of file #[0-9]*, which was accepted' "$tmp/body"
req -b "$tmp/v.jar" "$B/documents/$RPDOC"
[ "$(jget 'j["kind"], j["state"]')" = "('850', 'accepted')" ] && ok "one document by id" || no "document" "$tmp/body"
req -b "$tmp/v.jar" "$B/documents/$RPDOC/raw"
cmp -s "$tmp/body" "$G/amazon-rp-850.edi" && ok "  its raw file, as received" || no "raw" "$tmp/body"
req -b "$tmp/v.jar" "$B/documents/$DFDOC/raw"
code "a viewer gets no DF file (consumers' addresses): 403" 403
req -b "$tmp/op.jar" "$B/documents/$DFDOC/raw"
cmp -s "$tmp/body" "$G/amazon-df-850.edi" && ok "  an operator does" || no "DF raw for the operator" "$tmp/body"
req --path-as-is -b "$tmp/op.jar" "$B/documents/../../../../etc/passwd"
hasnt "a path that climbs out is no file" 'root:' "$tmp/body"
req -b "$tmp/op.jar" "$B/documents/$RPDOC%2F..%2F..%2Fwharf.db/raw"
code "  an id with an encoded path in it: 404" 404
req -b "$tmp/op.jar" "$B/documents/99999/raw"
code "  a document that is none: 404" 404

# ---- runs ------------------------------------------------------------------------------------
req -b "$tmp/v.jar" "$B/runs?limit=2"
code "runs, a page of two" 200
[ "$(jget 'len(j["runs"]), j["next"] == j["runs"][1]["id"], j["runs"][0]["id"] > j["runs"][1]["id"]')" = "(2, True, True)" ] \
  && ok "  newest first, next the last id" || no "runs page" "$tmp/body"
cp "$tmp/body" "$tmp/runs1"
req -b "$tmp/v.jar" "$B/runs?limit=500&after=$(jget 'j["next"]')"
# the daemon may have run a job since: the CLI's runs are the oldest of the two pages
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); a=json.load(open(sys.argv[2])); b=json.load(open(sys.argv[3]))
r=a["runs"]+b["runs"]; ids=[x["id"] for x in r]
sys.exit(not(b["next"] is None and len(c) > 2 and r[-len(c):] == c and ids == sorted(set(ids), reverse=True)))' "$tmp/runs.json" "$tmp/runs1" "$tmp/body" \
  && ok "  the next page: the rest; the runs as wharf runs list --json says them" || no "runs page 2" "$tmp/body"
req -b "$tmp/v.jar" "$B/runs?state=done&limit=500"
[ "$(jget 'sorted(set(r["state"] for r in j["runs"]))')" = "['done']" ] && ok "  state=done: only done runs" || no "runs state" "$tmp/body"
req -b "$tmp/v.jar" "$B/runs?state=ok"
code "  a state that is none: 400" 400
has "  in the CLI's words" "state 'ok' is not one of: running, done, failed" "$tmp/body"

# ---- deciding ------------------------------------------------------------------------------------
VCSRF=$(curl -s -b "$tmp/v.jar" -c "$tmp/v2.jar" -H 'Content-Type: application/json' -d '{"name":"vic","password":"viewer-pass-12"}' "$B/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
req -b "$tmp/v2.jar" -H "X-CSRF-Token: $VCSRF" -X POST "$B/orders/amazon-rp/4Z32PABC/approve"
code "a viewer cannot approve: 403" 403
has "  saying so" 'only operators approve and reject orders; vic is a viewer' "$tmp/body"
req -b "$tmp/op.jar" -X POST "$B/orders/amazon-rp/4Z32PABC/approve"
code "a POST with a session cookie and no X-CSRF-Token: 403" 403
has "  saying the header is missing" 'X-CSRF-Token is missing' "$tmp/body"
req -b "$tmp/op.jar" -H "X-CSRF-Token: $VCSRF" -X POST "$B/orders/amazon-rp/4Z32PABC/approve"
code "  another session's CSRF token: 403" 403
req -b "$tmp/op.jar" -H "X-CSRF-Token: $OPCSRF" -X POST -d '{"ship_date":"2025-02-30"}' "$B/orders/amazon-rp/4Z32PABC/approve"
code "a decision the rules refuse: 409" 409
has "  in the CLI's words, with the rule" "amazon-rp 4Z32PABC refused: ship date '2025-02-30' is not a date YYYY-MM-DD \[rule ack-ship-date\]" "$tmp/body"
req -b "$tmp/op.jar" -H "X-CSRF-Token: $OPCSRF" -X POST -d '{"lines":[{"line_no":1,"accept":20,"backorder":"4","ship_date":"2099-01-09"}]}' "$B/orders/amazon-rp/4Z32PABC/approve"
code "the operator approves the RP order" 200
[ "$(jget 'j["state"]')" = approved ] && ok "  the order is approved" || no "approved" "$tmp/body"
req -H "Authorization: Bearer $TOK" -X POST -d '{"code":"03"}' "$B/orders/amazon-df/TVd4wGZnR/reject"
code "a Bearer token rejects the DF order without CSRF" 200
# the last character changed (to 1 when it is 0: "0" again would be the token)
BADTOK=${TOK%?}0; [ "$BADTOK" = "$TOK" ] && BADTOK=${TOK%?}1
req -H "Authorization: Bearer $BADTOK" "$B/status"
code "a token that is not known: 401" 401

# ---- another workspace's session ---------------------------------------------------------------------
req -c "$tmp/ws2.jar" -H 'Content-Type: application/json' -d '{"name":"olga","password":"operator-pass-1"}' "http://127.0.0.1:$P2/api/v1/login"
code "olga logs in to the other workspace" 200
WS2CSRF=$(jget 'j["csrf_token"]')
req -b "$tmp/ws2.jar" "$B/status"
code "its session cookie is refused here: 401" 401
has "  not of this workspace" 'not of this workspace' "$tmp/body"

# ---- ERP connectors ------------------------------------------------------------------------------------
req -b "$tmp/ws2.jar" "http://127.0.0.1:$P2/api/v1/erp"
code "erp: the connectors' queues" 200
# the daemon may have tried the messages again since: attempts aside
python3 -c 'import json,sys
def of(f):
    j = json.load(open(f))
    for e in j["erps"]:
        for m in e["messages"]: m.pop("attempts")
    return j
sys.exit(of(sys.argv[1]) != of(sys.argv[2]))' "$tmp/erp2.json" "$tmp/body" \
  && ok "  what wharf erp status --json says" || no "erp" "$tmp/body"
[ "$(jget '[(e["id"], e["failing"], sorted(m["name"] for m in e["messages"])) for e in j["erps"]]')" = "[('bp', 2, ['order:amazon-df:TVd4wGZnR', 'order:amazon-rp:4Z32PABC'])]" ] \
  && ok "  bp: the orders failing, by name" || no "erp bp" "$tmp/body"
req -b "$tmp/ws2.jar" "http://127.0.0.1:$P2/api/v1/erp/bp"
[ "$(jget 'len(j["erps"]), j["erps"][0]["id"]')" = "(1, 'bp')" ] && ok "  erp/bp: that one" || no "erp/bp" "$tmp/body"
req -b "$tmp/ws2.jar" "http://127.0.0.1:$P2/api/v1/erp/qb"
code "  an ERP that is none: 404" 404
has "  in the CLI's words" 'wharf.xml has no <erp id=\\"qb\\">' "$tmp/body"
req -H "Authorization: Bearer $TOK" "$B/erp"
[ "$(jget 'j')" = "{'erps': []}" ] && ok "  the file exchange only: no API ERP" || no "erp ws" "$tmp/body"

# ---- shipments and invoices ------------------------------------------------------------------------
B2=http://127.0.0.1:$P2/api/v1
req -c "$tmp/v2ws.jar" --data-urlencode name=vic --data-urlencode password=viewer-pass-12 "$B2/login"
code "ws2's viewer logs in" 200
V2CSRF=$(jget 'j["csrf_token"]')

# ---- personal data in texts, ERP retry --------------------------------------------------------------
req -b "$tmp/v2ws.jar" "$B2/documents?state=rejected&partner=amazon-df"
[ "$(jget '[d["findings"] for d in j["documents"]]')" = "['segment 8: [hidden: operators only] [element-too-long]\\n']" ] \
  && ok "a viewer gets a DF document's finding with its position and rule, the street it quotes hidden" || no "DF findings for a viewer" "$tmp/body"
LONG=$(jget 'j["documents"][0]["id"]')
req -b "$tmp/v2ws.jar" "$B2/documents/$LONG/findings"
[ "$(jget 'j["findings"]')" = "['segment 8: [hidden: operators only] [element-too-long]']" ] && ok "  the same in .../findings" || no "findings" "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/documents/$LONG"
hasnt "  and in the document" 'ANY STREET' "$tmp/body"
req -b "$tmp/ws2.jar" "$B2/documents/$LONG/findings"
has "an operator sees the street the finding quotes" "segment 8: N301 '123 ANY STREET WITH A VERY LONG NAM' is 72 characters" "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/erp"
[ "$(jget 'sorted((m["partner"], m["error"] == "[hidden: operators only]", bool(m["error"])) for m in j["erps"][0]["messages"])')" = "[('amazon-df', True, True), ('amazon-rp', False, True)]" ] \
  && ok "a viewer gets the DF order's ERP error hidden, the RP one's as it is" || no "erp errors for a viewer" "$tmp/body"
DFMSG=$(jget '[m["message"] for m in j["erps"][0]["messages"] if m["partner"] == "amazon-df"][0]')
req -b "$tmp/ws2.jar" "$B2/erp"
[ "$(jget '[m["error"] for m in j["erps"][0]["messages"] if m["partner"] == "amazon-df"][0] != "[hidden: operators only]"')" = True ] \
  && ok "  an operator gets it" || no "erp errors for an operator" "$tmp/body"
req -b "$tmp/v2ws.jar" -H "X-CSRF-Token: $V2CSRF" -X POST "$B2/erp/messages/$DFMSG/retry"
code "a viewer cannot retry an ERP message: 403" 403
req -b "$tmp/ws2.jar" -X POST "$B2/erp/messages/$DFMSG/retry"
code "  nor an operator's session without its CSRF token" 403
req -b "$tmp/ws2.jar" -H "X-CSRF-Token: $WS2CSRF" -X POST "$B2/erp/messages/$DFMSG/retry"
code "the operator retries the failing DF message" 200
[ "$(jget 'j["id"] == '"$DFMSG"', j["state"]')" = "(True, 'failing')" ] && ok "  its id and state (failing until it goes through)" || no "retry" "$tmp/body"
req -b "$tmp/ws2.jar" -H "X-CSRF-Token: $WS2CSRF" -X POST "$B2/erp/messages/99999/retry"
code "  a message that is none: 404" 404
req -b "$tmp/ws2.jar" -H "X-CSRF-Token: $WS2CSRF" -X POST "$B2/erp/bp/retry"
code "  another path: 404" 404
same_as() {  # same_as CLI.json KEY: the page's KEY, ids aside, is what the CLI said (newest first)
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); a=json.load(open(sys.argv[2]))
for o in a[sys.argv[3]]: o.pop("id")
sys.exit(not(c and a[sys.argv[3]] == c[::-1] and a["next"] is None))' "$1" "$tmp/body" "$2"
}
req -b "$tmp/v2ws.jar" "$B2/shipments"
code "shipments" 200
same_as "$tmp/ship2.json" shipments && ok "  what wharf shipments list --json says" || no "shipments" "$tmp/body"
SHIP=$(jget 'j["shipments"][0]["id"]')
req -b "$tmp/v2ws.jar" "$B2/shipments?state=queued&partner=amazon-rp"
[ "$(jget 'j')" = "{'shipments': [], 'next': None}" ] && ok "  partner= another: none" || no "shipments partner" "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/shipments?state=sent"
code "  a state that is none: 400" 400
has "  in the CLI's words" "state 'sent' is not one of: queued, replaced, floor-denial" "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/shipments/$SHIP"
[ "$(jget 'j["shipment_id"], len(j["lines"]), "canonical" in j, j["personal_data"]')" = "('TVd4wGZnR', 2, False, 'hidden: operators only')" ] \
  && ok "one DF shipment, its lines, its canonical document hidden from a viewer" || no "shipment" "$tmp/body"
req -b "$tmp/ws2.jar" "$B2/shipments/$SHIP"
has "  an operator gets it" '"canonical": "<' "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/shipments/TVd4wGZnR"
code "  by row id only: 404" 404
req -b "$tmp/v2ws.jar" "$B2/shipments/99999"
has "  a shipment that is none: 404" '"error": *"no shipment 99999"' "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/invoices?state=sent"
code "invoices" 200
same_as "$tmp/inv2.json" invoices && ok "  what wharf invoices list --json says" || no "invoices" "$tmp/body"
INV=$(jget 'j["invoices"][0]["id"]')
req -b "$tmp/v2ws.jar" "$B2/invoices?state=unpaid"
code "  a state that is none: 400" 400
req -b "$tmp/ws2.jar" "$B2/invoices/$INV"
[ "$(jget 'j["number"], j["history"][-1]["state"], j["canonical"][:1]')" = "('ACME-DF-000001', 'sent', '<')" ] \
  && ok "one invoice with its history and canonical document (an operator)" || no "invoice" "$tmp/body"
req -b "$tmp/v2ws.jar" "$B2/invoices/$INV"
[ "$(jget '"canonical" in j, j["personal_data"]')" = "(False, 'hidden: operators only')" ] \
  && ok "  a DF invoice's canonical document: not to a viewer" || no "invoice viewer" "$tmp/body"
req "$B2/invoices"
code "  none without logging in: 401" 401

# ---- the rate limit ------------------------------------------------------------------------------------
for i in 1 2 3 4; do
  curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"name":"olga","password":"wrong-again"}' "$B/login"
done
req -H 'Content-Type: application/json' -d '{"name":"olga","password":"operator-pass-1"}' "$B/login"
code "a sixth login of a name in a minute after five failures: 429, even with the right password" 429
has "  with Retry-After" '^Retry-After: [0-9]+' "$tmp/hdr"
req -H 'Content-Type: application/json' -d '{"name":"vic","password":"viewer-pass-12"}' "$B/login"
code "  another name from the same peer still logs in" 200

# ---- logout ------------------------------------------------------------------------------------
req -b "$tmp/op.jar" -H "X-CSRF-Token: $OPCSRF" -X POST "$B/logout"
code "logout" 200
has "  the cookie is cleared" '^Set-Cookie: wharf_session=; .*Max-Age=0' "$tmp/hdr"
req -b "$tmp/op.jar" "$B/status"
code "  the session is over: 401" 401
hasnt "no password, token or session id in the log" "operator-pass-1|viewer-pass-12|$TOK|$OPCSRF" "$tmp/serve.log"

for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; pids=""
# ---- the 855, as after the CLI's approve --------------------------------------------------------------
"$W" ack run -w "$ws" > "$tmp/ack" 2>&1
has "the ack run queues the 855s of the decisions made through the API" '^2 acknowledgments queued' "$tmp/ack"
"$W" orders show 4Z32PABC -w "$ws" > "$tmp/show" 2>&1
has "the order's history names who decided, through the API" 'olga \(api\)' "$tmp/show"
echo "1..$n"
