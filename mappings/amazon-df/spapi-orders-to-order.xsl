<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/spapi-orders-to-order: an Amazon Direct Fulfillment order from
  the SP-API (vendorDirectFulfillmentOrders 2021-12-28, getOrder or
  getOrders) to a canonical <order> (schemas/canonical/order.xsd), program
  DF.

  It imports amazon-rp/spapi-orders-to-order.xsl for what the two programs
  share (finding the one order in the response, parties and addresses,
  money, quantities, dates: see its comment) and replaces the order itself.

  Input (the W3C XML representation of JSON), any of:
    the Order object {purchaseOrderNumber, orderDetails}: the getOrder
      response (2021-12-28 returns the object itself);
    {"payload": Order} (the v1 getOrder response);
    a getOrders response {"orders": [Order]} or {"payload": {"orders":
      [Order]}} holding exactly one order (a list of several is refused:
      the caller maps each orders[i] on its own).

  What it maps:
    purchaseOrderNumber (the Ship ID) -> po-number
    orderDetails: orderDate -> order-date; orderStatus -> state (list
      spapi-df-order-status, value in @code), CANCELLED also purpose
      "cancel" (else "original"); type "dropship" (the API has no type);
      customerOrderNumber -> customer-order-number
    sellingParty -> selling-party; shipFromParty (the warehouse code) ->
      ship-from <id qualifier="92">; billToParty -> bill-to (with its
      address and taxInfo); shipToParty (an Address: the consumer) ->
      ship-to with name, attention and the address exactly as sent, no id
    shipmentDetails: shipmentDates.requiredShipDate / promisedDeliveryDate
      -> required-ship-date / promised-delivery-date; shipMethod ->
      carrier/ship-method; isPriorityShipment, isScheduledDeliveryShipment,
      isPslipRequired, isGift -> priority-shipment,
      scheduled-delivery-shipment, packing-slip-required, is-gift (as sent,
      true or false); messageToCustomer -> message-to-customer
    hasCustomizableItems -> has-customizable-items
    taxTotal.taxLineItem[] -> taxes (type through spapi-tax-type, @code the
      API value; no type: "total"), the rate see below
    items[]: itemSequenceNumber -> line-no (unchanged: "00001" stays);
      buyerProductIdentifier -> <id qualifier="asin">;
      vendorProductIdentifier -> <id qualifier="sku"> (parameter
      vendor-product-qualifier for another); title -> description;
      orderedQuantity (list spapi-df-unit: Each / EACH = EA) ->
      ordered-quantity; netPrice -> unit-cost; totalPrice -> total-price;
      scheduledDeliveryShipment -> scheduled-delivery; giftDetails -> gift
      (message, wrap-id); buyerCustomizedInfo.customizedUrl ->
      customized-url (the base64 text as sent); taxDetails.taxLineItem[] ->
      taxes
    header gift: when every item carries the same giftMessage, it is also
      the order's gift message (what an X12 850 gives as N9*L1), so an ERP
      that reads only the header gets it; the lines keep theirs.
    currency: the first netPrice (else totalPrice, tax amount) currencyCode;
      none: the partner parameter "currency" (default USD).
  Tax rates: the DF examples send taxRate as a fraction (getOrder example:
  taxRate 0.1 for a tax of 50 on 500); the canonical rate is a percent, so
  the rate is multiplied by 100 exactly (wharf:mul: 0.1 becomes 10.0). The
  partner parameter tax-rate=percent keeps it as sent.

  Refused (a finding): as the RP map (an error response, a list of several
  orders, no orderDetails, no items, an item without itemSequenceNumber or
  any product id, a quantity that is not a whole number, a unit, status or
  tax type not in its list, an amount that is not a decimal), and an RP
  order (orderDetails.purchaseOrderDate), an order without
  customerOrderNumber, orderDate, shipFromParty.partyId or a ship-to
  address line.

  SPEC: vendorDirectFulfillmentOrders_2021-12-28.json definitions Order,
  OrderDetails, ShipmentDetails, ShipmentDates, Address, PartyIdentification,
  OrderItem, ItemQuantity (Each), GiftDetails, ScheduledDeliveryShipment,
  TaxItemDetails / TaxDetails, buyerCustomizedInfoDetail; its getOrder
  response example. RULES.md "850 purchase order" (DF): the Ship ID is the
  PO number; the consumer address must not be altered; the ship-from is the
  warehouse code. RULES.md "SP-API": DF 2021-12-28 returns the object
  itself; enum case differs between versions (EACH / Each).
  Unconfirmed: that DF taxRate is always a fraction (both DF examples say
  so; the RP invoice example sends a percent): hence the parameter.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:j="http://www.w3.org/2005/xpath-functions"
    xmlns:wharf="urn:wharf:map"
    xmlns="urn:wharf:canonical:1"
    exclude-result-prefixes="j wharf">

  <xsl:import href="../amazon-rp/spapi-orders-to-order.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="program" select="'DF'"/>
  <xsl:variable name="api" select="'vendorDirectFulfillmentOrders getOrder'"/>
  <xsl:variable name="vendor-qualifier" select="wharf:param('vendor-product-qualifier', 'sku')"/>
  <xsl:variable name="tax-rate" select="wharf:param('tax-rate', 'fraction')"/>

  <xsl:variable name="currency">
    <xsl:variable name="items" select="$details/j:array[@key = 'items']/j:map"/>
    <xsl:call-template name="currency">
      <xsl:with-param name="money" select="$items/j:map[@key = 'netPrice'] | $items/j:map[@key = 'totalPrice'] | $details/j:map[@key = 'taxTotal']/j:array[@key = 'taxLineItem']/j:map/j:map[@key = 'taxAmount']"/>
    </xsl:call-template>
  </xsl:variable>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:call-template name="find-order"/>
    <xsl:if test="$tax-rate != 'fraction' and $tax-rate != 'percent'">
      <xsl:message terminate="yes">parameter tax-rate '<xsl:value-of select="$tax-rate"/>' must be fraction or percent</xsl:message>
    </xsl:if>
    <xsl:variable name="po" select="string($order/j:string[@key = 'purchaseOrderNumber'])"/>
    <xsl:if test="$details/j:string[@key = 'purchaseOrderDate']">
      <xsl:message terminate="yes">order <xsl:value-of select="$po"/> is a Retail Procurement order (orderDetails.purchaseOrderDate): map it with amazon-rp/spapi-orders-to-order</xsl:message>
    </xsl:if>
    <xsl:if test="string($details/j:string[@key = 'orderDate']) = ''">
      <xsl:message terminate="yes">order <xsl:value-of select="$po"/> has no orderDetails.orderDate</xsl:message>
    </xsl:if>
    <xsl:if test="string($details/j:string[@key = 'customerOrderNumber']) = ''">
      <xsl:message terminate="yes">order <xsl:value-of select="$po"/> has no orderDetails.customerOrderNumber (DF ack code 55)</xsl:message>
    </xsl:if>
    <xsl:if test="string($details/j:map[@key = 'shipFromParty']/j:string[@key = 'partyId']) = ''">
      <xsl:message terminate="yes">order <xsl:value-of select="$po"/> has no orderDetails.shipFromParty.partyId, the warehouse to ship from (DF ack code 06)</xsl:message>
    </xsl:if>
    <xsl:if test="not($details/j:map[@key = 'shipToParty'])">
      <xsl:message terminate="yes">order <xsl:value-of select="$po"/> has no orderDetails.shipToParty, the consumer's address</xsl:message>
    </xsl:if>
    <xsl:variable name="sd" select="$details/j:map[@key = 'shipmentDetails']"/>
    <xsl:variable name="items" select="$details/j:array[@key = 'items']/j:map"/>
    <xsl:variable name="status" select="string($details/j:string[@key = 'orderStatus'])"/>
    <order>
      <header>
        <program><xsl:value-of select="$program"/></program>
        <xsl:choose>
          <xsl:when test="$status = 'CANCELLED'"><purpose>cancel</purpose></xsl:when>
          <xsl:otherwise><purpose>original</purpose></xsl:otherwise>
        </xsl:choose>
        <type>dropship</type>
        <po-number><xsl:value-of select="$po"/></po-number>
        <order-date><xsl:call-template name="date"><xsl:with-param name="v" select="$details/j:string[@key = 'orderDate']"/></xsl:call-template></order-date>
        <xsl:if test="$status != ''">
          <state code="{$status}"><xsl:value-of select="wharf:lookup('spapi-df-order-status', $status)"/></state>
        </xsl:if>
        <currency><xsl:value-of select="$currency"/></currency>
        <customer-order-number><xsl:value-of select="$details/j:string[@key = 'customerOrderNumber']"/></customer-order-number>
        <xsl:apply-templates select="$details/j:map[@key = 'sellingParty']" mode="party"><xsl:with-param name="role" select="'selling-party'"/></xsl:apply-templates>
        <!-- the consumer: an Address, no party id -->
        <xsl:for-each select="$details/j:map[@key = 'shipToParty']">
          <ship-to><xsl:call-template name="address"/></ship-to>
        </xsl:for-each>
        <xsl:apply-templates select="$details/j:map[@key = 'shipFromParty']" mode="party"><xsl:with-param name="role" select="'ship-from'"/></xsl:apply-templates>
        <xsl:apply-templates select="$details/j:map[@key = 'billToParty']" mode="party"><xsl:with-param name="role" select="'bill-to'"/></xsl:apply-templates>
        <xsl:for-each select="$sd/j:map[@key = 'shipmentDates']/j:string[@key = 'requiredShipDate'][. != '']">
          <required-ship-date><xsl:call-template name="date"/></required-ship-date>
        </xsl:for-each>
        <xsl:for-each select="$sd/j:map[@key = 'shipmentDates']/j:string[@key = 'promisedDeliveryDate'][. != '']">
          <promised-delivery-date><xsl:call-template name="date"/></promised-delivery-date>
        </xsl:for-each>
        <xsl:for-each select="$sd/j:string[@key = 'shipMethod'][. != '']">
          <carrier><ship-method><xsl:value-of select="."/></ship-method></carrier>
        </xsl:for-each>
        <xsl:for-each select="$sd/j:boolean[@key = 'isPriorityShipment']"><priority-shipment><xsl:value-of select="."/></priority-shipment></xsl:for-each>
        <xsl:for-each select="$sd/j:boolean[@key = 'isScheduledDeliveryShipment']"><scheduled-delivery-shipment><xsl:value-of select="."/></scheduled-delivery-shipment></xsl:for-each>
        <xsl:for-each select="$sd/j:boolean[@key = 'isPslipRequired']"><packing-slip-required><xsl:value-of select="."/></packing-slip-required></xsl:for-each>
        <xsl:for-each select="$sd/j:boolean[@key = 'isGift']"><is-gift><xsl:value-of select="."/></is-gift></xsl:for-each>
        <!-- the order's gift message: the one every item carries -->
        <xsl:variable name="messages" select="$items/j:map[@key = 'giftDetails']/j:string[@key = 'giftMessage'][. != '']"/>
        <xsl:if test="count($messages) = count($items) and not($messages[. != string($messages[1])])">
          <gift><message><xsl:value-of select="$messages[1]"/></message></gift>
        </xsl:if>
        <xsl:for-each select="$sd/j:string[@key = 'messageToCustomer'][. != '']">
          <message-to-customer><xsl:value-of select="."/></message-to-customer>
        </xsl:for-each>
        <xsl:for-each select="$details/j:boolean[@key = 'hasCustomizableItems']">
          <has-customizable-items><xsl:value-of select="."/></has-customizable-items>
        </xsl:for-each>
        <xsl:apply-templates select="$details/j:map[@key = 'taxTotal']" mode="taxes"/>
      </header>
      <lines>
        <xsl:apply-templates select="$items" mode="df-line"/>
      </lines>
    </order>
  </xsl:template>

  <!-- ============================ lines ============================ -->

  <xsl:template match="j:map" mode="df-line">
    <line>
      <line-no><xsl:value-of select="j:string[@key = 'itemSequenceNumber']"/></line-no>
      <xsl:call-template name="product-ids">
        <xsl:with-param name="asin" select="j:string[@key = 'buyerProductIdentifier']"/>
      </xsl:call-template>
      <xsl:for-each select="j:string[@key = 'title'][. != '']">
        <description><xsl:value-of select="."/></description>
      </xsl:for-each>
      <xsl:call-template name="quantity">
        <xsl:with-param name="q" select="j:map[@key = 'orderedQuantity']"/>
        <xsl:with-param name="element" select="'ordered-quantity'"/>
        <xsl:with-param name="units" select="'spapi-df-unit'"/>
      </xsl:call-template>
      <xsl:apply-templates select="j:map[@key = 'netPrice']" mode="price"><xsl:with-param name="element" select="'unit-cost'"/></xsl:apply-templates>
      <xsl:for-each select="j:map[@key = 'totalPrice']">
        <xsl:call-template name="money-element"><xsl:with-param name="element" select="'total-price'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="j:map[@key = 'scheduledDeliveryShipment'][*]">
        <scheduled-delivery>
          <xsl:for-each select="j:string[@key = 'scheduledDeliveryServiceType'][. != '']"><service-type><xsl:value-of select="."/></service-type></xsl:for-each>
          <xsl:for-each select="j:string[@key = 'earliestNominatedDeliveryDate'][. != '']"><earliest-date><xsl:call-template name="date"/></earliest-date></xsl:for-each>
          <xsl:for-each select="j:string[@key = 'latestNominatedDeliveryDate'][. != '']"><latest-date><xsl:call-template name="date"/></latest-date></xsl:for-each>
        </scheduled-delivery>
      </xsl:for-each>
      <xsl:for-each select="j:map[@key = 'giftDetails'][j:string[. != '']]">
        <gift>
          <xsl:for-each select="j:string[@key = 'giftMessage'][. != '']"><message><xsl:value-of select="."/></message></xsl:for-each>
          <xsl:for-each select="j:string[@key = 'giftWrapId'][. != '']"><wrap-id><xsl:value-of select="."/></wrap-id></xsl:for-each>
        </gift>
      </xsl:for-each>
      <xsl:for-each select="j:map[@key = 'buyerCustomizedInfo']/j:string[@key = 'customizedUrl'][. != '']">
        <customized-url><xsl:value-of select="."/></customized-url>
      </xsl:for-each>
      <xsl:apply-templates select="j:map[@key = 'taxDetails']" mode="taxes"/>
    </line>
  </xsl:template>

  <!-- TaxItemDetails {taxLineItem: [TaxDetails]} as taxes -->
  <xsl:template match="j:map" mode="taxes">
    <xsl:variable name="t" select="j:array[@key = 'taxLineItem']/j:map"/>
    <xsl:if test="$t">
      <taxes>
        <xsl:for-each select="$t">
          <xsl:if test="not(j:map[@key = 'taxAmount'])">
            <xsl:message terminate="yes">a taxLineItem has no taxAmount</xsl:message>
          </xsl:if>
          <tax>
            <xsl:variable name="type" select="string(j:string[@key = 'type'])"/>
            <xsl:choose>
              <xsl:when test="$type != ''"><type code="{$type}"><xsl:value-of select="wharf:lookup('spapi-tax-type', $type)"/></type></xsl:when>
              <xsl:otherwise><type>total</type></xsl:otherwise>
            </xsl:choose>
            <xsl:for-each select="j:string[@key = 'taxRate'][. != '']">
              <rate>
                <xsl:choose>
                  <xsl:when test="$tax-rate = 'percent'"><xsl:value-of select="wharf:dec(.)"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="wharf:mul(., '100')"/></xsl:otherwise>
                </xsl:choose>
              </rate>
            </xsl:for-each>
            <xsl:for-each select="j:map[@key = 'taxAmount']">
              <xsl:call-template name="money-element"><xsl:with-param name="element" select="'amount'"/></xsl:call-template>
            </xsl:for-each>
            <xsl:for-each select="j:map[@key = 'taxableAmount']">
              <xsl:call-template name="money-element"><xsl:with-param name="element" select="'taxable-amount'"/></xsl:call-template>
            </xsl:for-each>
          </tax>
        </xsl:for-each>
      </taxes>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
