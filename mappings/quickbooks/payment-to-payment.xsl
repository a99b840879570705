<?xml version="1.0" encoding="UTF-8"?>
<!--
  quickbooks/payment-to-payment: a canonical <payment> (a remittance from
  Amazon, schemas/canonical/payment.xsd) to the body of a QuickBooks Online
  Payment create (POST /v3/company/{realmId}/payment). The shape only: no
  connector sends it yet.

  Parameters:
    customer-id  required: the QuickBooks Customer Id of the payer

  What it writes:
    CustomerRef; TotalAmt = the amount paid; TxnDate = the payment date;
      CurrencyRef = the payment currency; PaymentRefNum = payment-id (its
      last 21 characters when longer: QuickBooks keeps 21; the whole id is
      in PrivateNote)
    Line[]:
      each invoice paid: {Amount = amount-paid, LinkedTxn [{TxnId = the
        invoice number through qbo-invoice, TxnType "Invoice"}]}; an
        invoice not in the list is left out (its amount stays unapplied in
        QuickBooks) and named in PrivateNote. A deduction on one invoice
        (a shortage) is not a line: the invoice keeps that much open.
      each payment-level deduction (co-op, chargeback ...): {Amount = the
        deduction, LinkedTxn [{TxnId = its reference through
        qbo-credit-memo, TxnType "CreditMemo"}]}: the credit memo the
        vendor booked for it is used up by the payment; one not in the list
        is left out and named in PrivateNote.
    PrivateNote "Amazon payment <payment-id>", then what was left out.
  QuickBooks takes a payment whose invoice lines less its credit memo
  lines are at most TotalAmt (the rest is unapplied).

  Refused (a finding): not a canonical payment; customer-id missing; an
  amount with more than 2 decimals; invoice lines less credit memo lines
  over TotalAmt (a deduction whose credit memo is not in qbo-credit-memo:
  add it, or QuickBooks refuses the payment).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:wharf="urn:wharf:map"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="c wharf exsl">

  <xsl:import href="qbo-common.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:template match="/">
    <xsl:call-template name="check-root"><xsl:with-param name="root" select="'payment'"/></xsl:call-template>
    <xsl:variable name="id" select="string($doc/c:payment-id)"/>
    <!-- what is linked: <invoice id= amount=/> and <credit id= amount=/> -->
    <xsl:variable name="linked-rtf">
      <xsl:for-each select="$doc/c:invoices/c:invoice">
        <xsl:variable name="txn" select="wharf:lookup('qbo-invoice', string(c:invoice-number), '')"/>
        <xsl:if test="$txn != ''"><invoice id="{$txn}" amount="{c:amount-paid}"/></xsl:if>
      </xsl:for-each>
      <xsl:for-each select="$doc/c:deductions/c:deduction">
        <xsl:variable name="txn">
          <xsl:if test="string(c:reference) != ''"><xsl:value-of select="wharf:lookup('qbo-credit-memo', string(c:reference), '')"/></xsl:if>
        </xsl:variable>
        <xsl:if test="string($txn) != ''"><credit id="{$txn}" amount="{c:amount}"/></xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="linked" select="exsl:node-set($linked-rtf)/*"/>
    <xsl:variable name="applied" select="wharf:sub(wharf:sum($linked[local-name() = 'invoice']/@amount), wharf:sum($linked[local-name() = 'credit']/@amount))"/>
    <xsl:if test="wharf:cmp($applied, $doc/c:amount) &gt; 0">
      <xsl:variable name="missing" select="$doc/c:deductions/c:deduction[not(string(c:reference) != '' and wharf:lookup('qbo-credit-memo', string(c:reference), '') != '')][1]"/>
      <xsl:message terminate="yes">invoices less credit memos linked, <xsl:value-of select="$applied"/>, exceed the <xsl:value-of select="$doc/c:amount"/> paid<xsl:if test="$missing">: deduction <xsl:value-of select="($missing/c:reference | $missing/c:reason[not(../c:reference)])[1]"/> (<xsl:value-of select="$missing/c:amount"/>) is not in code list 'qbo-credit-memo'</xsl:if></xsl:message>
    </xsl:if>
    <map>
      <xsl:call-template name="customer-ref"/>
      <xsl:call-template name="amount">
        <xsl:with-param name="key" select="'TotalAmt'"/>
        <xsl:with-param name="v" select="$doc/c:amount"/>
        <xsl:with-param name="what" select="'payment amount'"/>
      </xsl:call-template>
      <string key="TxnDate"><xsl:value-of select="substring(normalize-space($doc/c:payment-date), 1, 10)"/></string>
      <map key="CurrencyRef">
        <string key="value"><xsl:value-of select="$doc/c:currency"/></string>
      </map>
      <string key="PaymentRefNum">
        <xsl:choose>
          <xsl:when test="string-length($id) &gt; 21"><xsl:value-of select="substring($id, string-length($id) - 20)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="$id"/></xsl:otherwise>
        </xsl:choose>
      </string>
      <string key="PrivateNote">
        <xsl:value-of select="concat('Amazon payment ', $id)"/>
        <xsl:for-each select="$doc/c:invoices/c:invoice[wharf:lookup('qbo-invoice', string(c:invoice-number), '') = '']">
          <xsl:value-of select="concat('; not applied: invoice ', c:invoice-number, ' ', c:amount-paid, ' (not in qbo-invoice)')"/>
        </xsl:for-each>
        <xsl:for-each select="$doc/c:deductions/c:deduction[not(string(c:reference) != '' and wharf:lookup('qbo-credit-memo', string(c:reference), '') != '')]">
          <xsl:value-of select="concat('; deduction ', c:reason, ' ', c:amount)"/>
          <xsl:if test="c:reference"><xsl:value-of select="concat(' ', c:reference)"/></xsl:if>
          <xsl:text> has no credit memo (qbo-credit-memo)</xsl:text>
        </xsl:for-each>
      </string>
      <array key="Line">
        <xsl:for-each select="$linked">
          <map>
            <xsl:call-template name="amount">
              <xsl:with-param name="key" select="'Amount'"/>
              <xsl:with-param name="v" select="string(@amount)"/>
              <xsl:with-param name="what" select="'linked amount'"/>
            </xsl:call-template>
            <array key="LinkedTxn">
              <map>
                <string key="TxnId"><xsl:value-of select="@id"/></string>
                <string key="TxnType">
                  <xsl:choose>
                    <xsl:when test="local-name() = 'invoice'">Invoice</xsl:when>
                    <xsl:otherwise>CreditMemo</xsl:otherwise>
                  </xsl:choose>
                </string>
              </map>
            </array>
          </map>
        </xsl:for-each>
      </array>
    </map>
  </xsl:template>

</xsl:stylesheet>
