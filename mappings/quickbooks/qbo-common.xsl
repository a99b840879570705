<?xml version="1.0" encoding="UTF-8"?>
<!--
  quickbooks/qbo-common.xsl: templates shared by the maps from canonical
  documents to QuickBooks Online JSON (quickbooks/*.xsl import it, and it
  imports erp/common-out.xsl). Not a map of its own (no registry entry).

    customer-ref   CustomerRef {value} from the parameter customer-id
                   (required: the connector's QuickBooks Customer Id)
    doc-number     DocNumber, refused when longer than QuickBooks' 21
                   characters (it would be refused there, or cut)
    amount         a money as a JSON number whose text is the exact decimal
                   (12.50 stays 12.50), refused with more than 2 decimals
                   (QuickBooks keeps cents)
    item-line      one Line of DetailType SalesItemLineDetail for a
                   canonical order or invoice line: Amount = quantity x
                   unit price (wharf:mul, exact), Description,
                   SalesItemLineDetail {ItemRef (the SKU through
                   qbo-item, strict), Qty, UnitPrice, TaxCodeRef}
    charge-line    one Line for a charge or an allowance (its amount
                   negative), on the item of qbo-charge-item, else the
                   parameter charge-item-id, else refused
    tax-code       TaxCodeRef {value}: the type of the line's first tax
                   ("none" without tax) through qbo-tax-code, else the
                   parameter tax-code (default NON)
    address        a canonical party as a PhysicalAddress: Line1.. the
                   name's lines, the attention line, the street lines (a
                   sixth line and later joined into Line5), City,
                   CountrySubDivisionCode (state), PostalCode, Country (the
                   ISO code); a party with no address: Line1 = its name,
                   else its id (an Amazon fulfilment centre code)
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="c wharf exsl">

  <xsl:import href="../erp/common-out.xsl"/>

  <xsl:variable name="tax-code-default" select="wharf:param('tax-code', 'NON')"/>
  <xsl:variable name="lf" select="'&#10;'"/>

  <xsl:template name="customer-ref">
    <map key="CustomerRef">
      <string key="value"><xsl:value-of select="wharf:param('customer-id')"/></string>
    </map>
  </xsl:template>

  <xsl:template name="doc-number">
    <xsl:param name="v"/>
    <xsl:param name="what"/>
    <xsl:if test="string-length($v) &gt; 21">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> '<xsl:value-of select="$v"/>' has <xsl:value-of select="string-length($v)"/> characters: a QuickBooks DocNumber has at most 21</xsl:message>
    </xsl:if>
    <string key="DocNumber"><xsl:value-of select="$v"/></string>
  </xsl:template>

  <xsl:template name="amount">
    <xsl:param name="key"/>
    <xsl:param name="v"/>
    <xsl:param name="what"/>
    <xsl:variable name="d" select="wharf:dec($v)"/>
    <xsl:if test="wharf:cmp(wharf:round($d, 2), $d) != 0">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> <xsl:value-of select="$d"/> has more than 2 decimals: QuickBooks keeps amounts in cents</xsl:message>
    </xsl:if>
    <number key="{$key}"><xsl:value-of select="$d"/></number>
  </xsl:template>

  <xsl:template name="tax-code">
    <xsl:param name="taxes"/>
    <xsl:variable name="type">
      <xsl:choose>
        <xsl:when test="$taxes/c:tax"><xsl:value-of select="normalize-space($taxes/c:tax[1]/c:type)"/></xsl:when>
        <xsl:otherwise>none</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <map key="TaxCodeRef">
      <string key="value"><xsl:value-of select="wharf:lookup('qbo-tax-code', string($type), $tax-code-default)"/></string>
    </map>
  </xsl:template>

  <!-- the context: a canonical order or invoice line -->
  <xsl:template name="item-line">
    <xsl:param name="qty"/>
    <xsl:param name="price"/>
    <xsl:variable name="what" select="concat('line ', c:line-no)"/>
    <xsl:if test="not($price)">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no unit price: the QuickBooks line's Amount is quantity x unit price</xsl:message>
    </xsl:if>
    <xsl:if test="string($price/@per) != '' and string($price/@per) != string($qty/@unit)">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/>: the unit price is per <xsl:value-of select="$price/@per"/> and the quantity in <xsl:value-of select="$qty/@unit"/>: the Amount cannot be computed from them</xsl:message>
    </xsl:if>
    <map>
      <string key="DetailType">SalesItemLineDetail</string>
      <xsl:call-template name="amount">
        <xsl:with-param name="key" select="'Amount'"/>
        <xsl:with-param name="v" select="wharf:mul($qty, $price)"/>
        <xsl:with-param name="what" select="concat($what, ': amount')"/>
      </xsl:call-template>
      <xsl:for-each select="c:description"><string key="Description"><xsl:value-of select="."/></string></xsl:for-each>
      <map key="SalesItemLineDetail">
        <map key="ItemRef">
          <string key="value"><xsl:call-template name="product"><xsl:with-param name="list" select="'qbo-item'"/></xsl:call-template></string>
        </map>
        <number key="Qty"><xsl:value-of select="wharf:dec($qty)"/></number>
        <number key="UnitPrice"><xsl:value-of select="wharf:dec($price)"/></number>
        <xsl:call-template name="tax-code"><xsl:with-param name="taxes" select="c:taxes"/></xsl:call-template>
      </map>
    </map>
  </xsl:template>

  <!-- the context: a canonical charge or allowance -->
  <xsl:template name="charge-line">
    <xsl:variable name="type" select="normalize-space(c:type)"/>
    <xsl:variable name="item" select="wharf:lookup('qbo-charge-item', $type, wharf:param('charge-item-id', ''))"/>
    <xsl:variable name="amount">
      <xsl:choose>
        <xsl:when test="self::c:allowance"><xsl:value-of select="wharf:sub('0', c:amount)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="wharf:dec(c:amount)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <map>
      <string key="DetailType">SalesItemLineDetail</string>
      <xsl:call-template name="amount">
        <xsl:with-param name="key" select="'Amount'"/>
        <xsl:with-param name="v" select="$amount"/>
        <xsl:with-param name="what" select="concat(local-name(), ' ', $type, ': amount')"/>
      </xsl:call-template>
      <string key="Description">
        <xsl:choose>
          <xsl:when test="c:description"><xsl:value-of select="c:description"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="concat(translate(substring($type, 1, 1), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), translate(substring($type, 2), '-', ' '))"/></xsl:otherwise>
        </xsl:choose>
        <xsl:if test="../../self::c:line"> (line <xsl:value-of select="../../c:line-no"/>)</xsl:if>
      </string>
      <map key="SalesItemLineDetail">
        <map key="ItemRef">
          <string key="value">
            <xsl:choose>
              <xsl:when test="$item != ''"><xsl:value-of select="$item"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="wharf:lookup('qbo-charge-item', $type)"/></xsl:otherwise>
            </xsl:choose>
          </string>
        </map>
        <number key="Qty">1</number>
        <number key="UnitPrice"><xsl:value-of select="$amount"/></number>
        <xsl:call-template name="tax-code"><xsl:with-param name="taxes" select="c:taxes"/></xsl:call-template>
      </map>
    </map>
  </xsl:template>

  <xsl:template name="address">
    <xsl:param name="key"/>
    <xsl:param name="p"/>
    <xsl:variable name="a" select="$p/c:address"/>
    <xsl:variable name="lines-rtf">
      <xsl:call-template name="name-lines"><xsl:with-param name="s" select="string($p/c:name)"/></xsl:call-template>
      <xsl:for-each select="$p/c:attention | $a/c:line | $p/c:extra-address-line">
        <l><xsl:value-of select="."/></l>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="lines" select="exsl:node-set($lines-rtf)/*"/>
    <xsl:if test="$p and ($lines or $p/c:id)">
      <map key="{$key}">
        <xsl:choose>
          <xsl:when test="$a">
            <xsl:for-each select="$lines[position() &lt; 5]">
              <string key="Line{position()}"><xsl:value-of select="."/></string>
            </xsl:for-each>
            <xsl:if test="$lines[5]">
              <string key="Line5">
                <xsl:for-each select="$lines[position() &gt;= 5]">
                  <xsl:if test="position() != 1">, </xsl:if>
                  <xsl:value-of select="."/>
                </xsl:for-each>
              </string>
            </xsl:if>
            <xsl:for-each select="$a/c:city"><string key="City"><xsl:value-of select="."/></string></xsl:for-each>
            <xsl:for-each select="$a/c:state"><string key="CountrySubDivisionCode"><xsl:value-of select="."/></string></xsl:for-each>
            <xsl:for-each select="$a/c:postal-code"><string key="PostalCode"><xsl:value-of select="."/></string></xsl:for-each>
            <xsl:for-each select="$a/c:country"><string key="Country"><xsl:value-of select="."/></string></xsl:for-each>
          </xsl:when>
          <xsl:otherwise>
            <string key="Line1"><xsl:value-of select="($p/c:name | $p/c:id[not(../c:name)])[1]"/></string>
          </xsl:otherwise>
        </xsl:choose>
      </map>
    </xsl:if>
  </xsl:template>

  <!-- a name's lines (a canonical name may hold a second line after a line feed) -->
  <xsl:template name="name-lines">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, $lf)">
        <l><xsl:value-of select="substring-before($s, $lf)"/></l>
        <xsl:call-template name="name-lines"><xsl:with-param name="s" select="substring-after($s, $lf)"/></xsl:call-template>
      </xsl:when>
      <xsl:when test="$s != ''"><l><xsl:value-of select="$s"/></l></xsl:when>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
