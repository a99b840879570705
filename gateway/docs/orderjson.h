/*
 * orderjson.h — the C twin of the stock map local/order-to-erp-json: a
 * canonical order as the ERP JSON record that map and map_render write,
 * byte for byte, without an XSLT run (about a fifth of a map worker's time
 * on a large inbound file, issue 18).
 *
 * The twin stands in for the map only while the map that would run is the
 * stock file itself: the caller (gateway/erp/files.c) asks map_file_is()
 * whether the resolved map file holds exactly the stock file's bytes
 * compiled in at build time (gw_order_erp_json_stock), which must be the
 * bytes the twin was written for (a SHA-256 pinned in orderjson.c). A partner or workspace
 * override, WHARF_MAPPINGS pointing at another file, or an edit of the
 * stock file all run the XSLT. tests/unit/test_orderjson.c proves the
 * bytes the same on every canonical order the project has.
 *
 * Not here: the map itself (mappings/local/order-to-erp-json.xsl), the
 * JSON rendering of map results (mappings/map_json.c), where the record
 * goes (gateway/erp/files.c).
 */
#ifndef WHARF_ORDERJSON_H
#define WHARF_ORDERJSON_H

#include "edi/edi.h"
#include "gateway/docs/cdoc.h"

/* The registered name of the map the twin stands in for. */
#define GW_ORDER_ERP_JSON_MAP "local/order-to-erp-json"

/* The stock map file's bytes as built (borrowed, static, not
 * NUL-terminated), *n their length; NULL (and 0) when they are not the
 * bytes the twin was written for (their SHA-256 is pinned in orderjson.c):
 * the stock map was changed and the twin stands aside. */
const unsigned char *gw_order_erp_json_stock(size_t *n);

/* Appends to out what the stock map, run on order with the parameters
 * partner and state (NULL: ""), and rendered as JSON gives: 1. Returns 0
 * and leaves out as it was when the map would do something the twin does
 * not write (the map refuses the input, or its result does not render:
 * a key twice, a line number that is no JSON number, text that is not
 * UTF-8, more than one <header>, a root that is not <c:order>); the
 * caller then runs the map, which gives its own result or error. */
int gw_order_erp_json(struct edi_buf *out, const struct gw_cdoc *order, const char *partner,
                      const char *state);

#endif
