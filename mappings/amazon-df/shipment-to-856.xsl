<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/shipment-to-856: a canonical <shipment>, program DF, to the
  Amazon Direct Fulfillment ship notice, one X12 004010 856
  (partners/amazon-df/856).

  It imports amazon-rp/shipment-to-856 for the shared segment templates
  (dates and times with the "time-zone" parameter, N1 loops, LIN, SN1,
  BSN, CTT, the ship-from and time-zone checks) and replaces the root
  template with the DF hierarchy.

  What it maps (the segment shapes follow Amazon's published DF 856
  sample; see "Shaped like Amazon's sample" below):
    BSN01 purpose (@code, else list ship-purpose: floor-denial is 00), BSN02
      the shipment id (the Ship ID), BSN03/BSN04 asn-date, BSN05 ZZZZ,
      BSN06 AS and BSN07 NOR; a floor denial has BSN06 72 and BSN07 REJ
    O level (the root: one order per DF ship notice): PRF01 the Ship ID,
      PRF04 PO date; N1*SF 92 + the warehouse code Amazon assigned (N3/N4
      when the ship-from has an address)
    I level, per order line and per package holding it, in line order and
      then package order (one line in two packages: item, pack, item,
      pack): LIN01 line-no and the ids as the PO sent them; SN1 line-no,
      the quantity in that package, unit, SN105/SN106 the line's ordered
      quantity (the shipped quantity when the input has none: DF ships in
      full), SN108 IA; REF*LT lot; MAN*R*<package id> naming the package
      the item is in; DTM*094/036 manufacture and expiry
    P level under its I level: TD1 Z + package weight + unit; TD5 92 +
      Amazon's ship method (the package's, else the shipment's; 2 + SCAC
      when only a SCAC is known); MAN*R*<package id (carton-id)>**CP*
      <tracking number>; DTM*011 the package's shipped date (else the
      shipment's) in UTC with DTM04 GM
    floor denial (purpose floor-denial): an I level per order line with
      SN1 line-no, 0 shipped, the ordered quantity (SN105/SN106) and SN108
      IR, then SLN*<line-no>**O*<ordered quantity>*<unit>: the cancelled
      quantity; no P levels
    CTT01 the number of HL segments, CTT02 the exact sum of SN102

  Shaped like Amazon's sample (issue 11 section 6), and where wharf keeps
  its own form:
    BSN05-BSN07 ZZZZ / AS / NOR (72 / REJ for a floor denial): as the
      sample.
    SN1: as the sample, the ordered quantity in SN105/SN106 and a line
      status in SN108 (IA shipped, IR floor-denied with SN102 0). The line
      status is not a field of the canonical shipment: DF is fill-or-kill,
      so it follows from the purpose (every line of a ship notice ships in
      full, every line of a floor denial is cancelled) and cannot disagree
      with it.
    SLN after a floor-denied SN1 carries the cancelled quantity. Amazon's
      sample has no denial; SLN03 O (information only) is wharf's reading of
      "the cancelled quantity on a subline", unconfirmed.
    Item-level MAN*R*<package id>: as the sample, which ties each item to
      its package by the package's MAN02.
    DTM*011 in UTC with DTM04 GM: as the sample. BSN03/BSN04 stay in the
      time-zone parameter's zone (BSN has no time code).
    Kept: the package MAN stays MAN*R*<package id>**CP*<tracking> (RULES.md
      "DF 856"); the sample puts a package sequence number in MAN02 and the
      package id in MAN03, and its item MAN*R*1 points at that number.
      wharf's package id is unique per shipment and the item MAN names it,
      so the link item -> package is the same. The sample's DTM*ZZZ (ready
      to ship) is not written: wharf does not know that time.
    TD1******Z*<weight>*<unit> and TD5**92*<ship method>: as the sample (wharf
      wrote TD1*CTN25*1****G and TD5**ZZ). 92 is also the qualifier Amazon's
      DF 850 sends the ship method under, so the code goes back as it came.

  Refused (xsl:message terminate="yes"): a program other than DF, more or
  fewer than one order, a package without tracking number, weight or ship
  method, a tracking number used by two packages, a line that is not
  shipped in full (DF is fill-or-kill: shipped = packed, and = ordered when
  the ordered quantity is given), a package item that names no order line,
  a floor denial with packages, a shipped quantity other than 0 or a line
  without its ordered quantity, a ship-from without an id qualifier 92.

  SPEC: RULES.md "856 ship notice", DF 856: loop order O -> I -> P;
  package MAN*R*<package id>**CP*<tracking number>, weight in TD1, ship
  method in TD5; every line ships in full; full floor denial BSN06=72,
  BSN07=REJ; package ids and tracking numbers unique per carton; one line
  in two cartons reads item, pack, item, pack. DESIGN.md "Amazon rules":
  DF is fill-or-kill.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns:c="urn:wharf:canonical:1"
    xmlns:date="http://exslt.org/dates-and-times"
    exclude-result-prefixes="wharf c date">

  <xsl:import href="../amazon-rp/shipment-to-856.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="denial" select="string($ship/c:purpose) = 'floor-denial'"/>

  <xsl:template match="/">
    <xsl:if test="not($ship)">
      <xsl:message terminate="yes">the input is not a canonical shipment (urn:wharf:canonical:1)</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="$ship" mode="df-check"/>
    <xsl:variable name="body">
      <xsl:apply-templates select="$ship/c:orders/c:order" mode="df-order"/>
    </xsl:variable>
    <transaction set="856" guide="partners/amazon-df/856">
      <ST><ST01>856</ST01></ST>
      <!-- SPEC: Amazon DF 856 sample: BSN05 ZZZZ, BSN06 AS, BSN07 NOR;
           RULES.md "DF 856": a full floor denial is BSN06 72, BSN07 REJ -->
      <xsl:choose>
        <xsl:when test="$denial">
          <xsl:call-template name="bsn">
            <xsl:with-param name="bsn05" select="'ZZZZ'"/>
            <xsl:with-param name="bsn06" select="'72'"/>
            <xsl:with-param name="bsn07" select="'REJ'"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="bsn">
            <xsl:with-param name="bsn05" select="'ZZZZ'"/>
            <xsl:with-param name="bsn06" select="'AS'"/>
            <xsl:with-param name="bsn07" select="'NOR'"/>
          </xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:copy-of select="$body"/>
      <xsl:call-template name="ctt">
        <xsl:with-param name="body" select="$body"/>
      </xsl:call-template>
      <SE/>
    </transaction>
  </xsl:template>

  <!-- ============================ checks ============================ -->

  <xsl:template match="c:shipment" mode="df-check">
    <xsl:variable name="id" select="string(c:shipment-id)"/>
    <xsl:if test="string(c:program) != 'DF'">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$id"/> is program '<xsl:value-of select="c:program"/>'; this map writes the DF 856 (use amazon-rp/shipment-to-856 for RP)</xsl:message>
    </xsl:if>
    <xsl:if test="count(c:orders/c:order) != 1">
      <xsl:message terminate="yes">shipment <xsl:value-of select="$id"/> has <xsl:value-of select="count(c:orders/c:order)"/> orders; a DF ship notice confirms one order (one Ship ID)</xsl:message>
    </xsl:if>
    <xsl:call-template name="check-time-zone"/>
    <xsl:call-template name="check-ship-from"/>
    <xsl:choose>
      <xsl:when test="$denial">
        <xsl:if test="c:cartons/c:carton">
          <xsl:message terminate="yes">shipment <xsl:value-of select="$id"/> is a floor denial (nothing ships) but lists <xsl:value-of select="count(c:cartons/c:carton)"/> packages</xsl:message>
        </xsl:if>
        <xsl:for-each select="c:orders/c:order/c:line[wharf:cmp(c:shipped-quantity, '0') != 0]">
          <xsl:message terminate="yes">floor denial <xsl:value-of select="$id"/>: line <xsl:value-of select="c:line-no"/> ships <xsl:value-of select="c:shipped-quantity"/>; a floor denial ships nothing (0)</xsl:message>
        </xsl:for-each>
        <xsl:for-each select="c:orders/c:order/c:line[string(c:ordered-quantity) = '']">
          <xsl:message terminate="yes">floor denial <xsl:value-of select="$id"/>: line <xsl:value-of select="c:line-no"/> has no ordered quantity (SN105, and SLN04 the quantity cancelled)</xsl:message>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="check-packages"/>
        <xsl:call-template name="check-quantities"/>
        <xsl:call-template name="check-fill-or-kill"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- every package has what its P level needs; tracking numbers unique -->
  <xsl:template name="check-packages">
    <xsl:for-each select="$ship/c:cartons/c:carton">
      <xsl:variable name="what">package <xsl:value-of select="c:carton-id"/></xsl:variable>
      <xsl:if test="string(c:tracking-number) = ''">
        <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no tracking number (MAN*R*<xsl:value-of select="c:carton-id"/>**CP*tracking)</xsl:message>
      </xsl:if>
      <xsl:if test="string(c:weight) = ''">
        <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no weight (TD1 at package level)</xsl:message>
      </xsl:if>
      <xsl:if test="not(c:carrier/c:ship-method | c:carrier/c:scac | $ship/c:carrier/c:ship-method | $ship/c:carrier/c:scac)">
        <xsl:message terminate="yes"><xsl:value-of select="$what"/> has no ship method (TD5), nor has the shipment</xsl:message>
      </xsl:if>
      <xsl:if test="preceding-sibling::c:carton[string(c:tracking-number) = string(current()/c:tracking-number)]">
        <xsl:message terminate="yes"><xsl:value-of select="$what"/>: tracking number <xsl:value-of select="c:tracking-number"/> is also another package's; each package has its own</xsl:message>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- SPEC: RULES.md DF 856 "Every line must ship in full" -->
  <xsl:template name="check-fill-or-kill">
    <xsl:for-each select="$ship/c:orders/c:order/c:line">
      <xsl:if test="not($ship/c:cartons/c:carton/c:item[string(c:line-no) = string(current()/c:line-no)])">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> of <xsl:value-of select="../c:po-number"/> is in no package: DF ships every line in full, or the order is a floor denial</xsl:message>
      </xsl:if>
      <xsl:if test="string(c:ordered-quantity) != '' and wharf:cmp(c:shipped-quantity, c:ordered-quantity) != 0">
        <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> of <xsl:value-of select="../c:po-number"/> ships <xsl:value-of select="c:shipped-quantity"/> of <xsl:value-of select="c:ordered-quantity"/> ordered: DF ships every line in full (fill-or-kill)</xsl:message>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- ========================= hierarchy ========================= -->

  <!-- O: the root of a DF ship notice -->
  <xsl:template match="c:order" mode="df-order">
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL03>O</HL03>
        <HL04><xsl:value-of select="number(boolean(c:line))"/></HL04>
      </HL>
      <PRF>
        <PRF01><xsl:value-of select="c:po-number"/></PRF01>
        <xsl:if test="string(c:po-date) != ''">
          <PRF04><xsl:call-template name="x12-date"><xsl:with-param name="value" select="c:po-date"/></xsl:call-template></PRF04>
        </xsl:if>
      </PRF>
      <xsl:call-template name="n1-loop">
        <xsl:with-param name="code" select="'SF'"/>
        <xsl:with-param name="party" select="$ship/c:ship-from"/>
      </xsl:call-template>
    </loop>
    <xsl:choose>
      <xsl:when test="$denial">
        <xsl:apply-templates select="c:line" mode="df-denied">
          <xsl:with-param name="parent" select="$id"/>
        </xsl:apply-templates>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="po" select="string(c:po-number)"/>
        <xsl:for-each select="c:line">
          <xsl:apply-templates select="$ship/c:cartons/c:carton/c:item[string(c:po-number) = $po and string(c:line-no) = string(current()/c:line-no)]" mode="df-item">
            <xsl:with-param name="parent" select="$id"/>
          </xsl:apply-templates>
        </xsl:for-each>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- I for one package item, then P for its package -->
  <xsl:template match="c:item" mode="df-item">
    <xsl:param name="parent"/>
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL02><xsl:value-of select="$parent"/></HL02>
        <HL03>I</HL03>
        <HL04>1</HL04>
      </HL>
      <xsl:call-template name="lin"/>
      <xsl:variable name="line" select="key('line-by-po', concat(c:po-number, '|', c:line-no))"/>
      <xsl:call-template name="df-sn1">
        <xsl:with-param name="quantity" select="c:quantity"/>
        <xsl:with-param name="ordered" select="($line/c:ordered-quantity | $line/c:shipped-quantity[not(../c:ordered-quantity)])[1]"/>
        <xsl:with-param name="status" select="'IA'"/>
      </xsl:call-template>
      <xsl:for-each select="c:lot">
        <REF><REF01>LT</REF01><REF02><xsl:value-of select="."/></REF02></REF>
      </xsl:for-each>
      <!-- SPEC: Amazon DF 856 sample: MAN*R at item level names the
           package (the P level's MAN02) -->
      <MAN>
        <MAN01>R</MAN01>
        <MAN02><xsl:value-of select="../c:carton-id"/></MAN02>
      </MAN>
      <xsl:for-each select="c:manufacture-date">
        <xsl:call-template name="dtm"><xsl:with-param name="qualifier" select="'094'"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="c:expiry-date">
        <xsl:call-template name="dtm"><xsl:with-param name="qualifier" select="'036'"/></xsl:call-template>
      </xsl:for-each>
    </loop>
    <xsl:apply-templates select=".." mode="df-pack">
      <xsl:with-param name="parent" select="$id"/>
    </xsl:apply-templates>
  </xsl:template>

  <!-- P: the package -->
  <xsl:template match="c:carton" mode="df-pack">
    <xsl:param name="parent"/>
    <xsl:variable name="id" select="wharf:counter('hl')"/>
    <xsl:variable name="carrier" select="(c:carrier[c:ship-method | c:scac] | $ship/c:carrier[not(current()/c:carrier[c:ship-method | c:scac])])[1]"/>
    <loop id="HL">
      <HL>
        <HL01><xsl:value-of select="$id"/></HL01>
        <HL02><xsl:value-of select="$parent"/></HL02>
        <HL03>P</HL03>
        <HL04>0</HL04>
      </HL>
      <!-- SPEC: Amazon DF 856 sample: TD1 with the weight only (TD106 Z),
           TD5 with Amazon's ship method code under qualifier 92 -->
      <TD1>
        <TD106>Z</TD106>
        <TD107><xsl:value-of select="wharf:dec(c:weight)"/></TD107>
        <TD108><xsl:value-of select="wharf:lookup('x12-unit', c:weight/@unit, c:weight/@unit)"/></TD108>
      </TD1>
      <TD5>
        <xsl:choose>
          <xsl:when test="string($carrier/c:ship-method) != ''">
            <TD502>92</TD502>
            <TD503><xsl:value-of select="$carrier/c:ship-method"/></TD503>
          </xsl:when>
          <xsl:otherwise>
            <TD502>2</TD502>
            <TD503><xsl:value-of select="$carrier/c:scac"/></TD503>
          </xsl:otherwise>
        </xsl:choose>
      </TD5>
      <MAN>
        <MAN01>R</MAN01>
        <MAN02><xsl:value-of select="c:carton-id"/></MAN02>
        <MAN04>CP</MAN04>
        <MAN05><xsl:value-of select="c:tracking-number"/></MAN05>
      </MAN>
      <xsl:for-each select="(c:shipped-date | $ship/c:shipped-date[not(current()/c:shipped-date)])[1]">
        <xsl:call-template name="dtm-gmt"><xsl:with-param name="qualifier" select="'011'"/></xsl:call-template>
      </xsl:for-each>
    </loop>
  </xsl:template>

  <!-- I for a line of a floor denial: nothing shipped, no package -->
  <xsl:template match="c:line" mode="df-denied">
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
      <xsl:call-template name="df-sn1">
        <xsl:with-param name="quantity" select="c:shipped-quantity"/>
        <xsl:with-param name="ordered" select="c:ordered-quantity"/>
        <xsl:with-param name="status" select="'IR'"/>
      </xsl:call-template>
      <!-- the cancelled quantity: all of it (fill-or-kill) -->
      <SLN>
        <SLN01><xsl:value-of select="c:line-no"/></SLN01>
        <SLN03>O</SLN03>
        <SLN04><xsl:value-of select="wharf:dec(c:ordered-quantity)"/></SLN04>
        <SLN05><xsl:value-of select="wharf:lookup('x12-unit', c:ordered-quantity/@unit)"/></SLN05>
      </SLN>
    </loop>
  </xsl:template>

  <!-- SN1 as Amazon's DF sample has it: line number, quantity (in this
       package), unit, the line's ordered quantity and unit, line status
       (SPEC: Amazon DF 856 sample SN1*1*qty*EA**ordered*EA**IA) -->
  <xsl:template name="df-sn1">
    <xsl:param name="quantity"/>
    <xsl:param name="ordered"/>
    <xsl:param name="status"/>
    <SN1>
      <SN101><xsl:value-of select="c:line-no"/></SN101>
      <SN102><xsl:value-of select="wharf:dec($quantity)"/></SN102>
      <SN103><xsl:value-of select="wharf:lookup('x12-unit', $quantity/@unit)"/></SN103>
      <SN105><xsl:value-of select="wharf:dec($ordered)"/></SN105>
      <SN106><xsl:value-of select="wharf:lookup('x12-unit', $ordered/@unit)"/></SN106>
      <SN108><xsl:value-of select="$status"/></SN108>
    </SN1>
  </xsl:template>

  <!-- DTM in UTC with DTM04 GM, as Amazon's DF sample writes its package
       dates; a plain date has no time and no time code -->
  <xsl:template name="dtm-gmt">
    <xsl:param name="qualifier"/>
    <xsl:variable name="v" select="normalize-space(.)"/>
    <DTM>
      <DTM01><xsl:value-of select="$qualifier"/></DTM01>
      <xsl:choose>
        <xsl:when test="string-length($v) > 10">
          <xsl:variable name="seconds" select="date:seconds($v)"/>
          <xsl:if test="string($seconds) = 'NaN'">
            <xsl:message terminate="yes">'<xsl:value-of select="$v"/>' is not a timestamp</xsl:message>
          </xsl:if>
          <xsl:variable name="utc" select="date:add('1970-01-01T00:00:00Z', concat('PT', $seconds, 'S'))"/>
          <DTM02><xsl:value-of select="translate(substring($utc, 1, 10), '-', '')"/></DTM02>
          <DTM03><xsl:value-of select="translate(substring($utc, 12, 5), ':', '')"/></DTM03>
          <DTM04>GM</DTM04>
        </xsl:when>
        <xsl:otherwise>
          <DTM02><xsl:value-of select="translate(substring($v, 1, 10), '-', '')"/></DTM02>
        </xsl:otherwise>
      </xsl:choose>
    </DTM>
  </xsl:template>

</xsl:stylesheet>
