#!/usr/bin/env bash
# The map workbench and the Today page of the HTTP API (issue 17) with curl
# against `wharf serve --http` on a port the kernel picks. Maps: the list
# with its golden samples, one map with its source and code lists, a
# sample's input and expected output, a sample run the same as `wharf map
# test` (same: true), an edited input (same: false, a unified diff), input
# that does not read (its line), an unknown map or sample (404), an
# oversize body (413), a viewer may run, no session 401. Today: orders
# that arrived 30, 22 and 1 hours ago come back most urgent first; two
# orders acknowledged 3 and 5 hours after arrival give a median and p90;
# documents per day as `wharf documents --json` counts them, 14 days; a DF
# partner's error hidden from a viewer. Usage: api-maps.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"
command -v curl > /dev/null || { skip 46 "curl is not installed"; exit 0; }
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
sed -i 's/<acknowledge mode="auto-all"/<acknowledge mode="manual"/' "$ws/wharf.xml"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
now=$(date +%s)
in=$ws/partners/amazon-rp/inbound
# two orders 50 and 48 hours ago, acknowledged 45 hours ago (5 h and 3 h); a DF file refused
po_from amazon-rp-850.edi 4Z32PABC LAT0001 1001 > "$in/l1.edi"
at "$(iso $((now - 50 * 3600)))" "$W" run --once -w "$ws" > "$tmp/run" 2>&1
po_from amazon-rp-850.edi 4Z32PABC LAT0002 1002 > "$in/l2.edi"
cp "$G/bad/amazon-df-850-no-beg03.edi" "$ws/partners/amazon-df/inbound/bad.edi"
at "$(iso $((now - 48 * 3600)))" "$W" run --once -w "$ws" >> "$tmp/run" 2>&1
at "$(iso $((now - 46 * 3600)))" "$W" orders approve LAT0001 -w "$ws" >> "$tmp/run" 2>&1
at "$(iso $((now - 46 * 3600)))" "$W" orders approve LAT0002 -w "$ws" >> "$tmp/run" 2>&1
at "$(iso $((now - 45 * 3600)))" "$W" run --once -w "$ws" >> "$tmp/run" 2>&1
# three orders waiting for their acknowledgment, in the order 1 h, 30 h, 22 h ago
for k in 1:1 2:30 3:22; do
  po_from amazon-rp-850.edi 4Z32PABC "DUE000${k%%:*}" "200${k%%:*}" > "$in/d${k%%:*}.edi"
  at "$(iso $((now - ${k##*:} * 3600)))" "$W" run --once -w "$ws" >> "$tmp/run" 2>&1
done
"$W" documents --json --limit 0 -w "$ws" > "$tmp/docs.json" 2>&1 || no "documents --json" "$tmp/docs.json"
printf 'operator-pass-1\n' | "$W" users add olga --role operator -w "$ws" > "$tmp/u" 2>&1 || no "users add" "$tmp/u"
printf 'viewer-pass-12\n' | "$W" users add vic --role viewer -w "$ws" >> "$tmp/u" 2>&1 || no "users add" "$tmp/u"
OP=$("$W" users token olga -w "$ws" 2>> "$tmp/u"); VI=$("$W" users token vic -w "$ws" 2>> "$tmp/u")

serve_http "$tmp/serve.log" -w "$ws"
P=$(port_of "$tmp/serve.log")
[ -n "$P" ] && ok "serve --http listens" || { no "serve's listening line" "$tmp/serve.log"; exit 0; }
B=http://127.0.0.1:$P/api/v1
V=(-H "Authorization: Bearer $VI"); O=(-H "Authorization: Bearer $OP")

# ---- maps -------------------------------------------------------------------------------------
M=amazon-rp/850-to-order
req "$B/maps"
code "maps without a session: 401" 401
req "${V[@]}" "$B/maps"
code "the viewer lists the maps" 200
[ "$(jget 'len(j["maps"]) == len([l for l in open("mappings/registry.xml") if "<map name=" in l])')" = True ] \
  && ok "  every registered map" || no "maps" "$tmp/body"
[ "$(jget '[(m["from"], m["to"], "original" in [s["name"] for s in m["samples"]]) for m in j["maps"] if m["name"] == "'$M'"]')" = "[('x12', 'xml', True)]" ] \
  && ok "  with its formats and the golden samples of $M.tests" || no "one map" "$tmp/body"
[ "$(jget 'all(s["expected"] for m in j["maps"] for s in m["samples"])')" = True ] && ok "  each sample with an expected file" || no "expected" "$tmp/body"
req "${V[@]}" "$B/maps/$M"
code "one map" 200
[ "$(jget 'j["source"] == open("mappings/'$M'.xsl").read()')" = True ] && ok "  its source, as the file has it" || no "source" "$tmp/body"
[ "$(jget '[c["entries"] > 0 for c in j["code_lists"] if c["name"] in ("po-purpose", "x12-unit")]')" = "[True, True]" ] \
  && ok "  the code lists it looks up, with their entries" || no "code_lists" "$tmp/body"
req "${V[@]}" "$B/maps/amazon-rp%2F850-to-order"
code "a name with its slash encoded is no name: 404" 404
req "${V[@]}" "$B/maps/$M/samples/original"
code "a sample" 200
[ "$(jget 'j["input"] == open("mappings/'$M'.tests/original.input.edi").read() and j["expected"] == open("mappings/'$M'.tests/original.expected.xml").read()')" = True ] \
  && ok "  its input and expected output" || no "sample" "$tmp/body"
req "${V[@]}" "$B/maps/$M/samples/..%2F..%2Fregistry.xml"
code "a sample that would be a path: 404" 404
req "${V[@]}" "$B/maps/$M/samples/nope"
code "a sample not in the folder's listing: 404" 404
has "  naming the samples there are" 'has no sample .nope. \(its samples: .*original' "$tmp/body"
req "${V[@]}" "$B/maps/nope/nothing"
code "an unknown map: 404" 404
has "  in words" "no map 'nope/nothing' in the registry" "$tmp/body"

req "${V[@]}" -d '{"sample": "original"}' "$B/maps/$M/run"
code "the viewer runs a sample" 200
[ "$(jget 'j["ok"], j["same"], j["diff"], j["errors"], j["output"] == j["expected"], j["ms"] >= 0')" = "(True, True, None, [], True, True)" ] \
  && ok "  same output as its expected file, as map test says" || no "sample run" "$tmp/body"
req "${V[@]}" -d '{"sample": "unknown-unit"}' "$B/maps/$M/run"
[ "$(jget 'j["ok"], j["same"], j["errors"][0]["severity"], j["errors"][0]["code"]')" = "(False, True, 'error', 'map-terminated')" ] \
  && ok "  a sample the map refuses: not ok, its findings, the same as expected" || no "refused sample" "$tmp/body"
python3 - "$M" > "$tmp/edited.json" <<'PY'
import json, sys
s = open("mappings/%s.tests/original.input.edi" % sys.argv[1]).read()
print(json.dumps({"sample": "original", "input": s.replace("4Z32PABC", "4Z32PXYZ")}))
PY
req "${O[@]}" -H 'Content-Type: application/json' --data-binary @"$tmp/edited.json" "$B/maps/$M/run"
code "an edited input of a sample" 200
[ "$(jget 'j["ok"], j["same"]')" = "(True, False)" ] && ok "  runs, and differs" || no "edited" "$tmp/body"
jraw() { python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))[sys.argv[2]])' "$tmp/body" "$1"; }
jraw diff > "$tmp/diff"
has "  a unified diff" '^@@ -[0-9]+,[0-9]+ \+[0-9]+,[0-9]+ @@' "$tmp/diff"
has "  removing the expected PO" '^-.*4Z32PABC' "$tmp/diff"
has "  adding the edited one" '^\+.*4Z32PXYZ' "$tmp/diff"
jraw output > "$tmp/out.xml"; jraw expected > "$tmp/exp.xml"
diff -u "$tmp/exp.xml" "$tmp/out.xml" | tail -n +3 > "$tmp/gnu.diff"; tail -n +3 "$tmp/diff" > "$tmp/ours.diff"
cmp -s "$tmp/gnu.diff" "$tmp/ours.diff" && ok "  the same hunks as diff -u" || no "diff -u differs" "$tmp/ours.diff"
req "${V[@]}" -d '{"input": "<order>\n<header>\n</order>\n"}' "$B/maps/$M/run"
[ "$(jget 'j["ok"], j["expected"], j["same"], j["errors"][0]["line"]')" = "(False, None, None, 4)" ] \
  && ok "input that does not read: not ok, the error with its line" || no "bad input" "$tmp/body"
has "  in words" 'not well-formed' "$tmp/body"
python3 -c 'import json; print(json.dumps({"input": open("tests/golden/x12/amazon-rp-850.edi").read(), "partner": "amazon-rp"}))' > "$tmp/in.json"
req "${V[@]}" --data-binary @"$tmp/in.json" "$B/maps/$M/run"
[ "$(jget 'j["ok"], j["same"], "<po-number>4Z32PABC</po-number>" in j["output"]')" = "(True, None, True)" ] \
  && ok "input alone runs as map run does: no expectation" || no "input run" "$tmp/body"
req "${V[@]}" -d '{"sample": "nope"}' "$B/maps/$M/run"
code "a run of an unknown sample: 404" 404
req "${V[@]}" -d '{"sample": "original", "params": {"a": "b"}}' "$B/maps/$M/run"
code "a sample with params of the caller's: 400" 400
req "${V[@]}" -d '{"inptu": "x"}' "$B/maps/$M/run"
code "a run with neither sample nor input: 400" 400
head -c 1100000 /dev/zero | tr '\0' 'x' | sed 's/^/{"input": "/; s/$/"}/' > "$tmp/big.json"
req "${V[@]}" --data-binary @"$tmp/big.json" "$B/maps/$M/run"
code "a body over 1 MiB: 413" 413
req "${V[@]}" "$B/maps/$M/run"
code "GET of a run: 405" 405
ls "$ws"/partners/*/outbox "$ws"/spool 2> /dev/null | sort > "$tmp/after.ls"
"$W" documents --json --limit 0 -w "$ws" > "$tmp/docs2.json" 2>&1
cmp -s "$tmp/docs.json" "$tmp/docs2.json" && ok "the runs wrote no document" || no "runs wrote" "$tmp/docs2.json"

# ---- today -----------------------------------------------------------------------------------------
req "${V[@]}" "$B/today"
code "today, for the viewer" 200
cp "$tmp/body" "$tmp/today.json"
[ "$(jget '[d["po"] for d in j["deadlines"]]')" = "['DUE0002', 'DUE0003', 'DUE0001']" ] \
  && ok "  the orders waiting, the most urgent first" || no "deadlines" "$tmp/body"
[ "$(jget '[(d["left_s"] < 0, d["at_risk"], d["due"] - j["now"] == d["left_s"]) for d in j["deadlines"]]')" = "[(True, True, True), (False, True, True), (False, False, True)]" ] \
  && ok "  overdue, at risk, not yet" || no "left_s" "$tmp/body"
[ "$(jget 'j["orders_by_state"]["pending-approval"], j["orders_by_state"]["acknowledged"], j["orders_by_state"]["shipped"]')" = "(3, 2, 0)" ] \
  && ok "  orders by state, zeros included" || no "orders_by_state" "$tmp/body"
[ "$(jget 'j["outbox"]["depth"] >= 0 and j["outbox"]["oldest_s"] >= 0')" = True ] && ok "  the outbox's depth and age" || no "outbox" "$tmp/body"
python3 - "$tmp/docs.json" "$tmp/today.json" > "$tmp/days" <<'PY'
import json, sys, time, collections
docs, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
docs = docs if isinstance(docs, list) else docs["documents"]
c = collections.defaultdict(lambda: [0, 0, 0])
for d in docs:
    day = time.strftime("%Y-%m-%d", time.gmtime(d["created"]))
    c[day][0 if d["direction"] == "in" else 1] += 1
    c[day][2] += d["state"] == "rejected"
days = [p["day"] for p in t["per_day"]]
want = [time.strftime("%Y-%m-%d", time.gmtime(t["now"] - 86400 * i)) for i in range(13, -1, -1)]
print("days", days == want, len(days))
print("counts", all([p["inbound"], p["outbound"], p["rejected"]] == c[p["day"]] for p in t["per_day"]), sum(sum(v) for v in c.values()) > 0)
lat = [l for l in t["ack_latency"] if l["n"]]
print("latency", [(l["day"], l["n"], l["median_s"], l["p90_s"]) for l in lat] == [(time.strftime("%Y-%m-%d", time.gmtime(t["now"] - 45 * 3600)), 2, 10800, 18000)], len(t["ack_latency"]))
PY
has "  per_day: the last 14 days, oldest first" '^days True 14$' "$tmp/days"
has "  documents per day as documents --json counts them" '^counts True True$' "$tmp/days"
has "  ack latency: 2 acknowledged, median 3 h, p90 5 h, 14 days" '^latency True 14$' "$tmp/days"
# gw_api_redact: only the rule code may follow the hidden text
[ "$(jget '[e["what"].startswith("[hidden: operators only]") and "850 " not in e["what"] for e in j["errors"] if e["partner"] == "amazon-df"]')" = "[True]" ] \
  && ok "  a DF partner's error hidden from the viewer" || no "DF error for viewer" "$tmp/body"
req "${O[@]}" "$B/today"
[ "$(jget '[e["what"].startswith("850 ") for e in j["errors"] if e["partner"] == "amazon-df"]')" = "[True]" ] \
  && ok "  and shown to the operator" || no "DF error for operator" "$tmp/body"
req "$B/today"
code "today without a session: 401" 401
