/*
 * canon.c — helpers for canonical documents (canon.h).
 */
#include "gateway/docs/canon.h"

#include "edi/edi.h"
#include "edi/x12.h"
#include "mappings/map.h"

#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

xmlXPathContextPtr gw_xp_new(xmlDocPtr doc)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);

    if (x)
        xmlXPathRegisterNs(x, BAD_CAST "c", BAD_CAST GW_CANON_NS);
    return x;
}

xmlNodePtr gw_xp_first(xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o;
    xmlNodePtr n = NULL;

    x->node = at;
    o = xmlXPathEvalExpression(BAD_CAST expr, x);
    if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
        n = o->nodesetval->nodeTab[0];
    xmlXPathFreeObject(o);
    return n;
}

const char *gw_xp_text(char *buf, size_t cap, xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlNodePtr n = gw_xp_first(x, at, expr);
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;

    snprintf(buf, cap, "%s", t ? (const char *)t : "");
    xmlFree(t);
    return buf;
}

xmlNodePtr gw_el(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, parent->ns, BAD_CAST name, text ? BAD_CAST text : NULL);
}

void gw_el_opt(xmlNodePtr parent, const char *name, const char *text)
{
    if (text && *text)
        gw_el(parent, name, text);
}

xmlNodePtr gw_el_attr(xmlNodePtr parent, const char *name, const char *text, const char *attr,
                      const char *value)
{
    xmlNodePtr n = gw_el(parent, name, text);

    xmlNewProp(n, BAD_CAST attr, BAD_CAST value);
    return n;
}

xmlDocPtr gw_canon_new(const char *name)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST name);

    xmlSetNs(root, xmlNewNs(root, BAD_CAST GW_CANON_NS, NULL));
    xmlDocSetRootElement(doc, root);
    return doc;
}

int gw_decs_cmp(const char *a, const char *b)
{
    int st = 0, r = map_dec_cmp(a && *a ? a : "0", b && *b ? b : "0", &st);

    return st < 0 ? 0 : r;
}

void gw_decs_acc(char *acc, size_t cap, char op, const char *b)
{
    char r[96];

    if (map_dec_op(r, sizeof(r), acc[0] ? acc : "0", op, b && *b ? b : "0") == 0 && strlen(r) < cap)
        snprintf(acc, cap, "%s", r);
}

void gw_decs_round(char *acc, size_t cap, int places)
{
    char r[96];

    if (map_dec_round(r, sizeof(r), acc[0] ? acc : "0", places, "half-up") == 0 && strlen(r) < cap)
        snprintf(acc, cap, "%s", r);
}

void gw_csv_field(struct edi_buf *b, const char *v, int last)
{
    v = v ? v : "";
    if (strpbrk(v, ",\"\n\r")) {
        edi_buf_putc(b, '"');
        for (; *v; v++) {
            if (*v == '"')
                edi_buf_putc(b, '"');
            edi_buf_putc(b, *v);
        }
        edi_buf_putc(b, '"');
    } else {
        edi_buf_puts(b, v);
    }
    edi_buf_putc(b, last ? '\n' : ',');
}

void gw_finding(struct edi_findings *f, const char *code, unsigned row, const char *fmt, ...)
{
    struct edi_finding *fd = edi_findings_add(f, code, EDI_LV_SET);
    char msg[sizeof(fd->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fd->seg_index = row;
    edi_finding_msg(fd, "%s", msg);
}
