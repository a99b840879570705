<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/invoice-to-spapi: a canonical <invoice> (program RP,
  schemas/canonical/invoice.xsd) to the body of the SP-API vendorInvoices
  submitInvoices operation, SubmitInvoicesRequest, with one invoice.

  What it maps:
    type -> invoiceType (list spapi-invoice-type: Invoice, CreditNote);
      invoice-number -> id; reference-number -> referenceNumber;
      invoice-date -> date (a plain date: the start of the day in the
      partner's time-zone parameter)
    remit-to, ship-to, ship-from, bill-to -> remitToParty, shipToParty,
      shipFromParty, billToParty: partyId = the id with qualifier 92, the
      address (postal code as postalOrZipCode, this model's name) when the
      party has a name and address, tax registrations ->
      taxRegistrationDetails. remit-to is required, the others are sent
      when they have an id 92.
    terms -> paymentTerms {type (the terms type's @code when it is an API
      value, else the word through list spapi-terms-type: basic and X12 05 /
      08 terms are Basic), discountPercent, discountDueDays, netDueDays}
    totals/invoice-total -> invoiceTotal {currencyCode, amount}
    taxes -> taxDetails [{taxType (list spapi-tax-type), taxRate (a
      percent, as the canonical rate: SPEC the submitInvoices example sends
      "9" for 9 %), taxAmount, taxableAmount}]
    notes whose @code is SUR, OCR or CartonCount -> additionalDetails
      [{type, detail}] (other notes are not sent)
    charges / allowances -> chargeDetails / allowanceDetails [{type (lists
      spapi-charge-type, spapi-allowance-type; an @code that is an API value
      is echoed, an X12 SAC02 code is not), description, chargeAmount /
      allowanceAmount, taxDetails}]
    lines -> items[]: line-no -> itemSequenceNumber (an integer in this
      model); ids -> amazonProductIdentifier (asin), vendorProductIdentifier
      (vendor-part, or parameter vendor-product-qualifier);
      invoiced-quantity -> invoicedQuantity {amount, unitOfMeasure (list
      spapi-unit), unitSize}; unit-price -> netCost (its @per ->
      netCostUnitOfMeasure, list spapi-price-unit); po-number ->
      purchaseOrderNumber; hsn-code -> hsnCode; for a credit note the
      document's credit-note references -> creditNoteDetails; taxes,
      charges, allowances -> taxDetails, chargeDetails, allowanceDetails
  Every Money takes the amount's @currency, else the invoice currency.

  Refused (a finding): not an invoice of program RP; no remit-to id 92; a
  line number, quantity or count that is not a whole number; a unit, type
  or coded word not in its code list. The invoice business rules (unique
  number, no zero total, header tax = sum of line taxes, unit price = the
  acknowledged cost, three-way match) are checked before the map runs.

  SPEC: vendorInvoices.json definitions SubmitInvoicesRequest, Invoice,
  PartyIdentification, Address (postalOrZipCode), TaxRegistrationDetails,
  PaymentTerms, Money, TaxDetails, AdditionalDetails, ChargeDetails,
  AllowanceDetails, InvoiceItem, ItemQuantity, CreditNoteDetails; the
  submitInvoices sandbox request and the body example of the operation
  (golden tests sandbox.input.xml and example.input.xml). RULES.md "810
  invoice" and "SP-API": RP submitInvoices.
  Not mapped: ItemQuantity.totalWeight (no canonical field).
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

  <!-- SPEC: vendorInvoices.json enums -->
  <xsl:variable name="terms-types" select="' Basic EndOfMonth FixedDate Proximo PaymentDueUponReceiptOfInvoice LetterofCredit '"/>
  <xsl:variable name="charge-types" select="' Freight Packing Duty Service SmallOrder InsurancePlacementCost InsuranceFee SpecialHandlingService CollectionAndRecyclingService EnvironmentalProtectionService TaxCollectedAtSource '"/>
  <xsl:variable name="allowance-types" select="' Discount DiscountIncentive Defective Promotional UnsaleableMerchandise Special '"/>
  <xsl:variable name="detail-types" select="' SUR OCR CartonCount '"/>

  <xsl:template match="/">
    <xsl:call-template name="check-doc">
      <xsl:with-param name="root" select="'invoice'"/>
      <xsl:with-param name="program" select="'RP'"/>
      <xsl:with-param name="other-map" select="'amazon-df/invoice-to-spapi'"/>
    </xsl:call-template>
    <map>
      <array key="invoices">
        <map>
          <string key="invoiceType"><xsl:value-of select="wharf:lookup('spapi-invoice-type', normalize-space($doc/c:type))"/></string>
          <string key="id"><xsl:value-of select="$doc/c:invoice-number"/></string>
          <xsl:call-template name="s"><xsl:with-param name="key" select="'referenceNumber'"/><xsl:with-param name="v" select="$doc/c:reference-number"/></xsl:call-template>
          <xsl:call-template name="dt"><xsl:with-param name="key" select="'date'"/><xsl:with-param name="v" select="$doc/c:invoice-date"/></xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'remitToParty'"/>
            <xsl:with-param name="p" select="$doc/c:remit-to"/>
            <xsl:with-param name="what" select="'the invoice remit-to'"/>
            <xsl:with-param name="postal" select="'postalOrZipCode'"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'shipToParty'"/>
            <xsl:with-param name="p" select="$doc/c:ship-to"/>
            <xsl:with-param name="required" select="false()"/>
            <xsl:with-param name="postal" select="'postalOrZipCode'"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'shipFromParty'"/>
            <xsl:with-param name="p" select="$doc/c:ship-from"/>
            <xsl:with-param name="required" select="false()"/>
            <xsl:with-param name="postal" select="'postalOrZipCode'"/>
          </xsl:call-template>
          <xsl:call-template name="party">
            <xsl:with-param name="key" select="'billToParty'"/>
            <xsl:with-param name="p" select="$doc/c:bill-to"/>
            <xsl:with-param name="required" select="false()"/>
            <xsl:with-param name="postal" select="'postalOrZipCode'"/>
          </xsl:call-template>
          <xsl:apply-templates select="$doc/c:terms"/>
          <xsl:call-template name="money"><xsl:with-param name="key" select="'invoiceTotal'"/><xsl:with-param name="m" select="$doc/c:totals/c:invoice-total"/></xsl:call-template>
          <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxDetails'"/><xsl:with-param name="taxes" select="$doc/c:taxes"/></xsl:call-template>
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
          <xsl:call-template name="allowances"><xsl:with-param name="a" select="$doc/c:allowances/c:allowance"/></xsl:call-template>
          <array key="items">
            <xsl:apply-templates select="$doc/c:lines/c:line"/>
          </array>
        </map>
      </array>
    </map>
  </xsl:template>

  <xsl:template match="c:terms">
    <map key="paymentTerms">
      <xsl:for-each select="c:type">
        <string key="type"><xsl:call-template name="coded"><xsl:with-param name="node" select="."/><xsl:with-param name="list" select="'spapi-terms-type'"/><xsl:with-param name="enum" select="$terms-types"/></xsl:call-template></string>
      </xsl:for-each>
      <xsl:for-each select="c:discount-percent"><string key="discountPercent"><xsl:value-of select="wharf:dec(.)"/></string></xsl:for-each>
      <xsl:for-each select="c:discount-days">
        <xsl:call-template name="int"><xsl:with-param name="key" select="'discountDueDays'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'terms discount-days'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="c:net-days">
        <xsl:call-template name="int"><xsl:with-param name="key" select="'netDueDays'"/><xsl:with-param name="v" select="."/><xsl:with-param name="what" select="'terms net-days'"/></xsl:call-template>
      </xsl:for-each>
    </map>
  </xsl:template>

  <xsl:template name="charges">
    <xsl:param name="c"/>
    <xsl:if test="$c">
      <array key="chargeDetails">
        <xsl:for-each select="$c">
          <map>
            <string key="type"><xsl:call-template name="coded"><xsl:with-param name="node" select="c:type"/><xsl:with-param name="list" select="'spapi-charge-type'"/><xsl:with-param name="enum" select="$charge-types"/></xsl:call-template></string>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'description'"/><xsl:with-param name="v" select="c:description"/></xsl:call-template>
            <xsl:call-template name="money"><xsl:with-param name="key" select="'chargeAmount'"/><xsl:with-param name="m" select="c:amount"/></xsl:call-template>
            <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxDetails'"/><xsl:with-param name="taxes" select="c:taxes"/></xsl:call-template>
          </map>
        </xsl:for-each>
      </array>
    </xsl:if>
  </xsl:template>

  <xsl:template name="allowances">
    <xsl:param name="a"/>
    <xsl:if test="$a">
      <array key="allowanceDetails">
        <xsl:for-each select="$a">
          <map>
            <string key="type"><xsl:call-template name="coded"><xsl:with-param name="node" select="c:type"/><xsl:with-param name="list" select="'spapi-allowance-type'"/><xsl:with-param name="enum" select="$allowance-types"/></xsl:call-template></string>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'description'"/><xsl:with-param name="v" select="c:description"/></xsl:call-template>
            <xsl:call-template name="money"><xsl:with-param name="key" select="'allowanceAmount'"/><xsl:with-param name="m" select="c:amount"/></xsl:call-template>
            <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxDetails'"/><xsl:with-param name="taxes" select="c:taxes"/></xsl:call-template>
          </map>
        </xsl:for-each>
      </array>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:line">
    <xsl:variable name="what" select="concat('line ', c:line-no)"/>
    <map>
      <xsl:call-template name="int"><xsl:with-param name="key" select="'itemSequenceNumber'"/><xsl:with-param name="v" select="c:line-no"/><xsl:with-param name="what" select="concat($what, ' number')"/></xsl:call-template>
      <xsl:call-template name="ids">
        <xsl:with-param name="ids" select="c:id"/>
        <xsl:with-param name="asin-key" select="'amazonProductIdentifier'"/>
        <xsl:with-param name="vendor-qualifier" select="$vendor-qualifier"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="qty">
        <xsl:with-param name="key" select="'invoicedQuantity'"/>
        <xsl:with-param name="q" select="c:invoiced-quantity"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
      <xsl:call-template name="money"><xsl:with-param name="key" select="'netCost'"/><xsl:with-param name="m" select="c:unit-price"/></xsl:call-template>
      <xsl:for-each select="c:unit-price/@per">
        <string key="netCostUnitOfMeasure"><xsl:value-of select="wharf:lookup('spapi-price-unit', string(.))"/></string>
      </xsl:for-each>
      <string key="purchaseOrderNumber"><xsl:value-of select="c:po-number"/></string>
      <xsl:call-template name="s"><xsl:with-param name="key" select="'hsnCode'"/><xsl:with-param name="v" select="c:hsn-code"/></xsl:call-template>
      <xsl:if test="normalize-space($doc/c:type) = 'credit-note'">
        <xsl:for-each select="$doc/c:credit-note[*]">
          <map key="creditNoteDetails">
            <xsl:call-template name="s"><xsl:with-param name="key" select="'referenceInvoiceNumber'"/><xsl:with-param name="v" select="c:original-invoice-number"/></xsl:call-template>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'debitNoteNumber'"/><xsl:with-param name="v" select="c:debit-note-number"/></xsl:call-template>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'returnsReferenceNumber'"/><xsl:with-param name="v" select="c:returns-reference-number"/></xsl:call-template>
            <xsl:call-template name="dt"><xsl:with-param name="key" select="'goodsReturnDate'"/><xsl:with-param name="v" select="c:goods-return-date"/></xsl:call-template>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'rmaId'"/><xsl:with-param name="v" select="c:rma-id"/></xsl:call-template>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'coopReferenceNumber'"/><xsl:with-param name="v" select="c:coop-reference-number"/></xsl:call-template>
            <xsl:call-template name="s"><xsl:with-param name="key" select="'consignorsReferenceNumber'"/><xsl:with-param name="v" select="c:consignors-reference-number"/></xsl:call-template>
          </map>
        </xsl:for-each>
      </xsl:if>
      <xsl:call-template name="tax-details"><xsl:with-param name="key" select="'taxDetails'"/><xsl:with-param name="taxes" select="c:taxes"/></xsl:call-template>
      <xsl:call-template name="charges"><xsl:with-param name="c" select="c:charges/c:charge"/></xsl:call-template>
      <xsl:call-template name="allowances"><xsl:with-param name="a" select="c:allowances/c:allowance"/></xsl:call-template>
    </map>
  </xsl:template>

</xsl:stylesheet>
