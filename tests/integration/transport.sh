#!/usr/bin/env bash
# The transport seam: a transport lands a partner's message in the store
# ('received') and nothing else; the inbound flow works from the store. A
# message landed by a pass that died before processing it is processed by
# the next pass from the store alone; its file, dropped again, is held and
# archived with it, never a second message; an outbox message goes out
# through the partner's transport and its receipt is the file name.
. "$(dirname "$0")/lib.bash" "$@"

RP_850=$G/amazon-rp-850.edi
db() { sqlite3 "$ws/wharf.db" "$@"; }
land() {  # land NAME SHA FILE: a raw row as the spool transport lands one
  db "INSERT INTO raw (partner, direction, name, sha256, bytes, size, received, state)
      VALUES ('amazon-rp', 'in', '$1', '$2', readfile('$3'), length(readfile('$3')), 0, 'received')"
}
new_ws() { rm -rf "$ws"; "$W" init "$ws" > /dev/null 2>&1 || no "init"; RP=$ws/partners/amazon-rp; }

# 1. landed, never processed (the pass died): the next pass processes it
# from the store, with no file anywhere
new_ws
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
land landed.edi not-a-real-digest "$RP_850"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ "$(db "SELECT count(*) FROM orders WHERE po_number = '4Z32PABC'")" = 1 ] &&
  ok "a received message is processed from the store" || no "a received message is processed from the store" "$tmp/out"
[ "$(db "SELECT state || ' ' || verdict FROM raw WHERE name = 'landed.edi'")" = "processed archived" ] &&
  ok "  and settled: processed, archived" || no "  and settled: processed, archived" "$tmp/out"
ls "$RP"/outbound/amazon-rp-997-*.edi > /dev/null 2>&1 && ok "  its 997 went out through the transport" ||
  no "  its 997 went out through the transport" "$tmp/out"
has "  the log names it" "amazon-rp landed.edi: 1 sets, 1 accepted" "$tmp/out"

# the same interchange dropped as a file now: a duplicate, archived as one
cp "$RP_850" "$RP/inbound/again.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
ls "$RP"/archive/*again.edi.duplicate > /dev/null 2>&1 && ok "the same interchange again: archived as a duplicate" ||
  no "the same interchange again: archived as a duplicate" "$tmp/out"
[ "$(db "SELECT count(*) FROM orders")" = 1 ] && ok "  no second order" || no "  no second order" "$tmp/out"

# 2. landed and its file put back (a pass killed after landing): the file
# is held with the landed message, archived under its name, and no second
# raw row is kept
new_ws
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
land back.edi "$(sha256sum < "$RP_850" | cut -d' ' -f1)" "$RP_850"
cp "$RP_850" "$RP/inbound/back.edi"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/out" 2>&1
[ "$(db "SELECT count(*) FROM raw WHERE direction = 'in'")" = 1 ] && ok "the file of a landed message is not landed twice" ||
  no "the file of a landed message is not landed twice" "$tmp/out"
ls "$RP"/archive/*-back.edi > /dev/null 2>&1 && ok "  it is archived with its message" ||
  no "  it is archived with its message" "$tmp/out"
ls "$RP"/archive/*.duplicate > /dev/null 2>&1 && no "  (not as a duplicate)" "$tmp/out" || ok "  (not as a duplicate)"
[ -z "$(ls -A "$RP/inbound" | grep -v '^\.claimed$')" ] && ok "  inbound/ is empty" || no "  inbound/ is empty" "$tmp/out"
[ "$(db "SELECT count(*) FROM orders")" = 1 ] && ok "  one order" || no "  one order" "$tmp/out"
