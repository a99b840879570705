#!/usr/bin/env bash
# Integration tests of personal data (issue 12): a workspace made under a
# loose umask is still the owner's only (folders 0700, files 0600, the
# store's -wal/-shm too), `wharf status` warns when a path is opened up and
# is quiet again once fixed, and `wharf purge` removes a closed DF order's
# name and address (stored order, inbound file in the store, archive/ and
# erp/out/ copies) while its lines and invoice stay; an open order is left
# alone, --dry-run changes nothing, and <retention personal-data-days>
# purges once a day from `wharf run --once`, recorded as a run.
# Usage: privacy.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
SHIP=$PWD/tests/integration/ship/in
SQL=$(command -v sqlite3 || true)
mode() { stat -c '%a' "$1"; }

# ---- permissions ---------------------------------------------------------------------------
(umask 022; "$W" init "$ws" > "$tmp/out" 2>&1) || { no "init" "$tmp/out"; exit 0; }
# a file per order (layout="per-order"): the purge deletes an order's own ERP files
sed -i 's/layout="per-file"/layout="per-order"/' "$ws/wharf.xml"
[ "$(mode "$ws")" = 700 ] && ok "init under umask 022: the workspace is 0700" || no "workspace mode $(mode "$ws")"
[ "$(mode "$ws/wharf.db")" = 600 ] && ok "  wharf.db is 0600" || no "  wharf.db mode $(mode "$ws/wharf.db")"
[ "$(mode "$ws/wharf.xml")" = 600 ] && ok "  wharf.xml is 0600" || no "  wharf.xml mode $(mode "$ws/wharf.xml")"
wide=$(find "$ws" -perm /077 | head -3)
[ -z "$wide" ] && ok "  nothing in it is open to group or others" || no "  open to others: $wide"

DF=$ws/partners/amazon-df
cp "$G/amazon-df-850.edi" "$DF/inbound/a.edi"
# a second consumer order (same name and address in the sample) that stays open
po_from amazon-df-850.edi TVd4wGZnR DOPEN1 7401 > "$DF/inbound/open.edi"
(umask 022; at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/run" 2>&1)
has "two DF orders in" "2 sets: 2 accepted" "$tmp/run"
wide=$(find "$ws" -perm /077 | head -3)
[ -z "$wide" ] && ok "a run under umask 022 leaves archive/, outbound/, erp/out/, -wal/-shm private" || no "  open to others: $wide"

exits "status with private files" 0 "$W" status -w "$ws"
hasnt "  no warning" "warning" "$tmp/out"
chmod 644 "$ws/wharf.db"
chmod 755 "$ws/erp/out"
exits "status after chmod 644 wharf.db" 0 "$W" status -w "$ws"
has "  warns naming wharf.db, its mode and the fix" "warning: .*wharf.db is mode 0644, open to others: chmod 600 .*wharf.db" "$tmp/out"
has "  and erp/out" "warning: .*erp/out is mode 0755, open to others: chmod 700" "$tmp/out"
exits "status --json" 0 "$W" status -w "$ws" --json
has "  a warnings array" "\"warnings\": \[" "$tmp/out"
has "  naming wharf.db" "wharf.db is mode 0644" "$tmp/out"
chmod 600 "$ws/wharf.db"
chmod 700 "$ws/erp/out"
exits "status after the fix" 0 "$W" status -w "$ws"
hasnt "  quiet again" "warning" "$tmp/out"

# ---- a closed DF order: shipped and invoiced --------------------------------------------------
at 2025-01-02T10:00:00Z "$W" ship "$SHIP/df-single-package.csv" -w "$ws" > "$tmp/out" 2>&1 || no "ship DF" "$tmp/out"
at 2025-01-03T09:00:00Z "$W" invoice run -w "$ws" > "$tmp/out" 2>&1
at 2025-01-03T09:00:00Z "$W" orders list -w "$ws" > "$tmp/orders" 2>&1
has "TVd4wGZnR is invoiced" "TVd4wGZnR +invoiced" "$tmp/orders"
hasnt "DOPEN1 is open" "DOPEN1 +(invoiced|closed|cancelled|rejected)" "$tmp/orders"
grep -l TVd4wGZnR "$DF"/archive/* > "$tmp/arch" 2>/dev/null
[ -s "$tmp/arch" ] && ok "its 850 is in archive/" || no "its 850 is in archive/"
ls "$ws"/erp/out/amazon-df-TVd4wGZnR.* > /dev/null 2>&1 && ok "its ERP files are in erp/out/" || no "its ERP files are in erp/out/"
canon() { "$SQL" "$ws/wharf.db" "SELECT canonical FROM orders WHERE po_number = '$1'"; }
rawlen() { "$SQL" "$ws/wharf.db" "SELECT group_concat(length(bytes)) FROM raw WHERE name = '$1'"; }
snap() { { find "$ws" -type f ! -name 'wharf.db*' -printf '%p %s\n' | sort
           [ -n "$SQL" ] && "$SQL" "$ws/wharf.db" "SELECT id, length(canonical), length(bytes) FROM orders LEFT JOIN raw USING (id)"
           [ -n "$SQL" ] && "$SQL" "$ws/wharf.db" "SELECT count(*) FROM audit; SELECT count(*) FROM order_history"; } > "$1"; }

# too early: it was last changed on 2025-01-03
exits "purge --before a date before it closed" 0 at 2025-03-01T00:00:00Z "$W" purge --before 2025-01-02 -w "$ws"
has "  purges nothing" "^purged 0 orders" "$tmp/out"

snap "$tmp/before"
exits "purge --dry-run" 0 at 2025-03-01T00:00:00Z "$W" purge --before 2025-02-01 --dry-run -w "$ws"
has "  says what it would purge" "^would purge amazon-df TVd4wGZnR" "$tmp/out"
has "  and which archived copy" "would delete .*/archive/" "$tmp/out"
hasnt "  not the open order" "DOPEN1" "$tmp/out"
snap "$tmp/after"
if diff "$tmp/before" "$tmp/after" > "$tmp/diff"; then ok "  changes nothing"; else no "  changes nothing" "$tmp/diff"; fi
at 2025-03-01T00:00:00Z "$W" orders show TVd4wGZnR -w "$ws" > "$tmp/out" 2>&1
has "  the name is still there" "JANE DOE" "$tmp/out"

exits "purge --before 2025-02-01" 0 at 2025-03-01T00:00:00Z "$W" purge --before 2025-02-01 -w "$ws"
has "  prints the order purged" "^purged amazon-df TVd4wGZnR \(invoiced" "$tmp/out"
has "  and the summary" "^purged 1 order, 1 inbound file in the store" "$tmp/out"
hasnt "  not the open order" "DOPEN1" "$tmp/out"
at 2025-03-01T00:00:00Z "$W" orders show TVd4wGZnR -w "$ws" > "$tmp/show" 2>&1
hasnt "  the name is gone from the order" "JANE DOE" "$tmp/show"
hasnt "  the address is gone" "ANY STREET" "$tmp/show"
hasnt "  the gift message is gone" "Happy birthday" "$tmp/show"
has "  its lines stay" "B07DFVDRAB" "$tmp/show"
has "  the purge is in its history" "personal data purged" "$tmp/show"
at 2025-03-01T00:00:00Z "$W" invoices list -w "$ws" > "$tmp/out" 2>&1
has "  its invoice stays" "ACME-DF-000001" "$tmp/out"
at 2025-03-01T00:00:00Z "$W" orders show DOPEN1 -w "$ws" > "$tmp/out" 2>&1
has "  the open order keeps its ship-to" "JANE DOE" "$tmp/out"
hasnt "  no archived copy of the purged order is left" "TVd4wGZnR" "$DF"/archive/*
if grep -q DOPEN1 "$DF"/archive/* 2>/dev/null; then ok "  the open order's archived copy stays"; else no "  the open order's archived copy stays"; fi
ls "$ws"/erp/out/amazon-df-TVd4wGZnR.* > /dev/null 2>&1 && no "  its erp/out files are deleted" || ok "  its erp/out files are deleted"
ls "$ws"/erp/out/amazon-df-DOPEN1.* > /dev/null 2>&1 && ok "  the open order's erp/out files stay" || no "  the open order's erp/out files stay"
if [ -n "$SQL" ]; then
  canon TVd4wGZnR > "$tmp/c"
  hasnt "  the store: no name in the canonical order" "JANE DOE|ANY STREET" "$tmp/c"
  has "  the store: the lines are in it" "<line-no>2</line-no>" "$tmp/c"
  [ "$(rawlen a.edi)" = 0 ] && ok "  the store: the inbound 850 file is emptied" || no "  the store: raw bytes $(rawlen a.edi)"
  [ "$(rawlen open.edi)" != 0 ] && ok "  the store: the open order's file stays" || no "  the store: the open order's file stays"
  "$SQL" "$ws/wharf.db" "SELECT count(*) FROM raw WHERE CAST(bytes AS TEXT) LIKE '%TVd4wGZnR%'" > "$tmp/c"
  has "  no stored file holds the PO" "^0$" "$tmp/c"
  "$SQL" "$ws/wharf.db" "SELECT action, subject FROM audit WHERE action = 'purge'" > "$tmp/c"
  has "  the audit records it" "^purge\|amazon-df TVd4wGZnR$" "$tmp/c"
  "$SQL" "$ws/wharf.db" "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.po_number = 'TVd4wGZnR' AND l.unit_cost IS NOT NULL" > "$tmp/c"
  has "  the store: its lines keep their prices" "^2$" "$tmp/c"
else
  skip 7 "the store checks: the sqlite3 command is not installed"
fi
exits "purge again" 0 at 2025-03-01T00:00:00Z "$W" purge --before 2025-02-01 -w "$ws"
has "  nothing left to purge" "^purged 0 orders" "$tmp/out"
exits "purge without --before" 2 "$W" purge -w "$ws"
exits "purge --before 2025-02-30" 2 "$W" purge --before 2025-02-30 -w "$ws"

# ---- retention: once a day from run --once ---------------------------------------------------
# the open order is rejected (DF: the whole order) and its 855 sent: now it is closed
at 2025-03-01T00:00:00Z "$W" orders reject DOPEN1 -w "$ws" > "$tmp/out" 2>&1 || no "reject DOPEN1" "$tmp/out"
at 2025-03-01T00:00:00Z "$W" ack run -w "$ws" > "$tmp/out" 2>&1
sed -i 's|^\(  <log [^>]*/>\)$|\1\n  <retention personal-data-days="30"/>|' "$ws/wharf.xml"
grep -q '<retention' "$ws/wharf.xml" || no "retention added to wharf.xml"
at 2025-03-15T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
at 2025-03-15T00:00:00Z "$W" orders show DOPEN1 -w "$ws" > "$tmp/out" 2>&1
has "retention 30 days: a rejection 14 days old stays" "JANE DOE" "$tmp/out"
at 2025-04-02T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
at 2025-04-02T00:00:00Z "$W" orders show DOPEN1 -w "$ws" > "$tmp/out" 2>&1
hasnt "  one 32 days old is purged by run --once" "JANE DOE" "$tmp/out"
"$W" runs list -w "$ws" > "$tmp/out" 2>&1
has "  recorded as a run of job purge" "purge .*done.*orders=1" "$tmp/out"
[ "$(grep -c ' purge ' "$tmp/out")" = 2 ] && ok "  once a day (two days, two runs)" || no "  once a day" "$tmp/out"
at 2025-04-02T06:00:00Z "$W" run --once -w "$ws" > /dev/null 2>&1
"$W" runs list -w "$ws" > "$tmp/out" 2>&1
[ "$(grep -c ' purge ' "$tmp/out")" = 2 ] && ok "  not twice the same day" || no "  not twice the same day" "$tmp/out"
# both orders are purged: no file in the workspace, the store and its
# write-ahead log included, holds the consumer's name, address or message
grep -rlE "JANE DOE|ANY STREET|Happy birthday" "$ws" > "$tmp/left"
[ -s "$tmp/left" ] && no "nothing in the workspace holds the consumer's data" "$tmp/left" || ok "nothing in the workspace holds the consumer's data (wharf.db and its -wal included)"
wide=$(find "$ws" -perm /077 | head -3)
[ -z "$wide" ] && ok "everything is still private at the end" || no "  open to others: $wide"
