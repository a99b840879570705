#!/usr/bin/env bash
# Integration tests of the job scheduler: a workspace from `wharf init`
# (amazon-rp: poll every minute, ack-run */30, invoice-run 0 18; amazon-df:
# poll every minute, ack-run */15, invoice-run 0 19), a fake clock
# (WHARF_NOW) moved through a day by repeated `wharf run --once`, and the
# runs read back with `wharf runs list --json`: each job runs exactly at
# its cron minutes (UTC), once each; minutes missed while nothing ran
# collapse into one run; the daemon runs what is due at start.
# Usage: schedule.sh WHARF. Prints ok/not ok lines.
set -u
W=$(cd "$(dirname "${1:-build/san/wharf}")" && pwd)/$(basename "${1:-build/san/wharf}")
cd "$(dirname "$0")/../.." || exit 2
G=$PWD/tests/golden/x12
. tests/lib/wait.bash   # wait_for
tmp=$(mktemp -d)
trap 'kill $SERVE 2>/dev/null; rm -rf "$tmp"' EXIT
SERVE=
n=0
ws=$tmp/ws
unset WHARF_POLL_SECONDS

ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -15; }
has() { if grep -qE -- "$2" "$3"; then ok "$1"; else no "$1" "$3"; fi; }
same() {  # same NAME EXPECTED-FILE GOT-FILE
  if diff "$2" "$3" > "$tmp/diff"; then ok "$1"; else no "$1" "$tmp/diff"; fi
}

DAY=$(date -u -d 2025-01-01T00:00:00Z +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
hm() { printf '%02d:%02d' $(($1 / 60)) $(($1 % 60)); }   # minutes of the day -> HH:MM

# runs list --json -> "partner|job|due|started|state|counts", one a line
runs() {
  "$W" runs list --json --limit 0 -w "$ws" 2> "$tmp/runs.err" | awk '
    function val(s) { sub(/^[^:]*: /, "", s); sub(/,$/, "", s); gsub(/"/, "", s); return s }
    /^  \{/ { p = j = d = s = st = c = "" }
    /^    "partner":/ { p = val($0) }
    /^    "job":/ { j = val($0) }
    /^    "due":/ { d = val($0) }
    /^    "started":/ { s = val($0) }
    /^    "state":/ { st = val($0) }
    /^    "counts":/ { c = val($0) }
    /^  \}/ { print p "|" j "|" d "|" s "|" st "|" c }'
}
# the due minutes of one partner's job in $tmp/all (runs), oldest first, as ISO times
dues() { awk -F'|' -v p="$1" -v j="$2" '$1 == p && $2 == j { print $3 }' "$tmp/all" | sort -n |
         while read -r t; do iso "$t"; done; }

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
RP=$ws/partners/amazon-rp
cp "$G/amazon-rp-850.edi" "$RP/inbound/po.edi"
# a DF order too: DF acknowledges automatically, by its own ack run
cp "$G/amazon-df-850.edi" "$ws/partners/amazon-df/inbound/df.edi"

# the day: 00:00-03:00 every 15 minutes, 03:00 once more, nothing until
# 07:40 (as if down), then 08:00-23:30 every 30 minutes
calls=()
for m in $(seq 0 15 180); do calls+=("$(hm "$m")"); done
calls+=(03:00 07:40)
for m in $(seq 480 30 1410); do calls+=("$(hm "$m")"); done
failed=0
for t in "${calls[@]}"; do
  if ! WHARF_NOW=2025-01-01T$t:00Z "$W" run --once -w "$ws" > "$tmp/run.out" 2>&1; then
    failed=1; no "run --once at $t" "$tmp/run.out"
  fi
  # approve the RP order between two runs: the ack run due at 01:30 sends it
  if [ "$t" = 01:15 ]; then
    WHARF_NOW=2025-01-01T01:20:00Z "$W" orders approve 4Z32PABC -w "$ws" > "$tmp/out" 2>&1 ||
      no "the RP order is approved" "$tmp/out"
  fi
done
[ $failed = 0 ] && ok "run --once through the day (${#calls[@]} calls)"

runs > "$tmp/all"
# what each job's runs should have been due for
expect() {  # expect STEP FROM TO...: minutes of the day FROM..TO by STEP, as ISO times
  local step=$1; shift
  while [ $# -ge 2 ]; do
    for m in $(seq "$1" "$step" "$2"); do iso $((DAY + m * 60)); done
    shift 2
  done
}
{ expect 30 0 180; expect 30 450 450; expect 30 480 1410; } > "$tmp/want"
dues amazon-rp ack-run > "$tmp/got"
same "amazon-rp ack-run (*/30) ran at exactly its cron minutes, 07:30 once for the hours missed" "$tmp/want" "$tmp/got"
[ "$(wc -l < "$tmp/got")" = 40 ] && ok "  40 runs" || no "  40 runs" "$tmp/got"
{ expect 15 0 180; expect 30 450 450; expect 30 480 1410; } > "$tmp/want"
dues amazon-df ack-run > "$tmp/got"
same "amazon-df ack-run (*/15) ran at exactly its cron minutes; missed ones collapse to the latest" "$tmp/want" "$tmp/got"
for t in "${calls[@]}"; do echo "2025-01-01T$t:00Z"; done | sort -u > "$tmp/want"
dues amazon-rp poll > "$tmp/got"
same "amazon-rp poll (every minute) ran once at each call's minute" "$tmp/want" "$tmp/got"
dues amazon-df poll > "$tmp/got"
same "amazon-df poll likewise" "$tmp/want" "$tmp/got"

awk -F'|' '{ print $1 "|" $2 "|" $3 }' "$tmp/all" | sort | uniq -d > "$tmp/dup"
[ -s "$tmp/dup" ] && no "no minute of a job ran twice" "$tmp/dup" || ok "no minute of a job ran twice"
awk -F'|' '$2 ~ /ack-run|poll/ && $4 != $3 { print $1, $2, $4 - $3 }' "$tmp/all" | sort -u > "$tmp/late"
printf 'amazon-df ack-run 600\namazon-rp ack-run 600\n' > "$tmp/want"
same "runs start at their minute; only the missed 07:30 ran late (at 07:40)" "$tmp/want" "$tmp/late"
awk -F'|' '$5 != "done"' "$tmp/all" > "$tmp/bad"
[ -s "$tmp/bad" ] && no "every run is done" "$tmp/bad" || ok "every run is done"

# the first start looks back one day: yesterday's 18:00 ran at 00:00
printf '2024-12-31T18:00:00Z\n2025-01-01T18:00:00Z\n' > "$tmp/want"
dues amazon-rp invoice-run > "$tmp/got"
same "amazon-rp invoice-run (0 18 * * *): the first start's look-back, then 18:00" "$tmp/want" "$tmp/got"
printf '2024-12-31T19:00:00Z\n2025-01-01T19:00:00Z\n' > "$tmp/want"
dues amazon-df invoice-run > "$tmp/got"
same "amazon-df invoice-run (0 19 * * *) likewise" "$tmp/want" "$tmp/got"
has "invoice runs are recorded with what they did" "^amazon-rp\|invoice-run\|.*\|done\|invoices=0 held=0 sent=0$" "$tmp/all"

# what the runs did
has "the 00:00 poll took the PO in" "^amazon-rp\|poll\|$DAY\|.*\|files=1 sets=1 accepted=1 rejected=0 orders=1 sent=1$" "$tmp/all"
has "the 01:30 ack run sent the approved order's 855" "^amazon-rp\|ack-run\|$((DAY + 90 * 60))\|.*\|acks=1 sent=1$" "$tmp/all"
ls "$RP/outbound" > "$tmp/out"
has "  the 855 is in the outbound folder" "855" "$tmp/out"
# Regression: the RP ack run also queued, sent and counted the DF 855s
has "a partner's ack run acknowledges its own orders only: RP's 00:00 run sent nothing" "^amazon-rp\|ack-run\|$DAY\|.*\|acks=0 sent=0$" "$tmp/all"
has "  DF's 00:00 run sent the DF 855" "^amazon-df\|ack-run\|$DAY\|.*\|acks=1 sent=1$" "$tmp/all"
ls "$ws/partners/amazon-df/outbound" > "$tmp/out"
has "  the DF 855 is in DF's outbound folder" "855" "$tmp/out"

# the table, and its errors
"$W" runs list -w "$ws" > "$tmp/out" 2>&1
has "runs list: a table, newest first" "^started +ended +partner +job +due +state" "$tmp/out"
sed -n 2p "$tmp/out" > "$tmp/top"
has "  with the last run on top" "^2025-01-01 23:30:00 .*amazon-df +ack-run +2025-01-01 23:30 +done" "$tmp/top"
[ "$(wc -l < "$tmp/out")" = 101 ] && ok "  100 runs unless --limit says" || no "  100 runs unless --limit says" "$tmp/out"
"$W" runs list --limit 3 --json -w "$ws" > "$tmp/out" 2>&1
[ "$(grep -c '"job"' "$tmp/out")" = 3 ] && ok "  --limit 3" || no "  --limit 3" "$tmp/out"
"$W" runs list --limit x -w "$ws" > "$tmp/out" 2>&1; [ $? = 2 ] && ok "  a bad --limit exits 2" || no "  a bad --limit exits 2" "$tmp/out"
"$W" runs -w "$ws" > "$tmp/out" 2>&1; [ $? = 2 ] && ok "  runs without list exits 2" || no "  runs without list exits 2" "$tmp/out"
"$W" help runs > "$tmp/out" 2>&1
has "help runs" "usage: wharf runs list" "$tmp/out"

# the daemon the next morning: every job's missed minutes run once, at start
before=$(wc -l < "$tmp/all")
WHARF_NOW=2025-01-02T09:10:00Z "$W" serve -w "$ws" > "$tmp/serve.log" 2>&1 &
SERVE=$!
wait_for 60 eval '[ "$(runs | wc -l)" -ge $((before + 4)) ]'
kill -TERM $SERVE
wait $SERVE; rc=$?
SERVE=
[ $rc = 0 ] && ok "the daemon starts and stops" || no "the daemon starts and stops (exit $rc)" "$tmp/serve.log"
runs > "$tmp/all2"
head -n $(($(wc -l < "$tmp/all2") - before)) "$tmp/all2" > "$tmp/new"
awk -F'|' '{ print $1, $2, $3 - '"$DAY"' - 86400 }' "$tmp/new" | sort > "$tmp/got"
printf '%s\n' "amazon-df ack-run $((9 * 3600))" "amazon-df poll $((9 * 3600 + 600))" \
  "amazon-rp ack-run $((9 * 3600))" "amazon-rp poll $((9 * 3600 + 600))" | sort > "$tmp/want"
same "  at start: one run per job, for its latest missed minute (none for yesterday's invoice runs: they ran)" "$tmp/want" "$tmp/got"
