#!/usr/bin/env bash
# Every outbound X12 document the tests hold as golden output (the 855s,
# 856s, 810s, 846s and 997s wharf writes) read by an independent parser,
# node-x12 in strict mode, through tests/integration/x12check.js: envelope
# counts, control numbers, X12 basic/extended characters only. wharf checks
# the same documents against the strict Amazon guides itself; this tier
# makes sure wharf's own parser is not the only judge of what it writes.
# The map goldens (bare sets no gateway run validated) are first checked
# against their strict partner guides by wharf.
#
# node-x12 is installed into build/node when missing. Without node or npm,
# or when the install fails, every file is reported as "# skip" (counted as
# skipped by tests/run.sh, never as passed).
# Usage: independent.sh [WHARF]. Prints ok/not ok/# skip lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
NODE_DIR=$PWD/build/node

files=()
for f in tests/integration/*/expected/*.edi mappings/*/*.tests/*.expected.edi \
         tests/golden/x12/amazon-*-{855,856,810,846}*.edi tests/golden/x12/ack-*.edi; do
  [ -f "$f" ] && files+=("$f")
done
# the acks wharf writes for the golden inputs (their golden files end with
# the exit status line, which x12check drops)
for f in tests/golden/x12/expected/*.ack; do
  head -c 3 "$f" | grep -q '^ISA' && files+=("$f")
done

# The map goldens are bare sets that no gateway run validated: each goes,
# in a test envelope, through the strict partner guide its map names
# (amazon-df/shipment-to-856 -> partners/amazon-df/856; a -5010 map ->
# the 005010 guide). This part needs no node.
for f in mappings/amazon-*/*.tests/*.expected.edi; do
  d=$(dirname "$f"); prog=$(basename "$(dirname "$d")"); map=$(basename "$d" .tests)
  set=$(head -1 "$f" | cut -d'*' -f2 | tr -d '~\r')
  case $set in 855) gs=PR ;; 856) gs=SH ;; 810) gs=IN ;; 846) gs=IB ;; *) gs=ZZ ;; esac
  if [[ $map == *5010* ]]; then v=005010 suf=-5010 sep='^' isa12=00501; else v=004010 suf= sep=U isa12=00401; fi
  guide=partners/$prog/$set$suf
  {
    printf 'ISA*00*          *00*          *ZZ*ACMEVENDOR     *ZZ*AMAZON         *250101*0000*%s*%s*000000001*0*T*>~\n' "$sep" "$isa12"
    printf 'GS*%s*ACMEVENDOR*AMAZON*20250101*0000*1*X*%s~\n' "$gs" "$v"
    cat "$f"
    printf 'GE*1*1~\nIEA*1*000000001~\n'
  } > "$tmp/set.edi"
  if "$W" edi validate --guide "$guide" "$tmp/set.edi" > "$tmp/out" 2>&1; then
    ok "strict guide $guide: $f"
  else
    no "strict guide $guide: $f" "$tmp/out"
  fi
done

skip_all() {  # every check that needs node, each counted as skipped
  local f bad
  for bad in se01 ge01 iea02 se02 utf8; do echo "# skip - independent parser: x12check refuses a broken document ($bad) ($1)"; done
  for f in "${files[@]}"; do echo "# skip - independent parser: $f ($1)"; done
  exit 0
}

command -v node > /dev/null || skip_all "node is not installed"
if [ ! -f "$NODE_DIR/node_modules/node-x12/package.json" ]; then
  command -v npm > /dev/null || skip_all "npm is not installed"
  npm install --no-audit --no-fund --silent --prefix "$NODE_DIR" node-x12 > "$tmp/npm" 2>&1 ||
    skip_all "npm install node-x12 failed: $(tail -1 "$tmp/npm")"
fi

# the checker itself: it must refuse what is broken (one defect each)
good=tests/golden/x12/amazon-df-856.edi
sed 's/^SE\*\([0-9]*\)\*/SE*9\1*/' "$good" > "$tmp/se01.edi"
sed 's/^GE\*1\*/GE*2*/' "$good" > "$tmp/ge01.edi"
sed 's/^IEA\*1\*[0-9]*~/IEA*1*000000999~/' "$good" > "$tmp/iea02.edi"
sed 's/^SE\*\([0-9]*\)\*0001~/SE*\1*0002~/' "$good" > "$tmp/se02.edi"
sed 's/^N1\*SF\*\*/N1*SF*ENTREP\xc3\x94T*/' "$good" > "$tmp/utf8.edi"
for bad in se01 ge01 iea02 se02 utf8; do
  if node tests/integration/x12check.js "$NODE_DIR/node_modules" "$tmp/$bad.edi" > "$tmp/out" 2>&1; then
    no "x12check refuses a broken document ($bad)" "$tmp/out"
  else
    ok "x12check refuses a broken document ($bad)"
  fi
done

node tests/integration/x12check.js "$NODE_DIR/node_modules" "${files[@]}"
exit 0
