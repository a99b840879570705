<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/850-to-order: an Amazon Retail Procurement purchase order (X12
  004010 850 from AMAZON, one transaction set as EDI-XML) to a canonical
  <order> (schemas/canonical/order.xsd), program RP.

  It is also the base of amazon-df/850-to-order, which imports it and
  overrides the templates marked "DF overrides" (program, accepted types,
  header dates, gift messages): the segment-to-element rules live here once.

  What it maps:
    BEG01 purpose (po-purpose list), BEG02 type (po-type list), BEG03 PO
      number, BEG05 order date; RP: changed is true for BEG01 04 / 05, else
      false
    CUR02 currency, else the partner parameter "currency" (default USD:
      Amazon NA 850s carry no CUR)
    REF: every REF except OQ as a reference (REF01 in @code, @type from the
      reference-type list, REF03 as @description, or the value when REF02 is
      empty); each qualifier / id pair of a composite REF04 a further
      reference with @of = REF01; REF*OQ customer order number (and a
      reference too when it has REF03 or REF04); REF*PD deal code; REF*CR
      also the selling party (92) unless an N1*SU / N1*VN loop names it
    N1 loops: ST ship-to, SF ship-from, BT bill-to, BY buying party,
      SU / VN selling party, any other N101 (Amazon DF: LW) a header
      <party code="N101">: N103/N104 id (92 stays "92", UL gln, 1 / 9
      duns), N102 name (each N201 a further line, after a line feed), N202
      attention, N3 lines, N4 city / state / postal code / country (2-letter
      codes as sent, 3-letter codes through the country list, a name such as
      "UNITED STATES" through country-name and kept as sent in country-name,
      else N406 when N405 is CC, else the "country" parameter, default US),
      N405 / N406 as location, address lines after the third (two full N3s)
      as extra-address-line, PER TE phone and EM email (the first of each),
      and every PER as a contact (so a party without an address keeps its
      phone); a TD5 inside an N1 loop is the order's carrier
    DTM 037 / 038 ship window, 064 / 063 delivery window; DTM 010 / 002 in a
      PO1 loop the line's requested ship / delivery date, in the header the
      default for every line without its own
    CSH01 Y / N backorder allowed (header, copied to each line; a CSH in the
      PO1 loop wins for its line); another header CSH01 a note of type
      sales-requirement
    FOB01 freight payment (freight-payment list, default "other"), FOB04 01 +
      FOB05 incoterms
    TD5 carrier, from the header or an N1 loop (the first): TD502 in
      @qualifier, 2 = SCAC, any other qualifier = ship method (TD503), TD505
      routing as name, TD504 transport method, TD507 / TD508 location
    N9 / MSG loops: notes (N901 in @code, N902 @reference, N903
      @description, MSG01 lines joined by line feeds)
    PKG (header and line): packaging
    PO1 loops: PO101 line number, PO102 / PO103 quantity and unit (x12-unit
      list, strict), PO104 unit cost and PO105 basis as exact decimal strings
      (wharf:dec, never XPath numbers), PO106/PO107 ... PO124/PO125 every
      product id in order (qualifiers in the product-id list; the X12
      qualifier kept in @code so the 855 / 856 / 810 can echo it), the other
      pairs (Amazon DF: TP product type, BL brand, ZZ seller) as
      product-attribute, PO401 pack as unit-size, PID F description, CTP
      MSR / LPR list price and every CTP as a price (@code CTP02, @class
      CTP01; PUR the consumer's retail price), SCH schedules, REF, MSG / N9
      notes
    CTT: checked, not mapped: CTT01 must equal the number of PO1 loops and
      CTT02 (when sent) the exact sum of PO102.
  Dates become YYYY-MM-DD (DTM03 times are not used: the canonical order
  dates are calendar dates when X12 gives them).

  Refused (a finding, no order): a BEG02 the program does not use, a unit
  or purpose not in its code list, a PO1 without any product id of the
  product-id list (a qualifier wharf does not know is kept, never refused:
  an inbound PO is refused only for what wharf needs), a quantity or cost
  that is not a decimal, a date that is not CCYYMMDD, a CTT that does not
  match.

  Not mapped: ITD terms, TXI taxes, SAC charges (Amazon's 850 sends none;
  add them with their code lists when a partner does), the envelope (the
  gateway fills it).

  SPEC: RULES.md "850 purchase order": BEG02 CN / NE / NP / RO; windows in
  DTM; items by qualifier BP (ASIN), EN, UP, UK (GTIN-14), IB, VN / VP;
  backorder allowed per line. RULES.md "Identifiers": parties are 92 short
  codes (ship-to = fulfilment-centre code). RULES.md "855 acknowledgment":
  the product id and unit cost must come back exactly as the PO sent them,
  hence @code and the unchanged decimal text.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns="urn:wharf:canonical:1"
    exclude-result-prefixes="wharf">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <!-- the transaction set, whether it comes inside its envelope or alone -->
  <xsl:variable name="tx" select="(/x12/interchange/group/transaction | /transaction)[1]"/>

  <!-- DF overrides: the program and the BEG02 types it accepts -->
  <xsl:variable name="program" select="'RP'"/>
  <xsl:variable name="types" select="' NE CN NP RO '"/>

  <xsl:variable name="lf" select="'&#10;'"/>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:if test="not($tx) or $tx/@set != '850'">
      <xsl:message terminate="yes">the input is not an X12 850 transaction set</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="$tx" mode="check"/>
    <order>
      <header>
        <xsl:apply-templates select="$tx" mode="header"/>
      </header>
      <lines>
        <xsl:apply-templates select="$po1s"/>
      </lines>
    </order>
  </xsl:template>

  <!-- ============================ checks ============================ -->

  <xsl:template match="transaction" mode="check">
    <xsl:variable name="beg02" select="string(BEG/BEG02)"/>
    <xsl:if test="not(contains($types, concat(' ', $beg02, ' '))) or $beg02 = ''">
      <xsl:message terminate="yes">BEG02 '<xsl:value-of select="$beg02"/>' is not an order type of program <xsl:value-of select="$program"/> (expected one of<xsl:value-of select="substring($types, 1, string-length($types) - 1)"/>)</xsl:message>
    </xsl:if>
    <xsl:if test="string(BEG/BEG03) = ''">
      <xsl:message terminate="yes">BEG03 (the PO number) is missing</xsl:message>
    </xsl:if>
    <xsl:for-each select="$po1s/PO1[string(PO101) = '']">
      <xsl:message terminate="yes">PO1 loop <xsl:value-of select="count(../preceding-sibling::loop[@id = 'PO1']) + 1"/> has no PO101 line number: the acknowledgment could not name the line</xsl:message>
    </xsl:for-each>
    <!-- the code lists again, with a default, to name the line in the finding
         (the strict lookups below would say only which code) -->
    <xsl:for-each select="$po1s/PO1">
      <xsl:if test="wharf:lookup('x12-unit', string(PO103), '') = ''">
        <xsl:message terminate="yes">PO1 line <xsl:value-of select="PO101"/>: unit '<xsl:value-of select="PO103"/>' (PO103) is not in code list 'x12-unit'</xsl:message>
      </xsl:if>
      <!-- a qualifier that is not a product id (Amazon DF: TP, BL, ZZ) is kept
           as a product attribute; a line needs one id the ack can echo -->
      <!-- one test that stops at the first known qualifier (a result tree
           fragment built per line cost more than the rest of the check) -->
      <xsl:if test="not((PO106 and wharf:lookup('product-id', string(PO106), '') != '') or
                              (PO108 and wharf:lookup('product-id', string(PO108), '') != '') or
                              (PO110 and wharf:lookup('product-id', string(PO110), '') != '') or
                              (PO112 and wharf:lookup('product-id', string(PO112), '') != '') or
                              (PO114 and wharf:lookup('product-id', string(PO114), '') != '') or
                              (PO116 and wharf:lookup('product-id', string(PO116), '') != '') or
                              (PO118 and wharf:lookup('product-id', string(PO118), '') != '') or
                              (PO120 and wharf:lookup('product-id', string(PO120), '') != '') or
                              (PO122 and wharf:lookup('product-id', string(PO122), '') != '') or
                              (PO124 and wharf:lookup('product-id', string(PO124), '') != ''))">
        <xsl:message terminate="yes">PO1 line <xsl:value-of select="PO101"/>: no product id in code list 'product-id' (PO106 ... PO124): the acknowledgment could not name the item</xsl:message>
      </xsl:if>
    </xsl:for-each>
    <!-- SPEC: X12 CTT01 is the number of PO1 segments, CTT02 the hash total of PO102 -->
    <xsl:variable name="ctt" select="loop[@id = 'CTT']/CTT | CTT"/>
    <xsl:variable name="lines" select="count($po1s)"/>
    <xsl:if test="$ctt and string($ctt/CTT01) != string($lines)">
      <xsl:message terminate="yes">CTT01 says <xsl:value-of select="$ctt/CTT01"/> line items, the 850 has <xsl:value-of select="$lines"/> PO1 loops</xsl:message>
    </xsl:if>
    <xsl:if test="string($ctt/CTT02) != ''">
      <xsl:variable name="hash" select="wharf:sum($po1s/PO1/PO102)"/>
      <xsl:if test="wharf:cmp($hash, $ctt/CTT02) != 0">
        <xsl:message terminate="yes">CTT02 hash total <xsl:value-of select="$ctt/CTT02"/> is not the sum of the PO102 quantities (<xsl:value-of select="$hash"/>)</xsl:message>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- ============================ header ============================ -->

  <xsl:template match="transaction" mode="header">
    <xsl:variable name="beg" select="BEG"/>
    <program><xsl:value-of select="$program"/></program>
    <purpose code="{$beg/BEG01}"><xsl:value-of select="wharf:lookup('po-purpose', $beg/BEG01)"/></purpose>
    <type code="{$beg/BEG02}"><xsl:value-of select="wharf:lookup('po-type', $beg/BEG02)"/></type>
    <po-number><xsl:value-of select="$beg/BEG03"/></po-number>
    <order-date><xsl:value-of select="wharf:format-date($beg/BEG05, 'CCYYMMDD', 'YYYY-MM-DD')"/></order-date>
    <xsl:if test="$program = 'RP'">
      <!-- RULES.md RP changes: the vendor must follow the changed version (DF orders never change) -->
      <changed><xsl:value-of select="$beg/BEG01 = '04' or $beg/BEG01 = '05'"/></changed>
    </xsl:if>
    <currency>
      <xsl:choose>
        <xsl:when test="string(CUR/CUR02) != ''"><xsl:value-of select="CUR/CUR02"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="wharf:param('currency', 'USD')"/></xsl:otherwise>
      </xsl:choose>
    </currency>
    <xsl:for-each select="REF[REF01 = 'OQ'][1]">
      <customer-order-number><xsl:value-of select="REF02"/></customer-order-number>
    </xsl:for-each>
    <xsl:for-each select="REF[REF01 = 'PD'][1]">
      <deal-code><xsl:value-of select="REF02"/></deal-code>
    </xsl:for-each>
    <xsl:apply-templates select="REF[REF01 != 'OQ'] | REF[REF01 = 'OQ'][string(REF03) != '' or REF04 or position() > 1]"/>
    <!-- parties, in the schema's order -->
    <xsl:choose>
      <xsl:when test="$n1s[N1/N101 = 'SU' or N1/N101 = 'VN']">
        <xsl:apply-templates select="$n1s[N1/N101 = 'SU' or N1/N101 = 'VN'][1]" mode="party">
          <xsl:with-param name="role" select="'selling-party'"/>
        </xsl:apply-templates>
      </xsl:when>
      <xsl:when test="REF[REF01 = 'CR'][string(REF02) != '']">
        <!-- SPEC: Amazon RP sends the vendor code in REF*CR -->
        <selling-party><id qualifier="92"><xsl:value-of select="REF[REF01 = 'CR'][1]/REF02"/></id></selling-party>
      </xsl:when>
    </xsl:choose>
    <xsl:call-template name="party-role"><xsl:with-param name="code" select="'BY'"/><xsl:with-param name="role" select="'buying-party'"/></xsl:call-template>
    <xsl:call-template name="party-role"><xsl:with-param name="code" select="'ST'"/><xsl:with-param name="role" select="'ship-to'"/></xsl:call-template>
    <xsl:call-template name="party-role"><xsl:with-param name="code" select="'SF'"/><xsl:with-param name="role" select="'ship-from'"/></xsl:call-template>
    <xsl:call-template name="party-role"><xsl:with-param name="code" select="'BT'"/><xsl:with-param name="role" select="'bill-to'"/></xsl:call-template>
    <!-- every other party (Amazon DF: N1*LW, the customer, with a PER phone) -->
    <xsl:apply-templates select="$n1s[not(contains(' SU VN BY ST SF BT ', concat(' ', N1/N101, ' ')))]" mode="party">
      <xsl:with-param name="role" select="'party'"/>
    </xsl:apply-templates>
    <xsl:apply-templates select="." mode="header-dates"/>
    <xsl:for-each select="CSH[1]">
      <xsl:call-template name="backorder"/>
    </xsl:for-each>
    <xsl:for-each select="FOB[string(FOB01) != ''][1]">
      <freight-payment code="{FOB01}"><xsl:value-of select="wharf:lookup('freight-payment', FOB01, 'other')"/></freight-payment>
    </xsl:for-each>
    <xsl:for-each select="FOB[FOB04 = '01' and string(FOB05) != ''][1]">
      <import-details><incoterms code="{FOB05}"><xsl:value-of select="FOB05"/></incoterms></import-details>
    </xsl:for-each>
    <!-- the TD5 of the header or of an N1 loop (DF sends it in the N1*ST loop) -->
    <xsl:for-each select="(TD5 | $n1s/TD5)[1]">
      <xsl:call-template name="carrier"/>
    </xsl:for-each>
    <xsl:apply-templates select="." mode="header-gift"/>
    <xsl:apply-templates select="loop[@id = 'N9']" mode="note"/>
    <!-- a CSH01 other than Y / N (the backorder rule) is kept as sent -->
    <xsl:for-each select="CSH[string(CSH01) != '' and CSH01 != 'Y' and CSH01 != 'N']">
      <note type="sales-requirement" code="{CSH01}"><xsl:value-of select="CSH01"/></note>
    </xsl:for-each>
    <xsl:apply-templates select="PKG"/>
  </xsl:template>

  <!-- DF overrides: RP has windows, DF a required ship date -->
  <xsl:template match="transaction" mode="header-dates">
    <xsl:if test="DTM[DTM01 = '037' or DTM01 = '038']">
      <ship-window>
        <xsl:for-each select="DTM[DTM01 = '037'][1]"><start><xsl:call-template name="dtm-date"/></start></xsl:for-each>
        <xsl:for-each select="DTM[DTM01 = '038'][1]"><end><xsl:call-template name="dtm-date"/></end></xsl:for-each>
      </ship-window>
    </xsl:if>
    <xsl:if test="DTM[DTM01 = '064' or DTM01 = '063']">
      <delivery-window>
        <xsl:for-each select="DTM[DTM01 = '064'][1]"><start><xsl:call-template name="dtm-date"/></start></xsl:for-each>
        <xsl:for-each select="DTM[DTM01 = '063'][1]"><end><xsl:call-template name="dtm-date"/></end></xsl:for-each>
      </delivery-window>
    </xsl:if>
  </xsl:template>

  <!-- DF overrides: RP orders carry no gift message -->
  <xsl:template match="transaction" mode="header-gift"/>

  <!-- a REF as a reference: REF02 (else REF03) the value, REF03 the
       description; each qualifier / id pair of a composite REF04 a further
       reference "of" REF01 -->
  <xsl:template match="REF">
    <xsl:variable name="type" select="wharf:lookup('reference-type', REF01, '')"/>
    <!-- REF02, else REF03 when REF02 is blank (a string, not a result
         tree fragment) -->
    <xsl:variable name="value" select="concat(REF02[normalize-space(.) != ''], REF03[normalize-space(../REF02) = ''])"/>
    <xsl:if test="normalize-space($value) != ''">
      <reference code="{REF01}">
        <xsl:if test="$type != ''"><xsl:attribute name="type"><xsl:value-of select="$type"/></xsl:attribute></xsl:if>
        <xsl:if test="string(REF03) != '' and normalize-space(REF02) != ''"><xsl:attribute name="description"><xsl:value-of select="REF03"/></xsl:attribute></xsl:if>
        <xsl:value-of select="$value"/>
      </reference>
    </xsl:if>
    <xsl:variable name="of" select="REF01"/>
    <xsl:for-each select="REF04/*[position() mod 2 = 1][normalize-space(following-sibling::*[1]) != '']">
      <xsl:variable name="t" select="wharf:lookup('reference-type', ., '')"/>
      <reference code="{.}" of="{$of}">
        <xsl:if test="$t != ''"><xsl:attribute name="type"><xsl:value-of select="$t"/></xsl:attribute></xsl:if>
        <xsl:value-of select="following-sibling::*[1]"/>
      </reference>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="backorder">
    <!-- SPEC: X12 563 CSH01 Y = back order if out of stock, N = no back order -->
    <xsl:choose>
      <xsl:when test="CSH01 = 'Y'"><backorder-allowed>true</backorder-allowed></xsl:when>
      <xsl:when test="CSH01 = 'N'"><backorder-allowed>false</backorder-allowed></xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="carrier">
    <xsl:if test="string(TD503) != '' or string(TD505) != ''">
      <carrier>
        <xsl:if test="string(TD502) != ''"><xsl:attribute name="qualifier"><xsl:value-of select="TD502"/></xsl:attribute></xsl:if>
        <xsl:if test="TD502 = '2' and string(TD503) != ''"><scac><xsl:value-of select="TD503"/></scac></xsl:if>
        <xsl:if test="string(TD505) != ''"><name><xsl:value-of select="TD505"/></name></xsl:if>
        <xsl:if test="TD502 != '2' and string(TD503) != ''"><ship-method><xsl:value-of select="TD503"/></ship-method></xsl:if>
        <xsl:if test="string(TD504) != ''"><transport-method code="{TD504}"><xsl:value-of select="TD504"/></transport-method></xsl:if>
        <xsl:if test="string(TD508) != ''"><location code="{TD507}"><xsl:value-of select="TD508"/></location></xsl:if>
      </carrier>
    </xsl:if>
  </xsl:template>

  <!-- a DTM as YYYY-MM-DD, or as a timestamp when DTM03 gives the time and
       DTM04 a zone with a fixed offset (the context is the DTM). A time
       without such a zone is dropped rather than guessed. -->
  <xsl:template name="dtm-date">
    <xsl:variable name="date" select="wharf:format-date(DTM02, 'CCYYMMDD', 'YYYY-MM-DD')"/>
    <xsl:choose>
      <!-- the zone is read only when there is a time to give it (a result
           tree fragment per date cost more than the rest of the date) -->
      <xsl:when test="string-length(DTM03) = 4 or string-length(DTM03) = 6">
        <xsl:variable name="offset">
          <xsl:choose>
            <xsl:when test="DTM04 = 'GM' or DTM04 = 'UT'">Z</xsl:when>
            <xsl:when test="DTM04 = 'ED'">-04:00</xsl:when>
            <xsl:when test="DTM04 = 'ES' or DTM04 = 'CD'">-05:00</xsl:when>
            <xsl:when test="DTM04 = 'CS' or DTM04 = 'MD'">-06:00</xsl:when>
            <xsl:when test="DTM04 = 'MS' or DTM04 = 'PD'">-07:00</xsl:when>
            <xsl:when test="DTM04 = 'PS'">-08:00</xsl:when>
          </xsl:choose>
        </xsl:variable>
        <xsl:variable name="time" select="string(DTM03)"/>
        <xsl:choose>
          <xsl:when test="$offset != '' and string-length($time) = 4">
            <xsl:value-of select="concat($date, 'T', wharf:format-date($time, 'HHMI', 'HH:MI:00'), $offset)"/>
          </xsl:when>
          <xsl:when test="$offset != '' and string-length($time) = 6">
            <xsl:value-of select="concat($date, 'T', wharf:format-date($time, 'HHMISS', 'HH:MI:SS'), $offset)"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$date"/></xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$date"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- an N9 loop (N9 + MSG) as a note -->
  <xsl:template match="loop" mode="note">
    <xsl:if test="MSG[string(MSG01) != '']">
      <note type="general" code="{N9/N901}">
        <xsl:if test="string(N9/N902) != ''"><xsl:attribute name="reference"><xsl:value-of select="N9/N902"/></xsl:attribute></xsl:if>
        <xsl:if test="string(N9/N903) != ''"><xsl:attribute name="description"><xsl:value-of select="N9/N903"/></xsl:attribute></xsl:if>
        <xsl:call-template name="msg-text"/>
      </note>
    </xsl:if>
  </xsl:template>

  <!-- a PKG as packaging -->
  <xsl:template match="PKG">
    <packaging>
      <xsl:if test="string(PKG01) != ''"><xsl:attribute name="type"><xsl:value-of select="PKG01"/></xsl:attribute></xsl:if>
      <xsl:if test="string(PKG02) != ''"><xsl:attribute name="code"><xsl:value-of select="PKG02"/></xsl:attribute></xsl:if>
      <xsl:if test="string(PKG03) != ''"><xsl:attribute name="agency"><xsl:value-of select="PKG03"/></xsl:attribute></xsl:if>
      <xsl:if test="string(PKG04) != ''"><xsl:attribute name="description-code"><xsl:value-of select="PKG04"/></xsl:attribute></xsl:if>
      <xsl:value-of select="PKG05"/>
    </packaging>
  </xsl:template>

  <!-- the MSG01 of the context's MSG children joined with line feeds -->
  <xsl:template name="msg-text">
    <xsl:for-each select="MSG[string(MSG01) != '']">
      <xsl:if test="position() > 1"><xsl:value-of select="$lf"/></xsl:if>
      <xsl:value-of select="MSG01"/>
    </xsl:for-each>
  </xsl:template>

  <!-- the set's PO1 and N1 loops, found once a run: a step with [@id = '...']
       reads the attribute's text into a new string for every loop it tries,
       and the checks, the header and the lines asked for these again and
       again (a tenth of the map's instructions) -->
  <xsl:variable name="po1s" select="$tx/loop[@id = 'PO1']"/>
  <xsl:variable name="n1s" select="$tx/loop[@id = 'N1']"/>

  <!-- ============================ parties ============================ -->

  <xsl:template name="party-role">
    <xsl:param name="code"/>
    <xsl:param name="role"/>
    <xsl:apply-templates select="$n1s[N1/N101 = $code][1]" mode="party">
      <xsl:with-param name="role" select="$role"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- one N1 loop as a canonical party named $role -->
  <xsl:template match="loop" mode="party">
    <xsl:param name="role"/>
    <xsl:variable name="n1" select="N1"/>
    <xsl:variable name="lines" select="N3/N301[string(.) != ''] | N3/N302[string(.) != '']"/>
    <xsl:variable name="n404" select="string(N4[1]/N404)"/>
    <xsl:element name="{$role}">
      <xsl:if test="$role = 'party'"><xsl:attribute name="code"><xsl:value-of select="$n1/N101"/></xsl:attribute></xsl:if>
      <xsl:if test="string($n1/N104) != ''">
        <id>
          <xsl:attribute name="qualifier">
            <xsl:choose>
              <xsl:when test="$n1/N103 = 'UL'">gln</xsl:when>
              <xsl:when test="$n1/N103 = '1' or $n1/N103 = '9'">duns</xsl:when>
              <xsl:otherwise><xsl:value-of select="$n1/N103"/></xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:value-of select="$n1/N104"/>
        </id>
      </xsl:if>
      <!-- names are kept exactly (SPEC: RULES.md DF: do not alter the consumer address) -->
      <xsl:variable name="names" select="$n1/N102[string(.) != ''] | N2/N201[string(.) != '']"/>
      <xsl:if test="$names">
        <name>
          <xsl:for-each select="$names">
            <xsl:if test="position() > 1"><xsl:value-of select="$lf"/></xsl:if>
            <xsl:value-of select="."/>
          </xsl:for-each>
        </name>
      </xsl:if>
      <xsl:if test="N2/N202[string(.) != '']">
        <attention>
          <xsl:for-each select="N2/N202[string(.) != '']">
            <xsl:if test="position() > 1"><xsl:value-of select="$lf"/></xsl:if>
            <xsl:value-of select="."/>
          </xsl:for-each>
        </attention>
      </xsl:if>
      <xsl:if test="N3 or N4">
        <address>
          <!-- a canonical address holds 3 lines; a 4th (two full N3s) is
               kept in extra-address-line, never refused -->
          <xsl:for-each select="$lines[position() &lt;= 3]">
            <line><xsl:value-of select="."/></line>
          </xsl:for-each>
          <xsl:for-each select="N4[1]">
            <xsl:if test="string(N401) != ''"><city><xsl:value-of select="N401"/></city></xsl:if>
            <xsl:if test="string(N402) != ''"><state><xsl:value-of select="N402"/></state></xsl:if>
            <xsl:if test="string(N403) != ''"><postal-code><xsl:value-of select="N403"/></postal-code></xsl:if>
          </xsl:for-each>
          <country>
            <xsl:variable name="c" select="$n404"/>
            <xsl:choose>
              <xsl:when test="string-length($c) = 2"><xsl:value-of select="$c"/></xsl:when>
              <xsl:when test="string-length($c) = 3"><xsl:value-of select="wharf:lookup('country', $c)"/></xsl:when>
              <!-- a name (Amazon DF: "UNITED STATES"), kept as sent in country-name -->
              <xsl:when test="wharf:lookup('country-name', translate($c, $lower, $upper), '') != ''">
                <xsl:value-of select="wharf:lookup('country-name', translate($c, $lower, $upper), '')"/>
              </xsl:when>
              <xsl:when test="N4[1]/N405 = 'CC' and string-length(N4[1]/N406) = 2"><xsl:value-of select="N4[1]/N406"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="wharf:param('country', 'US')"/></xsl:otherwise>
            </xsl:choose>
          </country>
          <xsl:if test="PER">
            <xsl:call-template name="per">
              <xsl:with-param name="kind" select="'TE'"/>
              <xsl:with-param name="element" select="'phone'"/>
            </xsl:call-template>
          </xsl:if>
        </address>
      </xsl:if>
      <xsl:if test="PER">
        <xsl:call-template name="per">
          <xsl:with-param name="kind" select="'EM'"/>
          <xsl:with-param name="element" select="'email'"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:for-each select="$lines[position() > 3]">
        <extra-address-line><xsl:value-of select="."/></extra-address-line>
      </xsl:for-each>
      <xsl:if test="string-length($n404) > 3"><country-name><xsl:value-of select="$n404"/></country-name></xsl:if>
      <xsl:for-each select="N4[string(N406) != '']">
        <location code="{N405}"><xsl:value-of select="N406"/></location>
      </xsl:for-each>
      <xsl:for-each select="PER">
        <contact>
          <xsl:if test="string(PER01) != ''"><xsl:attribute name="code"><xsl:value-of select="PER01"/></xsl:attribute></xsl:if>
          <xsl:if test="string(PER02) != ''"><name><xsl:value-of select="PER02"/></name></xsl:if>
          <xsl:for-each select="(PER04[../PER03 = 'TE'] | PER06[../PER05 = 'TE'] | PER08[../PER07 = 'TE'])[string(.) != '']"><phone><xsl:value-of select="."/></phone></xsl:for-each>
          <xsl:for-each select="(PER04[../PER03 = 'EM'] | PER06[../PER05 = 'EM'] | PER08[../PER07 = 'EM'])[string(.) != '']"><email><xsl:value-of select="."/></email></xsl:for-each>
          <xsl:for-each select="(PER04[../PER03 = 'FX'] | PER06[../PER05 = 'FX'] | PER08[../PER07 = 'FX'])[string(.) != '']"><fax><xsl:value-of select="."/></fax></xsl:for-each>
          <xsl:for-each select="(PER04 | PER06 | PER08)[string(.) != ''][not(contains(' TE EM FX ', concat(' ', preceding-sibling::*[1], ' ')))]">
            <number code="{preceding-sibling::*[1]}"><xsl:value-of select="."/></number>
          </xsl:for-each>
        </contact>
      </xsl:for-each>
    </xsl:element>
  </xsl:template>

  <!-- the first PER communication number of one kind (TE, EM) in the N1 loop -->
  <xsl:template name="per">
    <xsl:param name="kind"/>
    <xsl:param name="element"/>
    <xsl:variable name="v" select="(PER/PER04[../PER03 = $kind] | PER/PER06[../PER05 = $kind] | PER/PER08[../PER07 = $kind])[1]"/>
    <xsl:if test="string($v) != ''">
      <xsl:element name="{$element}"><xsl:value-of select="$v"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- ============================ lines ============================ -->

  <xsl:template match="loop[@id = 'PO1']">
    <xsl:variable name="po1" select="PO1"/>
    <line>
      <line-no><xsl:value-of select="$po1/PO101"/></line-no>
      <xsl:call-template name="product-ids">
        <xsl:with-param name="seg" select="$po1"/>
      </xsl:call-template>
      <xsl:apply-templates select="." mode="line-description"/>
      <ordered-quantity unit="{wharf:lookup('x12-unit', $po1/PO103)}">
        <xsl:variable name="pack" select="string(PO4[1]/PO401)"/>
        <xsl:if test="$pack != '' and $po1/PO103 != 'EA'">
          <xsl:attribute name="unit-size"><xsl:value-of select="$pack"/></xsl:attribute>
        </xsl:if>
        <xsl:value-of select="wharf:dec($po1/PO102)"/>
      </ordered-quantity>
      <xsl:if test="string($po1/PO104) != ''">
        <unit-cost>
          <xsl:if test="string($po1/PO105) != ''"><xsl:attribute name="basis"><xsl:value-of select="$po1/PO105"/></xsl:attribute></xsl:if>
          <xsl:value-of select="wharf:dec($po1/PO104)"/>
        </unit-cost>
      </xsl:if>
      <xsl:for-each select="(loop[@id = 'CTP']/CTP | CTP)[(CTP02 = 'MSR' or CTP02 = 'LPR') and string(CTP03) != ''][1]">
        <list-price><xsl:value-of select="wharf:dec(CTP03)"/></list-price>
      </xsl:for-each>
      <!-- every CTP as sent (Amazon DF: CTP**PUR, the consumer's price) -->
      <xsl:for-each select="(loop[@id = 'CTP']/CTP | CTP)[string(CTP03) != '']">
        <xsl:variable name="type" select="wharf:lookup('price-type', string(CTP02), '')"/>
        <price>
          <xsl:if test="string(CTP02) != ''"><xsl:attribute name="code"><xsl:value-of select="CTP02"/></xsl:attribute></xsl:if>
          <xsl:if test="$type != ''"><xsl:attribute name="type"><xsl:value-of select="$type"/></xsl:attribute></xsl:if>
          <xsl:if test="string(CTP01) != ''"><xsl:attribute name="class"><xsl:value-of select="CTP01"/></xsl:attribute></xsl:if>
          <xsl:value-of select="wharf:dec(CTP03)"/>
        </price>
      </xsl:for-each>
      <xsl:choose>
        <xsl:when test="CSH"><xsl:for-each select="CSH[1]"><xsl:call-template name="backorder"/></xsl:for-each></xsl:when>
        <xsl:otherwise><xsl:for-each select="$tx/CSH[1]"><xsl:call-template name="backorder"/></xsl:for-each></xsl:otherwise>
      </xsl:choose>
      <xsl:apply-templates select="." mode="line-dates"/>
      <!-- SPEC: X12 850 SCH line schedule: SCH01 quantity, SCH02 unit,
           SCH05 / SCH06 qualifier and date, SCH07 time, SCH08 / SCH09 a
           second qualifier and date -->
      <xsl:for-each select=".//SCH">
        <schedule>
          <quantity unit="{wharf:lookup('x12-unit', string(SCH02))}"><xsl:value-of select="wharf:dec(SCH01)"/></quantity>
          <xsl:if test="string(SCH06) != ''">
            <date code="{SCH05}"><xsl:value-of select="wharf:format-date(SCH06, 'CCYYMMDD', 'YYYY-MM-DD')"/></date>
          </xsl:if>
          <xsl:if test="string(SCH09) != ''">
            <date code="{SCH08}"><xsl:value-of select="wharf:format-date(SCH09, 'CCYYMMDD', 'YYYY-MM-DD')"/></date>
          </xsl:if>
        </schedule>
      </xsl:for-each>
      <xsl:apply-templates select="." mode="line-gift"/>
      <xsl:apply-templates select="REF"/>
      <xsl:apply-templates select="." mode="line-notes"/>
      <xsl:apply-templates select=".//PKG"/>
    </line>
  </xsl:template>

  <xsl:template match="loop" mode="line-description">
    <xsl:for-each select="(loop[@id = 'PID']/PID | PID)[PID01 = 'F' and string(PID05) != ''][1]">
      <description><xsl:value-of select="PID05"/></description>
    </xsl:for-each>
  </xsl:template>

  <!-- DF overrides: RP lines default to the header's DTM 010 / 002 (read
       once a run, not once a line) -->
  <xsl:variable name="header-010" select="$tx/DTM[DTM01 = '010'][1]"/>
  <xsl:variable name="header-002" select="$tx/DTM[DTM01 = '002'][1]"/>
  <xsl:template match="loop" mode="line-dates">
    <xsl:call-template name="line-date">
      <xsl:with-param name="dtm" select="DTM[DTM01 = '010'][1] | $header-010[not(current()/DTM[DTM01 = '010'])]"/>
      <xsl:with-param name="element" select="'requested-ship-date'"/>
    </xsl:call-template>
    <xsl:call-template name="line-date">
      <xsl:with-param name="dtm" select="DTM[DTM01 = '002'][1] | $header-002[not(current()/DTM[DTM01 = '002'])]"/>
      <xsl:with-param name="element" select="'requested-delivery-date'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="line-date">
    <xsl:param name="dtm"/>
    <xsl:param name="element"/>
    <xsl:for-each select="$dtm">
      <xsl:element name="{$element}"><xsl:call-template name="dtm-date"/></xsl:element>
    </xsl:for-each>
  </xsl:template>

  <!-- DF overrides: line gift messages -->
  <xsl:template match="loop" mode="line-gift"/>

  <!-- DF overrides: which line texts are notes -->
  <xsl:template match="loop" mode="line-notes">
    <!-- the text is made only when there is one (a result tree fragment
         a line cost more than the line's dates) -->
    <xsl:if test="MSG[string(MSG01) != '']">
      <note type="general"><xsl:call-template name="msg-text"/></note>
    </xsl:if>
    <xsl:apply-templates select="loop[@id = 'N9']" mode="note"/>
  </xsl:template>

  <!-- every qualifier/id pair of a PO1 (PO106/PO107 ... PO124/PO125), in
       order: first the product ids, then the pairs that are not (attributes
       of the item). A pair is a qualifier whose next sibling is its id
       (EDI-XML keeps elements in order and leaves out the empty ones):
       wharf:pairs finds them in one walk of the segment. This template runs
       for every line: it was two thirds of the map's instructions when it
       named the id with number() and concat(), searched every following
       sibling for it, and evaluated the qualifiers' union twice, and still
       a quarter as a union of ten paths. -->
  <xsl:template name="product-ids">
    <xsl:param name="seg"/>
    <xsl:variable name="pairs" select="wharf:pairs($seg, 6, 24)"/>
    <!-- the pairs whose qualifier is no product id, found once -->
    <xsl:variable name="other" select="$pairs[wharf:lookup('product-id', string(.), '') = '']"/>
    <xsl:for-each select="$pairs">
      <xsl:variable name="id" select="string(following-sibling::*[1])"/>
      <xsl:if test="$id != ''">
        <xsl:variable name="q" select="wharf:lookup('product-id', string(.), '')"/>
        <xsl:if test="$q != ''">
          <id qualifier="{$q}" code="{.}"><xsl:value-of select="$id"/></id>
        </xsl:if>
      </xsl:if>
    </xsl:for-each>
    <xsl:for-each select="$other">
      <xsl:if test="string(following-sibling::*[1]) != ''">
        <xsl:variable name="type" select="wharf:lookup('product-attribute', string(.), '')"/>
        <product-attribute code="{.}">
          <xsl:if test="$type != ''"><xsl:attribute name="type"><xsl:value-of select="$type"/></xsl:attribute></xsl:if>
          <xsl:value-of select="following-sibling::*[1]"/>
        </product-attribute>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
