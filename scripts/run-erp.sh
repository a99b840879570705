#!/usr/bin/env bash
# The ERP part of `make run`: a third workspace that keeps the file exchange
# (wharf's embedded default) and adds Brightpearl (sales orders) and
# QuickBooks Online (invoices), run against tests/erp/brightpearl.py and
# tests/erp/quickbooks.py, LOCAL STAND-INS for Brightpearl and QuickBooks
# (not Brightpearl, not QuickBooks: nothing leaves this machine). They get
# their own CA and certificate, so the connectors talk real TLS to them; the
# credentials are demo ones, set through the vault from standard input. The
# stand-ins keep their data in memory, so the workspace is made afresh each
# time and the whole flow shows: POs in, sales orders in Brightpearl,
# approved, acknowledged, shipped, invoiced, invoices in QuickBooks.
# Usage: scripts/run-erp.sh WHARF WORKSPACE
set -eu
w=$1 ws=$2
command -v python3 >/dev/null 2>&1 || { echo "run: no python3: the ERP demo is skipped"; exit 0; }
command -v openssl >/dev/null 2>&1 || { echo "run: no openssl command: the ERP demo is skipped"; exit 0; }
. tests/lib/standin.bash
staff=demo-brightpearl-staff-token
qcid=demo-qbo-client-id qsecret=demo-qbo-client-secret qrefresh=demo-qbo-refresh-token realm=9130350000000000
pki=$ws.pki
mkdir -p "$pki"
[ -f "$pki/srv.pem" ] || test_pki "$pki" || { echo "run: openssl failed (see $pki.log): the ERP demo is skipped"; exit 0; }
# wharf.xml's paths are the workspace's own (a relative ca-file is read from
# inside it): the demo CA beside the workspace is named by its full path
pki=$(cd "$pki" && pwd)
pids=""
# both stopped, and waited for, whatever happens (a killed one's status is no error here)
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || :; done' EXIT
start() {  # start NAME SCRIPT ARGS...: a stand-in on TLS; its URL on stdout
  local name=$1 script=$2 i=0
  shift 2
  rm -f "$pki/$name.port"
  python3 "tests/erp/$script" --port 0 --port-file "$pki/$name.port" --cert "$pki/srv.pem" --key "$pki/srv.key" \
    "$@" > "$pki/$name.out" 2> "$pki/$name.err" &
  pids="$pids $!"
  while [ ! -s "$pki/$name.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  [ -s "$pki/$name.port" ] || { echo "run: the $name stand-in did not start (see $pki/$name.err)" >&2; return 1; }
}
start brightpearl brightpearl.py --account acme --app-ref acme_wharf --staff-token "$staff"
start quickbooks quickbooks.py --realm $realm --client-id $qcid --client-secret $qsecret --refresh-token $qrefresh
bp=https://127.0.0.1:$(cat "$pki/brightpearl.port") qbo=https://127.0.0.1:$(cat "$pki/quickbooks.port")
ctl() { standin_ctl "$1" "$pki/ca.pem" "${@:2}"; }
# QuickBooks' Item for the RP PO's third SKU (the others are the stand-in's own seeds)
ctl "$qbo" POST /_test/seed '{"items": [{"Id": "10", "Name": "Acme gadget", "Sku": "ACME-2001", "UnitPrice": 39.99}]}' > /dev/null
echo
echo "run: ---- ERPs: Brightpearl and QuickBooks Online, against LOCAL STAND-INS (not Brightpearl/QuickBooks) ----"
echo "run: tests/erp/brightpearl.py on $bp: a local stand-in, not Brightpearl"
echo "run: tests/erp/quickbooks.py on $qbo: a local stand-in, not QuickBooks"
rm -rf "$ws"
"$w" init "$ws" | sed '/^Next steps:/,$d'
python3 - "$ws/wharf.xml" "$bp" "$qbo" "$pki/ca.pem" "$realm" <<'PY'
import sys
p, bp, qbo, ca, realm = sys.argv[1:]
s = open(p).read()
erps = f'''  <!-- Brightpearl and QuickBooks Online: here the LOCAL STAND-INS of
       tests/erp/ (not Brightpearl, not QuickBooks), trusted through ca-file -->
  <erp kind="brightpearl" id="bp" account="acme" endpoint="{bp}" ca-file="{ca}" receives="orders">
    <param name="warehouse-id" value="2"/>
    <param name="channel-id" value="1"/>
    <param name="price-list-id" value="1"/>
  </erp>
  <erp kind="quickbooks" id="qbo" realm="{realm}" endpoint="{qbo}" ca-file="{ca}"
       token-endpoint="{qbo}/oauth2/v1/tokens/bearer" receives="invoices"/>
'''
# after the file exchange, which stays (wharf's embedded default)
i = s.index("</erp>", s.index('<erp kind="files"')) + len("</erp>\n")
open(p, "w").write(s[:i] + erps + s[i:])
PY
printf %s acme_wharf | "$w" secrets set bp brightpearl-app-ref -w "$ws" > /dev/null
printf %s "$staff" | "$w" secrets set bp brightpearl-staff-token -w "$ws" > /dev/null
printf %s $qcid | "$w" secrets set qbo qbo-client-id -w "$ws" > /dev/null
printf %s $qsecret | "$w" secrets set qbo qbo-client-secret -w "$ws" > /dev/null
printf %s $qrefresh | "$w" secrets set qbo qbo-refresh-token -w "$ws" > /dev/null
echo "run: wharf.xml has <erp kind=\"brightpearl\"> and <erp kind=\"quickbooks\"> beside the file exchange; their secrets are in the vault"
cp tests/golden/x12/amazon-rp-850.edi "$ws/partners/amazon-rp/inbound/"
cp tests/golden/x12/amazon-df-850.edi "$ws/partners/amazon-df/inbound/"
# the day, an hour a step: POs in, the RP PO approved and acknowledged, both shipped, invoiced
t=$(date -u +%s)
at() { WHARF_NOW=$(date -u -d "@$((t + $1 * 3600))" +%FT%TZ) "${@:2}"; }
at 0 "$w" run --once -w "$ws" > "$ws.log" 2>&1
at 0 "$w" orders approve 4Z32PABC -w "$ws" >> "$ws.log" 2>&1
at 0 "$w" ack run -w "$ws" >> "$ws.log" 2>&1
at 1 "$w" ship tests/integration/ship/in/rp-one-po-many-cartons.csv -w "$ws" >> "$ws.log" 2>&1
at 1 "$w" ship tests/integration/ship/in/df-single-package.csv -w "$ws" >> "$ws.log" 2>&1
at 2 "$w" invoice run -w "$ws" >> "$ws.log" 2>&1
at 2 "$w" run --once -w "$ws" >> "$ws.log" 2>&1
echo "run: ran the day (POs in, approve, acknowledge, ship, invoice, push); its output is in $ws.log"
echo
echo "run: what landed in the Brightpearl stand-in (local, not Brightpearl): sales orders"
ctl "$bp" GET /_test/state | python3 -c '
import json, sys
for o in json.load(sys.stdin)["orders"]:
    rows = sorted(o["orderRows"].values(), key=lambda r: r.get("externalRef") or "")
    print("  order %s  ref %-10s externalRef %-22s %d rows  total %s" % (o["id"], o["reference"], o["externalRef"],
          len(rows), o["totalValue"]["total"]))'
echo "run: what landed in the QuickBooks stand-in (local, not QuickBooks): invoices"
ctl "$qbo" GET /_test/state | python3 -c '
import json, sys
st = json.load(sys.stdin, parse_float=str)
names = {c["Id"]: c["DisplayName"] for c in st["customers"]}
for i in st["invoices"]:
    print("  Invoice %s  DocNumber %-15s customer %-28s %d lines  TotalAmt %s" % (i["Id"], i["DocNumber"],
          names.get(i["CustomerRef"]["value"], "?"), sum(1 for l in i["Line"] if l.get("Id")), i["TotalAmt"]))'
echo
at 2 "$w" erp status -w "$ws" || true
echo "run: the stand-ins stop now; the workspace stays in $ws (\`$w erp status -w $ws\`)."
