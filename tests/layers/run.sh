#!/usr/bin/env bash
# check-layers on the tree, and proof that it fails: the fixture tree bad/
# breaks each rule once and must be reported exactly as bad.expected says
# (file:line and why); good/ breaks none and passes, its excepted file (given
# with --except) counted.
# Prints TAP lines for tests/run.sh.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' "$2" | head -30; }

scripts/check-layers.py > "$tmp/tree" 2>&1; rc=$?
if [ $rc = 0 ]; then ok "check-layers: the tree keeps its layers ($(grep -o '[0-9]* exceptions remain' "$tmp/tree"))"
else no "check-layers: the tree breaks its layers (exit $rc)" "$tmp/tree"; fi

scripts/check-layers.py --root tests/layers/bad --allow-stale > "$tmp/bad" 2>&1; rc=$?
[ $rc = 1 ] && ok "check-layers fails on tests/layers/bad (exit 1)" || no "check-layers on tests/layers/bad exits $rc, want 1" "$tmp/bad"
while IFS= read -r want; do
  case "$want" in check-layers:*) continue ;; esac
  if grep -qxF -- "$want" "$tmp/bad"; then ok "  reported: $want"; else no "  not reported: $want" "$tmp/bad"; fi
done < tests/layers/bad.expected
diff -u tests/layers/bad.expected "$tmp/bad" > "$tmp/diff" && ok "  and nothing else" || no "  reports differ from bad.expected" "$tmp/diff"

# the tree's own EXCEPTIONS shrink to none: the fixture names its one
scripts/check-layers.py --root tests/layers/good --allow-stale --except gateway/flow/ack.c:libxml2 > "$tmp/good" 2>&1; rc=$?
[ $rc = 0 ] && ok "check-layers passes tests/layers/good" || no "check-layers on tests/layers/good exits $rc" "$tmp/good"
grep -qF "1 exceptions remain (gateway/flow/ack.c)" "$tmp/good" && ok "  and counts its excepted file" || no "  does not count its excepted file" "$tmp/good"
