#!/usr/bin/env bash
# The guide cache (edi/guide_cache.c): guides and code lists read from it give
# exactly what compiling the XML gives, for `wharf edi validate|ack|parse|to-xml`
# on every golden X12 file; a corrupt, truncated, stale or unusable cache is a
# miss with the same results; an edited guide or code list in a WHARF_SCHEMAS
# copy is noticed and compiled from XML.
. "$(dirname "$0")/lib.bash" "$@"
echo "TAP version 13"
export WHARF_NOW=2025-01-01T00:00:00Z
files=("$G"/*.edi "$G"/bad/*)
# one file per kind of guide for to-xml (it takes one file a run)
xfiles=("$G/amazon-rp-850.edi" "$G/amazon-df-850.edi" "$G/amazon-rp-856-5010.edi" "$G/x12-810-codes.edi"
        "$G/ack-999.edi" "$G/x12-850-schedule.edi")
C=$tmp/cache

# run TAG [xml]: every command's output and exit status into $tmp/TAG.*
# (to-xml, a run a file, only with xml: the ASan runs are slow)
run() {
  local tag=$1 cmd f
  for cmd in validate ack parse; do
    "$W" edi $cmd "${files[@]}" > "$tmp/$tag.$cmd" 2>&1; echo "exit $?" >> "$tmp/$tag.$cmd"
  done
  [ -n "${2:-}" ] || cp "$tmp/ref.to-xml" "$tmp/$tag.to-xml"
  [ -n "${2:-}" ] && for f in "${xfiles[@]}"; do
    "$W" edi to-xml "$f" >> "$tmp/$tag.to-xml" 2>&1; echo "exit $?" >> "$tmp/$tag.to-xml"
  done
}
same() {  # same NAME TAG: TAG's outputs are the ones compiled from XML
  local cmd bad=
  for cmd in validate ack parse to-xml; do
    cmp -s "$tmp/ref.$cmd" "$tmp/$2.$cmd" || { bad=$cmd; diff "$tmp/ref.$cmd" "$tmp/$2.$cmd" > "$tmp/diff"; }
  done
  if [ -z "$bad" ]; then ok "$1"; else no "$1 ($bad differs)" "$tmp/diff"; fi
}

WHARF_GUIDE_CACHE=0 run ref xml
has "the reference run validated sets" "accepted" "$tmp/ref.validate"
WHARF_GUIDE_CACHE=0 "$W" edi validate "$G/amazon-rp-850.edi" > /dev/null
if [ ! -e "$C" ]; then ok "WHARF_GUIDE_CACHE=0 writes nothing"; else no "WHARF_GUIDE_CACHE=0 wrote $C"; fi

WHARF_GUIDE_CACHE=$C run cold
same "a cold cache (entries written) gives the same output" cold
nent=$(find "$C" -type f | wc -l)
if [ "$nent" -ge 10 ]; then ok "entries written ($nent)"; else no "entries written ($nent)"; fi
modes=$(stat -c %a "$C"; find "$C" -type f -exec stat -c %a {} + | sort -u)
if [ "$(echo "$modes" | tr '\n' ' ')" = "700 600 " ]; then ok "folder 0700, entries 0600"; else no "modes: $modes"; fi
if ls "$C" | grep -q tmp; then no "a temporary file is left"; else ok "no temporary file left"; fi

inodes=$(ls -i "$C" | sort)
WHARF_GUIDE_CACHE=$C run warm xml
if [ "$(ls -i "$C" | sort)" = "$inodes" ]; then ok "a warm run reads the entries (none written again)"; else no "a warm run wrote entries again"; fi
same "a warm cache (guides and code lists read from it) gives the same output" warm

# corrupt: one byte of every entry changed; truncated: every entry cut in half
for e in "$C"/*; do printf '\x5a' | dd of="$e" bs=1 seek=$(( $(stat -c %s "$e") / 2 )) conv=notrunc 2> /dev/null; done
sum1=$(cat "$C"/* | md5sum)
WHARF_GUIDE_CACHE=$C run corrupt xml
same "corrupt entries are ignored: the same output" corrupt
if [ "$(cat "$C"/* | md5sum)" != "$sum1" ]; then ok "corrupt entries are written again"; else no "corrupt entries are still there"; fi
for e in "$C"/*; do truncate -s $(( $(stat -c %s "$e") / 2 )) "$e"; done
WHARF_GUIDE_CACHE=$C run trunc
same "truncated entries are ignored: the same output" trunc
for e in "$C"/*; do : > "$e"; done
WHARF_GUIDE_CACHE=$C run empty
same "empty entries are ignored: the same output" empty

# unusable: a path under a file, a folder others may write into
: > "$tmp/file"
WHARF_GUIDE_CACHE=$tmp/file/cache run unwritable
same "a cache that cannot be made: the same output" unwritable
mkdir -m 0777 "$tmp/open"; chmod 0777 "$tmp/open"
WHARF_GUIDE_CACHE=$tmp/open "$W" edi validate "$G/amazon-rp-850.edi" > /dev/null
if [ -z "$(ls -A "$tmp/open")" ]; then ok "a folder others may write into is not used"; else no "entries in a world-writable folder"; fi

# stale: a WHARF_SCHEMAS copy, warm, then a guide and a code list edited
cp -r schemas "$tmp/s"
po=$G/amazon-rp-850.edi
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=$C "$W" edi validate "$po" > "$tmp/s.before" 2>&1
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=$C "$W" edi validate "$po" > "$tmp/s.warm" 2>&1
cmp -s "$tmp/s.before" "$tmp/s.warm" && ok "a schemas copy: warm run the same" || no "a schemas copy: warm run differs" "$tmp/s.warm"
# the 850's TAX (absent from the PO) made mandatory
python3 - "$tmp/s/x12/004010/850.xml" <<'EOF'
import re, sys
p = sys.argv[1]; s = open(p).read()
s2 = s.replace('<seg ref="TAX" usage="O"', '<seg ref="TAX" usage="M"', 1)
assert s2 != s, "no optional TAX in the 850 guide"
open(p, "w").write(s2)
EOF
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=$C "$W" edi validate "$po" > "$tmp/s.edited" 2>&1
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=0 "$W" edi validate "$po" > "$tmp/s.fresh" 2>&1
if cmp -s "$tmp/s.edited" "$tmp/s.fresh" && ! cmp -s "$tmp/s.edited" "$tmp/s.before"; then
  ok "an edited guide is compiled from XML (the finding it makes is there)"
else no "an edited guide" "$tmp/s.edited"; fi
# a code list without a code the PO uses (the first PO1 unit)
unit=$(grep -o 'PO1\*[^~]*' "$po" | head -1 | cut -d'*' -f4)
python3 - "$tmp/s/x12/codes/004010/355.xml" "$unit" <<'EOF'
import re, sys
p, u = sys.argv[1], sys.argv[2]; s = open(p).read()
s2 = re.sub(r'<code[^>]*>%s</code>' % re.escape(u), "", s, count=1)
assert s2 != s, "no code " + u
open(p, "w").write(s2)
EOF
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=$C "$W" edi validate "$po" > "$tmp/c.edited" 2>&1
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=0 "$W" edi validate "$po" > "$tmp/c.fresh" 2>&1
if cmp -s "$tmp/c.edited" "$tmp/c.fresh" && grep -q "$unit" "$tmp/c.edited"; then
  ok "an edited code list is read from XML (unit $unit refused)"
else no "an edited code list" "$tmp/c.edited"; fi
# a code list file removed that the dictionary names: the same error as a compile
rm "$tmp/s/x12/codes/004010/355.xml"
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=$C "$W" edi validate "$po" > "$tmp/r.cached" 2>&1; echo "exit $?" >> "$tmp/r.cached"
WHARF_SCHEMAS=$tmp/s WHARF_GUIDE_CACHE=0 "$W" edi validate "$po" > "$tmp/r.fresh" 2>&1; echo "exit $?" >> "$tmp/r.fresh"
if cmp -s "$tmp/r.cached" "$tmp/r.fresh"; then ok "a removed code list: the same error from the cache"; else no "a removed code list" "$tmp/r.cached"; fi

echo "1..$n"
