/*
 * xmlsame.h — whether two libxml2 documents hold the same thing: node by
 * node (type, name, namespace, text, attributes in order, how text is split
 * into nodes) and serialised byte for byte. test_exml and fuzz_exml compare
 * the EDI-XML trees with the ones the text writer and parser made.
 */
#ifndef WHARF_XMLSAME_H
#define WHARF_XMLSAME_H

#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

static int xs_str_same(const xmlChar *a, const xmlChar *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp((const char *)a, (const char *)b) == 0);
}

/* 0 when the lists of siblings from a and b are the same; else -1 and why.
 * An attribute (xmlAttr) shares xmlNode's first fields only, up to ns. */
static int xs_nodes_same(xmlNodePtr a, xmlNodePtr b, char *why, size_t cap)
{
    for (; a && b; a = a->next, b = b->next) {
        const char *what = NULL;

        if (a->type != b->type)
            what = "node type";
        else if (!xs_str_same(a->name, b->name))
            what = "name";
        else if ((a->ns == NULL) != (b->ns == NULL) ||
                 (a->ns && (!xs_str_same(a->ns->href, b->ns->href) || !xs_str_same(a->ns->prefix, b->ns->prefix))))
            what = "namespace";
        else if (a->type != XML_ELEMENT_NODE && a->type != XML_ATTRIBUTE_NODE && !xs_str_same(a->content, b->content))
            what = "text";
        else if (a->type == XML_ELEMENT_NODE && (a->nsDef == NULL) != (b->nsDef == NULL))
            what = "namespace declarations";
        if (what) {
            snprintf(why, cap, "%s differs at <%s>/<%s>: '%.60s' against '%.60s'", what,
                     a->parent && a->parent->name ? (const char *)a->parent->name : "",
                     a->name ? (const char *)a->name : "", a->content ? (const char *)a->content : "",
                     b->content ? (const char *)b->content : "");
            return -1;
        }
        if (a->type == XML_ELEMENT_NODE &&
            xs_nodes_same((xmlNodePtr)a->properties, (xmlNodePtr)b->properties, why, cap) < 0)
            return -1;
        if (xs_nodes_same(a->children, b->children, why, cap) < 0)
            return -1;
    }
    if (a || b) {
        xmlNodePtr k = a ? a : b;

        snprintf(why, cap, "one side has <%s> more (under <%s>)", k->name ? (const char *)k->name : "#text",
                 k->parent && k->parent->name ? (const char *)k->parent->name : "");
        return -1;
    }
    return 0;
}

/* 0 when a and b are the same documents, their declarations included. */
static int xml_docs_same(xmlDocPtr a, xmlDocPtr b, char *why, size_t cap)
{
    xmlChar *ta = NULL, *tb = NULL;
    int na = 0, nb = 0, rc = 0;

    if (!xs_str_same(a->version, b->version) || !xs_str_same(a->encoding, b->encoding) ||
        a->standalone != b->standalone || !xs_str_same(a->URL, b->URL)) {
        snprintf(why, cap, "the documents' declarations differ");
        return -1;
    }
    if (xs_nodes_same(a->children, b->children, why, cap) < 0)
        return -1;
    xmlDocDumpMemory(a, &ta, &na);
    xmlDocDumpMemory(b, &tb, &nb);
    if (na != nb || memcmp(ta, tb, (size_t)na) != 0) {
        int i = 0;

        while (i < na && i < nb && ta[i] == tb[i])
            i++;
        snprintf(why, cap, "serialised, they differ at byte %d: '%.40s' against '%.40s'", i,
                 (const char *)ta + i, (const char *)tb + i);
        rc = -1;
    }
    xmlFree(ta);
    xmlFree(tb);
    return rc;
}

/* The per-set documents of one edi_x12_to_xml_docs[_text] call, kept in
 * order (xs_keep is its callback); past XS_DOCS_MAX the call is stopped. */
#define XS_DOCS_MAX 64
struct edi_tx;
struct xs_docs {
    xmlDocPtr d[XS_DOCS_MAX];
    size_t n;
};

static int xs_keep(void *ctx, xmlDocPtr doc, const struct edi_tx *tx)
{
    struct xs_docs *k = ctx;

    (void)tx;
    if (k->n == XS_DOCS_MAX) {
        xmlFreeDoc(doc);
        return -1;
    }
    k->d[k->n++] = doc;
    return 0;
}

static void xs_free(struct xs_docs *k)
{
    while (k->n)
        xmlFreeDoc(k->d[--k->n]);
}

/* The sets' copies of one edi_x12_tx_copies call, kept in order
 * (xs_keep_copy its callback); the caller frees each (edi_tx_copy_free). */
struct edi_tx_copy;
void edi_tx_copy_free(struct edi_tx_copy *c);
struct xs_copies {
    struct edi_tx_copy *c[XS_DOCS_MAX];
    size_t n;
};

static int xs_keep_copy(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx)
{
    struct xs_copies *k = ctx;

    (void)tx;
    if (k->n == XS_DOCS_MAX) {
        edi_tx_copy_free(c);
        return -1;
    }
    k->c[k->n++] = c;
    return 0;
}

#endif
