#!/usr/bin/env bash
# Many senders, one outbox: two or three `wharf run --once` on one
# workspace at the same moment deliver every queued message exactly once
# (issue 12: two runs delivered 768 of 1,240 documents twice). Usage:
# race.sh WHARF. Prints ok/not ok lines.
#
# 200 DF POs in four files are processed while the outbound folder cannot
# be written, so their 997s and 855s wait in the outbox; then the folder
# comes back and three runs start together. A pickup agent takes files out
# of outbound/ as they land (as a partner's transfer agent would), so a
# message written twice is two files; each run's log says what it sent.
set -u
. "$(dirname "$0")/lib.bash" "$@"
export WHARF_NOW=2025-01-01T00:00:00Z
LATER=2025-01-01T02:00:00Z    # every failed first try is due again
DF=$ws/partners/amazon-df
FILES=4 PER=50

"$W" init "$ws" > "$tmp/out" 2>&1 || { no "init" "$tmp/out"; exit 1; }
# a file per order (layout="per-order"): each order's ERP files are outbox
# messages the three runs race for, as the document files are
sed -i 's/layout="per-file"/layout="per-order"/' "$ws/wharf.xml"

# df_file CONTROL FIRST COUNT: an interchange of COUNT DF 850s, Ship IDs
# RACE<FIRST>... (each an order, each acknowledged at once: an 855)
df_file() {
  local ctl=$1 first=$2 count=$3 i id
  printf 'ISA*00*          *00*          *ZZ*AMAZONDS       *ZZ*ACMEVENDOR     *240316*0930*U*00401*%09d*0*P*>~\n' "$ctl"
  printf 'GS*PO*AMAZONDS*ACMEVENDOR*20240316*0930*%d*X*004010~\n' "$ctl"
  for ((i = 0; i < count; i++)); do
    id=$(printf 'RACE%05d' $((first + i)))
    printf 'ST*850*%04d~\n' $((i + 1))
    printf 'BEG*00*DS*%s**20240316~\nREF*OQ*114-2948816-%07d~\nTD5**ZZ*UPS_GR_RES~\n' "$id" $((first + i))
    printf 'N1*ST*JANE DOE~\nN3*123 ANY STREET*APT 4B~\nN4*SEATTLE*WA*98109*US~\nN1*SF**92*NJ1~\n'
    printf 'PO1*1*1*EA*24.99*PE*BP*B07DFVDRAB*SK*ACME-1001~\nCTT*1*1~\n'
    printf 'SE*11*%04d~\n' $((i + 1))
  done
  printf 'GE*%d*%d~\nIEA*1*%09d~\n' "$count" "$ctl" "$ctl"
}
for ((f = 0; f < FILES; f++)); do
  df_file $((7100 + f)) $((f * PER)) $PER > "$DF/inbound/race-$f.edi"
done

# ---- queue: outbound/ is a file, so every delivery fails and waits ----------------------
rm -rf "$DF/outbound"
: > "$DF/outbound"
"$W" run --once -w "$ws" > "$tmp/queue" 2>&1
"$W" orders list --partner amazon-df -w "$ws" > "$tmp/orders" 2>&1
[ "$(grep -c RACE "$tmp/orders")" = $((FILES * PER)) ] && ok "$((FILES * PER)) DF orders" || no "$((FILES * PER)) DF orders" "$tmp/queue"
q=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM outbox WHERE partner = 'amazon-df' AND kind NOT LIKE 'erp-%' AND sent_at IS NULL")
n997=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM outbox WHERE partner = 'amazon-df' AND kind = '997'")
n855=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM outbox WHERE partner = 'amazon-df' AND kind = '855'")
[ "$q" -ge $((FILES * PER)) ] && [ "$n997" -ge 1 ] && [ "$n855" -ge 1 ] && ok "$q messages wait in the outbox ($n997 997s, $n855 855s)" ||
  no "messages wait in the outbox: $q ($n997 997s, $n855 855s)" "$tmp/queue"
rm -f "$DF/outbound"
mkdir "$DF/outbound"

# ---- three runs at once, and a pickup agent ------------------------------------------------
mkdir "$tmp/picked"
pickup() {  # moves each delivered file away under a name of its own
  local k=0 f
  while [ ! -e "$tmp/stop" ]; do
    for f in "$DF/outbound"/*; do
      case ${f##*/} in .* | \*) continue ;; esac
      k=$((k + 1))
      mv "$f" "$tmp/picked/${f##*/}.$k" 2> /dev/null
    done
  done
}
pickup &
agent=$!
: > "$tmp/go"
for r in 1 2 3; do
  ( while [ -e "$tmp/go" ]; do :; done
    WHARF_NOW=$LATER exec "$W" run --once -w "$ws" > "$tmp/run$r" 2>&1 ) &
  pids="${pids:-} $!"
done
sleep 0.5
rm -f "$tmp/go"     # go: all three start together
for p in $pids; do wait "$p"; done
: > "$tmp/stop"
wait "$agent"
for f in "$DF/outbound"/*; do
  [ -e "$f" ] && mv "$f" "$tmp/picked/${f##*/}.last"
done

# every message once: in the logs, in the files, in the store
cat "$tmp"/run[123] | grep -oE "amazon-df: sent [^ ]+" | sort > "$tmp/sent"
[ "$(wc -l < "$tmp/sent")" = "$q" ] && ok "the three runs sent $q messages between them" ||
  no "the three runs sent $(wc -l < "$tmp/sent") messages, not $q" "$tmp/run1"
uniq -d "$tmp/sent" > "$tmp/twice"
[ ! -s "$tmp/twice" ] && ok "no message was sent twice" || no "$(wc -l < "$tmp/twice") messages were sent twice" "$tmp/twice"
for r in 1 2 3; do
  grep -c "amazon-df: sent " "$tmp/run$r" > "$tmp/c$r"
done
ok "sent per run: $(cat "$tmp/c1") $(cat "$tmp/c2") $(cat "$tmp/c3")"
got=$(find "$tmp/picked" -type f | wc -l)
[ "$got" = "$q" ] && ok "$q files reached outbound/" || no "$got files reached outbound/, not $q"
for f in "$tmp"/picked/*; do awk -F'*' 'NR == 1 { print $14 }' "$f"; done | sort > "$tmp/isa"
[ "$(wc -l < "$tmp/isa")" = "$got" ] && [ -z "$(uniq -d "$tmp/isa")" ] && ok "no interchange control number twice" ||
  no "interchange control numbers twice: $(uniq -d "$tmp/isa" | head -5 | tr '\n' ' ')" "$tmp/isa"
bad=0
for f in "$tmp"/picked/*; do
  case $(tail -c 40 "$f") in *IEA*) ;; *) bad=$((bad + 1)) ;; esac
done
[ "$bad" = 0 ] && ok "every file is whole (ends with its IEA)" || no "$bad files are not whole"
left=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM outbox WHERE sent_at IS NULL OR claimed_by IS NOT NULL" 2>&1)
[ "$left" = 0 ] && ok "the store: every message sent, no claim left" || no "the store: $left messages unsent or claimed"
twice=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM (SELECT document_id FROM document_events WHERE state = 'sent' GROUP BY document_id HAVING count(*) > 1)")
docs=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM documents WHERE direction = 'outbound' AND partner = 'amazon-df' AND state = 'sent'")
[ "$twice" = 0 ] && [ "$docs" -ge "$n855" ] && ok "the store: $docs documents sent, each once" ||
  no "the store: $twice documents sent more than once ($docs sent)"
ls -A "$DF/outbound" > "$tmp/ls"
[ ! -s "$tmp/ls" ] && ok "no temporary files left in outbound/" || no "files left in outbound/" "$tmp/ls"
# the ERP got each order once, whole
[ "$(ls "$ws/erp/out" | grep -c '^amazon-df-RACE.*\.json$')" = $((FILES * PER)) ] && ok "the ERP has every order's JSON" ||
  no "the ERP has $(ls "$ws/erp/out" | grep -c '^amazon-df-RACE.*\.json$') order JSON files"
ls -A "$ws/erp/out" | grep -E '^\.|\.tmp$' > "$tmp/ls"
[ ! -s "$tmp/ls" ] && ok "no temporary files left in erp/out/" || no "temporary files in erp/out/" "$tmp/ls"
grep -h "ERROR\|runtime error" "$tmp"/run[123] > "$tmp/san"
[ ! -s "$tmp/san" ] && ok "no sanitizer reports" || no "sanitizer reports" "$tmp/san"
