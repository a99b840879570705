#!/usr/bin/env bash
# AS2 against an independent peer (issue 16, research §4.7): `openssl cms`.
#   - a message wharf sends (caught by tests/as2/capture.py) is decrypted
#     and verified by openssl (the multipart split here, -inform DER
#     -content PART1 -binary), its payload byte for byte, and the MIC wharf
#     kept is `openssl dgst -sha256` of the signed entity;
#   - a message openssl builds (sign, then encrypt) and curl POSTs is
#     accepted by `wharf serve`, stored, and answered with a signed MDN
#     whose MIC is openssl's digest of the entity;
#   - the same Message-ID again: processed/warning: duplicate-document,
#     stored once; signed by a key that is not the partner's:
#     authentication-failed, the body kept in quarantine/ with why;
#     unsigned where signing is required: insufficient-message-security;
#     a document changed after signing: authentication-failed; a byte
#     flipped in the ciphertext: decryption-failed (both kept as they came,
#     with why); signed with the partner's certificate that has expired
#     (made by `openssl ca -startdate/-enddate`): authentication-failed,
#     "outside its validity dates"; each recorded refused in as2_messages;
#     a request cut short (Content-Length larger than what comes, the
#     connection closed): no record, nothing kept, the server answers the
#     next; a cut body: refused, nothing stored; an unknown AS2-From:
#     unknown-trading-relationship, kept in as2-refused/.
set -u
. "$(dirname "$0")/lib.bash" "$@"

if ! command -v openssl > /dev/null || ! command -v curl > /dev/null || ! command -v sqlite3 > /dev/null; then
  skip 30 "openssl, curl or sqlite3 is not installed (scripts/deps.sh --tests)"
  exit 0
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PC=$(free_port) PB=$(free_port)
K=$tmp/k CAP=$tmp/cap
mkdir -p "$K" "$CAP"
"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
sed -i "s|<transport kind=\"files\" dir=\"partners/amazon-df\"/>|<transport kind=\"as2\" url=\"http://127.0.0.1:$PC/as2\" as2-id=\"AMAZONDS\" our-as2-id=\"ACMEVENDOR\" mdn=\"none\" partner-cert=\"certs/amazon.pem\"/>|; 0,/<partner /s|<partner |<as2 listen=\"127.0.0.1:$PB\"/>\n  <partner |" "$ws/wharf.xml"
# 29 days: a certificate of 30 made in the same second as the status run has
# exactly 30 days left, which is not within the 30 days the warning is for
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/p.key" -out "$K/p.crt" -subj /CN=AMAZONDS -days 29 2> /dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/q.key" -out "$K/q.crt" -subj /CN=INTRUDER -days 30 2> /dev/null
"$W" certs new amazon-df -w "$ws" > "$tmp/out" 2>&1 && "$W" certs import amazon-df "$K/p.crt" -w "$ws" >> "$tmp/out" 2>&1 \
  && "$W" certs export amazon-df -w "$ws" > "$K/w.crt" && ok "certs: ours made, the partner's imported" || no "certs" "$tmp/out"
"$W" status -w "$ws" > "$tmp/status" 2>&1
has "wharf status warns of the partner's certificate expiring within 30 days" "warning: AS2 amazon-df: the partner's current certificate \(CN=AMAZONDS\) expires in (28|29) days" "$tmp/status"
hasnt "not of ours (730 days)" "our current certificate" "$tmp/status"
db() { sqlite3 -cmd ".timeout 5000" "$ws/wharf.db" "$@"; }

# ---- wharf sends, openssl reads
python3 tests/as2/capture.py "$PC" "$CAP" & cpid=
cpid=$!
spid=
trap 'kill $cpid $spid 2> /dev/null; wait 2> /dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
wait_for 60 eval '(exec 3<> "/dev/tcp/127.0.0.1/$PC")'
printf 'ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZONDS       *260101*1200*U*00401*000000001*0*P*>~\nGS*FA*X~\n' > "$tmp/payload.edi"
db "INSERT INTO outbox (partner, kind, name, bytes, created, next_try) VALUES ('amazon-df', '997', 'out-997.edi', readfile('$tmp/payload.edi'), strftime('%s','now'), 0)"
"$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ -f "$CAP/1.body" ] && ok "wharf POSTed the message" || no "message captured" "$tmp/out"
miss=
for h in "AS2-Version: 1.2" "AS2-From: ACMEVENDOR" "AS2-To: AMAZONDS" "Message-ID: <wharf-1-" "Content-Type: application/pkcs7-mime; smime-type=enveloped-data" "Content-Length: "; do
  grep -qi "^$h" "$CAP/1.headers" || miss="$miss [$h]"
done
[ -z "$miss" ] && ok "AS2 headers: AS2-Version, AS2-From, AS2-To, Message-ID, enveloped-data, Content-Length" || no "headers missing:$miss" "$CAP/1.headers"
openssl cms -decrypt -binary -inform DER -in "$CAP/1.body" -recip "$K/p.crt" -inkey "$K/p.key" -out "$tmp/dec.mime" 2> "$tmp/err" \
  && ok "openssl cms decrypts it with the partner's key" || no "openssl decrypt" "$tmp/err"
python3 tests/as2/split.py "$tmp/dec.mime" "$tmp/part1" "$tmp/sig.der" 2> "$tmp/err" || no "split" "$tmp/err"
openssl cms -verify -binary -inform DER -in "$tmp/sig.der" -content "$tmp/part1" -CAfile "$K/w.crt" -purpose any -out "$tmp/verified" 2> "$tmp/err" \
  && ok "openssl cms verifies the signature with our exported certificate" || no "openssl verify" "$tmp/err"
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); p=open(sys.argv[2],"rb").read(); sys.exit(0 if d.split(b"\r\n\r\n",1)[1]==p else 1)' "$tmp/part1" "$tmp/payload.edi" \
  && ok "the signed entity carries the payload byte for byte" || no "payload bytes" "$tmp/part1"
mic=$(openssl dgst -sha256 -binary "$tmp/part1" | base64)
[ "$(db "SELECT mic FROM as2_messages WHERE outbox_id = 1")" = "$mic, sha-256" ] && ok "wharf's MIC is openssl's digest of the signed entity" || no "MIC $mic"

# ---- openssl sends, wharf reads
WHARF_POLL_SECONDS=30 "$W" serve -w "$ws" > "$tmp/serve.log" 2>&1 &
spid=$!
wait_for 60 eval '(exec 3<> "/dev/tcp/127.0.0.1/$PB")'
po=tests/golden/x12/amazon-df-850.edi
{ printf 'Content-Type: application/edi-x12\r\nContent-Disposition: attachment; filename="po-openssl.edi"\r\n\r\n'; cat "$po"; } > "$tmp/entity.mime"
openssl cms -sign -binary -crlfeol -md sha256 -signer "$K/p.crt" -inkey "$K/p.key" -in "$tmp/entity.mime" -outform SMIME -out "$tmp/signed.smime"
openssl cms -encrypt -binary -aes-256-cbc -in "$tmp/signed.smime" -outform DER -out "$tmp/enc.der" "$K/w.crt"
want=$(openssl dgst -sha256 -binary "$tmp/entity.mime" | base64)
post() {  # post FROM MSGID BODY OUT
  curl -s -o "$4" -D "$4.h" -X POST "http://127.0.0.1:$PB/as2" -H "AS2-Version: 1.2" -H "AS2-From: $1" -H "AS2-To: ACMEVENDOR" \
    -H "Message-ID: $2" -H "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m" \
    -H "Disposition-Notification-To: mdn@example.com" \
    -H "Disposition-Notification-Options: signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256" \
    --data-binary "@$3"
}
post AMAZONDS "<os-1@peer>" "$tmp/enc.der" "$tmp/mdn1"
has "wharf's MDN: processed" "Disposition: automatic-action/MDN-sent-automatically; processed\s*$" "$tmp/mdn1"
grep -q "Received-Content-MIC: $want, sha-256" "$tmp/mdn1" && ok "the MDN's MIC is openssl's digest of the signed entity" || no "MDN MIC $want" "$tmp/mdn1"
grep -qi "^AS2-From: ACMEVENDOR" "$tmp/mdn1.h" && grep -qi "^content-type: multipart/signed" "$tmp/mdn1.h" \
  && ok "the MDN is signed (multipart/signed), AS2-From/To swapped" || no "MDN signed" "$tmp/mdn1.h"
[ "$(db "SELECT count(*) FROM raw WHERE partner = 'amazon-df' AND name = 'po-openssl.edi' AND bytes = readfile('$po')")" = 1 ] \
  && ok "the payload is stored as sent" || no "stored" "$tmp/serve.log"
post AMAZONDS "<os-1@peer>" "$tmp/enc.der" "$tmp/mdn2"
has "the same Message-ID again: processed/warning: duplicate-document" "processed/warning: duplicate-document" "$tmp/mdn2"
[ "$(db "SELECT count(*) FROM raw WHERE name = 'po-openssl.edi'")" = 1 ] && ok "stored once" || no "stored once"

# wrong signer, unsigned, cut, unknown partner
openssl cms -sign -binary -crlfeol -md sha256 -signer "$K/q.crt" -inkey "$K/q.key" -in "$tmp/entity.mime" -outform SMIME -out "$tmp/bad.smime"
openssl cms -encrypt -binary -aes-256-cbc -in "$tmp/bad.smime" -outform DER -out "$tmp/bad.der" "$K/w.crt"
post AMAZONDS "<os-2@peer>" "$tmp/bad.der" "$tmp/mdn3"
has "signed by another key: authentication-failed" "processed/error: authentication-failed" "$tmp/mdn3"
ls "$ws"/partners/amazon-df/quarantine/as2-os-2@peer*.reason > /dev/null 2>&1 && grep -q "authentication-failed" "$ws"/partners/amazon-df/quarantine/as2-os-2@peer*.reason \
  && ok "the refused body is kept in quarantine/ with why" || no "kept" "$tmp/serve.log"
openssl cms -encrypt -binary -aes-256-cbc -in "$tmp/entity.mime" -outform DER -out "$tmp/unsigned.der" "$K/w.crt"
post AMAZONDS "<os-3@peer>" "$tmp/unsigned.der" "$tmp/mdn4"
has "unsigned where signing is required: insufficient-message-security" "processed/error: insufficient-message-security" "$tmp/mdn4"
# tampered: a byte of the signed document changed after signing (then
# encrypted as usual), and a byte flipped in the ciphertext itself (the last
# byte of the next-to-last AES block: the padding no longer reads)
python3 - "$tmp/signed.smime" "$tmp/tamp.smime" "$tmp/enc.der" "$tmp/flip.der" <<'PY'
import sys
s = open(sys.argv[1], "rb").read()
i = s.index(b"BEG*")
open(sys.argv[2], "wb").write(s[:i] + b"BEG*01" + s[i + 6:] if s[i:i + 6] != b"BEG*01" else s[:i] + b"BEG*99" + s[i + 6:])
d = bytearray(open(sys.argv[3], "rb").read())
d[-17] ^= 0x01
open(sys.argv[4], "wb").write(bytes(d))
PY
openssl cms -encrypt -binary -aes-256-cbc -in "$tmp/tamp.smime" -outform DER -out "$tmp/tamp.der" "$K/w.crt"
post AMAZONDS "<os-6@peer>" "$tmp/tamp.der" "$tmp/mdn7"
has "a document changed after signing: authentication-failed" "processed/error: authentication-failed" "$tmp/mdn7"
post AMAZONDS "<os-7@peer>" "$tmp/flip.der" "$tmp/mdn8"
has "a byte flipped in the ciphertext: decryption-failed" "processed/error: decryption-failed" "$tmp/mdn8"
grep -q "authentication-failed" "$ws"/partners/amazon-df/quarantine/as2-os-6@peer*.reason 2> /dev/null \
  && grep -q "decryption-failed" "$ws"/partners/amazon-df/quarantine/as2-os-7@peer*.reason 2> /dev/null \
  && cmp -s "$tmp/flip.der" "$(ls "$ws"/partners/amazon-df/quarantine/as2-os-7@peer*.msg | head -1)" \
  && ok "both tampered bodies kept in quarantine/ as they came, each with its reason" || no "tampered kept" "$tmp/serve.log"
# expired: the partner's next certificate (its own key) ended in 2020; what it signs is refused
mkdir -p "$K/ca" && : > "$K/ca/index.txt" && echo 01 > "$K/ca/serial"
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = %s/ca/index.txt\nnew_certs_dir = %s/ca\nserial = %s/ca/serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n' "$K" "$K" "$K" > "$K/ca.cnf"
openssl req -new -newkey rsa:2048 -nodes -keyout "$K/x.key" -out "$K/x.csr" -subj /CN=AMAZONDS 2> /dev/null
openssl ca -batch -notext -config "$K/ca.cnf" -selfsign -keyfile "$K/x.key" -in "$K/x.csr" -startdate 20200101000000Z -enddate 20200201000000Z -out "$K/x.crt" 2> "$tmp/err" || no "openssl ca (expired certificate)" "$tmp/err"
cp "$K/x.crt" "$ws/certs/amazon.next.pem"   # where `wharf certs import` puts a next certificate
openssl cms -sign -binary -crlfeol -md sha256 -signer "$K/x.crt" -inkey "$K/x.key" -in "$tmp/entity.mime" -outform SMIME -out "$tmp/exp.smime"
openssl cms -encrypt -binary -aes-256-cbc -in "$tmp/exp.smime" -outform DER -out "$tmp/exp.der" "$K/w.crt"
post AMAZONDS "<os-8@peer>" "$tmp/exp.der" "$tmp/mdn9"
has "signed with the partner's expired certificate: authentication-failed" "processed/error: authentication-failed" "$tmp/mdn9"
grep -q "outside its validity dates" "$ws"/partners/amazon-df/quarantine/as2-os-8@peer*.reason 2> /dev/null \
  && ok "its reason: the certificate is outside its validity dates" || no "expired reason" "$tmp/serve.log"
[ "$(db "SELECT group_concat(x, '; ') FROM (SELECT message_id || ' ' || status || ' ' || detail AS x FROM as2_messages WHERE direction = 'in' AND message_id IN ('<os-6@peer>', '<os-7@peer>', '<os-8@peer>') ORDER BY message_id)")" \
  = "<os-6@peer> refused authentication-failed; <os-7@peer> refused decryption-failed; <os-8@peer> refused authentication-failed" ] \
  && ok "as2_messages: each recorded refused with its modifier" || no "as2_messages refused" "$tmp/serve.log"
# a request cut short: Content-Length promises more than comes, then the connection closes
python3 - "$PB" "$tmp/enc.der" <<'PY'
import socket, sys
body = open(sys.argv[2], "rb").read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAS2-Version: 1.2\r\nAS2-From: AMAZONDS\r\nAS2-To: ACMEVENDOR\r\n"
          b"Message-ID: <os-9@peer>\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
          b"Disposition-Notification-To: mdn@example.com\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:len(body) // 2])
s.close()
PY
post AMAZONDS "<os-10@peer>" "$tmp/unsigned.der" "$tmp/mdn10"
has "a request cut short, then the next one: the server is up and answers it" "processed/error: insufficient-message-security" "$tmp/mdn10"
[ "$(db "SELECT count(*) FROM as2_messages WHERE message_id = '<os-9@peer>'")" = 0 ] && ! ls "$ws"/partners/amazon-df/quarantine/as2-os-9@peer* > /dev/null 2>&1 \
  && ok "the cut request: no record, nothing kept, nothing stored" || no "cut request left traces" "$tmp/serve.log"
head -c 300 "$tmp/enc.der" > "$tmp/cut.der"
post AMAZONDS "<os-4@peer>" "$tmp/cut.der" "$tmp/mdn5"
has "a cut body: decryption-failed" "processed/error: (decryption-failed|unexpected-processing-error)" "$tmp/mdn5"
[ "$(db "SELECT count(*) FROM raw WHERE partner = 'amazon-df'")" = 1 ] && ok "nothing refused was stored as a message" || no "refused stored"
post NOBODY "<os-5@peer>" "$tmp/enc.der" "$tmp/mdn6"
has "an unknown AS2-From: unknown-trading-relationship" "processed/error: unknown-trading-relationship" "$tmp/mdn6"
ls "$ws"/as2-refused/*.reason > /dev/null 2>&1 && ok "kept in as2-refused/ with why" || no "as2-refused" "$tmp/serve.log"
echo "1..$n"
