# What the integration scripts share; each sources it first:
#   . "$(dirname "$0")/lib.bash" "$@"
# It resolves the wharf binary under test (W, the first argument, default
# build/san/wharf), moves to the checkout, makes a temp folder (tmp, removed
# on exit unless KEEP is set) with a workspace path in it (ws), and defines
# the TAP helpers (ok, no, skip, has, hasnt, exits ...). tests/run.sh runs
# only *.sh, so this file is no test.
W=$(cd "$(dirname "${1:-build/san/wharf}")" && pwd)/$(basename "${1:-build/san/wharf}")
cd "$(dirname "$0")/../.." || exit 2
G=$PWD/tests/golden/x12
. "$PWD/tests/lib/wait.bash"   # wait_for
tmp=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "# kept in $tmp"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
n=0
ws=$tmp/ws
# compiled guides cached for this script alone (edi/guide_cache.c), not in ~/.cache
export WHARF_GUIDE_CACHE=${WHARF_GUIDE_CACHE:-$tmp/guide-cache}

ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -20; }
# skip COUNT WHY: COUNT checks that cannot run here, one "# skip" line each,
# which tests/run.sh counts as skipped (never as passed) and lists. Only for
# what `make check` cannot provide: scripts/deps.sh --tests installs the tools.
skip() { local i; for i in $(seq "$1"); do echo "# skip - $(basename "$0"): $2 ($i of $1)"; done; }
has() { if grep -qE -- "$2" "$3"; then ok "$1"; else no "$1" "$3"; fi; }
hasnt() { if grep -qE -- "$2" "$3"; then no "$1" "$3"; else ok "$1"; fi; }
at() { WHARF_NOW=$1 "${@:2}"; }
exits() {  # exits NAME CODE COMMAND...: exit status; output in $tmp/out
  local name=$1 want=$2; shift 2
  "$@" > "$tmp/out" 2>&1; local got=$?
  [ "$got" = "$want" ] && ok "$name" || no "$name (exit $got, want $want)" "$tmp/out"
}
golden() {  # golden NAME FILE: FILE matches $EXP/NAME (GOLDEN_UPDATE=1 rewrites it)
  mkdir -p "$EXP"
  if [ -n "${GOLDEN_UPDATE:-}" ]; then cp "$2" "$EXP/$1"; ok "$1 (updated)"; return; fi
  if diff -u "$EXP/$1" "$2" > "$tmp/diff" 2>&1; then ok "$1 matches its golden file"; else no "$1 differs from its golden file" "$tmp/diff"; fi
}
po_from() {  # po_from SAMPLE OLD NEW CONTROL > file: a sample 850 with another PO and control numbers
  sed -e "s/$2/$3/g" -e "s/\*00000[0-9]\{4\}\*0\*P/*00000$4*0*P/" \
      -e "s/^GS\*PO\*\([A-Z]*\)\*ACMEVENDOR\*\([0-9]*\)\*\([0-9]*\)\*[0-9]*\*/GS*PO*\1*ACMEVENDOR*\2*\3*$4*/" \
      -e "s/^GE\*1\*[0-9]*~/GE*1*$4~/" -e "s/^IEA\*1\*[0-9]*~/IEA*1*00000$4~/" "$G/$1"
}
# The HTTP API's scripts (api.sh, api-maps.sh): a `wharf serve --http` on
# a port the kernel picks, and curl against it.
serve_http() {  # serve_http LOG ARGS...: wharf serve --http 127.0.0.1:0 ARGS in the background; its pid joins $pids (the caller's EXIT trap kills them)
  local log=$1; shift
  WHARF_POLL_SECONDS=3600 "$W" serve --http 127.0.0.1:0 "$@" 2> "$log" & pids="${pids:-} $!"
}
port_of() {  # port_of LOG: the port serve says it listens on (waited for up to 60 s)
  wait_for 60 grep -q "http: listening on http://127\.0\.0\.1:[0-9]*/" "$1"
  sed -n 's|.*http: listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$1" | head -1
}
# req ARGS...: curl; the status in $tmp/code, the body in $tmp/body, headers in $tmp/hdr
req() { curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' "$@" > "$tmp/code"; }
code() { if [ "$(cat "$tmp/code")" = "$2" ]; then ok "$1"; else no "$1 (status $(cat "$tmp/code"), want $2)" "$tmp/body"; fi; }
jget() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/body" "$1"; }
