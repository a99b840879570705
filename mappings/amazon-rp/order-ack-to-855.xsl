<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/order-ack-to-855: a canonical <order-ack>
  (schemas/canonical/order-ack.xsd), program RP, to the Amazon Retail
  Procurement 855 (X12 004010, guide partners/amazon-rp/855). The output is
  one <transaction set="855">; the engine fills ST02 and SE01/SE02.

  It is also the base of amazon-df/order-ack-to-855, which imports it and
  overrides the templates marked "DF overrides".

  What it writes:
    BAK*00*<AC|AD>*<po-number>*<ack-date as CCYYMMDD>: AD only when every
      line is accepted in full (every item-status accepted, their quantities
      adding up to the ordered quantity) and the ack-type does not say
      accepted-with-changes; AC otherwise, a wholly rejected PO included (the
      RP guide has no RD)
    per line, a PO1 loop: PO101 line-no, PO102/PO103 the ordered quantity
      and unit, PO104 the unit cost and PO105 its basis, exactly as the order
      carried them (decimal text copied, not recomputed), PO106/PO107 ... every
      product id in the order's sequence with the order's X12 qualifier
      (@code; without one, the product-id list)
    under it one ACK per item-status: ACK01 IA / IB / IR (ack-status list:
      accepted / backordered / rejected), ACK02/ACK03 its quantity and unit,
      ACK04 068 + ACK05 the scheduled ship date (067 the scheduled delivery
      date when there is no ship date; with both, the delivery date follows
      in a DTM*067). An IB always carries its ship date: Amazon needs the
      date a backorder ships (SP-API scheduledShipDate), so a backordered
      item-status without one is refused here as well as by the decision
    the rejection reason of an IR: ACK27 ZZ (mutually defined) + ACK29 the
      reason in Amazon's own word (TemporarilyUnavailable,
      InvalidProductIdentifier, ObsoleteProduct: list
      spapi-rejection-reason). Why there: the X12 codes of Amazon's RP
      reasons are unverified (research 1.3); the reason-bearing ACK01 codes
      (R1-R8) would replace the IR that Amazon's guide documents, while
      ACK27/ACK29 (agency qualifier + industry code) are the standard ACK's
      own place for a coded reason and leave ACK01 IR as the guide has it.
      A reason "other" has no Amazon word and sends none
    CTT01 the number of PO1 loops, CTT02 the exact sum of PO102.

  Refused (a finding, no 855): an order-ack of another program, a line
  without a unit cost, a line whose item-status quantities add up to more
  than the ordered quantity (same unit), more than 10 product ids on a line,
  an ack-type "accepted-no-change" that the lines contradict, a backordered
  item-status without a scheduled ship date.

  SPEC: RULES.md "855 acknowledgment" (RP): BAK*00*AC|AD*<PO>*<date>; every
  PO line acknowledged; ACK loops split the quantity into IA / IB / IR;
  quantities never exceed the ordered quantity; unit cost mandatory even for
  backorders; the product identifier must be the one the PO sent.
  Unconfirmed: whether Amazon reads ACK04 067 or a DTM*067 for the
  scheduled delivery date (the 855 standard allows both).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns:c="urn:wharf:canonical:1"
    exclude-result-prefixes="wharf c">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="ack" select="/c:order-ack"/>

  <!-- DF overrides: the program this map acknowledges -->
  <xsl:variable name="program" select="'RP'"/>

  <!-- X12 allows ten qualifier/id pairs on a PO1 (PO106-PO125) -->
  <xsl:variable name="id-pairs" select="'06 08 10 12 14 16 18 20 22 24'"/>

  <!-- ================================================================ -->

  <xsl:template match="/">
    <xsl:if test="not($ack)">
      <xsl:message terminate="yes">the input is not a canonical order-ack (urn:wharf:canonical:1)</xsl:message>
    </xsl:if>
    <xsl:if test="string($ack/c:program) != $program">
      <xsl:message terminate="yes">order-ack <xsl:value-of select="$ack/c:po-number"/> is for program '<xsl:value-of select="$ack/c:program"/>'; this map writes the <xsl:value-of select="$program"/> 855</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="$ack" mode="check"/>
    <xsl:apply-templates select="$ack/c:lines/c:line" mode="check"/>
    <transaction set="855">
      <ST><ST01>855</ST01></ST>
      <BAK>
        <BAK01>00</BAK01>
        <BAK02><xsl:apply-templates select="$ack" mode="bak02"/></BAK02>
        <BAK03><xsl:value-of select="$ack/c:po-number"/></BAK03>
        <BAK04><xsl:value-of select="wharf:format-date(substring($ack/c:ack-date, 1, 10), 'YYYY-MM-DD', 'CCYYMMDD')"/></BAK04>
      </BAK>
      <xsl:apply-templates select="$ack" mode="parties"/>
      <xsl:apply-templates select="$ack/c:lines/c:line"/>
      <loop id="CTT">
        <CTT>
          <!-- SPEC: X12 CTT01 number of line items, CTT02 hash total of PO102 -->
          <CTT01><xsl:value-of select="count($ack/c:lines/c:line)"/></CTT01>
          <CTT02><xsl:value-of select="wharf:sum($ack/c:lines/c:line/c:ordered-quantity)"/></CTT02>
        </CTT>
      </loop>
      <SE/>
    </transaction>
  </xsl:template>

  <!-- ============================ checks ============================ -->

  <xsl:template match="c:line" mode="check">
    <xsl:if test="string(c:unit-cost) = ''">
      <!-- SPEC: RULES.md RP 855: unit cost is mandatory, even for backorders -->
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> has no unit-cost: Amazon requires the PO's unit cost on every acknowledged line</xsl:message>
    </xsl:if>
    <xsl:if test="count(c:id) > 10">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> has <xsl:value-of select="count(c:id)"/> product ids; a PO1 holds 10</xsl:message>
    </xsl:if>
    <!-- SPEC: RULES.md RP 855: quantities never exceed the ordered quantity -->
    <xsl:if test="not(c:item-status/c:quantity[@unit != current()/c:ordered-quantity/@unit])
                  and wharf:cmp(wharf:sum(c:item-status/c:quantity), c:ordered-quantity) > 0">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/>: the item statuses acknowledge <xsl:value-of select="wharf:sum(c:item-status/c:quantity)"/>, more than the <xsl:value-of select="c:ordered-quantity"/> ordered</xsl:message>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:order-ack" mode="check">
    <xsl:variable name="derived"><xsl:apply-templates select="." mode="bak02"/></xsl:variable>
    <xsl:if test="c:ack-type = 'accepted-no-change' and $derived != 'AD'">
      <xsl:message terminate="yes">ack-type is accepted-no-change but not every line is accepted in full</xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- ============================ header ============================ -->

  <!-- AD when every line is accepted in full, else AC; AC also when the
       ack-type says accepted-with-changes (a change the lines cannot show,
       such as a later date) -->
  <xsl:template match="c:order-ack" mode="bak02">
    <xsl:variable name="short">
      <xsl:for-each select="c:lines/c:line">
        <xsl:if test="c:item-status[c:status != 'accepted']
                      or c:item-status/c:quantity[@unit != current()/c:ordered-quantity/@unit]
                      or wharf:cmp(wharf:sum(c:item-status/c:quantity), c:ordered-quantity) != 0">x</xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="c:ack-type = 'accepted-with-changes'">AC</xsl:when>
      <xsl:when test="$short = ''">AD</xsl:when>
      <xsl:otherwise>AC</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- DF overrides: the RP 855 names no party -->
  <xsl:template match="c:order-ack" mode="parties"/>

  <!-- ============================ lines ============================ -->

  <xsl:template match="c:line">
    <loop id="PO1">
      <PO1>
        <PO101><xsl:value-of select="c:line-no"/></PO101>
        <PO102><xsl:value-of select="c:ordered-quantity"/></PO102>
        <PO103><xsl:value-of select="c:ordered-quantity/@unit"/></PO103>
        <PO104><xsl:value-of select="c:unit-cost"/></PO104>
        <xsl:if test="string(c:unit-cost/@basis) != ''">
          <PO105><xsl:value-of select="c:unit-cost/@basis"/></PO105>
        </xsl:if>
        <xsl:for-each select="c:id">
          <xsl:variable name="n" select="substring($id-pairs, 3 * position() - 2, 2)"/>
          <xsl:element name="PO1{$n}">
            <xsl:choose>
              <xsl:when test="string(@code) != ''"><xsl:value-of select="@code"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="wharf:lookup('product-id', @qualifier)"/></xsl:otherwise>
            </xsl:choose>
          </xsl:element>
          <xsl:element name="PO1{format-number($n + 1, '00')}"><xsl:value-of select="."/></xsl:element>
        </xsl:for-each>
      </PO1>
      <xsl:apply-templates select="." mode="acks"/>
    </loop>
  </xsl:template>

  <!-- DF overrides: one ACK per item-status -->
  <xsl:template match="c:line" mode="acks">
    <xsl:for-each select="c:item-status">
      <xsl:if test="c:status = 'backordered' and string(c:scheduled-ship-date) = ''">
        <!-- SPEC: vendorOrders.json OrderItemAcknowledgement: a backorder says when it ships -->
        <xsl:message terminate="yes">line <xsl:value-of select="../c:line-no"/>: <xsl:value-of select="c:quantity"/> backordered without a scheduled-ship-date: Amazon needs the date a backorder ships</xsl:message>
      </xsl:if>
      <xsl:variable name="reason" select="wharf:lookup('spapi-rejection-reason', normalize-space(c:reason), '')"/>
      <loop id="ACK">
        <ACK>
          <ACK01><xsl:value-of select="wharf:lookup('ack-status', c:status)"/></ACK01>
          <ACK02><xsl:value-of select="c:quantity"/></ACK02>
          <ACK03><xsl:value-of select="c:quantity/@unit"/></ACK03>
          <xsl:choose>
            <xsl:when test="string(c:scheduled-ship-date) != ''">
              <ACK04>068</ACK04>
              <ACK05><xsl:value-of select="wharf:format-date(substring(c:scheduled-ship-date, 1, 10), 'YYYY-MM-DD', 'CCYYMMDD')"/></ACK05>
            </xsl:when>
            <xsl:when test="string(c:scheduled-delivery-date) != ''">
              <ACK04>067</ACK04>
              <ACK05><xsl:value-of select="wharf:format-date(substring(c:scheduled-delivery-date, 1, 10), 'YYYY-MM-DD', 'CCYYMMDD')"/></ACK05>
            </xsl:when>
          </xsl:choose>
          <xsl:if test="c:status = 'rejected' and $reason != ''">
            <ACK27>ZZ</ACK27>
            <ACK29><xsl:value-of select="$reason"/></ACK29>
          </xsl:if>
        </ACK>
        <xsl:if test="string(c:scheduled-ship-date) != '' and string(c:scheduled-delivery-date) != ''">
          <DTM>
            <DTM01>067</DTM01>
            <DTM02><xsl:value-of select="wharf:format-date(substring(c:scheduled-delivery-date, 1, 10), 'YYYY-MM-DD', 'CCYYMMDD')"/></DTM02>
          </DTM>
        </xsl:if>
      </loop>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
