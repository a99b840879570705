#!/usr/bin/env bash
# The SFTP transport (issue 16) against OpenSSH's sshd from Debian, started
# here on a free loopback port with throwaway host keys (its own
# sshd_config, internal-sftp logging every open, rename and remove). The
# DF partner's transport is switched to kind="sftp". Checked:
#   - POs are downloaded and processed, and removed from the server only
#     once stored (a store that refuses it leaves the file there); the partner's
#     temporary names and a file still being written are left alone;
#   - the 997 and 855 go up as .NAME.part, then are renamed NAME;
#   - a changed host key refuses the connection, naming the host key's
#     type and fingerprint, and nothing is lost; a key the server does not
#     know is refused with a message saying what to check;
#   - ed25519 (OpenSSH format) and RSA (PEM) keys; archive= moves instead
#     of deleting;
#   - the upload folder missing, then sshd down: the messages wait, nothing
#     is lost, and each goes up once when the server is back;
#   - through tests/lib/cutproxy.py: a download cut mid-file stores nothing
#     and leaves the file, the next pass takes it whole and only then
#     removes it; an upload cut mid-file leaves only the .part, the next
#     send completes it once; a server that hangs mid-download times out
#     (timeout=) and nothing leaks (the libssh2 session is freed).
# The test server accepts ssh-rsa signatures (PubkeyAcceptedAlgorithms
# +ssh-rsa): libssh2 1.10 signs with an RSA key that way.
set -u
. "$(dirname "$0")/lib.bash" "$@"

SSHD=/usr/sbin/sshd SFTP_SERVER=/usr/lib/openssh/sftp-server
if [ ! -x "$SSHD" ] || [ ! -x "$SFTP_SERVER" ] || ! command -v ssh-keygen > /dev/null || ! command -v sqlite3 > /dev/null; then
  skip 30 "sshd, ssh-keygen or sqlite3 is not installed (scripts/deps.sh --tests)"
  exit 0
fi
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd   # sshd's privilege separation folder, when root

K=$tmp/keys SRV=$tmp/srv
mkdir -p "$K" "$SRV/download" "$SRV/upload" "$SRV/archive"
for k in host1 host2 ued uwrong; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$K/$k"; done
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C ursa -f "$K/ursa"
cat "$K/ued.pub" "$K/ursa.pub" > "$K/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$tmp/sshd.log
spid=
ops=$tmp/sftp.log
start_sshd() {  # start_sshd HOSTKEY: the sftp server logs each operation in $ops
  cat > "$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $K/$1
AuthorizedKeysFile $K/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAcceptedAlgorithms +ssh-rsa
Subsystem sftp $SFTP_SERVER -e -l INFO 2>> $ops
EOF
  "$SSHD" -f "$tmp/sshd_config" -D -e 2>> "$log" &
  spid=$!
  wait_for 60 eval '(exec 3<> "/dev/tcp/127.0.0.1/$port")' && return 0
  no "sshd started" "$log"
}
stop_sshd() { [ -n "$spid" ] && kill "$spid" 2> /dev/null && wait "$spid" 2> /dev/null; spid=; }
trap 'stop_sshd; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
known() { echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$K/$1.pub")" > "$ws/known_hosts"; }
fp() { ssh-keygen -lf "$K/$1.pub" | cut -d' ' -f2; }
db() { sqlite3 "$ws/wharf.db" "$@"; }
orders() { db "SELECT count(*) FROM orders WHERE partner = 'amazon-df'"; }
key() { "$W" secrets set amazon-df sftp-private-key -w "$ws" < "$K/$1" > "$tmp/out" 2>&1 || no "secrets set $1" "$tmp/out"; }
run() { at "$1" "$W" run --once -w "$ws" > "$tmp/out" 2>&1; echo $? > "$tmp/rc"; }
there() { [ -f "$SRV/download/$1" ]; }

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
sed -i "s|<transport kind=\"files\" dir=\"partners/amazon-df\"/>|<transport kind=\"sftp\" host=\"127.0.0.1\" port=\"$port\" user=\"$(id -un)\" inbound=\"$SRV/download\" outbound=\"$SRV/upload\" known-hosts=\"known_hosts\"/>|" "$ws/wharf.xml"
grep -q 'kind="sftp"' "$ws/wharf.xml" || { no "wharf.xml has the sftp transport" "$ws/wharf.xml"; exit 0; }
if command -v xmllint > /dev/null; then
  xmllint --noout --schema schemas/config.xsd "$ws/wharf.xml" > "$tmp/xsd" 2>&1 && ok "wharf.xml with kind=\"sftp\" is valid" ||
    no "wharf.xml with kind=\"sftp\" is valid" "$tmp/xsd"
else
  skip 1 "xmllint is not installed"
fi
known host1
start_sshd host1
key ued

# ---- 1. inbound and outbound, ed25519 ----------------------------------------------------------
cp "$G/amazon-df-850.edi" "$SRV/download/df1.edi"
# the store refuses df2 (as a full disk would): it must stay on the server
po_from amazon-df-850.edi TVd4wGZnR TVdSECOND 0002 > "$SRV/download/df2.edi"
db "CREATE TRIGGER refuse BEFORE INSERT ON raw WHEN NEW.name = 'df2.edi' BEGIN SELECT RAISE(ABORT, 'no room (test)'); END"
cp "$G/amazon-df-850.edi" "$SRV/download/.inflight.edi.part"
head -c 300 "$G/amazon-df-850.edi" > "$SRV/download/growing.edi"
run 2025-01-01T00:00:00Z
db "DROP TRIGGER refuse"
has "a pass over SFTP (ed25519 key)" "sftp list .*@127\.0\.0\.1:$port $SRV/download" "$tmp/out"
[ "$(orders)" = 1 ] && ok "  the PO became an order" || no "  the PO became an order" "$tmp/out"
[ "$(db "SELECT sha256 FROM raw WHERE name = 'df1.edi'")" = "$(sha256sum < "$G/amazon-df-850.edi" | cut -d' ' -f1)" ] &&
  ok "  its bytes are in the store as they were on the server" || no "  its bytes are in the store" "$tmp/out"
there df1.edi && no "  and it was removed from the server" "$tmp/out" || ok "  and it was removed from the server"
grep -q "remove name \"$SRV/download/df1.edi\"" "$ops" && ok "  (sshd saw the remove)" || no "  (sshd saw the remove)" "$ops"
there .inflight.edi.part && ok "  a temporary name is left alone" || no "  a temporary name is left alone"
there growing.edi && ok "  a file without its IEA yet is left on the server" || no "  a file without its IEA yet is left" "$tmp/out"
ls "$SRV/upload" > "$tmp/ls"
has "  the 997 went up" "^amazon-df-997-.*\.edi$" "$tmp/ls"
has "  the 855 went up" "^amazon-df-855-.*\.edi$" "$tmp/ls"
hasnt "  no temporary file is left" "part" "$tmp/ls"
f855=$(grep 855 "$tmp/ls" | head -1)
grep -n "open \"$SRV/upload/.$f855.part\" flags WRITE,CREATE,TRUNCATE" "$ops" | head -1 | cut -d: -f1 > "$tmp/o"
grep -n "rename old \"$SRV/upload/.$f855.part\" new \"$SRV/upload/$f855\"" "$ops" | head -1 | cut -d: -f1 > "$tmp/r"
[ -s "$tmp/o" ] && [ -s "$tmp/r" ] && [ "$(cat "$tmp/o")" -lt "$(cat "$tmp/r")" ] &&
  ok "  written as .NAME.part, then renamed NAME" || no "  written as .NAME.part, then renamed NAME" "$ops"
has "  the 855 is the order's" "^BAK\*00\*AD\*TVd4wGZnR" "$SRV/upload/$f855"
has "the store refuses a file: the pass says so" "df2\.edi: .*no room \(test\).*\(the file stays on the server\)" "$tmp/out"
[ "$(cat "$tmp/rc")" != 0 ] && ok "  and fails (exit $(cat "$tmp/rc"))" || no "  and fails" "$tmp/out"
there df2.edi && ok "  the file is still on the server" || no "  the file is still on the server" "$tmp/out"
rm -f "$SRV/download/growing.edi"

# ---- 2. a server that drops the connection, or hangs, mid-transfer ---------------------------
# tests/lib/cutproxy.py between wharf and sshd cuts (or stalls) a connection
# once exactly N bytes went one way. A PO of 1000 lines is ~50 KB and its
# 855 ~63 KB; the handshake, the listing and the 997 are a few KB, and SFTP
# moves a file in packets of up to 30000 bytes: a cut at 45000 lands in the
# file's second packet, after wharf got its first. timeout="4": the hung
# download fails after 4 s, and LeakSanitizer checks the SSH session went
# (libcurl 7.88's own timeout leaked it: gateway/net/sftp.c).
big_po() {  # big_po PO CONTROL > file: the DF sample with 1000 lines
  po_from amazon-df-850.edi TVd4wGZnR "$1" "$2" | awk '
    /^PO1\*1\*/ { for (i = 1; i <= 1000; i++) printf "PO1*%d*1*EA*24.99*PE*BP*B07DFVDRAB*SK*ACME-1001~\n", i; next }
    /^PO1\*/ { next }
    /^CTT\*/ { print "CTT*1000*1000~"; next }
    /^SE\*/ { sub(/^SE\*[0-9]+/, "SE*1012") } { print }'
}
cutlog=$tmp/cuts
python3 tests/lib/cutproxy.py --to "127.0.0.1:$port" --control "$tmp/cut" --port-file "$tmp/pport" --log "$cutlog" 2> "$tmp/proxy.err" &
ppid=$!
trap 'kill "$ppid" 2> /dev/null; stop_sshd; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
wait_for 60 test -s "$tmp/pport"
pport=$(cat "$tmp/pport")
echo "[127.0.0.1]:$pport $(cut -d' ' -f1,2 "$K/host1.pub")" >> "$ws/known_hosts"
sed -i "s|port=\"$port\"|port=\"$pport\" timeout=\"4\"|" "$ws/wharf.xml"
mkdir -p "$SRV/hold" && mv "$SRV/download/df2.edi" "$SRV/hold/"
big_po TVdBIGPO1 0003 > "$SRV/download/big.edi"
# two hours old: past incomplete-seconds (900), so a cut-short download that
# reached wharf as if whole would be quarantined and removed from the server
touch -d '2 hours ago' "$SRV/download/big.edi"
cp -p "$SRV/download/big.edi" "$tmp/big.edi"
size=$(stat -c %s "$tmp/big.edi")
leaks() { grep -q "LeakSanitizer" "$tmp/out" && no "  $1: no leak (LeakSanitizer)" "$tmp/out" || ok "  $1: nothing leaked"; }
echo "cut down 45000" > "$tmp/cut"
run 2025-01-01T00:10:00Z
grep -qx "cut down 45000" "$cutlog" && [ "$(cat "$tmp/rc")" = 75 ] &&
  ok "the server drops the connection mid-download: the pass says later (exit 75)" ||
  no "the server drops the connection mid-download: exit 75 (exit $(cat "$tmp/rc"), cuts: $(tr '\n' ' ' < "$cutlog" 2> /dev/null))" "$tmp/out"
has "  naming the file, tried again later" "sftp .*@127\.0\.0\.1:$pport: get $SRV/download/big\.edi: .*tried again later" "$tmp/out"
[ "$(db "SELECT count(*) FROM raw WHERE name = 'big.edi'")" = 0 ] && [ "$(orders)" = 1 ] &&
  ! ls "$ws/partners/amazon-df/quarantine" | grep -q big && ok "  nothing of it is stored or quarantined" ||
  no "  nothing of it is stored or quarantined" "$tmp/out"
cmp -s "$SRV/download/big.edi" "$tmp/big.edi" && ok "  the file is still on the server, as it was" ||
  no "  the file is still on the server, as it was"
grep -q "remove name \"$SRV/download/big.edi\"" "$ops" && no "  and sshd saw no remove" "$ops" || ok "  and sshd saw no remove"
leaks "a dropped connection"
# an SFTP write is up to 30000 bytes: a cut at 45000 lands in the 855's second
echo "cut up 45000" > "$tmp/cut"
run 2025-01-01T00:20:00Z
[ "$(db "SELECT sha256 FROM raw WHERE name = 'big.edi'")" = "$(sha256sum < "$tmp/big.edi" | cut -d' ' -f1)" ] &&
  [ "$(orders)" = 2 ] && ok "the next pass downloads it whole: its bytes are stored, the PO is an order" ||
  no "the next pass downloads it whole" "$tmp/out"
there big.edi && no "  then it is removed from the server" "$tmp/out" || ok "  then it is removed from the server"
# sftp-server logs a handle's bytes at its close: read whole, then removed
grep -nE "^(close \"$SRV/download/big\.edi\" bytes read $size written 0|remove name \"$SRV/download/big\.edi\")" "$ops" |
  sed -E 's/^([0-9]+):.*(close|remove).*/\2/' | tr '\n' ' ' > "$tmp/seq"
[ "$(cat "$tmp/seq")" = "close remove " ] && ok "  sshd saw it read whole ($size bytes), then removed once" ||
  no "  sshd saw it read whole, then removed once ($(cat "$tmp/seq"))" "$ops"
f855=$(db "SELECT name FROM outbox WHERE kind = '855' AND name LIKE '%TVdBIGPO1%'")
grep -qx "cut up 45000" "$cutlog" && [ -n "$f855" ] &&
  grep -qE "cannot send $f855: sftp .*: put $SRV/upload/$f855: .*tried again later" "$tmp/out" &&
  ok "the server drops the connection mid-upload (the 855): the send fails, tried again later" ||
  no "the server drops the connection mid-upload: the send fails (cuts: $(tr '\n' ' ' < "$cutlog"))" "$tmp/out"
[ -n "$f855" ] && [ ! -e "$SRV/upload/$f855" ] && ok "  no file under its name on the server" ||
  no "  no file under its name on the server" "$tmp/out"
psize=$(stat -c %s "$SRV/upload/.$f855.part" 2> /dev/null || echo 0)
[ "$psize" -gt 0 ] && [ "$psize" -lt "$(db "SELECT length(bytes) FROM outbox WHERE name = '$f855'")" ] && ok "  only the .part, cut short ($psize bytes)" ||
  no "  only the .part, cut short ($psize bytes)" "$tmp/out"
[ "$(db "SELECT count(*) FROM outbox WHERE name = '$f855' AND sent_at IS NULL")" = 1 ] &&
  ok "  the 855 waits in the outbox" || no "  the 855 waits in the outbox" "$tmp/out"
leaks "an upload cut"
# the server hangs mid-download (timeout="4"): the operation times out
big_po TVdBIGPO2 0004 > "$SRV/download/big2.edi"
echo "stall down 30000" > "$tmp/cut"
t0=$SECONDS
run 2025-01-01T00:30:00Z
took=$((SECONDS - t0))
grep -qx "stall down 30000" "$cutlog" && [ "$(cat "$tmp/rc")" = 75 ] &&
  ok "the server hangs mid-download: the pass says later (exit 75, ${took}s)" ||
  no "the server hangs mid-download: exit 75 (exit $(cat "$tmp/rc"), cuts: $(tr '\n' ' ' < "$cutlog"))" "$tmp/out"
has "  the download timed out (timeout=\"4\")" "get $SRV/download/big2\.edi: .*(timed out|nothing moved).*tried again later" "$tmp/out"
there big2.edi && [ "$(db "SELECT count(*) FROM raw WHERE name = 'big2.edi'")" = 0 ] &&
  ok "  the file stays on the server, nothing stored" || no "  the file stays on the server, nothing stored" "$tmp/out"
leaks "a timed-out download (the SSH session freed)"
db "SELECT writefile('$tmp/doc855', bytes) FROM outbox WHERE name = '$f855' AND sent_at IS NOT NULL" > /dev/null
cmp -s "$SRV/upload/$f855" "$tmp/doc855" && ok "the same pass sends the 855 again: the file's bytes are the document's" ||
  no "the same pass sends the 855 again, whole" "$tmp/out"
[ "$(grep -c "rename old \"$SRV/upload/.$f855.part\" new \"$SRV/upload/$f855\"" "$ops")" = 1 ] &&
  [ ! -e "$SRV/upload/.$f855.part" ] && ok "  renamed into place once, no .part left" ||
  no "  renamed into place once, no .part left" "$ops"
kill "$ppid" 2> /dev/null; wait "$ppid" 2> /dev/null
grep -q Traceback "$tmp/proxy.err" && no "the proxy ran without an error" "$tmp/proxy.err"
rm -f "$SRV/download/big2.edi"
mv "$SRV/hold/df2.edi" "$SRV/download/"
sed -i "s|port=\"$pport\" timeout=\"4\"|port=\"$port\"|" "$ws/wharf.xml"

# ---- 3. the server's host key changed ---------------------------------------------------------
stop_sshd
start_sshd host2
run 2025-01-01T02:00:00Z
[ "$(cat "$tmp/rc")" != 0 ] && ok "a changed host key: the pass fails (exit $(cat "$tmp/rc"))" || no "a changed host key: the pass fails" "$tmp/out"
grep -F "@127.0.0.1:$port: the host key (ssh-ed25519 $(fp host2)) does not match the known-hosts file $ws/known_hosts" "$tmp/out" > /dev/null &&
  ok "  naming the host, the key type and its fingerprint" || no "  naming the host, the key type and its fingerprint" "$tmp/out"
there df2.edi && [ "$(orders)" = 2 ] && ok "  nothing taken" || no "  nothing taken" "$tmp/out"
known host2

# ---- 4. a key the server does not know -----------------------------------------------------------
key uwrong
run 2025-01-01T03:00:00Z
[ "$(cat "$tmp/rc")" != 0 ] && ok "an unknown key: the pass fails" || no "an unknown key: the pass fails" "$tmp/out"
has "  saying what to check" "the key was refused .*check the sftp-private-key in the vault and that the server has its public key for user" "$tmp/out"
there df2.edi && ok "  nothing taken" || no "  nothing taken" "$tmp/out"
grep -rqF "$(sed -n 2p "$K/uwrong")" "$ws/log" "$tmp/out" && no "  the key is in no log" || ok "  the key is in no log"

# ---- 5. an RSA key (PEM), archive=; the upload folder gone, then the server down ------------------
key ursa
sed -i "s|outbound=\"$SRV/upload\"|& archive=\"$SRV/archive\"|" "$ws/wharf.xml"
mv "$SRV/upload" "$SRV/upload.away"
run 2025-01-01T04:00:00Z
has "an RSA key (PEM)" "sftp get .*@127\.0\.0\.1:$port $SRV/download/df2\.edi" "$tmp/out"
[ "$(orders)" = 3 ] && ok "  the second PO became an order" || no "  the second PO became an order" "$tmp/out"
there df2.edi && no "  it left the inbound folder" || ok "  it left the inbound folder"
ls "$SRV/archive" | grep -qE '^[0-9]{8}T[0-9]{6}-df2\.edi$' && ok "  moved to archive/ under TIMESTAMP-NAME" ||
  no "  moved to archive/ under TIMESTAMP-NAME" "$tmp/out"
[ -z "$(ls -A "$ws" | grep '^\.sftp-key')" ] && ok "  no key file is left in the workspace" || no "  no key file is left"
has "no upload folder: the sends fail, saying what to check" "cannot send amazon-df-(997|855)-.*folder .*/upload is not there: check the transport's folders" "$tmp/out"
unsent() { db "SELECT count(*) FROM outbox WHERE partner = 'amazon-df' AND sent_at IS NULL"; }
[ "$(unsent)" = 2 ] && ok "  the 997 and the 855 wait in the outbox" || no "  the 997 and the 855 wait" "$tmp/out"
mv "$SRV/upload.away" "$SRV/upload"
stop_sshd
run 2025-01-01T07:00:00Z
[ "$(cat "$tmp/rc")" = 75 ] && ok "sshd down: the pass says later (exit 75)" || no "sshd down: exit 75 (exit $(cat "$tmp/rc"))" "$tmp/out"
has "  connection refused, tried again later" "sftp .*127\.0\.0\.1:$port.*connect.*tried again later" "$tmp/out"
[ "$(unsent)" = 2 ] && ok "  nothing lost: both still wait" || no "  nothing lost: both still wait" "$tmp/out"
start_sshd host2
run 2025-01-01T09:00:00Z
[ "$(unsent)" = 0 ] && ok "the server back: both went up" || no "the server back: both went up" "$tmp/out"
ls -A "$SRV/upload" > "$tmp/ls"
hasnt "  no temporary file is left" "part" "$tmp/ls"
[ "$(grep -c 'amazon-df-855-' "$tmp/ls")" = 3 ] && [ "$(grep -c 'amazon-df-997-' "$tmp/ls")" = 3 ] &&
  ok "  three 997s and three 855s on the server (one of each from section 2)" || no "  three 997s and three 855s" "$tmp/ls"
for f in $(grep -E 'amazon-df-(997|855)-' "$tmp/ls"); do
  [ "$(grep -c "rename old \"$SRV/upload/.$f.part\" new \"$SRV/upload/$f\"" "$ops")" = 1 ] || echo "$f" >> "$tmp/twice"
done
[ ! -s "$tmp/twice" ] && ok "  each renamed into place once: nothing sent twice" || no "  something was sent twice" "$tmp/twice"
stop_sshd
echo "1..$n"
