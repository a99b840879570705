/*
 * mapdoc.c — the map engine and EDI⇄XML on gw_cdoc trees (mapdoc.h): each
 * function hands the tree under a gw_cdoc to edi/exml.c or mappings/ and
 * wraps what comes back.
 */
#include "gateway/docs/mapdoc.h"
#include "gateway/docs/cdoc_xml.h"

#include "edi/exml.h"

#include <stdio.h>

struct sets {
    int (*cb)(void *ctx, struct gw_cdoc *set, const struct edi_tx *tx);
    void *ctx;
};

static int one_set(void *ctx, xmlDocPtr doc, const struct edi_tx *tx)
{
    struct sets *s = ctx;
    struct gw_cdoc *d = gw_cdoc_wrap(doc);
    int rc = s->cb(s->ctx, d, tx);

    gw_cdoc_free(d);
    return rc;
}

int gw_x12_sets(const char *data, size_t n, struct edi_guides *guides, enum edi_text_in text,
                int (*cb)(void *ctx, struct gw_cdoc *set, const struct edi_tx *tx), void *ctx,
                struct edi_err *err)
{
    struct sets s = {cb, ctx};

    return edi_x12_to_xml_docs(data, n, guides, NULL, text, one_set, &s, err);
}

int gw_x12_set_copies(const char *data, size_t n, enum edi_text_in text,
                      int (*cb)(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx), void *ctx,
                      struct edi_err *err)
{
    return edi_x12_tx_copies(data, n, text, cb, ctx, err);
}

int gw_x12_set_doc(struct gw_cdoc **out, const struct edi_tx_copy *c, struct edi_guides *guides,
                   enum edi_text_in text, struct edi_err *err)
{
    xmlDocPtr doc = NULL;
    int rc = edi_tx_copy_doc(&doc, c, guides, NULL, text, err);

    *out = rc < 0 ? NULL : gw_cdoc_wrap(doc);
    if (rc < 0)
        xmlFreeDoc(doc);
    return rc;
}

void gw_x12_set_copy_free(struct edi_tx_copy *c)
{
    edi_tx_copy_free(c);
}

int gw_cdoc_map(struct gw_cdoc **out, struct map_engine *e, const struct map_info *m,
                const struct gw_cdoc *in, const struct map_run_opts *o, struct edi_findings *f,
                struct edi_err *err)
{
    xmlDocPtr res = NULL;
    int rc = map_run(&res, e, m, gw_cdoc_xml(in), o, f, err);

    *out = gw_cdoc_wrap(res);
    return rc;
}

int gw_cdoc_render(struct edi_buf *out, struct gw_cdoc *d, int as_xml, struct edi_err *err)
{
    return map_render(out, gw_cdoc_xml(d), as_xml, err);
}

int gw_cdoc_text_x12(struct gw_cdoc *d, enum edi_text_out mode, struct edi_findings *f)
{
    return edi_xml_doc_text_x12(gw_cdoc_xml(d), mode, f);
}

int gw_cdoc_x12(struct edi_buf *out, struct gw_cdoc *d, const struct edi_delims *dl, const char *control,
                struct edi_err *err)
{
    return edi_xml_doc_to_x12(out, gw_cdoc_xml(d), dl, control, err);
}

int gw_cdoc_check_sent(struct map_engine *e, const struct map_info *m, const struct gw_cdoc *d,
                       struct edi_str ichg, struct edi_findings *f, struct edi_err *err)
{
    return map_check_sent(e, m, gw_cdoc_xml(d), ichg, f, err);
}

int gw_cdoc_json(struct gw_cdoc **out, const char *json, size_t n, struct edi_err *err)
{
    xmlDocPtr doc = NULL;
    int rc = map_json_to_xml(&doc, json, n, err);

    *out = rc == 0 ? gw_cdoc_wrap(doc) : NULL;
    return rc;
}

int gw_cdoc_check_output(struct map_engine *e, const struct map_info *m, const struct gw_cdoc *d,
                         struct edi_findings *f, struct edi_err *err)
{
    return map_check_output(e, m, gw_cdoc_xml(d), f, err);
}

int gw_cdoc_root_attr(char *out, size_t cap, const struct gw_cdoc *d, const char *name)
{
    xmlDocPtr doc = gw_cdoc_xml(d);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlChar *v = root ? xmlGetProp(root, BAD_CAST name) : NULL;
    int found = v != NULL;

    if (cap)
        snprintf(out, cap, "%s", v ? (const char *)v : "");
    xmlFree(v);
    return found;
}
