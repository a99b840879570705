/*
 * guide_xml.c — guides from XML (schemas/guide.xsd): each file checked
 * against the schema and compiled into struct edi_guide, for the registry
 * of guide_load.c, which keeps what this makes and caches it. This file and
 * exml.c are the only users of libxml2 in edi/.
 *
 * A base guide is its version's segment dictionary plus its own segments
 * and structure; a partner guide compiles its base afresh and narrows it.
 * Validation against the compiled form is guide.c.
 */
#include "edi/guide_int.h"
#include "edi/exml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- XML plumbing ------------------------------------------------------------- */

struct xerr {
    struct edi_err *err;
    int seen;
};

static void on_xml_error(void *ctx, const xmlError *e)
{
    struct xerr *x = ctx;
    char msg[200];
    size_t n;

    if (x->seen++ || e == NULL)
        return;
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    edi_fail(x->err, EDI_ECONFIG, "%s:%d: %s", e->file ? e->file : "?", e->line, msg);
}

static int is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(xmlNodePtr n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static char *pattr(struct edi_pool *pl, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *r;

    if (v == NULL)
        return NULL;
    r = edi_pool_strdup(pl, (const char *)v);
    xmlFree(v);
    return r;
}

static long lattr(xmlNodePtr n, const char *name, long dflt)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    long r = dflt;

    if (v) {
        if (strcmp((const char *)v, "unbounded") == 0)
            r = 0;
        else
            r = strtol((const char *)v, NULL, 10);
        xmlFree(v);
    }
    return r;
}

static char cattr(xmlNodePtr n, const char *name, char dflt)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char r = dflt;

    if (v) {
        r = (char)v[0];
        xmlFree(v);
    }
    return r;
}

/* Reads guide.xsd, once a registry, when a guide is first compiled from
 * XML (a guide from the cache needs none): parsed from the bytes whose
 * digest every cache entry of the registry names. */
static int xsd_load(struct edi_guides *r, struct edi_err *err)
{
    char path[4096], *data = NULL;
    struct xerr x = {err, 0};
    size_t n;

    if (edi_fmt(path, sizeof(path), err, "%s/guide.xsd", r->dir) < 0)
        return EDI_ECONFIG;
    if (edi_read_file(&data, &n, path, NULL) < 0 || edi_xml_read(&r->xsd_doc, data, n, path, NULL) < 0) {
        free(data);
        return edi_fail(err, EDI_ECONFIG, "%s: cannot read the guide schema", path);
    }
    snprintf(r->xsd_in.rel, sizeof(r->xsd_in.rel), "guide.xsd");
    r->xsd_in.size = n;
    edi_digest_of(&r->xsd_in.d, data, n);
    free(data);
    xmlSetStructuredErrorFunc(&x, (xmlStructuredErrorFunc)on_xml_error);
    {
        xmlSchemaParserCtxtPtr pc = xmlSchemaNewDocParserCtxt(r->xsd_doc);

        r->xsd = pc ? xmlSchemaParse(pc) : NULL;
        xmlSchemaFreeParserCtxt(pc);
    }
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (r->xsd == NULL) {
        if (!x.seen)
            edi_fail(err, EDI_ECONFIG, "%s: cannot read the guide schema", path);
        xmlFreeDoc(r->xsd_doc);
        r->xsd_doc = NULL;
        return EDI_ECONFIG;
    }
    return 0;
}

/* Reads schemas/REL.xml; against guide.xsd when `check` is set (code list
 * files are checked by their reader: the schema would triple their cost). */
static int load_doc(xmlDocPtr *out, struct edi_guides *r, const char *rel, int check,
                    struct edi_err *err)
{
    char path[4096], *data;
    struct xerr x = {err, 0};
    xmlDocPtr doc;
    struct stat st;
    size_t n;

    *out = NULL;
    /* a cut path could be another guide's file */
    if (edi_fmt(path, sizeof(path), err, "%s/%s.xml", r->dir, rel) < 0)
        return edi_fail(err, EDI_ENOTFOUND, "guide name %.80s...: too long", rel);
    if (stat(path, &st) != 0)
        return edi_fail(err, EDI_ENOTFOUND, "no guide %s (looked for %s)", rel, path);
    if (check && r->xsd == NULL && xsd_load(r, err) < 0)
        return EDI_ECONFIG;
    if (edi_read_file(&data, &n, path, err) < 0) {
        if (err)
            err->rc = EDI_ECONFIG;
        return EDI_ECONFIG;
    }
    xmlSetStructuredErrorFunc(&x, (xmlStructuredErrorFunc)on_xml_error);
    /* the one read policy (exml.c): no DOCTYPE, no entities, no network */
    if (edi_xml_read(&doc, data, n, path, err) < 0) {
        xmlSetStructuredErrorFunc(NULL, NULL);
        free(data);
        if (err)
            err->rc = EDI_ECONFIG;
        return EDI_ECONFIG;
    }
    /* the bytes this compile reads are the ones its cache entry names */
    if (check && r->rec) {
        struct record *rc = r->rec;

        if (rc->nin == sizeof(rc->in) / sizeof(rc->in[0]) ||
            edi_fmt(rc->in[rc->nin].rel, sizeof(rc->in[0].rel), NULL, "%s.xml", rel) < 0)
            rc->over = 1;
        else {
            rc->in[rc->nin].size = n;
            edi_digest_of(&rc->in[rc->nin].d, data, n);
            rc->nin++;
        }
    }
    free(data);
    if (doc && r->xsd && check) {
        xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(r->xsd);
        int invalid;

        xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)on_xml_error, &x);
        invalid = xmlSchemaValidateDoc(v, doc) != 0;
        if (invalid && !x.seen)
            edi_fail(err, EDI_ECONFIG, "%s: does not follow guide.xsd", path);
        if (x.seen || invalid) {
            xmlSchemaFreeValidCtxt(v);
            xmlFreeDoc(doc);
            xmlSetStructuredErrorFunc(NULL, NULL);
            return EDI_ECONFIG;
        }
        xmlSchemaFreeValidCtxt(v);
    }
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (doc == NULL) {
        if (!x.seen)
            edi_fail(err, EDI_ECONFIG, "%s: not well-formed XML", path);
        return EDI_ECONFIG;
    }
    *out = doc;
    return EDI_OK;
}

/* ---- compiling ------------------------------------------------------------------- */

/* The dictionary's named code lists, and where to find the element code
 * lists, while a guide compiles. */
struct lists {
    const char **id;
    const struct edi_codes **codes;
    struct edi_codefile **file;     /* element="355": that element's file */
    size_t n;
    struct edi_guides *r;
    const char *version;
};

static const struct edi_codes *codes_of(struct edi_pool *pl, xmlNodePtr n);

static int lists_of(struct lists *ls, struct edi_pool *pl, xmlNodePtr root, struct edi_err *err)
{
    xmlNodePtr c;
    size_t k = 0;

    for (c = root->children; c; c = c->next)
        k += c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "codelist") == 0;
    ls->n = 0;
    ls->id = edi_pool_alloc(pl, (k ? k : 1) * sizeof(*ls->id));
    ls->codes = edi_pool_alloc(pl, (k ? k : 1) * sizeof(*ls->codes));
    ls->file = edi_pool_alloc(pl, (k ? k : 1) * sizeof(*ls->file));
    for (c = root->children; c; c = c->next) {
        xmlChar *id, *element;
        int rc = 0;

        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "codelist") != 0)
            continue;
        id = xmlGetProp(c, (const xmlChar *)"id");
        element = xmlGetProp(c, (const xmlChar *)"element");
        ls->id[ls->n] = edi_pool_strdup(pl, id ? (const char *)id : "");
        /* element="355": the complete list is the element's file, read
         * when first needed (its absence is an error now) */
        if (element)
            rc = edi_gl_code_ref(&ls->file[ls->n], ls->r, ls->version, (const char *)element, 1, err);
        else
            ls->codes[ls->n] = codes_of(pl, c);
        ls->n++;
        xmlFree(id);
        xmlFree(element);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The named list's codes or file into e; 0 when there is no such list. */
static int list_named(struct edi_gel *e, const struct lists *ls, const char *id)
{
    size_t i;

    for (i = 0; ls && i < ls->n; i++)
        if (strcmp(ls->id[i], id) == 0) {
            e->codes = ls->codes[i];
            e->file = ls->file[i];
            return e->codes || e->file;
        }
    return 0;
}

static const struct edi_codes *codes_of(struct edi_pool *pl, xmlNodePtr n)
{
    xmlNodePtr c;
    size_t k = 0;
    struct edi_codes *cs;

    for (c = n->children; c; c = c->next)
        k += is_el(c, "code");
    if (k == 0)
        return NULL;
    cs = edi_pool_alloc(pl, sizeof(*cs));
    cs->v = edi_pool_alloc(pl, k * sizeof(char *));
    for (c = n->children; c; c = c->next) {
        if (is_el(c, "code")) {
            xmlChar *t = xmlNodeGetContent(c);

            cs->v[cs->n++] = edi_pool_strdup(pl, (const char *)t);
            xmlFree(t);
        }
    }
    edi_codes_sort(cs, pl);
    return cs;
}

static const struct edi_codes *list_of(struct edi_pool *pl, const char *s)
{
    struct edi_codes *cs = edi_pool_alloc(pl, sizeof(*cs));
    size_t k = 0, cap = 0;
    const char *p = s;

    while (p && *p) {
        size_t n;

        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (n) {
            if (k == cap) {
                const char **v = edi_pool_alloc(pl, (cap ? cap * 2 : 8) * sizeof(char *));

                if (k)
                    memcpy(v, cs->v, k * sizeof(char *));
                cs->v = v;
                cap = cap ? cap * 2 : 8;
            }
            cs->v[k++] = edi_pool_strndup(pl, p, n);
        }
        p += n;
    }
    cs->n = k;
    edi_codes_sort(cs, pl);
    return cs;
}

/* The same through libxml2 (load_doc: its messages for what is not
 * well-formed). */
static int xml_codes(struct codedoc *d, struct edi_guides *r, const char *rel, struct edi_err *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, c;
    int rc;

    if ((rc = load_doc(&doc, r, rel, 0, err)) < 0)
        return rc;
    root = xmlDocGetRootElement(doc);
    d->root_ok = is_el(root, "codes");
    {
        char *a[3] = {attr(root, "version"), attr(root, "element"), attr(root, "base")};

        d->v = a[0] ? edi_xstrdup(a[0]) : NULL;
        d->el = a[1] ? edi_xstrdup(a[1]) : NULL;
        d->b = a[2] ? edi_xstrdup(a[2]) : NULL;
        xmlFree(a[0]);
        xmlFree(a[1]);
        xmlFree(a[2]);
    }
    for (c = root->children; c; c = c->next) {
        if (is_el(c, "code") || is_el(c, "drop")) {
            xmlChar *t = xmlNodeGetContent(c);

            if (is_el(c, "code"))
                edi_gl_codedoc_add(&d->code, &d->ncode, &d->capcode, edi_xstrdup((const char *)t));
            else
                edi_gl_codedoc_add(&d->drop, &d->ndrop, &d->capdrop, edi_xstrdup((const char *)t));
            xmlFree(t);
        } else if (c->type == XML_ELEMENT_NODE && d->other == NULL) {
            d->other = edi_xstrdup((const char *)c->name);
            d->other_line = (int)xmlGetLineNo(c);
        }
    }
    xmlFreeDoc(doc);
    return 0;
}

static void type_of(struct edi_gel *e, const char *t)
{
    if (t == NULL) {
        e->type = 'A';
        return;
    }
    if (strcmp(t, "AN") == 0)
        e->type = 'A';
    else if (strcmp(t, "ID") == 0)
        e->type = 'I';
    else if (strcmp(t, "DT") == 0)
        e->type = 'D';
    else if (strcmp(t, "TM") == 0)
        e->type = 'T';
    else if (strcmp(t, "R") == 0)
        e->type = 'R';
    else if (strcmp(t, "B") == 0)
        e->type = 'B';
    else if (t[0] == 'N') {
        e->type = 'N';
        e->ndec = (uint8_t)(t[1] ? t[1] - '0' : 0);
    } else
        e->type = 'A';
}

static size_t count_children(xmlNodePtr n, const char *a, const char *b)
{
    size_t k = 0;

    for (n = n->children; n; n = n->next)
        k += is_el(n, a) || (b && is_el(n, b));
    return k;
}

static void rules_of(struct edi_pool *pl, xmlNodePtr n, struct edi_grule **out, uint16_t *nout)
{
    size_t k = count_children(n, "rule", NULL);
    xmlNodePtr c;

    *nout = 0;
    if (k == 0)
        return;
    *out = edi_pool_alloc(pl, k * sizeof(**out));
    for (c = n->children; c; c = c->next) {
        struct edi_grule *r;
        char *kind, *els, *p;
        size_t i;

        if (!is_el(c, "rule"))
            continue;
        r = &(*out)[(*nout)++];
        kind = attr(c, "kind");
        els = attr(c, "elements");
        if (kind == NULL || strcmp(kind, "paired") == 0)
            r->kind = 'P';
        else if (strcmp(kind, "required") == 0)
            r->kind = 'R';
        else if (strcmp(kind, "exclusion") == 0)
            r->kind = 'E';
        else if (strcmp(kind, "conditional") == 0)
            r->kind = 'C';
        else
            r->kind = 'L';
        for (p = els; p && *p && r->n < 12;) {
            char *end;
            long v = strtol(p, &end, 10);

            if (end == p)
                break;
            r->pos[r->n++] = (uint16_t)v;
            p = end;
        }
        /* the validator's quick test of a rule that holds */
        r->mask = 0;
        for (i = 0; i < r->n && r->pos[i] >= 1 && r->pos[i] < 64 && !(r->mask & (1ULL << r->pos[i])); i++)
            r->mask |= 1ULL << r->pos[i];
        if (i < r->n)
            r->mask = 0;
        xmlFree(kind);
        xmlFree(els);
    }
}

static int el_of(struct edi_pool *pl, struct edi_gel *e, xmlNodePtr n, const struct lists *ls,
                 struct edi_err *err)
{
    char *t, *ref, *list;

    e->pos = (uint16_t)lattr(n, "pos", 0);
    e->name = pattr(pl, n, "name");
    ref = attr(n, "ref");
    /* a cut reference would read another element's code list */
    if (ref && edi_fmt(e->ref, sizeof(e->ref), NULL, "%s", ref) < 0) {
        edi_fail(err, EDI_ECONFIG, "%s:%d: element ref='%.40s' is longer than %zu characters",
                 n->doc && n->doc->URL ? (const char *)n->doc->URL : "guide", (int)xmlGetLineNo(n),
                 ref, sizeof(e->ref) - 1);
        xmlFree(ref);
        return EDI_ECONFIG;
    }
    xmlFree(ref);
    e->usage = cattr(n, "usage", 'O');
    e->repeat = (uint16_t)lattr(n, "repeat", 1);
    if (is_el(n, "composite")) {
        xmlNodePtr c;
        size_t k = count_children(n, "component", NULL), i = 0;

        e->type = 'C';
        e->comp = edi_pool_alloc(pl, (k ? k : 1) * sizeof(*e->comp));
        for (c = n->children; c; c = c->next)
            if (is_el(c, "component") && el_of(pl, &e->comp[i++], c, ls, err) < 0)
                return EDI_ECONFIG;
        e->ncomp = (uint16_t)i;
        rules_of(pl, n, &e->rules, &e->nrules);
        return 0;
    }
    t = attr(n, "type");
    type_of(e, t);
    xmlFree(t);
    e->min = (uint32_t)lattr(n, "min", 1);
    e->max = (uint32_t)lattr(n, "max", 1);
    e->codes = codes_of(pl, n);
    if ((list = attr(n, "list")) != NULL) {
        e->codes = NULL;
        if (!list_named(e, ls, list)) {
            edi_fail(err, EDI_ECONFIG, "%s:%d: no <codelist id=\"%s\"> in the segment dictionary",
                     n->doc && n->doc->URL ? (const char *)n->doc->URL : "?", (int)xmlGetLineNo(n),
                     list);
            xmlFree(list);
            return EDI_ECONFIG;
        }
        xmlFree(list);
    }
    /* no list yet: bind_codes() gives it its data element's, if reached */
    return 0;
}

static int seg_of(struct edi_pool *pl, struct edi_gseg *s, xmlNodePtr n, const struct lists *ls,
                  struct edi_err *err)
{
    char *id = attr(n, "id");
    xmlNodePtr c;
    size_t maxpos = 0;

    snprintf(s->id, sizeof(s->id), "%s", id ? id : "");
    s->key = edi_seg_key(edi_str_c(s->id));
    xmlFree(id);
    s->name = pattr(pl, n, "name");
    for (c = n->children; c; c = c->next)
        if (is_el(c, "element") || is_el(c, "composite")) {
            size_t pos = (size_t)lattr(c, "pos", 0);

            if (pos > maxpos)
                maxpos = pos;
        }
    s->nel = (uint16_t)maxpos;
    s->el = edi_pool_alloc(pl, (maxpos ? maxpos : 1) * sizeof(*s->el));
    for (c = n->children; c; c = c->next) {
        if (is_el(c, "element") || is_el(c, "composite")) {
            size_t pos = (size_t)lattr(c, "pos", 0);

            if (pos >= 1 && el_of(pl, &s->el[pos - 1], c, ls, err) < 0)
                return EDI_ECONFIG;
        }
    }
    /* positions the file skipped: optional, unchecked */
    for (maxpos = 0; maxpos < s->nel; maxpos++) {
        if (s->el[maxpos].pos == 0) {
            s->el[maxpos].pos = (uint16_t)(maxpos + 1);
            s->el[maxpos].usage = 'O';
            s->el[maxpos].type = 'A';
            s->el[maxpos].max = 1u << 20;
        }
    }
    rules_of(pl, n, &s->rules, &s->nrules);
    return 0;
}

static int seg_cmp(const void *a, const void *b)
{
    return strcmp(((const struct edi_gseg *)a)->id, ((const struct edi_gseg *)b)->id);
}

static int add_segments(struct edi_pool *pl, struct edi_gseg **segs, size_t *n, size_t *cap,
                        xmlNodePtr parent, const struct lists *ls, struct edi_err *err)
{
    xmlNodePtr c;

    for (c = parent->children; c; c = c->next) {
        if (!is_el(c, "segment"))
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 128;
            *segs = edi_xrealloc(*segs, *cap * sizeof(**segs));
        }
        memset(&(*segs)[*n], 0, sizeof(**segs));
        if (seg_of(pl, &(*segs)[(*n)++], c, ls, err) < 0)
            return EDI_ECONFIG;
    }
    return 0;
}

static int node_of(struct edi_guide *g, struct edi_gnode *nd, xmlNodePtr x, struct edi_gnode *parent,
                   struct edi_err *err)
{
    char *ref;

    nd->parent = parent;
    nd->usage = cattr(x, "usage", 'O');
    nd->max = (uint32_t)lattr(x, "max", 0);
    if (is_el(x, "seg")) {
        ref = attr(x, "ref");
        nd->seg = edi_guide_seg(g, edi_str_c(ref));
        snprintf(nd->id, sizeof(nd->id), "%s", ref ? ref : "");
        if (nd->seg == NULL) {
            edi_fail(err, EDI_ECONFIG, "%s:%d: segment %s is not in the %s segment dictionary",
                     x->doc && x->doc->URL ? (const char *)x->doc->URL : g->id, (int)xmlGetLineNo(x),
                     ref ? ref : "?", g->version);
            xmlFree(ref);
            return EDI_ECONFIG;
        }
        xmlFree(ref);
        return 0;
    }
    /* a loop */
    {
        xmlNodePtr c;
        size_t k = count_children(x, "seg", "loop"), i = 0;
        char *id = attr(x, "id");
        int rc;

        nd->loop = 1;
        nd->kid = edi_pool_alloc(&g->pool, (k ? k : 1) * sizeof(*nd->kid));
        for (c = x->children; c; c = c->next) {
            if (!is_el(c, "seg") && !is_el(c, "loop"))
                continue;
            if ((rc = node_of(g, &nd->kid[i], c, nd, err)) < 0) {
                xmlFree(id);
                return rc;
            }
            i++;
        }
        nd->nkid = (uint32_t)i;
        nd->seg = i ? nd->kid[0].seg : NULL;
        if (nd->kid[0].loop) {
            xmlFree(id);
            return edi_fail(err, EDI_ECONFIG, "%s:%d: a loop must start with a segment",
                            g->id, (int)xmlGetLineNo(x));
        }
        if (edi_fmt(nd->id, sizeof(nd->id), NULL, "%s", id ? id : (nd->seg ? nd->seg->id : "")) < 0) {
            edi_fail(err, EDI_ECONFIG, "%s:%d: loop id '%.40s' is longer than %zu characters", g->id,
                     (int)xmlGetLineNo(x), id ? id : "?", sizeof(nd->id) - 1);
            xmlFree(id);
            return EDI_ECONFIG;
        }
        xmlFree(id);
    }
    return 0;
}

static void levels_of(struct edi_guide *g, xmlNodePtr h)
{
    xmlNodePtr c;
    size_t k = count_children(h, "level", NULL), i = 0;

    g->levels = edi_pool_alloc(&g->pool, (k ? k : 1) * sizeof(*g->levels));
    for (c = h->children; c; c = c->next) {
        char *code, *parents, *req;

        if (!is_el(c, "level"))
            continue;
        code = attr(c, "code");
        parents = attr(c, "parents");
        req = attr(c, "require");
        snprintf(g->levels[i].code, sizeof(g->levels[i].code), "%s", code ? code : "");
        g->levels[i].name = pattr(&g->pool, c, "name");
        g->levels[i].parents = list_of(&g->pool, parents);
        g->levels[i].require = req ? list_of(&g->pool, req) : NULL;
        xmlFree(code);
        xmlFree(parents);
        xmlFree(req);
        i++;
    }
    g->nlevels = i;
}

/* A guide's id attributes: one that does not fit would name another
 * version or set, so it is the guide's error. */
static int meta_attr(char *dst, size_t cap, xmlNodePtr root, const char *name, struct edi_err *err)
{
    char *v = attr(root, name);
    int rc = 0;

    if (v && edi_fmt(dst, cap, NULL, "%s", v) < 0)
        rc = edi_fail(err, EDI_ECONFIG, "%s:%d: %s='%.40s' is longer than %zu characters",
                      root->doc && root->doc->URL ? (const char *)root->doc->URL : "guide",
                      (int)xmlGetLineNo(root), name, v, cap - 1);
    xmlFree(v);
    return rc;
}

static int meta_of(struct edi_guide *g, xmlNodePtr root, struct edi_err *err)
{
    int rc;

    g->id = pattr(&g->pool, root, "id");
    g->name = pattr(&g->pool, root, "name");
    if ((rc = meta_attr(g->version, sizeof(g->version), root, "version", err)) < 0 ||
        (rc = meta_attr(g->set, sizeof(g->set), root, "set", err)) < 0 ||
        (rc = meta_attr(g->group, sizeof(g->group), root, "group", err)) < 0)
        return rc;
    return 0;
}

/* Gives every ID element without a list, in the segments the structure
 * reaches, its data element's file, read when a value is first checked
 * against it: only the lists a set uses are read. */
static int bind_codes(struct edi_guides *r, const char *version, struct edi_gnode *n,
                      struct edi_err *err)
{
    uint32_t k;
    uint16_t i, j;
    int rc;

    if (n->loop) {
        for (k = 0; k < n->nkid; k++)
            if ((rc = bind_codes(r, version, &n->kid[k], err)) < 0)
                return rc;
        return 0;
    }
    if (n->seg == NULL)
        return 0;
    for (i = 0; i < n->seg->nel; i++) {
        struct edi_gel *e = &((struct edi_gseg *)n->seg)->el[i];

        for (j = 0; j < (e->type == 'C' ? e->ncomp : 1); j++) {
            struct edi_gel *x = e->type == 'C' ? &e->comp[j] : e;

            if (x->type == 'I' && x->codes == NULL && x->file == NULL && x->ref[0] &&
                (rc = edi_gl_code_ref(&x->file, r, version, x->ref, 0, err)) < 0)
                return rc;
        }
    }
    return 0;
}

static int seg_is_id(const struct edi_gnode *n, const char *id)
{
    return !n->loop && n->seg && strcmp(n->seg->id, id) == 0;
}

/* Compiles a base guide (given by name) into g; doc is its file when the
 * caller has read it (and is freed here), else NULL. */
static int compile_base(struct edi_guide *g, struct edi_guides *r, const char *id, xmlDocPtr doc,
                        struct edi_err *err)
{
    xmlDocPtr dict = NULL;
    xmlNodePtr root, c;
    char rel[512];
    struct edi_gseg *segs = NULL;
    size_t n = 0, cap = 0, i, k;
    struct lists ls;
    int rc;

    if (doc == NULL && (rc = load_doc(&doc, r, id, 1, err)) < 0)
        return rc;
    root = xmlDocGetRootElement(doc);
    if ((rc = meta_of(g, root, err)) < 0)
        goto out;
    if (g->version[0] == '\0') {
        rc = edi_fail(err, EDI_ECONFIG, "%s/%s.xml: a base guide needs version=", r->dir, id);
        goto out;
    }
    if ((rc = edi_fmt(rel, sizeof(rel), err, "x12/%s/segments", g->version)) < 0)
        goto out;
    if ((rc = load_doc(&dict, r, rel, 1, err)) < 0)
        goto out;
    ls.r = r;
    ls.version = g->version;
    if ((rc = lists_of(&ls, &g->pool, xmlDocGetRootElement(dict), err)) < 0)
        goto out;
    if ((rc = add_segments(&g->pool, &segs, &n, &cap, xmlDocGetRootElement(dict), &ls, err)) < 0 ||
        (rc = add_segments(&g->pool, &segs, &n, &cap, root, &ls, err)) < 0)
        goto out;
    /* a guide's own definition wins over the dictionary's: keep the last */
    for (i = 0; i < n; i++)
        for (k = i + 1; k < n; k++)
            if (strcmp(segs[i].id, segs[k].id) == 0) {
                segs[i] = segs[k];
                segs[k].id[0] = '\0';
            }
    for (i = k = 0; i < n; i++)
        if (segs[i].id[0])
            segs[k++] = segs[i];
    n = k;
    qsort(segs, n, sizeof(*segs), seg_cmp);
    g->segs = edi_pool_alloc(&g->pool, (n ? n : 1) * sizeof(*segs));
    memcpy(g->segs, segs, n * sizeof(*segs));
    g->nsegs = n;
    g->v5010 = strcmp(g->version, "005010") >= 0;
    for (c = root->children; c; c = c->next) {
        if (is_el(c, "structure")) {
            if ((rc = node_of(g, &g->root, c, NULL, err)) < 0)
                goto out;
            snprintf(g->root.id, sizeof(g->root.id), "%s", g->set);
        } else if (is_el(c, "hierarchy")) {
            levels_of(g, c);
        }
    }
    if (g->root.nkid < 2 || !seg_is_id(&g->root.kid[0], "ST") ||
        !seg_is_id(&g->root.kid[g->root.nkid - 1], "SE")) {
        rc = edi_fail(err, EDI_ECONFIG, "%s/%s.xml: the structure must start with ST and end with SE",
                      r->dir, id);
        goto out;
    }
    rc = bind_codes(r, g->version, &g->root, err);
out:
    free(segs);
    xmlFreeDoc(dict);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- partner restrictions ---------------------------------------------------------- */

static struct edi_gnode *resolve(struct edi_gnode *root, const char *path)
{
    struct edi_gnode *cur = root;
    const char *p = path;

    while (cur && *p) {
        size_t n = strcspn(p, "/");
        int last = p[n] == '\0';
        struct edi_gnode *next = NULL;
        uint32_t k;

        for (k = 0; k < cur->nkid && !next; k++) {
            struct edi_gnode *kd = &cur->kid[k];

            if (strlen(kd->id) == n && memcmp(kd->id, p, n) == 0 && (last || kd->loop))
                next = kd;
        }
        cur = next;
        p += n + (last ? 0 : 1);
    }
    return cur == root ? NULL : cur;
}

static int where(struct edi_err *err, xmlNodePtr x, const char *fmt, const char *a)
{
    char m[200];

    snprintf(m, sizeof(m), fmt, a);
    return edi_fail(err, EDI_ECONFIG, "%s:%d: %s",
                    x->doc && x->doc->URL ? (const char *)x->doc->URL : "?", (int)xmlGetLineNo(x), m);
}

static uint8_t charset_of(const char *v)
{
    if (v == NULL)
        return 0;
    if (strcmp(v, "digits") == 0)
        return EDI_CS_DIGITS;
    if (strcmp(v, "alnum") == 0)
        return EDI_CS_ALNUM;
    if (strcmp(v, "upper") == 0)
        return EDI_CS_UPPER;
    return 0;
}

static int restrict_element(struct edi_guide *g, xmlNodePtr x, struct edi_err *err)
{
    char *sid = attr(x, "segment"), *when = attr(x, "when"), *cs = attr(x, "charset");
    struct edi_gseg *s = (struct edi_gseg *)edi_guide_seg(g, edi_str_c(sid));
    long pos = lattr(x, "pos", 0), comp = lattr(x, "component", 0);
    struct edi_gel *e = NULL;
    int rc = 0;

    if (s == NULL) {
        rc = where(err, x, "segment %s is not in the base guide", sid ? sid : "?");
        goto out;
    }
    if (pos >= 1 && pos <= s->nel) {
        e = &s->el[pos - 1];
        if (comp && (comp > e->ncomp || e->ncomp == 0))
            e = NULL;
        else if (comp)
            e = &e->comp[comp - 1];
    }
    if (e == NULL) {
        rc = where(err, x, "segment %s has no such element or component", s->id);
        goto out;
    }
    if (when) {
        struct edi_gcond *c;
        struct edi_gcond *v = edi_pool_alloc(&g->pool, (s->nconds + 1u) * sizeof(*v));

        if (s->nconds)
            memcpy(v, s->conds, s->nconds * sizeof(*v));
        c = &v[s->nconds];
        c->when_pos = (uint16_t)strtol(when, NULL, 10);
        c->when_val = edi_pool_strdup(&g->pool, strchr(when, '=') ? strchr(when, '=') + 1 : "");
        c->pos = (uint16_t)pos;
        c->comp = (uint16_t)comp;
        c->usage = cattr(x, "usage", 0);
        c->min = (uint32_t)lattr(x, "min", 0);
        c->max = (uint32_t)lattr(x, "max", 0);
        c->charset = charset_of(cs);
        c->codes = codes_of(&g->pool, x);
        c->note = pattr(&g->pool, x, "note");
        s->conds = v;
        s->nconds++;
    } else {
        const struct edi_codes *codes = codes_of(&g->pool, x);

        e->usage = cattr(x, "usage", e->usage);
        e->min = (uint32_t)lattr(x, "min", (long)e->min);
        e->max = (uint32_t)lattr(x, "max", (long)e->max);
        if (cs)
            e->charset = charset_of(cs);
        char *mode = attr(x, "codes");

        if (codes && mode && strcmp(mode, "replace") == 0) {
            e->codes = codes;
            e->file = NULL;
            e->pcodes = NULL;
        } else if (codes)
            e->pcodes = codes;
        xmlFree(mode);
        /* a note on the element travels with it through a cond-less rule */
        if (xmlHasProp(x, (const xmlChar *)"note")) {
            struct edi_gcond *v = edi_pool_alloc(&g->pool, (s->nconds + 1u) * sizeof(*v));

            if (s->nconds)
                memcpy(v, s->conds, s->nconds * sizeof(*v));
            v[s->nconds].pos = (uint16_t)pos;
            v[s->nconds].comp = (uint16_t)comp;
            v[s->nconds].note = pattr(&g->pool, x, "note");
            s->conds = v;
            s->nconds++;
        }
    }
out:
    xmlFree(sid);
    xmlFree(when);
    xmlFree(cs);
    return rc;
}

static int restrict_node(struct edi_guide *g, xmlNodePtr x, struct edi_err *err)
{
    char *path = attr(x, "path");
    struct edi_gnode *n = resolve(&g->root, path ? path : "");
    int rc = 0;

    if (n == NULL)
        rc = where(err, x, "path %s names nothing in the base guide's structure", path ? path : "?");
    else {
        n->usage = cattr(x, "usage", n->usage);
        if (xmlHasProp(x, (const xmlChar *)"max"))
            n->max = (uint32_t)lattr(x, "max", 0);
        n->note = pattr(&g->pool, x, "note");
    }
    xmlFree(path);
    return rc;
}

static int add_require(struct edi_guide *g, xmlNodePtr x, struct edi_err *err)
{
    char *path = attr(x, "path"), *values = attr(x, "values");
    struct edi_gnode *n = resolve(&g->root, path ? path : "");
    int rc = 0;

    if (n == NULL)
        rc = where(err, x, "path %s names nothing in the base guide's structure", path ? path : "?");
    else {
        struct edi_greq *v = edi_pool_alloc(&g->pool, (n->nreq + 1u) * sizeof(*v));

        if (n->nreq)
            memcpy(v, n->req, n->nreq * sizeof(*v));
        v[n->nreq].pos = (uint16_t)lattr(x, "pos", 1);
        v[n->nreq].values = list_of(&g->pool, values);
        v[n->nreq].note = pattr(&g->pool, x, "note");
        v[n->nreq].index = g->nreq++;
        n->req = v;
        n->nreq++;
    }
    xmlFree(path);
    xmlFree(values);
    return rc;
}

static int compile_xml(struct edi_guide **out, struct edi_guides *r, const char *id,
                       struct edi_err *err)
{
    struct edi_guide *g = edi_xcalloc(1, sizeof(*g));
    xmlDocPtr doc = NULL;
    xmlNodePtr root, c;
    char *base = NULL;
    size_t i;
    int rc;

    *out = NULL;
    edi_pool_init(&g->pool);
    if ((rc = load_doc(&doc, r, id, 1, err)) < 0)
        goto out;
    root = xmlDocGetRootElement(doc);
    base = attr(root, "base");
    if (base == NULL) {
        /* read once, as compile_base would read it: the doc moves there */
        rc = compile_base(g, r, id, doc, err);
        doc = NULL;
        goto out;
    }
    if ((rc = compile_base(g, r, base, NULL, err)) < 0)
        goto out;
    g->base = edi_pool_strdup(&g->pool, base);
    g->id = pattr(&g->pool, root, "id");
    g->name = pattr(&g->pool, root, "name");
    for (c = root->children; c && rc == 0; c = c->next) {
        if (is_el(c, "element"))
            rc = restrict_element(g, c, err);
        else if (is_el(c, "node"))
            rc = restrict_node(g, c, err);
        else if (is_el(c, "require"))
            rc = add_require(g, c, err);
        else if (is_el(c, "hierarchy"))
            levels_of(g, c);
    }
out:
    xmlFree(base);
    xmlFreeDoc(doc);
    if (rc < 0) {
        edi_pool_dispose(&g->pool);
        free(g);
        return rc;
    }
    edi_gcache_index_loops(&g->pool, &g->root);
    for (i = 0; i < g->nsegs; i++) {
        struct edi_gseg *sg = &g->segs[i];
        uint16_t k;

        sg->last_m = 0;
        for (k = 0; k < sg->nel; k++)
            if (sg->el[k].usage == 'M')
                sg->last_m = (uint16_t)(k + 1);
    }
    *out = g;
    return 0;
}

/* Reads the root of guide `id` and of its base, not checked against
 * guide.xsd and not compiled: set and version come from the base guide, as
 * compile() takes them. */
static int peek(struct edi_guide_id *out, struct edi_guides *r, const char *id, int depth,
                struct edi_err *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    char *base;
    int rc;

    if (strstr(id, "..") || id[0] == '/')
        return edi_fail(err, EDI_ENOTFOUND, "guide name %s may not leave the schemas folder", id);
    if ((rc = load_doc(&doc, r, id, 0, err)) < 0)
        return rc;
    root = xmlDocGetRootElement(doc);
    /* a base guide's own base= is not followed, as compile_base() does not */
    base = depth == 0 ? attr(root, "base") : NULL;
    if (base) {
        rc = peek(out, r, base, depth + 1, err);
    } else {
        struct edi_guide g;

        memset(&g, 0, sizeof(g));
        edi_pool_init(&g.pool);
        rc = meta_of(&g, root, err);
        snprintf(out->set, sizeof(out->set), "%s", g.set);
        snprintf(out->version, sizeof(out->version), "%s", g.version);
        edi_pool_dispose(&g.pool);
    }
    xmlFree(base);
    xmlFreeDoc(doc);
    return rc;
}

static void dispose(struct edi_guides *r)
{
    if (r->xsd)
        xmlSchemaFree(r->xsd);
    xmlFreeDoc(r->xsd_doc);
}

static const struct edi_guides_xml xml_side = {compile_xml, xml_codes, peek, dispose};

int edi_guides_new(struct edi_guides **out, const char *schema_dir, struct edi_err *err)
{
    return edi_gl_open(out, schema_dir, &xml_side, err);
}
