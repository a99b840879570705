/*
 * mapdoc.h — documents through the map engine and X12, as struct gw_cdoc
 * (cdoc.h), so the flows and the ERP exchange map, check and write
 * documents without libxml2: the EDI-XML of each set of an interchange,
 * a map run, a map's result rendered (X12, JSON, XML), put into the
 * partner's character set, written as a set and checked as it is sent.
 *
 * Each is the function of edi/exml.h or mappings/map.h named in its
 * comment, on the tree under the gw_cdoc; their contracts are those. Not
 * here: reading and building canonical documents (cdoc.h).
 */
#ifndef WHARF_MAPDOC_H
#define WHARF_MAPDOC_H

#include "edi/text.h"
#include "edi/x12.h"
#include "gateway/docs/cdoc.h"
#include "mappings/map.h"

struct edi_tx_copy;   /* edi/exml.h */

/* edi_x12_to_xml_docs: each set of data[0..n) as its EDI-XML document,
 * borrowed for the call (freed after it unless cb keeps it with
 * gw_cdoc_take), to cb; a negative return from cb stops. */
int gw_x12_sets(const char *data, size_t n, struct edi_guides *guides, enum edi_text_in text,
                int (*cb)(void *ctx, struct gw_cdoc *set, const struct edi_tx *tx), void *ctx,
                struct edi_err *err);

/* gw_x12_sets in two steps: each set as a copy (the caller's,
 * edi_tx_copy_free) to cb during the parse, and its document made from the
 * copy later, on any thread (gw_x12_set_doc: *out the caller's). */
int gw_x12_set_copies(const char *data, size_t n, enum edi_text_in text,
                      int (*cb)(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx), void *ctx,
                      struct edi_err *err);
int gw_x12_set_doc(struct gw_cdoc **out, const struct edi_tx_copy *c, struct edi_guides *guides,
                   enum edi_text_in text, struct edi_err *err);
void gw_x12_set_copy_free(struct edi_tx_copy *c);

/* map_run: *out (the caller's) is m's result on in. */
int gw_cdoc_map(struct gw_cdoc **out, struct map_engine *e, const struct map_info *m,
                const struct gw_cdoc *in, const struct map_run_opts *o, struct edi_findings *f,
                struct edi_err *err);
/* map_render: a result as text (X12 rendering fills SE01 and ST02 in d). */
int gw_cdoc_render(struct edi_buf *out, struct gw_cdoc *d, int as_xml, struct edi_err *err);

/* edi_xml_doc_text_x12: d's values in the partner's character set, in place. */
int gw_cdoc_text_x12(struct gw_cdoc *d, enum edi_text_out mode, struct edi_findings *f);
/* edi_xml_doc_to_x12: an outbound map's <transaction> as a set, ST to SE. */
int gw_cdoc_x12(struct edi_buf *out, struct gw_cdoc *d, const struct edi_delims *dl, const char *control,
                struct edi_err *err);
/* map_check_sent: the interchange ichg, written from d, checked as sent. */
int gw_cdoc_check_sent(struct map_engine *e, const struct map_info *m, const struct gw_cdoc *d,
                       struct edi_str ichg, struct edi_findings *f, struct edi_err *err);

/* map_json_to_xml: JSON text (an SP-API order) as the W3C XML
 * representation a map reads; *out the caller's. */
int gw_cdoc_json(struct gw_cdoc **out, const char *json, size_t n, struct edi_err *err);
/* map_check_output: a result checked against its map's schema, guide or
 * SP-API model (a JSON body before it is sent). */
int gw_cdoc_check_output(struct map_engine *e, const struct map_info *m, const struct gw_cdoc *d,
                         struct edi_findings *f, struct edi_err *err);
/* The value of the root element's attribute name (an outbound map's
 * <transaction guide=...>) in out[0..cap), "" when there is none; 1 when
 * there is one. */
int gw_cdoc_root_attr(char *out, size_t cap, const struct gw_cdoc *d, const char *name);

#endif
