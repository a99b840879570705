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
#     is lost, and each goes up once when the server is back.
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
  for i in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return 0; sleep 0.1; done
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

# ---- 3. the server's host key changed ---------------------------------------------------------
stop_sshd
start_sshd host2
run 2025-01-01T02:00:00Z
[ "$(cat "$tmp/rc")" != 0 ] && ok "a changed host key: the pass fails (exit $(cat "$tmp/rc"))" || no "a changed host key: the pass fails" "$tmp/out"
grep -F "@127.0.0.1:$port: the host key (ssh-ed25519 $(fp host2)) does not match the known-hosts file $ws/known_hosts" "$tmp/out" > /dev/null &&
  ok "  naming the host, the key type and its fingerprint" || no "  naming the host, the key type and its fingerprint" "$tmp/out"
there df2.edi && [ "$(orders)" = 1 ] && ok "  nothing taken" || no "  nothing taken" "$tmp/out"
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
[ "$(orders)" = 2 ] && ok "  the second PO became an order" || no "  the second PO became an order" "$tmp/out"
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
[ "$(grep -c 'amazon-df-855-' "$tmp/ls")" = 2 ] && [ "$(grep -c 'amazon-df-997-' "$tmp/ls")" = 2 ] &&
  ok "  two 997s and two 855s on the server" || no "  two 997s and two 855s" "$tmp/ls"
for f in $(grep -E 'amazon-df-(997|855)-' "$tmp/ls"); do
  [ "$(grep -c "rename old \"$SRV/upload/.$f.part\" new \"$SRV/upload/$f\"" "$ops")" = 1 ] || echo "$f" >> "$tmp/twice"
done
[ ! -s "$tmp/twice" ] && ok "  each renamed into place once: nothing sent twice" || no "  something was sent twice" "$tmp/twice"
stop_sshd
echo "1..$n"
