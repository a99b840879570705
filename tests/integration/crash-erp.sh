#!/usr/bin/env bash
# ERP exports survive a crash (issue 12): `wharf ship` and `wharf invoice
# run` are killed with SIGKILL at random moments, again and again; after a
# normal run every shipment and every invoice in the store has its ERP
# JSON and CSV in erp/out, whole, and no temporary file is left there.
# Before them (issue 18) `wharf run --once` on the inbound POs, one a file,
# is killed the same way: after a normal run every PO is an order once,
# every 997 is queued and written once, and the change logs
# (layout="per-file") hold each order once, numbered without a gap.
# Usage: crash-erp.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
NPO=${NPO:-8}      # POs shipped under fire (one more ships normally at the end)

"$W" init "$ws" > "$tmp/out" 2>&1 || { no "init" "$tmp/out"; exit 0; }
RP=$ws/partners/amazon-rp
pos=()
for ((i = 0; i <= NPO + 1; i++)); do
  po=$(printf 'PKIL%02d' $i)
  pos+=("$po")
  po_from amazon-rp-850.edi 4Z32PABC "$po" $((7500 + i)) > "$tmp/$po.edi"
done
ms() { echo $(($(date +%s%N) / 1000000)); }
running() { [ -e "/proc/$1" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2> /dev/null)" != Z ]; }
count() { sqlite3 "$ws/wharf.db" "SELECT count(*) FROM $1" 2> /dev/null; }

# ---- inbound under fire: a PO file dropped in, the run killed at a random moment of its usual span ---
t0=$(ms)
mv "$tmp/${pos[0]}.edi" "$RP/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
span=$(($(ms) - t0 + 50))
killed=0
for ((i = 1; i <= NPO; i++)); do
  wait_ms=$((span / 4 + RANDOM % (span + 1)))
  mv "$tmp/${pos[$i]}.edi" "$RP/inbound/"
  WHARF_NOW=2025-01-01T00:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1 &
  p=$!
  sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  running "$p" && kill -9 "$p" 2> /dev/null && killed=$((killed + 1))
  wait "$p" 2> /dev/null
done
echo "# run --once: $killed of $NPO runs killed (within ${span} ms), $(count orders) orders made"
mv "$tmp/${pos[NPO + 1]}.edi" "$RP/inbound/"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1
printf '%s\n' "${pos[@]}" | sort > "$tmp/want"
sqlite3 "$ws/wharf.db" "SELECT po_number FROM orders ORDER BY po_number" > "$tmp/got" 2>&1
diff "$tmp/want" "$tmp/got" > "$tmp/diff" && ok "every PO is an order, once" || no "every PO is an order, once" "$tmp/diff"
[ "$(sqlite3 "$ws/wharf.db" "SELECT count(*), count(DISTINCT name), sum(sent_at IS NOT NULL) FROM outbox WHERE kind = '997'")" = "$((NPO + 2))|$((NPO + 2))|$((NPO + 2))" ] &&
  [ "$(ls "$RP/outbound" | grep -c 997)" = $((NPO + 2)) ] && ok "every 997 queued and written once" ||
  { ls "$RP/outbound" > "$tmp/ls"; no "every 997 queued and written once" "$tmp/ls"; }
cat "$ws"/erp/out/orders-*-amazon-rp.jsonl 2> /dev/null | python3 -c '
import json, sys
for l in sys.stdin: print(json.loads(l)["po_number"])' | sort > "$tmp/got"
diff "$tmp/want" "$tmp/got" > "$tmp/diff" && ok "the change logs hold each order once, none missing" ||
  no "the change logs hold each order once, none missing" "$tmp/diff"
nlog=$(ls "$ws/erp/out" | grep -c '^orders-.*\.jsonl$')
for ((k = 1; k <= nlog; k++)); do printf 'orders-%012d-amazon-rp.csv\norders-%012d-amazon-rp.jsonl\n' $k $k; done > "$tmp/want"
ls -A "$ws/erp/out" > "$tmp/got"
diff "$tmp/want" "$tmp/got" > "$tmp/diff" && ok "  $nlog logs numbered 1 to $nlog, a CSV beside each, nothing staged left" ||
  no "  logs numbered without a gap, nothing staged left" "$tmp/diff"
for po in "${pos[@]}"; do
  at 2025-01-01T01:00:00Z "$W" orders approve "$po" -w "$ws" > "$tmp/out" 2>&1 || no "approve $po" "$tmp/out"
done
at 2025-01-01T02:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
has "$((NPO + 2)) POs acknowledged" "^$((NPO + 2)) acknowledgments queued" "$tmp/out"

pack() {  # pack PO > file: every line in full, a carton per line
  echo "po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol"
  echo "$1,1,24,$1-1,NJ1,2025-01-02,ODFL,BOL$1"
  echo "$1,2,12,$1-2,NJ1,2025-01-02,ODFL,BOL$1"
  echo "$1,3,6,$1-3,NJ1,2025-01-02,ODFL,BOL$1"
}
for po in "${pos[@]}"; do pack "$po" > "$tmp/pack-$po.csv"; done
# storm CMD...: runs the command and kills it with SIGKILL at a random
# moment of the second half of its usual run time ($span ms): in the middle
# of its commits, exports and deliveries, or after it finished
killed=0
storm() {
  local wait_ms=$((span / 2 + RANDOM % (span * 7 / 10 + 1))) p
  WHARF_NOW=$now "$@" > /dev/null 2>&1 &
  p=$!
  sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  running "$p" && kill -9 "$p" 2> /dev/null && killed=$((killed + 1))
  wait "$p" 2> /dev/null
}
# storm_on TABLE CMD...: the same, killed as soon as TABLE has a row more:
# just after a commit, the moment an export written after it was lost
storm_on() {
  local t=$1 before c p
  shift
  before=$(count "$t")
  WHARF_NOW=$now "$@" > /dev/null 2>&1 &
  p=$!
  while running "$p"; do
    c=$(count "$t")
    if [ -n "$c" ] && [ "$c" != "$before" ]; then
      kill -9 "$p" 2> /dev/null && killed=$((killed + 1))
      break
    fi
  done
  wait "$p" 2> /dev/null
}
missing() {  # missing KIND SQL: the ERP files missing for each id SQL lists
  local id
  for id in $(sqlite3 "$ws/wharf.db" "$2"); do
    for ext in json csv; do
      f=$ws/erp/out/amazon-rp-$1-$id.$ext
      if [ ! -s "$f" ]; then echo "$f: missing"
      elif [ "$ext" = json ] && [ "$(tr -d ' \n' < "$f" | tail -c 1)" != "}" ]; then echo "$f: not whole"
      fi
    done
  done
}

# ---- ship under fire ---------------------------------------------------------------------------
now=2025-01-02T10:00:00Z
t0=$(ms)
at $now "$W" ship "$tmp/pack-${pos[0]}.csv" -w "$ws" > "$tmp/out" 2>&1 || no "a normal ship" "$tmp/out"
span=$(($(ms) - t0 + 50))
for ((i = 1; i <= NPO; i++)); do
  if ((i % 2)); then storm_on shipments "$W" ship "$tmp/pack-${pos[$i]}.csv" -w "$ws"
  else storm "$W" ship "$tmp/pack-${pos[$i]}.csv" -w "$ws"; fi
done
shipped=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM shipments")
waiting=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM outbox WHERE kind LIKE 'erp-%' AND sent_at IS NULL" 2> /dev/null)
echo "# ship: $killed of $NPO runs killed (within ${span} ms), $shipped shipments, ${waiting:-?} ERP files waiting"
# the normal run
at $now "$W" ship "$tmp/pack-${pos[NPO + 1]}.csv" -w "$ws" > "$tmp/out" 2>&1 || no "ship after the storm" "$tmp/out"
[ "$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM shipments")" -ge 3 ] && ok "shipments were made" || no "shipments were made"
missing shipment "SELECT shipment_id FROM shipments" > "$tmp/missing"
[ ! -s "$tmp/missing" ] && ok "every shipment has its ERP JSON and CSV" || no "shipments without their ERP files" "$tmp/missing"
ls -A "$ws/erp/out" | grep -E '^\.|\.tmp$' > "$tmp/ls"
[ ! -s "$tmp/ls" ] && ok "  no temporary files in erp/out" || no "  temporary files in erp/out" "$tmp/ls"
# ship the POs the storm left unshipped, so each can be invoiced
for ((i = 1; i <= NPO; i++)); do
  at $now "$W" ship "$tmp/pack-${pos[$i]}.csv" -w "$ws" > /dev/null 2>&1
done

# ---- invoice run under fire ----------------------------------------------------------------------
now=2025-01-03T09:00:00Z
killed=0
for ((i = 0; i < NPO; i++)); do
  if ((i % 2)); then storm "$W" invoice run -w "$ws"
  else storm_on invoices "$W" invoice run -w "$ws"; fi
done
n_inv=$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM invoices")
echo "# invoice run: $killed of $NPO runs killed, $n_inv invoices"
at $now "$W" invoice run -w "$ws" > "$tmp/out" 2>&1 || no "invoice run after the storm" "$tmp/out"
[ "$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM invoices")" = $((NPO + 2)) ] && ok "every shipped PO is invoiced" ||
  no "$(sqlite3 "$ws/wharf.db" "SELECT count(*) FROM invoices") invoices for $((NPO + 2)) POs" "$tmp/out"
missing invoice "SELECT number FROM invoices" > "$tmp/missing"
[ ! -s "$tmp/missing" ] && ok "every invoice has its ERP JSON and CSV" || no "invoices without their ERP files" "$tmp/missing"
missing shipment "SELECT shipment_id FROM shipments" > "$tmp/missing"
[ ! -s "$tmp/missing" ] && ok "every shipment still has its ERP JSON and CSV" || no "shipments without their ERP files" "$tmp/missing"
ls -A "$ws/erp/out" | grep -E '^\.|\.tmp$' > "$tmp/ls"
[ ! -s "$tmp/ls" ] && ok "  no temporary files in erp/out" || no "  temporary files in erp/out" "$tmp/ls"
bad=$(find "$ws/erp/out" -type f -perm /077 | wc -l)
[ "$bad" = 0 ] && ok "  ERP files are the owner's only (0600)" || no "  $bad ERP files readable by others"
