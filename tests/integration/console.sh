#!/usr/bin/env bash
# The web console of issue 17: its static files with curl (the redirect,
# types, no-cache, the Content-Security-Policy, every way out of the folder
# refused: "..", percent-encoding, a symbolic link out), then the console
# itself in headless Chromium through tests/browser/console.test.mjs
# (puppeteer-core, installed into build/node like node-x12; Debian's
# /usr/bin/chromium, never a downloaded browser): log in, Today, orders, a
# refusal shown inline, approve and see the 855 queued, a rejected
# document's finding marked at its segment and element, runs, a viewer
# without the approve form and refused when forcing it, CSRF, quarantine
# reprocess and the maps workbench. Screenshots of each page (1366x768) go to build/console/shots/.
# The workspace is api.sh's: the RP and DF golden orders, a rejected DF 850,
# an operator and a viewer, and a file quarantined by a wrong partner id,
# fixed before the console reprocesses it.
# Before the browser, node runs the console's pure modules
# (tests/browser/units.test.mjs: findings, segment numbering, line diff).
# Without chromium, node or npm (or when the install fails) the browser
# steps are reported as "# skip"; scripts/deps.sh --tests installs them.
# Usage: console.sh [WHARF]. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
NODE_DIR=$PWD/build/node
SHOTS=$PWD/build/console/shots
BROWSER_STEPS=17
UNIT_STEPS=12
command -v curl > /dev/null || { skip $((UNIT_STEPS + BROWSER_STEPS + 40)) "curl is not installed"; exit 0; }
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
sed -i 's/<acknowledge mode="auto-all"/<acknowledge mode="manual"/' "$ws/wharf.xml"
cp "$G/amazon-rp-850.edi" "$ws/partners/amazon-rp/inbound/po.edi"
cp "$G/amazon-df-850.edi" "$ws/partners/amazon-df/inbound/df.edi"
cp "$G/bad/amazon-df-850-no-beg03.edi" "$ws/partners/amazon-df/inbound/bad.edi"
"$W" run --once -w "$ws" > "$tmp/run" 2>&1 || no "run --once" "$tmp/run"
# a second RP PO while amazon-rp's interchange id is wrong: quarantined;
# the id is put right again before the console reprocesses the file
sed -i 's|<interchange qualifier="ZZ" id="AMAZON"/>|<interchange qualifier="ZZ" id="AMAZONX"/>|' "$ws/wharf.xml"
po_from amazon-rp-850.edi 4Z32PABC 4Z32PQRS 0777 > "$ws/partners/amazon-rp/inbound/po2.edi"
"$W" run --once -w "$ws" >> "$tmp/run" 2>&1
sed -i 's|<interchange qualifier="ZZ" id="AMAZONX"/>|<interchange qualifier="ZZ" id="AMAZON"/>|' "$ws/wharf.xml"
ls "$ws/partners/amazon-rp/quarantine/" 2>/dev/null | grep -q po2 && ok "a file from a wrongly configured partner is quarantined" || no "po2 quarantined" "$tmp/run"
printf 'operator-pass-1\n' | "$W" users add olga --role operator -w "$ws" > "$tmp/u" 2>&1 || no "users add olga" "$tmp/u"
printf 'viewer-pass-12\n' | "$W" users add vic --role viewer -w "$ws" >> "$tmp/u" 2>&1 || no "users add vic" "$tmp/u"

# the console's files as installed, plus a symbolic link out of the folder
# and one that stays inside (WHARF_CONSOLE: where serve finds them)
cp -r console "$tmp/console"
ln -s /etc/passwd "$tmp/console/leak.js"
ln -s app.css "$tmp/console/same.css"

# the ack run every 2 s: an approved order's 855 is queued while the browser waits
WHARF_CONSOLE=$tmp/console WHARF_POLL_SECONDS=2 "$W" serve --http 127.0.0.1:0 -w "$ws" 2> "$tmp/serve.log" & pids="$pids $!"
P=$(port_of "$tmp/serve.log")
[ -n "$P" ] && ok "serve listens" || { no "serve's listening line" "$tmp/serve.log"; exit 0; }
U=http://127.0.0.1:$P
req() { curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' "$@" > "$tmp/code"; }
code() { if [ "$(cat "$tmp/code")" = "$2" ]; then ok "$1"; else no "$1 (status $(cat "$tmp/code"), want $2)" "$tmp/body"; fi; }

# ---- the static files ----------------------------------------------------------------------------
req "$U/"
code "GET / redirects" 302
has "  to /console/" '^Location: /console/' "$tmp/hdr"
req "$U/console/"
code "GET /console/: the console, without logging in" 200
has "  HTML" '^Content-Type: text/html; charset=utf-8' "$tmp/hdr"
has "  no-cache" '^Cache-Control: no-cache' "$tmp/hdr"
has "  nosniff" '^X-Content-Type-Options: nosniff' "$tmp/hdr"
has "  a CSP of its own files only, no framing" "^Content-Security-Policy: default-src 'self'; img-src 'self' data:; frame-ancestors 'none'" "$tmp/hdr"
cmp -s "$tmp/body" console/index.html && ok "  index.html as it is" || no "index.html" "$tmp/body"
req "$U/console/app.js"
has "JavaScript as text/javascript" '^Content-Type: text/javascript; charset=utf-8' "$tmp/hdr"
req "$U/console/app.css"
has "CSS as text/css" '^Content-Type: text/css; charset=utf-8' "$tmp/hdr"
req "$U/console/same.css"
code "a symbolic link that stays in the folder is served" 200
req "$U/console/leak.js"
code "a symbolic link out of the folder: 403" 403
hasnt "  and nothing of its target" 'root:' "$tmp/body"
req --path-as-is "$U/console/../wharf.xml"
code "/console/../ is refused" 400
req --path-as-is "$U/console/%2e%2e/%2e%2e/etc/passwd.js"
code "%2e%2e is refused" 400
req --path-as-is "$U/console/a%2F..%2F..%2Fapp.js"
code "an encoded slash is refused" 400
req --path-as-is "$U/console/app.js%00.png"
code "an encoded NUL is refused" 400
req "$U/console/README.md"
code "a type the console does not serve: 400" 400
req "$U/console/nope.js"
code "a file that is none: 404" 404
req -X POST "$U/console/app.js"
code "static files are GET only: 405" 405
hasnt "the console's JavaScript builds no HTML from text (no innerHTML, no inline style)" '\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\.style\.|style=' <(cat console/*.js console/*.html)
hasnt "index.html has no inline script" '<script>|<script [^>]*>[^<]' console/index.html

# ---- CSRF by curl ----------------------------------------------------------------------------------
req -c "$tmp/op.jar" -H 'Content-Type: application/json' -d '{"name":"olga","password":"operator-pass-1"}' "$U/api/v1/login"
CSRF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$tmp/body")
req -b "$tmp/op.jar" -X POST "$U/api/v1/orders/amazon-df/TVd4wGZnR/approve"
code "a POST with the session cookie and no X-CSRF-Token: 403" 403
req -b "$tmp/op.jar" "$U/api/v1/session"
[ "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["name"], j["role"], j["csrf"] == sys.argv[2])' "$tmp/body" "$CSRF")" = "olga operator True" ] \
  && ok "GET /api/v1/session: the session's name, role and CSRF token" || no "session" "$tmp/body"
req "$U/api/v1/session"
code "  none without a session: 401" 401
BAD=$(curl -s -b "$tmp/op.jar" "$U/api/v1/documents?state=rejected" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"][0]["id"])')
DFDOC=$(curl -s -b "$tmp/op.jar" "$U/api/v1/documents?type=850&partner=amazon-df&state=accepted" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"][0]["id"])')
req -b "$tmp/op.jar" "$U/api/v1/documents?about=$BAD"
[ "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["documents"], j["next"])' "$tmp/body")" = "[] None" ] \
  && ok "documents?about=ID: nothing said about the rejected 850 (the document itself is not listed)" || no "about" "$tmp/body"
req -b "$tmp/op.jar" "$U/api/v1/documents?about=x"
code "  about= that is no id: 400" 400

# ---- the console's pure modules under node, then the browser ---------------------------------------
tap_of() {  # tap_of FILE: its "ok - " / "not ok - " lines numbered here; the count in $steps
  local line; steps=0
  while IFS= read -r line; do
    case "$line" in
      "ok - "*) ok "${line#ok - }"; steps=$((steps + 1)) ;;
      "not ok - "*) no "${line#not ok - }"; steps=$((steps + 1)) ;;
      *) echo "$line" ;;
    esac
  done < "$1"
}
command -v node > /dev/null || { skip $((UNIT_STEPS + BROWSER_STEPS)) "node is not installed"; exit 0; }
node tests/browser/units.test.mjs console "$G" > "$tmp/units" 2>&1
tap_of "$tmp/units"
[ "$steps" = "$UNIT_STEPS" ] || no "units: $steps of $UNIT_STEPS checks ran" "$tmp/units"
browser_skip() { skip "$BROWSER_STEPS" "$1"; exit 0; }
[ -x /usr/bin/chromium ] || browser_skip "chromium is not installed (/usr/bin/chromium)"
if [ ! -f "$NODE_DIR/node_modules/puppeteer-core/package.json" ]; then
  command -v npm > /dev/null || browser_skip "npm is not installed"
  # puppeteer-core never downloads a browser; 24 runs on Node 18 and up
  npm install --no-audit --no-fund --silent --prefix "$NODE_DIR" puppeteer-core@24 > "$tmp/npm" 2>&1 ||
    browser_skip "npm install puppeteer-core failed: $(tail -1 "$tmp/npm")"
fi
rm -rf "$SHOTS"
params=$(python3 -c 'import json,sys; print(json.dumps(dict(operator="olga", operator_pw="operator-pass-1", viewer="vic",
  viewer_pw="viewer-pass-12", approve_partner="amazon-rp", approve_po="4Z32PABC", pending_partner="amazon-df",
  pending_po="TVd4wGZnR", bad_doc=int(sys.argv[1]), bad_segment=2, bad_tag="BEG", bad_element="BEG03",
  df_doc=int(sys.argv[2]), quarantined_name="po2.edi")))' "$BAD" "$DFDOC")
timeout 120 node tests/browser/console.test.mjs "$NODE_DIR/node_modules" "$U" "$SHOTS" "$params" > "$tmp/browser" 2>&1
rc=$?
tap_of "$tmp/browser"
[ "$rc" = 0 ] && [ "$steps" = "$BROWSER_STEPS" ] && ok "the browser ran every step ($steps)" ||
  no "the browser test exited $rc after $steps of $BROWSER_STEPS steps" "$tmp/browser"
n_shots=$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)
[ "$n_shots" -ge 8 ] && ok "screenshots of the pages in build/console/shots ($n_shots)" || no "screenshots: $n_shots"
hasnt "no password or session in serve's log" "operator-pass-1|viewer-pass-12|$CSRF" "$tmp/serve.log"
echo "1..$n"
