<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/shipment-to-spapi: a canonical <shipment> (program RP,
  schemas/canonical/shipment.xsd) to the body of the SP-API vendorShipments
  SubmitShipmentConfirmations operation, SubmitShipmentConfirmationsRequest,
  with one shipment confirmation.

  What it maps:
    shipment-id -> shipmentIdentifier; purpose -> shipmentConfirmationType
      (list spapi-confirmation-type: original Original, replace Replace);
      shipment-type -> shipmentType, shipment-structure ->
      shipmentStructure (lists spapi-shipment-type, spapi-shipment-structure;
      an @code that is an API value is echoed, an X12 one is not)
    carrier/scac, pro-number, transport-mode, bill-of-lading ->
      transportationDetails {carrierScac, carrierShipmentReferenceNumber,
      transportationMode (list spapi-transport-mode: rail has no API value
      and is left out), billOfLadingNumber}
    amazon-reference-number -> amazonReferenceNumber
    asn-date, shipped-date, estimated-delivery-date ->
      shipmentConfirmationDate, shippedDate, estimatedDeliveryDate (a plain
      date: the start of the day in the partner's time-zone parameter)
    selling-party, ship-from, ship-to -> sellingParty, shipFromParty,
      shipToParty: partyId = the id with qualifier 92; ship-from with its
      name and address (and tax registrations) when it has them
    totals -> shipmentMeasurements {grossShipmentWeight, shipmentVolume
      (lists spapi-weight-unit LB Lb, KG Kg, OZ Oz, GR G; spapi-volume-unit),
      cartonCount only when the shipment has no pallets, palletCount only
      when it has (SPEC: cartonCount "only for non-palletized shipments",
      palletCount "only for palletized shipments")}
    orders/order/line -> shippedItems[]: itemSequenceNumber (see below),
      amazonProductIdentifier (asin), vendorProductIdentifier (vendor-part,
      or parameter vendor-product-qualifier), shippedQuantity {amount,
      unitOfMeasure (list spapi-unit), unitSize}, itemDetails
      {purchaseOrderNumber and the line's lot, expiry, ... details}
    cartons/carton -> cartons[]: identifier -> cartonIdentifiers
      [{containerIdentificationType (list spapi-container-type),
      containerIdentificationNumber}], an SSCC written as AI "00" + the 18
      digits (parameter sscc-with-ai=false for the bare 18 digits);
      sequence-number -> cartonSequenceNumber (none: 001, 002 ... by
      position); dimensions (list spapi-dimension-unit), weight,
      tracking-number; item -> items[] {itemReference: the
      itemSequenceNumber of its shippedItems entry, shippedQuantity,
      itemDetails (purchaseOrderNumber when the shipment covers several
      POs; lot, expiry ...)}
    pallets/pallet -> pallets[]: identifier -> palletIdentifiers, tier,
      block, dimensions, weight, cartonReferenceDetails {cartonCount,
      cartonReferenceNumbers: the cartonSequenceNumber of each carton-ref},
      item -> items[] as for cartons
    item details (line, carton item, pallet item): lot -> lotNumber;
      lot-source -> lotNumberSourceReference with lotNumberSourceType
      (@code); country-of-origin; maximum-retail-price; handling ->
      handlingCode (list spapi-handling); manufacture-date, expiry-date,
      shelf-life -> expiry {manufacturerDate, expiryDate,
      expiryAfterDuration {durationUnit, durationValue}}
  itemSequenceNumber: the PO line number (line-no) as it is, which is what
  the carton and pallet items refer to; when two orders of the shipment
  share a line number (or with parameter item-sequence=own), every shipped
  item is numbered 001, 002 ... instead, in document order, so that the
  references stay unambiguous.

  Refused (a finding): not a shipment of program RP; purpose cancel or
  floor-denial (the RP API has neither); no selling-party, ship-from or
  ship-to id 92 (required by the model; a ship-from with only a
  warehouse-code needs the ship-from party mapping first); a carton or
  pallet item whose PO line is not in <orders>; a pallet without an
  identifier or with a carton-ref that names no carton; a quantity or count
  that is not a whole number; a unit or coded word not in its code list.

  SPEC: vendorShipments.json definitions SubmitShipmentConfirmationsRequest,
  ShipmentConfirmation, TransportationDetailsForShipmentConfirmation,
  PartyIdentification, Address, ShipmentMeasurements, Weight, Volume, Item,
  ItemQuantity, ItemDetails, Expiry, Duration, Money, Carton,
  ContainerIdentification (SSCC: "2 Digit Application Identifier (00)
  followed by unique 18-digit SSCC"), Dimensions, ContainerItem, Pallet,
  CartonReferenceDetails; its SubmitShipmentConfirmations sandbox request
  (the golden test sandbox.input.xml). RULES.md "SP-API": shipmentIdentifier
  unique for 365 days, shipFromParty and shipToParty required, carton
  identifiers and sequence numbers, pallets referencing cartons, Replace
  reuses the identifier. schemas/canonical/README.md: SSCCs are stored
  without the AI; maps add it.
  Not mapped: ItemQuantity.totalWeight (the canonical shipment line has no
  catch weight), importDetails (no canonical field yet).
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
  <xsl:variable name="sscc-with-ai" select="wharf:param('sscc-with-ai', 'true')"/>

  <xsl:key name="line" match="c:orders/c:order/c:line" use="concat(../c:po-number, '|', c:line-no)"/>
  <xsl:key name="line-no" match="c:orders/c:order/c:line" use="c:line-no"/>
  <xsl:key name="carton" match="c:cartons/c:carton" use="c:carton-id"/>

  <xsl:variable name="lines" select="$doc/c:orders/c:order/c:line"/>
  <!-- own numbering when line numbers repeat across the orders -->
  <xsl:variable name="own-sequence" select="wharf:param('item-sequence', 'line-no') = 'own' or $lines[count(key('line-no', c:line-no)) &gt; 1]"/>
  <xsl:variable name="several-orders" select="count($doc/c:orders/c:order) &gt; 1"/>

  <xsl:template match="/">
    <xsl:call-template name="check-doc">
      <xsl:with-param name="root" select="'shipment'"/>
      <xsl:with-param name="program" select="'RP'"/>
      <xsl:with-param name="other-map" select="'amazon-df/shipment-to-spapi'"/>
    </xsl:call-template>
    <xsl:variable name="purpose" select="normalize-space($doc/c:purpose)"/>
    <xsl:if test="$purpose != 'original' and $purpose != 'replace'">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$doc/c:shipment-id"/> has purpose <xsl:value-of select="$purpose"/>: the RP shipment confirmation is Original or Replace only</xsl:message>
    </xsl:if>
    <xsl:for-each select="$doc/c:cartons/c:carton/c:item | $doc/c:pallets/c:pallet/c:item">
      <xsl:if test="not(key('line', concat(c:po-number, '|', c:line-no)))">
        <xsl:message terminate="yes"><xsl:value-of select="local-name(..)"/><xsl:value-of select="concat(' ', ../c:carton-id, ../c:pallet-id)"/>: PO <xsl:value-of select="c:po-number"/> line <xsl:value-of select="c:line-no"/> is not a line of the shipment's &lt;orders&gt;</xsl:message>
      </xsl:if>
    </xsl:for-each>
    <xsl:for-each select="$doc/c:pallets/c:pallet">
      <xsl:if test="not(c:identifier)">
        <xsl:message terminate="yes">pallet <xsl:value-of select="c:pallet-id"/> has no identifier (SP-API palletIdentifiers is required)</xsl:message>
      </xsl:if>
      <xsl:for-each select="c:carton-ref[not(key('carton', .))]">
        <xsl:message terminate="yes">pallet <xsl:value-of select="../c:pallet-id"/>: carton-ref <xsl:value-of select="."/> names no carton</xsl:message>
      </xsl:for-each>
    </xsl:for-each>
    <map>
      <array key="shipmentConfirmations">
        <map>
          <string key="shipmentIdentifier"><xsl:value-of select="$doc/c:shipment-id"/></string>
          <string key="shipmentConfirmationType"><xsl:value-of select="wharf:lookup('spapi-confirmation-type', $purpose)"/></string>
          <xsl:for-each select="$doc/c:shipment-type">
            <string key="shipmentType"><xsl:call-template name="coded"><xsl:with-param name="node" select="."/><xsl:with-param name="list" select="'spapi-shipment-type'"/><xsl:with-param name="enum" select="' TruckLoad LessThanTruckLoad SmallParcel '"/></xsl:call-template></string>
          </xsl:for-each>
          <xsl:for-each select="$doc/c:shipment-structure">
            <string key="shipmentStructure"><xsl:call-template name="coded"><xsl:with-param name="node" select="."/><xsl:with-param name="list" select="'spapi-shipment-structure'"/><xsl:with-param name="enum" select="' PalletizedAssortmentCase LooseAssortmentCase PalletOfItems PalletizedStandardCase LooseStandardCase MasterPallet MasterCase '"/></xsl:call-template></string>
          </xsl:for-each>
          <xsl:call-template name="transportation"/>
          <xsl:call-template name="s"><xsl:with-param name="key" select="'amazonReferenceNumber'"/><xsl:with-param name="v" select="$doc/c:amazon-reference-number"/></xsl:call-template>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'shipmentConfirmationDate'"/><xsl:with-param name="v" select="$doc/c:asn-date"/></xsl:call-template>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'shippedDate'"/><xsl:with-param name="v" select="$doc/c:shipped-date"/></xsl:call-template>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'estimatedDeliveryDate'"/><xsl:with-param name="v" select="$doc/c:estimated-delivery-date"/></xsl:call-template>
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
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'shipToParty'"/>
            <xsl:with-param name="p" select="$doc/c:ship-to"/>
            <xsl:with-param name="what" select="'the shipment ship-to'"/>
          </xsl:call-template>
          <xsl:apply-templates select="$doc/c:totals"/>
          <array key="shippedItems">
            <xsl:apply-templates select="$lines"/>
          </array>
          <xsl:if test="$doc/c:cartons/c:carton">
            <array key="cartons">
              <xsl:apply-templates select="$doc/c:cartons/c:carton"/>
            </array>
          </xsl:if>
          <xsl:if test="$doc/c:pallets/c:pallet">
            <array key="pallets">
              <xsl:apply-templates select="$doc/c:pallets/c:pallet"/>
            </array>
          </xsl:if>
        </map>
      </array>
    </map>
  </xsl:template>

  <xsl:template name="transportation">
    <xsl:variable name="mode">
      <xsl:for-each select="$doc/c:transport-mode">
        <xsl:choose>
          <xsl:when test="contains(' Road Air Ocean ', concat(' ', @code, ' '))"><xsl:value-of select="@code"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="wharf:lookup('spapi-transport-mode', normalize-space(.), '')"/></xsl:otherwise>
        </xsl:choose>
      </xsl:for-each>
    </xsl:variable>
    <xsl:if test="string($doc/c:carrier/c:scac) != '' or string($doc/c:pro-number) != '' or $mode != '' or string($doc/c:bill-of-lading) != ''">
      <map key="transportationDetails">
        <xsl:call-template name="s"><xsl:with-param name="key" select="'carrierScac'"/><xsl:with-param name="v" select="$doc/c:carrier/c:scac"/></xsl:call-template>
        <xsl:call-template name="s"><xsl:with-param name="key" select="'carrierShipmentReferenceNumber'"/><xsl:with-param name="v" select="$doc/c:pro-number"/></xsl:call-template>
        <xsl:call-template name="s"><xsl:with-param name="key" select="'transportationMode'"/><xsl:with-param name="v" select="$mode"/></xsl:call-template>
        <xsl:call-template name="s"><xsl:with-param name="key" select="'billOfLadingNumber'"/><xsl:with-param name="v" select="$doc/c:bill-of-lading"/></xsl:call-template>
      </map>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:totals">
    <xsl:variable name="palletized" select="boolean($doc/c:pallets/c:pallet)"/>
    <xsl:if test="c:gross-weight or c:volume or (c:carton-count and not($palletized)) or (c:pallet-count and $palletized)">
      <map key="shipmentMeasurements">
        <xsl:for-each select="c:gross-weight">
          <xsl:call-template name="measure"><xsl:with-param name="key" select="'grossShipmentWeight'"/><xsl:with-param name="units" select="'spapi-weight-unit'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:for-each select="c:volume">
          <xsl:call-template name="measure"><xsl:with-param name="key" select="'shipmentVolume'"/><xsl:with-param name="units" select="'spapi-volume-unit'"/></xsl:call-template>
        </xsl:for-each>
        <xsl:if test="not($palletized)">
          <xsl:for-each select="c:carton-count">
            <xsl:call-template name="int"><xsl:with-param name="key" select="'cartonCount'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'totals carton-count'"/></xsl:call-template>
          </xsl:for-each>
        </xsl:if>
        <xsl:if test="$palletized">
          <xsl:for-each select="c:pallet-count">
            <xsl:call-template name="int"><xsl:with-param name="key" select="'palletCount'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'totals pallet-count'"/></xsl:call-template>
          </xsl:for-each>
        </xsl:if>
      </map>
    </xsl:if>
  </xsl:template>

  <!-- a measure (the context) as Weight / Volume {unitOfMeasure, value} -->
  <xsl:template name="measure">
    <xsl:param name="key"/>
    <xsl:param name="units"/>
    <map key="{$key}">
      <string key="unitOfMeasure"><xsl:value-of select="wharf:lookup($units, string(@unit))"/></string>
      <string key="value"><xsl:value-of select="wharf:dec(.)"/></string>
    </map>
  </xsl:template>

  <!-- SPEC: vendorShipments.json Dimensions.unitOfMeasure is In, Ft, Meter
       or Yard: centimetres and millimetres (what a packing list in metric
       gives) go out in metres -->
  <xsl:template match="c:dimensions">
    <xsl:variable name="per-metre" select="number(@unit = 'CM') * 100 + number(@unit = 'MM') * 1000"/>
    <map key="dimensions">
      <xsl:choose>
        <xsl:when test="$per-metre &gt; 0">
          <string key="length"><xsl:value-of select="format-number(c:length div $per-metre, '0.######')"/></string>
          <string key="width"><xsl:value-of select="format-number(c:width div $per-metre, '0.######')"/></string>
          <string key="height"><xsl:value-of select="format-number(c:height div $per-metre, '0.######')"/></string>
          <string key="unitOfMeasure">Meter</string>
        </xsl:when>
        <xsl:otherwise>
          <string key="length"><xsl:value-of select="wharf:dec(c:length)"/></string>
          <string key="width"><xsl:value-of select="wharf:dec(c:width)"/></string>
          <string key="height"><xsl:value-of select="wharf:dec(c:height)"/></string>
          <string key="unitOfMeasure"><xsl:value-of select="wharf:lookup('spapi-dimension-unit', string(@unit))"/></string>
        </xsl:otherwise>
      </xsl:choose>
    </map>
  </xsl:template>

  <!-- ============================ items ============================ -->

  <!-- the itemSequenceNumber of a shipment line (the context) -->
  <xsl:template name="item-sequence">
    <xsl:choose>
      <xsl:when test="$own-sequence">
        <xsl:value-of select="format-number(count(preceding::c:line[parent::c:order/parent::c:orders]) + 1, '000')"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="c:line-no"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="c:orders/c:order/c:line">
    <xsl:variable name="what" select="concat('PO ', ../c:po-number, ' line ', c:line-no)"/>
    <map>
      <string key="itemSequenceNumber"><xsl:call-template name="item-sequence"/></string>
      <xsl:call-template name="ids">
        <xsl:with-param name="ids" select="c:id"/>
        <xsl:with-param name="asin-key" select="'amazonProductIdentifier'"/>
        <xsl:with-param name="vendor-qualifier" select="$vendor-qualifier"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="qty">
        <xsl:with-param name="key" select="'shippedQuantity'"/>
        <xsl:with-param name="q" select="c:shipped-quantity"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="item-details">
        <xsl:with-param name="po" select="../c:po-number"/>
      </xsl:call-template>
    </map>
  </xsl:template>

  <!-- ItemDetails of a line or container item (the context) -->
  <xsl:template name="item-details">
    <xsl:param name="po" select="''"/>
    <xsl:if test="string($po) != '' or c:lot or c:lot-source or c:manufacture-date or c:expiry-date or c:shelf-life or c:country-of-origin or c:maximum-retail-price or c:handling">
      <map key="itemDetails">
        <xsl:call-template name="s"><xsl:with-param name="key" select="'purchaseOrderNumber'"/><xsl:with-param name="v" select="$po"/></xsl:call-template>
        <xsl:call-template name="s"><xsl:with-param name="key" select="'lotNumber'"/><xsl:with-param name="v" select="c:lot"/></xsl:call-template>
        <xsl:for-each select="c:lot-source">
          <string key="lotNumberSourceReference"><xsl:value-of select="."/></string>
          <xsl:call-template name="s"><xsl:with-param name="key" select="'lotNumberSourceType'"/><xsl:with-param name="v" select="@code"/></xsl:call-template>
        </xsl:for-each>
        <xsl:call-template name="s"><xsl:with-param name="key" select="'countryOfOrigin'"/><xsl:with-param name="v" select="c:country-of-origin"/></xsl:call-template>
        <xsl:if test="c:manufacture-date or c:expiry-date or c:shelf-life">
          <map key="expiry">
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'manufacturerDate'"/><xsl:with-param name="v" select="c:manufacture-date"/></xsl:call-template>
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'expiryDate'"/><xsl:with-param name="v" select="c:expiry-date"/></xsl:call-template>
            <xsl:for-each select="c:shelf-life">
              <map key="expiryAfterDuration">
                <string key="durationUnit"><xsl:value-of select="wharf:lookup('spapi-duration-unit', string(@unit))"/></string>
                <xsl:call-template name="int"><xsl:with-param name="key" select="'durationValue'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'shelf-life'"/></xsl:call-template>
              </map>
            </xsl:for-each>
          </map>
        </xsl:if>
        <xsl:call-template name="money"><xsl:with-param name="key" select="'maximumRetailPrice'"/><xsl:with-param name="m" select="c:maximum-retail-price"/></xsl:call-template>
        <xsl:for-each select="c:handling">
          <string key="handlingCode"><xsl:call-template name="coded"><xsl:with-param name="node" select="."/><xsl:with-param name="list" select="'spapi-handling'"/><xsl:with-param name="enum" select="' Oversized Fragile Food HandleWithCare '"/></xsl:call-template></string>
        </xsl:for-each>
      </map>
    </xsl:if>
  </xsl:template>

  <!-- a carton or pallet item (ContainerItem) -->
  <xsl:template match="c:item">
    <xsl:variable name="what" select="concat(local-name(..), ' ', ../c:carton-id, ../c:pallet-id, ' PO ', c:po-number, ' line ', c:line-no)"/>
    <map>
      <string key="itemReference">
        <xsl:for-each select="key('line', concat(c:po-number, '|', c:line-no))[1]">
          <xsl:call-template name="item-sequence"/>
        </xsl:for-each>
      </string>
      <xsl:call-template name="qty">
        <xsl:with-param name="key" select="'shippedQuantity'"/>
        <xsl:with-param name="q" select="c:quantity"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="item-details">
        <xsl:with-param name="po" select="c:po-number[$several-orders]"/>
      </xsl:call-template>
    </map>
  </xsl:template>

  <!-- ====================== cartons and pallets ====================== -->

  <xsl:template name="carton-sequence">
    <xsl:choose>
      <xsl:when test="string(c:sequence-number) != ''"><xsl:value-of select="c:sequence-number"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="format-number(count(preceding-sibling::c:carton) + 1, '000')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="identifiers">
    <xsl:param name="key"/>
    <xsl:if test="c:identifier">
      <array key="{$key}">
        <xsl:for-each select="c:identifier">
          <map>
            <string key="containerIdentificationType"><xsl:value-of select="wharf:lookup('spapi-container-type', string(@type))"/></string>
            <string key="containerIdentificationNumber">
              <xsl:if test="@type = 'sscc' and $sscc-with-ai != 'false'">00</xsl:if>
              <xsl:value-of select="."/>
            </string>
          </map>
        </xsl:for-each>
      </array>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:carton">
    <map>
      <xsl:call-template name="identifiers"><xsl:with-param name="key" select="'cartonIdentifiers'"/></xsl:call-template>
      <string key="cartonSequenceNumber"><xsl:call-template name="carton-sequence"/></string>
      <xsl:apply-templates select="c:dimensions"/>
      <xsl:for-each select="c:weight">
        <xsl:call-template name="measure"><xsl:with-param name="key" select="'weight'"/><xsl:with-param name="units" select="'spapi-weight-unit'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="s"><xsl:with-param name="key" select="'trackingNumber'"/><xsl:with-param name="v" select="c:tracking-number"/></xsl:call-template>
      <array key="items">
        <xsl:apply-templates select="c:item"/>
      </array>
    </map>
  </xsl:template>

  <xsl:template match="c:pallet">
    <map>
      <xsl:call-template name="identifiers"><xsl:with-param name="key" select="'palletIdentifiers'"/></xsl:call-template>
      <xsl:for-each select="c:tier">
        <xsl:call-template name="int"><xsl:with-param name="key" select="'tier'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'pallet tier'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="c:block">
        <xsl:call-template name="int"><xsl:with-param name="key" select="'block'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'pallet block'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="c:dimensions"/>
      <xsl:for-each select="c:weight">
        <xsl:call-template name="measure"><xsl:with-param name="key" select="'weight'"/><xsl:with-param name="units" select="'spapi-weight-unit'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:if test="c:carton-ref">
        <map key="cartonReferenceDetails">
          <xsl:for-each select="c:carton-count">
            <xsl:call-template name="int"><xsl:with-param name="key" select="'cartonCount'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'pallet carton-count'"/></xsl:call-template>
          </xsl:for-each>
          <array key="cartonReferenceNumbers">
            <xsl:for-each select="c:carton-ref">
              <string><xsl:for-each select="key('carton', .)[1]"><xsl:call-template name="carton-sequence"/></xsl:for-each></string>
            </xsl:for-each>
          </array>
        </map>
      </xsl:if>
      <xsl:if test="c:item">
        <array key="items">
          <xsl:apply-templates select="c:item"/>
        </array>
      </xsl:if>
    </map>
  </xsl:template>

</xsl:stylesheet>
