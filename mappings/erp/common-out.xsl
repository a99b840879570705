<?xml version="1.0" encoding="UTF-8"?>
<!--
  erp/common-out.xsl: templates shared by the ERP connector maps that read
  canonical documents and write an ERP's JSON (brightpearl/, quickbooks/
  import it). Not a map of its own (no registry entry).

    check-root   the input is the canonical root the map expects; the
                 time-zone parameter is usable
    product      the ERP's id of a line's product, from a code list whose
                 to is the vendor's SKU: the line's sku id, else its
                 vendor-part id, looked up in the map's direction (out);
                 a SKU with no entry falls back to the line's ASIN when the
                 list has that ASIN (an entry marked direction="out"), and
                 otherwise is looked up strictly, so the finding is the
                 standard one and names the SKU and the list:
                 "'ACME-9999' is not in code list 'bp-product' (outbound)"
    whole        a whole number (quantities), else the document is refused
    date-time    a date-or-timestamp as a date-time: a timestamp as it is, a
                 plain date as the start of that day in the zone of the
                 parameter time-zone (Z, +hh:mm or -hh:mm; default Z)
    id-number    an ERP id that must be digits, as a JSON number; nothing
                 when empty (the strict lookup or parameter that gave it
                 has made a finding already)
    po-numbers   the distinct PO numbers of an invoice, ", "-separated

  Money is never an XPath number: amounts are copied (wharf:dec) or
  computed with wharf:mul / wharf:add / wharf:sum.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="c wharf">

  <xsl:variable name="doc" select="/*"/>
  <xsl:variable name="tz" select="wharf:param('time-zone', 'Z')"/>

  <xsl:template name="check-root">
    <xsl:param name="root"/>
    <xsl:if test="not($doc[self::c:* and local-name() = $root])">
      <xsl:message terminate="yes">the input is not a canonical &lt;<xsl:value-of select="$root"/>&gt; (namespace urn:wharf:canonical:1) but &lt;<xsl:value-of select="name($doc)"/>&gt;</xsl:message>
    </xsl:if>
    <xsl:if test="not($tz = 'Z' or (string-length($tz) = 6 and (starts-with($tz, '+') or starts-with($tz, '-')) and translate(substring($tz, 2), '0123456789', 'dddddddddd') = 'dd:dd'))">
      <xsl:message terminate="yes">parameter time-zone '<xsl:value-of select="$tz"/>' is not Z, +hh:mm or -hh:mm</xsl:message>
    </xsl:if>
  </xsl:template>

  <xsl:template name="product">
    <xsl:param name="list"/>
    <xsl:param name="line" select="."/>
    <xsl:variable name="sku" select="string(($line/c:id[@qualifier = 'sku'] | $line/c:id[@qualifier = 'vendor-part'][not(../c:id[@qualifier = 'sku'])])[1])"/>
    <xsl:variable name="asin" select="string($line/c:id[@qualifier = 'asin'][1])"/>
    <xsl:variable name="by-sku">
      <xsl:if test="$sku != ''"><xsl:value-of select="wharf:lookup($list, $sku, '')"/></xsl:if>
    </xsl:variable>
    <xsl:variable name="by-asin">
      <xsl:if test="$asin != '' and string($by-sku) = ''"><xsl:value-of select="wharf:lookup($list, $asin, '')"/></xsl:if>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="string($by-sku) != ''"><xsl:value-of select="$by-sku"/></xsl:when>
      <xsl:when test="string($by-asin) != ''"><xsl:value-of select="$by-asin"/></xsl:when>
      <xsl:when test="$sku != ''"><xsl:value-of select="wharf:lookup($list, $sku)"/></xsl:when>
      <xsl:when test="$asin != ''"><xsl:value-of select="wharf:lookup($list, $asin)"/></xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">line <xsl:value-of select="$line/c:line-no"/> has no SKU (an id with qualifier sku or vendor-part) and no ASIN to look up in code list '<xsl:value-of select="$list"/>'</xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="whole">
    <xsl:param name="v"/>
    <xsl:param name="what"/>
    <xsl:param name="why"/>
    <xsl:variable name="n" select="normalize-space($v)"/>
    <xsl:if test="$n = '' or translate($n, '0123456789', '') != ''">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> '<xsl:value-of select="$v"/>' is not a whole number: <xsl:value-of select="$why"/></xsl:message>
    </xsl:if>
    <xsl:value-of select="wharf:dec($n)"/>
  </xsl:template>

  <xsl:template name="date-time">
    <xsl:param name="v"/>
    <xsl:variable name="d" select="normalize-space($v)"/>
    <xsl:choose>
      <xsl:when test="string-length($d) = 10"><xsl:value-of select="concat($d, 'T00:00:00', $tz)"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="id-number">
    <xsl:param name="key"/>
    <xsl:param name="v"/>
    <xsl:param name="what"/>
    <xsl:variable name="n" select="normalize-space($v)"/>
    <xsl:if test="translate($n, '0123456789', '') != ''">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> '<xsl:value-of select="$v"/>' is not an id (digits)</xsl:message>
    </xsl:if>
    <xsl:if test="$n != ''">
      <number key="{$key}"><xsl:value-of select="wharf:dec($n)"/></number>
    </xsl:if>
  </xsl:template>

  <xsl:template name="po-numbers">
    <xsl:param name="doc" select="$doc"/>
    <xsl:for-each select="$doc/c:references/c:po-number | $doc/c:lines/c:line/c:po-number">
      <xsl:variable name="p" select="string(.)"/>
      <xsl:if test="not(preceding::c:po-number[string(.) = $p])">
        <xsl:if test="position() != 1">, </xsl:if>
        <xsl:value-of select="$p"/>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
