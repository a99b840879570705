<?xml version="1.0" encoding="UTF-8"?>
<!--
  quickbooks/order-to-estimate: a canonical <order> (RP or DF,
  schemas/canonical/order.xsd) to the body of a QuickBooks Online Estimate
  create (POST /v3/company/{realmId}/estimate). QuickBooks Online has no
  sales order; an Estimate records the PO and can become the invoice.

  Parameters:
    customer-id  required: the QuickBooks Customer Id of the buyer
    tax-code     TaxCodeRef of a line whose tax type is not in qbo-tax-code
                 (default NON)

  What it writes:
    CustomerRef; DocNumber = po-number (at most 21 characters); TxnDate =
      the order date; CurrencyRef = the order currency; PrivateNote
      "Amazon PO <po>"
    BillAddr: the bill-to, when the order has one; ShipAddr: the ship-to
      (DF: the consumer, personal data; RP: the fulfilment centre, by its
      code when the order gives no address)
    Line[], one per order line, in order: SalesItemLineDetail on the SKU
      through qbo-item (strict; the ASIN when only that is listed), Qty =
      the ordered quantity, UnitPrice = unit-cost, Amount = Qty x UnitPrice
      exactly (quickbooks/qbo-common.xsl item-line), Description
    TxnTaxDetail {TotalTax}: the sum of the line taxes, when a line has tax

  Refused (a finding): not a canonical order; customer-id missing; a PO
  number over 21 characters; a SKU not in qbo-item; a line without
  unit-cost; an amount with more than 2 decimals.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="c wharf">

  <xsl:import href="qbo-common.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:template match="/">
    <xsl:call-template name="check-root"><xsl:with-param name="root" select="'order'"/></xsl:call-template>
    <xsl:variable name="h" select="$doc/c:header"/>
    <map>
      <xsl:call-template name="customer-ref"/>
      <xsl:call-template name="doc-number">
        <xsl:with-param name="v" select="string($h/c:po-number)"/>
        <xsl:with-param name="what" select="'PO number'"/>
      </xsl:call-template>
      <string key="TxnDate"><xsl:value-of select="substring(normalize-space($h/c:order-date), 1, 10)"/></string>
      <map key="CurrencyRef">
        <string key="value"><xsl:value-of select="$h/c:currency"/></string>
      </map>
      <string key="PrivateNote"><xsl:value-of select="concat('Amazon PO ', $h/c:po-number)"/></string>
      <xsl:call-template name="address">
        <xsl:with-param name="key" select="'BillAddr'"/>
        <xsl:with-param name="p" select="$h/c:bill-to[c:address]"/>
      </xsl:call-template>
      <xsl:call-template name="address">
        <xsl:with-param name="key" select="'ShipAddr'"/>
        <xsl:with-param name="p" select="$h/c:ship-to"/>
      </xsl:call-template>
      <array key="Line">
        <xsl:for-each select="$doc/c:lines/c:line">
          <xsl:call-template name="item-line">
            <xsl:with-param name="qty" select="c:ordered-quantity"/>
            <xsl:with-param name="price" select="c:unit-cost"/>
          </xsl:call-template>
        </xsl:for-each>
      </array>
      <xsl:if test="$doc/c:lines/c:line/c:taxes/c:tax">
        <map key="TxnTaxDetail">
          <xsl:call-template name="amount">
            <xsl:with-param name="key" select="'TotalTax'"/>
            <xsl:with-param name="v" select="wharf:sum($doc/c:lines/c:line/c:taxes/c:tax/c:amount)"/>
            <xsl:with-param name="what" select="'tax total'"/>
          </xsl:call-template>
        </map>
      </xsl:if>
    </map>
  </xsl:template>

</xsl:stylesheet>
