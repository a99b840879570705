# What the scripts that talk to a local stand-in (tests/spapi/server.py,
# tests/erp/brightpearl.py, tests/erp/quickbooks.py) share; sourced by
# tests/spapi/lib.bash, tests/erp/lib.bash and the benches:
#   test_pki DIR        a throwaway CA (DIR/ca.pem) and a certificate for
#                       127.0.0.1 (DIR/srv.pem, DIR/srv.key); openssl's
#                       output in DIR.log; fails when openssl does
#   standin_ctl URL CA METHOD PATH [BODY]
#                       a stand-in's /_test/ control API over TLS; BODY is
#                       JSON, or @FILE; the answer on stdout

test_pki() {
  mkdir -p "$1" && (
    cd "$1" &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=wharf test CA" &&
    openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1" &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > ext &&
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext
  ) > "$1.log" 2>&1
}

standin_ctl() {
  python3 - "$@" <<'PY'
import ssl, sys, urllib.request
url, ca, method, path = sys.argv[1:5]
body = sys.argv[5] if len(sys.argv) > 5 else None
data = (open(body[1:], 'rb').read() if body.startswith('@') else body.encode()) if body is not None else None
ctx = ssl.create_default_context(cafile=ca)
rq = urllib.request.Request(url + path, data=data, method=method, headers={'content-type': 'application/json'})
print(urllib.request.urlopen(rq, context=ctx).read().decode())
PY
}
