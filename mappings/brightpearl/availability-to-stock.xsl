<?xml version="1.0" encoding="UTF-8"?>
<!--
  brightpearl/availability-to-stock: Brightpearl product availability, the
  response of GET warehouse-service/product-availability/{ids}
  ({"<productId>": {"total": {inStock, onHand, allocated, inTransit},
  "warehouses": {"<warehouseId>": {the same}}}}, or that object wrapped
  in {"response": ...}), to wharf stock rows: a JSON array of
    {"sku", "warehouse", "available"}
  one per product per warehouse, in the order Brightpearl gave them (the
  rows of the stock file, sku,warehouse,available, that auto-stock
  acknowledgments read; wharf adds up a SKU's warehouses).

  What it writes:
    sku: the product id through bp-product (in, default mode): a product
      with no entry is skipped (not one wharf sells to Amazon)
    warehouse: the warehouse id through bp-warehouse, else the Brightpearl
      id as it is
    available: inStock (Brightpearl's on hand less allocated) as given, a
      whole number for stock products; a negative one (oversold) is 0
  A product without a "warehouses" breakdown gives one row from its
  "total", warehouse "all".

  Refused (a finding): input that is not a JSON object; an inStock that
  is missing or not a number.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:j="http://www.w3.org/2005/xpath-functions"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="j wharf">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="top" select="/j:map"/>
  <xsl:variable name="body" select="$top/j:map[@key = 'response'] | $top[not(j:map[@key = 'response'])]"/>

  <xsl:template match="/">
    <xsl:if test="not($top)">
      <xsl:message terminate="yes">the input is not a JSON object (GET warehouse-service/product-availability: product id -> availability)</xsl:message>
    </xsl:if>
    <array>
      <xsl:for-each select="$body/j:map">
        <xsl:variable name="sku" select="wharf:lookup('bp-product', string(@key), '')"/>
        <xsl:if test="$sku != ''">
          <xsl:for-each select="j:map[@key = 'warehouses']/j:map">
            <xsl:call-template name="row">
              <xsl:with-param name="sku" select="$sku"/>
              <xsl:with-param name="warehouse" select="wharf:lookup('bp-warehouse', string(@key), string(@key))"/>
            </xsl:call-template>
          </xsl:for-each>
          <xsl:for-each select="self::*[not(j:map[@key = 'warehouses'])]/j:map[@key = 'total']">
            <xsl:call-template name="row">
              <xsl:with-param name="sku" select="$sku"/>
              <xsl:with-param name="warehouse" select="'all'"/>
            </xsl:call-template>
          </xsl:for-each>
        </xsl:if>
      </xsl:for-each>
    </array>
  </xsl:template>

  <!-- the context: one availability {inStock, ...} -->
  <xsl:template name="row">
    <xsl:param name="sku"/>
    <xsl:param name="warehouse"/>
    <xsl:variable name="in-stock" select="wharf:dec(normalize-space(j:*[@key = 'inStock']))"/>
    <map>
      <string key="sku"><xsl:value-of select="$sku"/></string>
      <string key="warehouse"><xsl:value-of select="$warehouse"/></string>
      <string key="available">
        <xsl:choose>
          <xsl:when test="wharf:cmp($in-stock, '0') &lt; 0">0</xsl:when>
          <xsl:otherwise><xsl:value-of select="$in-stock"/></xsl:otherwise>
        </xsl:choose>
      </string>
    </map>
  </xsl:template>

</xsl:stylesheet>
