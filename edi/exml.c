/*
 * exml.c — EDI⇄XML (the format is described in exml.h). EDI to XML streams
 * through the envelope parser and the guide walk (for loops) into a sink:
 * libxml2's text writer for `wharf edi to-xml`, or, for the per-set
 * documents the maps read, the document tree built node by node in the
 * same walk (no text written and parsed back). XML to EDI reads the
 * document and writes segments with the X12 writer. Validation is not done
 * here: `wharf edi validate` does it.
 */
#include "edi/exml.h"

#include "edi/text.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

/* ---- the read policy --------------------------------------------------------------- */

/* A DOCTYPE was met: stop here, before any declaration in it is read. The
 * parser context's _private says so to edi_xml_guard_tripped. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
    xmlParserCtxtPtr c = ctx;

    (void)name;
    (void)eid;
    (void)sid;
    c->_private = (void *)refuse_doctype;
    xmlStopParser(c);
}

int edi_xml_guard(xmlParserCtxtPtr ctx, int options)
{
    ctx->sax->internalSubset = refuse_doctype;
    ctx->sax->externalSubset = refuse_doctype;
    ctx->_private = NULL;
    /* SPEC: DESIGN.md "XML is parsed with network access, DTDs and external
     * entities off, stylesheets included" */
    return (options | XML_PARSE_NONET) &
           ~(XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR | XML_PARSE_DTDVALID |
             XML_PARSE_XINCLUDE | XML_PARSE_HUGE);
}

int edi_xml_guard_tripped(xmlParserCtxtPtr ctx)
{
    return ctx->_private == (void *)refuse_doctype;
}

int edi_xml_read(xmlDocPtr *out, const char *data, size_t n, const char *name,
                 struct edi_err *err)
{
    xmlParserCtxtPtr ctx;
    xmlDocPtr doc;
    int opts, rc = 0;

    const char *where = name ? name : "line";
    char sep = name ? ':' : ' ';

    *out = NULL;
    if (n > EDI_XML_MAX)
        return edi_fail(err, EDI_ELIMIT, "XML of %zu bytes, at most %zu are read", n, EDI_XML_MAX);
    if ((ctx = xmlNewParserCtxt()) == NULL)
        return edi_fail(err, EDI_ERR, "cannot create an XML parser");
    opts = edi_xml_guard(ctx, XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    doc = xmlCtxtReadMemory(ctx, data, (int)n, name ? name : "input.xml", NULL, opts);
    if (edi_xml_guard_tripped(ctx)) {
        rc = edi_fail(err, EDI_ESYNTAX, "%s%c%d: a DOCTYPE is not allowed: wharf reads no DTD and "
                                        "no entity declarations", where, sep, ctx->input ? ctx->input->line : 0);
    } else if (doc == NULL || !ctx->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctx);

        rc = edi_fail(err, EDI_ESYNTAX, "%s%c%d: not well-formed XML%s%.160s", where, sep, e ? e->line : 0,
                      e && e->message ? ": " : "", e && e->message ? e->message : "");
        if (err) {
            /* libxml2's messages end in a newline */
            size_t k = strlen(err->msg);

            while (k && (err->msg[k - 1] == '\n' || err->msg[k - 1] == ' '))
                err->msg[--k] = '\0';
        }
    }
    if (rc < 0) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctx);
    *out = doc;
    return rc;
}

int edi_xml_read_file(xmlDocPtr *out, const char *path, struct edi_err *err)
{
    char *data;
    size_t n;
    int rc;

    *out = NULL;
    if ((rc = edi_read_file(&data, &n, path, err)) < 0)
        return rc;
    rc = edi_xml_read(out, data, n, path, err);
    free(data);
    return rc;
}

/* ---- EDI → XML ------------------------------------------------------------------ */

struct pending {
    int set;
    char *raw;                 /* copy of the segment's bytes */
    struct edi_str el[24];
    size_t n;
};

struct tox {
    /* the sink: a text writer (w), or the tree of doc with the open element cur */
    xmlTextWriterPtr w;
    xmlDocPtr doc;
    xmlNodePtr cur;
    int via_text;              /* per-set documents through the writer and parser (the reference) */
    struct edi_guides *guides;
    const char *guide_id;
    struct edi_delims d;
    struct pending isa, gs, ge, iea;
    int in_ichg, in_group;
    int rc;
    struct edi_err *err;
    struct edi_err why;        /* rc's reason: the parser writes its own over *err */
    /* per-transaction documents (edi_x12_to_xml_docs), or copies of the
     * sets to make them from later (edi_x12_tx_copies): per_set */
    int per_set;
    int (*doc_cb)(void *ctx, xmlDocPtr doc, const struct edi_tx *tx);
    int (*copy_cb)(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx);
    void *doc_ctx;
    struct pending isa_keep, gs_keep;
    enum edi_text_in text;     /* how values that are not ASCII decode */
};

/* ---- the sink: text writer or tree ---------------------------------------------- */

/* libxml2 returns NULL only when out of memory: abort, as edi_xmalloc does. */
static void no_memory(void)
{
    fputs("wharf: out of memory\n", stderr);
    abort();
}

/* A child appended to the open element (or to the document: its root). */
static void put_child(struct tox *t, xmlNodePtr n)
{
    xmlNodePtr p = t->cur;

    n->parent = p;
    n->doc = t->doc;
    if (p->last) {
        p->last->next = n;
        n->prev = p->last;
    } else {
        p->children = n;
    }
    p->last = n;
}

static void x_start(struct tox *t, const char *name)
{
    xmlNodePtr n;

    if (t->w) {
        xmlTextWriterStartElement(t->w, BAD_CAST name);
        return;
    }
    if ((n = xmlNewDocNode(t->doc, NULL, BAD_CAST name, NULL)) == NULL)
        no_memory();
    put_child(t, n);
    t->cur = n;
}

static void x_end(struct tox *t)
{
    if (t->w)
        xmlTextWriterEndElement(t->w);
    else
        t->cur = t->cur->parent;
}

/* value is text as it is (no entity references); the tree keeps it so,
 * the writer escapes it. */
static void x_attr(struct tox *t, const char *name, const char *value)
{
    if (t->w)
        xmlTextWriterWriteAttribute(t->w, BAD_CAST name, BAD_CAST value);
    else if (xmlNewProp(t->cur, BAD_CAST name, BAD_CAST value) == NULL)
        no_memory();
}

/* n bytes of UTF-8 without NUL; nothing when n is 0 (the parsed form of
 * an empty text has no text node either). */
static void x_text(struct tox *t, const char *s, size_t n)
{
    xmlNodePtr k;

    if (t->w) {
        /* even when empty: the writer then closes with </name>, not /> */
        char *z = edi_xstrndup(s, n);

        xmlTextWriterWriteString(t->w, BAD_CAST z);
        free(z);
        return;
    }
    if (n == 0)
        return;
    if ((k = xmlNewDocTextLen(t->doc, BAD_CAST s, (int)n)) == NULL)
        no_memory();
    put_child(t, k);
}

/* A character XML 1.0 cannot carry, at byte i of v: a control character
 * (tab, LF and CR too: a value never holds them as text), or U+FFFE or
 * U+FFFF, which are UTF-8 but not XML characters. */
static int xml_cannot(struct edi_str v, size_t i)
{
    unsigned char c = (unsigned char)v.p[i];

    return c < 0x20 || c == 0x7f ||
           (c == 0xef && i + 2 < v.n && (unsigned char)v.p[i + 1] == 0xbf &&
            ((unsigned char)v.p[i + 2] & 0xfe) == 0xbe);
}

/* Text XML can carry as it is: UTF-8 (edi_utf8_valid) without the
 * characters of xml_cannot. */
static int valid_utf8_text(struct edi_str v)
{
    size_t i;

    for (i = 0; i < v.n; i++)
        if (xml_cannot(v, i))
            return 0;
    return edi_utf8_valid(v);
}

static void write_value(struct tox *t, const char *name, struct edi_str v)
{
    size_t bad;
    const char *why;
    int kind = -1;

    x_start(t, name);
    if (valid_utf8_text(v) && t->text != EDI_TEXT_LATIN1) {
        kind = 0;
    } else {
        size_t i;

        /* control characters are data XML cannot carry: hex= below */
        for (i = 0; i < v.n && !((unsigned char)v.p[i] < 0x20 || v.p[i] == 0x7f); i++)
            ;
        if (i == v.n)
            kind = edi_text_decode_kind(v, t->text, &bad, &why);
        /* read as UTF-8, U+FFFE and U+FFFF are no XML characters either (the
         * parsed-back form lost the rest of the set there); read as Latin-1,
         * the same bytes are three letters */
        for (i = 0; kind == 0 && i < v.n; i++)
            if (xml_cannot(v, i))
                kind = -1;
    }
    if (kind == 0) {
        x_text(t, v.p, v.n);
    } else if (kind == 1) {
        /* SPEC: issue 11 §2 — a Latin-1 name is decoded and kept, and marked
         * so that XML to EDI gives back the partner's bytes */
        struct edi_buf b;

        edi_buf_init(&b, 0);
        edi_latin1_to_utf8(&b, v);
        x_attr(t, "charset", "iso-8859-1");
        x_text(t, b.p, b.n);
        edi_buf_dispose(&b);
    } else {
        static const char hx[] = "0123456789abcdef";
        char *s = edi_xmalloc(v.n * 2 + 1);
        size_t i;

        for (i = 0; i < v.n; i++) {
            s[2 * i] = hx[(unsigned char)v.p[i] >> 4];
            s[2 * i + 1] = hx[(unsigned char)v.p[i] & 15];
        }
        s[2 * v.n] = '\0';
        x_attr(t, "hex", s);
        free(s);
    }
    x_end(t);
}

/* prefix followed by at least two digits of i: BEG03, REF04-02, N1101
 * (snprintf's "%s%02zu" cost a third of the walk). out holds 48 bytes;
 * prefix is at most 40. */
static void pos_name(char *out, const char *prefix, size_t i)
{
    char d[24];
    size_t k = 0, len = strlen(prefix);

    memcpy(out, prefix, len);
    do {
        d[k++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    if (k < 2)
        d[k++] = '0';
    while (k)
        out[len++] = d[--k];
    out[len] = '\0';
}

static void write_segment(struct tox *t, const struct edi_str *el, size_t n)
{
    char id[8], name[48];
    size_t i, c;
    int isa;

    edi_str_copy(id, sizeof(id), el[0]);
    if (!valid_utf8_text(el[0]) || el[0].n == 0 || el[0].n > 3 ||
        !((id[0] >= 'A' && id[0] <= 'Z')) || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != el[0].n) {
        /* not a usable element name: keep it, as data */
        x_start(t, "segment");
        write_value(t, "id", el[0]);
        for (i = 1; i <= n; i++)
            write_value(t, "element", el[i]);
        x_end(t);
        return;
    }
    isa = strcmp(id, "ISA") == 0;
    x_start(t, id);
    for (i = 1; i <= n; i++) {
        const char *rp, *end;

        if (el[i].n == 0)
            continue;
        pos_name(name, id, i);
        if (isa) {
            write_value(t, name, el[i]);
            continue;
        }
        /* repetitions and components walked in place: no limit on how many */
        for (rp = el[i].p, end = el[i].p + el[i].n;;) {
            const char *q = t->d.rep ? memchr(rp, t->d.rep, (size_t)(end - rp)) : NULL;
            struct edi_str rv = {rp, (size_t)((q ? q : end) - rp)};

            if (memchr(rv.p, t->d.comp, rv.n) == NULL) {
                write_value(t, name, rv);
            } else {
                const char *cp = rv.p, *cend = rv.p + rv.n;

                x_start(t, name);
                for (c = 1;; c++) {
                    const char *cq = memchr(cp, t->d.comp, (size_t)(cend - cp));
                    struct edi_str cv = {cp, (size_t)((cq ? cq : cend) - cp)};

                    if (cv.n) {
                        char pre[48], cname[48];
                        size_t k = strlen(name);

                        memcpy(pre, name, k);
                        pre[k] = '-';
                        pre[k + 1] = '\0';
                        pos_name(cname, pre, c);
                        write_value(t, cname, cv);
                    }
                    if (cq == NULL)
                        break;
                    cp = cq + 1;
                }
                x_end(t);
            }
            if (q == NULL)
                break;
            rp = q + 1;
        }
    }
    x_end(t);
}

static void keep(struct pending *pd, const struct edi_seg *s)
{
    size_t i;

    free(pd->raw);
    pd->raw = edi_xstrndup(s->raw.p, s->raw.n);
    pd->n = s->n < 23 ? s->n : 23;
    for (i = 0; i <= pd->n; i++) {
        pd->el[i].p = pd->raw + (s->el[i].p - s->raw.p);
        pd->el[i].n = s->el[i].n;
    }
    pd->set = 1;
}

static void flush_pending(struct tox *t, struct pending *pd)
{
    if (pd->set)
        write_segment(t, pd->el, pd->n);
    pd->set = 0;
}

static int on_segment(void *ctx, const struct edi_seg *s, int depth)
{
    struct tox *t = ctx;
    struct edi_str id = s->el[0];

    if (t->per_set && !edi_str_eq(id, "ISA") && !edi_str_eq(id, "GS"))
        return 0;   /* documents hold sets only */
    if (edi_str_eq(id, "ISA")) {
        keep(&t->isa, s);
        keep(&t->isa_keep, s);
        t->ge.set = t->iea.set = 0;
    } else if (edi_str_eq(id, "GS")) {
        keep(&t->gs, s);
        keep(&t->gs_keep, s);
    }
    else if (edi_str_eq(id, "GE"))
        keep(&t->ge, s);
    else if (edi_str_eq(id, "IEA"))
        keep(&t->iea, s);
    else if (depth < 3 && !edi_str_eq(id, "ST"))
        write_segment(t, s->el, s->n);   /* a stray segment, kept in place */
    return 0;
}

/* A delimiter as an attribute, or, when XML cannot carry the byte (a
 * control character such as GS 0x1D, or a byte of 0x80 and up, which is no
 * UTF-8), as NAME-hex="1d": the parsed-back form lost the whole set. */
static void delim_attr_put(struct tox *t, const char *name, unsigned char c)
{
    static const char hx[] = "0123456789abcdef";
    char b[3] = {(char)c, 0, 0};

    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0x80) {
        char hname[24];

        snprintf(hname, sizeof(hname), "%s-hex", name);
        b[0] = hx[c >> 4];
        b[1] = hx[c & 15];
        x_attr(t, hname, b);
        return;
    }
    x_attr(t, name, b);
}

/* An attribute from the input's bytes (ST01, ST02): NAME="..." when XML can
 * carry it as it is, else NAME-hex="..." (the parsed-back form lost the set). */
static void data_attr_put(struct tox *t, const char *name, const char *v)
{
    static const char hx[] = "0123456789abcdef";
    struct edi_str s = edi_str_c(v);
    char hname[24], *h;
    size_t i;

    if (valid_utf8_text(s)) {
        x_attr(t, name, v);
        return;
    }
    h = edi_xmalloc(s.n * 2 + 1);
    for (i = 0; i < s.n; i++) {
        h[2 * i] = hx[(unsigned char)s.p[i] >> 4];
        h[2 * i + 1] = hx[(unsigned char)s.p[i] & 15];
    }
    h[2 * s.n] = '\0';
    snprintf(hname, sizeof(hname), "%s-hex", name);
    x_attr(t, hname, h);
    free(h);
}

static void delim_attrs(struct tox *t, const struct edi_delims *d)
{
    delim_attr_put(t, "element", d->elem);
    delim_attr_put(t, "component", d->comp);
    if (d->rep)
        delim_attr_put(t, "repetition", d->rep);
    delim_attr_put(t, "segment", d->seg);
}

static int on_ichg_begin(void *ctx, struct edi_ichg *ic)
{
    struct tox *t = ctx;

    t->d = ic->d;
    if (t->per_set)
        return 0;
    x_start(t, "interchange");
    delim_attrs(t, &ic->d);
    t->in_ichg = 1;
    flush_pending(t, &t->isa);
    return 0;
}

static int on_group_begin(void *ctx, struct edi_group *g)
{
    struct tox *t = ctx;

    if (t->per_set)
        return 0;

    x_start(t, "group");
    t->in_group = 1;
    t->ge.set = 0;
    flush_pending(t, &t->gs);
    return 0;
}

static void cb_enter(void *ctx, const struct edi_gnode *loop)
{
    struct tox *t = ctx;

    x_start(t, "loop");
    x_attr(t, "id", loop->id);
}

static void cb_leave(void *ctx, const struct edi_gnode *loop)
{
    x_end(ctx);
}

static void cb_segment(void *ctx, const struct edi_txseg *s, const struct edi_gnode *node)
{
    write_segment(ctx, s->el, s->n);
}

static int write_tx(struct tox *t, struct edi_tx *tx);

/* The walk of one set into a tree or, for the reference, through a text
 * writer into libxml2's parser. */
static int tx_walk(struct tox *t, struct edi_tx *tx)
{
    x_start(t, "x12");
    x_start(t, "interchange");
    delim_attrs(t, &tx->d);
    if (t->isa_keep.raw)
        write_segment(t, t->isa_keep.el, t->isa_keep.n);
    x_start(t, "group");
    if (t->gs_keep.raw)
        write_segment(t, t->gs_keep.el, t->gs_keep.n);
    return write_tx(t, tx);
}

/* One document per set: <x12><interchange><ISA/><group><GS/><transaction>.
 * LIMIT: this tree is not read through edi_xml_read, so EDI_XML_MAX and
 * libxml2's parser limits do not apply to it; its bounds come from the
 * input instead: its depth is at most 5 plus the guide's loop nesting
 * (edi_validate opens a <loop> only for a loop of the guide), and its size
 * is linear in the set's bytes, which struct edi_limits (max_tx_bytes,
 * max_segment, max_elements) bounds before the walk. */
static int tx_doc(struct tox *t, struct edi_tx *tx)
{
    xmlDocPtr doc = NULL;
    int rc;

    if (t->via_text) {
        xmlTextWriterPtr outer = t->w;

        if ((t->w = xmlNewTextWriterDoc(&doc, 0)) == NULL) {
            t->w = outer;
            return edi_fail(t->err, EDI_ERR, "cannot create an XML document");
        }
        xmlTextWriterStartDocument(t->w, NULL, "UTF-8", NULL);
        rc = tx_walk(t, tx);
        xmlTextWriterEndDocument(t->w);
        xmlFreeTextWriter(t->w);
        t->w = outer;
    } else {
        /* names malloc'd as the parser made them: a dictionary per document
         * cost more than it saved (457M against 380M instructions for 1,000
         * POs), and one shared by documents would tie them to one thread */
        if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
            no_memory();        /* what the parsed form said of itself (its <?xml ... encoding="UTF-8"?>,
         * and standalone as libxml2's writer-fed parser left it) */
        doc->encoding = xmlStrdup(BAD_CAST "UTF-8");
        doc->standalone = -2;
        t->doc = doc;
        t->cur = (xmlNodePtr)doc;
        rc = tx_walk(t, tx);
        t->doc = NULL;
        t->cur = NULL;
    }
    if (rc < 0) {
        xmlFreeDoc(doc);
        return rc;
    }
    return t->doc_cb(t->doc_ctx, doc, tx);
}

static int copy_tx(struct tox *t, struct edi_tx *tx);

static int on_tx(void *ctx, struct edi_tx *tx)
{
    struct tox *t = ctx;

    if (t->copy_cb)
        return copy_tx(t, tx);
    if (t->doc_cb)
        return tx_doc(t, tx);
    return write_tx(t, tx);
}

static int write_tx(struct tox *t, struct edi_tx *tx)
{
    const struct edi_guide *g = NULL;
    struct edi_err gerr;
    int rc;
    uint32_t i;

    x_start(t, "transaction");
    data_attr_put(t, "set", tx->set_id);
    data_attr_put(t, "control", tx->control);
    edi_err_clear(&gerr);
    if (t->guides && valid_utf8_text(edi_str_c(tx->set_id))) {
        if (t->guide_id)
            rc = edi_guides_get(&g, t->guides, t->guide_id, &gerr);
        else
            rc = edi_guides_for(&g, t->guides, tx->group->version, tx->set_id, &gerr);
        if (rc < 0 && (rc != EDI_ENOTFOUND || t->guide_id)) {
            t->why = gerr;
            t->rc = rc;
            return rc;
        }
        if (g && strcmp(g->set, tx->set_id) != 0)
            g = NULL;
    }
    if (g) {
        struct edi_walk_cb cb = {t, cb_enter, cb_leave, cb_segment};

        x_attr(t, "guide", g->id);
        edi_validate(NULL, g, tx, &cb, NULL);
    } else {
        for (i = 0; i < tx->nseg; i++)
            write_segment(t, tx->seg[i].el, tx->seg[i].n);
    }
    x_end(t);
    return 0;
}

static int on_group_end(void *ctx, struct edi_group *g, const struct edi_findings *env)
{
    struct tox *t = ctx;

    if (t->per_set)
        return 0;

    flush_pending(t, &t->ge);
    x_end(t);
    t->in_group = 0;
    return 0;
}

static int on_ichg_end(void *ctx, struct edi_ichg *ic, const struct edi_findings *env)
{
    struct tox *t = ctx;

    if (t->per_set)
        return 0;

    flush_pending(t, &t->iea);
    x_end(t);
    t->in_ichg = 0;
    return 0;
}

static void tox_init(struct tox *t, struct edi_x12_handler *h, struct edi_guides *guides,
                     const char *guide_id, enum edi_text_in text, struct edi_err *err)
{
    memset(t, 0, sizeof(*t));
    t->text = text;
    t->guides = guides;
    t->guide_id = guide_id;
    t->err = err;
    memset(h, 0, sizeof(*h));
    h->ctx = t;
    h->ichg_begin = on_ichg_begin;
    h->group_begin = on_group_begin;
    h->tx = on_tx;
    h->group_end = on_group_end;
    h->ichg_end = on_ichg_end;
    h->segment = on_segment;
}

static void tox_dispose(struct tox *t)
{
    free(t->isa.raw);
    free(t->gs.raw);
    free(t->ge.raw);
    free(t->iea.raw);
    free(t->isa_keep.raw);
    free(t->gs_keep.raw);
}

int edi_x12_to_xml(FILE *out, const char *path, struct edi_guides *guides, const char *guide_id,
                   enum edi_text_in text, struct edi_err *err)
{
    struct tox t;
    struct edi_x12_parser p;
    struct edi_x12_handler h;
    xmlOutputBufferPtr ob;
    int rc;

    tox_init(&t, &h, guides, guide_id, text, err);
    ob = xmlOutputBufferCreateFile(out, NULL);
    t.w = xmlNewTextWriter(ob);
    if (t.w == NULL)
        return edi_fail(err, EDI_ERR, "cannot create the XML writer");
    xmlTextWriterSetIndent(t.w, 1);
    xmlTextWriterSetIndentString(t.w, BAD_CAST "  ");
    xmlTextWriterStartDocument(t.w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(t.w, BAD_CAST "x12");
    edi_x12_parser_init(&p, NULL, &h);
    rc = edi_x12_parse_file(&p, path, err);
    edi_x12_parser_dispose(&p);
    xmlTextWriterEndDocument(t.w);
    xmlFreeTextWriter(t.w);
    tox_dispose(&t);
    if (t.rc < 0) {
        if (err)
            *err = t.why;
        return t.rc;
    }
    return rc < 0 ? rc : 0;
}

/* The parse of a stream set by set: each set to t's doc_cb as a document,
 * or to its copy_cb as a copy; t is tox_init's with h. */
static int per_set(struct tox *t, struct edi_x12_handler *h, const char *data, size_t n, struct edi_err *err)
{
    struct edi_x12_parser p;
    int rc;

    t->per_set = 1;
    edi_x12_parser_init(&p, NULL, h);
    rc = edi_x12_parse_mem(&p, data, n, err);
    edi_x12_parser_dispose(&p);
    tox_dispose(t);
    if (t->rc < 0) {
        if (err)
            *err = t->why;
        return t->rc;
    }
    return rc < 0 ? rc : 0;
}

static int to_docs(const char *data, size_t n, struct edi_guides *guides, const char *guide_id,
                   enum edi_text_in text, int via_text,
                   int (*cb)(void *ctx, xmlDocPtr doc, const struct edi_tx *tx), void *ctx,
                   struct edi_err *err)
{
    struct tox t;
    struct edi_x12_handler h;

    tox_init(&t, &h, guides, guide_id, text, err);
    t.doc_cb = cb;
    t.doc_ctx = ctx;
    t.via_text = via_text;
    return per_set(&t, &h, data, n, err);
}

int edi_x12_to_xml_docs(const char *data, size_t n, struct edi_guides *guides, const char *guide_id,
                        enum edi_text_in text,
                        int (*cb)(void *ctx, xmlDocPtr doc, const struct edi_tx *tx), void *ctx,
                        struct edi_err *err)
{
    return to_docs(data, n, guides, guide_id, text, 0, cb, ctx, err);
}

int edi_x12_to_xml_docs_text(const char *data, size_t n, struct edi_guides *guides,
                             const char *guide_id, enum edi_text_in text,
                             int (*cb)(void *ctx, xmlDocPtr doc, const struct edi_tx *tx), void *ctx,
                             struct edi_err *err)
{
    return to_docs(data, n, guides, guide_id, text, 1, cb, ctx, err);
}

/* ---- sets kept to be made into documents later ------------------------------------ */

/* A set and the ISA and GS it came in, in memory of its own: what tx_doc
 * reads, so that the document can be made on another thread (a map
 * worker's), after the parser has moved on. */
struct edi_tx_copy {
    struct edi_tx tx;          /* seg, els and mem its own; group -> group */
    struct edi_group group;
    struct pending isa, gs;
};

static void pending_copy(struct pending *to, const struct pending *from)
{
    size_t i, len;

    memset(to, 0, sizeof(*to));
    if (from->raw == NULL)
        return;
    /* the segment's bytes end with its last element (keep) */
    len = (size_t)(from->el[from->n].p + from->el[from->n].n - from->raw);
    to->raw = edi_xmalloc(len + 1);
    memcpy(to->raw, from->raw, len);
    to->raw[len] = '\0';
    to->n = from->n;
    for (i = 0; i <= from->n; i++) {
        to->el[i].p = to->raw + (from->el[i].p - from->raw);
        to->el[i].n = from->el[i].n;
    }
    to->set = from->set;
}

static int copy_tx(struct tox *t, struct edi_tx *tx)
{
    struct edi_tx_copy *c = edi_xcalloc(1, sizeof(*c));
    struct edi_tx *ct = &c->tx;
    size_t k;

    memcpy(ct->set_id, tx->set_id, sizeof(ct->set_id));
    memcpy(ct->control, tx->control, sizeof(ct->control));
    memcpy(ct->impl, tx->impl, sizeof(ct->impl));
    ct->nseg = ct->seg_cap = tx->nseg;
    ct->complete = tx->complete;
    ct->text = tx->text;
    ct->d = tx->d;
    if (tx->group) {
        c->group = *tx->group;
        ct->group = &c->group;
    }
    ct->mem_n = ct->mem_cap = tx->mem_n;
    ct->mem = edi_xmalloc(tx->mem_n ? tx->mem_n : 1);
    memcpy(ct->mem, tx->mem, tx->mem_n);
    ct->els_n = ct->els_cap = tx->els_n;
    ct->els = edi_xmalloc((tx->els_n ? tx->els_n : 1) * sizeof(*ct->els));
    for (k = 0; k < tx->els_n; k++) {
        ct->els[k].p = ct->mem + (tx->els[k].p - tx->mem);
        ct->els[k].n = tx->els[k].n;
    }
    ct->seg = edi_xmalloc((tx->nseg ? tx->nseg : 1) * sizeof(*ct->seg));
    for (k = 0; k < tx->nseg; k++) {
        ct->seg[k] = tx->seg[k];
        ct->seg[k].el = ct->els + (tx->seg[k].el - tx->els);
    }
    pending_copy(&c->isa, &t->isa_keep);
    pending_copy(&c->gs, &t->gs_keep);
    return t->copy_cb(t->doc_ctx, c, tx);
}

void edi_tx_copy_free(struct edi_tx_copy *c)
{
    if (c == NULL)
        return;
    free(c->tx.seg);
    free(c->tx.els);
    free(c->tx.mem);
    free(c->isa.raw);
    free(c->gs.raw);
    free(c);
}

int edi_x12_tx_copies(const char *data, size_t n, enum edi_text_in text,
                      int (*cb)(void *ctx, struct edi_tx_copy *c, const struct edi_tx *tx), void *ctx,
                      struct edi_err *err)
{
    struct tox t;
    struct edi_x12_handler h;

    tox_init(&t, &h, NULL, NULL, text, err);
    t.copy_cb = cb;
    t.doc_ctx = ctx;
    return per_set(&t, &h, data, n, err);
}

static int take_doc(void *ctx, xmlDocPtr doc, const struct edi_tx *tx)
{
    *(xmlDocPtr *)ctx = doc;
    return 0;
}

int edi_tx_copy_doc(xmlDocPtr *out, const struct edi_tx_copy *c, struct edi_guides *guides,
                    const char *guide_id, enum edi_text_in text, struct edi_err *err)
{
    struct tox t;
    struct edi_x12_handler h;
    int rc;

    *out = NULL;
    tox_init(&t, &h, guides, guide_id, text, err);
    t.per_set = 1;
    t.doc_cb = take_doc;
    t.doc_ctx = out;
    t.d = c->tx.d;
    /* the copy's ISA and GS, lent: tox_dispose must not free them */
    t.isa_keep = c->isa;
    t.gs_keep = c->gs;
    rc = tx_doc(&t, (struct edi_tx *)&c->tx);
    memset(&t.isa_keep, 0, sizeof(t.isa_keep));
    memset(&t.gs_keep, 0, sizeof(t.gs_keep));
    tox_dispose(&t);
    if (rc < 0 && t.rc < 0 && err)
        *err = t.why;
    return rc;
}

/* ---- XML → EDI ------------------------------------------------------------------ */

struct fromx {
    struct edi_writer w;
    struct edi_delims d;
    struct edi_buf val;        /* element values of the current segment */
    struct edi_err *err;
};

static int is_el(xmlNodePtr n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Appends the element's value (text, or hex=) to b. */
static int put_value(struct edi_buf *b, xmlNodePtr n, struct edi_err *err)
{
    xmlChar *hex = xmlGetProp(n, BAD_CAST "hex");
    xmlChar *cs = hex ? NULL : xmlGetProp(n, BAD_CAST "charset");

    if (cs) {
        /* a value decoded from ISO-8859-1 on the way in: its bytes again */
        xmlChar *t = xmlNodeGetContent(n);
        int bad = strcmp((const char *)cs, "iso-8859-1") != 0;

        if (!bad)
            bad = edi_utf8_to_latin1(b, edi_str_c(t ? (const char *)t : "")) < 0;
        xmlFree(t);
        if (bad) {
            edi_fail(err, EDI_ESYNTAX, "line %ld: <%s charset=\"%.20s\"> is not iso-8859-1 text",
                     xmlGetLineNo(n), (const char *)n->name, (const char *)cs);
            xmlFree(cs);
            return EDI_ESYNTAX;
        }
        xmlFree(cs);
        return 0;
    }

    if (hex) {
        size_t i, len = strlen((const char *)hex);

        for (i = 0; i + 1 < len; i += 2) {
            int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

            if (hi < 0 || lo < 0) {
                xmlFree(hex);
                return edi_fail(err, EDI_ESYNTAX, "line %ld: hex= is not hexadecimal",
                                xmlGetLineNo(n));
            }
            edi_buf_putc(b, (char)(hi * 16 + lo));
        }
        xmlFree(hex);
        return 0;
    }
    {
        xmlChar *t = xmlNodeGetContent(n);

        edi_buf_puts(b, t ? (const char *)t : "");
        xmlFree(t);
    }
    return 0;
}

/* "BEG03" → 3, "REF04-02" → 4 and comp 2; 0 when the name does not fit. */
static unsigned name_pos(const char *seg, const char *name, unsigned *comp)
{
    size_t n = strlen(seg);
    const char *p;
    unsigned v = 0, c = 0;

    *comp = 0;
    if (strncmp(name, seg, n) != 0)
        return 0;
    for (p = name + n; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (unsigned)(*p - '0');
    if (p == name + n || v > 999)
        return 0;
    if (*p == '-') {
        const char *q = ++p;

        for (; *p >= '0' && *p <= '9'; p++)
            c = c * 10 + (unsigned)(*p - '0');
        if (p == q || c > 999)
            return 0;
        *comp = c;
    }
    return *p == '\0' ? v : 0;
}

/* X12 has no escape: a value holding a delimiter cannot be written. comp_rep:
 * the component and repetition separators are data here (ISA11, ISA16, a
 * <segment>'s raw elements). */
static int check_value(struct fromx *f, size_t from, int comp_rep, xmlNodePtr n)
{
    size_t i;

    for (i = from; i < f->val.n; i++) {
        unsigned char c = (unsigned char)f->val.p[i];

        if (c == f->d.elem || c == f->d.seg ||
            (!comp_rep && (c == f->d.comp || (f->d.rep && c == f->d.rep))))
            return edi_fail(f->err, EDI_ESYNTAX, "line %ld: <%s> holds the delimiter '%c'",
                            xmlGetLineNo(n), (const char *)n->name, c);
    }
    return 0;
}

static int write_xml_segment(struct fromx *f, xmlNodePtr seg)
{
    const char *id = (const char *)seg->name;
    struct edi_str el[1000];
    size_t off[1000], len[1000], maxpos = 0, i;
    unsigned lastpos = 0;
    xmlNodePtr c;
    int rc;

    edi_buf_reset(&f->val);
    memset(len, 0, sizeof(len));
    memset(off, 0, sizeof(off));
    if (strcmp(id, "segment") == 0) {
        /* a segment whose id was not a usable name */
        size_t k = 0;

        for (c = seg->children; c; c = c->next) {
            if (!is_el(c))
                continue;
            if (k >= 999)
                return edi_fail(f->err, EDI_ELIMIT, "line %ld: too many elements", xmlGetLineNo(c));
            off[k] = f->val.n;
            if ((rc = put_value(&f->val, c, f->err)) < 0 || (rc = check_value(f, off[k], 1, c)) < 0)
                return rc;
            len[k] = f->val.n - off[k];
            k++;
        }
        maxpos = k ? k - 1 : 0;
        goto emit;
    }
    off[0] = 0;
    edi_buf_puts(&f->val, id);
    len[0] = f->val.n;
    for (c = seg->children; c; c = c->next) {
        unsigned comp, pos;

        if (!is_el(c))
            continue;
        pos = name_pos(id, (const char *)c->name, &comp);
        if (pos == 0 || comp)
            return edi_fail(f->err, EDI_ESYNTAX, "line %ld: <%s> is not an element of segment %s",
                            xmlGetLineNo(c), (const char *)c->name, id);
        if (pos < lastpos)
            return edi_fail(f->err, EDI_ESYNTAX, "line %ld: <%s> comes after a later element",
                            xmlGetLineNo(c), (const char *)c->name);
        if (pos == lastpos) {
            /* a repetition: values are contiguous in val */
            edi_buf_putc(&f->val, (char)f->d.rep);
        } else {
            off[pos] = f->val.n;
        }
        lastpos = pos;
        {
            xmlNodePtr k;
            unsigned lastc = 0;
            size_t from;
            int any = 0;

            for (k = c->children; k; k = k->next) {
                unsigned cp, ep;

                if (!is_el(k))
                    continue;
                any = 1;
                ep = name_pos(id, (const char *)k->name, &cp);
                if (ep != pos || cp == 0 || cp <= lastc)
                    return edi_fail(f->err, EDI_ESYNTAX, "line %ld: <%s> is not a component of <%s>",
                                    xmlGetLineNo(k), (const char *)k->name, (const char *)c->name);
                /* component cp follows cp - 1 separators (counting from the last one written) */
                for (lastc = lastc ? lastc : 1; lastc < cp; lastc++)
                    edi_buf_putc(&f->val, (char)f->d.comp);
                lastc = cp;
                from = f->val.n;
                if ((rc = put_value(&f->val, k, f->err)) < 0 || (rc = check_value(f, from, 0, k)) < 0)
                    return rc;
            }
            from = f->val.n;
            if (!any && ((rc = put_value(&f->val, c, f->err)) < 0 ||
                         (rc = check_value(f, from, strcmp(id, "ISA") == 0 && (pos == 11 || pos == 16), c)) < 0))
                return rc;
        }
        len[pos] = f->val.n - off[pos];
        if (pos > maxpos)
            maxpos = pos;
    }
emit:
    if (f->val.err)
        return edi_fail(f->err, EDI_ELIMIT, "segment %s is too large", id);
    for (i = 0; i <= maxpos; i++) {
        el[i].p = f->val.p + off[i];
        el[i].n = len[i];
    }
    edi_w_seg(&f->w, el, maxpos, NULL);
    return 0;
}

/* A delimiter from NAME="c", or NAME-hex="1d" (delim_attr_put). */
static int delim_attr(xmlNodePtr n, const char *name, unsigned char *out)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);

    if (v == NULL) {
        char hname[24];

        snprintf(hname, sizeof(hname), "%s-hex", name);
        if ((v = xmlGetProp(n, BAD_CAST hname)) == NULL)
            return 0;
        if (hexval(v[0]) >= 0 && v[1] && hexval(v[1]) >= 0 && v[2] == '\0')
            *out = (unsigned char)(hexval(v[0]) * 16 + hexval(v[1]));
        xmlFree(v);
        return 0;
    }
    if (v[0] && v[1] == '\0')
        *out = v[0];
    xmlFree(v);
    return 0;
}

static int walk_xml(struct fromx *f, xmlNodePtr n)
{
    xmlNodePtr c;
    int rc;

    for (c = n->children; c; c = c->next) {
        const char *name;

        if (!is_el(c))
            continue;
        name = (const char *)c->name;
        if (strcmp(name, "interchange") == 0) {
            edi_delims_default(&f->d);
            delim_attr(c, "element", &f->d.elem);
            delim_attr(c, "component", &f->d.comp);
            delim_attr(c, "repetition", &f->d.rep);
            delim_attr(c, "segment", &f->d.seg);
            f->w.d = f->d;
            if ((rc = walk_xml(f, c)) < 0)
                return rc;
        } else if (strcmp(name, "group") == 0 || strcmp(name, "transaction") == 0 ||
                   strcmp(name, "loop") == 0) {
            if ((rc = walk_xml(f, c)) < 0)
                return rc;
        } else if ((rc = write_xml_segment(f, c)) < 0) {
            return rc;
        }
    }
    return 0;
}

static int from_doc(struct edi_buf *out, xmlDocPtr doc, struct edi_err *err)
{
    struct fromx f;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc;

    if (root == NULL || strcmp((const char *)root->name, "x12") != 0)
        return edi_fail(err, EDI_ESYNTAX, "the root element must be <x12>");
    memset(&f, 0, sizeof(f));
    f.err = err;
    edi_delims_default(&f.d);
    edi_buf_init(&f.val, 1u << 24);
    edi_writer_init(&f.w, out, &f.d, "\n");
    rc = walk_xml(&f, root);
    edi_buf_dispose(&f.val);
    return rc;
}

/* Sets <SE01> to the count of segments and ST02/SE02 to control when they
 * are empty: maps write a set without counting it. */
static void seal_set(xmlNodePtr tx, const char *control)
{
    xmlNodePtr c, st = NULL, se = NULL;
    unsigned long count = 0;

    for (c = tx->children; c; c = c->next) {
        if (!is_el(c))
            continue;
        if (strcmp((const char *)c->name, "loop") == 0) {
            xmlNodePtr stack[32];
            int d = 0;

            /* count the segments inside loops, depth first */
            stack[d++] = c;
            while (d > 0) {
                xmlNodePtr k, n = stack[--d];

                for (k = n->children; k; k = k->next) {
                    if (!is_el(k))
                        continue;
                    if (strcmp((const char *)k->name, "loop") == 0 && d < 32)
                        stack[d++] = k;
                    else if (strcmp((const char *)k->name, "loop") != 0)
                        count++;
                }
            }
            continue;
        }
        count++;
        if (strcmp((const char *)c->name, "ST") == 0)
            st = c;
        else if (strcmp((const char *)c->name, "SE") == 0)
            se = c;
    }
    if (st == NULL || se == NULL)
        return;
    {
        char num[24];
        xmlNodePtr k, st02 = NULL, se01 = NULL, se02 = NULL;

        for (k = st->children; k; k = k->next)
            if (is_el(k) && strcmp((const char *)k->name, "ST02") == 0)
                st02 = k;
        for (k = se->children; k; k = k->next) {
            if (is_el(k) && strcmp((const char *)k->name, "SE01") == 0)
                se01 = k;
            if (is_el(k) && strcmp((const char *)k->name, "SE02") == 0)
                se02 = k;
        }
        if (st02 == NULL || xmlNodeIsText(st02->children) == 0 || st02->children == NULL)
            st02 = xmlNewChild(st, NULL, BAD_CAST "ST02", BAD_CAST control);
        snprintf(num, sizeof(num), "%lu", count);
        if (se01 == NULL)
            se01 = xmlNewChild(se, NULL, BAD_CAST "SE01", NULL);
        xmlNodeSetContent(se01, BAD_CAST num);
        if (se02 == NULL)
            se02 = xmlNewChild(se, NULL, BAD_CAST "SE02", NULL);
        {
            xmlChar *v = xmlNodeGetContent(st02);

            xmlNodeSetContent(se02, v);
            xmlFree(v);
        }
        /* SE01 must precede SE02 */
        xmlUnlinkNode(se01);
        xmlAddPrevSibling(se02, se01);
    }
}

/* ---- outbound character set ---------------------------------------------------- */

/* The element a text node belongs to, as a finding names it: N102 in N1. */
static void text_finding(struct edi_findings *f, xmlNodePtr el, const char *value, uint32_t cp,
                         enum edi_text_out mode)
{
    struct edi_finding *fd = edi_findings_add(f, "element-charset", EDI_LV_ELEMENT);
    const char *name = (const char *)el->name;
    xmlNodePtr seg = el->parent;
    unsigned comp = 0, pos = 0;

    /* a component's parent is its element, whose parent is the segment */
    if (seg && seg->type == XML_ELEMENT_NODE && strchr(name, '-') && seg->parent)
        seg = seg->parent;
    if (seg && seg->type == XML_ELEMENT_NODE && strlen((const char *)seg->name) < sizeof(fd->seg_id)) {
        snprintf(fd->seg_id, sizeof(fd->seg_id), "%s", (const char *)seg->name);
        pos = name_pos((const char *)seg->name, name, &comp);
    }
    fd->el_pos = (uint16_t)pos;
    fd->comp_pos = (uint16_t)comp;
    snprintf(fd->el_code, sizeof(fd->el_code), "6");
    snprintf(fd->value, sizeof(fd->value), "%s", value);
    if (cp)
        edi_finding_msg(fd, "%s '%.60s' has U+%04X, which the partner's X12 character set cannot carry%s",
                        name, value, (unsigned)cp,
                        mode == EDI_TEXT_REFUSE ? " (outbound-charset=\"refuse\": write it in ASCII, "
                                                  "or set outbound-charset=\"transliterate\")"
                                                : " and that has no ASCII spelling");
    else
        edi_finding_msg(fd, "%s '%.60s' is not UTF-8 text", name, value);
}

static void text_walk(xmlNodePtr n, enum edi_text_out mode, struct edi_findings *f,
                      struct edi_buf *b)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            text_walk(n->children, mode, f, b);
            continue;
        }
        if (n->type != XML_TEXT_NODE || n->content == NULL || n->parent == NULL)
            continue;
        {
            const unsigned char *c = n->content;
            uint32_t bad;

            while (*c && *c < 0x80)
                c++;
            if (*c == 0)
                continue;
            edi_buf_reset(b);
            if (edi_text_to_x12(b, edi_str_c((const char *)n->content), mode, &bad) < 0) {
                text_finding(f, n->parent, (const char *)n->content, bad, mode);
                continue;
            }
            xmlNodeSetContent(n, BAD_CAST edi_buf_cstr(b));
        }
    }
}

int edi_xml_doc_text_x12(xmlDocPtr doc, enum edi_text_out mode, struct edi_findings *f)
{
    struct edi_buf b;
    size_t before = f->n;

    if (mode == EDI_TEXT_RAW || doc == NULL)
        return 0;
    edi_buf_init(&b, 0);
    text_walk(xmlDocGetRootElement(doc), mode, f, &b);
    edi_buf_dispose(&b);
    return f->n > before ? EDI_ESYNTAX : 0;
}

int edi_xml_doc_to_x12(struct edi_buf *out, xmlDocPtr doc, const struct edi_delims *d,
                       const char *control, struct edi_err *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    struct fromx f;
    int rc;

    if (root && strcmp((const char *)root->name, "x12") == 0)
        return from_doc(out, doc, err);
    if (root == NULL || strcmp((const char *)root->name, "transaction") != 0)
        return edi_fail(err, EDI_ESYNTAX, "the root element must be <x12> or <transaction>, not <%s>",
                        root ? (const char *)root->name : "");
    seal_set(root, control ? control : "0001");
    memset(&f, 0, sizeof(f));
    f.err = err;
    if (d)
        f.d = *d;
    else
        edi_delims_default(&f.d);
    edi_buf_init(&f.val, 1u << 24);
    edi_writer_init(&f.w, out, &f.d, "\n");
    rc = walk_xml(&f, root);
    edi_buf_dispose(&f.val);
    return rc;
}

static int from_mem(struct edi_buf *out, const char *xml, size_t n, const char *name,
                    struct edi_err *err)
{
    xmlDocPtr doc;
    int rc;

    if ((rc = edi_xml_read(&doc, xml, n, name, err)) < 0)
        return rc;
    rc = from_doc(out, doc, err);
    xmlFreeDoc(doc);
    return rc;
}

int edi_xml_to_x12_mem(struct edi_buf *out, const char *xml, size_t n, struct edi_err *err)
{
    return from_mem(out, xml, n, NULL, err);
}

int edi_xml_to_x12(struct edi_buf *out, const char *path, struct edi_err *err)
{
    char *data;
    size_t n;
    int rc;

    if ((rc = edi_read_file(&data, &n, path, err)) < 0)
        return rc;
    /* the caller names the file: messages say "line N" */
    rc = from_mem(out, data, n, NULL, err);
    free(data);
    return rc;
}
