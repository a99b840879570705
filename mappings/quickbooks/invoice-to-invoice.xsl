<?xml version="1.0" encoding="UTF-8"?>
<!--
  quickbooks/invoice-to-invoice: a canonical <invoice> (RP or DF,
  schemas/canonical/invoice.xsd) to the body of a QuickBooks Online
  Invoice create (POST /v3/company/{realmId}/invoice; research:
  erp-as2.md 2.1).

  Parameters:
    customer-id     required: the QuickBooks Customer Id of the buyer (the
                    Amazon entity)
    tax-code        TaxCodeRef of a line whose tax type is not in
                    qbo-tax-code (default NON)
    charge-item-id  the Item of a charge or allowance whose type is not in
                    qbo-charge-item; none: such an invoice is refused

  What it writes:
    CustomerRef; DocNumber = invoice-number (at most 21 characters);
      TxnDate = the invoice date; CurrencyRef = the invoice currency;
      PrivateNote "Amazon PO <po>[, <po> ...]"
    BillAddr, ShipAddr: the bill-to and ship-to, when the invoice has them
      (quickbooks/qbo-common.xsl address)
    Line[], in this order: each invoice line (SalesItemLineDetail on the
      line's SKU through qbo-item, strict; Qty, UnitPrice, Amount = Qty x
      UnitPrice exactly), followed by its own charges and allowances; then
      the header charges, then the header allowances. A charge or an
      allowance is a line of Qty 1 on the item of its type (qbo-charge-item,
      else charge-item-id), an allowance with a negative amount.
    TxnTaxDetail {TotalTax}: the invoice's tax-total (else the sum of its
      header taxes, else of its line taxes), when it has tax
  Every amount is a JSON number written as the exact decimal.

  The total: QuickBooks computes TotalAmt as the sum of the line Amounts
  plus the tax. The map checks that this equals the canonical
  invoice-total before it writes anything (each line-amount must be
  quantity x unit price, and lines + charges - allowances + tax must be
  the invoice total), so the invoice in QuickBooks is the one Amazon gets.

  Refused (a finding): not a canonical invoice; a credit note (a
  QuickBooks CreditMemo: not mapped); customer-id missing; a DocNumber over
  21 characters; a SKU, or a charge type without charge-item-id, not in its
  code list; a line-amount that is not quantity x unit price; totals that
  do not add up to invoice-total; an amount with more than 2 decimals.
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
    <xsl:call-template name="check-root"><xsl:with-param name="root" select="'invoice'"/></xsl:call-template>
    <xsl:if test="normalize-space($doc/c:type) != 'invoice'">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$doc/c:invoice-number"/> is a <xsl:value-of select="$doc/c:type"/>: a QuickBooks CreditMemo, which this map does not write</xsl:message>
    </xsl:if>
    <xsl:call-template name="check-totals"/>
    <map>
      <xsl:call-template name="customer-ref"/>
      <xsl:call-template name="doc-number">
        <xsl:with-param name="v" select="string($doc/c:invoice-number)"/>
        <xsl:with-param name="what" select="'invoice-number'"/>
      </xsl:call-template>
      <string key="TxnDate"><xsl:value-of select="substring(normalize-space($doc/c:invoice-date), 1, 10)"/></string>
      <map key="CurrencyRef">
        <string key="value"><xsl:value-of select="$doc/c:currency"/></string>
      </map>
      <string key="PrivateNote">Amazon PO <xsl:call-template name="po-numbers"/></string>
      <xsl:call-template name="address">
        <xsl:with-param name="key" select="'BillAddr'"/>
        <xsl:with-param name="p" select="$doc/c:bill-to"/>
      </xsl:call-template>
      <xsl:call-template name="address">
        <xsl:with-param name="key" select="'ShipAddr'"/>
        <xsl:with-param name="p" select="$doc/c:ship-to"/>
      </xsl:call-template>
      <array key="Line">
        <xsl:for-each select="$doc/c:lines/c:line">
          <xsl:call-template name="item-line">
            <xsl:with-param name="qty" select="c:invoiced-quantity"/>
            <xsl:with-param name="price" select="c:unit-price"/>
          </xsl:call-template>
          <xsl:for-each select="c:charges/c:charge | c:allowances/c:allowance">
            <xsl:call-template name="charge-line"/>
          </xsl:for-each>
        </xsl:for-each>
        <xsl:for-each select="$doc/c:charges/c:charge | $doc/c:allowances/c:allowance">
          <xsl:call-template name="charge-line"/>
        </xsl:for-each>
      </array>
      <xsl:variable name="tax">
        <xsl:call-template name="tax-total"/>
      </xsl:variable>
      <xsl:if test="$doc/c:taxes/c:tax or $doc/c:lines/c:line/c:taxes/c:tax or wharf:cmp($tax, '0') != 0">
        <map key="TxnTaxDetail">
          <xsl:call-template name="amount">
            <xsl:with-param name="key" select="'TotalTax'"/>
            <xsl:with-param name="v" select="$tax"/>
            <xsl:with-param name="what" select="'tax total'"/>
          </xsl:call-template>
        </map>
      </xsl:if>
    </map>
  </xsl:template>

  <xsl:template name="tax-total">
    <xsl:choose>
      <xsl:when test="$doc/c:totals/c:tax-total"><xsl:value-of select="wharf:dec($doc/c:totals/c:tax-total)"/></xsl:when>
      <xsl:when test="$doc/c:taxes/c:tax"><xsl:value-of select="wharf:sum($doc/c:taxes/c:tax/c:amount)"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="wharf:sum($doc/c:lines/c:line/c:taxes/c:tax/c:amount)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- what QuickBooks will total (the Amounts and the tax) is the invoice
       total Amazon is sent -->
  <xsl:template name="check-totals">
    <xsl:for-each select="$doc/c:lines/c:line">
      <xsl:variable name="product" select="wharf:mul(c:invoiced-quantity, c:unit-price)"/>
      <xsl:if test="wharf:cmp($product, c:line-amount) != 0">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/>: line-amount <xsl:value-of select="c:line-amount"/> is not quantity x unit price (<xsl:value-of select="c:invoiced-quantity"/> x <xsl:value-of select="c:unit-price"/> = <xsl:value-of select="$product"/>)</xsl:message>
      </xsl:if>
    </xsl:for-each>
    <xsl:variable name="tax"><xsl:call-template name="tax-total"/></xsl:variable>
    <xsl:variable name="lines" select="wharf:sum($doc/c:lines/c:line/c:line-amount)"/>
    <xsl:variable name="charges" select="wharf:sum($doc/c:charges/c:charge/c:amount | $doc/c:lines/c:line/c:charges/c:charge/c:amount)"/>
    <xsl:variable name="allowances" select="wharf:sum($doc/c:allowances/c:allowance/c:amount | $doc/c:lines/c:line/c:allowances/c:allowance/c:amount)"/>
    <xsl:variable name="total" select="wharf:add(wharf:sub(wharf:add($lines, $charges), $allowances), $tax)"/>
    <xsl:if test="wharf:cmp($total, $doc/c:totals/c:invoice-total) != 0">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$doc/c:invoice-number"/>: lines <xsl:value-of select="$lines"/> + charges <xsl:value-of select="$charges"/> - allowances <xsl:value-of select="$allowances"/> + tax <xsl:value-of select="$tax"/> = <xsl:value-of select="$total"/> (QuickBooks' total), not its invoice-total <xsl:value-of select="$doc/c:totals/c:invoice-total"/></xsl:message>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
