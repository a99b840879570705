#!/usr/bin/env bash
# Integration tests of what the gateway writes about outside values (issue
# 12 "Log injection"): a file name with a newline cannot forge a log line,
# ESC and other control characters reach neither the log nor the terminal
# raw, and error messages stay one line. Usage: logs.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
DF=$ws/partners/amazon-df
forged=$'x.edi\n2025-01-01T00:00:00Z error amazon-df forged: everything lost'
esc=$'red\e[31m.edi'
cp "$G/amazon-df-850.edi" "$DF/inbound/$forged"
po_from amazon-df-850.edi TVd4wGZnR TVESCAPE1 7501 > "$DF/inbound/$esc"
at 2025-01-01T00:00:00Z "$W" run --once -w "$ws" > "$tmp/log" 2>&1
has "the files are processed" "2 sets: 2 accepted" "$tmp/log"
hasnt "a newline in a file name forges no log line" "^2025-01-01T00:00:00Z error amazon-df forged" "$tmp/log"
has "  it is written escaped, in its own line" 'x\.edi\\n2025-01-01T00:00:00Z error amazon-df forged' "$tmp/log"
if LC_ALL=C grep -q $'\e' "$tmp/log"; then no "no raw ESC reaches the log" "$tmp/log"; else ok "no raw ESC reaches the log"; fi
has "  ESC is written as \\e" 'red\\e\[31m\.edi' "$tmp/log"
# besides the closing summary, every line is a log line with its time
grep -v '^[0-9]* files (' "$tmp/log" | grep -v '^2025-01-01T00:00:00Z ' > "$tmp/other"
[ ! -s "$tmp/other" ] && ok "every log line starts with its time" || no "every log line starts with its time" "$tmp/other"

# error messages are one line too
exits "an unreadable file named with a newline: one error line" 2 "$W" edi validate $'no\nsuch file'
[ "$(wc -l < "$tmp/out")" = 1 ] && ok "  one line" || no "  one line" "$tmp/out"
has "  the newline escaped" 'no\\nsuch file' "$tmp/out"
