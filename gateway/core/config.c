/*
 * config.c — loads DIR/wharf.xml: parse (libxml2, no network, no entity
 * expansion), validate against schemas/config.xsd, turn libxml2's messages
 * into ones an operator can act on ("wharf.xml:12: ..."), build struct
 * gw_config, then check what the schema cannot: guides and maps exist and
 * fit, cron fields are in range, amounts are well formed. Also the cron
 * parser and matcher the scheduler uses.
 *
 * The format itself is documented in schemas/config.xsd; the example a new
 * workspace starts from is in cli_init.c. Workspace resolution (-w,
 * WHARF_WORKSPACE) is in cli.c.
 */
#include "gateway/core/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* LIMIT: a configuration file is small; anything bigger is a mistake. */
#define MAX_CONFIG_BYTES (4u << 20)

/* ---- cron ------------------------------------------------------------------ */

struct cron_field {
    const char *name;
    int lo, hi;
};

static const struct cron_field cron_fields[5] = {
    {"minute", 0, 59}, {"hour", 0, 23}, {"day of month", 1, 31},
    {"month", 1, 12},  {"day of week", 0, 7},
};

/* A small checked number: digits only, at most 3 of them. */
static int cron_num(int *out, const char **p)
{
    int v = 0, k = 0;

    while (**p >= '0' && **p <= '9' && k < 3) {
        v = v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    if (k == 0 || (**p >= '0' && **p <= '9'))
        return -1;
    *out = v;
    return 0;
}

/* One field (no spaces) into bits; *star when it starts with '*'. */
static int cron_field(uint64_t *bits, int *star, const struct cron_field *f, const char *s,
                      size_t n, struct edi_err *err)
{
    char buf[64];
    const char *p;

    if (n == 0 || n >= sizeof(buf))
        return edi_fail(err, EDI_ESYNTAX, "%s field '%.*s' is not valid", f->name, (int)n, s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    *bits = 0;
    *star = buf[0] == '*';
    p = buf;
    for (;;) {
        int lo, hi, step = 1, v, single = 0;

        if (*p == '*') {
            lo = f->lo;
            hi = f->hi;
            p++;
        } else {
            if (cron_num(&lo, &p) < 0)
                goto bad;
            hi = lo;
            single = 1;
            if (*p == '-') {
                p++;
                single = 0;
                if (cron_num(&hi, &p) < 0)
                    goto bad;
            }
        }
        if (*p == '/') {
            p++;
            if (cron_num(&step, &p) < 0 || step == 0)
                goto bad;
            if (single)
                hi = f->hi;          /* "5/15": from 5 to the end, as cron does */
        }
        if (lo < f->lo || hi > f->hi)
            return edi_fail(err, EDI_ESYNTAX, "%s field '%s': %d is out of range %d-%d", f->name,
                            buf, lo < f->lo ? lo : hi, f->lo, f->hi);
        if (lo > hi)
            return edi_fail(err, EDI_ESYNTAX, "%s field '%s': range %d-%d runs backwards",
                            f->name, buf, lo, hi);
        for (v = lo; v <= hi; v += step)
            *bits |= (uint64_t)1 << v;
        if (*p == '\0')
            break;
        if (*p != ',')
            goto bad;
        p++;
    }
    return 0;
bad:
    return edi_fail(err, EDI_ESYNTAX, "%s field '%s' is not valid (*, N, A-B, /STEP, lists with ,)",
                    f->name, buf);
}

int gw_cron_parse(struct gw_cron *out, const char *text, struct edi_err *err)
{
    const char *p = text;
    uint64_t bits[5];
    int star[5], i, rc;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < 5; i++) {
        size_t n;

        while (*p == ' ' || *p == '\t')
            p++;
        n = strcspn(p, " \t");
        if (n == 0)
            return edi_fail(err, EDI_ESYNTAX,
                            "'%s' has %d fields; a schedule has five: minute hour day-of-month "
                            "month day-of-week",
                            text, i);
        if ((rc = cron_field(&bits[i], &star[i], &cron_fields[i], p, n, err)) < 0)
            return rc;
        p += n;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0')
        return edi_fail(err, EDI_ESYNTAX,
                        "'%s' has more than five fields: minute hour day-of-month month day-of-week",
                        text);
    out->minute = bits[0];
    out->hour = (uint32_t)bits[1];
    out->mday = (uint32_t)bits[2];
    out->month = (uint16_t)bits[3];
    /* SPEC: cron: 0 and 7 are both Sunday */
    out->wday = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f);
    out->mday_any = star[2];
    out->wday_any = star[4];
    return 0;
}

int gw_cron_match(const struct gw_cron *c, const struct tm *tm)
{
    int dom, dow;

    if (!(c->minute >> tm->tm_min & 1) || !(c->hour >> tm->tm_hour & 1) ||
        !(c->month >> (tm->tm_mon + 1) & 1))
        return 0;
    dom = c->mday >> tm->tm_mday & 1;
    dow = c->wday >> tm->tm_wday & 1;
    /* SPEC: cron: with both day fields restricted, either one matching fires */
    return c->mday_any || c->wday_any ? dom && dow : dom || dow;
}

/* ---- libxml2 messages -------------------------------------------------------- */

struct xerr {
    struct edi_err *err;
    const char *file;     /* what messages name */
    int seen;
};

/* Friendlier words for a pattern that did not match, by element or
 * element/@attribute. Without one, libxml2's message (with the pattern)
 * stays. */
static const struct {
    const char *where, *what;
} pattern_hints[] = {
    {"schedule/cron", "a cron schedule: five fields, minute hour day-of-month month "
                      "day-of-week, e.g. \"*/30 * * * *\""},
    {"interchange/qualifier", "an interchange id qualifier: two characters, e.g. ZZ"},
    {"interchange/id", "an interchange id: 1 to 15 letters, digits, '.', '-' or '_'"},
    {"interchange/group-id", "a group id: 2 to 15 letters, digits, '.', '-' or '_'"},
    {"partner/id", "a partner id: lower-case letters, digits and '-', at most 32"},
    {"warehouse/code", "a warehouse code: 1 to 20 letters, digits, '-' or '_'"},
    {"ship-from/warehouse", "a warehouse code: 1 to 20 letters, digits, '-' or '_'"},
    {"ship-from/party-id", "a party id: 2 to 20 letters, digits or '-'"},
    {"remit-to/party-id", "a party id: 2 to 20 letters, digits or '-'"},
    {"vendor-code", "a vendor code: 2 to 20 letters, digits or '-'"},
    {"guide/set", "a transaction set id: three digits, e.g. 850"},
    {"guide/name", "a guide name such as partners/amazon-rp/850"},
    {"map/name", "a map name such as amazon-rp/850-to-order"},
    {"param/name", "a parameter name: a letter or '_', then letters, digits, '_', '-', '.'"},
    {"gs1/company-prefix", "a GS1 company prefix: 6 to 12 digits"},
    {"gs1/extension-digit", "an SSCC extension digit: one digit"},
    {"country", "a country code: two capital letters, e.g. US"},
    {"state", "a state or province code: two or three capital letters or digits, e.g. NJ"},
    {"postal-code", "a postal code"},
    {"invoice/currency", "a currency code: three capital letters, e.g. USD"},
    {"invoice/number-prefix", "an invoice number prefix: up to 12 letters, digits or '-'"},
    {"charge/amount", "an amount: digits with at most 2 decimals, e.g. 12.50"},
    {"allowance/amount", "an amount: digits with at most 2 decimals, e.g. 12.50"},
    {"charge/percent", "a percentage from 0 to 100, e.g. 2.5"},
    {"allowance/percent", "a percentage from 0 to 100, e.g. 2.5"},
    {"tax/rate", "a percentage from 0 to 100, e.g. 6.625"},
    {"terms/discount-percent", "a percentage from 0 to 100, e.g. 2"},
};

/* What a schema identity constraint means, by its name in config.xsd; %s
 * is the offending value (fields joined with '/'). */
static const struct {
    const char *name, *fmt;
} constraint_msgs[] = {
    {"partner-id", "partner id %s is used twice; partner ids are unique"},
    {"partner-interchange", "interchange id %s is used by two partners; an inbound ISA sender "
                            "must name one partner"},
    {"warehouse-code", "warehouse %s is declared twice"},
    {"ship-from-warehouse", "ship-from names warehouse %s, which is not declared; add "
                            "<warehouse code=\"%s\"> or correct the code"},
    {"erp-map-flow", "two ERP maps for flow %s"},
    {"erp-param-name", "ERP parameter %s is set twice"},
    {"map-flow", "two maps for flow %s"},
    {"schedule-job", "two schedules for job %s"},
    {"ship-from-per-warehouse", "two ship-from parties for warehouse %s"},
    {"param-name", "parameter %s is set twice"},
};

/* Copies the text between the first `open` after `from` and the next
 * `close` into buf. */
static int between(char *buf, size_t cap, const char *s, const char *from, const char *open,
                   const char *close)
{
    const char *a = from ? strstr(s, from) : s, *b;

    if (a == NULL || (a = strstr(a, open)) == NULL)
        return -1;
    a += strlen(open);
    if ((b = strstr(a, close)) == NULL || (size_t)(b - a) >= cap)
        return -1;
    memcpy(buf, a, (size_t)(b - a));
    buf[b - a] = '\0';
    return 0;
}

/* "['ZZ', 'AMAZON']" -> "ZZ/AMAZON" */
static void key_sequence(char *out, size_t cap, const char *msg)
{
    char seq[160];
    size_t n = 0;
    const char *p;

    out[0] = '\0';
    if (between(seq, sizeof(seq), msg, "key-sequence", "[", "]") < 0)
        return;
    for (p = seq; *p && n + 1 < cap; p++) {
        if (*p == '\'')
            continue;
        if (*p == ',') {
            out[n++] = '/';
            while (p[1] == ' ')
                p++;
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Rewrites a libxml2 schema message where wharf knows better words. */
static void tidy_message(char *msg, size_t cap)
{
    char el[64] = "", at[64] = "", key[130], val[200], name[64], seq[160];
    char out[640];
    size_t i, n;

    between(el, sizeof(el), msg, "Element", "'", "'");
    between(at, sizeof(at), msg, "attribute", "'", "'");
    if (strstr(msg, "[facet 'pattern']") &&
        between(val, sizeof(val), msg, "The value", "'", "' is not accepted") == 0) {
        snprintf(key, sizeof(key), "%s%s%s", el, at[0] ? "/" : "", at);
        for (i = 0; i < sizeof(pattern_hints) / sizeof(pattern_hints[0]); i++) {
            if (strcmp(pattern_hints[i].where, key) == 0) {
                if (at[0])
                    snprintf(out, sizeof(out), "<%s %s=\"%s\">: not %s", el, at, val,
                             pattern_hints[i].what);
                else
                    snprintf(out, sizeof(out), "<%s>%s</%s>: not %s", el, val, el,
                             pattern_hints[i].what);
                copy_trunc(msg, cap, out);
                return;
            }
        }
        return;
    }
    if (between(name, sizeof(name), msg, "identity-constraint", "'", "'") == 0 ||
        between(name, sizeof(name), msg, "of keyref", "'", "'") == 0) {
        key_sequence(seq, sizeof(seq), msg);
        for (i = 0; i < sizeof(constraint_msgs) / sizeof(constraint_msgs[0]); i++) {
            if (strcmp(constraint_msgs[i].name, name) == 0) {
                snprintf(out, sizeof(out), "<%s>: ", el);
                n = strlen(out);
                snprintf(out + n, sizeof(out) - n, constraint_msgs[i].fmt, seq, seq);
                copy_trunc(msg, cap, out);
                return;
            }
        }
    }
}

static void on_xml_error(void *ctx, const xmlError *e)
{
    struct xerr *x = ctx;
    char msg[280];
    size_t n;

    if (x->seen++ || e == NULL)
        return;
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    tidy_message(msg, sizeof(msg));
    edi_fail(x->err, EDI_ECONFIG, "%s:%d: %s", x->file ? x->file : e->file ? e->file : "?",
             e->line, msg);
}

/* ---- building the config ----------------------------------------------------------- */

struct loader {
    struct gw_config *cfg;
    struct edi_pool *pl;
    const char *file;
    struct edi_err *err;
};

static int fail_at(struct loader *ld, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct loader *ld, xmlNodePtr n, const char *fmt, ...)
{
    char msg[280];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return edi_fail(ld->err, EDI_ECONFIG, "%s:%ld: %s", ld->file, n ? xmlGetLineNo(n) : 0L, msg);
}

static int is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    xmlNodePtr c;

    for (c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

static size_t count(xmlNodePtr n, const char *name)
{
    xmlNodePtr c;
    size_t k = 0;

    for (c = n->children; c; c = c->next)
        k += is_el(c, name);
    return k;
}

/* xs:token values: leading and trailing blanks dropped, inner runs made
 * one space — what the schema validated. */
static const char *token(struct edi_pool *pl, const xmlChar *v)
{
    const char *s = (const char *)v;
    char *r, *w;

    if (s == NULL)
        return NULL;
    r = w = edi_pool_strdup(pl, s);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
            if (*s)
                *w++ = ' ';
            continue;
        }
        *w++ = *s++;
    }
    *w = '\0';
    return r;
}

static const char *attr(struct loader *ld, xmlNodePtr n, const char *name)
{
    xmlChar *v;
    const char *r;

    if (n == NULL || (v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
        return NULL;
    r = token(ld->pl, v);
    xmlFree(v);
    return r;
}

/* The raw value (a <param> value keeps its spaces). */
static const char *raw_attr(struct loader *ld, xmlNodePtr n, const char *name)
{
    xmlChar *v;
    const char *r;

    if (n == NULL || (v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
        return NULL;
    r = edi_pool_strdup(ld->pl, (const char *)v);
    xmlFree(v);
    return r;
}

static const char *text(struct loader *ld, xmlNodePtr n)
{
    xmlChar *v;
    const char *r;

    if (n == NULL)
        return NULL;
    v = xmlNodeGetContent(n);
    r = token(ld->pl, v);
    xmlFree(v);
    return r;
}

static const char *child_text(struct loader *ld, xmlNodePtr n, const char *name)
{
    return text(ld, child(n, name));
}

static int int_attr(struct loader *ld, xmlNodePtr n, const char *name, int dflt)
{
    const char *v = attr(ld, n, name);
    int r = 0;

    if (v == NULL || *v == '\0')
        return dflt;
    /* the schema allowed digits only, up to a small maximum */
    for (; *v >= '0' && *v <= '9' && r < 100000; v++)
        r = r * 10 + (*v - '0');
    return r;
}

static const char *join(struct loader *ld, const char *rel)
{
    const char *ws = ld->cfg->workspace;
    size_t n = strlen(ws);
    char *r;

    if (rel[0] == '/')
        return rel;
    while (n > 1 && ws[n - 1] == '/')
        n--;
    r = edi_pool_alloc(ld->pl, n + strlen(rel) + 2);
    snprintf(r, n + strlen(rel) + 2, "%.*s/%s", (int)n, ws, rel);
    return r;
}

/* SPEC: RULES.md SP-API — hosts sellingpartnerapi-{na,eu,fe}.amazon.com,
 * "sandbox." before them for the sandbox; LWA at api.amazon.com. */
static int load_spapi(struct loader *ld, xmlNodePtr tr, struct gw_spapi *sp)
{
    const char *v;

    sp->region = attr(ld, tr, "region");
    sp->marketplace = attr(ld, tr, "marketplace");
    sp->selling_party = attr(ld, tr, "selling-party");
    v = attr(ld, tr, "sandbox");
    sp->sandbox = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    if (sp->region == NULL || sp->marketplace == NULL || sp->selling_party == NULL)
        return fail_at(ld, tr, "<transport kind=\"sp-api\">: region, marketplace and selling-party are "
                       "required");
    sp->endpoint = attr(ld, tr, "endpoint");
    if (sp->endpoint == NULL) {
        size_t len = 64;
        char *e = edi_pool_alloc(ld->pl, len);

        snprintf(e, len, "https://%ssellingpartnerapi-%s.amazon.com", sp->sandbox ? "sandbox." : "",
                 sp->region);
        sp->endpoint = e;
    }
    sp->token_endpoint = attr(ld, tr, "token-endpoint");
    if (sp->token_endpoint == NULL)
        sp->token_endpoint = "https://api.amazon.com/auth/o2/token";
    v = attr(ld, tr, "ca-file");
    sp->ca_file = v ? join(ld, v) : NULL;
    sp->overlap_minutes = int_attr(ld, tr, "overlap-minutes", 10);
    sp->backfill_days = int_attr(ld, tr, "backfill-days", 14);
    sp->processing_minutes = int_attr(ld, tr, "processing-minutes", 240);
    sp->first_days = int_attr(ld, tr, "first-days", 7);
    return 0;
}

/* A folder on an SFTP server: no control character (a quote command
 * carries it), no "//". */
static int remote_folder(const char *v)
{
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f || (v[0] == '/' && v[1] == '/'))
            return 0;
    return 1;
}

static int load_sftp(struct loader *ld, xmlNodePtr tr, struct gw_sftp_conf *sf)
{
    static const char *const need[] = {"host", "user", "inbound", "outbound", "known-hosts"};
    const char *v[5];
    char missing[128] = "";
    size_t i;

    for (i = 0; i < 5; i++) {
        v[i] = attr(ld, tr, need[i]);
        if (v[i] == NULL || *v[i] == '\0')
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s", missing[0] ? ", " : "",
                     need[i]);
    }
    if (missing[0])
        return fail_at(ld, tr, "<transport kind=\"sftp\">: %s missing (host, user, inbound, outbound and "
                       "known-hosts are required)", missing);
    sf->host = v[0];
    sf->user = v[1];
    sf->inbound = v[2];
    sf->outbound = v[3];
    sf->known_hosts = join(ld, v[4]);
    sf->archive = attr(ld, tr, "archive");
    if (sf->archive && *sf->archive == '\0')
        sf->archive = NULL;
    sf->port = int_attr(ld, tr, "port", 22);
    if (sf->port < 1 || sf->port > 65535)
        return fail_at(ld, tr, "<transport kind=\"sftp\">: port %d is not 1 to 65535", sf->port);
    sf->timeout = int_attr(ld, tr, "timeout", 300);
    if (sf->timeout < 1 || sf->timeout > 86400)
        return fail_at(ld, tr, "<transport kind=\"sftp\">: timeout %d is not 1 to 86400 seconds", sf->timeout);
    if (!remote_folder(sf->inbound) || !remote_folder(sf->outbound) || (sf->archive && !remote_folder(sf->archive)))
        return fail_at(ld, tr, "<transport kind=\"sftp\">: a folder holds a control character or '//'");
    if (sf->archive && strcmp(sf->archive, sf->inbound) == 0)
        return fail_at(ld, tr, "<transport kind=\"sftp\">: archive is the inbound folder: what is downloaded "
                       "would be downloaded again");
    return 0;
}

/* 1 when an http(s) URL's host is a loopback address (127.0.0.0/8, [::1],
 * localhost): the only place plain HTTP may go. */
static int url_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    size_t n;

    if (h == NULL)
        return 0;
    h += 3;
    n = strcspn(h, "/?#");
    if (n >= 5 && strncmp(h, "[::1]", 5) == 0)
        return n == 5 || h[5] == ':';
    if (strncmp(h, "localhost", 9) == 0)
        return n == 9 || h[9] == ':';
    if (strncmp(h, "127.", 4) == 0) {
        size_t i;

        for (i = 4; i < n && h[i] != ':'; i++)
            if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
                return 0;
        return 1;
    }
    return 0;
}

static int truthy(const char *v, int dflt)
{
    if (v == NULL)
        return dflt;
    return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* SPEC: issue 16 — <transport kind="as2" url as2-id our-as2-id sign encrypt
 * compress mdn mdn-sign partner-cert>; research §4.5: signed and encrypted
 * in both directions unless the partnership says otherwise. */
static int load_as2(struct loader *ld, xmlNodePtr tr, struct gw_as2_conf *a)
{
    static const char *const need[] = {"url", "as2-id", "our-as2-id", "partner-cert"};
    const char *v[4], *sec;
    char missing[128] = "";
    size_t i;

    for (i = 0; i < 4; i++) {
        v[i] = attr(ld, tr, need[i]);
        if (v[i] == NULL || *v[i] == '\0')
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s", missing[0] ? ", " : "",
                     need[i]);
    }
    if (missing[0])
        return fail_at(ld, tr, "<transport kind=\"as2\">: %s missing (url, as2-id, our-as2-id and partner-cert "
                       "are required)", missing);
    a->url = v[0];
    a->as2_id = v[1];
    a->our_as2_id = v[2];
    a->partner_cert = join(ld, v[3]);
    if (strncmp(a->url, "http://", 7) == 0 && !url_loopback(a->url))
        return fail_at(ld, tr, "<transport kind=\"as2\" url=\"%s\">: plain http:// only to a loopback address "
                       "(tests); a partner is reached over https://", a->url);
    a->sign = attr(ld, tr, "sign");
    if (a->sign == NULL)
        a->sign = "sha256";
    a->encrypt = attr(ld, tr, "encrypt");
    if (a->encrypt == NULL)
        a->encrypt = "aes256-cbc";
    a->compress = truthy(attr(ld, tr, "compress"), 0);
    a->mdn = attr(ld, tr, "mdn");
    if (a->mdn == NULL)
        a->mdn = "sync";
    a->mdn_sign = attr(ld, tr, "mdn-sign");
    if (a->mdn_sign == NULL)
        a->mdn_sign = "sha256";
    a->mdn_url = attr(ld, tr, "mdn-url");
    a->mdn_timeout = int_attr(ld, tr, "mdn-timeout", 600);
    if (a->mdn_timeout < 5)
        return fail_at(ld, tr, "<transport kind=\"as2\">: mdn-timeout %d is under 5 seconds", a->mdn_timeout);
    sec = attr(ld, tr, "inbound-security");
    if (sec == NULL)
        sec = "signed-encrypted";
    a->require_signed = strstr(sec, "signed") != NULL;
    a->require_encrypted = strstr(sec, "encrypted") != NULL;
    a->content_type = attr(ld, tr, "content-type");
    if (a->content_type == NULL)
        a->content_type = "application/edi-x12";
    if ((sec = attr(ld, tr, "ca-file")) != NULL)
        a->ca_file = join(ld, sec);
    if (strcmp(a->mdn, "async") == 0 && a->mdn_url == NULL) {
        const struct gw_as2_listen *l = &ld->cfg->as2;

        if (l->url != NULL)
            a->mdn_url = l->url;
        else
            return fail_at(ld, tr, "<transport kind=\"as2\" mdn=\"async\">: no address for the receipt: give "
                           "mdn-url, or <as2 url=\"...\"> (what partners POST to)");
    }
    return 0;
}

/* <as2 listen path url tls-cert tls-key public max-bytes>: one, before the
 * partners. The files are read when the listener starts. */
static int as2_listener(struct loader *ld, xmlNodePtr root)
{
    struct gw_as2_listen *l = &ld->cfg->as2;
    xmlNodePtr n = child(root, "as2");
    struct gw_listen at;
    struct edi_err e;
    const char *v;

    l->path = "/as2";
    l->max_bytes = 64L << 20;
    if (n == NULL)
        return 0;
    l->line = (int)xmlGetLineNo(n);
    l->listen = attr(ld, n, "listen");
    if ((v = attr(ld, n, "path")) != NULL)
        l->path = v;
    if (l->path[0] != '/' || strchr(l->path, '?') || strchr(l->path, '#'))
        return fail_at(ld, n, "<as2 path=\"%s\">: a path starts with '/' and has no '?' or '#'", l->path);
    l->url = attr(ld, n, "url");
    l->public_ = truthy(attr(ld, n, "public"), 0);
    if ((v = attr(ld, n, "max-bytes")) != NULL) {
        l->max_bytes = 0;
        for (; *v >= '0' && *v <= '9' && l->max_bytes < (1L << 40); v++)
            l->max_bytes = l->max_bytes * 10 + (*v - '0');
        if (l->max_bytes < 1024 || l->max_bytes > (1L << 30))
            return fail_at(ld, n, "<as2 max-bytes>: from 1024 to 1073741824");
    }
    if ((v = attr(ld, n, "tls-cert")) != NULL)
        l->tls_cert = join(ld, v);
    if ((v = attr(ld, n, "tls-key")) != NULL)
        l->tls_key = join(ld, v);
    if ((l->tls_cert == NULL) != (l->tls_key == NULL))
        return fail_at(ld, n, "<as2>: tls-cert and tls-key go together (a certificate and its key, PEM)");
    edi_err_clear(&e);
    if (gw_listen_parse(&at, l->listen, &e) < 0)
        return fail_at(ld, n, "<as2 listen>: %s", e.msg);
    /* SPEC: issue 17 — a listener binds to loopback unless told otherwise */
    if (!at.loopback && !l->public_)
        return fail_at(ld, n, "<as2 listen=\"%s\">: not a loopback address; wharf listens beyond this host only "
                       "when told so: public=\"true\"%s", l->listen,
                       l->tls_cert ? "" : ", with tls-cert and tls-key (or a TLS proxy in front)");
    if (l->url == NULL && at.port != 0) {
        size_t len = strlen(l->listen) + strlen(l->path) + 16;
        char *u = edi_pool_alloc(ld->pl, len);

        snprintf(u, len, "%s://%s%s", l->tls_cert ? "https" : "http", l->listen, l->path);
        l->url = u;
    }
    return 0;
}

static int address(struct loader *ld, struct gw_address *a, xmlNodePtr n)
{
    xmlNodePtr c;
    int k = 0;

    memset(a, 0, sizeof(*a));
    if (n == NULL)
        return 0;
    for (c = n->children; c; c = c->next) {
        if (!is_el(c, "street"))
            continue;
        if (k++ == 0)
            a->street1 = text(ld, c);
        else
            a->street2 = text(ld, c);
    }
    a->city = child_text(ld, n, "city");
    a->state = child_text(ld, n, "state");
    a->postal_code = child_text(ld, n, "postal-code");
    a->country = child_text(ld, n, "country");
    if (a->state == NULL && a->country &&
        (strcmp(a->country, "US") == 0 || strcmp(a->country, "CA") == 0))
        return fail_at(ld, n, "<address>: a %s address needs a <state>", a->country);
    return 0;
}

static const char *const derived_params[] = {"vendor-code", "x12-version", "gs1-company-prefix",
                                             "sscc-extension", "currency"};

static void params(struct loader *ld, struct map_param **out, size_t *nout, xmlNodePtr n,
                   size_t extra)
{
    xmlNodePtr c;
    struct map_param *v = edi_pool_alloc(ld->pl, (count(n, "param") + extra + 1) * sizeof(*v));
    size_t k = 0;

    for (c = n->children; c; c = c->next) {
        if (!is_el(c, "param"))
            continue;
        v[k].name = attr(ld, c, "name");
        v[k].value = raw_attr(ld, c, "value");
        k++;
    }
    *out = v;
    *nout = k;
}

static void add_param(struct gw_partner *p, const char *name, const char *value)
{
    if (value == NULL || gw_partner_param(p, name) != NULL)
        return;
    p->params[p->nparams].name = name;
    p->params[p->nparams].value = value;
    p->nparams++;
}

static int amounts(struct loader *ld, struct gw_invoice_amount **out, size_t *nout, xmlNodePtr n,
                   const char *name)
{
    xmlNodePtr c;
    struct gw_invoice_amount *v = edi_pool_alloc(ld->pl, (count(n, name) + 1) * sizeof(*v));
    size_t k = 0;

    for (c = n->children; c; c = c->next) {
        if (!is_el(c, name))
            continue;
        v[k].type = attr(ld, c, "type");
        v[k].amount = attr(ld, c, "amount");
        v[k].percent = attr(ld, c, "percent");
        v[k].description = attr(ld, c, "description");
        if ((v[k].amount == NULL) == (v[k].percent == NULL))
            return fail_at(ld, c, "<%s type=\"%s\">: give exactly one of amount=\"...\" (per "
                                  "invoice) and percent=\"...\" (of the line total)",
                           name, v[k].type);
        k++;
    }
    *out = v;
    *nout = k;
    return 0;
}

static int invoice(struct loader *ld, struct gw_invoice_cfg *inv, xmlNodePtr n)
{
    xmlNodePtr c, rt, terms;
    size_t k = 0;
    int rc;

    memset(inv, 0, sizeof(*inv));
    inv->discount_days = -1;
    if (n == NULL)
        return 0;
    inv->present = 1;
    inv->number_prefix = attr(ld, n, "number-prefix");
    inv->per = attr(ld, n, "per");
    inv->currency = attr(ld, n, "currency");
    if (inv->per == NULL)
        inv->per = "asn-po";
    if (inv->currency == NULL)
        inv->currency = "USD";
    rt = child(n, "remit-to");
    inv->remit_party_id = attr(ld, rt, "party-id");
    inv->remit_name = child_text(ld, rt, "name");
    if ((rc = address(ld, &inv->remit_address, child(rt, "address"))) < 0)
        return rc;
    terms = child(n, "terms");
    inv->terms_type = attr(ld, terms, "type");
    inv->terms_basis = attr(ld, terms, "basis");
    if (inv->terms_basis == NULL)
        inv->terms_basis = "invoice-date";
    inv->net_days = int_attr(ld, terms, "net-days", 0);
    inv->discount_percent = attr(ld, terms, "discount-percent");
    inv->discount_days = int_attr(ld, terms, "discount-days", -1);
    inv->terms_description = attr(ld, terms, "description");
    if ((inv->discount_percent == NULL) != (inv->discount_days < 0))
        return fail_at(ld, terms, "<terms>: a discount needs both discount-percent and "
                                  "discount-days");
    inv->taxes = edi_pool_alloc(ld->pl, (count(n, "tax") + 1) * sizeof(*inv->taxes));
    for (c = n->children; c; c = c->next) {
        if (!is_el(c, "tax"))
            continue;
        inv->taxes[k].type = attr(ld, c, "type");
        inv->taxes[k].rate = attr(ld, c, "rate");
        k++;
    }
    inv->ntaxes = k;
    if ((rc = amounts(ld, &inv->charges, &inv->ncharges, n, "charge")) < 0)
        return rc;
    return amounts(ld, &inv->allowances, &inv->nallowances, n, "allowance");
}

static int warehouses(struct loader *ld, xmlNodePtr root)
{
    struct gw_config *cfg = ld->cfg;
    xmlNodePtr c;
    int rc;

    cfg->warehouses = edi_pool_alloc(ld->pl, (count(root, "warehouse") + 1) * sizeof(*cfg->warehouses));
    for (c = root->children; c; c = c->next) {
        struct gw_warehouse *w;

        if (!is_el(c, "warehouse"))
            continue;
        w = &cfg->warehouses[cfg->nwarehouses++];
        w->code = attr(ld, c, "code");
        w->name = child_text(ld, c, "name");
        w->line = (int)xmlGetLineNo(c);
        if ((rc = address(ld, &w->address, child(c, "address"))) < 0)
            return rc;
    }
    return 0;
}

static int partner(struct loader *ld, struct gw_partner *p, xmlNodePtr n)
{
    struct gw_config *cfg = ld->cfg;
    xmlNodePtr c, ic, x12, tr, ack, gs1;
    const char *v, *dir;
    int rc;

    p->id = attr(ld, n, "id");
    p->program = attr(ld, n, "program");
    p->name = child_text(ld, n, "name");
    p->line = (int)xmlGetLineNo(n);
    ic = child(n, "interchange");
    p->isa_qualifier = attr(ld, ic, "qualifier");
    p->isa_id = attr(ld, ic, "id");
    p->gs_id = p->group_id = attr(ld, ic, "group-id");
    if (p->gs_id == NULL)
        p->gs_id = p->isa_id;
    if (strcmp(p->isa_qualifier, cfg->vendor_isa_qualifier) == 0 &&
        strcmp(p->isa_id, cfg->vendor_isa_id) == 0)
        return fail_at(ld, ic, "<interchange>: partner %s has the vendor's own interchange id %s/%s", p->id,
                       p->isa_qualifier, p->isa_id);
    p->vendor_code = child_text(ld, n, "vendor-code");
    if (p->vendor_code == NULL)
        p->vendor_code = cfg->vendor_code;

    x12 = child(n, "x12");
    p->x12_version = attr(ld, x12, "version");
    v = attr(ld, x12, "usage");
    p->usage = v && v[0] == 'T' ? 'T' : 'P';
    p->functional_ack = attr(ld, x12, "functional-ack");
    if (p->functional_ack == NULL)
        p->functional_ack = strcmp(p->x12_version, "005010") == 0 ? "999" : "997";
    v = attr(ld, x12, "ta1");
    p->ta1 = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    /* the schema allows only the values these parse */
    p->text_in = edi_text_in_parse(attr(ld, x12, "inbound-charset"));
    p->text_out = edi_text_out_parse(attr(ld, x12, "outbound-charset"));
    if (p->text_in < 0 || p->text_out < 0)
        return fail_at(ld, x12, "<x12>: unknown inbound-charset or outbound-charset");

    tr = child(n, "transport");
    p->transport = attr(ld, tr, "kind");
    p->settle_seconds = int_attr(ld, tr, "settle-seconds", 0);
    p->incomplete_seconds = int_attr(ld, tr, "incomplete-seconds", 900);
    dir = attr(ld, tr, "dir");
    if (dir == NULL) {
        size_t len = strlen(p->id) + sizeof("partners/");
        char *d = edi_pool_alloc(ld->pl, len);

        snprintf(d, len, "partners/%s", p->id);
        dir = d;
    }
    p->spool_dir = join(ld, dir);
    if (strcmp(p->transport, "sp-api") == 0 && (rc = load_spapi(ld, tr, &p->spapi)) < 0)
        return rc;
    if (strcmp(p->transport, "sftp") == 0 && (rc = load_sftp(ld, tr, &p->sftp)) < 0)
        return rc;
    if (strcmp(p->transport, "as2") == 0 && (rc = load_as2(ld, tr, &p->as2)) < 0)
        return rc;
    {
        static const char *const sub[4] = {"inbound", "outbound", "archive", "quarantine"};
        const char **dst[4] = {&p->inbound, &p->outbound, &p->archive, &p->quarantine};
        int i;

        for (i = 0; i < 4; i++) {
            size_t len = strlen(p->spool_dir) + strlen(sub[i]) + 2;
            char *s = edi_pool_alloc(ld->pl, len);

            snprintf(s, len, "%s/%s", p->spool_dir, sub[i]);
            *dst[i] = s;
        }
    }

    p->guides = edi_pool_alloc(ld->pl, (count(n, "guide") + 1) * sizeof(*p->guides));
    p->maps = edi_pool_alloc(ld->pl, (count(n, "map") + 1) * sizeof(*p->maps));
    p->schedules = edi_pool_alloc(ld->pl, (count(n, "schedule") + 1) * sizeof(*p->schedules));
    p->ship_from = edi_pool_alloc(ld->pl, (count(n, "ship-from") + 1) * sizeof(*p->ship_from));
    for (c = n->children; c; c = c->next) {
        if (is_el(c, "guide")) {
            struct gw_guide_ref *g = &p->guides[p->nguides++];

            g->set = attr(ld, c, "set");
            g->version = attr(ld, c, "version");
            if (g->version == NULL)
                g->version = p->x12_version;
            g->name = attr(ld, c, "name");
        } else if (is_el(c, "map")) {
            struct gw_map_ref *m = &p->maps[p->nmaps++];

            m->flow = attr(ld, c, "flow");
            m->name = attr(ld, c, "name");
        } else if (is_el(c, "schedule")) {
            struct gw_schedule *s = &p->schedules[p->nschedules++];
            struct edi_err e;

            s->job = attr(ld, c, "job");
            s->text = attr(ld, c, "cron");
            s->line = (int)xmlGetLineNo(c);
            edi_err_clear(&e);
            if (gw_cron_parse(&s->cron, s->text, &e) < 0)
                return fail_at(ld, c, "<schedule job=\"%s\">: %s", s->job, e.msg);
        } else if (is_el(c, "ship-from")) {
            struct gw_ship_from *sf = &p->ship_from[p->nship_from++];
            xmlNodePtr a = child(c, "address");

            sf->warehouse = attr(ld, c, "warehouse");
            sf->party_id = attr(ld, c, "party-id");
            sf->line = (int)xmlGetLineNo(c);
            sf->wh = gw_config_warehouse(cfg, sf->warehouse);
            if (sf->wh == NULL)     /* the schema's keyref sees this first */
                return fail_at(ld, c, "<ship-from>: warehouse %s is not declared", sf->warehouse);
            sf->name = child_text(ld, c, "name");
            if (sf->name == NULL)
                sf->name = sf->wh->name;
            if (a == NULL)
                sf->address = sf->wh->address;
            else if ((rc = address(ld, &sf->address, a)) < 0)
                return rc;
        }
    }

    ack = child(n, "acknowledge");
    v = attr(ld, ack, "mode");
    p->ack_mode = strcmp(v, "auto-all") == 0     ? GW_ACK_AUTO_ALL
                  : strcmp(v, "auto-stock") == 0 ? GW_ACK_AUTO_STOCK
                                                 : GW_ACK_MANUAL;
    p->ack_warn_hours = int_attr(ld, ack, "warn-hours", 4);
    p->backorder_lead_days = int_attr(ld, ack, "backorder-lead-days", 0);

    gs1 = child(n, "gs1");
    p->sscc_extension = '0';
    if (gs1) {
        p->gs1_prefix = attr(ld, gs1, "company-prefix");
        v = attr(ld, gs1, "extension-digit");
        if (v && v[0])
            p->sscc_extension = v[0];
    }
    if ((rc = invoice(ld, &p->invoice, child(n, "invoice"))) < 0)
        return rc;

    params(ld, &p->params, &p->nparams, n, sizeof(derived_params) / sizeof(derived_params[0]));
    add_param(p, "vendor-code", p->vendor_code);
    add_param(p, "x12-version", p->x12_version);
    add_param(p, "gs1-company-prefix", p->gs1_prefix);
    if (p->gs1_prefix) {
        char *e = edi_pool_alloc(ld->pl, 2);

        e[0] = p->sscc_extension;
        add_param(p, "sscc-extension", e);
    }
    if (p->invoice.present)
        add_param(p, "currency", p->invoice.currency);
    return 0;
}

/* The first value in n (its text or attributes, and its children's) that
 * is not ASCII: the element holding it, and the value in *what, for
 * outbound-charset="refuse". Comments are not values. */
static xmlNodePtr non_ascii(xmlNodePtr n, const char **what)
{
    xmlNodePtr c, r;
    xmlAttrPtr a;

    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        const unsigned char *s = n->content;

        while (s && *s && *s < 0x80)
            s++;
        if (s && *s) {
            *what = (const char *)n->content;
            return n->parent;
        }
        return NULL;
    }
    if (n->type != XML_ELEMENT_NODE)
        return NULL;
    for (a = n->properties; a; a = a->next)
        for (c = a->children; c; c = c->next)
            if (non_ascii(c, what) != NULL)
                return n;
    for (c = n->children; c; c = c->next)
        if ((r = non_ascii(c, what)) != NULL)
            return r;
    return NULL;
}

/* SPEC: issue 11 §2 — a partner that takes the X12 character set only and
 * refuses transliteration gets no value it cannot read: what its documents
 * carry from wharf.xml (the vendor, the warehouses, its own <partner>) must
 * be ASCII, which is checked here, at load, with the line. */
static int refuse_non_ascii(struct loader *ld, xmlNodePtr root, const struct gw_partner *p,
                            xmlNodePtr pn)
{
    xmlNodePtr c, bad = NULL;
    const char *what = NULL;

    for (c = root->children; c && bad == NULL; c = c->next)
        if (is_el(c, "vendor") || is_el(c, "warehouse") || c == pn)
            bad = non_ascii(c, &what);
    if (bad == NULL)
        return 0;
    {
        char shown[64];
        size_t k = strcspn(what, "\n");

        snprintf(shown, sizeof(shown), "%.*s", (int)(k > 60 ? 60 : k), what);
        return fail_at(ld, bad, "<%s> '%s' has characters outside the X12 character set, and "
                                "partner %s has outbound-charset=\"refuse\": write it in ASCII, or "
                                "set outbound-charset=\"transliterate\"",
                       (const char *)bad->name, shown, p->id);
    }
}

/* The words of a receives= or provides= list as bits of names[]. */
static unsigned word_bits(const char *v, const char *const *names, size_t n)
{
    unsigned bits = 0;
    size_t i, len;

    while (v && *v) {
        while (*v == ' ')
            v++;
        len = strcspn(v, " ");
        for (i = 0; i < n; i++)
            if (strlen(names[i]) == len && strncmp(v, names[i], len) == 0)
                bits |= 1u << i;
        v += len;
    }
    return bits;
}

/* <erp kind="brightpearl|quickbooks" id=...>: the ERPs wharf talks to over
 * their APIs. What one receives, another may not: two that provide the
 * same pull (decisions from two ERPs) are refused, since wharf would not
 * know which one decides. */
static int remote_erps(struct loader *ld, xmlNodePtr root)
{
    static const char *const receives[] = {"orders", "shipments", "invoices", "payments"};
    static const char *const provides[] = {"decisions", "stock", "packing-lists"};
    struct gw_config *cfg = ld->cfg;
    unsigned taken = 0;
    xmlNodePtr c;

    cfg->erps = edi_pool_alloc(ld->pl, (count(root, "erp") + 1) * sizeof(*cfg->erps));
    for (c = root->children; c; c = c->next) {
        struct gw_erp_conf *e;
        const char *kind, *v;

        if (!is_el(c, "erp") || (kind = attr(ld, c, "kind")) == NULL || strcmp(kind, "files") == 0)
            continue;
        e = &cfg->erps[cfg->nerps];
        memset(e, 0, sizeof(*e));
        e->kind = kind;
        e->line = (int)xmlGetLineNo(c);
        e->id = attr(ld, c, "id");
        if (e->id == NULL)
            return fail_at(ld, c, "<erp kind=\"%s\">: an id is needed (id=\"bp\")", kind);
        e->endpoint = attr(ld, c, "endpoint");
        e->token_endpoint = attr(ld, c, "token-endpoint");
        e->account = attr(ld, c, "account");
        e->realm = attr(ld, c, "realm");
        e->auth = attr(ld, c, "auth");
        v = attr(ld, c, "ca-file");
        e->ca_file = v ? join(ld, v) : NULL;
        e->receives = word_bits(attr(ld, c, "receives"), receives, 4);
        e->provides = word_bits(attr(ld, c, "provides"), provides, 3);
        e->minor_version = attr(ld, c, "minor-version");
        if (strcmp(kind, "brightpearl") == 0 && e->account == NULL)
            return fail_at(ld, c, "<erp kind=\"brightpearl\">: the Brightpearl account code is needed "
                                  "(account=\"acme\")");
        if (strcmp(kind, "quickbooks") == 0 && e->realm == NULL)
            return fail_at(ld, c, "<erp kind=\"quickbooks\">: the QuickBooks company id is needed "
                                  "(realm=\"9130...\")");
        if (strcmp(kind, "quickbooks") == 0 && (e->receives & GW_ERP_SHIPMENTS))
            return fail_at(ld, c, "<erp kind=\"quickbooks\">: QuickBooks Online keeps no shipments: it "
                                  "receives orders (as estimates), invoices and payments");
        if (strcmp(kind, "quickbooks") == 0 && e->provides)
            return fail_at(ld, c, "<erp kind=\"quickbooks\">: QuickBooks Online provides no decisions, "
                                  "stock or packing lists to wharf");
        if (e->provides & taken)
            return fail_at(ld, c, "<erp id=\"%s\">: another ERP already provides what this one provides "
                                  "(provides=\"%s\")", e->id, attr(ld, c, "provides"));
        for (size_t k = 0; k < cfg->nerps; k++)
            if (strcmp(cfg->erps[k].id, e->id) == 0)
                return fail_at(ld, c, "<erp id=\"%s\">: two ERPs with the same id", e->id);
        taken |= e->provides;
        params(ld, &e->params, &e->nparams, c, 0);
        cfg->nerps++;
    }
    return 0;
}

int gw_listen_parse(struct gw_listen *out, const char *text, struct edi_err *err)
{
    const char *colon, *p, *host = text;
    size_t hn;
    unsigned long port = 0;
    unsigned char a[16];

    memset(out, 0, sizeof(*out));
    if (text == NULL || *text == '\0')
        return edi_fail(err, EDI_ESYNTAX, "no address: HOST:PORT (127.0.0.1:8080)");
    if ((colon = strrchr(text, ':')) == NULL || colon[1] == '\0')
        return edi_fail(err, EDI_ESYNTAX, "'%s' is not HOST:PORT (127.0.0.1:8080, [::1]:8080)", text);
    for (p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9' || port > 65535)
            return edi_fail(err, EDI_ESYNTAX, "'%s': the port is not a number from 0 to 65535", text);
        port = port * 10 + (unsigned long)(*p - '0');
    }
    if (port > 65535)
        return edi_fail(err, EDI_ESYNTAX, "'%s': the port is not a number from 0 to 65535", text);
    hn = (size_t)(colon - text);
    if (hn >= 2 && text[0] == '[' && text[hn - 1] == ']') {
        host = text + 1;
        hn -= 2;
        out->v6 = 1;
    }
    if (hn == 0 || hn >= sizeof(out->host))
        return edi_fail(err, EDI_ESYNTAX, "'%s' is not HOST:PORT (127.0.0.1:8080, [::1]:8080)", text);
    memcpy(out->host, host, hn);
    out->host[hn] = '\0';
    if (!out->v6 && strcmp(out->host, "localhost") == 0)
        snprintf(out->host, sizeof(out->host), "127.0.0.1");
    if (inet_pton(out->v6 ? AF_INET6 : AF_INET, out->host, a) != 1)
        return edi_fail(err, EDI_ESYNTAX, "'%s': %s is not an IP%s address%s", text, out->host,
                        out->v6 ? "v6" : "v4", out->v6 ? "" : " (an IPv6 one goes in brackets: [::1]:8080)");
    out->port = (unsigned)port;
    out->loopback = out->v6 ? memcmp(a, &in6addr_loopback, 16) == 0 : a[0] == 127;
    return 0;
}

/* <http listen tls-cert tls-key public>: checked here, so a refusal names
 * the line; the files are read when the server starts. */
static int http_listener(struct loader *ld, xmlNodePtr root)
{
    struct gw_http_conf *h = &ld->cfg->http;
    xmlNodePtr n = child(root, "http");
    struct gw_listen l;
    struct edi_err e;
    const char *v;

    if (n == NULL)
        return 0;
    h->line = (int)xmlGetLineNo(n);
    h->listen = attr(ld, n, "listen");
    v = attr(ld, n, "public");
    h->public_ = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    edi_err_clear(&e);
    if (gw_listen_parse(&l, h->listen, &e) < 0)
        return fail_at(ld, n, "<http listen>: %s", e.msg);
    if ((v = attr(ld, n, "tls-cert")) != NULL)
        h->tls_cert = join(ld, v);
    if ((v = attr(ld, n, "tls-key")) != NULL)
        h->tls_key = join(ld, v);
    if ((h->tls_cert == NULL) != (h->tls_key == NULL))
        return fail_at(ld, n, "<http>: tls-cert and tls-key go together (a certificate and its key, PEM)");
    if (h->tls_cert && access(h->tls_cert, R_OK) != 0)
        return fail_at(ld, n, "<http tls-cert>: %s cannot be read: %s", h->tls_cert, strerror(errno));
    if (h->tls_key && access(h->tls_key, R_OK) != 0)
        return fail_at(ld, n, "<http tls-key>: %s cannot be read: %s", h->tls_key, strerror(errno));
    /* SPEC: issue 17 — it binds to loopback unless told otherwise */
    if (!l.loopback && !h->public_)
        return fail_at(ld, n, "<http listen=\"%s\">: not a loopback address; wharf listens beyond this "
                              "host only when told so: public=\"true\"%s", h->listen,
                       h->tls_cert ? "" : ", with tls-cert and tls-key (or a TLS proxy in front)");
    return 0;
}

static int build(struct loader *ld, xmlNodePtr root)
{
    struct gw_config *cfg = ld->cfg;
    xmlNodePtr vendor, ic, erp, store, log, c;
    const char *v;
    int rc;

    vendor = child(root, "vendor");
    cfg->vendor_name = child_text(ld, vendor, "name");
    ic = child(vendor, "interchange");
    cfg->vendor_isa_qualifier = attr(ld, ic, "qualifier");
    cfg->vendor_isa_id = attr(ld, ic, "id");
    cfg->vendor_gs_id = cfg->vendor_group_id = attr(ld, ic, "group-id");
    if (cfg->vendor_gs_id == NULL)
        cfg->vendor_gs_id = cfg->vendor_isa_id;
    cfg->vendor_code = child_text(ld, vendor, "vendor-code");
    if ((rc = warehouses(ld, root)) < 0)
        return rc;

    /* the file exchange: the <erp> without a kind other than files; none
     * at all is the embedded default; only remote ERPs: no files */
    erp = NULL;
    for (c = root->children; c; c = c->next)
        if (is_el(c, "erp") && (v = attr(ld, c, "kind")) != NULL && strcmp(v, "files") == 0 && erp == NULL)
            erp = c;
    cfg->erp_kind = "files";
    if (erp != NULL || count(root, "erp") == 0) {
        v = child_text(ld, erp, "in");
        cfg->erp_in = join(ld, v ? v : "erp/in");
        v = child_text(ld, erp, "out");
        cfg->erp_out = join(ld, v ? v : "erp/out");
    }
    v = erp ? attr(ld, erp, "formats") : NULL;
    cfg->erp_json = v == NULL || strstr(v, "json") != NULL;
    cfg->erp_csv = v == NULL || strstr(v, "csv") != NULL;
    v = erp ? attr(ld, erp, "layout") : NULL;
    cfg->erp_per_file = v != NULL && strcmp(v, "per-file") == 0;
    if (erp) {
        cfg->erp_maps = edi_pool_alloc(ld->pl, (count(erp, "map") + 1) * sizeof(*cfg->erp_maps));
        for (c = erp->children; c; c = c->next) {
            if (is_el(c, "map")) {
                cfg->erp_maps[cfg->nerp_maps].flow = attr(ld, c, "flow");
                cfg->erp_maps[cfg->nerp_maps].name = attr(ld, c, "name");
                cfg->nerp_maps++;
            }
        }
        params(ld, &cfg->erp_params, &cfg->nerp_params, erp, 0);
    }
    if ((rc = remote_erps(ld, root)) < 0)
        return rc;

    store = child(root, "store");
    v = attr(ld, store, "path");
    cfg->store_path = join(ld, v ? v : "wharf.db");
    /* SPEC: issue 18 — <inbound workers="N"/>: map threads (0: in the flow's own) */
    cfg->inbound_workers = int_attr(ld, child(root, "inbound"), "workers", -1);
    log = child(root, "log");
    v = attr(ld, log, "dir");
    cfg->log_dir = join(ld, v ? v : "log");
    v = attr(ld, log, "level");
    cfg->log_level = v ? v : "info";
    /* SPEC: issue 17 — <log format="text|json"> for log shippers */
    v = attr(ld, log, "format");
    cfg->log_json = v && strcmp(v, "json") == 0;
    /* <retention personal-data-days="N"/>: 0 (or no element) purges only by hand */
    cfg->retention_days = int_attr(ld, child(root, "retention"), "personal-data-days", 0);
    if ((rc = http_listener(ld, root)) < 0 || (rc = as2_listener(ld, root)) < 0)
        return rc;

    cfg->partners = edi_pool_alloc(ld->pl, (count(root, "partner") + 1) * sizeof(*cfg->partners));
    for (c = root->children; c; c = c->next) {
        if (!is_el(c, "partner"))
            continue;
        if ((rc = partner(ld, &cfg->partners[cfg->npartners], c)) < 0)
            return rc;
        if (cfg->partners[cfg->npartners].text_out == EDI_TEXT_REFUSE &&
            (rc = refuse_non_ascii(ld, root, &cfg->partners[cfg->npartners], c)) < 0)
            return rc;
        /* an AS2 message finds its partnership by (AS2-From, AS2-To) */
        for (size_t k = 0; k < cfg->npartners; k++) {
            const struct gw_partner *a = &cfg->partners[k], *b = &cfg->partners[cfg->npartners];

            if (strcmp(a->transport, "as2") == 0 && strcmp(b->transport, "as2") == 0 &&
                strcmp(a->as2.as2_id, b->as2.as2_id) == 0 && strcmp(a->as2.our_as2_id, b->as2.our_as2_id) == 0)
                return fail_at(ld, child(c, "transport"), "<transport kind=\"as2\">: partner %s has the same "
                               "as2-id and our-as2-id (%s, %s) as %s: a message could not tell them apart", b->id,
                               b->as2.as2_id, b->as2.our_as2_id, a->id);
        }
        cfg->npartners++;
    }
    return 0;
}

/* ---- cross-checks against guides and maps ------------------------------------------- */

static int map_registered(struct map_engine *maps, const char *name)
{
    const struct map_info *all[512];
    size_t n = map_list(all, sizeof(all) / sizeof(all[0]), maps), i;

    for (i = 0; i < n && i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(all[i]->name, name) == 0)
            return 1;
    return 0;
}

static const char *format_name(enum map_format f)
{
    return f == MAP_X12 ? "X12" : f == MAP_JSON ? "JSON" : "XML";
}

/* A flow ending in -in turns a format into a canonical document (XML); one
 * ending in -out reads a canonical document. */
static int check_map(struct loader *ld, xmlNodePtr n, struct map_engine *maps, const char *flow,
                     const char *name, const char *partner_id)
{
    const struct map_info *m;
    struct edi_err e;
    size_t fl = strlen(flow);
    int in = fl > 3 && strcmp(flow + fl - 3, "-in") == 0;

    edi_err_clear(&e);
    if (!map_registered(maps, name) || map_find(&m, maps, name, partner_id, &e) < 0)
        return fail_at(ld, n, "<map flow=\"%s\">: no map %s in %s/registry.xml (see `wharf map list`)",
                       flow, name, map_engine_dir(maps));
    if (in && (m->in == MAP_XML || m->out != MAP_XML))
        return fail_at(ld, n, "<map flow=\"%s\">: map %s reads %s and writes %s; an inbound flow "
                              "needs one that writes a canonical document from X12 or JSON",
                       flow, name, format_name(m->in), format_name(m->out));
    if (!in && m->in != MAP_XML)
        return fail_at(ld, n, "<map flow=\"%s\">: map %s reads %s; an outbound flow needs one "
                              "that reads a canonical document",
                       flow, name, format_name(m->in));
    return 0;
}

/* The element behind the k-th child of n named name. */
static xmlNodePtr nth(xmlNodePtr n, const char *name, size_t k)
{
    xmlNodePtr c;

    for (c = n->children; c; c = c->next)
        if (is_el(c, name) && k-- == 0)
            return c;
    return n;
}

static int cross_check(struct loader *ld, xmlNodePtr root, struct edi_guides *guides,
                       struct map_engine *maps)
{
    struct gw_config *cfg = ld->cfg;
    xmlNodePtr pn = root->children, erp = child(root, "erp");
    size_t i, k;
    int rc;

    for (k = 0; k < cfg->nerp_maps; k++)
        if ((rc = check_map(ld, nth(erp, "map", k), maps, cfg->erp_maps[k].flow,
                            cfg->erp_maps[k].name, NULL)) < 0)
            return rc;
    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];

        while (pn && !is_el(pn, "partner"))
            pn = pn->next;
        for (k = 0; k < p->nguides; k++) {
            const struct gw_guide_ref *gr = &p->guides[k];
            xmlNodePtr gn = nth(pn, "guide", k);
            struct edi_guide_id g;
            struct edi_err e;
            size_t j;

            for (j = 0; j < k; j++)
                if (strcmp(p->guides[j].set, gr->set) == 0 &&
                    strcmp(p->guides[j].version, gr->version) == 0)
                    return fail_at(ld, gn, "<guide set=\"%s\">: a second guide for set %s in X12 "
                                           "%s (give another version its own version=\"...\")",
                                   gr->set, gr->set, gr->version);
            edi_err_clear(&e);
            /* only what it is for: a compile costs more than the rest of the
             * load, and a command that validates nothing needs none */
            if (edi_guides_peek(&g, guides, gr->name, &e) < 0)
                return fail_at(ld, gn, "<guide set=\"%s\">: %s", gr->set, e.msg);
            if (strcmp(g.set, gr->set) != 0)
                return fail_at(ld, gn, "<guide set=\"%s\">: guide %s is for set %s", gr->set,
                               gr->name, g.set);
            if (strcmp(g.version, gr->version) != 0)
                return fail_at(ld, gn, "<guide set=\"%s\">: guide %s is for X12 %s, not %s%s",
                               gr->set, gr->name, g.version, gr->version,
                               xmlHasProp(gn, (const xmlChar *)"version")
                                   ? ""
                                   : " (the partner's version; add version=\"...\")");
        }
        for (k = 0; k < p->nmaps; k++)
            if ((rc = check_map(ld, nth(pn, "map", k), maps, p->maps[k].flow, p->maps[k].name,
                                p->id)) < 0)
                return rc;
        pn = pn->next;
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------------------- */

static int read_schema(xmlSchemaPtr *out, const char *schemas_dir, struct edi_err *err)
{
    char path[4096];
    struct stat st;
    struct xerr x = {err, NULL, 0};
    xmlSchemaParserCtxtPtr pc;

    *out = NULL;
    if (edi_fmt(path, sizeof(path), err, "%s/config.xsd", schemas_dir) < 0)
        return EDI_ECONFIG;
    if (stat(path, &st) != 0)
        return edi_fail(err, EDI_ECONFIG,
                        "no configuration schema at %s: set WHARF_SCHEMAS to the schemas folder",
                        path);
    xmlSetStructuredErrorFunc(&x, (xmlStructuredErrorFunc)on_xml_error);
    pc = xmlSchemaNewParserCtxt(path);
    *out = pc ? xmlSchemaParse(pc) : NULL;
    xmlSchemaFreeParserCtxt(pc);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (*out == NULL) {
        if (!x.seen)
            edi_fail(err, EDI_ECONFIG, "%s: cannot read the configuration schema", path);
        return EDI_ECONFIG;
    }
    return 0;
}

/* Parses and validates; *out is the document. */
static int read_doc(xmlDocPtr *out, const char *path, const char *display, xmlSchemaPtr xsd,
                    struct edi_err *err)
{
    struct xerr x = {err, display, 0};
    xmlSchemaValidCtxtPtr v;
    xmlDocPtr doc;
    struct stat st;
    char *data;
    size_t n;
    int rc;

    *out = NULL;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return edi_fail(err, EDI_ENOTFOUND, "%s does not exist: not a wharf workspace "
                                                "(create one with `wharf init DIR`, or name one "
                                                "with -w DIR or WHARF_WORKSPACE)",
                            display);
        int e = errno;

        rc = edi_fail(err, EDI_EIO, "cannot read %s: %s", display, strerror(e));
        if (err)
            err->sys = e;
        return rc;
    }
    if (!S_ISREG(st.st_mode))
        return edi_fail(err, EDI_ECONFIG, "%s is not a file", display);
    if ((uint64_t)st.st_size > MAX_CONFIG_BYTES)
        return edi_fail(err, EDI_ELIMIT, "%s is %lld bytes; a configuration is at most %u",
                        display, (long long)st.st_size, MAX_CONFIG_BYTES);
    if ((rc = edi_read_file(&data, &n, path, err)) < 0)
        return rc;
    xmlSetStructuredErrorFunc(&x, (xmlStructuredErrorFunc)on_xml_error);
    /* no network, no entity expansion, no DTD loading */
    doc = xmlReadMemory(data, (int)n, display, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (doc == NULL) {
        free(data);
        xmlSetStructuredErrorFunc(NULL, NULL);
        if (!x.seen)
            edi_fail(err, EDI_ECONFIG, "%s: not well-formed XML", display);
        return EDI_ECONFIG;
    }
    /* A configuration has no use for a DTD, and entity references would
     * reach the schema validator, which cannot handle them. */
    if (doc->intSubset || doc->extSubset) {
        const char *d = strstr(data, "<!DOCTYPE"), *q;
        int line = 1;

        for (q = data; d && q < d; q++)
            line += *q == '\n';
        free(data);
        xmlFreeDoc(doc);
        xmlSetStructuredErrorFunc(NULL, NULL);
        return edi_fail(err, EDI_ECONFIG, "%s:%d: <!DOCTYPE> is not allowed in a configuration",
                        display, line);
    }
    free(data);
    v = xmlSchemaNewValidCtxt(xsd);
    /* schema defaults become attributes in the tree */
    xmlSchemaSetValidOptions(v, XML_SCHEMA_VAL_VC_I_CREATE);
    xmlSchemaSetValidStructuredErrors(v, (xmlStructuredErrorFunc)on_xml_error, &x);
    rc = xmlSchemaValidateDoc(v, doc);
    xmlSchemaFreeValidCtxt(v);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (rc != 0 || x.seen) {
        if (!x.seen)
            edi_fail(err, EDI_ECONFIG, "%s: does not follow config.xsd", display);
        xmlFreeDoc(doc);
        return EDI_ECONFIG;
    }
    *out = doc;
    return 0;
}

int gw_config_load_with(struct gw_config **out, const char *workspace, const char *schemas_dir,
                        struct edi_guides *guides, struct map_engine *maps, struct edi_err *err)
{
    struct gw_config *cfg;
    struct loader ld;
    xmlSchemaPtr xsd = NULL;
    xmlDocPtr doc = NULL;
    char *path;
    int rc;

    *out = NULL;
    cfg = edi_xcalloc(1, sizeof(*cfg));
    edi_pool_init(&cfg->pool);
    cfg->workspace = edi_pool_strdup(&cfg->pool, workspace && *workspace ? workspace : ".");
    path = edi_pool_alloc(&cfg->pool, strlen(cfg->workspace) + sizeof("/wharf.xml"));
    snprintf(path, strlen(cfg->workspace) + sizeof("/wharf.xml"), "%s%swharf.xml", cfg->workspace,
             cfg->workspace[strlen(cfg->workspace) - 1] == '/' ? "" : "/");
    cfg->path = path;
    ld.cfg = cfg;
    ld.pl = &cfg->pool;
    ld.file = strcmp(cfg->workspace, ".") == 0 ? "wharf.xml" : cfg->path;
    ld.err = err;
    if ((rc = read_schema(&xsd, schemas_dir, err)) < 0)
        goto out;
    if ((rc = read_doc(&doc, cfg->path, ld.file, xsd, err)) < 0)
        goto out;
    if ((rc = build(&ld, xmlDocGetRootElement(doc))) < 0)
        goto out;
    if ((rc = cross_check(&ld, xmlDocGetRootElement(doc), guides, maps)) < 0)
        goto out;
    *out = cfg;
    cfg = NULL;
out:
    xmlFreeDoc(doc);
    xmlSchemaFree(xsd);
    gw_config_free(cfg);
    return rc;
}

int gw_config_load(struct gw_config **out, const char *workspace, const char *schemas_dir,
                   const char *mappings_dir, struct edi_err *err)
{
    struct map_engine *maps = NULL;
    int rc;

    *out = NULL;
    if ((rc = map_engine_new(&maps, mappings_dir, schemas_dir, err)) < 0)
        return rc;
    rc = gw_config_load_with(out, workspace, schemas_dir, map_engine_guides(maps), maps, err);
    map_engine_free(maps);
    return rc;
}

void gw_config_free(struct gw_config *cfg)
{
    if (cfg == NULL)
        return;
    edi_pool_dispose(&cfg->pool);
    free(cfg);
}

/* ---- lookups ------------------------------------------------------------------------------- */

const struct gw_partner *gw_config_partner(const struct gw_config *cfg, const char *id)
{
    size_t i;

    for (i = 0; cfg && id && i < cfg->npartners; i++)
        if (strcmp(cfg->partners[i].id, id) == 0)
            return &cfg->partners[i];
    return NULL;
}

const struct gw_partner *gw_config_partner_by_interchange(const struct gw_config *cfg,
                                                          const char *qualifier, const char *id)
{
    size_t i, n;

    if (cfg == NULL || qualifier == NULL || id == NULL)
        return NULL;
    /* SPEC: X12 ISA06/ISA08 are padded with spaces to 15 characters */
    n = strlen(id);
    while (n && id[n - 1] == ' ')
        n--;
    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];

        if (strcmp(p->isa_qualifier, qualifier) == 0 && strlen(p->isa_id) == n &&
            memcmp(p->isa_id, id, n) == 0)
            return p;
    }
    return NULL;
}

const struct gw_warehouse *gw_config_warehouse(const struct gw_config *cfg, const char *code)
{
    size_t i;

    for (i = 0; cfg && code && i < cfg->nwarehouses; i++)
        if (strcmp(cfg->warehouses[i].code, code) == 0)
            return &cfg->warehouses[i];
    return NULL;
}

const struct gw_ship_from *gw_config_ship_from(const struct gw_partner *p, const char *warehouse)
{
    size_t i;

    for (i = 0; p && warehouse && i < p->nship_from; i++)
        if (strcmp(p->ship_from[i].warehouse, warehouse) == 0)
            return &p->ship_from[i];
    return NULL;
}

const struct gw_ship_from *gw_config_ship_from_party(const struct gw_partner *p,
                                                     const char *party_id)
{
    size_t i;

    for (i = 0; p && party_id && i < p->nship_from; i++)
        if (strcmp(p->ship_from[i].party_id, party_id) == 0)
            return &p->ship_from[i];
    return NULL;
}

const struct gw_guide_ref *gw_partner_guide(const struct gw_partner *p, const char *set,
                                            const char *version)
{
    size_t i;

    if (p == NULL || set == NULL)
        return NULL;
    if (version == NULL)
        version = p->x12_version;
    for (i = 0; i < p->nguides; i++)
        if (strcmp(p->guides[i].set, set) == 0 && strcmp(p->guides[i].version, version) == 0)
            return &p->guides[i];
    return NULL;
}

const struct gw_map_ref *gw_partner_map(const struct gw_partner *p, const char *flow)
{
    size_t i;

    for (i = 0; p && flow && i < p->nmaps; i++)
        if (strcmp(p->maps[i].flow, flow) == 0)
            return &p->maps[i];
    return NULL;
}

const struct gw_schedule *gw_partner_schedule(const struct gw_partner *p, const char *job)
{
    size_t i;

    for (i = 0; p && job && i < p->nschedules; i++)
        if (strcmp(p->schedules[i].job, job) == 0)
            return &p->schedules[i];
    return NULL;
}

const char *gw_partner_param(const struct gw_partner *p, const char *name)
{
    size_t i;

    for (i = 0; p && name && i < p->nparams; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return p->params[i].value;
    return NULL;
}

const char *gw_ack_mode_name(enum gw_ack_mode m)
{
    return m == GW_ACK_AUTO_ALL ? "auto-all" : m == GW_ACK_AUTO_STOCK ? "auto-stock" : "manual";
}

const struct gw_erp_conf *gw_config_erp(const struct gw_config *cfg, const char *id)
{
    size_t i;

    for (i = 0; cfg && id && i < cfg->nerps; i++)
        if (strcmp(cfg->erps[i].id, id) == 0)
            return &cfg->erps[i];
    return NULL;
}
