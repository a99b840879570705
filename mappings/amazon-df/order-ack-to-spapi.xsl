<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/order-ack-to-spapi: a canonical <order-ack> (program DF,
  schemas/canonical/order-ack.xsd) to the body of the SP-API
  vendorDirectFulfillmentOrders 2021-12-28 submitAcknowledgement operation,
  SubmitAcknowledgementRequest, with one orderAcknowledgements entry.

  What it maps:
    po-number (the Ship ID) -> purchaseOrderNumber; vendor-order-number ->
      vendorOrderNumber; ack-date -> acknowledgementDate (a plain date: the
      start of the day in the partner's time-zone parameter)
    order-status/code -> acknowledgementStatus.code, unchanged, and
      acknowledgementStatus.description from code list spapi-df-status
      (Amazon's text for the code; a code not in the list refuses the
      document). The canonical description is for the ERP user and is not
      sent.
    selling-party, ship-from (id qualifier 92) -> sellingParty,
      shipFromParty (partyId only)
    every line -> itemAcknowledgements[]: line-no -> itemSequenceNumber;
      ids -> buyerProductIdentifier (asin) and vendorProductIdentifier (sku,
      or parameter vendor-product-qualifier); the item-status quantity ->
      acknowledgedQuantity {amount, unitOfMeasure Each (list spapi-df-unit)}

  Refused (a finding): not an order-ack of program DF; no order-status, no
  vendor-order-number, no selling-party or ship-from id 92 (the model
  requires them); fill-or-kill broken: a line with other than one
  item-status, code 00 with a line not accepted in full, another code with
  a line accepted; a quantity that is not a whole number or not in a DF
  unit.

  SPEC: vendorDirectFulfillmentOrders_2021-12-28.json definitions
  SubmitAcknowledgementRequest, OrderAcknowledgementItem,
  AcknowledgementStatus, OrderItemAcknowledgement, ItemQuantity (Each). The
  2021-12-28 model has no static sandbox example; the golden test
  sandbox.input.xml reproduces the submitAcknowledgement sandbox request of
  vendorDirectFulfillmentOrdersV1.json, whose body has the same shape.
  RULES.md "855 acknowledgment" (DF): fill-or-kill, one status for the
  whole order, an ack is due even when every line is invalid.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="c wharf">

  <xsl:import href="../amazon-rp/spapi-out-common.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="vendor-qualifier" select="wharf:param('vendor-product-qualifier', 'sku')"/>

  <xsl:template match="/">
    <xsl:call-template name="check-doc">
      <xsl:with-param name="root" select="'order-ack'"/>
      <xsl:with-param name="program" select="'DF'"/>
      <xsl:with-param name="other-map" select="'amazon-rp/order-ack-to-spapi'"/>
    </xsl:call-template>
    <xsl:variable name="code" select="string($doc/c:order-status/c:code)"/>
    <xsl:if test="$code = ''">
      <xsl:message terminate="yes">the DF order-ack has no order-status code (acknowledgementStatus is required: 00 to ship, a cancellation code otherwise)</xsl:message>
    </xsl:if>
    <xsl:if test="string($doc/c:vendor-order-number) = ''">
      <xsl:message terminate="yes">the DF order-ack has no vendor-order-number (SP-API vendorOrderNumber is required)</xsl:message>
    </xsl:if>
    <xsl:variable name="description" select="wharf:lookup('spapi-df-status', $code, '')"/>
    <xsl:if test="$description = ''">
      <xsl:message terminate="yes">DF order-status code '<xsl:value-of select="$code"/>' is not in code list 'spapi-df-status'</xsl:message>
    </xsl:if>
    <xsl:for-each select="$doc/c:lines/c:line">
      <xsl:if test="count(c:item-status) != 1">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> has <xsl:value-of select="count(c:item-status)"/> item-status: a DF line has one (fill-or-kill)</xsl:message>
      </xsl:if>
      <xsl:if test="$code = '00' and (normalize-space(c:item-status/c:status) != 'accepted' or wharf:cmp(c:item-status/c:quantity, c:ordered-quantity) != 0)">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> is <xsl:value-of select="c:item-status/c:status"/> <xsl:value-of select="concat(' ', c:item-status/c:quantity, ' of ', c:ordered-quantity)"/> but the order status is 00 (shipping 100 percent): DF is fill-or-kill</xsl:message>
      </xsl:if>
      <xsl:if test="$code != '00' and normalize-space(c:item-status/c:status) = 'accepted'">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> is accepted but the order status is <xsl:value-of select="$code"/> (cancelled): DF is fill-or-kill, every line follows the order status</xsl:message>
      </xsl:if>
    </xsl:for-each>
    <map>
      <array key="orderAcknowledgements">
        <map>
          <string key="purchaseOrderNumber"><xsl:value-of select="$doc/c:po-number"/></string>
          <string key="vendorOrderNumber"><xsl:value-of select="$doc/c:vendor-order-number"/></string>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'acknowledgementDate'"/><xsl:with-param name="v" select="$doc/c:ack-date"/></xsl:call-template>
          <map key="acknowledgementStatus">
            <string key="code"><xsl:value-of select="$code"/></string>
            <string key="description"><xsl:value-of select="$description"/></string>
          </map>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'sellingParty'"/>
            <xsl:with-param name="p" select="$doc/c:selling-party"/>
            <xsl:with-param name="what" select="'the order-ack selling-party'"/>
            <xsl:with-param name="with-address" select="false()"/>
            <xsl:with-param name="with-tax" select="false()"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'shipFromParty'"/>
            <xsl:with-param name="p" select="$doc/c:ship-from"/>
            <xsl:with-param name="what" select="'the order-ack ship-from'"/>
            <xsl:with-param name="with-address" select="false()"/>
            <xsl:with-param name="with-tax" select="false()"/>
          </xsl:call-template>
          <array key="itemAcknowledgements">
            <xsl:for-each select="$doc/c:lines/c:line">
              <map>
                <string key="itemSequenceNumber"><xsl:value-of select="c:line-no"/></string>
                <xsl:call-template name="ids">
                  <xsl:with-param name="ids" select="c:id"/>
                  <xsl:with-param name="asin-key" select="'buyerProductIdentifier'"/>
                  <xsl:with-param name="vendor-qualifier" select="$vendor-qualifier"/>
                  <xsl:with-param name="what" select="concat('line ', c:line-no)"/>
                </xsl:call-template>
                <xsl:call-template name="qty">
                  <xsl:with-param name="key" select="'acknowledgedQuantity'"/>
                  <xsl:with-param name="q" select="c:item-status/c:quantity"/>
                  <xsl:with-param name="units" select="'spapi-df-unit'"/>
                  <xsl:with-param name="with-size" select="false()"/>
                  <xsl:with-param name="what" select="concat('line ', c:line-no)"/>
                </xsl:call-template>
              </map>
            </xsl:for-each>
          </array>
        </map>
      </array>
    </map>
  </xsl:template>

</xsl:stylesheet>
