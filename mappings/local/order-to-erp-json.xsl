<?xml version="1.0" encoding="UTF-8"?>
<!-- local/order-to-erp-json: a canonical <order> to the JSON sales order the
     embedded ERP file exchange writes to DIR/erp/out/ (one file per new or
     changed order). A small vendor's ERP reads it; the shape is wharf's own:
       {"partner", "program", "po_number", "state", "order_date", "currency",
        "ship_to", "ship_window", "delivery_window",
        "lines": [{"line_no", "product_ids": {qualifier: id}, "quantity",
                   "unit", "unit_cost", "backorder_allowed"}]}
     Amounts and quantities stay decimal strings. The gateway passes
     partner and state as parameters. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:c="urn:wharf:canonical:1" xmlns:wharf="urn:wharf:map"
    xmlns="http://www.w3.org/2005/xpath-functions" exclude-result-prefixes="c wharf">
  <xsl:output method="xml" indent="yes"/>

  <xsl:template match="/c:order">
    <xsl:variable name="h" select="c:header"/>
    <map>
      <string key="partner"><xsl:value-of select="wharf:param('partner', '')"/></string>
      <string key="program"><xsl:value-of select="$h/c:program"/></string>
      <string key="po_number"><xsl:value-of select="$h/c:po-number"/></string>
      <string key="state"><xsl:value-of select="wharf:param('state', '')"/></string>
      <xsl:if test="$h/c:order-date">
        <string key="order_date"><xsl:value-of select="$h/c:order-date"/></string>
      </xsl:if>
      <xsl:if test="$h/c:currency">
        <string key="currency"><xsl:value-of select="$h/c:currency"/></string>
      </xsl:if>
      <xsl:if test="$h/c:ship-to/c:id">
        <string key="ship_to"><xsl:value-of select="$h/c:ship-to/c:id[1]"/></string>
      </xsl:if>
      <xsl:for-each select="$h/c:ship-window | $h/c:delivery-window">
        <map key="{translate(local-name(), '-', '_')}">
          <string key="start"><xsl:value-of select="c:start"/></string>
          <string key="end"><xsl:value-of select="c:end"/></string>
        </map>
      </xsl:for-each>
      <array key="lines">
        <xsl:for-each select="c:lines/c:line">
          <map>
            <number key="line_no"><xsl:value-of select="c:line-no"/></number>
            <map key="product_ids">
              <xsl:for-each select="c:id[not(@qualifier = preceding-sibling::c:id/@qualifier)]">
                <string key="{@qualifier}"><xsl:value-of select="."/></string>
              </xsl:for-each>
            </map>
            <string key="quantity"><xsl:value-of select="c:ordered-quantity"/></string>
            <string key="unit"><xsl:value-of select="c:ordered-quantity/@unit"/></string>
            <xsl:if test="c:unit-cost">
              <string key="unit_cost"><xsl:value-of select="c:unit-cost"/></string>
            </xsl:if>
            <xsl:if test="c:backorder-allowed">
              <boolean key="backorder_allowed"><xsl:value-of select="c:backorder-allowed"/></boolean>
            </xsl:if>
          </map>
        </xsl:for-each>
      </array>
    </map>
  </xsl:template>
</xsl:stylesheet>
