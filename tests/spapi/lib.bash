# What the SP-API integration scripts share (tests/integration/spapi*.sh);
# each sources it after tests/integration/lib.bash:
#   . "$PWD/tests/spapi/lib.bash"
# A test CA and a certificate for 127.0.0.1, the local stand-in for Amazon
# (server.py) on TLS with the LWA values below, stopped on exit; ctl for its
# /_test/ control API; one clock for wharf and the stand-in (tick, w); and
# spapi_workspace, a workspace from `wharf init --sp-api` pointed at the
# stand-in with the LWA values in its vault. Extra server options: set
# SPAPI_ARGS before sourcing.
unset WHARF_NOW
SRV=$PWD/tests/spapi/server.py
FIX=$PWD/tests/spapi/fixtures
CID=amzn1.application-oa2-client.0123456789abcdef0123456789abcdef
CSECRET=amzn1.oa2-cs.v1.S3cr3tValueThatMustNeverLeak00000000000000000000
REFRESH='Atzr|IwEBIRefreshTokenThatMustNeverLeak-0123456789abcdefghijklmnop'

. "$PWD/tests/lib/standin.bash"
test_pki "$tmp/pki" || no "a test CA and server certificate" "$tmp/pki.log"

# shellcheck disable=SC2086 # SPAPI_ARGS is a list of options
python3 "$SRV" --port 0 --port-file "$tmp/port" --cert "$tmp/pki/srv.pem" --key "$tmp/pki/srv.key" \
  --client-id "$CID" --client-secret "$CSECRET" --refresh-token "$REFRESH" --page-size 2 \
  --processing-polls 1 ${SPAPI_ARGS:-} > "$tmp/server.out" 2> "$tmp/server.err" &
SRV_PID=$!
trap 'kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
# its port file, or its end (a stand-in that cannot start is not waited for)
wait_for 60 eval '[ -s "$tmp/port" ] || ! kill -0 "$SRV_PID"'
PORT=$(cat "$tmp/port" 2>/dev/null)
URL=https://127.0.0.1:$PORT
[ -n "$PORT" ] && ok "the SP-API stand-in listens on TLS" || no "the SP-API stand-in did not start" "$tmp/server.err"

# ctl METHOD PATH [JSON-FILE]: the stand-in's /_test/ control API; the answer on stdout
ctl() { standin_ctl "$URL" "$tmp/pki/ca.pem" "$1" "$2" ${3:+"@$3"}; }

# One clock for wharf (WHARF_NOW) and the stand-in (/_test/clock): the
# scheduler runs a job once a minute it is due, and receipts are asked
# again after a back-off, so the day moves forward in steps.
T=$(date -u +%s)
now_iso() { date -u -d "@$T" +%FT%TZ; }
tick() {  # tick MINUTES: both clocks move on
  T=$((T + $1 * 60))
  printf '{"now": "%s"}' "$(now_iso)" > "$tmp/clock.json"
  ctl POST /_test/clock "$tmp/clock.json" > /dev/null
}
w() { WHARF_NOW=$(now_iso) "$W" "$@"; }

# spapi_workspace: `wharf init --sp-api` in $ws, both partners pointed at the
# stand-in (processing-minutes 30), the three LWA values of each in the vault
spapi_workspace() {
  "$W" init --sp-api "$ws" > "$tmp/init.out" 2>&1 || no "init --sp-api" "$tmp/init.out"
  sed -i -e "s|selling-party=\"ACME1\"|selling-party=\"ACME1\" endpoint=\"$URL\" token-endpoint=\"$URL/auth/o2/token\" ca-file=\"$tmp/pki/ca.pem\" processing-minutes=\"30\"|" \
    "$ws/wharf.xml"
  local p
  for p in amazon-rp amazon-df; do
    printf %s "$CID" | "$W" secrets set $p lwa-client-id -w "$ws" >> "$tmp/secrets.out" 2>&1
    printf %s "$CSECRET" | "$W" secrets set $p lwa-client-secret -w "$ws" >> "$tmp/secrets.out" 2>&1
    printf '%s\n' "$REFRESH" | "$W" secrets set $p lwa-refresh-token -w "$ws" >> "$tmp/secrets.out" 2>&1
  done
}
