/*
 * cdoc_xml.h — the libxml2 tree under a struct gw_cdoc (cdoc.h), for the
 * code that hands canonical documents to the map engine (outbound.c), and
 * XPath over a canonical tree with the c: prefix, for the code that still
 * reads the map engine's output as a tree (inbound.c, erp/files.c). Flows
 * read and build documents through cdoc.h and never include this.
 */
#ifndef WHARF_CDOC_XML_H
#define WHARF_CDOC_XML_H

#include "gateway/docs/cdoc.h"

#include <libxml/tree.h>
#include <libxml/xpath.h>

/* doc as a gw_cdoc, which owns it now (NULL for NULL). */
struct gw_cdoc *gw_cdoc_wrap(xmlDocPtr doc);
/* d's tree, borrowed (NULL for NULL). */
xmlDocPtr gw_cdoc_xml(const struct gw_cdoc *d);

/* An XPath context on doc with prefix c bound to the canonical namespace
 * (xmlXPathFreeContext it). */
xmlXPathContextPtr gw_cdoc_xpath(xmlDocPtr doc);
/* The string value of expr evaluated at at, a copy the caller frees; NULL
 * when it is empty. */
char *gw_cdoc_xpath_string(xmlXPathContextPtr x, xmlNodePtr at, const char *expr);

#endif
