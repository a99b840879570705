# What the ERP integration scripts share (tests/integration/erp-*.sh); each
# sources it after tests/integration/lib.bash:
#   . "$PWD/tests/erp/lib.bash"
# A test CA and a certificate for 127.0.0.1; erp_start, which starts a
# local stand-in (brightpearl.py, quickbooks.py) on TLS and stops it on
# exit; ctl for a stand-in's /_test/ control API; erp_workspace, a
# workspace from `wharf init` with the sample POs in its spool folders.
. "$PWD/tests/lib/standin.bash"
test_pki "$tmp/pki" || no "a test CA and server certificate" "$tmp/pki.log"
CA=$tmp/pki/ca.pem
ERP_PIDS=""
trap 'for p in $ERP_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# erp_start NAME SCRIPT [ARGS...]: the stand-in on TLS; its base URL in $URL
erp_start() {
  local name=$1 script=$2; shift 2
  python3 "$PWD/tests/erp/$script" --port 0 --port-file "$tmp/$name.port" --cert "$tmp/pki/srv.pem" \
    --key "$tmp/pki/srv.key" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
  ERP_PIDS="$ERP_PIDS $!"
  # its port file, or its end (a stand-in that cannot start is not waited for)
  local pid=$!
  wait_for 60 eval '[ -s "$tmp/$name.port" ] || ! kill -0 "$pid"'
  URL=https://127.0.0.1:$(cat "$tmp/$name.port" 2>/dev/null)
  [ -s "$tmp/$name.port" ] && ok "the $name stand-in listens on TLS" || no "the $name stand-in did not start" "$tmp/$name.err"
}

# ctl METHOD PATH [JSON]: the stand-in's /_test/ control API at $URL; the answer on stdout
ctl() { standin_ctl "$URL" "$CA" "$@"; }

# jq_ PYTHON-EXPR: evaluates EXPR with j = the JSON on stdin; a list or an
# object is printed as JSON
jq_() { python3 -c "import json,sys; j=json.load(sys.stdin); v=($1); print(v if isinstance(v, (str, int, float)) else json.dumps(v))"; }

# erp_workspace ERP-XML: `wharf init` in $ws with ERP-XML in place of the
# file exchange, the sample RP and DF POs in the spool; the RP PO's third
# line is a SKU no shipped code list has (ACME-9001): the vendor's own
erp_workspace() {
  "$W" init "$ws" > "$tmp/init.out" 2>&1 || no "init" "$tmp/init.out"
  python3 - "$ws/wharf.xml" "$1" <<'PY'
import re, sys
p, erp = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r'  <erp kind="files".*?</erp>\n', erp + '\n', s, count=1, flags=re.S)
open(p, 'w').write(s)
PY
  sed 's/ACME-2001/ACME-9001/' "$G/amazon-rp-850.edi" > "$ws/partners/amazon-rp/inbound/po.edi"
  cp "$G/amazon-df-850.edi" "$ws/partners/amazon-df/inbound/df.edi"
}
