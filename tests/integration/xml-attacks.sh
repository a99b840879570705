#!/usr/bin/env bash
# Integration tests of hostile XML (issue 12 "Maps and XML"): every XML wharf
# reads from outside goes through one read policy (no DTD, no entities, no
# network). A partner override map cannot read a file through an external
# entity, neither directly nor through xsl:import or document(); a code list
# with entities is refused; `edi from-xml` refuses entity amplification and
# external entities instead of running out of memory or dropping the value;
# a map input with a DOCTYPE is refused. Usage: xml-attacks.sh WHARF.
set -u
. "$(dirname "$0")/lib.bash" "$@"

# a copy of the maps the hostile files are dropped into, and a secret
# outside it that nothing may read
M=$tmp/mappings
cp -r "$PWD/mappings" "$M"
rm -f "$M"/*.c "$M"/*.h "$M"/module.mk
secret=$tmp/secret.txt
echo "SECRET-SHADOW-LINE" > "$secret"
export WHARF_MAPPINGS=$M
mkdir -p "$M/partners/amazon-rp/codelists" "$M/partners/amazon-rp/amazon-rp"
O=$M/partners/amazon-rp/amazon-rp   # overrides of the amazon-rp/... maps

dtd_map() {  # dtd_map FILE: a stylesheet that pulls the secret in through an entity
  cat > "$1" <<EOF
<?xml version="1.0"?>
<!DOCTYPE xsl:stylesheet [<!ENTITY x SYSTEM "file://$secret">]>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/"><out>&x;</out></xsl:template>
</xsl:stylesheet>
EOF
}

# 1. a partner override of a registered map
dtd_map "$O/850-to-order.xsl"
exits "override map with an external entity: refused" 2 "$W" map run amazon-rp/850-to-order "$G/amazon-rp-850.edi" --partner amazon-rp
has "  saying why" "a DOCTYPE is not allowed in a map" "$tmp/out"
hasnt "  and the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"
rm "$O/850-to-order.xsl"

# 2. the same through xsl:import of a stylesheet inside mappings/
dtd_map "$O/evil.xsl"
cat > "$O/850-to-order.xsl" <<'EOF'
<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="evil.xsl"/>
</xsl:stylesheet>
EOF
exits "xsl:import of a stylesheet with an entity: refused" 2 "$W" map run amazon-rp/850-to-order "$G/amazon-rp-850.edi" --partner amazon-rp
has "  saying why" "DOCTYPE is not allowed" "$tmp/out"
hasnt "  and the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"

# 3. document() of an XML file inside mappings/ whose DTD reads the secret
cat > "$O/data.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file://$secret">]>
<d>&x;</d>
EOF
cat > "$O/850-to-order.xsl" <<'EOF'
<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/"><out><xsl:value-of select="document('data.xml')/d"/></out></xsl:template>
</xsl:stylesheet>
EOF
"$W" map run amazon-rp/850-to-order "$G/amazon-rp-850.edi" --partner amazon-rp --xml > "$tmp/out" 2>&1
hasnt "document() of a file with an entity: the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"
has "  and the refusal is said" "DOCTYPE is not allowed" "$tmp/out"
rm -f "$O/"*.xsl "$O/data.xml"

# 4. a partner code list with an entity (the DF map looks 3-letter countries up)
mkdir -p "$M/partners/amazon-df/codelists"
cat > "$M/partners/amazon-df/codelists/country.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE codelist [<!ENTITY x SYSTEM "file://$secret">]>
<codelist name="country"><entry from="USA" to="&x;"/></codelist>
EOF
sed 's/^N4\*\([^~]*\)\*US~/N4*\1*USA~/' "$G/amazon-df-850.edi" > "$tmp/usa.edi"
has "  (the DF sample is given a 3-letter country)" '^N4\*.*\*USA~' "$tmp/usa.edi"
"$W" map run amazon-df/850-to-order "$tmp/usa.edi" --partner amazon-df > "$tmp/out" 2>&1
has "code list with an entity: refused, naming the file and line" "codelists/country.xml:2: a DOCTYPE is not allowed" "$tmp/out"
hasnt "  and the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"
rm -rf "$M/partners/amazon-df/codelists"

# 5. a map input with a DOCTYPE
printf '<?xml version="1.0"?>\n<!DOCTYPE o [<!ENTITY x SYSTEM "file://%s">]>\n<o>&x;</o>\n' "$secret" > "$tmp/in.xml"
exits "map input with a DOCTYPE: refused" 1 "$W" map run local/order-to-erp-json "$tmp/in.xml"
has "  with its line" "line 2: a DOCTYPE is not allowed" "$tmp/out"
hasnt "  and the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"
unset WHARF_MAPPINGS

# 6. edi from-xml: entity amplification (one 100 KB entity used 20,000 times
# once reached 2 GB) and an external entity (once dropped silently: an empty
# BEG03 and exit 0)
{
  printf '<?xml version="1.0"?>\n<!DOCTYPE x12 [<!ENTITY a "%s">]>\n' "$(head -c 100000 /dev/zero | tr '\0' A)"
  printf '<x12><interchange><ISA><ISA01>'
  for i in $(seq 200); do printf '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'; done
  printf '</ISA01></ISA></interchange></x12>\n'
} > "$tmp/amp.xml"
exits "from-xml: entity amplification is refused" 1 "$W" edi from-xml "$tmp/amp.xml"
has "  at its DOCTYPE" "line 2: a DOCTYPE is not allowed" "$tmp/out"
"$W" edi to-xml "$G/amazon-rp-850.edi" > "$tmp/po.xml"
sed -i "s#<?xml version=\"1.0\" encoding=\"UTF-8\"?>#&\n<!DOCTYPE x12 [<!ENTITY e SYSTEM \"file://$secret\">]>#; s#<BEG03>4Z32PABC</BEG03>#<BEG03>\&e;</BEG03>#" "$tmp/po.xml"
grep -q '<BEG03>&e;</BEG03>' "$tmp/po.xml" && ok "the external-entity input is built" || no "the external-entity input is built"
exits "from-xml: an external entity is refused, not dropped" 1 "$W" edi from-xml "$tmp/po.xml"
hasnt "  no EDI was written" "^BEG" "$tmp/out"
hasnt "  and the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"

# 7. a guide and the map registry are read by the same policy
S=$tmp/schemas
cp -r "$PWD/schemas" "$S"
sed -i "1a <!DOCTYPE guide [<!ENTITY x SYSTEM \"file://$secret\">]>" "$S/partners/amazon-rp/850.xml"
WHARF_SCHEMAS=$S "$W" edi validate --guide partners/amazon-rp/850 "$G/amazon-rp-850.edi" > "$tmp/out" 2>&1
has "a guide with a DOCTYPE is refused" "850.xml:2: a DOCTYPE is not allowed" "$tmp/out"
hasnt "  and the secret is not read" "SECRET-SHADOW-LINE" "$tmp/out"
M2=$tmp/mappings2
cp -r "$M" "$M2"
sed -i "1a <!DOCTYPE registry [<!ENTITY x SYSTEM \"file://$secret\">]>" "$M2/registry.xml"
WHARF_MAPPINGS=$M2 "$W" map list > "$tmp/out" 2>&1
has "a map registry with a DOCTYPE is refused" "registry.xml:2: a DOCTYPE is not allowed" "$tmp/out"
