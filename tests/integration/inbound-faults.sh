#!/usr/bin/env bash
# Integration tests of inbound files under faults (issue 12 "Inbound
# files"): a file written in pieces while `serve` polls is taken whole; an
# interchange without its IEA waits, then is quarantined with a reason; a
# locked store and a disk that fills leave the file to be processed again,
# and the summary counts only what committed; claims of a killed process are
# recovered; a symbolic link is never read; kept copies never overwrite each
# other. Usage: inbound-faults.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"

# five DF POs in one interchange, each its own set
five_pos() {  # five_pos ISA13 > file
  local isa=$1 i
  printf 'ISA*00*          *00*          *ZZ*AMAZONDS       *ZZ*ACMEVENDOR     *250101*0900*U*00401*%09d*0*P*>~\n' "$isa"
  printf 'GS*PO*AMAZONDS*ACMEVENDOR*20250101*0900*%d*X*004010~\n' "$isa"
  for i in 1 2 3 4 5; do
    sed -n '/^ST\*850/,/^SE\*/p' "$G/amazon-df-850.edi" | sed -e "s/TVd4wGZnR/TPIECE$isa$i/" -e "s/^ST\*850\*0001/ST*850*000$i/" -e "s/^SE\*\([0-9]*\)\*0001/SE*\1*000$i/"
  done
  printf 'GE*5*%d~\nIEA*1*%09d~\n' "$isa" "$isa"
}

new_ws() { rm -rf "$ws"; "$W" init "$ws" > /dev/null 2>&1 || no "init"; DF=$ws/partners/amazon-df; }

# ---- a file written in pieces while serve polls --------------------------------------
new_ws
five_pos 801 > "$tmp/five.edi"
half=$(( $(wc -c < "$tmp/five.edi") / 2 ))
WHARF_POLL_SECONDS=1 "$W" serve -w "$ws" > "$tmp/serve.log" 2>&1 &
spid=$!
head -c "$half" "$tmp/five.edi" > "$DF/inbound/five.edi"
wait_for 60 grep -q "five.edi: incomplete" "$tmp/serve.log"
tail -c +"$((half + 1))" "$tmp/five.edi" >> "$DF/inbound/five.edi"
# the line serve logs once the whole file's sets are committed
wait_for 60 grep -q "five.edi: 5 sets" "$tmp/serve.log"
kill -TERM "$spid"; wait "$spid" 2>/dev/null
has "in pieces: the half file was left for a later pass" "five.edi: incomplete \(no IEA yet" "$tmp/serve.log"
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
[ "$(grep -c TPIECE801 "$tmp/orders")" = 5 ] && ok "in pieces: all five POs became orders" || no "in pieces: all five POs became orders" "$tmp/orders"
[ -z "$(ls "$DF/quarantine" 2>/dev/null)" ] && ok "in pieces: nothing quarantined" || no "in pieces: nothing quarantined"
hasnt "in pieces: nothing refused as a duplicate" "received before" "$tmp/serve.log"

# ---- an interchange that never completes: quarantined after incomplete-seconds --------
new_ws
head -c "$half" "$tmp/five.edi" > "$DF/inbound/stuck.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ -f "$DF/inbound/stuck.edi" ] && ok "incomplete: left in inbound/" || no "incomplete: left in inbound/" "$tmp/out"
touch -d '2 hours ago' "$DF/inbound/stuck.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ ! -e "$DF/inbound/stuck.edi" ] && ok "incomplete after 15 minutes: taken out of inbound/" || no "incomplete after 15 minutes: taken out of inbound/"
cat "$DF"/quarantine/*stuck*.reason > "$tmp/reason" 2>/dev/null
has "  quarantined with its reason" "still incomplete after [0-9]+s \(no IEA, or empty\)" "$tmp/reason"
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
hasnt "  and no order from half a file" "TPIECE" "$tmp/orders"
: > "$DF/inbound/empty.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ -f "$DF/inbound/empty.edi" ] && ok "an empty file waits too" || no "an empty file waits too" "$tmp/out"
rm -f "$DF/inbound/empty.edi"
echo 'x' > "$DF/inbound/notes.tmp"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ -f "$DF/inbound/notes.tmp" ] && ok "a temporary name is left alone" || no "a temporary name is left alone"
rm -f "$DF/inbound/notes.tmp"

# ---- a locked store ------------------------------------------------------------------------
new_ws
five_pos 802 > "$DF/inbound/locked.edi"
if command -v sqlite3 > /dev/null; then
  # another process holds the store's write lock until told to let go
  mkfifo "$tmp/sqlin"
  sqlite3 "$ws/wharf.db" < "$tmp/sqlin" > "$tmp/sqlout" 2>&1 &
  lpid=$!
  exec 8> "$tmp/sqlin"
  echo "BEGIN EXCLUSIVE; SELECT 'locked';" >&8
  wait_for 60 grep -q locked "$tmp/sqlout"
  at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
  rc=$?
  echo "COMMIT;" >&8
  exec 8>&-
  wait "$lpid" 2>/dev/null
  [ "$rc" != 0 ] && ok "locked store: the run says it failed (exit $rc)" || no "locked store: the run says it failed" "$tmp/out"
  [ -f "$DF/inbound/locked.edi" ] && ok "locked store: the file is back in inbound/" || no "locked store: the file is back in inbound/" "$tmp/out"
  hasnt "  the summary counts no order that did not commit" "orders: [1-9]" "$tmp/out"
  at 2025-01-01T00:10:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
  "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
  [ "$(grep -c TPIECE802 "$tmp/orders")" = 5 ] && ok "locked store: the next run makes the five orders" || no "locked store: the next run makes the five orders" "$tmp/orders"
else
  skip 4 "locked store: the sqlite3 command is not installed"
fi

# ---- a disk that fills during a run ---------------------------------------------------------
if [ "$(id -u)" = 0 ] && mkdir -p "$tmp/small" && mount -t tmpfs -o size=8m tmpfs "$tmp/small" 2> /dev/null; then
  trap 'umount "$tmp/small" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
  rm -rf "$ws"; ws=$tmp/small/ws
  "$W" init "$ws" > /dev/null 2>&1 || no "init on the small disk"
  DF=$ws/partners/amazon-df
  for k in $(seq 10 17); do five_pos 8$k > "$DF/inbound/f$k.edi"; done
  # fill what is left but a little: room for some of the files' commits
  # (16 KB pages, since issue 18: the store alone starts at 1.3 MB, and a
  # commit writes whole pages to the log), not for all
  dd if=/dev/zero of="$tmp/small/filler" bs=1k count=$(( $(df -k --output=avail "$tmp/small" | tail -1) - 2400 )) > /dev/null 2>&1
  at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
  made=$("$W" orders list -w "$ws" 2>/dev/null | grep -c TPIECE8)
  left=$(ls "$DF/inbound" | grep -c '\.edi$')
  stranded=$(find "$DF/inbound/.claimed" -type f 2> /dev/null | wc -l)
  [ "$stranded" = 0 ] && ok "full disk: no file stranded in .claimed/" || no "full disk: no file stranded in .claimed/ ($stranded)"
  summary=$(grep -o 'orders: [0-9]* created' "$tmp/out" | grep -o '[0-9]*')
  [ "${summary:-0}" = "$made" ] && ok "full disk: the summary counts what committed ($made)" || no "full disk: the summary counts what committed (said ${summary:-?}, made $made)" "$tmp/out"
  [ "$left" -gt 0 ] && ok "full disk: the files that did not fit wait in inbound/ ($left)" || no "full disk: the disk did fill during the run" "$tmp/out"
  rm -f "$tmp/small/filler"
  at 2025-01-01T00:10:00Z "$W" run --once -w "$ws" > "$tmp/out2" 2>&1
  made=$("$W" orders list -w "$ws" 2>/dev/null | grep -c TPIECE8)
  [ "$made" = 40 ] && ok "full disk: once space is back, all 40 POs are orders" || no "full disk: once space is back, all 40 POs are orders ($made; $left were left)" "$tmp/out2"
  ws=$tmp/ws
else
  skip 4 "full disk: cannot mount a 2 MB tmpfs here (needs root)"
fi

# ---- claims of a killed process ---------------------------------------------------------------
new_ws
mkdir -p "$DF/inbound/.claimed/999999"
five_pos 803 > "$DF/inbound/.claimed/999999/killed.edi"
five_pos 804 > "$DF/inbound/.claimed/legacy.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
has "killed run: its claim is put back" "killed.edi: put back in inbound/ from an interrupted run" "$tmp/out"
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
[ "$(grep -c 'TPIECE80[34]' "$tmp/orders")" = 10 ] && ok "killed run: its files are processed (both layouts)" || no "killed run: its files are processed (both layouts)" "$tmp/orders"
[ -z "$(find "$DF/inbound/.claimed" -type f)" ] && ok "killed run: nothing left in .claimed/" || no "killed run: nothing left in .claimed/"

# a claim whose owner is alive is not touched
mkdir -p "$DF/inbound/.claimed/alive"
five_pos 805 > "$DF/inbound/.claimed/alive/busy.edi"
( flock 9; echo held > "$tmp/held"; sleep 60 ) 9< "$DF/inbound/.claimed/alive" &
hpid=$!
wait_for 60 test -f "$tmp/held"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ -f "$DF/inbound/.claimed/alive/busy.edi" ] && ok "a claim held by a live process is left alone" || no "a claim held by a live process is left alone"
kill "$hpid" 2>/dev/null; pkill -P "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null

# ---- a symbolic link ---------------------------------------------------------------------------
new_ws
echo "ISA-SECRET-TARGET" > "$tmp/target.edi"
ln -s "$tmp/target.edi" "$DF/inbound/link.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
has "a link is quarantined" "link.edi: quarantined: .*symbolic link" "$tmp/out"
if command -v sqlite3 > /dev/null; then
  [ "$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM raw")" = 0 ] && ok "  its target's bytes are not in the store" || no "  its target's bytes are not in the store"
else
  skip 1 "its target's bytes are not in the store: the sqlite3 command is not installed"
fi
[ -L "$(ls -d "$DF"/quarantine/*link.edi | head -1)" ] && ok "  the link itself is what was kept" || no "  the link itself is what was kept"

# ---- name collisions -----------------------------------------------------------------------------
new_ws
five_pos 806 > "$DF/inbound/same.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
five_pos 807 > "$DF/inbound/same.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
[ "$(ls "$DF/archive" | grep -c same.edi)" = 2 ] && ok "two files of one name in one second: two archived copies" || no "two files of one name in one second: two archived copies"
# two rejected sets of the same file name and control number
sed 's/^BEG\*00\*DS\*/BEG*00*XX*/' "$tmp/five.edi" | sed 's/\*000000801\*/*000000808*/; s/^IEA\*1\*000000801/IEA*1*000000808/' > "$DF/inbound/bad.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
sed 's/^BEG\*00\*DS\*/BEG*00*XX*/' "$tmp/five.edi" | sed 's/\*000000801\*/*000000809*/; s/^IEA\*1\*000000801/IEA*1*000000809/' > "$DF/inbound/bad.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
[ "$(ls "$DF/quarantine" | grep -c 'bad.edi.850-0001.edi$\|bad.edi.850-0001.edi.1$')" = 2 ] && ok "set-level quarantine copies do not overwrite each other" || { ls "$DF/quarantine" > "$tmp/ls"; no "set-level quarantine copies do not overwrite each other" "$tmp/ls"; }
[ "$(ls "$DF/quarantine" | grep -c '\.reason$')" -ge 10 ] && ok "  each with its own .reason" || { ls "$DF/quarantine" > "$tmp/ls"; no "  each with its own .reason" "$tmp/ls"; }

# ---- a link in erp/in: a decision is never read through it ---------------------------------------
new_ws
cp "$G/amazon-rp-850.edi" "$ws/partners/amazon-rp/inbound/po.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
printf '{"po_number": "4Z32PABC", "partner": "amazon-rp", "action": "approve"}\n' > "$tmp/decision.json"
ln -s "$tmp/decision.json" "$ws/erp/in/decision.json"
at 2025-01-01T01:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "erp/in: a decision behind a link is not applied" "4Z32PABC +pending-approval" "$tmp/orders"
has "  and the log says why" "erp/in decision.json: not read: .*symbolic link" "$tmp/out"
rm "$ws/erp/in/decision.json"
cp "$tmp/decision.json" "$ws/erp/in/decision.json"
at 2025-01-01T02:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
"$W" orders list -w "$ws" > "$tmp/orders" 2>&1
hasnt "  the same decision as a regular file is applied" "4Z32PABC +pending-approval" "$tmp/orders"
# erp/in's own done/ and refused/ folders are not files to warn about
at 2025-01-01T03:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ -d "$ws/erp/in/done" ] && ok "  (erp/in/done/ exists)" || no "  (erp/in/done/ exists)"
hasnt "  a later pass says nothing about erp/in's folders" "erp/in (done|refused): not read" "$tmp/out"

# ---- a broken guide ---------------------------------------------------------------------------
# The configuration reads only what a guide is for; the guide compiles when a
# file needs it. A guide that does not compile then stops that file, in
# inbound/, with the guide's own words (it said "stopped by handler"), and the
# commands that validate nothing still work.
S=$tmp/schemas
cp -r "$PWD/schemas" "$S"
python3 - "$S/partners/amazon-rp/850.xml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read(); i = s.index('>', s.index('<guide')) + 1
open(p, 'w').write(s[:i] + '<bogus/>' + s[i:])
PY
rm -rf "$ws"; "$W" init "$ws" > /dev/null
cp "$G/amazon-rp-850.edi" "$ws/partners/amazon-rp/inbound/"
exits "a broken guide: the workspace opens" 0 env WHARF_SCHEMAS="$S" "$W" status -w "$ws"
exits "  a file that needs it waits (temporary failure)" 75 env WHARF_SCHEMAS="$S" "$W" run --once -w "$ws"
has "  and the log names the guide, the line and what is wrong" \
  "amazon-rp-850.edi: .*partners/amazon-rp/850.xml:[0-9]+: Element 'bogus'.*the file stays in inbound" "$tmp/out"
[ -f "$ws/partners/amazon-rp/inbound/amazon-rp-850.edi" ] && ok "  the file is still in inbound/" \
  || no "  the file is still in inbound/"
exits "  once the guide is fixed, the file goes through" 0 "$W" run --once -w "$ws"
[ -f "$ws/partners/amazon-rp/inbound/amazon-rp-850.edi" ] && no "  and leaves inbound/" \
  || ok "  and leaves inbound/"
