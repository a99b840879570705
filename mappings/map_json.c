/*
 * map_json.c — JSON ⇄ the W3C XML representation of JSON (XPath 3.1
 * fn:json-to-xml: <map>, <array>, <string>, <number>, <boolean>, <null>
 * with key= in namespace http://www.w3.org/2005/xpath-functions), so that
 * XSLT 1.0 maps can read and write SP-API JSON. This file owns jansson.
 *
 * Numbers: JSON in keeps integers exactly and other numbers as the shortest
 * text that reads back to the same double; JSON out writes each <number>
 * exactly as the map wrote it (checked against JSON's number grammar), so
 * "12.50" stays 12.50.
 */
#include "mappings/map.h"

#include <jansson.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LIMIT: nesting depth of JSON documents */
#define MAX_DEPTH 64

/* Numbers are carried through jansson as marked strings and unmarked in the
 * text it writes, so they keep the exact text the map wrote. The marker is
 * a control character that appears nowhere in the document's text (so no
 * real string can look like a marked number); when the document uses every
 * candidate, numbers go through jansson's reals at 17 digits instead. */
struct marker {
    char open[4], close[4];          /* "\x01#", "#\x01" */
    char open_esc[10], close_esc[10]; /* "\"\\u0001#", "#\\u0001\"" */
    int on;
};

static void scan_bytes(unsigned char *seen, xmlNodePtr n)
{
    for (; n; n = n->next) {
        const xmlChar *t = n->content;
        xmlAttrPtr a;

        for (; t && *t; t++)
            if (*t < 0x20)
                seen[*t] = 1;
        if (n->type == XML_ELEMENT_NODE)
            for (a = n->properties; a; a = a->next)
                scan_bytes(seen, a->children);
        scan_bytes(seen, n->children);
    }
}

static void pick_marker(struct marker *m, xmlDocPtr doc)
{
    unsigned char seen[32] = {0};
    int c;

    memset(m, 0, sizeof(*m));
    scan_bytes(seen, xmlDocGetRootElement(doc));
    for (c = 1; c < 0x20; c++) {
        /* jansson writes these with short escapes (\b \t \n \f \r) */
        if (seen[c] || c == 8 || c == 9 || c == 10 || c == 12 || c == 13)
            continue;
        snprintf(m->open, sizeof(m->open), "%c#", c);
        snprintf(m->close, sizeof(m->close), "#%c", c);
        snprintf(m->open_esc, sizeof(m->open_esc), "\"\\u%04x#", c);
        snprintf(m->close_esc, sizeof(m->close_esc), "#\\u%04x\"", c);
        m->on = 1;
        return;
    }
}

int map_json_number_text(const char *s, size_t n)
{
    size_t i = 0, d;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else {
        for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    return i == n && n > 0 && n < 400;
}

static void real_text(char *buf, size_t cap, double v)
{
    int prec;

    if (v == 0 && signbit(v)) {
        /* "-0" would read back as the integer 0 */
        snprintf(buf, cap, "-0.0");
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static int to_xml(xmlNodePtr parent, xmlNsPtr ns, const char *key, json_t *j, int depth,
                  struct edi_err *err)
{
    xmlNodePtr n = NULL;
    char buf[64];

    if (depth > MAX_DEPTH)
        return edi_fail(err, EDI_ELIMIT, "JSON nested deeper than %d levels", MAX_DEPTH);
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;
        int rc;

        n = xmlNewChild(parent, ns, BAD_CAST "map", NULL);
        if (key)
            xmlNewProp(n, BAD_CAST "key", BAD_CAST key);
        json_object_foreach(j, k, v) {
            if ((rc = to_xml(n, ns, k, v, depth + 1, err)) < 0)
                return rc;
        }
        return 0;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *v;
        int rc;

        n = xmlNewChild(parent, ns, BAD_CAST "array", NULL);
        if (key)
            xmlNewProp(n, BAD_CAST "key", BAD_CAST key);
        json_array_foreach(j, i, v) {
            if ((rc = to_xml(n, ns, NULL, v, depth + 1, err)) < 0)
                return rc;
        }
        return 0;
    }
    case JSON_STRING:
        n = xmlNewChild(parent, ns, BAD_CAST "string", NULL);
        xmlNodeAddContent(n, BAD_CAST json_string_value(j));
        break;
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        n = xmlNewChild(parent, ns, BAD_CAST "number", BAD_CAST buf);
        break;
    case JSON_REAL:
        real_text(buf, sizeof(buf), json_real_value(j));
        n = xmlNewChild(parent, ns, BAD_CAST "number", BAD_CAST buf);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        n = xmlNewChild(parent, ns, BAD_CAST "boolean", BAD_CAST(json_is_true(j) ? "true" : "false"));
        break;
    case JSON_NULL:
        n = xmlNewChild(parent, ns, BAD_CAST "null", NULL);
        break;
    }
    if (key && n)
        xmlNewProp(n, BAD_CAST "key", BAD_CAST key);
    return 0;
}

int map_json_to_xml(xmlDocPtr *out, const char *json, size_t n, struct edi_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(json, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    xmlDocPtr doc;
    xmlNodePtr holder, v;
    xmlNsPtr ns;
    int rc;

    *out = NULL;
    if (j == NULL)
        return edi_fail(err, EDI_ESYNTAX, "JSON line %d column %d: %s", je.line, je.column, je.text);
    /* built under a holder, then the value becomes the root and the
     * namespace is declared on it as the default one */
    doc = xmlNewDoc(BAD_CAST "1.0");
    holder = xmlNewDocNode(doc, NULL, BAD_CAST "holder", NULL);
    xmlDocSetRootElement(doc, holder);
    ns = xmlNewNs(holder, BAD_CAST MAP_JSON_NS, NULL);
    rc = to_xml(holder, ns, NULL, j, 0, err);
    json_decref(j);
    if (rc < 0) {
        xmlFreeDoc(doc);
        return rc;
    }
    v = holder->children;
    xmlUnlinkNode(v);
    holder->nsDef = NULL;            /* the declaration moves to the value */
    ns->next = v->nsDef;
    v->nsDef = ns;
    xmlDocSetRootElement(doc, v);
    xmlFreeNode(holder);
    *out = doc;
    return 0;
}

static int is_fn(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, MAP_JSON_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static int from_xml(json_t **out, xmlNodePtr n, int depth, const struct marker *mk,
                    struct edi_err *err)
{
    xmlChar *text;
    int rc = 0;

    *out = NULL;
    if (depth > MAX_DEPTH)
        return edi_fail(err, EDI_ELIMIT, "JSON nested deeper than %d levels", MAX_DEPTH);
    if (is_fn(n, "map") || is_fn(n, "array")) {
        int is_map = is_fn(n, "map");
        json_t *c = is_map ? json_object() : json_array();
        xmlNodePtr k;

        for (k = n->children; k; k = k->next) {
            json_t *v;

            if (k->type != XML_ELEMENT_NODE)
                continue;
            if ((rc = from_xml(&v, k, depth + 1, mk, err)) < 0) {
                json_decref(c);
                return rc;
            }
            if (is_map) {
                xmlChar *key = xmlGetProp(k, BAD_CAST "key");

                if (key == NULL) {
                    json_decref(v);
                    json_decref(c);
                    return edi_fail(err, EDI_ESYNTAX, "line %ld: <%s> inside <map> needs key=",
                                    xmlGetLineNo(k), (const char *)k->name);
                }
                if (json_object_get(c, (const char *)key)) {
                    json_decref(v);
                    json_decref(c);
                    rc = edi_fail(err, EDI_ESYNTAX, "line %ld: key '%s' twice in one map",
                                  xmlGetLineNo(k), (const char *)key);
                    xmlFree(key);
                    return rc;
                }
                json_object_set_new(c, (const char *)key, v);
                xmlFree(key);
            } else {
                json_array_append_new(c, v);
            }
        }
        *out = c;
        return 0;
    }
    text = xmlNodeGetContent(n);
    if (is_fn(n, "string")) {
        *out = json_string(text ? (const char *)text : "");
        if (*out == NULL)
            rc = edi_fail(err, EDI_ESYNTAX, "line %ld: string is not UTF-8", xmlGetLineNo(n));
    } else if (is_fn(n, "number")) {
        const char *s = text ? (const char *)text : "";
        size_t len;

        while (*s == ' ' || *s == '\n' || *s == '\t')
            s++;
        len = strcspn(s, " \n\t");
        /* a whole number written with leading zeros (a padded counter) is
         * that number */
        if (len > 1 && s[0] == '0' && strspn(s, "0123456789") == len) {
            while (len > 1 && s[0] == '0')
                s++, len--;
        }
        if (!map_json_number_text(s, len) || strspn(s + len, " \n\t") != strlen(s + len)) {
            rc = edi_fail(err, EDI_ESYNTAX, "line %ld: <number> '%s' is not a JSON number",
                          xmlGetLineNo(n), s);
        } else {
            if (mk->on) {
                /* the text goes out exactly as written: a marked string
                 * that map_xml_to_json replaces by the bare number */
                char *mark = edi_xmalloc(len + 8);

                snprintf(mark, len + 8, "%s%.*s%s", mk->open, (int)len, s, mk->close);
                *out = json_string(mark);
                free(mark);
            } else if (strcspn(s, ".eE") >= len) {
                *out = json_integer(strtoll(s, NULL, 10));
            } else {
                *out = json_real(strtod(s, NULL));
            }
        }
    } else if (is_fn(n, "boolean")) {
        const char *s = text ? (const char *)text : "";

        if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
            *out = json_true();
        else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
            *out = json_false();
        else
            rc = edi_fail(err, EDI_ESYNTAX, "line %ld: <boolean> '%s' is not true or false",
                          xmlGetLineNo(n), s);
    } else if (is_fn(n, "null")) {
        *out = json_null();
    } else {
        rc = edi_fail(err, EDI_ESYNTAX,
                      "line %ld: <%s> is not part of the XML representation of JSON (namespace %s)",
                      xmlGetLineNo(n), (const char *)n->name, MAP_JSON_NS);
    }
    xmlFree(text);
    return rc;
}

int map_xml_to_json(struct edi_buf *out, xmlDocPtr doc, int pretty, struct edi_err *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    struct marker mk;
    json_t *j;
    char *s;
    int rc;

    if (root == NULL)
        return edi_fail(err, EDI_ESYNTAX, "empty document");
    pick_marker(&mk, doc);
    if ((rc = from_xml(&j, root, 0, &mk, err)) < 0)
        return rc;
    s = json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17) | (pretty ? JSON_INDENT(2) : 0));
    json_decref(j);
    if (s == NULL)
        return edi_fail(err, EDI_ERR, "cannot write JSON");
    {
        /* unmark the numbers: "\u0001#12.50#\u0001" becomes 12.50 */
        const char *p = s, *q;

        while (mk.on && (q = strstr(p, mk.open_esc)) != NULL) {
            const char *end = strstr(q, mk.close_esc);

            if (end == NULL)
                break;
            edi_buf_put(out, p, (size_t)(q - p));
            edi_buf_put(out, q + strlen(mk.open_esc), (size_t)(end - q - strlen(mk.open_esc)));
            p = end + strlen(mk.close_esc);
        }
        edi_buf_puts(out, p);
    }
    if (pretty)
        edi_buf_putc(out, '\n');
    free(s);
    return out->err ? edi_fail(err, EDI_ELIMIT, "JSON output too large") : 0;
}
