<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/order-ack-to-855: a canonical <order-ack>
  (schemas/canonical/order-ack.xsd), program DF, to the Amazon Direct
  Fulfillment 855 (X12 004010, guide partners/amazon-df/855).

  It imports the RP map (amazon-rp/order-ack-to-855.xsl) for what the two
  855s share (BAK layout, the PO1 with the order's ids and unit cost
  exactly as sent, CTT, the unit-cost and quantity checks) and overrides:
    BAK02: from the ack-type when given (accepted-no-change AD,
      accepted-with-changes AC, rejected RD), else from the order-status
      code: 00 AD, any cancellation code RD
    N1*SF**92*<warehouse code>: the ship-from party's id with qualifier 92
      (the warehouse that acknowledges; required by the DF guide)
    one ACK per PO1: ACK01 the order-status code (the same on every line),
      ACK02/ACK03 the line's ordered quantity and unit: DF accepts or cancels
      a line as a whole, never part of it. No dates.

  Refused (a finding, no 855): an order-ack without an order-status code or
  without a ship-from warehouse code; a line with more or fewer than one
  item-status; code 00 with a line not accepted in full; a cancellation
  code with a line accepted; an ack-type that contradicts the code.

  SPEC: RULES.md "855 acknowledgment" (DF): fill-or-kill, one status code
  for the whole order (00 shipping 100 percent; 02-13, 20-22, 50-56, 71
  cancellations; 04 a duplicate Ship ID); an ack is due even when every line
  is invalid, so a rejection still lists every line. The guide comment in
  schemas/partners/amazon-df/855.xml: the DF code goes in ACK01 on every
  line, BAK02 AD/AC accept and RD reject (Amazon's exact BAK02 choice is
  unconfirmed there).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns:c="urn:wharf:canonical:1"
    exclude-result-prefixes="wharf c">

  <xsl:import href="../amazon-rp/order-ack-to-855.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="program" select="'DF'"/>

  <xsl:variable name="code" select="string($ack/c:order-status/c:code)"/>

  <!-- ============================ checks ============================ -->

  <xsl:template match="c:order-ack" mode="check">
    <xsl:if test="$code = ''">
      <xsl:message terminate="yes">DF order-ack <xsl:value-of select="c:po-number"/> has no order-status code: the DF 855 carries it in ACK01 of every line</xsl:message>
    </xsl:if>
    <xsl:if test="string(c:ship-from/c:id[@qualifier = '92']) = ''">
      <xsl:message terminate="yes">DF order-ack <xsl:value-of select="c:po-number"/> has no ship-from id with qualifier 92: the DF 855 names the warehouse in N1*SF</xsl:message>
    </xsl:if>
    <xsl:if test="(c:ack-type = 'rejected' and $code = '00') or (starts-with(c:ack-type, 'accepted') and $code != '00')">
      <xsl:message terminate="yes">ack-type <xsl:value-of select="c:ack-type"/> contradicts order-status code <xsl:value-of select="$code"/></xsl:message>
    </xsl:if>
  </xsl:template>

  <xsl:template match="c:line" mode="check">
    <xsl:apply-imports/>
    <!-- SPEC: RULES.md DF: fill-or-kill, one status for the whole order -->
    <xsl:if test="count(c:item-status) != 1">
      <xsl:message terminate="yes">line <xsl:value-of select="c:line-no"/> has <xsl:value-of select="count(c:item-status)"/> item statuses; a DF line is accepted or cancelled as a whole (one item-status)</xsl:message>
    </xsl:if>
    <xsl:if test="$code = '00' and (c:item-status/c:status != 'accepted'
                  or c:item-status/c:quantity/@unit != c:ordered-quantity/@unit
                  or wharf:cmp(c:item-status/c:quantity, c:ordered-quantity) != 0)">
      <xsl:message terminate="yes">order-status 00 (shipping 100 percent) but line <xsl:value-of select="c:line-no"/> is not accepted in full: DF is fill-or-kill, cancel the whole order with a reason code instead</xsl:message>
    </xsl:if>
    <xsl:if test="$code != '00' and c:item-status/c:status = 'accepted'">
      <xsl:message terminate="yes">order-status <xsl:value-of select="$code"/> cancels the order but line <xsl:value-of select="c:line-no"/> is accepted</xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- ============================ header ============================ -->

  <xsl:template match="c:order-ack" mode="bak02">
    <xsl:choose>
      <xsl:when test="c:ack-type = 'accepted-no-change'">AD</xsl:when>
      <xsl:when test="c:ack-type = 'accepted-with-changes'">AC</xsl:when>
      <xsl:when test="c:ack-type = 'rejected'">RD</xsl:when>
      <xsl:when test="$code = '00'">AD</xsl:when>
      <xsl:otherwise>RD</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- SPEC: DF 855 guide: N1*SF**92*<warehouse code> -->
  <xsl:template match="c:order-ack" mode="parties">
    <loop id="N1">
      <N1>
        <N101>SF</N101>
        <xsl:if test="string(c:ship-from/c:name) != ''">
          <N102><xsl:value-of select="c:ship-from/c:name"/></N102>
        </xsl:if>
        <N103>92</N103>
        <N104><xsl:value-of select="c:ship-from/c:id[@qualifier = '92'][1]"/></N104>
      </N1>
    </loop>
  </xsl:template>

  <!-- ============================ lines ============================ -->

  <!-- SPEC: DF 855 guide: ACK01 the DF code, ACK02 the line's full ordered quantity -->
  <xsl:template match="c:line" mode="acks">
    <loop id="ACK">
      <ACK>
        <ACK01><xsl:value-of select="$code"/></ACK01>
        <ACK02><xsl:value-of select="c:ordered-quantity"/></ACK02>
        <ACK03><xsl:value-of select="c:ordered-quantity/@unit"/></ACK03>
      </ACK>
    </loop>
  </xsl:template>

</xsl:stylesheet>
