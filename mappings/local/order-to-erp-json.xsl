<?xml version="1.0" encoding="UTF-8"?>
<!-- local/order-to-erp-json: a canonical <order> to the JSON sales order the
     embedded ERP file exchange writes to DIR/erp/out/ (one file per new or
     changed order). A small vendor's ERP reads it; the shape is wharf's own:
       {"partner", "program", "po_number", "state", "order_date", "currency",
        "customer_order_number", "ship_to", "ship_to_address",
        "ship_method", "carrier_scac", "ship_window", "delivery_window",
        "required_ship_date", "promised_delivery_date",
        "packing_slip_required", "is_gift", "gift_message",
        "message_to_customer",
        "lines": [{"line_no", "product_ids": {qualifier: id}, "description",
                   "quantity", "unit", "unit_cost", "retail_price",
                   "backorder_allowed", "gift_message"}]}
     "ship_to" is the ship-to's id (RP: the Amazon fulfilment centre);
     "ship_to_address" the address to ship to, for a DF order the consumer:
       {"name", "name_2" (X12 N201, the canonical name's second line),
        "attention", "address_lines": [...], "city", "state",
        "postal_code", "country", "country_name" (as the buyer wrote it,
        when it was a name), "phone"}
     all exactly as Amazon sent them (never re-cased or corrected).
     What a DF order needs to be shipped: the address, "ship_method"
     (Amazon's code, e.g. UPS_GR_RES, for the label), "is_gift" (no prices
     on the packing slip), the gift messages (order and line),
     "packing_slip_required" and the slip's "message_to_customer". A DF
     order always says is_gift and packing_slip_required (false when the
     order does not say).
     PERSONAL DATA: a DF file holds the consumer's name, address and phone.
     The gateway writes these files mode 0600 (gateway/pipeline.c
     stage_file); an ERP reading erp/out/ must run as the workspace's owner
     and delete or protect them once imported (DESIGN.md, security).
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
      <xsl:for-each select="$h/c:customer-order-number">
        <string key="customer_order_number"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:if test="$h/c:ship-to/c:id">
        <string key="ship_to"><xsl:value-of select="$h/c:ship-to/c:id[1]"/></string>
      </xsl:if>
      <xsl:for-each select="$h/c:ship-to[c:address or c:name]">
        <xsl:call-template name="address"/>
      </xsl:for-each>
      <xsl:for-each select="$h/c:carrier/c:ship-method">
        <string key="ship_method"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:for-each select="$h/c:carrier/c:scac">
        <string key="carrier_scac"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:for-each select="$h/c:ship-window | $h/c:delivery-window">
        <map key="{translate(local-name(), '-', '_')}">
          <string key="start"><xsl:value-of select="c:start"/></string>
          <string key="end"><xsl:value-of select="c:end"/></string>
        </map>
      </xsl:for-each>
      <xsl:for-each select="$h/c:required-ship-date | $h/c:promised-delivery-date">
        <string key="{translate(local-name(), '-', '_')}"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:if test="$h/c:program = 'DF' or $h/c:packing-slip-required">
        <boolean key="packing_slip_required"><xsl:value-of select="$h/c:packing-slip-required = 'true'"/></boolean>
      </xsl:if>
      <xsl:if test="$h/c:program = 'DF' or $h/c:is-gift">
        <boolean key="is_gift"><xsl:value-of select="$h/c:is-gift = 'true' or boolean($h/c:gift/c:message) or boolean(c:lines/c:line/c:gift/c:message)"/></boolean>
      </xsl:if>
      <xsl:for-each select="$h/c:gift/c:message">
        <string key="gift_message"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:for-each select="$h/c:message-to-customer">
        <string key="message_to_customer"><xsl:value-of select="."/></string>
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
            <xsl:for-each select="c:description">
              <string key="description"><xsl:value-of select="."/></string>
            </xsl:for-each>
            <string key="quantity"><xsl:value-of select="c:ordered-quantity"/></string>
            <string key="unit"><xsl:value-of select="c:ordered-quantity/@unit"/></string>
            <xsl:if test="c:unit-cost">
              <string key="unit_cost"><xsl:value-of select="c:unit-cost"/></string>
            </xsl:if>
            <xsl:for-each select="c:price[@type = 'retail'][1]">
              <string key="retail_price"><xsl:value-of select="."/></string>
            </xsl:for-each>
            <xsl:if test="c:backorder-allowed">
              <boolean key="backorder_allowed"><xsl:value-of select="c:backorder-allowed"/></boolean>
            </xsl:if>
            <xsl:for-each select="c:gift/c:message">
              <string key="gift_message"><xsl:value-of select="."/></string>
            </xsl:for-each>
          </map>
        </xsl:for-each>
      </array>
    </map>
  </xsl:template>

  <!-- the ship-to party (the context) as "ship_to_address" -->
  <xsl:template name="address">
    <xsl:variable name="lf" select="'&#10;'"/>
    <xsl:variable name="a" select="c:address"/>
    <map key="ship_to_address">
      <xsl:if test="c:name">
        <xsl:choose>
          <xsl:when test="contains(c:name, $lf)">
            <string key="name"><xsl:value-of select="substring-before(c:name, $lf)"/></string>
            <string key="name_2"><xsl:value-of select="substring-after(c:name, $lf)"/></string>
          </xsl:when>
          <xsl:otherwise><string key="name"><xsl:value-of select="c:name"/></string></xsl:otherwise>
        </xsl:choose>
      </xsl:if>
      <xsl:for-each select="c:attention">
        <string key="attention"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:if test="$a/c:line">
        <array key="address_lines">
          <xsl:for-each select="$a/c:line | c:extra-address-line"><string><xsl:value-of select="."/></string></xsl:for-each>
        </array>
      </xsl:if>
      <xsl:for-each select="$a/c:city | $a/c:county | $a/c:district | $a/c:state | $a/c:postal-code | $a/c:country">
        <string key="{translate(local-name(), '-', '_')}"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:for-each select="c:country-name">
        <string key="country_name"><xsl:value-of select="."/></string>
      </xsl:for-each>
      <xsl:for-each select="($a/c:phone | c:contact/c:phone)[1]">
        <string key="phone"><xsl:value-of select="."/></string>
      </xsl:for-each>
    </map>
  </xsl:template>
</xsl:stylesheet>
