<?xml version="1.0" encoding="UTF-8"?>
<!-- local/invoice-to-erp-json: a canonical <invoice> to the JSON invoice the
     embedded ERP file exchange writes to DIR/erp/out/, with what the ERP
     needs to post the receivable. The shape is wharf's own:
       {"type": "invoice", "partner", "program", "invoice_type",
        "invoice_number", "invoice_date", "state", "po_numbers": [po],
        "shipment_ids": [id], "original_invoice_number", "currency",
        "remit_to": {"party_id", "name"},
        "terms": {"type", "basis_date", "discount_percent", "discount_days",
                  "discount_due_date", "net_days", "net_due_date",
                  "discount_amount", "description"},
        "lines": [{"line_no", "po_number", "product_ids": {qualifier: id},
                   "quantity", "unit", "unit_cost", "amount",
                   "charges": [CHARGE], "allowances": [CHARGE],
                   "taxes": [TAX]}],
        "charges": [CHARGE], "allowances": [CHARGE], "taxes": [TAX],
        "line_total", "charges_total", "allowances_total", "tax_total",
        "total"}
       CHARGE: {"type", "description", "amount"}
       TAX:    {"type", "rate", "amount"}
     invoice_type is invoice or credit-note (every amount is positive; a
     credit note credits them). po_numbers: the invoice's POs, then any
     other PO its lines bill, each once. charges, allowances and taxes at
     the top are the header ones; a line's own are on the line (the
     invoice's totals add both). Every key is always written: null for a
     value the invoice does not have (terms without <terms>, a tax
     without a rate, original_invoice_number of an invoice), [] for a list.
     Money, rates and percents stay decimal strings exactly as the invoice
     has them, never numbers, and nothing is computed: the totals are the
     invoice's own. Quantities, days and line numbers are JSON numbers
     written digit for digit (only leading zeros go: line 001 is 1).
     The gateway passes partner and state as parameters; partner defaults
     to the envelope's. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:c="urn:wharf:canonical:1" xmlns:wharf="urn:wharf:map"
    xmlns="http://www.w3.org/2005/xpath-functions" exclude-result-prefixes="c wharf">
  <xsl:output method="xml" indent="yes"/>

  <xsl:template match="/c:invoice">
    <map>
      <string key="type">invoice</string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'partner'"/>
        <xsl:with-param name="value" select="wharf:param('partner', string(c:envelope/c:partner))"/>
      </xsl:call-template>
      <string key="program"><xsl:value-of select="c:program"/></string>
      <string key="invoice_type"><xsl:value-of select="c:type"/></string>
      <string key="invoice_number"><xsl:value-of select="c:invoice-number"/></string>
      <string key="invoice_date"><xsl:value-of select="c:invoice-date"/></string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'state'"/>
        <xsl:with-param name="value" select="wharf:param('state', '')"/>
      </xsl:call-template>
      <array key="po_numbers">
        <!-- every po-number of an invoice is in references or on a line -->
        <xsl:for-each select="(c:references/c:po-number | c:lines/c:line/c:po-number)
                              [not(. = preceding::c:po-number)]">
          <string><xsl:value-of select="."/></string>
        </xsl:for-each>
      </array>
      <array key="shipment_ids">
        <xsl:for-each select="c:references/c:shipment-id">
          <string><xsl:value-of select="."/></string>
        </xsl:for-each>
      </array>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'original_invoice_number'"/>
        <xsl:with-param name="value" select="c:credit-note/c:original-invoice-number"/>
      </xsl:call-template>
      <string key="currency"><xsl:value-of select="c:currency"/></string>
      <map key="remit_to">
        <xsl:call-template name="string">
          <xsl:with-param name="key" select="'party_id'"/>
          <xsl:with-param name="value" select="c:remit-to/c:id[1]"/>
        </xsl:call-template>
        <xsl:call-template name="string">
          <xsl:with-param name="key" select="'name'"/>
          <xsl:with-param name="value" select="c:remit-to/c:name"/>
        </xsl:call-template>
      </map>
      <xsl:choose>
        <xsl:when test="c:terms">
          <xsl:for-each select="c:terms">
            <map key="terms">
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'type'"/>
                <xsl:with-param name="value" select="c:type"/>
              </xsl:call-template>
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'basis_date'"/>
                <xsl:with-param name="value" select="c:basis-date"/>
              </xsl:call-template>
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'discount_percent'"/>
                <xsl:with-param name="value" select="c:discount-percent"/>
              </xsl:call-template>
              <xsl:call-template name="number">
                <xsl:with-param name="key" select="'discount_days'"/>
                <xsl:with-param name="value" select="c:discount-days"/>
              </xsl:call-template>
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'discount_due_date'"/>
                <xsl:with-param name="value" select="c:discount-due-date"/>
              </xsl:call-template>
              <xsl:call-template name="number">
                <xsl:with-param name="key" select="'net_days'"/>
                <xsl:with-param name="value" select="c:net-days"/>
              </xsl:call-template>
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'net_due_date'"/>
                <xsl:with-param name="value" select="c:net-due-date"/>
              </xsl:call-template>
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'discount_amount'"/>
                <xsl:with-param name="value" select="c:discount-amount"/>
              </xsl:call-template>
              <xsl:call-template name="string">
                <xsl:with-param name="key" select="'description'"/>
                <xsl:with-param name="value" select="c:description"/>
              </xsl:call-template>
            </map>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise><null key="terms"/></xsl:otherwise>
      </xsl:choose>
      <array key="lines">
        <xsl:for-each select="c:lines/c:line">
          <map>
            <xsl:call-template name="number">
              <xsl:with-param name="key" select="'line_no'"/>
              <xsl:with-param name="value" select="c:line-no"/>
            </xsl:call-template>
            <string key="po_number"><xsl:value-of select="c:po-number"/></string>
            <map key="product_ids">
              <xsl:for-each select="c:id[not(@qualifier = preceding-sibling::c:id/@qualifier)]">
                <string key="{@qualifier}"><xsl:value-of select="."/></string>
              </xsl:for-each>
            </map>
            <xsl:call-template name="number">
              <xsl:with-param name="key" select="'quantity'"/>
              <xsl:with-param name="value" select="c:invoiced-quantity"/>
            </xsl:call-template>
            <string key="unit"><xsl:value-of select="c:invoiced-quantity/@unit"/></string>
            <string key="unit_cost"><xsl:value-of select="c:unit-price"/></string>
            <string key="amount"><xsl:value-of select="c:line-amount"/></string>
            <xsl:call-template name="charges"/>
          </map>
        </xsl:for-each>
      </array>
      <xsl:call-template name="charges"/>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'line_total'"/>
        <xsl:with-param name="value" select="c:totals/c:line-total"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'charges_total'"/>
        <xsl:with-param name="value" select="c:totals/c:charges-total"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'allowances_total'"/>
        <xsl:with-param name="value" select="c:totals/c:allowances-total"/>
      </xsl:call-template>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'tax_total'"/>
        <xsl:with-param name="value" select="c:totals/c:tax-total"/>
      </xsl:call-template>
      <string key="total"><xsl:value-of select="c:totals/c:invoice-total"/></string>
    </map>
  </xsl:template>

  <!-- "charges", "allowances" and "taxes" of the invoice or of a line -->
  <xsl:template name="charges">
    <array key="charges">
      <xsl:apply-templates select="c:charges/c:charge"/>
    </array>
    <array key="allowances">
      <xsl:apply-templates select="c:allowances/c:allowance"/>
    </array>
    <array key="taxes">
      <xsl:for-each select="c:taxes/c:tax">
        <map>
          <string key="type"><xsl:value-of select="c:type"/></string>
          <xsl:call-template name="string">
            <xsl:with-param name="key" select="'rate'"/>
            <xsl:with-param name="value" select="c:rate"/>
          </xsl:call-template>
          <string key="amount"><xsl:value-of select="c:amount"/></string>
        </map>
      </xsl:for-each>
    </array>
  </xsl:template>

  <xsl:template match="c:charge | c:allowance">
    <map>
      <string key="type"><xsl:value-of select="c:type"/></string>
      <xsl:call-template name="string">
        <xsl:with-param name="key" select="'description'"/>
        <xsl:with-param name="value" select="c:description"/>
      </xsl:call-template>
      <string key="amount"><xsl:value-of select="c:amount"/></string>
    </map>
  </xsl:template>

  <!-- a string, or null when there is no value -->
  <xsl:template name="string">
    <xsl:param name="key"/>
    <xsl:param name="value"/>
    <xsl:choose>
      <xsl:when test="string($value) != ''">
        <string key="{$key}"><xsl:value-of select="$value"/></string>
      </xsl:when>
      <xsl:otherwise><null key="{$key}"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- a decimal string as a JSON number, its text unchanged but for leading
       zeros (JSON allows none); null when there is no value -->
  <xsl:template name="number">
    <xsl:param name="key"/>
    <xsl:param name="value"/>
    <xsl:variable name="v" select="normalize-space($value)"/>
    <xsl:choose>
      <xsl:when test="$v != ''">
        <number key="{$key}">
          <xsl:call-template name="strip-zeros">
            <xsl:with-param name="v" select="$v"/>
          </xsl:call-template>
        </number>
      </xsl:when>
      <xsl:otherwise><null key="{$key}"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="strip-zeros">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="starts-with($v, '0') and string-length($v) &gt; 1
                      and not(starts-with($v, '0.'))">
        <xsl:call-template name="strip-zeros">
          <xsl:with-param name="v" select="substring($v, 2)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
