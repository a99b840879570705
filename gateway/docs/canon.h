/*
 * canon.h — small helpers for the gateway's canonical documents
 * (urn:wharf:canonical:1): XPath with the c: prefix, building elements,
 * and exact decimals on strings (map_dec_*) with "" read as 0.
 */
#ifndef WHARF_CANON_H
#define WHARF_CANON_H

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stddef.h>

#define GW_CANON_NS "urn:wharf:canonical:1"

/* An XPath context on doc with prefix c bound to the canonical namespace. */
xmlXPathContextPtr gw_xp_new(xmlDocPtr doc);
/* The first node expr selects from at, NULL when none. */
xmlNodePtr gw_xp_first(xmlXPathContextPtr x, xmlNodePtr at, const char *expr);
/* Its text into buf ("" when none); returns buf. */
const char *gw_xp_text(char *buf, size_t cap, xmlXPathContextPtr x, xmlNodePtr at, const char *expr);

/* A child element in the parent's namespace, with text (NULL: none). */
xmlNodePtr gw_el(xmlNodePtr parent, const char *name, const char *text);
/* The same, only when text is not empty. */
void gw_el_opt(xmlNodePtr parent, const char *name, const char *text);
/* A child with text and one attribute. */
xmlNodePtr gw_el_attr(xmlNodePtr parent, const char *name, const char *text, const char *attr,
                      const char *value);
/* A new document whose root is <name xmlns="urn:wharf:canonical:1">. */
xmlDocPtr gw_canon_new(const char *name);

/* The tree of a canonical document of cdoc.h (borrowed), for the maps. */
struct gw_cdoc;
xmlDocPtr gw_cdoc_xml(const struct gw_cdoc *d);

/* -1, 0, 1; "" or NULL is 0, and so is a value that is not a decimal. */
int gw_decs_cmp(const char *a, const char *b);
/* acc = acc op b (op '+', '-', '*'); acc unchanged when either is not a
 * decimal or the result does not fit. */
void gw_decs_acc(char *acc, size_t cap, char op, const char *b);
/* acc rounded half-up to places decimals. */
void gw_decs_round(char *acc, size_t cap, int places);

/* A finding about the document being checked (level set): code, the row
 * or line of the input it is about (seg_index, 0: none) and a message. */
struct edi_findings;
void gw_finding(struct edi_findings *f, const char *code, unsigned row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One CSV field (RFC 4180: quoted when it holds a comma, quote or line
 * break), then ',' or, for the last of a row, '\n'. */
struct edi_buf;
void gw_csv_field(struct edi_buf *b, const char *v, int last);

#endif
