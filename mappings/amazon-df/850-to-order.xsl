<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/850-to-order: an Amazon Direct Fulfillment order (X12 004010 850
  from AMAZONDS, one per Ship ID) to a canonical <order>
  (schemas/canonical/order.xsd), program DF.

  It imports the RP map (amazon-rp/850-to-order.xsl), which holds every
  segment rule the two programs share (BEG, CUR, REF, N1 parties, TD5, PO1
  ids, quantities and costs, CTT checks: see its comment), and overrides
  only what DF does differently:
    program DF; BEG02 DS (drop ship) or SS (split shipment), anything else
      is refused; BEG03, the Ship ID, is the PO number
    REF*OQ the customer order number (in the base map already)
    N1*ST the consumer: N102 name (N201 a second name line), N3 lines, N4
      (a country name such as "UNITED STATES" becomes its code and is kept
      in country-name), PER phone, kept exactly as sent, never trimmed or
      re-cased; N1*SF the warehouse (92 code) as ship-from; N1*BT bill-to;
      N1*LW (in public samples a second person with a phone, apparently
      the buyer or the gift's sender: unconfirmed) a <party code="LW">
      with its PER phone as a contact (in the base map); it is not the
      ship-to and does not go to the ERP files
    TD5 the ship method (TD503, from the header or the N1*ST loop, where
      Amazon sends it after N4: TD5**92*UPS_GR_RES****ZZ*RES)
    PO1 TP / BL / ZZ (product type, brand, seller) product attributes, CTP
      PUR the consumer's retail price (in the base map)
    packing-slip-required: true, unless the partner parameter
      packing-slip-required is "false". The 850 has no flag for it (the
      SP-API order has isPslipRequired): Amazon's DF EDI orders are packed
      with a packing slip the vendor prints from the 850, whose texts come
      as N9*ZZ + MSG; those texts become message-to-customer (SP-API
      messageToCustomer) and stay notes as well
    is-gift: true when a gift message is present (N9*L1 or a line's second
      MSG), else false
    DTM 038 (else 010) the required ship date, 069 (else 002) the promised
      delivery date; no windows, and lines get no header dates
    gift messages: an N9*L1 loop with its MSG lines (header: the order's
      gift and is-gift; in a PO1 loop: the line's gift); in a PO1 loop
      without N9, the first MSG is the item title (the description, when no
      PID F gives one) and a further MSG the line's gift message
    other N9 loops (Amazon's packing-slip texts, N9*ZZ) stay notes.

  SPEC: RULES.md "850 purchase order" (DF): BEG*00*DS*<Ship ID> (SS for split
  shipments); the Ship ID is unique (a repeat is rejected with ack code 04,
  by the gateway, not here); the consumer address in N1*ST must not be
  altered; N1*SF*...*92*<warehouse code>; TD5 ship method; REF*OQ customer
  order number; gift messages in MSG.
  Unconfirmed (no primary source): which PO1-loop MSG is the title and which
  the gift message (public DF guide summaries list "title or description"
  before "gift message"); the DTM qualifiers for the required ship and
  promised delivery dates.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:wharf="urn:wharf:map"
    xmlns="urn:wharf:canonical:1"
    exclude-result-prefixes="wharf">

  <xsl:import href="../amazon-rp/850-to-order.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="program" select="'DF'"/>
  <xsl:variable name="types" select="' DS SS '"/>

  <!-- ============================ header ============================ -->

  <xsl:template match="transaction" mode="header-dates">
    <xsl:for-each select="(DTM[DTM01 = '038'] | DTM[DTM01 = '010'][not(../DTM[DTM01 = '038'])])[1]">
      <required-ship-date><xsl:call-template name="dtm-date"/></required-ship-date>
    </xsl:for-each>
    <xsl:for-each select="(DTM[DTM01 = '069'] | DTM[DTM01 = '002'][not(../DTM[DTM01 = '069'])])[1]">
      <promised-delivery-date><xsl:call-template name="dtm-date"/></promised-delivery-date>
    </xsl:for-each>
  </xsl:template>

  <!-- what the packing slip needs: whether there is one, whether the order
       is a gift and its message, the text Amazon asks to print.
       SPEC: RULES.md DF: gift messages in MSG (here N9*L1 + MSG) -->
  <xsl:template match="transaction" mode="header-gift">
    <packing-slip-required>
      <xsl:value-of select="wharf:param('packing-slip-required', 'true') != 'false'"/>
    </packing-slip-required>
    <xsl:variable name="gift" select="loop[@id = 'N9'][N9/N901 = 'L1'][MSG[string(MSG01) != '']][1]"/>
    <xsl:variable name="line-gifts">
      <xsl:apply-templates select="loop[@id = 'PO1']" mode="line-gift"/>
    </xsl:variable>
    <is-gift><xsl:value-of select="boolean($gift or string($line-gifts) != '')"/></is-gift>
    <xsl:for-each select="$gift">
      <gift>
        <message><xsl:call-template name="msg-text"/></message>
      </gift>
    </xsl:for-each>
    <!-- Amazon's packing-slip texts (N9*ZZ + MSG: "This shipment completes
         your order."), all of them, in order; they stay notes as well -->
    <xsl:variable name="slip">
      <xsl:for-each select="loop[@id = 'N9'][N9/N901 = 'ZZ']/MSG[string(MSG01) != '']">
        <xsl:if test="position() > 1"><xsl:value-of select="$lf"/></xsl:if>
        <xsl:value-of select="MSG01"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:if test="$slip != ''">
      <message-to-customer><xsl:value-of select="$slip"/></message-to-customer>
    </xsl:if>
  </xsl:template>

  <!-- the gift loops are the gift, not notes -->
  <xsl:template match="loop[N9/N901 = 'L1']" mode="note"/>

  <!-- ============================ lines ============================ -->

  <xsl:template match="loop" mode="line-dates">
    <xsl:for-each select="DTM[DTM01 = '010'][1]">
      <requested-ship-date><xsl:call-template name="dtm-date"/></requested-ship-date>
    </xsl:for-each>
    <xsl:for-each select="DTM[DTM01 = '002'][1]">
      <requested-delivery-date><xsl:call-template name="dtm-date"/></requested-delivery-date>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="loop" mode="line-description">
    <xsl:variable name="pid" select="(loop[@id = 'PID']/PID | PID)[PID01 = 'F' and string(PID05) != ''][1]"/>
    <xsl:choose>
      <xsl:when test="$pid"><description><xsl:value-of select="$pid/PID05"/></description></xsl:when>
      <xsl:when test="string((MSG | loop[@id = 'CTP']/MSG)[1]/MSG01) != ''"><description><xsl:value-of select="(MSG | loop[@id = 'CTP']/MSG)[1]/MSG01"/></description></xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- the line's gift message: an N9*L1 loop in the PO1 loop, else the MSG
       after the title -->
  <xsl:template match="loop" mode="line-gift">
    <xsl:variable name="n9" select="loop[@id = 'N9'][N9/N901 = 'L1'][MSG[string(MSG01) != '']][1]"/>
    <xsl:choose>
      <xsl:when test="$n9">
        <xsl:for-each select="$n9">
          <gift><message><xsl:call-template name="msg-text"/></message></gift>
        </xsl:for-each>
      </xsl:when>
      <xsl:when test="(MSG | loop[@id = 'CTP']/MSG)[position() > 1][string(MSG01) != '']">
        <gift>
          <message>
            <xsl:for-each select="(MSG | loop[@id = 'CTP']/MSG)[position() > 1][string(MSG01) != '']">
              <xsl:if test="position() > 1"><xsl:value-of select="$lf"/></xsl:if>
              <xsl:value-of select="MSG01"/>
            </xsl:for-each>
          </message>
        </gift>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- line texts: the MSGs are title and gift (above); other N9 loops are notes -->
  <xsl:template match="loop" mode="line-notes">
    <!-- the title, when a PID gave the description -->
    <xsl:if test="(loop[@id = 'PID']/PID | PID)[PID01 = 'F' and string(PID05) != '']">
      <xsl:for-each select="(MSG | loop[@id = 'CTP']/MSG)[1][string(MSG01) != '']">
        <note type="title"><xsl:value-of select="MSG01"/></note>
      </xsl:for-each>
    </xsl:if>
    <xsl:apply-templates select="loop[@id = 'N9']" mode="note"/>
  </xsl:template>

</xsl:stylesheet>
