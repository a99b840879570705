<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/invoice-to-spapi: a canonical <invoice> (program DF,
  schemas/canonical/invoice.xsd) to the body of the SP-API
  vendorDirectFulfillmentPayments v1 submitInvoice operation,
  SubmitInvoiceRequest, with one invoice.

  What it maps:
    invoice-number -> invoiceNumber; invoice-date -> invoiceDate (a plain
      date: the start of the day in the partner's time-zone parameter);
      reference-number -> referenceNumber
    remit-to, ship-from, bill-to -> remitToParty, shipFromParty,
      billToParty: partyId = the id with qualifier 92 (remit-to and
      ship-from required), the address when the party has a name and an
      address, tax registrations -> taxRegistrationDetails
    ship-to/address/country -> shipToCountryCode (DF sends only the
      country of the consumer)
    terms/type -> paymentTermsCode: its @code when it is one of the RP
      PaymentTerms values (Basic ...), else the word through list
      spapi-terms-type (X12 05 / 08 terms are Basic)
    totals/invoice-total -> invoiceTotal
    taxes -> taxTotals, line taxes -> items[].taxDetails: taxType (list
      spapi-tax-type), taxRate as a fraction (the canonical percent x 0.01,
      exactly: 19 becomes 0.19; SPEC the sandbox request sends 0.19 for a
      tax of 228.00 on 1200.00; parameter tax-rate=percent sends the
      percent), taxAmount, taxableAmount
    notes whose @code is SUR or OCR -> additionalDetails [{type, detail}]
    header charges -> chargeDetails, line charges -> items[].chargeDetails:
      type (list spapi-df-charge-type: freight FREIGHTOUT, packing
      PACKAGING ...; an @code that is an API value is echoed), chargeAmount,
      taxDetails (this model's charges have no description)
    lines -> items[]: line-no -> itemSequenceNumber (a string here, as the
      order gave it); ids -> buyerProductIdentifier (asin),
      vendorProductIdentifier (sku, or parameter vendor-product-qualifier);
      invoiced-quantity -> invoicedQuantity {amount, unitOfMeasure Each
      (list spapi-df-unit)}; unit-price -> netCost; po-number ->
      purchaseOrderNumber; vendor-order-number (the line's, else the
      document's references) -> vendorOrderNumber; hsn-code -> hsnCode
  Every Money takes the amount's @currency, else the invoice currency.

  Refused (a finding): not an invoice of program DF; a credit note (DF
  invoices have no type: credits come as Amazon's deductions); no remit-to
  or ship-from id 92; allowances (the DF invoice model has none: net them
  into the price or agree a charge with Amazon); a quantity that is not a
  whole number; a unit or coded word not in its code list.

  SPEC: vendorDirectFulfillmentPaymentsV1.json definitions
  SubmitInvoiceRequest, InvoiceDetail, PartyIdentification, Address,
  TaxRegistrationDetail, Money, TaxDetail, AdditionalDetails (SUR, OCR),
  ChargeDetails, InvoiceItem, ItemQuantity; its submitInvoice sandbox
  request (golden test sandbox.input.xml: the output differs only in what a
  canonical party cannot hold, the bill-to's taxRegistrationAddress and
  taxRegistrationMessage). RULES.md "810 invoice": PO, VO and ON on DF
  lines (the customer order number ON has no field in this model).
  Unconfirmed: DF taxRate as a fraction (both DF examples; the RP invoice
  example sends a percent): hence the parameter.
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
  <xsl:variable name="tax-rate" select="wharf:param('tax-rate', 'fraction')"/>

  <!-- SPEC: vendorDirectFulfillmentPaymentsV1.json enums (terms: the RP
       PaymentTerms.type values, the DF field being free text) -->
  <xsl:variable name="terms-types" select="' Basic EndOfMonth FixedDate Proximo PaymentDueUponReceiptOfInvoice LetterofCredit '"/>
  <xsl:variable name="charge-types" select="' GIFTWRAP FULFILLMENT MARKETINGINSERT PACKAGING LOADING FREIGHTOUT TAX_COLLECTED_AT_SOURCE '"/>
  <xsl:variable name="detail-types" select="' SUR OCR '"/>

  <xsl:template match="/">
    <xsl:call-template name="check-doc">
      <xsl:with-param name="root" select="'invoice'"/>
      <xsl:with-param name="program" select="'DF'"/>
      <xsl:with-param name="other-map" select="'amazon-rp/invoice-to-spapi'"/>
    </xsl:call-template>
    <xsl:if test="normalize-space($doc/c:type) != 'invoice'">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$doc/c:invoice-number"/> is a <xsl:value-of select="$doc/c:type"/>: DF submitInvoice takes invoices only</xsl:message>
    </xsl:if>
    <xsl:if test="$doc//c:allowance">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$doc/c:invoice-number"/> has allowances: the DF invoice has no allowanceDetails</xsl:message>
    </xsl:if>
    <xsl:if test="$tax-rate != 'fraction' and $tax-rate != 'percent'">
      <xsl:message terminate="yes">parameter tax-rate '<xsl:value-of select="$tax-rate"/>' must be fraction or percent</xsl:message>
    </xsl:if>
    <map>
      <array key="invoices">
        <map>
          <string key="invoiceNumber"><xsl:value-of select="$doc/c:invoice-number"/></string>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'invoiceDate'"/><xsl:with-param name="v" select="$doc/c:invoice-date"/></xsl:call-template>
          <xsl:call-template name="s"><xsl:with-param name="key" select="'referenceNumber'"/><xsl:with-param name="v" select="$doc/c:reference-number"/></xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'remitToParty'"/>
            <xsl:with-param name="p" select="$doc/c:remit-to"/>
            <xsl:with-param name="what" select="'the invoice remit-to'"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'shipFromParty'"/>
            <xsl:with-param name="p" select="$doc/c:ship-from"/>
            <xsl:with-param name="what" select="'the invoice ship-from'"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'billToParty'"/>
            <xsl:with-param name="p" select="$doc/c:bill-to"/>
            <xsl:with-param name="required" select="false()"/>
          </xsl:call-template>
          <xsl:call-template name="s"><xsl:with-param name="key" select="'shipToCountryCode'"/><xsl:with-param name="v" select="$doc/c:ship-to/c:address/c:country"/></xsl:call-template>
          <xsl:for-each select="$doc/c:terms/c:type">
            <string key="paymentTermsCode"><xsl:call-template name="coded"><xsl:with-param name="node" select="."/><xsl:with-param name="list" select="'spapi-terms-type'"/><xsl:with-param name="enum" select="$terms-types"/></xsl:call-template></string>
          </xsl:for-each>
          <xsl:call-template name="money"><xsl:with-param name="key" select="'invoiceTotal'"/><xsl:with-param name="m" select="$doc/c:totals/c:invoice-total"/></xsl:call-template>
          <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxTotals'"/><xsl:with-param name="taxes" select="$doc/c:taxes"/><xsl:with-param name="rate" select="$tax-rate"/></xsl:call-template>
          <xsl:if test="$doc/c:note[contains($detail-types, concat(' ', @code, ' '))]">
            <array key="additionalDetails">
              <xsl:for-each select="$doc/c:note[contains($detail-types, concat(' ', @code, ' '))]">
                <map>
                  <string key="type"><xsl:value-of select="@code"/></string>
                  <string key="detail"><xsl:value-of select="."/></string>
                </map>
              </xsl:for-each>
            </array>
          </xsl:if>
          <xsl:call-template name="charges"><xsl:with-param name="c" select="$doc/c:charges/c:charge"/></xsl:call-template>
          <array key="items">
            <xsl:apply-templates select="$doc/c:lines/c:line"/>
          </array>
        </map>
      </array>
    </map>
  </xsl:template>

  <xsl:template name="charges">
    <xsl:param name="c"/>
    <xsl:if test="$c">
      <array key="chargeDetails">
        <xsl:for-each select="$c">
          <map>
            <string key="type"><xsl:call-template name="coded"><xsl:with-param name="node" select="c:type"/><xsl:with-param name="list" select="'spapi-df-charge-type'"/><xsl:with-param name="enum" select="$charge-types"/></xsl:call-template></string>
            <xsl:call-template name="money"><xsl:with-param name="key" select="'chargeAmount'"/><xsl:with-param name="m" select="c:amount"/></xsl:call-template>
            <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxDetails'"/><xsl:with-param name="taxes" select="c:taxes"/><xsl:with-param name="rate" select="$tax-rate"/></xsl:call-template>
          </map>
        </xsl:for-each>
      </array>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:line">
    <xsl:variable name="what" select="concat('line ', c:line-no)"/>
    <map>
      <string key="itemSequenceNumber"><xsl:value-of select="c:line-no"/></string>
      <xsl:call-template name="ids">
        <xsl:with-param name="ids" select="c:id"/>
        <xsl:with-param name="asin-key" select="'buyerProductIdentifier'"/>
        <xsl:with-param name="vendor-qualifier" select="$vendor-qualifier"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="qty">
        <xsl:with-param name="key" select="'invoicedQuantity'"/>
        <xsl:with-param name="q" select="c:invoiced-quantity"/>
        <xsl:with-param name="units" select="'spapi-df-unit'"/>
        <xsl:with-param name="with-size" select="false()"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="money"><xsl:with-param name="key" select="'netCost'"/><xsl:with-param name="m" select="c:unit-price"/></xsl:call-template>
      <string key="purchaseOrderNumber"><xsl:value-of select="c:po-number"/></string>
      <xsl:call-template name="s">
        <xsl:with-param name="key" select="'vendorOrderNumber'"/>
        <xsl:with-param name="v" select="(c:vendor-order-number | $doc/c:references/c:vendor-order-number[not(current()/c:vendor-order-number)])[1]"/>
      </xsl:call-template>
      <xsl:call-template name="s"><xsl:with-param name="key" select="'hsnCode'"/><xsl:with-param name="v" select="c:hsn-code"/></xsl:call-template>
      <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxDetails'"/><xsl:with-param name="taxes" select="c:taxes"/><xsl:with-param name="rate" select="$tax-rate"/></xsl:call-template>
      <xsl:call-template name="charges"><xsl:with-param name="c" select="c:charges/c:charge"/></xsl:call-template>
    </map>
  </xsl:template>

</xsl:stylesheet>
