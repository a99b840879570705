<?xml version="1.0" encoding="UTF-8"?>
<!--
  brightpearl/order-to-sales-order: a canonical <order> (RP or DF,
  schemas/canonical/order.xsd) to the body of Brightpearl's
  POST order-service/sales-order (research: erp-as2.md 1.5).

  Parameters (the connector passes them):
    partner             the wharf partner (externalRef, channel)
    state               the wharf order state (pending-approval, approved,
                        acknowledged ...) -> statusId; empty: no statusId
    customer-id         required: the Brightpearl contact id of the buyer
    warehouse-id        Brightpearl warehouse, when the order's ship-from
                        has no listed warehouse-code; none: no warehouseId
    channel-id          when the partner is not in bp-channel; none: no
                        channelId
    price-list-id       none: no priceListId
    tax-code            the row tax code of a line whose tax type is not in
                        bp-tax-code (default T0, zero rated)
    nominal-code        every row's nominal code (default 4000, sales)
    shipping-method-id  when the order's carrier is not in
                        bp-shipping-method; none: no shippingMethodId
    time-zone           the zone a plain date is placed in (default Z)

  What it writes:
    customer {id}; ref = po-number; externalRef = "PARTNER:PO" (the
      connector finds the order again by it: Brightpearl has no
      idempotency key); placedOn = order-date as a date-time
    statusId: state through bp-order-status (strict)
    warehouseId: the ship-from's warehouse-code through bp-warehouse, else
      warehouse-id; channelId: partner through bp-channel, else channel-id;
      priceListId; priceModeCode EXC (row nets are before tax)
    currency {code}: the order's currency
    delivery {date, shippingMethodId, address}:
      date: when the goods must leave: required-ship-date (DF), else the
        ship window's end, else the delivery window's end (RP)
      shippingMethodId: the carrier's SCAC, else Amazon's ship method (DF
        UPS_GR_RES), through bp-shipping-method, else shipping-method-id
      address: the ship-to. With an address (DF: the consumer, personal
        data; an RP fulfilment centre when the order gives its address):
        addressFullName = the name's first line, companyName = its second
        line and the attention line, addressLine1 = street line 1,
        addressLine2 = the other street lines (", "), addressLine3 = city,
        addressLine4 = state, postalCode, countryIsoCode (3 letters: code
        list country read backwards), telephone, email, all as sent.
        Without one (RP X12 orders name the fulfilment centre by code):
        companyName = the name, else the code (ABE2).
    rows[], one per order line, in order:
      productId: the line's SKU through bp-product (strict; the ASIN when
        the SKU is not listed but the ASIN is: erp/common-out.xsl product)
      name: the description, when the line has one (else Brightpearl
        names the row after the product)
      quantity: the ordered quantity in the PO's unit, a whole number as a
        string (a case line stays in cases: list the case SKU)
      net = quantity x unit-cost (wharf:mul, exact), tax = the sum of the
        line's taxes, else 0.00
      taxCode: the type of the line's first tax ("none" without tax)
        through bp-tax-code, else tax-code
      nominalCode; externalRef = the line number (the decision and
        packing-list maps find the line again by it)

  Refused (a finding): not a canonical order; customer-id missing or not
  digits; a state, SKU or country not in its code list; a quantity that is
  not whole; a line without unit-cost, or priced per another unit (@per);
  a row net of more than 4 decimals (Brightpearl's limit).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="c wharf">

  <xsl:import href="../erp/common-out.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="h" select="$doc/c:header"/>
  <xsl:variable name="lf" select="'&#10;'"/>
  <xsl:variable name="tax-code" select="wharf:param('tax-code', 'T0')"/>
  <xsl:variable name="nominal-code" select="wharf:param('nominal-code', '4000')"/>

  <xsl:template match="/">
    <xsl:call-template name="check-root"><xsl:with-param name="root" select="'order'"/></xsl:call-template>
    <xsl:variable name="partner" select="wharf:param('partner')"/>
    <xsl:variable name="state" select="wharf:param('state', '')"/>
    <map>
      <map key="customer">
        <xsl:call-template name="id-number">
          <xsl:with-param name="key" select="'id'"/>
          <xsl:with-param name="v" select="wharf:param('customer-id')"/>
          <xsl:with-param name="what" select="'parameter customer-id'"/>
        </xsl:call-template>
      </map>
      <string key="ref"><xsl:value-of select="$h/c:po-number"/></string>
      <string key="externalRef"><xsl:value-of select="concat($partner, ':', $h/c:po-number)"/></string>
      <string key="placedOn"><xsl:call-template name="date-time"><xsl:with-param name="v" select="$h/c:order-date"/></xsl:call-template></string>
      <xsl:if test="$state != ''">
        <xsl:call-template name="id-number">
          <xsl:with-param name="key" select="'statusId'"/>
          <xsl:with-param name="v" select="wharf:lookup('bp-order-status', $state)"/>
          <xsl:with-param name="what" select="concat('bp-order-status entry for ', $state)"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="optional-id">
        <xsl:with-param name="key" select="'warehouseId'"/>
        <xsl:with-param name="listed">
          <xsl:if test="string($h/c:ship-from/c:warehouse-code) != ''"><xsl:value-of select="wharf:lookup('bp-warehouse', string($h/c:ship-from/c:warehouse-code), '')"/></xsl:if>
        </xsl:with-param>
        <xsl:with-param name="param" select="'warehouse-id'"/>
      </xsl:call-template>
      <xsl:call-template name="optional-id">
        <xsl:with-param name="key" select="'channelId'"/>
        <xsl:with-param name="listed" select="wharf:lookup('bp-channel', $partner, '')"/>
        <xsl:with-param name="param" select="'channel-id'"/>
      </xsl:call-template>
      <xsl:call-template name="optional-id">
        <xsl:with-param name="key" select="'priceListId'"/>
        <xsl:with-param name="param" select="'price-list-id'"/>
      </xsl:call-template>
      <string key="priceModeCode">EXC</string>
      <map key="currency">
        <string key="code"><xsl:value-of select="$h/c:currency"/></string>
      </map>
      <xsl:call-template name="delivery"/>
      <array key="rows">
        <xsl:apply-templates select="$doc/c:lines/c:line"/>
      </array>
    </map>
  </xsl:template>

  <!-- an id from a code list, else from a parameter, else left out -->
  <xsl:template name="optional-id">
    <xsl:param name="key"/>
    <xsl:param name="listed" select="''"/>
    <xsl:param name="param"/>
    <xsl:variable name="v">
      <xsl:choose>
        <xsl:when test="string($listed) != ''"><xsl:value-of select="$listed"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="wharf:param($param, '')"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="string($v) != ''">
      <xsl:call-template name="id-number">
        <xsl:with-param name="key" select="$key"/>
        <xsl:with-param name="v" select="$v"/>
        <xsl:with-param name="what" select="concat($key, ' (code list or parameter ', $param, ')')"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template name="delivery">
    <xsl:variable name="date" select="($h/c:required-ship-date | $h/c:ship-window/c:end[not($h/c:required-ship-date)] | $h/c:delivery-window/c:end[not($h/c:required-ship-date or $h/c:ship-window/c:end)])[1]"/>
    <xsl:variable name="scac" select="string($h/c:carrier/c:scac)"/>
    <xsl:variable name="method" select="string($h/c:carrier/c:ship-method)"/>
    <xsl:variable name="by-scac">
      <xsl:if test="$scac != ''"><xsl:value-of select="wharf:lookup('bp-shipping-method', $scac, '')"/></xsl:if>
    </xsl:variable>
    <xsl:variable name="by-method">
      <xsl:if test="$method != '' and string($by-scac) = ''"><xsl:value-of select="wharf:lookup('bp-shipping-method', $method, '')"/></xsl:if>
    </xsl:variable>
    <xsl:variable name="st" select="$h/c:ship-to"/>
    <xsl:if test="$date or string($by-scac) != '' or string($by-method) != '' or wharf:param('shipping-method-id', '') != '' or $st">
      <map key="delivery">
        <xsl:if test="$date">
          <string key="date"><xsl:call-template name="date-time"><xsl:with-param name="v" select="$date"/></xsl:call-template></string>
        </xsl:if>
        <xsl:call-template name="optional-id">
          <xsl:with-param name="key" select="'shippingMethodId'"/>
          <xsl:with-param name="listed" select="concat($by-scac, $by-method)"/>
          <xsl:with-param name="param" select="'shipping-method-id'"/>
        </xsl:call-template>
        <xsl:apply-templates select="$st"/>
      </map>
    </xsl:if>
  </xsl:template>

  <!-- the ship-to as a Brightpearl address -->
  <xsl:template match="c:ship-to[c:address]">
    <xsl:variable name="a" select="c:address"/>
    <xsl:variable name="name" select="string(c:name)"/>
    <map key="address">
      <xsl:if test="$name != ''">
        <string key="addressFullName">
          <xsl:choose>
            <xsl:when test="contains($name, $lf)"><xsl:value-of select="substring-before($name, $lf)"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="$name"/></xsl:otherwise>
          </xsl:choose>
        </string>
      </xsl:if>
      <xsl:variable name="company">
        <xsl:if test="contains($name, $lf)"><xsl:value-of select="substring-after($name, $lf)"/></xsl:if>
        <xsl:if test="contains($name, $lf) and c:attention">, </xsl:if>
        <xsl:value-of select="c:attention"/>
      </xsl:variable>
      <xsl:if test="string($company) != ''">
        <string key="companyName"><xsl:value-of select="$company"/></string>
      </xsl:if>
      <string key="addressLine1"><xsl:value-of select="$a/c:line[1]"/></string>
      <xsl:if test="$a/c:line[2] or c:extra-address-line">
        <string key="addressLine2">
          <xsl:for-each select="$a/c:line[position() &gt; 1] | c:extra-address-line">
            <xsl:if test="position() != 1">, </xsl:if>
            <xsl:value-of select="."/>
          </xsl:for-each>
        </string>
      </xsl:if>
      <xsl:for-each select="$a/c:city"><string key="addressLine3"><xsl:value-of select="."/></string></xsl:for-each>
      <xsl:for-each select="($a/c:state | $a/c:county[not(../c:state)])[1]"><string key="addressLine4"><xsl:value-of select="."/></string></xsl:for-each>
      <xsl:for-each select="$a/c:postal-code"><string key="postalCode"><xsl:value-of select="."/></string></xsl:for-each>
      <string key="countryIsoCode"><xsl:value-of select="wharf:lookup('country', string($a/c:country))"/></string>
      <xsl:for-each select="($a/c:phone | c:contact/c:phone)[1]"><string key="telephone"><xsl:value-of select="."/></string></xsl:for-each>
      <xsl:for-each select="(c:email | c:contact/c:email)[1]"><string key="email"><xsl:value-of select="."/></string></xsl:for-each>
    </map>
  </xsl:template>

  <!-- RP: the fulfilment centre by its code -->
  <xsl:template match="c:ship-to">
    <xsl:if test="c:name or c:id">
      <map key="address">
        <string key="companyName"><xsl:value-of select="(c:name | c:id[not(../c:name)])[1]"/></string>
      </map>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:line">
    <xsl:variable name="what" select="concat('line ', c:line-no)"/>
    <xsl:variable name="qty">
      <xsl:call-template name="whole">
        <xsl:with-param name="v" select="c:ordered-quantity"/>
        <xsl:with-param name="what" select="concat($what, ': quantity')"/>
        <xsl:with-param name="why" select="'a Brightpearl row quantity of a stock product is a whole number'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="not(c:unit-cost)">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no unit-cost: the row's net is quantity x unit cost</xsl:message>
    </xsl:if>
    <xsl:if test="string(c:unit-cost/@per) != '' and string(c:unit-cost/@per) != string(c:ordered-quantity/@unit)">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/>: the unit cost is per <xsl:value-of select="c:unit-cost/@per"/> and the quantity in <xsl:value-of select="c:ordered-quantity/@unit"/>: a row's net cannot be computed from them</xsl:message>
    </xsl:if>
    <xsl:variable name="net" select="wharf:mul($qty, c:unit-cost)"/>
    <xsl:if test="wharf:cmp(wharf:round($net, 4), $net) != 0">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/>: net <xsl:value-of select="$net"/> has more than 4 decimals (Brightpearl keeps 4)</xsl:message>
    </xsl:if>
    <map>
      <xsl:call-template name="id-number">
        <xsl:with-param name="key" select="'productId'"/>
        <xsl:with-param name="v"><xsl:call-template name="product"><xsl:with-param name="list" select="'bp-product'"/></xsl:call-template></xsl:with-param>
        <xsl:with-param name="what" select="concat($what, ': bp-product id')"/>
      </xsl:call-template>
      <xsl:for-each select="c:description"><string key="name"><xsl:value-of select="."/></string></xsl:for-each>
      <string key="quantity"><xsl:value-of select="$qty"/></string>
      <string key="net"><xsl:value-of select="$net"/></string>
      <string key="tax">
        <xsl:choose>
          <xsl:when test="c:taxes/c:tax"><xsl:value-of select="wharf:sum(c:taxes/c:tax/c:amount)"/></xsl:when>
          <xsl:otherwise>0.00</xsl:otherwise>
        </xsl:choose>
      </string>
      <xsl:variable name="tax-type">
        <xsl:choose>
          <xsl:when test="c:taxes/c:tax"><xsl:value-of select="normalize-space(c:taxes/c:tax[1]/c:type)"/></xsl:when>
          <xsl:otherwise>none</xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <string key="taxCode"><xsl:value-of select="wharf:lookup('bp-tax-code', string($tax-type), $tax-code)"/></string>
      <string key="nominalCode"><xsl:value-of select="$nominal-code"/></string>
      <string key="externalRef"><xsl:value-of select="c:line-no"/></string>
    </map>
  </xsl:template>

</xsl:stylesheet>
