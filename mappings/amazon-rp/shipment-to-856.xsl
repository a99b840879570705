<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/shipment-to-856: a canonical <shipment> (schemas/canonical/
  shipment.xsd), program RP, to the Amazon Retail Procurement ship notice,
  one X12 856 transaction set (partners/amazon-rp/856 for 004010,
  partners/amazon-rp/856-5010 for 005010).

  It is also the base of amazon-df/shipment-to-856 (and of
  amazon-rp/shipment-to-856-5010), which import it for the shared segment
  templates marked "shared" (dates, parties, LIN, SN1, SSCCs) and replace the
  root template: the segment rules live here once.

  Version: 004010 S-O-P-I by default; 005010 S-O-T-P-I when the shipment has
  pallets, or when the parameter "x12-version" is 005010 (the 5010 wrapper
  map sets that default). A shipment with pallets is never written as
  004010: Amazon's 004010 ASN has no tare level.

  What it maps:
    BSN01 purpose (@code, else list ship-purpose), BSN02 shipment-id,
      BSN03/BSN04 asn-date (0000 when asn-date is a plain date: BSN04 is
      mandatory), BSN05 0001 in 004010 only (the hierarchy this map builds)
    S level: TD1 PLT94 + pallet count (pallets) or CTN25 + carton count
      (totals, else the cartons counted), G + gross weight, volume; TD5 2 +
      SCAC, TD504 transport mode (@code, else list ship-transport-mode),
      TD505 carrier name; REF*BM bill of lading; REF*CN PRO number; REF ARN
      (only when the parameter "arn-qualifier" names the REF01: unconfirmed);
      DTM*011 shipped date (+ time), DTM*017 estimated delivery; N1*SF name,
      92 + the ship-from id Amazon assigned (from the shipment: a ship-from
      with no id qualifier 92 is refused), N3/N4; N1*ST 92 + FC code
    O level, per order: PRF01 PO number, PRF04 PO date
    T level (005010), per pallet holding this PO's goods: MAN*GM*00 + the
      pallet SSCC, PAL tiers, blocks, weight, dimensions
    P level, per carton holding this PO's goods (a carton shared by several
      POs is repeated under each order, with that PO's items only; in 005010
      cartons on a pallet hang under its T level, loose cartons under O):
      MAN*GM*00 + SSCC (**CP + tracking number when the carton has one), TD1
      weight when given
    I level, per carton item of this PO: LIN01 line-no, the ids as the PO
      sent them (@code, else list product-id), SN1 line-no, quantity, unit
      (list x12-unit), REF*LT lot, DTM*094 manufacture, DTM*036 expiry
    CTT01 the number of HL segments, CTT02 the exact sum of SN102
  Dates: CCYYMMDD from the first ten characters; times HHMI. With the
  parameter "time-zone" (a fixed offset, "-05:00", or "Z") timestamps are
  converted to that zone first; without it the local time as written in the
  timestamp is used (the ERP writes the warehouse's time).

  Refused (xsl:message terminate="yes", naming the carton or line): a
  program other than RP, purpose floor-denial (DF only), an SSCC that is not
  18 digits or whose check digit is wrong, an SSCC used twice, a carton or
  pallet without an SSCC (unless the parameter "gs1-company-prefix" is set:
  then one is built with wharf:sscc from the extension digit parameter
  "sscc-extension", default 0, and wharf:sequence('sscc'); its label must be
  printed from this ASN), a carton with more than 5 POs, a pallet with
  items loose on it (the 005010 guide has items under cartons only), a
  carton item that names no line of the shipment's orders or uses another
  unit, a line whose shipped quantity is not the exact sum of its carton
  items, a ship-from without an id qualifier 92, an unknown x12-version or
  time-zone.

  SPEC: RULES.md "856 ship notice (carton level)": S (TD5 SCAC, REF*BM,
  REF*CN, DTM*011, N1*ST 92, N1*SF with N3/N4) -> O (PRF01) -> T (005010) ->
  P (MAN*GM + AI 00 + SSCC, 20 characters) -> I (LIN with the PO's
  qualifier, SN1, lot, expiry); up to 5 POs share a carton; every SSCC is a
  valid SSCC-18 matching the printed label. RULES.md "Channels": the RP 856
  also exists in 005010 with a pallet (tare) level.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:exsl="http://exslt.org/common"
    xmlns:date="http://exslt.org/dates-and-times"
    exclude-result-prefixes="wharf c exsl date">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="ship" select="/c:shipment"/>

  <!-- the 5010 wrapper overrides the default version -->
  <xsl:variable name="default-version" select="'004010'"/>

  <xsl:variable name="version">
    <xsl:choose>
      <xsl:when test="$ship/c:pallets/c:pallet">005010</xsl:when>
      <xsl:otherwise><xsl:value-of select="wharf:param('x12-version', $default-version)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:variable name="lf" select="'&#10;'"/>

  <xsl:key name="sscc" match="c:carton/c:identifier[@type = 'sscc'] | c:pallet/c:identifier[@type = 'sscc']"
           use="normalize-space(.)"/>
  <xsl:key name="carton" match="c:cartons/c:carton" use="c:carton-id"/>
  <!-- lookups by PO (and line) instead of scans: a truckload ASN has
       hundreds of POs and thousands of cartons -->
  <xsl:key name="carton-by-po" match="c:cartons/c:carton" use="c:item/c:po-number"/>
  <xsl:key name="item-by-line" match="c:cartons/c:carton/c:item | c:pallets/c:pallet/c:item"
           use="concat(c:po-number, '|', c:line-no)"/>
  <xsl:key name="line-by-po" match="c:orders/c:order/c:line" use="concat(../c:po-number, '|', c:line-no)"/>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:if test="not($ship)">
      <xsl:message terminate="yes">the input is not a canonical shipment (urn:wharf:canonical:1)</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="$ship" mode="check"/>
    <xsl:variable name="body">
      <xsl:apply-templates select="$ship" mode="hl-shipment"/>
    </xsl:variable>
    <transaction set="856">
      <xsl:attribute name="guide">
        <xsl:choose>
          <xsl:when test="$version = '005010'">partners/amazon-rp/856-5010</xsl:when>
          <xsl:otherwise>partners/amazon-rp/856</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <ST><ST01>856</ST01></ST>
      <xsl:call-template name="bsn">
        <!-- 0001 names the 004010 S-O-P-I structure; the 005010 golden sends none -->
        <xsl:with-param name="bsn05">
          <xsl:if test="$version = '004010'">0001</xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:copy-of select="$body"/>
      <xsl:call-template name="ctt">
        <xsl:with-param name="body" select="$body"/>
      </xsl:call-template>
      <SE/>
    </transaction>
  </xsl:template>

  <!-- ============================ checks ============================ -->

  <xsl:template match="c:shipment" mode="check">
    <xsl:if test="string(c:program) != 'RP'">
      <xsl:message terminate="yes">shipment <xsl:value-of select="c:shipment-id"/> is program '<xsl:value-of select="c:program"/>'; this map writes the RP 856 (use amazon-df/shipment-to-856 for DF)</xsl:message>
    </xsl:if>
    <xsl:if test="string(c:purpose) = 'floor-denial'">
      <xsl:message terminate="yes">shipment <xsl:value-of select="c:shipment-id"/>: purpose floor-denial is a DF ship notice; an RP ASN reports what shipped</xsl:message>
    </xsl:if>
    <xsl:if test="$version != '004010' and $version != '005010'">
      <xsl:message terminate="yes">parameter x12-version is '<xsl:value-of select="$version"/>'; the RP 856 is 004010 or 005010</xsl:message>
    </xsl:if>
    <xsl:call-template name="check-time-zone"/>
    <xsl:call-template name="check-ship-from"/>
    <xsl:call-template name="check-containers"/>
    <xsl:call-template name="check-quantities"/>
    <!-- SPEC: partners/amazon-rp/856-5010 hierarchy: items (I) hang under
         cartons (P) only, so a pallet of loose items has no place in it -->
    <xsl:for-each select="c:pallets/c:pallet[c:item]">
      <xsl:message terminate="yes"><xsl:call-template name="carton-name"/> has items loose on it: the RP 005010 guide (partners/amazon-rp/856-5010) takes items in cartons (P) only</xsl:message>
    </xsl:for-each>
    <xsl:for-each select="c:cartons/c:carton">
      <!-- SPEC: RULES.md "856": up to 5 POs may share one carton -->
      <xsl:variable name="pos" select="count(c:item[not(c:po-number = preceding-sibling::c:item/c:po-number)])"/>
      <xsl:if test="$pos > 5">
        <xsl:message terminate="yes"><xsl:call-template name="carton-name"/> holds goods of <xsl:value-of select="$pos"/> POs; Amazon allows at most 5 per carton</xsl:message>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- shared: the time-zone parameter is a fixed offset or Z -->
  <xsl:template name="check-time-zone">
    <xsl:variable name="tz" select="wharf:param('time-zone', '')"/>
    <xsl:if test="$tz != '' and $tz != 'Z' and not(string-length($tz) = 6 and (starts-with($tz, '+') or starts-with($tz, '-')) and substring($tz, 4, 1) = ':' and translate(concat(substring($tz, 2, 2), substring($tz, 5, 2)), '0123456789', '') = '' and number(substring($tz, 2, 2)) &lt;= 14 and number(substring($tz, 5, 2)) &lt; 60)">
      <xsl:message terminate="yes">parameter time-zone is '<xsl:value-of select="$tz"/>'; expected a fixed offset such as -05:00, or Z</xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- shared: N1*SF needs the ship-from code Amazon assigned (92) -->
  <xsl:template name="check-ship-from">
    <xsl:variable name="sf" select="$ship/c:ship-from"/>
    <xsl:if test="not($sf/c:id[@qualifier = '92'][string(.) != ''])">
      <xsl:message terminate="yes">the ship-from<xsl:if test="$sf/c:warehouse-code"> (warehouse <xsl:value-of select="$sf/c:warehouse-code"/>)</xsl:if> has no id qualifier 92: N1*SF needs the ship-from code Amazon assigned to the warehouse</xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- every SSCC a valid SSCC-18, used once; every container has one (or
       one can be built) -->
  <xsl:template name="check-containers">
    <xsl:for-each select="$ship/c:cartons/c:carton | $ship/c:pallets/c:pallet">
      <xsl:variable name="what"><xsl:call-template name="carton-name"/></xsl:variable>
      <xsl:for-each select="c:identifier[@type = 'sscc']">
        <xsl:call-template name="check-sscc">
          <xsl:with-param name="what" select="$what"/>
        </xsl:call-template>
        <xsl:if test="count(key('sscc', normalize-space(.))) > 1">
          <xsl:message terminate="yes"><xsl:value-of select="$what"/>: SSCC <xsl:value-of select="."/> labels more than one carton or pallet of this shipment</xsl:message>
        </xsl:if>
      </xsl:for-each>
      <xsl:if test="not(c:identifier[@type = 'sscc']) and wharf:param('gs1-company-prefix', '') = ''">
        <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no SSCC (MAN*GM needs one): give its label's SSCC, or set parameter gs1-company-prefix to build one</xsl:message>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- shared: the context is an identifier of type sscc -->
  <xsl:template name="check-sscc">
    <xsl:param name="what"/>
    <xsl:variable name="v" select="normalize-space(.)"/>
    <xsl:if test="string-length($v) != 18 or translate($v, '0123456789', '') != ''">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/>: SSCC '<xsl:value-of select="$v"/>' is not 18 digits (the SSCC-18, without the AI 00)</xsl:message>
    </xsl:if>
    <xsl:variable name="check" select="wharf:gs1-check-digit(substring($v, 1, 17))"/>
    <xsl:if test="$check != substring($v, 18, 1)">
      <xsl:message terminate="yes"><xsl:value-of select="$what"/>: SSCC <xsl:value-of select="$v"/> has check digit <xsl:value-of select="substring($v, 18, 1)"/>, the GS1 check digit of its first 17 digits is <xsl:value-of select="$check"/></xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- the shipped quantity of every order line is the exact sum of its
       carton and pallet items; every item names an order line -->
  <xsl:template name="check-quantities">
    <xsl:variable name="items" select="$ship/c:cartons/c:carton/c:item | $ship/c:pallets/c:pallet/c:item"/>
    <xsl:for-each select="$items">
      <xsl:variable name="line" select="key('line-by-po', concat(c:po-number, '|', c:line-no))"/>
      <xsl:variable name="where">
        <xsl:for-each select="..">
          <xsl:call-template name="carton-name"/>
        </xsl:for-each>
      </xsl:variable>
      <xsl:if test="not($line)">
        <xsl:message terminate="yes"><xsl:value-of select="$where"/> holds line <xsl:value-of select="c:line-no"/> of PO <xsl:value-of select="c:po-number"/>, which the shipment's orders do not list</xsl:message>
      </xsl:if>
      <xsl:if test="string(c:quantity/@unit) != string($line[1]/c:shipped-quantity/@unit)">
        <xsl:message terminate="yes"><xsl:value-of select="$where"/>: line <xsl:value-of select="c:line-no"/> of PO <xsl:value-of select="c:po-number"/> is packed in <xsl:value-of select="c:quantity/@unit"/> but shipped in <xsl:value-of select="$line[1]/c:shipped-quantity/@unit"/></xsl:message>
      </xsl:if>
    </xsl:for-each>
    <xsl:for-each select="$ship/c:orders/c:order/c:line">
      <xsl:variable name="po" select="string(../c:po-number)"/>
      <xsl:variable name="packed" select="wharf:sum(key('item-by-line', concat($po, '|', c:line-no))/c:quantity)"/>
      <xsl:if test="wharf:cmp($packed, c:shipped-quantity) != 0">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> of PO <xsl:value-of select="$po"/> ships <xsl:value-of select="c:shipped-quantity"/> <xsl:value-of select="concat(' ', c:shipped-quantity/@unit)"/> but its cartons hold <xsl:value-of select="$packed"/></xsl:message>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- shared: "carton 0061... (sequence 001)" or "pallet ..." for messages;
       the context is a carton or pallet -->
  <xsl:template name="carton-name">
    <xsl:choose>
      <xsl:when test="self::c:pallet">pallet <xsl:value-of select="c:pallet-id"/></xsl:when>
      <xsl:otherwise>carton <xsl:value-of select="c:carton-id"/></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="string(c:sequence-number) != ''"> (sequence <xsl:value-of select="c:sequence-number"/>)</xsl:if>
  </xsl:template>

  <!-- ============================ header ============================ -->

  <!-- shared: BSN; the DF map adds the floor-denial BSN06/BSN07 -->
  <xsl:template name="bsn">
    <xsl:param name="bsn05" select="''"/>
    <xsl:param name="bsn06" select="''"/>
    <xsl:param name="bsn07" select="''"/>
    <xsl:variable name="purpose" select="$ship/c:purpose"/>
    <BSN>
      <BSN01>
        <xsl:choose>
          <xsl:when test="string($purpose/@code) != ''"><xsl:value-of select="$purpose/@code"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="wharf:lookup('ship-purpose', normalize-space($purpose))"/></xsl:otherwise>
        </xsl:choose>
      </BSN01>
      <BSN02><xsl:value-of select="$ship/c:shipment-id"/></BSN02>
      <BSN03>
        <xsl:call-template name="x12-date"><xsl:with-param name="value" select="$ship/c:asn-date"/></xsl:call-template>
      </BSN03>
      <BSN04>
        <xsl:variable name="t">
          <xsl:call-template name="x12-time"><xsl:with-param name="value" select="$ship/c:asn-date"/></xsl:call-template>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="$t != ''"><xsl:value-of select="$t"/></xsl:when>
          <xsl:otherwise>0000</xsl:otherwise>
        </xsl:choose>
      </BSN04>
      <xsl:if test="$bsn05 != ''"><BSN05><xsl:value-of select="$bsn05"/></BSN05></xsl:if>
      <xsl:if test="$bsn06 != ''"><BSN06><xsl:value-of select="$bsn06"/></BSN06></xsl:if>
      <xsl:if test="$bsn07 != ''"><BSN07><xsl:value-of select="$bsn07"/></BSN07></xsl:if>
    </BSN>
  </xsl:template>

  <!-- shared: CTT01 = number of HL segments, CTT02 = exact sum of SN102 -->
  <xsl:template name="ctt">
    <xsl:param name="body"/>
    <xsl:variable name="segs" select="exsl:node-set($body)"/>
    <CTT>
      <CTT01><xsl:value-of select="count($segs//HL)"/></CTT01>
      <CTT02><xsl:value-of select="wharf:sum($segs//SN1/SN102)"/></CTT02>
    </CTT>
  </xsl:template>

  <!-- ========================= hierarchy ========================= -->

  <xsl:template match="c:shipment" mode="hl-shipment">
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL03>S</HL03>
        <HL04><xsl:value-of select="number(boolean(c:orders/c:order))"/></HL04>
      </HL>
      <xsl:call-template name="shipment-td1"/>
      <xsl:call-template name="shipment-td5"/>
      <xsl:for-each select="c:bill-of-lading">
        <REF><REF01>BM</REF01><REF02><xsl:value-of select="."/></REF02></REF>
      </xsl:for-each>
      <xsl:for-each select="c:pro-number">
        <REF><REF01>CN</REF01><REF02><xsl:value-of select="."/></REF02></REF>
      </xsl:for-each>
      <xsl:variable name="arn" select="wharf:param('arn-qualifier', '')"/>
      <xsl:if test="$arn != ''">
        <xsl:for-each select="c:amazon-reference-number">
          <REF><REF01><xsl:value-of select="$arn"/></REF01><REF02><xsl:value-of select="."/></REF02></REF>
        </xsl:for-each>
      </xsl:if>
      <xsl:for-each select="c:shipped-date">
        <xsl:call-template name="dtm"><xsl:with-param name="qualifier" select="'011'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="c:estimated-delivery-date">
        <xsl:call-template name="dtm"><xsl:with-param name="qualifier" select="'017'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="n1-loop">
        <xsl:with-param name="code" select="'SF'"/>
        <xsl:with-param name="party" select="c:ship-from"/>
      </xsl:call-template>
      <xsl:call-template name="n1-loop">
        <xsl:with-param name="code" select="'ST'"/>
        <xsl:with-param name="party" select="c:ship-to"/>
      </xsl:call-template>
    </loop>
    <xsl:apply-templates select="c:orders/c:order" mode="hl-order">
      <xsl:with-param name="parent" select="$id"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- TD1: pallets (PLT94) or cartons (CTN25) with the gross weight -->
  <xsl:template name="shipment-td1">
    <xsl:variable name="t" select="c:totals"/>
    <TD1>
      <xsl:choose>
        <xsl:when test="c:pallets/c:pallet">
          <TD101>PLT94</TD101>
          <TD102>
            <xsl:choose>
              <xsl:when test="string($t/c:pallet-count) != ''"><xsl:value-of select="$t/c:pallet-count"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="count(c:pallets/c:pallet)"/></xsl:otherwise>
            </xsl:choose>
          </TD102>
        </xsl:when>
        <xsl:otherwise>
          <TD101>CTN25</TD101>
          <TD102>
            <xsl:choose>
              <xsl:when test="string($t/c:carton-count) != ''"><xsl:value-of select="$t/c:carton-count"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="count(c:cartons/c:carton)"/></xsl:otherwise>
            </xsl:choose>
          </TD102>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:call-template name="td1-measures">
        <xsl:with-param name="weight" select="$t/c:gross-weight"/>
        <xsl:with-param name="volume" select="$t/c:volume"/>
      </xsl:call-template>
    </TD1>
  </xsl:template>

  <!-- shared: TD106-TD110 -->
  <xsl:template name="td1-measures">
    <xsl:param name="weight" select="/.."/>
    <xsl:param name="volume" select="/.."/>
    <xsl:if test="string($weight) != ''">
      <TD106>G</TD106>
      <TD107><xsl:value-of select="wharf:dec($weight)"/></TD107>
      <TD108><xsl:value-of select="wharf:lookup('x12-unit', $weight/@unit, $weight/@unit)"/></TD108>
    </xsl:if>
    <xsl:if test="string($volume) != ''">
      <TD109><xsl:value-of select="wharf:dec($volume)"/></TD109>
      <TD110><xsl:value-of select="$volume/@unit"/></TD110>
    </xsl:if>
  </xsl:template>

  <xsl:template name="shipment-td5">
    <xsl:if test="c:carrier/c:scac or c:carrier/c:name or c:transport-mode">
      <TD5>
        <xsl:if test="string(c:carrier/c:scac) != ''">
          <TD502>2</TD502>
          <TD503><xsl:value-of select="c:carrier/c:scac"/></TD503>
        </xsl:if>
        <xsl:for-each select="c:transport-mode">
          <TD504>
            <xsl:choose>
              <xsl:when test="string(@code) != ''"><xsl:value-of select="@code"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="wharf:lookup('ship-transport-mode', normalize-space(.))"/></xsl:otherwise>
            </xsl:choose>
          </TD504>
        </xsl:for-each>
        <xsl:if test="string(c:carrier/c:name) != ''">
          <TD505><xsl:value-of select="c:carrier/c:name"/></TD505>
        </xsl:if>
      </TD5>
    </xsl:if>
  </xsl:template>

  <!-- O: one per PO -->
  <xsl:template match="c:order" mode="hl-order">
    <xsl:param name="parent"/>
    <xsl:variable name="po" select="string(c:po-number)"/>
    <xsl:variable name="cartons" select="key('carton-by-po', $po)"/>
    <xsl:variable name="pallets" select="$ship/c:pallets/c:pallet[c:carton-ref = $cartons/c:carton-id]"/>
    <!-- in 005010, cartons on a pallet hang under its T level -->
    <xsl:variable name="loose" select="$cartons[$version = '004010' or not(c:carton-id = $ship/c:pallets/c:pallet/c:carton-ref)]"/>
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL02><xsl:value-of select="$parent"/></HL02>
        <HL03>O</HL03>
        <HL04><xsl:value-of select="number(boolean($cartons | $pallets))"/></HL04>
      </HL>
      <PRF>
        <PRF01><xsl:value-of select="$po"/></PRF01>
        <xsl:if test="string(c:po-date) != ''">
          <PRF04><xsl:call-template name="x12-date"><xsl:with-param name="value" select="c:po-date"/></xsl:call-template></PRF04>
        </xsl:if>
      </PRF>
    </loop>
    <xsl:if test="$version = '005010'">
      <xsl:apply-templates select="$pallets" mode="hl-tare">
        <xsl:with-param name="parent" select="$id"/>
        <xsl:with-param name="po" select="$po"/>
      </xsl:apply-templates>
    </xsl:if>
    <xsl:apply-templates select="$loose" mode="hl-pack">
      <xsl:with-param name="parent" select="$id"/>
      <xsl:with-param name="po" select="$po"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- T (005010): a pallet holding goods of $po -->
  <xsl:template match="c:pallet" mode="hl-tare">
    <xsl:param name="parent"/>
    <xsl:param name="po"/>
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL02><xsl:value-of select="$parent"/></HL02>
        <HL03>T</HL03>
        <HL04>1</HL04>
      </HL>
      <xsl:call-template name="man-gm"/>
      <xsl:if test="c:tier or c:block or c:weight or c:dimensions">
        <PAL>
          <xsl:if test="c:tier"><PAL02><xsl:value-of select="c:tier"/></PAL02></xsl:if>
          <xsl:if test="c:block"><PAL03><xsl:value-of select="c:block"/></PAL03></xsl:if>
          <xsl:for-each select="c:weight">
            <PAL05><xsl:value-of select="wharf:dec(.)"/></PAL05>
            <PAL06><xsl:value-of select="@unit"/></PAL06>
          </xsl:for-each>
          <xsl:for-each select="c:dimensions">
            <PAL07><xsl:value-of select="wharf:dec(c:length)"/></PAL07>
            <PAL08><xsl:value-of select="wharf:dec(c:width)"/></PAL08>
            <PAL09><xsl:value-of select="wharf:dec(c:height)"/></PAL09>
            <PAL10><xsl:value-of select="@unit"/></PAL10>
          </xsl:for-each>
        </PAL>
      </xsl:if>
    </loop>
    <!-- the cartons holding this PO's goods, in the pallet's order -->
    <xsl:for-each select="c:carton-ref">
      <xsl:apply-templates select="key('carton', string(.))[c:item[string(c:po-number) = $po]]" mode="hl-pack">
        <xsl:with-param name="parent" select="$id"/>
        <xsl:with-param name="po" select="$po"/>
      </xsl:apply-templates>
    </xsl:for-each>
  </xsl:template>

  <!-- P: a carton, with the items of $po -->
  <xsl:template match="c:carton" mode="hl-pack">
    <xsl:param name="parent"/>
    <xsl:param name="po"/>
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL02><xsl:value-of select="$parent"/></HL02>
        <HL03>P</HL03>
        <HL04>1</HL04>
      </HL>
      <xsl:if test="string(c:weight) != ''">
        <TD1>
          <TD101>CTN25</TD101>
          <TD102>1</TD102>
          <xsl:call-template name="td1-measures">
            <xsl:with-param name="weight" select="c:weight"/>
          </xsl:call-template>
        </TD1>
      </xsl:if>
      <xsl:call-template name="man-gm"/>
    </loop>
    <xsl:apply-templates select="c:item[string(c:po-number) = $po]" mode="hl-item">
      <xsl:with-param name="parent" select="$id"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- MAN*GM*00 + SSCC of the context carton or pallet (built when it has
       none and the partner gave its GS1 company prefix), with the tracking
       number in MAN04/MAN05 -->
  <xsl:template name="man-gm">
    <MAN>
      <MAN01>GM</MAN01>
      <MAN02>
        <xsl:text>00</xsl:text>
        <xsl:choose>
          <xsl:when test="c:identifier[@type = 'sscc']"><xsl:value-of select="normalize-space(c:identifier[@type = 'sscc'][1])"/></xsl:when>
          <xsl:otherwise>
            <xsl:value-of select="wharf:sscc(wharf:param('sscc-extension', '0'), wharf:param('gs1-company-prefix'), wharf:sequence('sscc'))"/>
          </xsl:otherwise>
        </xsl:choose>
      </MAN02>
      <xsl:if test="string(c:tracking-number) != ''">
        <MAN04>CP</MAN04>
        <MAN05><xsl:value-of select="c:tracking-number"/></MAN05>
      </xsl:if>
    </MAN>
  </xsl:template>

  <!-- I: one carton item -->
  <xsl:template match="c:item" mode="hl-item">
    <xsl:param name="parent"/>
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL02><xsl:value-of select="$parent"/></HL02>
        <HL03>I</HL03>
        <HL04>0</HL04>
      </HL>
      <xsl:call-template name="lin"/>
      <xsl:call-template name="sn1">
        <xsl:with-param name="quantity" select="c:quantity"/>
      </xsl:call-template>
      <xsl:call-template name="item-details"/>
    </loop>
  </xsl:template>

  <!-- ====================== shared segments ====================== -->

  <!-- LIN: LIN01 the line number, then every id as the PO sent it -->
  <xsl:template name="lin">
    <xsl:if test="count(c:id) > 15">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> of PO <xsl:value-of select="(c:po-number | ../c:po-number)[1]"/> has <xsl:value-of select="count(c:id)"/> product ids; LIN holds 15</xsl:message>
    </xsl:if>
    <LIN>
      <LIN01><xsl:value-of select="c:line-no"/></LIN01>
      <xsl:for-each select="c:id">
        <xsl:element name="{concat('LIN', format-number(position() * 2, '00'))}">
          <xsl:call-template name="product-qualifier"/>
        </xsl:element>
        <xsl:element name="{concat('LIN', format-number(position() * 2 + 1, '00'))}">
          <xsl:value-of select="."/>
        </xsl:element>
      </xsl:for-each>
    </LIN>
  </xsl:template>

  <!-- shared: the X12 235 qualifier of the context <id>: the one the PO
       sent (@code), else from the product-id list -->
  <xsl:template name="product-qualifier">
    <xsl:choose>
      <xsl:when test="string(@code) != ''"><xsl:value-of select="@code"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="wharf:lookup('product-id', @qualifier)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- SN1: line number, quantity, unit; ordered quantity when given -->
  <xsl:template name="sn1">
    <xsl:param name="quantity"/>
    <xsl:param name="ordered" select="/.."/>
    <SN1>
      <SN101><xsl:value-of select="c:line-no"/></SN101>
      <SN102><xsl:value-of select="wharf:dec($quantity)"/></SN102>
      <SN103><xsl:value-of select="wharf:lookup('x12-unit', $quantity/@unit)"/></SN103>
      <xsl:if test="string($ordered) != ''">
        <SN105><xsl:value-of select="wharf:dec($ordered)"/></SN105>
        <SN106><xsl:value-of select="wharf:lookup('x12-unit', $ordered/@unit)"/></SN106>
      </xsl:if>
    </SN1>
  </xsl:template>

  <!-- REF*LT lot, DTM*094 manufacture, DTM*036 expiry -->
  <xsl:template name="item-details">
    <xsl:for-each select="c:lot">
      <REF><REF01>LT</REF01><REF02><xsl:value-of select="."/></REF02></REF>
    </xsl:for-each>
    <xsl:for-each select="c:manufacture-date">
      <xsl:call-template name="dtm"><xsl:with-param name="qualifier" select="'094'"/></xsl:call-template>
    </xsl:for-each>
    <xsl:for-each select="c:expiry-date">
      <xsl:call-template name="dtm"><xsl:with-param name="qualifier" select="'036'"/></xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- an N1 loop for $party: N101 $code, N102 name (a second name line in
       N201), N103/N104 its id (92 first), N3 address lines (two per N3),
       N4 city, state, postal code, country -->
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

  <!-- ========================= dates ========================= -->

  <!-- shared: DTM for the context date-or-timestamp -->
  <xsl:template name="dtm">
    <xsl:param name="qualifier"/>
    <xsl:param name="value" select="."/>
    <xsl:variable name="time">
      <xsl:call-template name="x12-time"><xsl:with-param name="value" select="$value"/></xsl:call-template>
    </xsl:variable>
    <DTM>
      <DTM01><xsl:value-of select="$qualifier"/></DTM01>
      <DTM02><xsl:call-template name="x12-date"><xsl:with-param name="value" select="$value"/></xsl:call-template></DTM02>
      <xsl:if test="$time != ''"><DTM03><xsl:value-of select="$time"/></DTM03></xsl:if>
    </DTM>
  </xsl:template>

  <!-- shared: a date-or-timestamp as CCYYMMDD (in the partner's zone) -->
  <xsl:template name="x12-date">
    <xsl:param name="value"/>
    <xsl:variable name="local">
      <xsl:call-template name="local-time"><xsl:with-param name="value" select="$value"/></xsl:call-template>
    </xsl:variable>
    <xsl:value-of select="wharf:format-date(substring($local, 1, 10), 'YYYY-MM-DD', 'CCYYMMDD')"/>
  </xsl:template>

  <!-- shared: the HHMI of a timestamp (in the partner's zone); '' for a
       plain date: X12 times are never invented -->
  <xsl:template name="x12-time">
    <xsl:param name="value"/>
    <xsl:variable name="local">
      <xsl:call-template name="local-time"><xsl:with-param name="value" select="$value"/></xsl:call-template>
    </xsl:variable>
    <xsl:if test="string-length($local) >= 16">
      <xsl:value-of select="wharf:format-date(substring($local, 12, 5), 'HH:MI', 'HHMI')"/>
    </xsl:if>
  </xsl:template>

  <!-- YYYY-MM-DD or YYYY-MM-DDTHH:MI: a timestamp as local time, converted
       to the fixed offset in the parameter time-zone when it is set -->
  <xsl:template name="local-time">
    <xsl:param name="value"/>
    <xsl:variable name="v" select="normalize-space($value)"/>
    <xsl:variable name="tz" select="wharf:param('time-zone', '')"/>
    <xsl:choose>
      <xsl:when test="string-length($v) &lt;= 10 or $tz = ''"><xsl:value-of select="substring($v, 1, 16)"/></xsl:when>
      <xsl:otherwise>
        <xsl:variable name="offset">
          <xsl:choose>
            <xsl:when test="$tz = 'Z'">0</xsl:when>
            <xsl:otherwise><xsl:value-of select="(1 - 2 * starts-with($tz, '-')) * (substring($tz, 2, 2) * 3600 + substring($tz, 5, 2) * 60)"/></xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:variable name="seconds" select="date:seconds($v)"/>
        <xsl:if test="string($seconds) = 'NaN'">
          <xsl:message terminate="yes">'<xsl:value-of select="$v"/>' is not a date or timestamp</xsl:message>
        </xsl:if>
        <xsl:value-of select="substring(date:add('1970-01-01T00:00:00Z', concat('PT', $seconds + $offset, 'S')), 1, 16)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
