<?xml version="1.0" encoding="UTF-8"?>
<!--
  brightpearl/goods-out-to-packlist: a shipped Brightpearl goods-out note
  and its sales order to a wharf packing list, the JSON shipment form
  gateway/docs/packlist.h reads:
    {"shipment_id", "warehouse", "ship_date", "carrier_scac"?, "bol"?,
     "cartons": [{"carton_id", "tracking_number"?, "weight_kg"?,
                  "items": [{"po_number", "line_no", "quantity"}]}]}

  Input: {"note": one goods-out note as GET warehouse-service/order/*/
  goods-note/goods-out/{id} returns it, with its "id"; "order": its order
  as GET order-service/order/{id} returns it}.

  Parameters:
    weight-unit  the unit of the note's shipping.weight: kg (default), lb
                 or g (the Brightpearl account's weight unit)
    bol          where the bill of lading number comes from, which wharf
                 requires of an RP ship notice (REF*BM) and Brightpearl
                 has no field for: "note" (the note's own number,
                 "GON<id>", as printed on the warehouse's bill of lading),
                 "reference" (shipping.reference) or none (default: no
                 bol, right for DF)

  What it writes:
    shipment_id "BP-GON-<note id>"; warehouse = warehouseId through
      bp-warehouse (strict); ship_date = status.shippedOn (fractions of a
      second dropped: the packing list takes whole seconds)
    carrier_scac = shipping.shippingMethodId through bp-shipping-method
      (default mode: a method not listed leaves it out)
    one carton per note: carton_id "GON<note id>", tracking_number =
      shipping.reference, weight_kg = shipping.weight in kilograms (3
      decimals when converted), both left out when empty or 0; a note of
      several boxes is still one carton (shipping.boxes is not read)
    items, one per orderRows entry of the note (in the note's order):
      po_number = the PO of the order's externalRef "PARTNER:PO" (the key
      wharf gave it; the order's reference when externalRef has no ':'),
      line_no = the externalRef of the same row id in order.orderRows (the
      line number brightpearl/order-to-sales-order wrote), quantity = the
      sum of the note row's quantities, a whole number; a row that sums to
      0 is left out

  Refused (a finding): input without note and order; a note of another
  order (orderId); a note not shipped (status.shipped not true, or no
  shippedOn); a warehouse not in bp-warehouse; a note row whose order row
  is missing or has no line number in externalRef; a quantity that is not
  whole; a note with nothing in it; an unknown weight-unit or bol.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/2005/xpath-functions"
    xmlns:j="http://www.w3.org/2005/xpath-functions"
    xmlns:wharf="urn:wharf:map"
    exclude-result-prefixes="j wharf">

  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:variable name="note" select="/j:map/j:map[@key = 'note']"/>
  <xsl:variable name="order" select="/j:map/j:map[@key = 'order']"/>
  <xsl:variable name="id" select="normalize-space($note/j:*[@key = 'id'])"/>
  <xsl:variable name="order-rows" select="$order/j:map[@key = 'orderRows']"/>
  <xsl:variable name="weight-unit" select="wharf:param('weight-unit', 'kg')"/>
  <xsl:variable name="bol" select="wharf:param('bol', '')"/>

  <xsl:template match="/">
    <xsl:if test="not($note) or not($order)">
      <xsl:message terminate="yes">the input is not {"note": a goods-out note, "order": its order}</xsl:message>
    </xsl:if>
    <xsl:if test="$id = ''">
      <xsl:message terminate="yes">the goods-out note has no id</xsl:message>
    </xsl:if>
    <xsl:if test="normalize-space($note/j:*[@key = 'orderId']) != normalize-space($order/j:*[@key = 'id'])">
      <xsl:message terminate="yes">goods-out note <xsl:value-of select="$id"/> is for order <xsl:value-of select="$note/j:*[@key = 'orderId']"/>, not order <xsl:value-of select="$order/j:*[@key = 'id']"/></xsl:message>
    </xsl:if>
    <xsl:variable name="status" select="$note/j:map[@key = 'status']"/>
    <xsl:if test="not($status/j:boolean[@key = 'shipped'] = 'true') or normalize-space($status/j:string[@key = 'shippedOn']) = ''">
      <xsl:message terminate="yes">goods-out note <xsl:value-of select="$id"/> is not shipped (status.shipped, status.shippedOn): only a shipped note is a packing list</xsl:message>
    </xsl:if>
    <xsl:if test="$bol != '' and $bol != 'note' and $bol != 'reference'">
      <xsl:message terminate="yes">parameter bol '<xsl:value-of select="$bol"/>' is not note or reference</xsl:message>
    </xsl:if>
    <xsl:if test="$weight-unit != 'kg' and $weight-unit != 'lb' and $weight-unit != 'g'">
      <xsl:message terminate="yes">parameter weight-unit '<xsl:value-of select="$weight-unit"/>' is not kg, lb or g</xsl:message>
    </xsl:if>
    <xsl:variable name="shipping" select="$note/j:map[@key = 'shipping']"/>
    <xsl:variable name="scac" select="wharf:lookup('bp-shipping-method', normalize-space($shipping/j:*[@key = 'shippingMethodId']), '')"/>
    <xsl:variable name="ext" select="string($order/j:string[@key = 'externalRef'])"/>
    <xsl:variable name="po">
      <xsl:choose>
        <xsl:when test="substring-after($ext, ':') != ''"><xsl:value-of select="substring-after($ext, ':')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$order/j:string[@key = 'reference']"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="string($po) = ''">
      <xsl:message terminate="yes">order <xsl:value-of select="$order/j:*[@key = 'id']"/> has no PO number (externalRef "PARTNER:PO" or reference)</xsl:message>
    </xsl:if>
    <map>
      <string key="shipment_id"><xsl:value-of select="concat('BP-GON-', $id)"/></string>
      <string key="warehouse"><xsl:value-of select="wharf:lookup('bp-warehouse', normalize-space($note/j:*[@key = 'warehouseId']))"/></string>
      <string key="ship_date"><xsl:call-template name="date-time"><xsl:with-param name="v" select="normalize-space($status/j:string[@key = 'shippedOn'])"/></xsl:call-template></string>
      <xsl:if test="$scac != ''">
        <string key="carrier_scac"><xsl:value-of select="$scac"/></string>
      </xsl:if>
      <xsl:choose>
        <xsl:when test="$bol = 'note'"><string key="bol"><xsl:value-of select="concat('GON', $id)"/></string></xsl:when>
        <xsl:when test="$bol = 'reference' and normalize-space($shipping/j:*[@key = 'reference']) != ''">
          <string key="bol"><xsl:value-of select="normalize-space($shipping/j:*[@key = 'reference'])"/></string>
        </xsl:when>
      </xsl:choose>
      <array key="cartons">
        <map>
          <string key="carton_id"><xsl:value-of select="concat('GON', $id)"/></string>
          <xsl:if test="normalize-space($shipping/j:*[@key = 'reference']) != ''">
            <string key="tracking_number"><xsl:value-of select="normalize-space($shipping/j:*[@key = 'reference'])"/></string>
          </xsl:if>
          <xsl:call-template name="weight"><xsl:with-param name="w" select="normalize-space($shipping/j:*[@key = 'weight'])"/></xsl:call-template>
          <array key="items">
            <xsl:for-each select="$note/j:map[@key = 'orderRows']/j:array">
              <xsl:call-template name="item"><xsl:with-param name="po" select="string($po)"/></xsl:call-template>
            </xsl:for-each>
          </array>
        </map>
      </array>
    </map>
    <xsl:if test="not($note/j:map[@key = 'orderRows']/j:array/j:map/j:*[@key = 'quantity'][wharf:cmp(normalize-space(.), '0') &gt; 0])">
      <xsl:message terminate="yes">goods-out note <xsl:value-of select="$id"/> has no row with a quantity: nothing was packed</xsl:message>
    </xsl:if>
  </xsl:template>

  <!-- one note row (an array of {productId, quantity} under the row id) -->
  <xsl:template name="item">
    <xsl:param name="po"/>
    <xsl:variable name="row-id" select="string(@key)"/>
    <xsl:variable name="row" select="$order-rows/j:map[@key = $row-id]"/>
    <xsl:variable name="line" select="normalize-space($row/j:*[@key = 'externalRef'])"/>
    <xsl:if test="not($row)">
      <xsl:message terminate="yes">goods-out note <xsl:value-of select="$id"/>: order row <xsl:value-of select="$row-id"/> is not in order <xsl:value-of select="$order/j:*[@key = 'id']"/></xsl:message>
    </xsl:if>
    <xsl:if test="$line = '' or translate($line, '0123456789', '') != ''">
      <xsl:message terminate="yes">goods-out note <xsl:value-of select="$id"/>: order row <xsl:value-of select="$row-id"/> (product <xsl:value-of select="$row/j:*[@key = 'productId']"/>) has no PO line number in externalRef ('<xsl:value-of select="$line"/>'): a row added in Brightpearl is not on the Amazon order</xsl:message>
    </xsl:if>
    <xsl:variable name="qty" select="wharf:sum(j:map/j:*[@key = 'quantity'])"/>
    <xsl:if test="wharf:cmp(wharf:round($qty, 0), $qty) != 0">
      <xsl:message terminate="yes">goods-out note <xsl:value-of select="$id"/>: order row <xsl:value-of select="$row-id"/> ships <xsl:value-of select="$qty"/>, not a whole number</xsl:message>
    </xsl:if>
    <xsl:if test="wharf:cmp($qty, '0') &gt; 0">
      <map>
        <string key="po_number"><xsl:value-of select="$po"/></string>
        <number key="line_no"><xsl:value-of select="wharf:dec($line)"/></number>
        <string key="quantity"><xsl:value-of select="wharf:round($qty, 0)"/></string>
      </map>
    </xsl:if>
  </xsl:template>

  <xsl:template name="weight">
    <xsl:param name="w"/>
    <xsl:if test="$w != '' and wharf:cmp(wharf:dec($w), '0') &gt; 0">
      <xsl:variable name="kg">
        <xsl:choose>
          <xsl:when test="$weight-unit = 'lb'"><xsl:value-of select="wharf:round(wharf:mul($w, '0.45359237'), 3)"/></xsl:when>
          <xsl:when test="$weight-unit = 'g'"><xsl:value-of select="wharf:round(wharf:mul($w, '0.001'), 3)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="wharf:dec($w)"/></xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <xsl:if test="wharf:cmp($kg, '0') &gt; 0">
        <string key="weight_kg"><xsl:value-of select="$kg"/></string>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- Brightpearl's date-time (2024-03-18T15:30:00.000-04:00) without the
       fraction of a second, which the packing list does not take -->
  <xsl:template name="date-time">
    <xsl:param name="v"/>
    <xsl:choose>
      <xsl:when test="substring($v, 20, 1) = '.'">
        <xsl:variable name="rest" select="substring($v, 21)"/>
        <xsl:value-of select="substring($v, 1, 19)"/>
        <xsl:choose>
          <xsl:when test="contains($rest, 'Z')">Z</xsl:when>
          <xsl:when test="contains($rest, '+')"><xsl:value-of select="concat('+', substring-after($rest, '+'))"/></xsl:when>
          <xsl:when test="contains($rest, '-')"><xsl:value-of select="concat('-', substring-after($rest, '-'))"/></xsl:when>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
