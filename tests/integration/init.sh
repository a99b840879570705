#!/usr/bin/env bash
# Integration tests of `wharf init`: the workspace it creates (configuration,
# store, spool folders), that what it writes follows schemas/config.xsd, and
# that it never overwrites a workspace. Usage: init.sh WHARF_BINARY. Prints
# ok/not ok lines.
set -u
W=${1:-build/san/wharf}
[ -x "$W" ] && W=$(cd "$(dirname "$W")" && pwd)/$(basename "$W")
cd "$(dirname "$0")/../.." || exit 2
[ "${W#/}" = "$W" ] && W=$PWD/$W
ROOT=$PWD
export WHARF_SCHEMAS=${WHARF_SCHEMAS:-$ROOT/schemas} WHARF_MAPPINGS=${WHARF_MAPPINGS:-$ROOT/mappings}
unset WHARF_WORKSPACE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" | head -10; }

t() {  # t NAME WANT_EXIT PATTERN -- command...: exit status and a pattern in stdout+stderr
  local name=$1 want=$2 pat=$3
  shift 4
  "$@" > "$tmp/out" 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    notok "$name: exit $got, want $want"
  elif [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/out"; then
    notok "$name: output lacks /$pat/"
  else
    ok "$name"
  fi
}

check() {  # check NAME -- test expression...
  local name=$1
  shift 2
  if "$@"; then ok "$name"; else notok "$name"; fi
}

ws=$tmp/acme/gateway    # a folder that does not exist yet, nor its parent
t "init creates a workspace" 0 "Created a wharf workspace" -- "$W" init "$ws"
cp "$tmp/out" "$tmp/init.out"
# the next steps name the program as it was run, so they work as printed
t "init prints the next steps" 0 "partners/amazon-rp/inbound and run \`$W run --once -w $ws\`" -- cat "$tmp/init.out"
t "  with the program as it was run" 0 "\`$W orders list -w $ws\`" -- cat "$tmp/init.out"
t "  found on the PATH, by its name" 0 "and run \`wharf run --once -w $tmp/onpath\`" -- \
  env PATH="$tmp/bin:$PATH" bash -c "mkdir -p '$tmp/bin' && ln -sf '$W' '$tmp/bin/wharf' && wharf init '$tmp/onpath'"
check "wharf.xml written" -- test -s "$ws/wharf.xml"
check "store created" -- test -s "$ws/wharf.db"
check "store is SQLite" -- bash -c "head -c 15 '$ws/wharf.db' | grep -q 'SQLite format 3'"
missing=""
for p in amazon-rp amazon-df; do
  for d in inbound outbound archive quarantine; do
    [ -d "$ws/partners/$p/$d" ] || missing="$missing partners/$p/$d"
  done
done
for d in erp/in erp/out log; do [ -d "$ws/$d" ] || missing="$missing $d"; done
check "spool, ERP and log folders created${missing:+ (missing:$missing)}" -- test -z "$missing"
check "no temporary file left" -- bash -c "! ls -A '$ws' | grep -q tmp"

# the sample partners, as issue 4 describes them
x=$ws/wharf.xml
t "vendor ZZ/ACMEVENDOR" 0 "" -- grep -q '<interchange qualifier="ZZ" id="ACMEVENDOR"/>' "$x"
t "vendor code ACME1" 0 "" -- grep -q '<vendor-code>ACME1</vendor-code>' "$x"
t "warehouse NJ1" 0 "" -- grep -q '<warehouse code="NJ1">' "$x"
t "amazon-rp is ZZ/AMAZON, orders wait for approval" 0 "" -- \
  bash -c "sed -n '/<partner id=\"amazon-rp\"/,/<\/partner>/p' '$x' | grep -q 'id=\"AMAZON\"' &&
           sed -n '/<partner id=\"amazon-rp\"/,/<\/partner>/p' '$x' | grep -q '<acknowledge mode=\"manual\"'"
t "amazon-df is ZZ/AMAZONDS, acknowledged automatically" 0 "" -- \
  bash -c "sed -n '/<partner id=\"amazon-df\"/,/<\/partner>/p' '$x' | grep -q 'id=\"AMAZONDS\"' &&
           sed -n '/<partner id=\"amazon-df\"/,/<\/partner>/p' '$x' | grep -q '<acknowledge mode=\"auto-all\"'"
t "both partners map warehouse NJ1 to a ship-from party" 0 "" -- \
  bash -c "[ \$(grep -c '<ship-from warehouse=\"NJ1\" party-id=' '$x') -eq 2 ]"
t "schedules, guides and maps for both" 0 "" -- \
  bash -c "[ \$(grep -c '<schedule job=\"ack-run\"' '$x') -eq 2 ] && grep -q 'partners/amazon-df/855' '$x' &&
           grep -q 'amazon-rp/850-to-order' '$x' && grep -q '<erp kind=\"files\"' '$x'"
t "the configuration is commented" 0 "" -- bash -c "[ \$(grep -c '<!--' '$x') -ge 15 ]"
if command -v xmllint > /dev/null; then
  t "wharf.xml follows schemas/config.xsd (xmllint)" 0 "validates" -- xmllint --noout --schema schemas/config.xsd "$x"
else
  echo "# skip - init.sh: wharf.xml follows schemas/config.xsd: xmllint is not installed"
fi

# never over a workspace
sum=$(cksum < "$x")
t "init twice refuses" 2 "wharf.xml exists: .* is a workspace already" -- "$W" init "$ws"
check "init twice changes nothing" -- test "$(cksum < "$x")" = "$sum"
t "init into a folder with other files" 0 "Created" -- bash -c "mkdir -p '$tmp/busy' && echo hi > '$tmp/busy/notes.txt' && '$W' init '$tmp/busy'"
check "other files are kept" -- test -s "$tmp/busy/notes.txt"
t "init onto a file refuses" 2 "is not a folder" -- bash -c "touch '$tmp/afile' && '$W' init '$tmp/afile'"

# where the workspace is, without DIR
t "init without DIR uses WHARF_WORKSPACE" 0 "Created" -- env WHARF_WORKSPACE="$tmp/from-env" "$W" init
check "... and created it there" -- test -s "$tmp/from-env/wharf.xml"
t "init without DIR or WHARF_WORKSPACE uses the current folder" 0 "Created" -- \
  bash -c "mkdir -p '$tmp/here' && cd '$tmp/here' && '$W' init"
check "... and created it there" -- test -s "$tmp/here/wharf.xml"
t "init -w DIR" 0 "Created" -- "$W" init -w "$tmp/dash-w"

# usage and configuration errors
t "init: two folders" 2 "one DIR" -- "$W" init "$tmp/a" "$tmp/b"
t "init: unknown option" 2 "unknown option '--frob'" -- "$W" init --frob "$tmp/c"
t "init: no schemas" 2 "WHARF_SCHEMAS" -- env WHARF_SCHEMAS="$tmp/nowhere" "$W" init "$tmp/noschemas"
check "... leaves no wharf.xml behind, so init can run again" -- test ! -e "$tmp/noschemas/wharf.xml"
t "help init" 0 "schemas/config.xsd" -- "$W" help init
t "help lists init" 0 "init \[DIR\]" -- "$W" help
