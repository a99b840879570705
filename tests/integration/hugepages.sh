#!/usr/bin/env bash
# The gateway's bulk commands in 2 MB pages (issue 18, gw_alloc_bulk in
# gateway/core/ctx.c): the release build allocates with mimalloc, which
# reads its options when it loads, so `wharf serve` and `wharf run` set
# MIMALLOC_LARGE_OS_PAGES=1 and execute themselves again, once, the same
# process (pid); memory then comes in transparent huge pages where the
# kernel has them. A value the user set is kept (=0: 4 KB pages, no exec),
# and under LD_PRELOAD (valgrind, a profiler) the program does not exec.
# Runs the release build (build/wharf), whatever WHARF says: the sanitizer
# build has ASan's allocator, not mimalloc. Usage: hugepages.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"
[ -x build/wharf ] || { skip 6 "no build/wharf (the release build: make)"; exit 0; }
W=$PWD/build/wharf
pids=""
trap 'for p in $pids; do kill "$p" 2> /dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

"$W" init "$ws" > "$tmp/out" 2>&1 || { no "init" "$tmp/out"; exit 0; }
for i in $(seq 1001 1300); do po_from amazon-rp-850.edi 4Z32PABC "P$i" "$i"; done > "$ws/partners/amazon-rp/inbound/po.edi"

# serve ENV...: wharf serve with ENV in the background until its first
# pass is done; its pid in $pid
serve() {
  env "$@" WHARF_POLL_SECONDS=3600 "$W" serve -w "$ws" 2> "$tmp/serve.log" &
  pid=$!; pids="$pids $pid"
  wait_for 60 grep -q "first pass done" "$tmp/serve.log"
}
envof() { tr '\0' '\n' < "/proc/$1/environ" | grep '^MIMALLOC_LARGE_OS_PAGES=' || echo "none"; }

serve
has "serve's first pass" "pass: 1 files, 300 sets, 300 orders created" "$tmp/serve.log"
[ "$(envof "$pid")" = MIMALLOC_LARGE_OS_PAGES=1 ] && ok "serve runs again with MIMALLOC_LARGE_OS_PAGES=1, the same process" ||
  no "serve's environment: $(envof "$pid")"
# the advice reached the kernel (VmFlags "hg": MADV_HUGEPAGE), whether or
# not it had huge pages free just then (AnonHugePages, said for the record)
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2> /dev/null)
huge=$(awk '/^AnonHugePages:/ { print $2 }' "/proc/$pid/smaps_rollup" 2> /dev/null)
advised=$(grep -c '^VmFlags:.* hg' "/proc/$pid/smaps" 2> /dev/null)
case "$thp" in
  *"[never]"*|"") skip 1 "the kernel has no transparent huge pages here ($thp)" ;;
  *) [ "${advised:-0}" -gt 0 ] && ok "its memory is asked for in huge pages ($advised mappings; $huge kB in huge pages now)" ||
       no "no mapping asked for huge pages ($huge kB in huge pages; THP: $thp)" ;;
esac
kill "$pid"; wait "$pid" 2> /dev/null

rm -f "$ws/wharf.db"*; "$W" init "$ws" > /dev/null 2>&1
for i in $(seq 1001 1300); do po_from amazon-rp-850.edi 4Z32PABC "Q$i" "$i"; done > "$ws/partners/amazon-rp/inbound/po.edi"
serve MIMALLOC_LARGE_OS_PAGES=0
advised=$(grep -c '^VmFlags:.* hg' "/proc/$pid/smaps" 2> /dev/null)
[ "$(envof "$pid")" = MIMALLOC_LARGE_OS_PAGES=0 ] && [ "${advised:-0}" = 0 ] && ok "MIMALLOC_LARGE_OS_PAGES=0 is kept: no huge pages asked for" ||
  no "=0: $(envof "$pid"), $advised mappings asked for huge pages"
kill "$pid"; wait "$pid" 2> /dev/null

# a preloaded library that exists everywhere: the program goes on without exec
serve LD_PRELOAD=libc.so.6
[ "$(envof "$pid")" = none ] && ok "under LD_PRELOAD, no exec" || no "under LD_PRELOAD: $(envof "$pid")"
kill "$pid"; wait "$pid" 2> /dev/null

# run --once: the same, and its exit status is the run's
"$W" run --once -w "$ws" > "$tmp/run" 2>&1
rc=$?
[ "$rc" = 0 ] && has "run --once after its exec" "^0 files" "$tmp/run" || no "run --once exits $rc" "$tmp/run"
