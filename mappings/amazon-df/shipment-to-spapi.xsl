<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/shipment-to-spapi: a canonical <shipment> (program DF,
  schemas/canonical/shipment.xsd) to the body of the SP-API
  vendorDirectFulfillmentShipping 2021-12-28 submitShipmentConfirmations
  operation, SubmitShipmentConfirmationsRequest, with one confirmation: a DF
  shipment covers one order (one Ship ID).

  What it maps:
    orders/order/po-number (the Ship ID) -> purchaseOrderNumber
    shipmentDetails: shipped-date (else the first carton's shipped-date) ->
      shippedDate; purpose -> shipmentStatus (original and replace SHIPPED,
      floor-denial FLOOR_DENIAL); priority-shipment -> isPriorityShipment;
      vendor-order-number -> vendorOrderNumber; estimated-delivery-date ->
      estimatedDeliveryDate. Plain dates become the start of the day in the
      partner's time-zone parameter.
    selling-party, ship-from (id qualifier 92: vendor code, warehouse code)
      -> sellingParty, shipFromParty (with address and tax registrations
      when the party has them)
    orders/order/line -> items[]: line-no -> itemSequenceNumber (an integer
      in this model: "00001" goes out as 1); ids -> buyerProductIdentifier
      (asin) and vendorProductIdentifier (sku, or parameter
      vendor-product-qualifier); shipped-quantity -> shippedQuantity
      {amount, unitOfMeasure Each (list spapi-df-unit)}
    cartons/carton (each package) -> containers[]: containerType Carton;
      carton-id -> containerIdentifier; tracking-number, manifest-id,
      manifest-date; carrier/ship-method -> shipMethod, carrier/scac ->
      scacCode, carrier/name -> carrier; sequence-number ->
      containerSequenceNumber, only when one line is packed in more than one
      package (SPEC: "must be submitted for multi-box shipments only, where
      one item may come in separate packages"); dimensions (list
      spapi-df-dimension-unit: IN, CM); weight (list spapi-df-weight-unit:
      KG, LB); item -> packedItems[] {itemSequenceNumber,
      buyerProductIdentifier (else vendorProductIdentifier: the model wants
      one of them, the sandbox sends the ASIN), pieceNumber,
      packedQuantity}
  A floor denial ships nothing: items carry shipped quantity 0 and there
  are no containers.

  Refused (a finding): not a shipment of program DF; more or fewer than one
  order; purpose cancel; no shipped date; no selling-party or ship-from id
  92; a package without weight or ship method (the model requires weight;
  shipMethod "is required when calling the submitShipmentConfirmations
  operation"); a floor denial with cartons; a package item whose line is
  not in <orders>; a line number, quantity or count that is not a whole
  number; a unit not in its code list.

  SPEC: vendorDirectFulfillmentShipping_2021-12-28.json definitions
  SubmitShipmentConfirmationsRequest, ShipmentConfirmation, ShipmentDetails,
  PartyIdentification, Item, ItemQuantity, Container (containerType enum
  Carton, Pallet), Dimensions, Weight, PackedItem. The 2021-12-28 model has
  no static sandbox example; the golden test sandbox.input.xml reproduces
  the submitShipmentConfirmations sandbox request of
  vendorDirectFulfillmentShippingV1.json, which has the same shape except
  that v1 writes containerType "carton" (the 2021-12-28 enum says Carton:
  RULES.md "SP-API", emit exactly). RULES.md "856 ship notice" (DF) and
  "SP-API": every line ships in full or the whole order is a floor denial;
  package ids and tracking numbers unique per package; due within 4 hours
  of shipping.
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
      <xsl:with-param name="root" select="'shipment'"/>
      <xsl:with-param name="program" select="'DF'"/>
      <xsl:with-param name="other-map" select="'amazon-rp/shipment-to-spapi'"/>
    </xsl:call-template>
    <xsl:variable name="order" select="$doc/c:orders/c:order"/>
    <xsl:variable name="purpose" select="normalize-space($doc/c:purpose)"/>
    <xsl:variable name="shipped" select="($doc/c:shipped-date | $doc/c:cartons/c:carton/c:shipped-date)[1]"/>
    <xsl:if test="count($order) != 1">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$doc/c:shipment-id"/> covers <xsl:value-of select="count($order)"/> orders: a DF ship confirmation is for one order (one Ship ID)</xsl:message>
    </xsl:if>
    <xsl:if test="$purpose != 'original' and $purpose != 'replace' and $purpose != 'floor-denial'">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$doc/c:shipment-id"/> has purpose <xsl:value-of select="$purpose"/>: the DF shipment status is SHIPPED or FLOOR_DENIAL only</xsl:message>
    </xsl:if>
    <xsl:if test="$purpose = 'floor-denial' and $doc/c:cartons/c:carton">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$doc/c:shipment-id"/> is a floor denial but lists packages</xsl:message>
    </xsl:if>
    <xsl:if test="string($shipped) = ''">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$doc/c:shipment-id"/> has no shipped-date (SP-API shipmentDetails.shippedDate is required)</xsl:message>
    </xsl:if>
    <xsl:for-each select="$doc/c:cartons/c:carton">
      <xsl:if test="not(c:weight)">
        <xsl:message terminate="yes">package <xsl:value-of select="c:carton-id"/> has no weight (SP-API containers[].weight is required)</xsl:message>
      </xsl:if>
      <xsl:if test="string(c:carrier/c:ship-method) = ''">
        <xsl:message terminate="yes">package <xsl:value-of select="c:carton-id"/> has no carrier/ship-method (SP-API containers[].shipMethod is required for ship confirmations)</xsl:message>
      </xsl:if>
      <xsl:for-each select="c:item[not(c:line-no = $order/c:line/c:line-no) or c:po-number != $order/c:po-number]">
        <xsl:message terminate="yes">package <xsl:value-of select="../c:carton-id"/>: PO <xsl:value-of select="c:po-number"/> line <xsl:value-of select="c:line-no"/> is not a line of the shipment's order</xsl:message>
      </xsl:for-each>
    </xsl:for-each>
    <!-- a line in more than one package makes a multi-box shipment -->
    <xsl:variable name="multi-box">
      <xsl:for-each select="$doc/c:cartons/c:carton/c:item">
        <xsl:if test="count($doc/c:cartons/c:carton[c:item/c:line-no = current()/c:line-no]) &gt; 1">x</xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <map>
      <array key="shipmentConfirmations">
        <map>
          <string key="purchaseOrderNumber"><xsl:value-of select="$order/c:po-number"/></string>
          <map key="shipmentDetails">
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'shippedDate'"/><xsl:with-param name="v" select="$shipped"/></xsl:call-template>
            <string key="shipmentStatus">
              <xsl:choose>
                <xsl:when test="$purpose = 'floor-denial'">FLOOR_DENIAL</xsl:when>
                <xsl:otherwise>SHIPPED</xsl:otherwise>
              </xsl:choose>
            </string>
            <xsl:for-each select="$doc/c:priority-shipment">
              <boolean key="isPriorityShipment"><xsl:value-of select="normalize-space(.) = 'true' or normalize-space(.) = '1'"/></boolean>
            </xsl:for-each>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'vendorOrderNumber'"/><xsl:with-param name="v" select="$doc/c:vendor-order-number"/></xsl:call-template>
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'estimatedDeliveryDate'"/><xsl:with-param name="v" select="$doc/c:estimated-delivery-date"/></xsl:call-template>
          </map>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'sellingParty'"/>
            <xsl:with-param name="p" select="$doc/c:selling-party"/>
            <xsl:with-param name="what" select="'the shipment selling-party'"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'shipFromParty'"/>
            <xsl:with-param name="p" select="$doc/c:ship-from"/>
            <xsl:with-param name="what" select="'the shipment ship-from'"/>
          </xsl:call-template>
          <array key="items">
            <xsl:for-each select="$order/c:line">
              <xsl:variable name="what" select="concat('line ', c:line-no)"/>
              <map>
                <xsl:call-template name="int"><xsl:with-param name="key" select="'itemSequenceNumber'"/><xsl:with-param name="v" select="c:line-no"/><xsl:with-param name="what" select="concat($what, ' number')"/></xsl:call-template>
                <xsl:call-template name="ids">
                  <xsl:with-param name="ids" select="c:id"/>
                  <xsl:with-param name="asin-key" select="'buyerProductIdentifier'"/>
                  <xsl:with-param name="vendor-qualifier" select="$vendor-qualifier"/>
                  <xsl:with-param name="what" select="$what"/>
                </xsl:call-template>
                <xsl:call-template name="qty">
                  <xsl:with-param name="key" select="'shippedQuantity'"/>
                  <xsl:with-param name="q" select="c:shipped-quantity"/>
                  <xsl:with-param name="units" select="'spapi-df-unit'"/>
                  <xsl:with-param name="with-size" select="false()"/>
                  <xsl:with-param name="what" select="$what"/>
                </xsl:call-template>
              </map>
            </xsl:for-each>
          </array>
          <xsl:if test="$doc/c:cartons/c:carton">
            <array key="containers">
              <xsl:for-each select="$doc/c:cartons/c:carton">
                <xsl:variable name="what" select="concat('package ', c:carton-id)"/>
                <map>
                  <string key="containerType">Carton</string>
                  <string key="containerIdentifier"><xsl:value-of select="c:carton-id"/></string>
                  <xsl:call-template name="s"><xsl:with-param name="key" select="'trackingNumber'"/><xsl:with-param name="v" select="c:tracking-number"/></xsl:call-template>
                  <xsl:call-template name="s"><xsl:with-param name="key" select="'manifestId'"/><xsl:with-param name="v" select="c:manifest-id"/></xsl:call-template>
                  <xsl:call-template name="dt"><xsl:with-param name="key" select="'manifestDate'"/><xsl:with-param name="v" select="c:manifest-date"/></xsl:call-template>
                  <string key="shipMethod"><xsl:value-of select="c:carrier/c:ship-method"/></string>
                  <xsl:call-template name="s"><xsl:with-param name="key" select="'scacCode'"/><xsl:with-param name="v" select="c:carrier/c:scac"/></xsl:call-template>
                  <xsl:call-template name="s"><xsl:with-param name="key" select="'carrier'"/><xsl:with-param name="v" select="c:carrier/c:name"/></xsl:call-template>
                  <xsl:if test="$multi-box != '' and string(c:sequence-number) != ''">
                    <xsl:call-template name="int"><xsl:with-param name="key" select="'containerSequenceNumber'"/><xsl:with-param name="v" select="c:sequence-number"/><xsl:with-param name="what" select="concat($what, ' sequence-number')"/></xsl:call-template>
                  </xsl:if>
                  <xsl:for-each select="c:dimensions">
                    <map key="dimensions">
                      <string key="length"><xsl:value-of select="wharf:dec(c:length)"/></string>
                      <string key="width"><xsl:value-of select="wharf:dec(c:width)"/></string>
                      <string key="height"><xsl:value-of select="wharf:dec(c:height)"/></string>
                      <string key="unitOfMeasure"><xsl:value-of select="wharf:lookup('spapi-df-dimension-unit', string(@unit))"/></string>
                    </map>
                  </xsl:for-each>
                  <xsl:for-each select="c:weight">
                    <map key="weight">
                      <string key="unitOfMeasure"><xsl:value-of select="wharf:lookup('spapi-df-weight-unit', string(@unit))"/></string>
                      <string key="value"><xsl:value-of select="wharf:dec(.)"/></string>
                    </map>
                  </xsl:for-each>
                  <array key="packedItems">
                    <xsl:for-each select="c:item">
                      <map>
                        <xsl:call-template name="int"><xsl:with-param name="key" select="'itemSequenceNumber'"/><xsl:with-param name="v" select="c:line-no"/><xsl:with-param name="what" select="concat($what, ' line number')"/></xsl:call-template>
                        <xsl:choose>
                          <xsl:when test="c:id[@qualifier = 'asin']">
                            <string key="buyerProductIdentifier"><xsl:value-of select="c:id[@qualifier = 'asin'][1]"/></string>
                          </xsl:when>
                          <xsl:when test="c:id[@qualifier = $vendor-qualifier]">
                            <string key="vendorProductIdentifier"><xsl:value-of select="c:id[@qualifier = $vendor-qualifier][1]"/></string>
                          </xsl:when>
                          <xsl:otherwise>
                            <xsl:message terminate="yes"><xsl:value-of select="$what"/> line <xsl:value-of select="c:line-no"/> has neither an asin nor a <xsl:value-of select="$vendor-qualifier"/> id</xsl:message>
                          </xsl:otherwise>
                        </xsl:choose>
                        <xsl:for-each select="c:piece-number">
                          <xsl:call-template name="int"><xsl:with-param name="key" select="'pieceNumber'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="concat($what, ' piece-number')"/></xsl:call-template>
                        </xsl:for-each>
                        <xsl:call-template name="qty">
                          <xsl:with-param name="key" select="'packedQuantity'"/>
                          <xsl:with-param name="q" select="c:quantity"/>
                          <xsl:with-param name="units" select="'spapi-df-unit'"/>
                          <xsl:with-param name="with-size" select="false()"/>
                          <xsl:with-param name="what" select="concat($what, ' line ', c:line-no)"/>
                        </xsl:call-template>
                      </map>
                    </xsl:for-each>
                  </array>
                </map>
              </xsl:for-each>
            </array>
          </xsl:if>
        </map>
      </array>
    </map>
  </xsl:template>

</xsl:stylesheet>
