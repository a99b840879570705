<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/spapi-out-common.xsl: templates shared by the maps from
  canonical documents to SP-API JSON (amazon-rp/ and amazon-df/
  *-to-spapi.xsl import it). Not a map of its own (no registry entry).

  They write the W3C XML representation of JSON (namespace
  http://www.w3.org/2005/xpath-functions, the default namespace here) and
  read canonical documents (prefix c, urn:wharf:canonical:1).

    check-doc     the input is the canonical root a map expects, of its
                  program; the time-zone parameter is usable
    s             a string member, left out when the value is empty
    dt            a date-or-timestamp as an RFC 3339 date-time: a timestamp
                  as it is, a plain date as the start of that day in the
                  partner's zone (parameter time-zone, "Z" or "+hh:mm" /
                  "-hh:mm", default Z: schemas/canonical/README.md "a map to
                  SP-API that has only a date writes the start of that day in
                  the partner's zone")
    int           a whole number as a JSON number (quantities, counts,
                  integer sequence numbers); anything else is refused
    money         a canonical money as Money {currencyCode, amount}: the
                  amount text exactly (wharf:dec checks it), the currency
                  from @currency, the document's currency or the parameter
                  "currency"
    qty           a canonical quantity as ItemQuantity {amount,
                  unitOfMeasure, unitSize} through a unit code list
    party         a canonical party as PartyIdentification {partyId,
                  address, taxRegistrationDetails}: partyId is the party's
                  id with qualifier 92 (Amazon's code), the address only when
                  the party has a name and an address (the models require
                  name, addressLine1 and countryCode)
    coded         a coded value: its @code when that is one of the model's
                  values (so a value the partner sent is echoed), else the
                  canonical word through a code list (strict: an unknown word
                  refuses the document)
    ids           the product ids of a line as the ASIN field and the vendor
                  field
    tax-details   canonical taxes as TaxDetails [{taxType, taxRate,
                  taxAmount, taxableAmount}]

  Money and quantities are never XPath numbers: amounts are copied as text
  (wharf:dec), rates converted with wharf:mul.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="c wharf">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="doc" select="/*"/>
  <xsl:variable name="tz" select="wharf:param('time-zone', 'Z')"/>

  <!-- SPEC: the TaxDetails.taxType enum of vendorInvoices.json and
       vendorDirectFulfillmentPaymentsV1.json (the same list) -->
  <xsl:variable name="tax-types" select="' CGST SGST CESS UTGST IGST MwSt. PST TVA VAT GST ST Consumption MutuallyDefined DomesticVAT '"/>

  <xsl:template name="check-doc">
    <xsl:param name="root"/>
    <xsl:param name="program"/>
    <xsl:param name="other-map"/>
    <xsl:if test="not($doc[self::c:* and local-name() = $root])">
      <xsl:message terminate="yes">the input is not a canonical &lt;<xsl:value-of select="$root"/>&gt; (namespace urn:wharf:canonical:1) but &lt;<xsl:value-of select="name($doc)"/>&gt;</xsl:message>
    </xsl:if>
    <xsl:if test="string($doc/c:program) != $program">
      <xsl:message terminate="yes">the <xsl:value-of select="$root"/> is program <xsl:value-of select="$doc/c:program"/>, this map writes <xsl:value-of select="$program"/>: map it with <xsl:value-of select="$other-map"/></xsl:message>
    </xsl:if>
    <xsl:if test="not($tz = 'Z' or (string-length($tz) = 6 and (starts-with($tz, '+') or starts-with($tz, '-')) and translate(substring($tz, 2), '0123456789', 'dddddddddd') = 'dd:dd'))">
      <xsl:message terminate="yes">parameter time-zone '<xsl:value-of select="$tz"/>' is not Z, +hh:mm or -hh:mm</xsl:message>
    </xsl:if>
  </xsl:template>

  <xsl:template name="s">
    <xsl:param name="key"/>
    <xsl:param name="v"/>
    <xsl:if test="string($v) != ''">
      <string key="{$key}"><xsl:value-of select="$v"/></string>
    </xsl:if>
  </xsl:template>

  <xsl:template name="dt">
    <xsl:param name="key"/>
    <xsl:param name="v"/>
    <xsl:variable name="d" select="normalize-space($v)"/>
    <xsl:if test="$d != ''">
      <string key="{$key}">
        <xsl:choose>
          <xsl:when test="string-length($d) = 10"><xsl:value-of select="concat($d, 'T00:00:00', $tz)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
        </xsl:choose>
      </string>
    </xsl:if>
  </xsl:template>

  <xsl:template name="int">
    <xsl:param name="key" select="''"/>
    <xsl:param name="v"/>
    <xsl:param name="what"/>
    <xsl:variable name="n" select="normalize-space($v)"/>
    <xsl:if test="$n = '' or translate($n, '0123456789', '') != ''">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> '<xsl:value-of select="$v"/>' is not a whole number: the SP-API takes an integer there</xsl:message>
    </xsl:if>
    <number>
      <xsl:if test="$key != ''"><xsl:attribute name="key"><xsl:value-of select="$key"/></xsl:attribute></xsl:if>
      <xsl:value-of select="$n"/>
    </number>
  </xsl:template>

  <!-- the currency of a canonical money element -->
  <xsl:template name="currency-of">
    <xsl:param name="m"/>
    <xsl:choose>
      <xsl:when test="string($m/@currency) != ''"><xsl:value-of select="$m/@currency"/></xsl:when>
      <xsl:when test="string($doc/c:currency) != ''"><xsl:value-of select="$doc/c:currency"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="wharf:param('currency', '')"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="money">
    <xsl:param name="key"/>
    <xsl:param name="m"/>
    <xsl:param name="per" select="''"/>
    <xsl:if test="$m">
      <map key="{$key}">
        <xsl:call-template name="s">
          <xsl:with-param name="key" select="'currencyCode'"/>
          <xsl:with-param name="v"><xsl:call-template name="currency-of"><xsl:with-param name="m" select="$m"/></xsl:call-template></xsl:with-param>
        </xsl:call-template>
        <string key="amount"><xsl:value-of select="wharf:dec($m)"/></string>
        <xsl:if test="$per != '' and string($m/@per) != ''">
          <string key="{$per}"><xsl:value-of select="wharf:lookup('spapi-price-unit', string($m/@per))"/></string>
        </xsl:if>
      </map>
    </xsl:if>
  </xsl:template>

  <xsl:template name="qty">
    <xsl:param name="key"/>
    <xsl:param name="q"/>
    <xsl:param name="units" select="'spapi-unit'"/>
    <xsl:param name="with-size" select="true()"/>
    <xsl:param name="what"/>
    <xsl:variable name="u" select="wharf:lookup($units, string($q/@unit), '')"/>
    <xsl:if test="$u = ''">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/>: unit '<xsl:value-of select="$q/@unit"/>' has no SP-API unit in code list '<xsl:value-of select="$units"/>'</xsl:message>
    </xsl:if>
    <map key="{$key}">
      <xsl:call-template name="int">
        <xsl:with-param name="key" select="'amount'"/>
        <xsl:with-param name="v" select="$q"/>
        <xsl:with-param name="what" select="concat($what, ' quantity')"/>
      </xsl:call-template>
      <string key="unitOfMeasure"><xsl:value-of select="$u"/></string>
      <xsl:if test="$with-size and string($q/@unit-size) != ''">
        <xsl:call-template name="int">
          <xsl:with-param name="key" select="'unitSize'"/>
          <xsl:with-param name="v" select="$q/@unit-size"/>
          <xsl:with-param name="what" select="concat($what, ' unit-size')"/>
        </xsl:call-template>
      </xsl:if>
    </map>
  </xsl:template>

  <xsl:template name="party">
    <xsl:param name="key"/>
    <xsl:param name="p"/>
    <xsl:param name="what"/>
    <xsl:param name="required" select="true()"/>
    <xsl:param name="with-address" select="true()"/>
    <xsl:param name="postal" select="'postalCode'"/>
    <xsl:param name="with-tax" select="true()"/>
    <xsl:variable name="id" select="$p/c:id[@qualifier = '92'][1]"/>
    <xsl:choose>
      <xsl:when test="string($id) = '' and $required">
        <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no &lt;id qualifier="92"&gt;, the code Amazon assigned (SP-API <xsl:value-of select="$key"/>.partyId)<xsl:if test="string($p/c:warehouse-code) != ''">: map warehouse <xsl:value-of select="$p/c:warehouse-code"/> to its Amazon ship-from code</xsl:if></xsl:message>
      </xsl:when>
      <xsl:when test="string($id) != ''">
        <map key="{$key}">
          <string key="partyId"><xsl:value-of select="$id"/></string>
          <xsl:if test="$with-address and string($p/c:name) != '' and $p/c:address/c:line">
            <xsl:for-each select="$p/c:address">
              <map key="address">
                <string key="name"><xsl:value-of select="../c:name"/></string>
                <xsl:for-each select="c:line">
                  <string key="addressLine{position()}"><xsl:value-of select="."/></string>
                </xsl:for-each>
                <xsl:call-template name="s"><xsl:with-param name="key" select="'city'"/><xsl:with-param name="v" select="c:city"/></xsl:call-template>
                <xsl:call-template name="s"><xsl:with-param name="key" select="'county'"/><xsl:with-param name="v" select="c:county"/></xsl:call-template>
                <xsl:call-template name="s"><xsl:with-param name="key" select="'district'"/><xsl:with-param name="v" select="c:district"/></xsl:call-template>
                <xsl:call-template name="s"><xsl:with-param name="key" select="'stateOrRegion'"/><xsl:with-param name="v" select="c:state"/></xsl:call-template>
                <xsl:call-template name="s"><xsl:with-param name="key" select="$postal"/><xsl:with-param name="v" select="c:postal-code"/></xsl:call-template>
                <xsl:call-template name="s"><xsl:with-param name="key" select="'countryCode'"/><xsl:with-param name="v" select="c:country"/></xsl:call-template>
                <xsl:call-template name="s"><xsl:with-param name="key" select="'phone'"/><xsl:with-param name="v" select="c:phone"/></xsl:call-template>
              </map>
            </xsl:for-each>
          </xsl:if>
          <xsl:if test="$with-tax and $p/c:tax-registration">
            <array key="taxRegistrationDetails">
              <xsl:for-each select="$p/c:tax-registration">
                <map>
                  <xsl:call-template name="s"><xsl:with-param name="key" select="'taxRegistrationType'"/><xsl:with-param name="v" select="@type"/></xsl:call-template>
                  <string key="taxRegistrationNumber"><xsl:value-of select="."/></string>
                </map>
              </xsl:for-each>
            </array>
          </xsl:if>
        </map>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="coded">
    <xsl:param name="node"/>
    <xsl:param name="list"/>
    <xsl:param name="enum"/>
    <xsl:choose>
      <xsl:when test="string($node/@code) != '' and contains($enum, concat(' ', $node/@code, ' '))"><xsl:value-of select="$node/@code"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="wharf:lookup($list, normalize-space($node))"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="ids">
    <xsl:param name="ids"/>
    <xsl:param name="asin-key"/>
    <xsl:param name="vendor-qualifier"/>
    <xsl:param name="what"/>
    <xsl:variable name="asin" select="$ids[@qualifier = 'asin'][1]"/>
    <xsl:variable name="vendor" select="$ids[@qualifier = $vendor-qualifier][1]"/>
    <xsl:if test="not($asin) and not($vendor)">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> has neither an asin nor a <xsl:value-of select="$vendor-qualifier"/> id: the SP-API names an item by <xsl:value-of select="$asin-key"/> or vendorProductIdentifier</xsl:message>
    </xsl:if>
    <xsl:call-template name="s"><xsl:with-param name="key" select="$asin-key"/><xsl:with-param name="v" select="$asin"/></xsl:call-template>
    <xsl:call-template name="s"><xsl:with-param name="key" select="'vendorProductIdentifier'"/><xsl:with-param name="v" select="$vendor"/></xsl:call-template>
  </xsl:template>

  <xsl:template name="tax-details">
    <xsl:param name="key"/>
    <xsl:param name="taxes"/>
    <xsl:param name="rate" select="'percent'"/>
    <xsl:if test="$taxes/c:tax">
      <array key="{$key}">
        <xsl:for-each select="$taxes/c:tax">
          <map>
            <string key="taxType"><xsl:call-template name="coded"><xsl:with-param name="node" select="c:type"/><xsl:with-param name="list" select="'spapi-tax-type'"/><xsl:with-param name="enum" select="$tax-types"/></xsl:call-template></string>
            <xsl:for-each select="c:rate[. != '']">
              <string key="taxRate">
                <xsl:choose>
                  <xsl:when test="$rate = 'fraction'"><xsl:value-of select="wharf:mul(., '0.01')"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="wharf:dec(.)"/></xsl:otherwise>
                </xsl:choose>
              </string>
            </xsl:for-each>
            <xsl:call-template name="money"><xsl:with-param name="key" select="'taxAmount'"/><xsl:with-param name="m" select="c:amount"/></xsl:call-template>
            <xsl:call-template name="money"><xsl:with-param name="key" select="'taxableAmount'"/><xsl:with-param name="m" select="c:taxable-amount"/></xsl:call-template>
          </map>
        </xsl:for-each>
      </array>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
