<?xml version="1.0" encoding="UTF-8"?>
<!--
  amazon-rp/shipment-to-856-5010: the RP ship notice as an X12 005010 856
  (S-O-T-P-I; partners/amazon-rp/856-5010), whether or not the shipment
  has pallets. Everything is amazon-rp/shipment-to-856; this only makes
  005010 the default version (the parameter x12-version still wins).

  Why a second map: the registry checks a map's X12 output against one
  guide, and amazon-rp/shipment-to-856 names the 004010 guide
  (partners/amazon-rp/856), so its 005010 output (pallets, or
  x12-version=005010) is reported against the wrong guide. Registered as
  <map name="amazon-rp/shipment-to-856-5010" file="amazon-rp/shipment-to-856-5010.xsl"
       in="xml" out="x12" guide="partners/amazon-rp/856-5010" .../>
  its output, and its golden tests, are checked against the 005010 guide.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="shipment-to-856.xsl"/>
  <xsl:variable name="default-version" select="'005010'"/>
</xsl:stylesheet>
