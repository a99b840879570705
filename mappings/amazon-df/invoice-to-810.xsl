<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-df/invoice-to-810: a canonical <invoice>, program DF, to the
  Amazon Direct Fulfillment invoice, one X12 004010 810
  (partners/amazon-df/810).

  Everything is amazon-rp/invoice-to-810 (BIG with the Ship ID as PO
  number, CUR*BT, BIG07 CI, N1*RI remit-to, N1*SF ship-from, ITD, IT1 lines, TXI, SAC,
  TDS in implied cents, CTT, and the totals checks); this overrides the
  program and the qualified references on each IT1 line:
    PO  the line's po-number (the Ship ID)
    VO  the vendor's order number: the line's, else references/
        vendor-order-number
    ON  Amazon's customer order number (850 REF*OQ): the line's, else
        references/customer-order-number
  each written when known, after the product ids. Header charges stay in
  the summary SAC loop (as the golden DF 810 has its freight).

  Shaped like Amazon's published DF 810 sample (issue 11 section 6):
    CUR*BT*<currency>: the sample names the bill-to party in CUR01 (the
      RP map writes SE, the selling party).
    BIG07 CI (consolidated invoice) when the invoice type has no code of
      its own: the sample's transaction type for every DF invoice.
    IT1 PO/VO/ON after the product ids, N1*RI with N2/N3/N4, N1*SF 92,
      ITD, SAC, TDS in implied cents, CTT: as the sample.
    Kept: BIG04 carries the Ship ID. The sample leaves BIG04 empty because
      it bills many orders at once; wharf writes one DF invoice per order
      (gateway invoice run, per "order"), so the one PO it bills is known,
      BIG04 is an optional X12 element that names exactly it, and every
      IT1 still carries it as PO as in the sample.

  Refused, besides the base map's refusals: a line with no customer order
  number (ON) when the invoice has none either (the DF 810 carries it on
  every IT1; a missing VO is left out); a remit-to without a street line
  and city (Amazon's DF 810 must have N3/N4 in the remit-to loop).

  SPEC: RULES.md "810 invoice": IT1 lines with PO number PO, vendor order
  VO, customer order ON for DF. partners/amazon-df/810: IT106... carry PO,
  VO and ON after the product ids.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:c="urn:wharf:canonical:1"
    exclude-result-prefixes="c">

  <xsl:import href="../amazon-rp/invoice-to-810.xsl"/>

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="program" select="'DF'"/>
  <xsl:variable name="guide" select="'partners/amazon-df/810'"/>
  <!-- SPEC: Amazon DF 810 sample: CUR*BT*USD and BIG07 CI -->
  <xsl:variable name="cur-entity" select="'BT'"/>
  <xsl:variable name="big07-default" select="'CI'"/>

  <xsl:template match="c:line" mode="line-references">
    <xsl:variable name="refs" select="$inv/c:references"/>
    <xsl:variable name="vo" select="(c:vendor-order-number | $refs/c:vendor-order-number[not(current()/c:vendor-order-number)])[1]"/>
    <xsl:variable name="on" select="(c:customer-order-number | $refs/c:customer-order-number[not(current()/c:customer-order-number)])[1]"/>
    <xsl:if test="string($on) = ''">
      <xsl:message terminate="yes">invoice <xsl:value-of select="$inv/c:invoice-number"/> line <xsl:value-of select="c:line-no"/> has no customer order number (IT1 ON), nor has the invoice</xsl:message>
    </xsl:if>
    <pair q="PO" v="{c:po-number}"/>
    <xsl:if test="string($vo) != ''"><pair q="VO" v="{$vo}"/></xsl:if>
    <pair q="ON" v="{$on}"/>
  </xsl:template>

  <!-- SPEC: Amazon DF 810 (research 1.5): the remit-to loop carries N3 and
       N4 ("must use"); the guide cannot demand them of one N1 loop only -->
  <xsl:template match="c:invoice" mode="check">
    <xsl:apply-imports/>
    <xsl:if test="not(c:remit-to/c:address[c:line and string(c:city) != ''])">
      <xsl:message terminate="yes">invoice <xsl:value-of select="c:invoice-number"/>: the remit-to party has no address (street line and city): Amazon's DF 810 carries N3 and N4 in the N1*RI loop</xsl:message>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
