#!/usr/bin/env bash
# Reprocess (issue 17): PO files quarantined because wharf.xml had the
# partner's interchange id wrong, reprocessed after the fix through the CLI
# and the HTTP API. A reprocess before the fix is quarantined again and
# named when the first file is reprocessed a second time; after the fix the
# order is created and one 997 goes out, to the partner as configured now; a
# second copy of the same interchange (other bytes) is a duplicate, not a
# second order or 997; the same file reprocessed from the CLI and the API at
# once runs once; a viewer, a POST without CSRF token and a document whose
# file was not quarantined are refused; the quarantined bytes and the list
# with what became of each reprocess. Usage: reprocess.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"
command -v curl > /dev/null || { skip 32 "curl is not installed"; exit 0; }
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
sed -i 's/<acknowledge mode="auto-all"/<acknowledge mode="manual"/; s|<interchange qualifier="ZZ" id="AMAZON"/>|<interchange qualifier="ZZ" id="AMAZONX"/>|' "$ws/wharf.xml"
in=$ws/partners/amazon-rp/inbound
cp "$G/amazon-rp-850.edi" "$in/po.edi"
# the same interchange again in other bytes (a trailing line break): a second file, not the same one
{ cat "$G/amazon-rp-850.edi"; echo; } > "$tmp/po-again.edi"
"$W" run --once -w "$ws" > "$tmp/run" 2>&1
cp "$tmp/po-again.edi" "$in/po-again.edi"
"$W" run --once -w "$ws" >> "$tmp/run" 2>&1
"$W" quarantine list --json -w "$ws" > "$tmp/q.json" 2>&1
jq() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
[ "$(jq "$tmp/q.json" '[(f["id"], f["name"], f["documents"], f["reprocessed"]) for f in j["files"]]')" = "[(2, 'po-again.edi', [], None), (1, 'po.edi', [], None)]" ] \
  && ok "quarantine list --json: both files, newest first, nothing recorded of them" || no "quarantine list" "$tmp/q.json"
has "  with the reason: the interchange id wharf.xml expects" "ISA06 'AMAZON' is not the expected 'AMAZONX'" "$tmp/q.json"

# ---- the CLI, before the fix -------------------------------------------------------------------
exits "reprocess before the fix: quarantined again (exit 1)" 1 "$W" reprocess 1 -w "$ws"
has "  as a new file #3" '^file #1 reprocessed as #3: quarantined' "$tmp/out"
exits "reprocessing file #1 again is refused" 1 "$W" reprocess '#1' -w "$ws"
has "  naming the earlier reprocess" 'file #1 was reprocessed already, as #3 \(quarantined\): reprocess that one after the next fix' "$tmp/out"
exits "a file that is none" 1 "$W" reprocess 99 -w "$ws"
has "  says so" 'no inbound file #99' "$tmp/out"
exits "an id that is no number: usage" 2 "$W" reprocess po.edi -w "$ws"
"$W" quarantine list -w "$ws" > "$tmp/q.txt" 2>&1
has "quarantine list: file #1 with what became of it" '^#1  amazon-rp  po.edi .* reprocessed as #3 \(quarantined\)' "$tmp/q.txt"

# ---- the fix, the API ---------------------------------------------------------------------------
sed -i 's|id="AMAZONX"|id="AMAZON"|' "$ws/wharf.xml"
printf 'operator-pass-1\n' | "$W" users add olga --role operator -w "$ws" > "$tmp/u" 2>&1
printf 'viewer-pass-12\n' | "$W" users add vic --role viewer -w "$ws" >> "$tmp/u" 2>&1 || no "users add" "$tmp/u"
TOK=$("$W" users token olga -w "$ws" 2>> "$tmp/u")
WHARF_POLL_SECONDS=3600 "$W" serve --http 127.0.0.1:0 -w "$ws" 2> "$tmp/serve.log" & pids="$pids $!"
P=$(port_of "$tmp/serve.log")
[ -n "$P" ] && ok "serve listens" || no "serve" "$tmp/serve.log"
B=http://127.0.0.1:$P/api/v1
req() { curl -s -o "$tmp/body" -w '%{http_code}' "$@" > "$tmp/code"; }
code() { if [ "$(cat "$tmp/code")" = "$2" ]; then ok "$1"; else no "$1 (status $(cat "$tmp/code"), want $2)" "$tmp/body"; fi; }
req -c "$tmp/op.jar" -H 'Content-Type: application/json' -d '{"name":"olga","password":"operator-pass-1"}' "$B/login"
CSRF=$(jq "$tmp/body" 'j["csrf_token"]')
req -c "$tmp/v.jar" -H 'Content-Type: application/json' -d '{"name":"vic","password":"viewer-pass-12"}' "$B/login"
VCSRF=$(jq "$tmp/body" 'j["csrf_token"]')

req -b "$tmp/v.jar" "$B/quarantine?limit=2"
code "GET quarantine: the viewer reads the list" 200
[ "$(jq "$tmp/body" '[f["id"] for f in j["files"]], j["next"]')" = "([3, 2], 2)" ] && ok "  a page of two, newest first, and the next" || no "page" "$tmp/body"
req -b "$tmp/v.jar" "$B/quarantine?after=2&partner=amazon-rp"
[ "$(jq "$tmp/body" '[(f["id"], f["reprocessed"]["as"], f["reprocessed"]["verdict"]) for f in j["files"]], j["next"]')" = "([(1, 3, 'quarantined')], None)" ] \
  && ok "  the next page: file #1, reprocessed as #3 (quarantined)" || no "page 2" "$tmp/body"
req -b "$tmp/v.jar" "$B/quarantine/1/raw"
cmp -s "$tmp/body" "$G/amazon-rp-850.edi" && ok "GET quarantine/1/raw: the bytes as received" || no "raw" "$tmp/body"
req -b "$tmp/v.jar" "$B/quarantine/1/../../../etc/passwd" --path-as-is
hasnt "  a path that climbs is no file" 'root:' "$tmp/body"

req -b "$tmp/v.jar" -H "X-CSRF-Token: $VCSRF" -X POST "$B/quarantine/3/reprocess"
code "a viewer cannot reprocess: 403" 403
has "  saying who may" 'only operators reprocess files; vic is a viewer' "$tmp/body"
req -b "$tmp/op.jar" -X POST "$B/quarantine/3/reprocess"
code "an operator's POST without its CSRF token: 403" 403
req -b "$tmp/op.jar" -H "X-CSRF-Token: $CSRF" -X POST "$B/quarantine/3/reprocess"
code "the operator reprocesses file #3 after the fix" 200
[ "$(jq "$tmp/body" 'j["file"], j["of"], j["verdict"], j["reason"], len(j["documents"])')" = "(4, 3, 'archived', None, 1)" ] \
  && ok "  as #4: archived, one document" || no "reprocess" "$tmp/body"
DOC=$(jq "$tmp/body" 'j["documents"][0]')
req -H "Authorization: Bearer $TOK" -X POST "$B/quarantine/3/reprocess"
code "  again: 409" 409
has "  naming the earlier reprocess" 'file #3 was reprocessed already, as #4 \(archived\)' "$tmp/body"
req -H "Authorization: Bearer $TOK" -X POST "$B/documents/$DOC/reprocess"
code "a document whose file was not quarantined: 409" 409
has "  saying so" 'file #4 is not quarantined \(archived\)' "$tmp/body"
req -H "Authorization: Bearer $TOK" -X POST "$B/quarantine/4/reprocess"
code "  the same through quarantine/ID" 409
req -b "$tmp/v.jar" "$B/orders?partner=amazon-rp"
[ "$(jq "$tmp/body" '[(o["po_number"], o["state"]) for o in j["orders"]]')" = "[('4Z32PABC', 'pending-approval')]" ] \
  && ok "the order is created" || no "orders" "$tmp/body"

# the second copy: from the CLI and the API at once, one runs; the interchange was accepted: a duplicate
"$W" reprocess 2 --json -w "$ws" > "$tmp/cli.json" 2> "$tmp/cli.err" &
cpid=$!
req -H "Authorization: Bearer $TOK" -X POST "$B/quarantine/2/reprocess"
wait "$cpid"
cat "$tmp/cli.json" "$tmp/cli.err" "$tmp/body" > "$tmp/both"
[ "$(grep -c '"verdict": "duplicate"' "$tmp/both")" = 1 ] && [ "$(grep -cE 'file #2 was reprocessed already, as #5 \((duplicate|received)\)' "$tmp/both")" = 1 ] \
  && ok "reprocess from the CLI and the API at once: one runs (a duplicate), the other is refused" || no "at once" "$tmp/both"
kill "$pids" 2>/dev/null; wait 2>/dev/null; pids=""

"$W" run --once -w "$ws" > "$tmp/run2" 2>&1
ls "$ws/partners/amazon-rp/outbound" > "$tmp/out.ls"
[ "$(grep -c 997 "$tmp/out.ls")" = 1 ] && ok "one 997 went out, for the reprocessed file" || no "997s" "$tmp/out.ls"
f997=$(ls "$ws"/partners/amazon-rp/outbound/*997* 2>/dev/null | head -1)
has "  to the partner as configured now, accepting the PO's set" '^ISA\*00\*          \*00\*          \*ZZ\*ACMEVENDOR     \*ZZ\*AMAZON         \*.*AK1\*PO\*4721~.*AK5\*A~' <(tr -d '\n' < "${f997:-/dev/null}")
"$W" orders list --json -w "$ws" > "$tmp/orders.json" 2>&1
[ "$(jq "$tmp/orders.json" 'len(j["orders"]) if isinstance(j, dict) else len(j)')" = 1 ] && ok "  and one order" || no "orders" "$tmp/orders.json"
"$W" quarantine list --json -w "$ws" > "$tmp/q2.json" 2>&1
[ "$(jq "$tmp/q2.json" '[(f["id"], (f["reprocessed"] or {}).get("verdict")) for f in j["files"]]')" = "[(3, 'archived'), (2, 'duplicate'), (1, 'quarantined')]" ] \
  && ok "the list says what became of each" || no "list after" "$tmp/q2.json"
echo "1..$n"
