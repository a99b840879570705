/*
 * orderjson.c — the C twin of mappings/local/order-to-erp-json.xsl
 * (orderjson.h): the canonical order's tree walked as the map's XPath
 * reads it, written as map_xml_to_json (mappings/map_json.c) writes the
 * map's result: jansson's layout with a 2-space indent, its string
 * escapes, numbers as their text, a newline at the end.
 *
 * Each block below names the map's instruction it stands for. XPath's
 * rules kept: a value is the first matching element's text in document
 * order, "" when there is none; "a = 'x'" holds when any matching element
 * is x; a union goes in document order. What would make map_xml_to_json
 * fail (a key twice in one map, a line number that is no JSON number,
 * text that is not UTF-8) or take its other number path (every candidate
 * marker byte used) is not written here: the caller runs the map.
 *
 * Not here: whether the stock map is the one that runs (map_file_is, asked
 * by gateway/erp/files.c), the map itself.
 */
#include "gateway/docs/orderjson.h"
#include "gateway/core/digest.h"
#include "gateway/docs/canon.h"
#include "gateway/docs/cdoc_xml.h"
#include "edi/text.h"
#include "mappings/map.h"

#include <libxml/tree.h>
#include <pthread.h>
#include <string.h>

/* The stock map as built (gateway/module.mk), and the SHA-256 of the one
 * this file was written for and test_orderjson.c proved it against. A
 * change of the stock map changes the first and not the second: the twin
 * then stands aside (the map runs, right whatever the change) and the test
 * fails until the twin is checked against the new map and the pin moved. */
static const unsigned char stock[] = {
#include "build/gen/order-to-erp-json.inc"
};
#define STOCK_SHA256 "07d0cbb7ab32c01b54f90fd45acd7584ea870bd640578002e7a4902112ea07f2"

static int stock_ok;
static pthread_once_t stock_once = PTHREAD_ONCE_INIT;

static void check_stock(void)
{
    char hex[65];
    struct edi_err err;

    edi_err_clear(&err);
    stock_ok = gw_sha256_hex(hex, stock, sizeof(stock), &err) == 0 && strcmp(hex, STOCK_SHA256) == 0;
}

const unsigned char *gw_order_erp_json_stock(size_t *n)
{
    pthread_once(&stock_once, check_stock);
    *n = stock_ok ? sizeof(stock) : 0;
    return stock_ok ? stock : NULL;
}

/* LIMIT: the map's JSON is 4 deep; keys in one object (more only when the
 * order repeats an element the map writes once per occurrence, a key twice
 * anyway) */
#define MAX_DEPTH 8
#define MAX_KEYS 64

struct level {
    int is_map;
    size_t n;
    const char *keys[MAX_KEYS];
};

struct writer {
    struct edi_buf *b;
    struct level lv[MAX_DEPTH];
    int depth;                     /* 0: outside the record */
    unsigned ctl;                  /* bytes 0x01..0x1f in the text: map_json.c's pick_marker */
    int bad;                       /* the map's result would not render as written here */
};

/* ---- the tree, as XPath sees it ---- */

static int is_c(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, GW_CANON_NS) == 0 && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr next_c(xmlNodePtr n, const char *name)
{
    for (; n; n = n->next)
        if (is_c(n, name))
            return n;
    return NULL;
}

/* c:NAME, the first child of p so named (p may be NULL) */
static xmlNodePtr child(xmlNodePtr p, const char *name)
{
    return p ? next_c(p->children, name) : NULL;
}

#define EACH(v, p, name) for (v = child(p, name); v; v = next_c(v->next, name))

/* An element's or attribute's string value: borrowed when it is one text
 * node, else (*own, the caller frees it) libxml2's, which XPath uses too. */
static const char *text_of(xmlNodePtr n, xmlChar **own)
{
    *own = NULL;
    if (n == NULL || n->children == NULL)
        return "";
    if (n->children->type == XML_TEXT_NODE && n->children->next == NULL && n->children->content)
        return (const char *)n->children->content;
    *own = xmlNodeGetContent(n);
    return *own ? (const char *)*own : "";
}

/* @name: an attribute in no namespace */
static xmlNodePtr attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a;

    for (a = n->properties; a; a = a->next)
        if (a->ns == NULL && strcmp((const char *)a->name, name) == 0)
            return (xmlNodePtr)a;
    return NULL;
}

/* p/c:NAME = 'value': any such child is value */
static int any_is(xmlNodePtr p, const char *name, const char *value)
{
    xmlNodePtr n;
    xmlChar *own;
    int same;

    EACH(n, p, name) {
        same = strcmp(text_of(n, &own), value) == 0;
        xmlFree(own);
        if (same)
            return 1;
    }
    return 0;
}

/* boolean(p/c:gift/c:message) */
static int has_gift_message(xmlNodePtr p)
{
    xmlNodePtr g;

    EACH(g, p, "gift")
        if (child(g, "message"))
            return 1;
    return 0;
}

/* ---- JSON as jansson writes it (JSON_INDENT(2)) ---- */

static void put_str(struct writer *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *run = p;

    /* RFC 3629, as strict as jansson's check of a string */
    if (!edi_utf8_valid(edi_str_c(s))) {
        w->bad = 1;
        return;
    }
    edi_buf_putc(w->b, '"');
    for (; *p; p++) {
        const char *esc = NULL;
        char u[7];

        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        edi_buf_put(w->b, run, (size_t)(p - run));
        run = p + 1;
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            memcpy(u, "\\u00", 4);
            u[4] = hex[*p >> 4];
            u[5] = hex[*p & 15];
            u[6] = '\0';
            esc = u;
        }
        if (*p < 0x20)
            w->ctl |= 1u << *p;
        edi_buf_puts(w->b, esc);
    }
    edi_buf_put(w->b, run, (size_t)(p - run));
    edi_buf_putc(w->b, '"');
}

/* What comes before a value: the separator, the indent, in an object the
 * key (a key twice makes map_xml_to_json fail: not written here) */
static void item(struct writer *w, const char *key)
{
    struct level *l = &w->lv[w->depth];
    size_t i;

    static const char sep[] = ",\n                ";   /* room for MAX_DEPTH - 1 levels */

    if (w->depth == 0)
        return;
    if (l->n)
        edi_buf_put(w->b, sep, 2 + 2 * (size_t)w->depth);
    else
        edi_buf_put(w->b, sep + 1, 1 + 2 * (size_t)w->depth);
    if (l->is_map) {
        for (i = 0; i < l->n; i++)
            if (l->keys[i][0] == key[0] && strcmp(l->keys[i], key) == 0)
                w->bad = 1;
        if (l->n == MAX_KEYS) {
            w->bad = 1;
            return;
        }
        l->keys[l->n] = key;
        put_str(w, key);
        edi_buf_put(w->b, ": ", 2);
    }
    l->n++;
}

static void open_(struct writer *w, const char *key, int is_map)
{
    item(w, key);
    if (w->depth + 1 == MAX_DEPTH) {
        w->bad = 1;
        return;
    }
    edi_buf_putc(w->b, is_map ? '{' : '[');
    w->depth++;
    w->lv[w->depth].is_map = is_map;
    w->lv[w->depth].n = 0;
}

static void close_(struct writer *w)
{
    static const char nl[] = "\n              ";      /* room for MAX_DEPTH - 1 levels */

    if (w->lv[w->depth].n)
        edi_buf_put(w->b, nl, 1 + 2 * (size_t)(w->depth - 1));
    edi_buf_putc(w->b, w->lv[w->depth].is_map ? '}' : ']');
    w->depth--;
}

static void str(struct writer *w, const char *key, const char *s)
{
    item(w, key);
    put_str(w, s);
}

/* <string key=...><xsl:value-of select="n"/></string>, n may be NULL */
static void str_of(struct writer *w, const char *key, xmlNodePtr n)
{
    xmlChar *own;

    str(w, key, text_of(n, &own));
    xmlFree(own);
}

static void boolean(struct writer *w, const char *key, int v)
{
    item(w, key);
    edi_buf_puts(w->b, v ? "true" : "false");
}

/* <number key=...>: the text as map_json.c's from_xml takes it (blanks
 * around it dropped, a padded whole number without its zeros) */
static void number_of(struct writer *w, const char *key, xmlNodePtr n)
{
    xmlChar *own;
    const char *t = text_of(n, &own), *s = t;
    size_t len;

    for (; *t; t++)
        if ((unsigned char)*t < 0x20)
            w->ctl |= 1u << (unsigned char)*t;
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    len = strcspn(s, " \n\t");
    if (len > 1 && s[0] == '0' && strspn(s, "0123456789") == len)
        while (len > 1 && s[0] == '0')
            s++, len--;
    if (!map_json_number_text(s, len) || strspn(s + len, " \n\t") != strlen(s + len)) {
        w->bad = 1;
    } else {
        item(w, key);
        edi_buf_put(w->b, s, len);
    }
    xmlFree(own);
}

/* ---- the map ---- */

/* template "address": the ship-to party st as "ship_to_address" */
static void address(struct writer *w, xmlNodePtr st)
{
    static const char *const parts[][2] = {
        {"city", "city"},   {"county", "county"},           {"district", "district"},
        {"state", "state"}, {"postal-code", "postal_code"}, {"country", "country"},
    };
    xmlNodePtr n, a, k;
    xmlChar *own;
    size_t i;
    int lines = 0;

    open_(w, "ship_to_address", 1);
    if ((n = child(st, "name")) != NULL) {
        const char *name = text_of(n, &own), *lf = strchr(name, '\n');

        if (lf) {
            char *first = edi_xmalloc((size_t)(lf - name) + 1);

            memcpy(first, name, (size_t)(lf - name));
            first[lf - name] = '\0';
            str(w, "name", first);
            str(w, "name_2", lf + 1);
            free(first);
        } else {
            str(w, "name", name);
        }
        xmlFree(own);
    }
    EACH(n, st, "attention")
        str_of(w, "attention", n);
    EACH(a, st, "address")
        lines |= child(a, "line") != NULL;
    if (lines) {
        /* $a/c:line | c:extra-address-line, in document order */
        open_(w, "address_lines", 0);
        for (n = st->children; n; n = n->next) {
            if (is_c(n, "address")) {
                EACH(k, n, "line")
                    str_of(w, NULL, k);
            } else if (is_c(n, "extra-address-line")) {
                str_of(w, NULL, n);
            }
        }
        close_(w);
    }
    EACH(a, st, "address")
        for (n = a->children; n; n = n->next)
            for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
                if (is_c(n, parts[i][0]))
                    str_of(w, parts[i][1], n);
    EACH(n, st, "country-name")
        str_of(w, "country_name", n);
    /* ($a/c:phone | c:contact/c:phone)[1] */
    for (n = st->children; n; n = n->next) {
        if ((is_c(n, "address") || is_c(n, "contact")) && (k = child(n, "phone")) != NULL) {
            str_of(w, "phone", k);
            break;
        }
    }
    close_(w);
}

/* <product_ids>: c:id[not(@qualifier = preceding-sibling::c:id/@qualifier)],
 * keyed by @qualifier ("" when it has none) */
static void product_ids(struct writer *w, xmlNodePtr line)
{
    xmlChar *q[MAX_KEYS], *own;
    int has[MAX_KEYS];
    size_t nq = 0, i;
    xmlNodePtr id, qa;

    open_(w, "product_ids", 1);
    EACH(id, line, "id") {
        int first = 1;

        if (nq == MAX_KEYS) {
            w->bad = 1;
            break;
        }
        qa = attr(id, "qualifier");
        has[nq] = qa != NULL;
        q[nq] = qa ? xmlNodeGetContent(qa) : NULL;
        if (has[nq] && q[nq] == NULL)
            q[nq] = xmlStrdup(BAD_CAST "");
        for (i = 0; has[nq] && i < nq; i++)
            if (has[i] && strcmp((const char *)q[i], (const char *)q[nq]) == 0)
                first = 0;
        if (first) {
            item(w, q[nq] ? (const char *)q[nq] : "");
            put_str(w, text_of(id, &own));
            xmlFree(own);
        }
        nq++;
    }
    close_(w);
    for (i = 0; i < nq; i++)
        xmlFree(q[i]);
}

static void line(struct writer *w, xmlNodePtr l)
{
    xmlNodePtr n, g, unit = NULL;
    xmlChar *own;

    open_(w, NULL, 1);
    number_of(w, "line_no", child(l, "line-no"));
    product_ids(w, l);
    EACH(n, l, "description")
        str_of(w, "description", n);
    str_of(w, "quantity", child(l, "ordered-quantity"));
    EACH(n, l, "ordered-quantity")
        if ((unit = attr(n, "unit")) != NULL)
            break;
    str_of(w, "unit", unit);
    if ((n = child(l, "unit-cost")) != NULL)
        str_of(w, "unit_cost", n);
    EACH(n, l, "price") {
        if ((g = attr(n, "type")) != NULL) {
            int retail = strcmp(text_of(g, &own), "retail") == 0;

            xmlFree(own);
            if (retail) {
                str_of(w, "retail_price", n);
                break;
            }
        }
    }
    if ((n = child(l, "backorder-allowed")) != NULL) {
        /* <boolean>: map_json.c takes true, 1, false, 0 */
        const char *v = text_of(n, &own);

        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
            boolean(w, "backorder_allowed", 1);
        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
            boolean(w, "backorder_allowed", 0);
        else
            w->bad = 1;
        xmlFree(own);
    }
    EACH(g, l, "gift")
        EACH(n, g, "message")
            str_of(w, "gift_message", n);
    close_(w);
}

int gw_order_erp_json(struct edi_buf *out, const struct gw_cdoc *order, const char *partner,
                      const char *state)
{
    xmlDocPtr doc = gw_cdoc_xml(order);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, h, n, k, ls;
    struct writer w;
    size_t start = out->n;
    int gift = 0, df;

    /* match="/c:order"; $h = c:header, read here as one element */
    if (!is_c(root, "order"))
        return 0;
    h = child(root, "header");
    if (h && next_c(h->next, "header"))
        return 0;
    memset(&w, 0, sizeof(w));
    w.b = out;
    open_(&w, NULL, 1);
    str(&w, "partner", partner ? partner : "");
    str_of(&w, "program", child(h, "program"));
    str_of(&w, "po_number", child(h, "po-number"));
    str(&w, "state", state ? state : "");
    if ((n = child(h, "order-date")) != NULL)
        str_of(&w, "order_date", n);
    if ((n = child(h, "currency")) != NULL)
        str_of(&w, "currency", n);
    EACH(n, h, "customer-order-number")
        str_of(&w, "customer_order_number", n);
    /* $h/c:ship-to/c:id[1]: the first id of the first ship-to with one */
    EACH(n, h, "ship-to")
        if ((k = child(n, "id")) != NULL) {
            str_of(&w, "ship_to", k);
            break;
        }
    EACH(n, h, "ship-to")
        if (child(n, "address") || child(n, "name"))
            address(&w, n);
    EACH(n, h, "carrier")
        EACH(k, n, "ship-method")
            str_of(&w, "ship_method", k);
    EACH(n, h, "carrier")
        EACH(k, n, "scac")
            str_of(&w, "carrier_scac", k);
    for (n = h ? h->children : NULL; n; n = n->next) {
        int ship = is_c(n, "ship-window");

        if (ship || is_c(n, "delivery-window")) {
            open_(&w, ship ? "ship_window" : "delivery_window", 1);
            str_of(&w, "start", child(n, "start"));
            str_of(&w, "end", child(n, "end"));
            close_(&w);
        }
    }
    for (n = h ? h->children : NULL; n; n = n->next) {
        if (is_c(n, "required-ship-date"))
            str_of(&w, "required_ship_date", n);
        else if (is_c(n, "promised-delivery-date"))
            str_of(&w, "promised_delivery_date", n);
    }
    df = any_is(h, "program", "DF");
    if (df || child(h, "packing-slip-required"))
        boolean(&w, "packing_slip_required", any_is(h, "packing-slip-required", "true"));
    if (df || child(h, "is-gift")) {
        gift = any_is(h, "is-gift", "true") || has_gift_message(h);
        EACH(ls, root, "lines")
            EACH(n, ls, "line")
                gift = gift || has_gift_message(n);
        boolean(&w, "is_gift", gift);
    }
    EACH(n, h, "gift")
        EACH(k, n, "message")
            str_of(&w, "gift_message", k);
    EACH(n, h, "message-to-customer")
        str_of(&w, "message_to_customer", n);
    open_(&w, "lines", 0);
    EACH(ls, root, "lines")
        EACH(n, ls, "line")
            line(&w, n);
    close_(&w);
    close_(&w);
    edi_buf_putc(out, '\n');
    /* map_json.c marks numbers with the first of bytes 1..7 absent from
     * the text; past those its marker does not round-trip: the map decides */
    if (w.bad || out->err || (w.ctl & 0xfe) == 0xfe) {
        out->n = start;
        return 0;
    }
    return 1;
}
