/*
 * cdoc_xml.h — the libxml2 tree under a struct gw_cdoc (cdoc.h), for the
 * code in gateway/docs/ that hands documents to the map engine and
 * EDI⇄XML (mapdoc.c). Nothing outside gateway/docs/ includes this: the
 * flows read, build and map documents through cdoc.h and mapdoc.h.
 */
#ifndef WHARF_CDOC_XML_H
#define WHARF_CDOC_XML_H

#include "gateway/docs/cdoc.h"

#include <libxml/tree.h>

/* doc as a gw_cdoc, which owns it now (NULL for NULL). */
struct gw_cdoc *gw_cdoc_wrap(xmlDocPtr doc);
/* d's tree, borrowed (NULL for NULL). */
xmlDocPtr gw_cdoc_xml(const struct gw_cdoc *d);
/* What gw_cdoc_text writes itself, appended to b; -1 (b's content then
 * undefined) for a document it leaves to libxml2's writer. For the test
 * that holds the two to the same bytes. */
int gw_cdoc_text_plain(struct edi_buf *b, const xmlDoc *doc);

#endif
