#!/bin/sh
# The SP-API part of `make run`: a second workspace whose two Amazon partners
# use the Selling Partner API, run once against tests/spapi/server.py, a LOCAL
# STAND-IN FOR AMAZON built from Amazon's models (not Amazon: nothing leaves
# this machine). The stand-in gets its own CA and certificate, so the client
# talks real TLS to it; the LWA values are demo ones, set through the vault.
# Usage: scripts/run-spapi.sh WHARF WORKSPACE
set -eu
w=$1 ws=$2
command -v python3 >/dev/null 2>&1 || { echo "run: no python3: the SP-API demo is skipped"; exit 0; }
command -v openssl >/dev/null 2>&1 || { echo "run: no openssl command: the SP-API demo is skipped"; exit 0; }
cid=amzn1.application-oa2-client.demo0000000000000000000000000000
csecret=demo-client-secret
refresh='Atzr|demo-refresh-token'
pki=$ws.pki
mkdir -p "$pki"
# wharf.xml's paths are the workspace's own (a relative ca-file is read from
# inside it): the demo CA beside the workspace is named by its full path
pki=$(cd "$pki" && pwd)
if [ ! -f "$pki/srv.pem" ]; then
  ( cd "$pki" &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=wharf demo CA" &&
    openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1" &&
    printf 'subjectAltName=IP:127.0.0.1\n' > ext &&
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 30 -extfile ext
  ) > "$pki/log" 2>&1
fi
rm -f "$pki/port"
python3 tests/spapi/server.py --port 0 --port-file "$pki/port" --cert "$pki/srv.pem" --key "$pki/srv.key" \
  --client-id "$cid" --client-secret "$csecret" --refresh-token "$refresh" \
  --fixtures tests/spapi/fixtures > "$pki/server.out" 2> "$pki/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
i=0
while [ ! -s "$pki/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$pki/port")
url=https://127.0.0.1:$port
echo
echo "run: ---- Amazon over the SP-API, against a LOCAL STAND-IN FOR AMAZON ----"
echo "run: tests/spapi/server.py on $url (built from Amazon's models; not Amazon)"
if [ ! -f "$ws/wharf.xml" ]; then
  "$w" init --sp-api "$ws" | sed '/^Next steps:/,$d'
  for p in amazon-rp amazon-df; do
    printf %s "$cid" | "$w" secrets set $p lwa-client-id -w "$ws"
    printf %s "$csecret" | "$w" secrets set $p lwa-client-secret -w "$ws"
    printf %s "$refresh" | "$w" secrets set $p lwa-refresh-token -w "$ws"
  done
fi
# the stand-in's port changes each run: point both partners at this one
sed -i -e "s|selling-party=\"ACME1\"[^/]*/>|selling-party=\"ACME1\" endpoint=\"$url\" token-endpoint=\"$url/auth/o2/token\" ca-file=\"$pki/ca.pem\"/>|" \
  -e "s|selling-party=\"ACME1\"\$|selling-party=\"ACME1\" endpoint=\"$url\" token-endpoint=\"$url/auth/o2/token\" ca-file=\"$pki/ca.pem\"|" "$ws/wharf.xml"
"$w" run --once -w "$ws"
"$w" orders list -w "$ws"
"$w" documents -w "$ws" | head -12
echo "run: the stand-in stops now; its POs were pulled into $ws (\`$w orders list -w $ws\`)."
