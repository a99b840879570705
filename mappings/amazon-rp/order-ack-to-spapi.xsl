<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/order-ack-to-spapi: a canonical <order-ack> (program RP,
  schemas/canonical/order-ack.xsd) to the body of the SP-API vendorOrders
  submitAcknowledgement operation, SubmitAcknowledgementRequest, with one
  acknowledgement (the document's order).

  What it maps:
    po-number -> purchaseOrderNumber; selling-party (id qualifier 92) ->
      sellingParty.partyId; ack-date -> acknowledgementDate (a plain date
      becomes the start of that day in the partner's time-zone parameter)
    every line -> items[]: line-no -> itemSequenceNumber (as the PO gave
      it); the ids -> amazonProductIdentifier (asin) and
      vendorProductIdentifier (vendor-part, or the qualifier in parameter
      vendor-product-qualifier), exactly as on the PO; ordered-quantity ->
      orderedQuantity {amount, unitOfMeasure (list spapi-unit: EA Eaches,
      CA Cases), unitSize}; unit-cost -> netCost {currencyCode, amount,
      unitOfMeasure for @per}; list-price -> listPrice; discount-multiplier
      -> discountMultiplier
    every item-status -> itemAcknowledgements[]: status ->
      acknowledgementCode (list spapi-ack-code: Accepted, Backordered,
      Rejected; the X12 code in @code is not an API value and is not
      echoed); quantity -> acknowledgedQuantity; scheduled-ship-date /
      scheduled-delivery-date -> scheduledShipDate / scheduledDeliveryDate;
      reason of a rejected quantity -> rejectionReason (list
      spapi-rejection-reason; "other" has no API value and sends none)
    Money currencyCode: the price's @currency, else the partner parameter
      "currency"; an order-ack has no currency of its own, and the model
      does not require one (the sandbox request sends none).

  Refused (a finding): not an order-ack of program RP; no selling-party id
  92; a line without unit-cost (RULES.md: the cost is mandatory even for
  backorders and rejections); a line whose item-status quantities add up to
  more than its ordered quantity or are in another unit; a quantity that is
  not a whole number; a unit, status or reason word not in its code list; a
  backordered quantity without a scheduled-ship-date (scheduledShipDate).
  The other business rules (every PO line present, ids and cost as on the
  PO, a rejected line never accepted later, backorders only where allowed)
  need the order and are checked before the map runs.

  SPEC: vendorOrders.json definitions SubmitAcknowledgementRequest,
  OrderAcknowledgement, OrderAcknowledgementItem, OrderItemAcknowledgement,
  ItemQuantity, Money; its submitAcknowledgement sandbox request (the golden
  test sandbox.input.xml gives the same JSON). RULES.md "855 acknowledgment"
  (RP): quantities split into Accepted / Backordered / Rejected and never
  exceed the ordered quantity; the unit cost is mandatory; the product id
  is the one the PO sent.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="c wharf">

  <xsl:import href="spapi-out-common.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="vendor-qualifier" select="wharf:param('vendor-product-qualifier', 'vendor-part')"/>

  <xsl:template match="/">
    <xsl:call-template name="check-doc">
      <xsl:with-param name="root" select="'order-ack'"/>
      <xsl:with-param name="program" select="'RP'"/>
      <xsl:with-param name="other-map" select="'amazon-df/order-ack-to-spapi'"/>
    </xsl:call-template>
    <xsl:apply-templates select="$doc/c:lines/c:line" mode="check"/>
    <map>
      <array key="acknowledgements">
        <map>
          <string key="purchaseOrderNumber"><xsl:value-of select="$doc/c:po-number"/></string>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'sellingParty'"/>
            <xsl:with-param name="p" select="$doc/c:selling-party"/>
            <xsl:with-param name="what" select="'the order-ack selling-party'"/>
            <xsl:with-param name="with-address" select="false()"/>
            <xsl:with-param name="with-tax" select="false()"/>
          </xsl:call-template>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'acknowledgementDate'"/><xsl:with-param name="v" select="$doc/c:ack-date"/></xsl:call-template>
          <array key="items">
            <xsl:apply-templates select="$doc/c:lines/c:line"/>
          </array>
        </map>
      </array>
    </map>
  </xsl:template>

  <xsl:template match="c:line" mode="check">
    <xsl:if test="not(c:unit-cost)">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> has no unit-cost: Amazon requires the net cost on every acknowledged line, even backordered or rejected</xsl:message>
    </xsl:if>
    <xsl:if test="c:item-status/c:quantity[@unit != current()/c:ordered-quantity/@unit]">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/>: an item-status quantity is not in the ordered unit <xsl:value-of select="c:ordered-quantity/@unit"/></xsl:message>
    </xsl:if>
    <xsl:if test="wharf:cmp(wharf:sum(c:item-status/c:quantity), c:ordered-quantity) &gt; 0">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/>: the item-status quantities add up to <xsl:value-of select="wharf:sum(c:item-status/c:quantity)"/>, more than the <xsl:value-of select="c:ordered-quantity"/> ordered</xsl:message>
    </xsl:if>
    <!-- SPEC: vendorOrders.json OrderItemAcknowledgement.scheduledShipDate: a backorder says when it ships -->
    <xsl:if test="c:item-status[c:status = 'backordered' and string(c:scheduled-ship-date) = '']">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/>: backordered without a scheduled-ship-date: Amazon needs scheduledShipDate on a Backordered acknowledgement</xsl:message>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:line">
    <xsl:variable name="what" select="concat('line ', c:line-no)"/>
    <map>
      <string key="itemSequenceNumber"><xsl:value-of select="c:line-no"/></string>
      <xsl:call-template name="ids">
        <xsl:with-param name="ids" select="c:id"/>
        <xsl:with-param name="asin-key" select="'amazonProductIdentifier'"/>
        <xsl:with-param name="vendor-qualifier" select="$vendor-qualifier"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="qty">
        <xsl:with-param name="key" select="'orderedQuantity'"/>
        <xsl:with-param name="q" select="c:ordered-quantity"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="money"><xsl:with-param name="key" select="'netCost'"/><xsl:with-param name="m" select="c:unit-cost"/><xsl:with-param name="per" select="'unitOfMeasure'"/></xsl:call-template>
      <xsl:call-template name="money"><xsl:with-param name="key" select="'listPrice'"/><xsl:with-param name="m" select="c:list-price"/><xsl:with-param name="per" select="'unitOfMeasure'"/></xsl:call-template>
      <xsl:call-template name="s"><xsl:with-param name="key" select="'discountMultiplier'"/><xsl:with-param name="v" select="c:discount-multiplier"/></xsl:call-template>
      <array key="itemAcknowledgements">
        <xsl:for-each select="c:item-status">
          <xsl:variable name="code" select="wharf:lookup('spapi-ack-code', normalize-space(c:status))"/>
          <map>
            <string key="acknowledgementCode"><xsl:value-of select="$code"/></string>
            <xsl:call-template name="qty">
              <xsl:with-param name="key" select="'acknowledgedQuantity'"/>
              <xsl:with-param name="q" select="c:quantity"/>
              <xsl:with-param name="what" select="concat($what, ' ', c:status)"/>
            </xsl:call-template>
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'scheduledShipDate'"/><xsl:with-param name="v" select="c:scheduled-ship-date"/></xsl:call-template>
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'scheduledDeliveryDate'"/><xsl:with-param name="v" select="c:scheduled-delivery-date"/></xsl:call-template>
            <xsl:if test="$code = 'Rejected' and string(c:reason) != ''">
              <xsl:call-template name="s"><xsl:with-param name="key" select="'rejectionReason'"/><xsl:with-param name="v" select="wharf:lookup('spapi-rejection-reason', normalize-space(c:reason), '')"/></xsl:call-template>
            </xsl:if>
          </map>
        </xsl:for-each>
      </array>
    </map>
  </xsl:template>

</xsl:stylesheet>
