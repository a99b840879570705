<?xml version="1.0" encoding="UTF-8"?>
<!--
  brightpearl/order-to-decision: one Brightpearl order, as
  GET order-service/order/{id} returns it (one element of the response
  array; {"response": [order]} is read too), to the wharf decisions it
  carries: a JSON array of zero or one
    {"partner", "po_number", "action": "approve" | "reject",
     "reason"?, "code"?}
  in the form gateway/flow/ack.h gw_erp_decisions reads.

  What it reads:
    externalRef "PARTNER:PO" (brightpearl/order-to-sales-order wrote it),
      split at the first ':' into partner and po_number
    orderStatus.orderStatusId through bp-decision (in, default mode): the
      status a person moved the order to says approve or reject; a status
      not in the list is no decision
    for a reject: reason = the status through bp-reject-reason, else the
      parameter reject-reason, else none (wharf rejects as
      temporarily-unavailable); code = the parameter reject-code when set
      (a DF order status code such as 03; wharf's default for a DF reject
      is 03, and an RP order with a code is refused by wharf, so pass it
      for DF partners only)
  The reason is never the status's name: wharf takes only its rejection
  reasons (temporarily-unavailable, invalid-product-identifier,
  obsolete-product) and refuses a decision with any other.

  No decision (an empty array, nothing refused): an order that is not a
  sales order (orderTypeCode other than SO), an externalRef without
  "PARTNER:PO" (an order wharf did not create), a status not in
  bp-decision.
  Refused (a finding): input that is not one Brightpearl order; a
  bp-decision entry that is neither approve nor reject.
  Not read: the order rows (no per-line decisions: the whole order is
  approved or rejected).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:j="http://www.w3.org/2005/xpath-functions"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="j wharf">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="top" select="/j:map"/>
  <xsl:variable name="wrapped" select="$top/j:array[@key = 'response']"/>
  <xsl:variable name="order" select="$wrapped[count(j:map) = 1]/j:map | $top[not($wrapped)]"/>

  <xsl:template match="/">
    <xsl:if test="not($order) or not($order/j:*[@key = 'id'])">
      <xsl:message terminate="yes">the input is not one Brightpearl order (GET order-service/order/{id}: an object with id, externalRef and orderStatus, or a response array holding one)</xsl:message>
    </xsl:if>
    <xsl:variable name="ext" select="string($order/j:string[@key = 'externalRef'])"/>
    <xsl:variable name="partner" select="substring-before($ext, ':')"/>
    <xsl:variable name="po" select="substring-after($ext, ':')"/>
    <xsl:variable name="type" select="string($order/j:string[@key = 'orderTypeCode'])"/>
    <xsl:variable name="status" select="normalize-space($order/j:map[@key = 'orderStatus']/j:*[@key = 'orderStatusId'])"/>
    <xsl:variable name="action">
      <xsl:if test="$partner != '' and $po != '' and ($type = '' or $type = 'SO') and $status != ''">
        <xsl:value-of select="wharf:lookup('bp-decision', $status, '')"/>
      </xsl:if>
    </xsl:variable>
    <xsl:if test="string($action) != '' and $action != 'approve' and $action != 'reject'">
      <xsl:message terminate="yes">code list 'bp-decision' maps status <xsl:value-of select="$status"/> to '<xsl:value-of select="$action"/>': a decision is approve or reject</xsl:message>
    </xsl:if>
    <array>
      <xsl:if test="string($action) != ''">
        <map>
          <string key="partner"><xsl:value-of select="$partner"/></string>
          <string key="po_number"><xsl:value-of select="$po"/></string>
          <string key="action"><xsl:value-of select="$action"/></string>
          <xsl:if test="$action = 'reject'">
            <xsl:variable name="reason" select="wharf:lookup('bp-reject-reason', $status, wharf:param('reject-reason', ''))"/>
            <xsl:if test="$reason != ''">
              <string key="reason"><xsl:value-of select="$reason"/></string>
            </xsl:if>
            <xsl:if test="wharf:param('reject-code', '') != ''">
              <string key="code"><xsl:value-of select="wharf:param('reject-code')"/></string>
            </xsl:if>
          </xsl:if>
        </map>
      </xsl:if>
    </array>
  </xsl:template>

</xsl:stylesheet>
