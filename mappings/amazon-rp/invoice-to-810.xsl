<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/invoice-to-810: a canonical <invoice> (schemas/canonical/
  invoice.xsd), program RP, to the Amazon Retail Procurement invoice, one
  X12 004010 810 (partners/amazon-rp/810).

  It is also the base of amazon-df/invoice-to-810, which imports it and
  overrides the templates marked "DF overrides" (program, the references on
  each IT1 line).

  What it maps:
    BIG01 invoice date, BIG02 invoice number, BIG03 PO date, BIG04 the
      first PO number (references, else the first line's), BIG07 the type's
      @code, or CR for a credit note (DF: else CI), BIG10 the credit note's
      original invoice number
    CUR*SE*<currency> (DF: CUR*BT)
    REF*BM bill of lading; REF per references/reference with @code (REF03
      its @description); shipment ids and the vendor's reference number only
      when the parameters "shipment-id-qualifier" / "reference-number-
      qualifier" name their REF01 (by partner; unconfirmed for Amazon)
    N1 loops in this order, each when given: RI remit-to, SU selling party,
      SF ship-from, ST ship-to, BT bill-to; N102 name (a second line in
      N201), N103/N104 the id (92 first; gln UL, duns 1/9), N3 two lines
      each, N4 city, state, postal code, country
    ITD: ITD01 type (@code, else list inv-terms-type), ITD02 basis date
      (@code, else list inv-terms-basis), ITD03 discount percent, ITD04
      discount due date, ITD05 discount days, ITD06 net due date, ITD07 net
      days, ITD08 discount amount (implied 2 decimals), ITD12 description
    DTM*011 shipped date
    IT1 loop per line: IT101 line-no, IT102 quantity, IT103 unit (list
      x12-unit), IT104 unit price as written, IT105 its basis, the ids as
      the PO sent them (@code, else list product-id), then PO + po-number;
      TXI per line tax; PID*F description; SAC loops for line charges (C)
      and allowances (A), each with its taxes (TXI)
    TDS01 invoice total in implied cents (wharf:implied: 370.00 = 37000)
    TXI per header tax; SAC loops for header charges and allowances: SAC01
      C / A, SAC02 (@code, else list inv-charge), SAC05 amount in implied
      cents, SAC06/SAC07 percent only with the parameter
      "sac-percent-qualifier" (SAC06 code; unconfirmed), SAC08 rate, SAC09/
      SAC10 quantity, SAC15 description
    CTT01 the number of IT1 lines, CTT02 the exact sum of IT102
  Every amount goes through wharf:dec / wharf:implied / wharf:sum (exact
  decimals); tax amounts (TXI02, R) keep their scale.

  Refused (xsl:message terminate="yes"): a program other than the map's;
  totals that do not add up, checked with exact decimals: line-total = sum
  of line amounts, each line amount = quantity x unit price (rounded to
  cents), charges-total / allowances-total = sum of header and line
  charges / allowances, tax-total = sum of header taxes, header taxes = sum
  of line taxes when both are given, invoice-total = line-total +
  charges-total - allowances-total + tax-total; a zero invoice total; more
  product ids and references than IT1's ten pairs.

  SPEC: RULES.md "810 invoice": BIG (date, invoice number), CUR, N1*RI
  remit-to with address, N1*SF, ITD, IT1 lines with the PO number (PO;
  DF also VO and ON), TXI tax, SAC charges and allowances, TDS in implied
  cents (TDS*30764 = 307.64), CTT; no zero totals; header tax equals the
  sum of line taxes; every charge and allowance itemised.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns:c="urn:wharf:canonical:1"
    exclude-result-prefixes="wharf c">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="inv" select="/c:invoice"/>

  <!-- DF overrides: the program and the guide its output follows -->
  <xsl:variable name="program" select="'RP'"/>
  <xsl:variable name="guide" select="'partners/amazon-rp/810'"/>

  <xsl:variable name="lf" select="'&#10;'"/>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:if test="not($inv)">
      <xsl:message terminate="yes">the input is not a canonical invoice (urn:wharf:canonical:1)</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="$inv" mode="check"/>
    <transaction set="810" guide="{$guide}">
      <ST><ST01>810</ST01></ST>
      <xsl:apply-templates select="$inv" mode="header"/>
      <xsl:apply-templates select="$inv/c:lines/c:line"/>
      <xsl:apply-templates select="$inv" mode="summary"/>
      <SE/>
    </transaction>
  </xsl:template>

  <!-- ============================ checks ============================ -->

  <xsl:template match="c:invoice" mode="check">
    <xsl:variable name="no" select="string(c:invoice-number)"/>
    <xsl:if test="string(c:program) != $program">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$no"/> is program '<xsl:value-of select="c:program"/>'; this map writes the <xsl:value-of select="$program"/> 810</xsl:message>
    </xsl:if>
    <xsl:for-each select="c:lines/c:line">
      <xsl:variable name="extended" select="wharf:round(wharf:mul(c:invoiced-quantity, c:unit-price), 2)"/>
      <xsl:if test="wharf:cmp($extended, wharf:round(c:line-amount, 2)) != 0">
        <xsl:message terminate="yes">invoice <xsl:value-of select="$no"/> line <xsl:value-of select="c:line-no"/>: line amount <xsl:value-of select="c:line-amount"/> is not <xsl:value-of select="c:invoiced-quantity"/> x <xsl:value-of select="c:unit-price"/> = <xsl:value-of select="$extended"/></xsl:message>
      </xsl:if>
    </xsl:for-each>
    <xsl:variable name="t" select="c:totals"/>
    <xsl:call-template name="check-sum">
      <xsl:with-param name="what" select="'line-total'"/>
      <xsl:with-param name="stated" select="$t/c:line-total"/>
      <xsl:with-param name="sum" select="wharf:sum(c:lines/c:line/c:line-amount)"/>
      <xsl:with-param name="of" select="'the line amounts'"/>
    </xsl:call-template>
    <xsl:call-template name="check-sum">
      <xsl:with-param name="what" select="'charges-total'"/>
      <xsl:with-param name="stated" select="$t/c:charges-total"/>
      <xsl:with-param name="sum" select="wharf:sum(c:charges/c:charge/c:amount | c:lines/c:line/c:charges/c:charge/c:amount)"/>
      <xsl:with-param name="of" select="'the charges'"/>
    </xsl:call-template>
    <xsl:call-template name="check-sum">
      <xsl:with-param name="what" select="'allowances-total'"/>
      <xsl:with-param name="stated" select="$t/c:allowances-total"/>
      <xsl:with-param name="sum" select="wharf:sum(c:allowances/c:allowance/c:amount | c:lines/c:line/c:allowances/c:allowance/c:amount)"/>
      <xsl:with-param name="of" select="'the allowances'"/>
    </xsl:call-template>
    <xsl:variable name="line-taxes" select="c:lines/c:line/c:taxes/c:tax/c:amount"/>
    <xsl:choose>
      <xsl:when test="c:taxes/c:tax">
        <xsl:call-template name="check-sum">
          <xsl:with-param name="what" select="'tax-total'"/>
          <xsl:with-param name="stated" select="$t/c:tax-total"/>
          <xsl:with-param name="sum" select="wharf:sum(c:taxes/c:tax/c:amount)"/>
          <xsl:with-param name="of" select="'the header taxes'"/>
        </xsl:call-template>
        <!-- SPEC: RULES.md "810": header tax equals the sum of line taxes -->
        <xsl:if test="$line-taxes and wharf:cmp(wharf:sum(c:taxes/c:tax/c:amount), wharf:sum($line-taxes)) != 0">
          <xsl:message terminate="yes">invoice <xsl:value-of select="$no"/>: header taxes <xsl:value-of select="wharf:sum(c:taxes/c:tax/c:amount)"/> are not the sum of the line taxes, <xsl:value-of select="wharf:sum($line-taxes)"/></xsl:message>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="check-sum">
          <xsl:with-param name="what" select="'tax-total'"/>
          <xsl:with-param name="stated" select="$t/c:tax-total"/>
          <xsl:with-param name="sum" select="wharf:sum($line-taxes)"/>
          <xsl:with-param name="of" select="'the line taxes'"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:variable name="total" select="wharf:add(wharf:sub(wharf:add(wharf:sum($t/c:line-total), wharf:sum($t/c:charges-total)), wharf:sum($t/c:allowances-total)), wharf:sum($t/c:tax-total))"/>
    <xsl:if test="wharf:cmp($total, $t/c:invoice-total) != 0">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$no"/>: invoice-total <xsl:value-of select="$t/c:invoice-total"/> is not lines + charges - allowances + tax = <xsl:value-of select="$total"/></xsl:message>
    </xsl:if>
    <xsl:if test="wharf:cmp($t/c:invoice-total, '0') = 0">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$no"/> totals 0: Amazon rejects invoices with a zero total</xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- a stated total (when given) equals the exact sum of its parts -->
  <xsl:template name="check-sum">
    <xsl:param name="what"/>
    <xsl:param name="stated"/>
    <xsl:param name="sum"/>
    <xsl:param name="of"/>
    <xsl:if test="string($stated) != '' and wharf:cmp($stated, $sum) != 0">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$inv/c:invoice-number"/>: <xsl:value-of select="$what"/> <xsl:value-of select="concat(' ', $stated)"/> is not the sum of <xsl:value-of select="$of"/>, <xsl:value-of select="$sum"/></xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- ============================ header ============================ -->

  <!-- DF overrides: CUR01, and BIG07 when the invoice type has no code of
       its own -->
  <xsl:variable name="cur-entity" select="'SE'"/>
  <xsl:variable name="big07-default" select="''"/>

  <xsl:template match="c:invoice" mode="header">
    <xsl:variable name="refs" select="c:references"/>
    <BIG>
      <BIG01><xsl:call-template name="x12-date"><xsl:with-param name="value" select="c:invoice-date"/></xsl:call-template></BIG01>
      <BIG02><xsl:value-of select="c:invoice-number"/></BIG02>
      <xsl:if test="string($refs/c:po-date) != ''">
        <BIG03><xsl:call-template name="x12-date"><xsl:with-param name="value" select="$refs/c:po-date"/></xsl:call-template></BIG03>
      </xsl:if>
      <BIG04><xsl:value-of select="($refs/c:po-number | c:lines/c:line[not($refs/c:po-number)]/c:po-number)[1]"/></BIG04>
      <xsl:choose>
        <xsl:when test="string(c:type/@code) != ''"><BIG07><xsl:value-of select="c:type/@code"/></BIG07></xsl:when>
        <xsl:when test="string(c:type) = 'credit-note'"><BIG07>CR</BIG07></xsl:when>
        <xsl:when test="$big07-default != ''"><BIG07><xsl:value-of select="$big07-default"/></BIG07></xsl:when>
      </xsl:choose>
      <xsl:if test="string(c:credit-note/c:original-invoice-number) != ''">
        <BIG10><xsl:value-of select="c:credit-note/c:original-invoice-number"/></BIG10>
      </xsl:if>
    </BIG>
    <CUR>
      <CUR01><xsl:value-of select="$cur-entity"/></CUR01>
      <CUR02><xsl:value-of select="c:currency"/></CUR02>
    </CUR>
    <xsl:for-each select="$refs/c:bill-of-lading">
      <REF><REF01>BM</REF01><REF02><xsl:value-of select="."/></REF02></REF>
    </xsl:for-each>
    <xsl:call-template name="param-ref">
      <xsl:with-param name="qualifier" select="wharf:param('shipment-id-qualifier', '')"/>
      <xsl:with-param name="values" select="$refs/c:shipment-id"/>
    </xsl:call-template>
    <xsl:call-template name="param-ref">
      <xsl:with-param name="qualifier" select="wharf:param('reference-number-qualifier', '')"/>
      <xsl:with-param name="values" select="c:reference-number"/>
    </xsl:call-template>
    <xsl:for-each select="$refs/c:reference[string(@code) != '']">
      <REF>
        <REF01><xsl:value-of select="@code"/></REF01>
        <REF02><xsl:value-of select="."/></REF02>
        <xsl:if test="string(@description) != ''"><REF03><xsl:value-of select="@description"/></REF03></xsl:if>
      </REF>
    </xsl:for-each>
    <xsl:call-template name="n1-loop"><xsl:with-param name="code" select="'RI'"/><xsl:with-param name="party" select="c:remit-to"/></xsl:call-template>
    <xsl:call-template name="n1-loop"><xsl:with-param name="code" select="'SU'"/><xsl:with-param name="party" select="c:selling-party"/></xsl:call-template>
    <xsl:call-template name="n1-loop"><xsl:with-param name="code" select="'SF'"/><xsl:with-param name="party" select="c:ship-from"/></xsl:call-template>
    <xsl:call-template name="n1-loop"><xsl:with-param name="code" select="'ST'"/><xsl:with-param name="party" select="c:ship-to"/></xsl:call-template>
    <xsl:call-template name="n1-loop"><xsl:with-param name="code" select="'BT'"/><xsl:with-param name="party" select="c:bill-to"/></xsl:call-template>
    <xsl:apply-templates select="c:terms"/>
    <xsl:for-each select="c:shipped-date">
      <DTM>
        <DTM01>011</DTM01>
        <DTM02><xsl:call-template name="x12-date"><xsl:with-param name="value" select="."/></xsl:call-template></DTM02>
      </DTM>
    </xsl:for-each>
  </xsl:template>

  <!-- REF*<qualifier> for each value, when the partner names the qualifier -->
  <xsl:template name="param-ref">
    <xsl:param name="qualifier"/>
    <xsl:param name="values"/>
    <xsl:if test="$qualifier != ''">
      <xsl:for-each select="$values">
        <REF><REF01><xsl:value-of select="$qualifier"/></REF01><REF02><xsl:value-of select="."/></REF02></REF>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:terms">
    <ITD>
      <xsl:for-each select="c:type">
        <ITD01><xsl:call-template name="coded"><xsl:with-param name="list" select="'inv-terms-type'"/></xsl:call-template></ITD01>
      </xsl:for-each>
      <xsl:for-each select="c:basis-date">
        <ITD02><xsl:call-template name="coded"><xsl:with-param name="list" select="'inv-terms-basis'"/></xsl:call-template></ITD02>
      </xsl:for-each>
      <xsl:if test="string(c:discount-percent) != ''"><ITD03><xsl:value-of select="wharf:dec(c:discount-percent)"/></ITD03></xsl:if>
      <xsl:if test="string(c:discount-due-date) != ''">
        <ITD04><xsl:call-template name="x12-date"><xsl:with-param name="value" select="c:discount-due-date"/></xsl:call-template></ITD04>
      </xsl:if>
      <xsl:if test="string(c:discount-days) != ''"><ITD05><xsl:value-of select="c:discount-days"/></ITD05></xsl:if>
      <xsl:if test="string(c:net-due-date) != ''">
        <ITD06><xsl:call-template name="x12-date"><xsl:with-param name="value" select="c:net-due-date"/></xsl:call-template></ITD06>
      </xsl:if>
      <xsl:if test="string(c:net-days) != ''"><ITD07><xsl:value-of select="c:net-days"/></ITD07></xsl:if>
      <xsl:if test="string(c:discount-amount) != ''"><ITD08><xsl:value-of select="wharf:implied(c:discount-amount, 2)"/></ITD08></xsl:if>
      <xsl:if test="string(c:description) != ''"><ITD12><xsl:value-of select="c:description"/></ITD12></xsl:if>
    </ITD>
  </xsl:template>

  <!-- ============================= lines ============================= -->

  <xsl:template match="c:line">
    <xsl:variable name="pairs">
      <xsl:for-each select="c:id">
        <pair q="{@code}" v="{.}">
          <xsl:if test="string(@code) = ''">
            <xsl:attribute name="q"><xsl:value-of select="wharf:lookup('product-id', @qualifier)"/></xsl:attribute>
          </xsl:if>
        </pair>
      </xsl:for-each>
      <xsl:apply-templates select="." mode="line-references"/>
    </xsl:variable>
    <xsl:variable name="p" select="exsl:node-set($pairs)/pair" xmlns:exsl="http://exslt.org/common"/>
    <xsl:if test="count($p) > 10">
      <xsl:message terminate="yes">invoice line <xsl:value-of select="c:line-no"/>: <xsl:value-of select="count($p)"/> product ids and references; IT1 holds 10 pairs</xsl:message>
    </xsl:if>
    <loop id="IT1">
      <IT1>
        <IT101><xsl:value-of select="c:line-no"/></IT101>
        <IT102><xsl:value-of select="wharf:dec(c:invoiced-quantity)"/></IT102>
        <IT103><xsl:value-of select="wharf:lookup('x12-unit', c:invoiced-quantity/@unit)"/></IT103>
        <IT104><xsl:value-of select="wharf:dec(c:unit-price)"/></IT104>
        <xsl:if test="string(c:unit-price/@basis) != ''"><IT105><xsl:value-of select="c:unit-price/@basis"/></IT105></xsl:if>
        <xsl:for-each select="$p">
          <xsl:element name="{concat('IT1', format-number(4 + position() * 2, '00'))}"><xsl:value-of select="@q"/></xsl:element>
          <xsl:element name="{concat('IT1', format-number(5 + position() * 2, '00'))}"><xsl:value-of select="@v"/></xsl:element>
        </xsl:for-each>
      </IT1>
      <xsl:apply-templates select="c:taxes/c:tax"/>
      <xsl:for-each select="c:description">
        <loop id="PID">
          <PID><PID01>F</PID01><PID05><xsl:value-of select="."/></PID05></PID>
        </loop>
      </xsl:for-each>
      <xsl:apply-templates select="c:charges/c:charge | c:allowances/c:allowance"/>
    </loop>
  </xsl:template>

  <!-- DF overrides: the qualified references after the ids (RP: the PO) -->
  <xsl:template match="c:line" mode="line-references">
    <pair q="PO" v="{c:po-number}"/>
  </xsl:template>

  <!-- ============================ summary ============================ -->

  <xsl:template match="c:invoice" mode="summary">
    <TDS><TDS01><xsl:value-of select="wharf:implied(c:totals/c:invoice-total, 2)"/></TDS01></TDS>
    <xsl:apply-templates select="c:taxes/c:tax"/>
    <xsl:apply-templates select="c:charges/c:charge | c:allowances/c:allowance"/>
    <CTT>
      <CTT01><xsl:value-of select="count(c:lines/c:line)"/></CTT01>
      <CTT02><xsl:value-of select="wharf:sum(c:lines/c:line/c:invoiced-quantity)"/></CTT02>
    </CTT>
  </xsl:template>

  <!-- TXI: type, amount, rate, jurisdiction, exempt, base -->
  <xsl:template match="c:tax">
    <TXI>
      <TXI01><xsl:for-each select="c:type"><xsl:call-template name="coded"><xsl:with-param name="list" select="'inv-tax-type'"/></xsl:call-template></xsl:for-each></TXI01>
      <TXI02><xsl:value-of select="wharf:dec(c:amount)"/></TXI02>
      <xsl:if test="string(c:rate) != ''"><TXI03><xsl:value-of select="wharf:dec(c:rate)"/></TXI03></xsl:if>
      <xsl:if test="string(c:jurisdiction) != '' and string(c:jurisdiction/@code) != ''">
        <TXI04><xsl:value-of select="c:jurisdiction/@code"/></TXI04>
        <TXI05><xsl:value-of select="c:jurisdiction"/></TXI05>
      </xsl:if>
      <xsl:choose>
        <xsl:when test="string(c:exempt) = 'true' or string(c:exempt) = '1'"><TXI06>1</TXI06></xsl:when>
        <xsl:when test="string(c:exempt) = 'false' or string(c:exempt) = '0'"><TXI06>2</TXI06></xsl:when>
      </xsl:choose>
      <!-- X12: TXI08 (the base) only with TXI03 (the rate) -->
      <xsl:if test="string(c:taxable-amount) != '' and string(c:rate) != ''"><TXI08><xsl:value-of select="wharf:dec(c:taxable-amount)"/></TXI08></xsl:if>
    </TXI>
  </xsl:template>

  <!-- a SAC loop: SAC with the charge's or allowance's taxes -->
  <xsl:template match="c:charge | c:allowance">
    <xsl:variable name="pq" select="wharf:param('sac-percent-qualifier', '')"/>
    <loop id="SAC">
      <SAC>
        <SAC01><xsl:choose><xsl:when test="self::c:charge">C</xsl:when><xsl:otherwise>A</xsl:otherwise></xsl:choose></SAC01>
        <SAC02><xsl:for-each select="c:type"><xsl:call-template name="coded"><xsl:with-param name="list" select="'inv-charge'"/></xsl:call-template></xsl:for-each></SAC02>
        <SAC05><xsl:value-of select="wharf:implied(c:amount, 2)"/></SAC05>
        <xsl:if test="string(c:percent) != '' and $pq != ''">
          <SAC06><xsl:value-of select="$pq"/></SAC06>
          <SAC07><xsl:value-of select="wharf:dec(c:percent)"/></SAC07>
        </xsl:if>
        <xsl:if test="string(c:rate) != ''"><SAC08><xsl:value-of select="wharf:dec(c:rate)"/></SAC08></xsl:if>
        <xsl:for-each select="c:quantity[string(.) != '']">
          <SAC09><xsl:value-of select="wharf:lookup('x12-unit', @unit)"/></SAC09>
          <SAC10><xsl:value-of select="wharf:dec(.)"/></SAC10>
        </xsl:for-each>
        <xsl:if test="string(c:description) != ''"><SAC15><xsl:value-of select="c:description"/></SAC15></xsl:if>
      </SAC>
      <xsl:apply-templates select="c:taxes/c:tax"/>
    </loop>
  </xsl:template>

  <!-- ============================ helpers ============================ -->

  <!-- a coded value (the context) as its X12 code: @code as the source
       sent it, else the word through code list $list -->
  <xsl:template name="coded">
    <xsl:param name="list"/>
    <xsl:choose>
      <xsl:when test="string(@code) != ''"><xsl:value-of select="@code"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="wharf:lookup($list, normalize-space(.))"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- a date-or-timestamp as CCYYMMDD: its first ten characters (the date
       as the ERP wrote it) -->
  <xsl:template name="x12-date">
    <xsl:param name="value"/>
    <xsl:value-of select="wharf:format-date(substring(normalize-space($value), 1, 10), 'YYYY-MM-DD', 'CCYYMMDD')"/>
  </xsl:template>

  <!-- an N1 loop for $party (see amazon-rp/shipment-to-856 for the same
       rules): N102 name (second line in N201), N103/N104 its id (92 first;
       gln UL, duns 1 or 9), N3 (two lines each), N4 -->
  <xsl:template name="n1-loop">
    <xsl:param name="code"/>
    <xsl:param name="party"/>
    <xsl:for-each select="$party">
      <xsl:variable name="id" select="(c:id[@qualifier = '92'] | c:id[not(../c:id[@qualifier = '92'])])[1]"/>
      <xsl:variable name="name" select="string(c:name)"/>
      <loop id="N1">
        <N1>
          <N101><xsl:value-of select="$code"/></N101>
          <xsl:if test="$name != ''">
            <N102>
              <xsl:choose>
                <xsl:when test="contains($name, $lf)"><xsl:value-of select="substring-before($name, $lf)"/></xsl:when>
                <xsl:otherwise><xsl:value-of select="$name"/></xsl:otherwise>
              </xsl:choose>
            </N102>
          </xsl:if>
          <xsl:for-each select="$id">
            <N103>
              <xsl:choose>
                <xsl:when test="@qualifier = 'gln'">UL</xsl:when>
                <xsl:when test="@qualifier = 'duns' and string-length(.) > 9">9</xsl:when>
                <xsl:when test="@qualifier = 'duns'">1</xsl:when>
                <xsl:otherwise><xsl:value-of select="@qualifier"/></xsl:otherwise>
              </xsl:choose>
            </N103>
            <N104><xsl:value-of select="."/></N104>
          </xsl:for-each>
        </N1>
        <xsl:if test="contains($name, $lf)">
          <N2><N201><xsl:value-of select="substring-after($name, $lf)"/></N201></N2>
        </xsl:if>
        <xsl:for-each select="c:address">
          <xsl:for-each select="c:line[position() mod 2 = 1]">
            <N3>
              <N301><xsl:value-of select="."/></N301>
              <xsl:for-each select="following-sibling::c:line[1]">
                <N302><xsl:value-of select="."/></N302>
              </xsl:for-each>
            </N3>
          </xsl:for-each>
          <N4>
            <xsl:if test="string(c:city) != ''"><N401><xsl:value-of select="c:city"/></N401></xsl:if>
            <xsl:if test="string(c:state) != ''"><N402><xsl:value-of select="c:state"/></N402></xsl:if>
            <xsl:if test="string(c:postal-code) != ''"><N403><xsl:value-of select="c:postal-code"/></N403></xsl:if>
            <N404><xsl:value-of select="c:country"/></N404>
          </N4>
        </xsl:for-each>
      </loop>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
