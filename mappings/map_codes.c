/*
 * map_codes.c — code lists and cross-reference tables for maps.
 *
 * A list is an XML file, mappings/codelists/NAME.xml:
 *   <codelist name="uom">
 *     <entry from="EA" to="each"/>
 *     <entry from="CA" to="case" direction="in"/>
 *   </codelist>
 * Inbound maps (format → canonical) look `from` up and get `to`; outbound
 * maps (canonical → format) look `to` up and get `from`. direction="in" or
 * "out" limits an entry to one way (so several codes may map in to one
 * value while one of them is what goes out). A partner's file,
 * mappings/partners/PARTNER/codelists/NAME.xml, overrides the base list
 * entry by entry: its entries are looked at first.
 *
 * The XPath function wharf:lookup() that uses this is in map_ext.c.
 */
#include "mappings/map.h"
#include "edi/exml.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct entry {
    char *from, *to;
    char dir;      /* 'i', 'o', 'b' */
};

struct list {
    char *key;     /* "partner/name" or "/name" */
    int exists;
    struct entry *e;
    size_t n;
};

struct map_codes {
    char *dir;
    struct list *l;
    size_t n, cap;
};

int map_codes_new(struct map_codes **out, const char *mappings_dir)
{
    struct map_codes *c = edi_xcalloc(1, sizeof(*c));

    c->dir = edi_xstrdup(mappings_dir);
    *out = c;
    return 0;
}

void map_codes_free(struct map_codes *c)
{
    size_t i, k;

    if (c == NULL)
        return;
    for (i = 0; i < c->n; i++) {
        for (k = 0; k < c->l[i].n; k++) {
            free(c->l[i].e[k].from);
            free(c->l[i].e[k].to);
        }
        free(c->l[i].e);
        free(c->l[i].key);
    }
    free(c->l);
    free(c->dir);
    free(c);
}

static int safe_name(const char *s)
{
    return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                          strlen(s) && strstr(s, "..") == NULL;
}

static int load(struct list *l, const char *path, struct edi_err *err)
{
    struct stat st;
    xmlDocPtr doc;
    xmlNodePtr root, n;
    size_t k = 0;

    if (stat(path, &st) != 0) {
        l->exists = 0;
        return 0;
    }
    /* the read policy of every XML input: no DOCTYPE, no entities */
    if (edi_xml_read_file(&doc, path, err) < 0) {
        if (err)
            err->rc = EDI_ECONFIG;
        return EDI_ECONFIG;
    }
    root = xmlDocGetRootElement(doc);
    if (root == NULL || strcmp((const char *)root->name, "codelist") != 0) {
        xmlFreeDoc(doc);
        return edi_fail(err, EDI_ECONFIG, "%s: the root element must be <codelist>", path);
    }
    for (n = root->children; n; n = n->next)
        k += n->type == XML_ELEMENT_NODE;
    l->e = edi_xcalloc(k + 1, sizeof(*l->e));
    for (n = root->children; n; n = n->next) {
        xmlChar *from, *to, *dir;
        struct entry *en;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        from = xmlGetProp(n, BAD_CAST "from");
        to = xmlGetProp(n, BAD_CAST "to");
        dir = xmlGetProp(n, BAD_CAST "direction");
        if (strcmp((const char *)n->name, "entry") != 0 || from == NULL || to == NULL ||
            (dir && strcmp((const char *)dir, "in") != 0 && strcmp((const char *)dir, "out") != 0 &&
             strcmp((const char *)dir, "both") != 0)) {
            xmlFree(from);
            xmlFree(to);
            xmlFree(dir);
            edi_fail(err, EDI_ECONFIG,
                     "%s:%ld: expected <entry from=\"...\" to=\"...\" [direction=\"in|out|both\"]/>",
                     path, xmlGetLineNo(n));
            xmlFreeDoc(doc);
            return EDI_ECONFIG;
        }
        en = &l->e[l->n++];
        en->from = edi_xstrdup((const char *)from);
        en->to = edi_xstrdup((const char *)to);
        en->dir = dir ? (char)dir[0] : 'b';
        xmlFree(from);
        xmlFree(to);
        xmlFree(dir);
    }
    xmlFreeDoc(doc);
    l->exists = 1;
    return 0;
}

static struct list *get(struct map_codes *c, const char *partner, const char *name,
                        struct edi_err *err, int *rc)
{
    char key[512], path[4096];
    size_t i;
    struct list *l;

    /* a cut key or path would be another partner's or list's */
    if ((*rc = edi_fmt(key, sizeof(key), err, "%s/%s", partner ? partner : "", name)) < 0)
        return NULL;
    for (i = 0; i < c->n; i++)
        if (strcmp(c->l[i].key, key) == 0)
            return &c->l[i];
    if (partner)
        *rc = edi_fmt(path, sizeof(path), err, "%s/partners/%s/codelists/%s.xml", c->dir, partner, name);
    else
        *rc = edi_fmt(path, sizeof(path), err, "%s/codelists/%s.xml", c->dir, name);
    if (*rc < 0)
        return NULL;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->l = edi_xrealloc(c->l, c->cap * sizeof(*c->l));
    }
    l = &c->l[c->n];
    memset(l, 0, sizeof(*l));
    if ((*rc = load(l, path, err)) < 0) {
        size_t k;

        for (k = 0; k < l->n; k++) {
            free(l->e[k].from);
            free(l->e[k].to);
        }
        free(l->e);
        return NULL;
    }
    l->key = edi_xstrdup(key);
    c->n++;
    return l;
}

static const char *find(const struct list *l, const char *direction, const char *value)
{
    int out = direction && strcmp(direction, "out") == 0;
    size_t i;

    for (i = 0; l && i < l->n; i++) {
        const struct entry *en = &l->e[i];

        if (en->dir == (out ? 'i' : 'o'))
            continue;
        if (strcmp(out ? en->to : en->from, value) == 0)
            return out ? en->from : en->to;
    }
    return NULL;
}

const char *map_codes_lookup(struct map_codes *c, const char *list, const char *partner,
                             const char *direction, const char *value, int *rc,
                             struct edi_err *err)
{
    struct list *base, *own = NULL;
    const char *v;

    *rc = 0;
    if (!safe_name(list) || (partner && !safe_name(partner))) {
        *rc = EDI_ENOTFOUND;
        edi_fail(err, EDI_ENOTFOUND, "'%s' is not a code-list name", list ? list : "");
        return NULL;
    }
    if (partner && (own = get(c, partner, list, err, rc)) == NULL)
        return NULL;
    if ((base = get(c, NULL, list, err, rc)) == NULL)
        return NULL;
    if (!base->exists && !(own && own->exists)) {
        *rc = EDI_ENOTFOUND;
        edi_fail(err, EDI_ENOTFOUND, "no code list '%s' (looked for %s/codelists/%s.xml)", list,
                 c->dir, list);
        return NULL;
    }
    if (own && (v = find(own, direction, value)) != NULL)
        return v;
    return find(base, direction, value);
}
