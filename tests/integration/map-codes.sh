#!/usr/bin/env bash
# Integration tests of a workspace's own code lists and `wharf map codes`:
# an entry set in the workspace is listed, read by `wharf map run -w`
# before the installed list, deleted again; an installed entry is not
# deleted; bad names and values and a linked list file are refused.
# Usage: map-codes.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"
unset WHARF_WORKSPACE

"$W" init "$ws" > /dev/null 2>&1 || { no "init"; exit 0; }
unit=mappings/amazon-rp/850-to-order.tests/unknown-unit.input.edi
L=$ws/codelists

# x12-unit is installed without DZ: a PO in dozens is refused, unless the
# workspace adds DZ
exits "set: DZ added to the workspace's x12-unit" 0 "$W" map codes x12-unit set DZ DZ -w "$ws"
has "  it says where" "x12-unit: DZ -> DZ added to .*/codelists/x12-unit.xml" "$tmp/out"
has "  the file names the list and holds one entry a line" '^  <entry from="DZ" to="DZ"/>$' "$L/x12-unit.xml"
has "  with a header comment" '^<!-- x12-unit: this workspace' "$L/x12-unit.xml"
exits "map run -w: the workspace's entry is read" 0 "$W" map run amazon-rp/850-to-order "$unit" -w "$ws"
has "  the PO's DZ quantity is mapped" '<ordered-quantity unit="DZ">' "$tmp/out"
exits "map run outside the workspace: the installed list only, DZ refused" 1 env -C "$tmp" "$W" map run amazon-rp/850-to-order "$PWD/$unit"
exits "map run in the workspace's folder reads it" 0 env -C "$ws" "$W" map run amazon-rp/850-to-order "$PWD/$unit"

# replacing an installed entry's value, entry by entry
exits "set: a workspace override of an installed entry" 0 "$W" map codes po-type set NE rush -w "$ws"
exits "map run: the override changes the output" 0 "$W" map run amazon-rp/850-to-order "$G/amazon-rp-850.edi" -w "$ws"
has "  NE is a rush order now" '<type code="NE">rush</type>' "$tmp/out"
exits "set again: the entry is replaced" 0 "$W" map codes po-type set NE consigned -w "$ws"
has "  the old value is said" "NE -> consigned \(was rush\)" "$tmp/out"
[ "$(grep -c '<entry ' "$L/po-type.xml")" = 1 ] && ok "  one entry in the file" || no "  one entry in the file" "$L/po-type.xml"

# listing
exits "map codes: every list with its source" 0 "$W" map codes -w "$ws"
has "  the workspace's list" "^po-type +1  workspace " "$tmp/out"
has "  the installed one" "^po-type +6  installed " "$tmp/out"
exits "map codes LIST: the entries in lookup order" 0 "$W" map codes po-type -w "$ws"
has "  the workspace's entry first" "^NE +consigned +both +workspace$" "$tmp/out"
has "  the installed entry it hides inbound" "^NE +regular +both +installed  \(overridden inbound\)$" "$tmp/out"
has "  and one it hides outbound (consigned goes out as NE now)" "^CN +consigned +both +installed  \(overridden outbound\)$" "$tmp/out"
exits "map codes LIST --json" 0 "$W" map codes po-type --json -w "$ws"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["entries"][0]; sys.exit(not (e["from"]=="NE" and e["to"]=="consigned" and e["source"]=="workspace" and e["used"]=="both"))' "$tmp/out" 2> /dev/null; then
  ok "  the JSON says the entry, its source and that it is used"
else
  no "  the JSON says the entry, its source and that it is used" "$tmp/out"
fi

# deleting
exits "delete: an installed entry is refused" 1 "$W" map codes po-type delete CN -w "$ws"
has "  and how to override it is said" "installed .*override it with \`wharf map codes po-type set CN VALUE\`" "$tmp/out"
exits "delete: the workspace's entry" 0 "$W" map codes po-type delete NE -w "$ws"
[ ! -e "$L/po-type.xml" ] && ok "  the list, now empty, is removed" || no "  the list, now empty, is removed" "$L/po-type.xml"
"$W" map run amazon-rp/850-to-order "$G/amazon-rp-850.edi" -w "$ws" > "$tmp/out" 2>&1
has "  the installed value is back" '<type code="NE">regular</type>' "$tmp/out"
exits "audit: each change is recorded" 0 sqlite3 "$ws/wharf.db" "SELECT action || ' ' || subject || ': ' || detail FROM audit WHERE action LIKE 'codelist-%'"
has "  the set" "codelist-set codelist po-type: NE -> consigned \(both\), was rush" "$tmp/out"
has "  the delete" "codelist-delete codelist po-type: NE \(any\): 1 deleted" "$tmp/out"

# refused
before=$(cksum < "$L/x12-unit.xml")
exits "a list name with a slash" 2 "$W" map codes ../x set A B -w "$ws"
exits "a value with a newline" 2 "$W" map codes x12-unit set $'A\nB' B -w "$ws"
has "  one line, said" "control character" "$tmp/out"
exits "a value with ESC" 2 "$W" map codes x12-unit set A $'B\e[31m' -w "$ws"
exits "an unknown direction" 2 "$W" map codes x12-unit set A B --direction sideways -w "$ws"
exits "an unknown partner" 1 "$W" map codes x12-unit set A B --partner nobody -w "$ws"
exits "a folder that is no workspace" 2 "$W" map codes x12-unit set A B -w "$tmp"
[ "$(cksum < "$L/x12-unit.xml")" = "$before" ] && ok "  nothing was written" || no "  nothing was written" "$L/x12-unit.xml"
ln -s "$PWD/mappings/codelists/po-type.xml" "$L/po-type.xml"
exits "a linked list file is not edited" 2 "$W" map codes po-type set NE rush -w "$ws"
has "  it says why" "is a symbolic link" "$tmp/out"
[ -L "$L/po-type.xml" ] && ok "  the link is left as it is" || no "  the link is left as it is"
exits "a linked list file is not read by a map" 1 "$W" map run amazon-rp/850-to-order "$G/amazon-rp-850.edi" -w "$ws"
has "  the finding says why" "po-type.xml is a symbolic link" "$tmp/out"
