#!/usr/bin/env bash
# Integration tests of the secrets vault (issue 14): `wharf init` makes the
# master key (0600; WHARF_MASTER_KEY_FILE names another), `wharf secrets
# set` takes values on stdin only, list (and --json) shows names and key
# versions, rotate re-seals them all, delete removes one; a rotation cut
# short (WHARF_TEST_ROTATE_CRASH) is finished by the next command. No value
# is anywhere it should not be: the store and its -wal, the key file, the
# log folder, any command's output. That values still open after a
# rotation is test_vault's (no command prints a value).
# Usage: secrets.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
mode() { stat -c '%a' "$1"; }
outs=$tmp/outs
mkdir -p "$outs"
k=0
run() {  # run NAME WANT COMMAND...: exit status; stdout+stderr kept in $outs for the value scan
  local name=$1 want=$2; shift 2
  k=$((k + 1))
  "$@" > "$outs/$k.out" 2> "$outs/$k.err"; local got=$?
  cat "$outs/$k.out" "$outs/$k.err" > "$tmp/out"
  [ "$got" = "$want" ] && ok "$name" || no "$name (exit $got, want $want)" "$tmp/out"
}
# set PARTNER NAME VALUE: the value on stdin, with a trailing newline (stripped)
set_secret() { run "set $2 of $1" 0 "$W" secrets set "$1" "$2" -w "$ws" < <(printf '%s\n' "$3"); }

V1='Atzr|IwEBIH-refresh-token-7f3a9c2e1b'
V2='amzn1.oa2-cs.v1.client-secret-5d8e2f'
V3='erp-api-token-QmZ4x9Lw0p'
unset WHARF_MASTER_KEY_FILE

# ---- init and the key file -----------------------------------------------------------------
(umask 022; "$W" init "$ws" > "$tmp/init" 2>&1) || { no "init" "$tmp/init"; exit 0; }
has "init names the master key" "secrets.key .*master key" "$tmp/init"
[ "$(mode "$ws/secrets.key")" = 600 ] && ok "  secrets.key is 0600 (under umask 022)" \
  || no "  secrets.key mode $(mode "$ws/secrets.key")"
grep -qE '^wharf-key v1 [0-9a-f]{64}$' "$ws/secrets.key" && ok "  one line: wharf-key v1 and 64 hex digits" \
  || no "  key file format" "$ws/secrets.key"
cp -p "$ws/secrets.key" "$tmp/key.v1"

# ---- set, list ------------------------------------------------------------------------------
set_secret amazon-rp lwa-refresh-token "$V1"
has "  prints what was set, not the value" "^secret lwa-refresh-token of amazon-rp set$" "$tmp/out"
set_secret amazon-rp lwa-client-secret "$V2"
set_secret erp api-token "$V3"
run "set again replaces (no trailing newline)" 0 "$W" secrets set amazon-rp lwa-client-secret -w "$ws" < <(printf '%s' "$V2")
run "an empty value is refused" 1 "$W" secrets set amazon-rp empty -w "$ws" < <(printf '')
has "  saying so" "empty; nothing was set" "$tmp/out"
run "a lone newline is empty too" 1 "$W" secrets set amazon-rp empty -w "$ws" < <(printf '\n')
run "a value on the command line is refused" 2 "$W" secrets set amazon-rp lwa-refresh-token "$V1" -w "$ws" < /dev/null
has "  pointing to stdin" "read from standard input" "$tmp/out"
run "  --value=... too" 2 "$W" secrets set amazon-rp x "--value=$V1" -w "$ws" < /dev/null
run "an unknown partner is refused" 1 "$W" secrets set amazon-xx token -w "$ws" < <(printf 'x')
has "  naming the partners there are" "no partner 'amazon-xx'.*amazon-rp, amazon-df, erp" "$tmp/out"
run "a bad name is refused" 1 "$W" secrets set amazon-rp 'bad name' -w "$ws" < <(printf 'x')

run "list" 0 "$W" secrets list -w "$ws"
has "  amazon-rp lwa-refresh-token, key version 1" "^amazon-rp +lwa-refresh-token +1 " "$tmp/out"
has "  erp api-token" "^erp +api-token +1 " "$tmp/out"
[ "$(grep -c . "$outs/$k.out")" = 4 ] && ok "  three secrets and a header" || no "  line count" "$tmp/out"
run "list amazon-rp" 0 "$W" secrets list amazon-rp -w "$ws"
hasnt "  only amazon-rp's" "^erp " "$tmp/out"
run "list --json" 0 "$W" secrets list --json -w "$ws"
if command -v python3 > /dev/null; then
  python3 - "$outs/$k.out" > "$tmp/py" 2>&1 <<'EOF' && ok "  --json: partner, name, key_version, created, updated" || no "  --json" "$tmp/py"
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) == 3, a
assert all(set(o) == {"partner", "name", "key_version", "created", "updated"} for o in a), a
assert [o["name"] for o in a] == ["lwa-client-secret", "lwa-refresh-token", "api-token"], a
assert all(o["key_version"] == 1 for o in a), a
EOF
else
  skip 1 "python3 missing"
fi

# ---- rotate ---------------------------------------------------------------------------------
run "rotate" 0 "$W" secrets rotate -w "$ws"
has "  says how many were re-sealed" "3 secrets re-sealed" "$tmp/out"
grep -qE '^wharf-key v2 [0-9a-f]{64}$' "$ws/secrets.key" && ok "  the key file is version 2" || no "  key version" "$ws/secrets.key"
[ "$(mode "$ws/secrets.key")" = 600 ] && ok "  still 0600" || no "  mode $(mode "$ws/secrets.key")"
[ ! -e "$ws/secrets.key.new" ] && ok "  no secrets.key.new left" || no "  secrets.key.new left"
run "list after rotate" 0 "$W" secrets list -w "$ws"
[ "$(grep -cE ' 2 +[0-9]{4}-' "$outs/$k.out")" = 3 ] && ok "  all three at key version 2" || no "  versions" "$tmp/out"

# a rotation cut short after its commit: the next command finishes it
WHARF_TEST_ROTATE_CRASH=committed run "rotate stopped after the commit" 70 "$W" secrets rotate -w "$ws"
[ -e "$ws/secrets.key.new" ] && ok "  left secrets.key.new" || no "  no secrets.key.new"
run "the next list finishes it" 0 "$W" secrets list -w "$ws"
[ "$(grep -cE ' 3 +[0-9]{4}-' "$outs/$k.out")" = 3 ] && ok "  all three at key version 3" || no "  versions" "$tmp/out"
[ ! -e "$ws/secrets.key.new" ] && grep -q '^wharf-key v3 ' "$ws/secrets.key" && ok "  secrets.key is version 3" \
  || no "  key file" "$ws/secrets.key"
# ... and one cut short before it: the next command drops the new key
WHARF_TEST_ROTATE_CRASH=key-written run "rotate stopped after writing the new key" 70 "$W" secrets rotate -w "$ws"
run "the next list drops it" 0 "$W" secrets list -w "$ws"
[ "$(grep -cE ' 3 +[0-9]{4}-' "$outs/$k.out")" = 3 ] && [ ! -e "$ws/secrets.key.new" ] && \
  grep -q '^wharf-key v3 ' "$ws/secrets.key" && ok "  still version 3, secrets.key.new gone" || no "  after drop" "$tmp/out"

# ---- the key file's problems ----------------------------------------------------------------
chmod 644 "$ws/secrets.key"
run "a key file readable by others is refused" 2 "$W" secrets list -w "$ws"
has "  saying what to do" "readable by others .*chmod 600" "$tmp/out"
chmod 600 "$ws/secrets.key"
mv "$ws/secrets.key" "$tmp/key.moved"
run "a missing key file (with secrets kept) is refused" 2 "$W" secrets set amazon-rp other -w "$ws" < <(printf 'x')
has "  naming wharf init" "no master key at .*wharf init" "$tmp/out"
[ ! -e "$ws/secrets.key" ] && ok "  and no new key is made over the kept secrets" || no "  a key was made"
mv "$tmp/key.moved" "$ws/secrets.key"
cp -p "$ws/secrets.key" "$tmp/key.v3"
cp -p "$tmp/key.v1" "$ws/secrets.key"
run "an old key: list still works (names only)" 0 "$W" secrets list -w "$ws"
run "  rotate with it fails: the secrets do not open" 2 "$W" secrets rotate -w "$ws"
has "  saying which" "sealed with master key version 3" "$tmp/out"
[ ! -e "$ws/secrets.key.new" ] && ok "  and leaves no secrets.key.new" || no "  secrets.key.new left"
cp -p "$tmp/key.v3" "$ws/secrets.key"
run "the right key back: rotate" 0 "$W" secrets rotate -w "$ws"
has "  re-seals all three" "3 secrets re-sealed" "$tmp/out"

# ---- delete ---------------------------------------------------------------------------------
run "delete" 0 "$W" secrets delete erp api-token -w "$ws"
has "  says so" "^secret api-token of erp deleted$" "$tmp/out"
run "delete again: none" 1 "$W" secrets delete erp api-token -w "$ws"
run "unknown subcommand" 2 "$W" secrets show amazon-rp lwa-refresh-token -w "$ws"
run "help secrets" 0 "$W" help secrets
has "  documents stdin" "printf %s .*wharf secrets set amazon-rp lwa-refresh-token" "$tmp/out"
run "help lists secrets" 0 "$W" help
has "  in the overview" "secrets set PARTNER NAME" "$tmp/out"

# ---- WHARF_MASTER_KEY_FILE ------------------------------------------------------------------
ws2=$tmp/ws2
mkdir -p "$tmp/keys"
WHARF_MASTER_KEY_FILE=$tmp/keys/master.key run "init with WHARF_MASTER_KEY_FILE" 0 "$W" init "$ws2"
[ -e "$tmp/keys/master.key" ] && [ ! -e "$ws2/secrets.key" ] && ok "  the key is that file, none in the workspace" \
  || no "  key placement"
[ "$(mode "$tmp/keys/master.key")" = 600 ] && ok "  0600" || no "  mode $(mode "$tmp/keys/master.key")"
WHARF_MASTER_KEY_FILE=$tmp/keys/master.key \
  run "set with WHARF_MASTER_KEY_FILE" 0 "$W" secrets set amazon-df lwa-refresh-token -w "$ws2" < <(printf '%s' "$V1")
run "  without it, no key in the workspace" 2 "$W" secrets list -w "$ws2"
cp "$tmp/keys/master.key" "$tmp/keys/before"
WHARF_MASTER_KEY_FILE=$tmp/keys/master.key run "init again elsewhere keeps an existing key file" 0 "$W" init "$tmp/ws3"
has "  saying so" "there already, kept" "$tmp/out"
cmp -s "$tmp/keys/master.key" "$tmp/keys/before" && ok "  unchanged" || no "  the key file changed"
WHARF_MASTER_KEY_FILE=$tmp/keys/master.key run "  rotate there" 0 "$W" secrets rotate -w "$ws2"
[ ! -e "$tmp/keys/master.key.new" ] && grep -q '^wharf-key v2 ' "$tmp/keys/master.key" && \
  ok "  the named file is rotated" || no "  rotation of the named file"

# ---- a workspace from before the vault ------------------------------------------------------
rm -f "$tmp/ws3/secrets.key"    # ws3's key was the named file: without it, ws3 has none
run "no key, no secrets: list is empty" 0 "$W" secrets list -w "$tmp/ws3"
run "  the first set makes the key" 0 "$W" secrets set erp api-token -w "$tmp/ws3" < <(printf '%s' "$V3")
has "  saying so" "created the master key" "$tmp/out"
[ "$(mode "$tmp/ws3/secrets.key")" = 600 ] && ok "  0600" || no "  mode"

# ---- no value anywhere ----------------------------------------------------------------------
leaks=""
for v in "$V1" "$V2" "$V3"; do
  for f in "$ws"/wharf.db* "$ws2"/wharf.db* "$tmp"/ws3/wharf.db* "$ws/secrets.key" "$tmp/keys/master.key" \
           "$ws/log" "$ws2/log" "$outs" "$tmp/init"; do
    [ -e "$f" ] || continue
    if grep -rqaF -- "$v" "$f"; then leaks="$leaks ${v:0:6}..@$f"; fi
  done
done
[ -z "$leaks" ] && ok "no value in the stores, their -wal, the key files, the logs or any output ($k commands)" \
  || no "values found:$leaks"
