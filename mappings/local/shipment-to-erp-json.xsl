<?xml version="1.0" encoding="UTF-8"?>
<!-- local/shipment-to-erp-json: a canonical <shipment> to the JSON shipment
     the embedded ERP file exchange writes to DIR/erp/out/ (one file per
     shipment queued). The shape is wharf's own:
       {"type": "shipment", "partner", "program", "shipment_id", "purpose",
        "state", "shipped_date",
        "ship_from": {"party_id", "warehouse", "name"}, "ship_to",
        "carrier_scac", "bill_of_lading", "pro_number",
        "orders": [{"po_number",
                    "lines": [{"line_no", "product_ids": {qualifier: id},
                               "shipped_quantity", "unit"}]}],
        "cartons": [{"carton_id", "sscc", "tracking_number", "pallet_id",
                     "weight": {"value", "unit"}, "items": [ITEM]}],
        "pallets": [{"pallet_id", "sscc", "tier", "block",
                     "weight": {"value", "unit"},
                     "dimensions": {"length", "width", "height", "unit"},
                     "carton_count", "carton_ids": [carton_id],
                     "items": [ITEM]}]}
       ITEM: {"po_number", "line_no", "quantity", "unit", "lot", "expiry_date"}
     Every key is always written: a value the shipment does not have is
     null (ship_to for DF, pallet_id of a carton on no pallet, a missing
     weight ...), a list it does not have is [] (cartons of a floor denial,
     pallets of a loose shipment). pallet_id is the pallet whose carton-ref
     names the carton. product_ids keeps the first id of each qualifier.
     Quantities, weights, dimensions, counts and line numbers are JSON
     numbers written digit for digit as the shipment has them (12.50 stays
     12.50; only leading zeros go: line 001 is 1); nothing is computed.
     The gateway passes partner and state as parameters; partner defaults
     to the envelope's. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:c="urn:wharf:canonical:1" xmlns:wharf="urn:wharf:map"
    xmlns="http://www.w3.org/2005/xpath-functions" exclude-result-prefixes="c wharf">
  <xsl:output method="xml" indent="yes"/>

  <!-- the pallet a carton is on, by the carton-refs that name it -->
  <xsl:key name="pallet-of-carton" match="c:pallets/c:pallet" use="c:carton-ref"/>

  <xsl:template match="/c:shipment">
    <map>
      <string key="type">shipment</string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'partner'"/>
        <xsl:with-param name="value" select="wharf:param('partner', string(c:envelope/c:partner))"/>
      </xsl:call-template>
      <string key="program"><xsl:value-of select="c:program"/></string>
      <string key="shipment_id"><xsl:value-of select="c:shipment-id"/></string>
      <string key="purpose"><xsl:value-of select="c:purpose"/></string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'state'"/>
        <xsl:with-param name="value" select="wharf:param('state', '')"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'shipped_date'"/>
        <xsl:with-param name="value" select="c:shipped-date"/>
      </xsl:call-template>
      <map key="ship_from">
        <xsl:call-template name="string">
          <xsl:with-param name="key" select="'party_id'"/>
          <xsl:with-param name="value" select="c:ship-from/c:id[1]"/>
        </xsl:call-template>
        <xsl:call-template name="string">
          <xsl:with-param name="key" select="'warehouse'"/>
          <xsl:with-param name="value" select="c:ship-from/c:warehouse-code"/>
        </xsl:call-template>
        <xsl:call-template name="string">
          <xsl:with-param name="key" select="'name'"/>
          <xsl:with-param name="value" select="c:ship-from/c:name"/>
        </xsl:call-template>
      </map>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'ship_to'"/>
        <xsl:with-param name="value" select="c:ship-to/c:id[1]"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'carrier_scac'"/>
        <xsl:with-param name="value" select="c:carrier/c:scac"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'bill_of_lading'"/>
        <xsl:with-param name="value" select="c:bill-of-lading"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'pro_number'"/>
        <xsl:with-param name="value" select="c:pro-number"/>
      </xsl:call-template>
      <array key="orders">
        <xsl:for-each select="c:orders/c:order">
          <map>
            <string key="po_number"><xsl:value-of select="c:po-number"/></string>
            <array key="lines">
              <xsl:for-each select="c:line">
                <map>
                  <xsl:call-template name="number">
                    <xsl:with-param name="key" select="'line_no'"/>
                    <xsl:with-param name="value" select="c:line-no"/>
                  </xsl:call-template>
                  <xsl:call-template name="product-ids"/>
                  <xsl:call-template name="number">
                    <xsl:with-param name="key" select="'shipped_quantity'"/>
                    <xsl:with-param name="value" select="c:shipped-quantity"/>
                  </xsl:call-template>
                  <string key="unit"><xsl:value-of select="c:shipped-quantity/@unit"/></string>
                </map>
              </xsl:for-each>
            </array>
          </map>
        </xsl:for-each>
      </array>
      <array key="cartons">
        <xsl:for-each select="c:cartons/c:carton">
          <map>
            <string key="carton_id"><xsl:value-of select="c:carton-id"/></string>
            <xsl:call-template name="string">
              <xsl:with-param name="key" select="'sscc'"/>
              <xsl:with-param name="value" select="c:identifier[@type = 'sscc'][1]"/>
            </xsl:call-template>
            <xsl:call-template name="string">
              <xsl:with-param name="key" select="'tracking_number'"/>
              <xsl:with-param name="value" select="c:tracking-number"/>
            </xsl:call-template>
            <xsl:call-template name="string">
              <xsl:with-param name="key" select="'pallet_id'"/>
              <xsl:with-param name="value" select="key('pallet-of-carton', c:carton-id)[1]/c:pallet-id"/>
            </xsl:call-template>
            <xsl:call-template name="measure">
              <xsl:with-param name="key" select="'weight'"/>
              <xsl:with-param name="m" select="c:weight"/>
            </xsl:call-template>
            <array key="items">
              <xsl:apply-templates select="c:item"/>
            </array>
          </map>
        </xsl:for-each>
      </array>
      <array key="pallets">
        <xsl:for-each select="c:pallets/c:pallet">
          <map>
            <string key="pallet_id"><xsl:value-of select="c:pallet-id"/></string>
            <xsl:call-template name="string">
              <xsl:with-param name="key" select="'sscc'"/>
              <xsl:with-param name="value" select="c:identifier[@type = 'sscc'][1]"/>
            </xsl:call-template>
            <xsl:call-template name="number">
              <xsl:with-param name="key" select="'tier'"/>
              <xsl:with-param name="value" select="c:tier"/>
            </xsl:call-template>
            <xsl:call-template name="number">
              <xsl:with-param name="key" select="'block'"/>
              <xsl:with-param name="value" select="c:block"/>
            </xsl:call-template>
            <xsl:call-template name="measure">
              <xsl:with-param name="key" select="'weight'"/>
              <xsl:with-param name="m" select="c:weight"/>
            </xsl:call-template>
            <xsl:choose>
              <xsl:when test="c:dimensions">
                <map key="dimensions">
                  <xsl:for-each select="c:dimensions/c:length | c:dimensions/c:width | c:dimensions/c:height">
                    <xsl:call-template name="number">
                      <xsl:with-param name="key" select="local-name()"/>
                      <xsl:with-param name="value" select="."/>
                    </xsl:call-template>
                  </xsl:for-each>
                  <string key="unit"><xsl:value-of select="c:dimensions/@unit"/></string>
                </map>
              </xsl:when>
              <xsl:otherwise><null key="dimensions"/></xsl:otherwise>
            </xsl:choose>
            <xsl:call-template name="number">
              <xsl:with-param name="key" select="'carton_count'"/>
              <xsl:with-param name="value" select="c:carton-count"/>
            </xsl:call-template>
            <array key="carton_ids">
              <xsl:for-each select="c:carton-ref">
                <string><xsl:value-of select="."/></string>
              </xsl:for-each>
            </array>
            <array key="items">
              <xsl:apply-templates select="c:item"/>
            </array>
          </map>
        </xsl:for-each>
      </array>
    </map>
  </xsl:template>

  <!-- one item of a carton or of a pallet of loose items -->
  <xsl:template match="c:item">
    <map>
      <string key="po_number"><xsl:value-of select="c:po-number"/></string>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'line_no'"/>
        <xsl:with-param name="value" select="c:line-no"/>
      </xsl:call-template>
      <xsl:call-template name="number">
        <xsl:with-param name="key" select="'quantity'"/>
        <xsl:with-param name="value" select="c:quantity"/>
      </xsl:call-template>
      <string key="unit"><xsl:value-of select="c:quantity/@unit"/></string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'lot'"/>
        <xsl:with-param name="value" select="c:lot"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'expiry_date'"/>
        <xsl:with-param name="value" select="c:expiry-date"/>
      </xsl:call-template>
    </map>
  </xsl:template>

  <!-- the line's ids by qualifier, the first of each (as order-to-erp-json) -->
  <xsl:template name="product-ids">
    <map key="product_ids">
      <xsl:for-each select="c:id[not(@qualifier = preceding-sibling::c:id/@qualifier)]">
        <string key="{@qualifier}"><xsl:value-of select="."/></string>
      </xsl:for-each>
    </map>
  </xsl:template>

  <!-- a string, or null when there is no value -->
  <xsl:template name="string">
    <xsl:param name="key"/>
    <xsl:param name="value"/>
    <xsl:choose>
      <xsl:when test="string($value) != ''">
        <string key="{$key}"><xsl:value-of select="$value"/></string>
      </xsl:when>
      <xsl:otherwise><null key="{$key}"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- a decimal string as a JSON number, its text unchanged but for leading
       zeros (JSON allows none); null when there is no value -->
  <xsl:template name="number">
    <xsl:param name="key"/>
    <xsl:param name="value"/>
    <xsl:variable name="v" select="normalize-space($value)"/>
    <xsl:choose>
      <xsl:when test="$v != ''">
        <number key="{$key}">
          <xsl:call-template name="strip-zeros">
            <xsl:with-param name="v" select="$v"/>
          </xsl:call-template>
        </number>
      </xsl:when>
      <xsl:otherwise><null key="{$key}"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="strip-zeros">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="starts-with($v, '0') and string-length($v) &gt; 1
                      and not(starts-with($v, '0.'))">
        <xsl:call-template name="strip-zeros">
          <xsl:with-param name="v" select="substring($v, 2)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- a weight (or other measure) as {"value", "unit"}, or null -->
  <xsl:template name="measure">
    <xsl:param name="key"/>
    <xsl:param name="m"/>
    <xsl:choose>
      <xsl:when test="$m">
        <map key="{$key}">
          <xsl:call-template name="number">
            <xsl:with-param name="key" select="'value'"/>
            <xsl:with-param name="value" select="$m"/>
          </xsl:call-template>
          <string key="unit"><xsl:value-of select="$m/@unit"/></string>
        </map>
      </xsl:when>
      <xsl:otherwise><null key="{$key}"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
