/*
 * cdoc_xml.h — the libxml2 tree under a struct gw_cdoc (cdoc.h), for the
 * code that hands canonical documents to the map engine (outbound.c).
 * Flows read and build documents through cdoc.h and never include this.
 */
#ifndef WHARF_CDOC_XML_H
#define WHARF_CDOC_XML_H

#include "gateway/docs/cdoc.h"

#include <libxml/tree.h>

/* d's tree, borrowed (NULL for NULL). */
xmlDocPtr gw_cdoc_xml(const struct gw_cdoc *d);

#endif
