/*
 * packlist.c — packing lists (see packlist.h): CSV through libcsv, JSON
 * through jansson, both into one flat list of rows with every field's
 * format checked. This file owns libcsv.
 *
 * Not here: whether the rows fit the orders, and the ship notice built
 * from them (ship.c).
 *
 * Both formats go through the same two steps: check_field() checks one
 * value where it was read (a CSV cell; a JSON key on the shipment, a
 * carton or an item, so a bad header value is reported once, not once per
 * row), and add_row() checks that a row has what it must have. Every
 * problem is a finding; nothing stops at the first one, except a broken
 * header line or JSON that does not parse.
 */
#include "gateway/docs/packlist.h"

#include <csv.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LIMIT: bytes in one field, after trimming spaces. */
#define FIELD_MAX 256
/* LIMIT: a quantity has at most 15 digits (X12 R elements of 005010 hold
 * 15; and a double holds it exactly for whoever sums them). */
#define QTY_MAX 999999999999999ull

enum kind { K_TEXT, K_LINE, K_QTY, K_DATETIME, K_DATE, K_DECIMAL, K_SSCC };

enum col {
    C_PO, C_LINE, C_QTY, C_CARTON, C_WH, C_SHIP_DATE,
    C_SSCC, C_TRACKING, C_SCAC, C_WEIGHT, C_LENGTH, C_WIDTH, C_HEIGHT,
    C_PALLET, C_BOL, C_PRO, C_SHIPMENT, C_LOT, C_EXPIRY,
    NCOL
};

#define F(m) offsetof(struct gw_pack_row, m)
static const struct column {
    const char *name;
    enum kind kind;
    int required;
    size_t off;          /* the const char * in gw_pack_row; not for line_no */
} cols[NCOL] = {
    [C_PO] = {"po_number", K_TEXT, 1, F(po_number)},
    [C_LINE] = {"line_no", K_LINE, 1, 0},
    [C_QTY] = {"quantity", K_QTY, 1, F(quantity)},
    [C_CARTON] = {"carton_id", K_TEXT, 1, F(carton_id)},
    [C_WH] = {"warehouse", K_TEXT, 1, F(warehouse)},
    [C_SHIP_DATE] = {"ship_date", K_DATETIME, 1, F(ship_date)},
    [C_SSCC] = {"sscc", K_SSCC, 0, F(sscc)},
    [C_TRACKING] = {"tracking_number", K_TEXT, 0, F(tracking_number)},
    [C_SCAC] = {"carrier_scac", K_TEXT, 0, F(carrier_scac)},
    [C_WEIGHT] = {"weight_kg", K_DECIMAL, 0, F(weight_kg)},
    [C_LENGTH] = {"length_cm", K_DECIMAL, 0, F(length_cm)},
    [C_WIDTH] = {"width_cm", K_DECIMAL, 0, F(width_cm)},
    [C_HEIGHT] = {"height_cm", K_DECIMAL, 0, F(height_cm)},
    [C_PALLET] = {"pallet_id", K_TEXT, 0, F(pallet_id)},
    [C_BOL] = {"bol", K_TEXT, 0, F(bol)},
    [C_PRO] = {"pro", K_TEXT, 0, F(pro)},
    [C_SHIPMENT] = {"shipment_id", K_TEXT, 0, F(shipment_id)},
    [C_LOT] = {"lot", K_TEXT, 0, F(lot)},
    [C_EXPIRY] = {"expiry", K_DATE, 0, F(expiry)},
};
#undef F

/* What is known of one column for the row being built. */
enum { V_ABSENT, V_OK, V_BAD, V_EMPTY };

struct vals {
    const char *v[NCOL];        /* checked text in the pool, when V_OK */
    unsigned char st[NCOL];
};

struct ctx {
    struct gw_packlist *pl;
    const char *name;
    struct edi_findings *problems;
    size_t nfound;              /* ours, dropped ones too: problems may be shared */
    size_t cap;                 /* rows allocated */
    unsigned seen;              /* rows read, good or bad */
    int full;                   /* more than GW_PACKLIST_MAX_ROWS */
};

/* Where a finding is: "name:src: " (CSV lines), "name: where: " (JSON
 * paths), or "name: " (the file). */
struct loc {
    unsigned src;
    const char *where;
};

static int col_find(struct edi_str s)
{
    int k;

    for (k = 0; k < NCOL; k++)
        if (edi_str_eq(s, cols[k].name))
            return k;
    return -1;
}

/* Bytes of a well-formed UTF-8 sequence at p (at most n), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len, i;
    unsigned char lo = 0x80, hi = 0xbf;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        len = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        len = 3, lo = p[0] == 0xe0 ? 0xa0 : 0x80, hi = p[0] == 0xed ? 0x9f : 0xbf;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        len = 4, lo = p[0] == 0xf0 ? 0x90 : 0x80, hi = p[0] == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

/* Messages go to logs, terminals and JSON: control bytes and bytes that
 * are not UTF-8 become '?'. */
static void clean(char *s)
{
    unsigned char *p = (unsigned char *)s;
    size_t n = strlen(s), i = 0, len;

    while (i < n) {
        len = utf8_len(p + i, n - i);
        if (len == 0 || (len == 1 && (p[i] < 0x20 || p[i] == 0x7f)))
            p[i++] = '?';
        else
            i += len;
    }
}

/* A value as a message shows it: 40 bytes at most, cut on a UTF-8
 * boundary (report() cleans the rest). */
static const char *show(char *buf, size_t cap, struct edi_str v)
{
    size_t n = v.n;

    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)v.p[n] & 0xc0) == 0x80)
            n--;
    }
    if (n + 4 > cap)
        n = cap - 4;
    if (n)
        memcpy(buf, v.p, n);
    if (n < v.n)
        memcpy(buf + n, "...", 3), n += 3;
    buf[n] = '\0';
    return buf;
}

static void report(struct ctx *c, const struct loc *at, struct edi_str value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(struct ctx *c, const struct loc *at, struct edi_str value, const char *fmt, ...)
{
    struct edi_finding *fd;
    char text[sizeof(fd->msg)];
    va_list ap;

    c->nfound++;
    if (c->problems == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    fd = edi_findings_add(c->problems, "packlist", EDI_LV_SEGMENT);
    fd->seg_index = at ? at->src : 0;
    if (value.n)
        edi_finding_value(fd, value);
    if (at && at->where)
        edi_finding_msg(fd, "%s: %s: %s", c->name, at->where, text);
    else if (at && at->src)
        edi_finding_msg(fd, "%s:%u: %s", c->name, at->src, text);
    else
        edi_finding_msg(fd, "%s: %s", c->name, text);
    /* the value and jansson's "near" token are input bytes */
    clean(fd->msg);
    clean(fd->value);
}

/* ---- values ------------------------------------------------------------------ */

static int all_digits(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return n > 0;
}

/* Exactly n digits at p (the caller knows n bytes are there). */
static int num(const char *p, size_t n, unsigned *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        *v = *v * 10 + (unsigned)(p[i] - '0');
    }
    return 1;
}

/* Digits only: 0 with *v set, -1 when not all digits, 1 when more than 18
 * significant digits. Leading zeros are allowed ("012" is 12). */
static int whole(uint64_t *v, struct edi_str s)
{
    if (!all_digits(s.p, s.n))
        return -1;
    while (s.n > 1 && s.p[0] == '0')
        s.p++, s.n--;
    if (s.n > 18)
        return 1;
    return edi_str_to_u64(v, s) == 0 ? 0 : -1;
}

/* YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS] with an optional Z or +HH:MM / -HH:MM. */
static int datetime_ok(struct edi_str s)
{
    unsigned hh, mm, ss;
    size_t i;

    if (s.n < 10 || !edi_iso_date_ok(s.p, 10))
        return 0;
    if (s.n == 10)
        return 1;
    if (s.n < 16 || s.p[10] != 'T' || !num(s.p + 11, 2, &hh) || s.p[13] != ':' ||
        !num(s.p + 14, 2, &mm) || hh > 23 || mm > 59)
        return 0;
    i = 16;
    if (i < s.n && s.p[i] == ':') {
        if (s.n - i < 3 || !num(s.p + i + 1, 2, &ss) || ss > 59)
            return 0;
        i += 3;
    }
    if (i == s.n)
        return 1;
    if (s.p[i] == 'Z')
        return i + 1 == s.n;
    return (s.p[i] == '+' || s.p[i] == '-') && s.n - i == 6 && num(s.p + i + 1, 2, &hh) &&
           s.p[i + 3] == ':' && num(s.p + i + 4, 2, &mm) && hh <= 23 && mm <= 59;
}

/* Digits with at most one '.', digits on both sides of it, not zero. */
static int decimal_ok(struct edi_str s)
{
    size_t i, before = 0, after = 0;
    int dot = 0, nonzero = 0;

    for (i = 0; i < s.n; i++) {
        if (s.p[i] >= '0' && s.p[i] <= '9') {
            nonzero |= s.p[i] != '0';
            if (dot)
                after++;
            else
                before++;
        } else if (s.p[i] == '.' && !dot) {
            dot = 1;
        } else {
            return 0;
        }
    }
    return before > 0 && (!dot || after > 0) && nonzero;
}

/* SPEC: GS1 General Specifications 7.9.1, the mod-10 check digit: from
 * the right, data digits weigh 3, 1, 3, ...; the check digit makes the
 * sum a multiple of 10. d has 17 digits. */
static unsigned sscc_check(const char *d)
{
    unsigned sum = 0;
    int i;

    for (i = 0; i < 17; i++)
        sum += (unsigned)(d[i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (10 - sum % 10) % 10;
}

int gw_sscc_valid(const char *d)
{
    if (d == NULL || !all_digits(d, 18) || d[18] != '\0')
        return 0;
    return (unsigned)(d[17] - '0') == sscc_check(d);
}

/* Checks one value of column k and records it in out (V_OK with the text
 * kept in the pool, V_EMPTY, or V_BAD after a finding). */
static void check_field(struct ctx *c, const struct loc *at, int k, struct edi_str s,
                        struct vals *out)
{
    const char *name = cols[k].name;
    char shown[48], canon[24];
    uint64_t v = 0;
    size_t i;
    int r;

    s = edi_str_trim(s);
    out->v[k] = NULL;
    out->st[k] = V_BAD;
    if (s.n == 0) {
        out->st[k] = V_EMPTY;
        return;
    }
    show(shown, sizeof(shown), s);
    if (s.n > FIELD_MAX) {
        report(c, at, s, "%s '%s' is longer than %d bytes", name, shown, FIELD_MAX);
        return;
    }
    for (i = 0; i < s.n; i++) {
        if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f) {
            report(c, at, s, "%s '%s' contains a control character", name, shown);
            return;
        }
    }
    switch (cols[k].kind) {
    case K_TEXT:
        break;
    case K_LINE:
    case K_QTY:
        r = whole(&v, s);
        if (r < 0 || (r == 0 && v == 0)) {
            report(c, at, s, "%s '%s' is not a positive whole number", name, shown);
            return;
        }
        if (r > 0 || v > (cols[k].kind == K_LINE ? (uint64_t)INT_MAX : QTY_MAX)) {
            report(c, at, s, "%s '%s' is too large (at most %s)", name, shown,
                   cols[k].kind == K_LINE ? "2147483647" : "15 digits");
            return;
        }
        snprintf(canon, sizeof(canon), "%" PRIu64, v);
        s = edi_str_c(canon);
        break;
    case K_DATETIME:
        if (!datetime_ok(s)) {
            report(c, at, s,
                   "%s '%s' is not a date (YYYY-MM-DD[THH:MM[:SS][Z|+HH:MM]])", name, shown);
            return;
        }
        break;
    case K_DATE:
        if (s.n != 10 || !edi_iso_date_ok(s.p, 10)) {
            report(c, at, s, "%s '%s' is not a date (YYYY-MM-DD)", name, shown);
            return;
        }
        break;
    case K_DECIMAL:
        if (!decimal_ok(s)) {
            report(c, at, s, "%s '%s' is not a positive decimal number", name, shown);
            return;
        }
        break;
    case K_SSCC:
        /* SPEC: GS1 AI (00) — the 20-digit form with its AI is the same SSCC */
        if (s.n == 20 && all_digits(s.p, 20) && s.p[0] == '0' && s.p[1] == '0')
            s.p += 2, s.n -= 2;
        if (s.n != 18 || !all_digits(s.p, 18)) {
            report(c, at, s, "%s '%s' is not an SSCC (18 digits, or 20 beginning with the AI 00)",
                   name, shown);
            return;
        }
        memcpy(canon, s.p, 18);
        canon[18] = '\0';
        if (!gw_sscc_valid(canon)) {
            report(c, at, s, "%s '%s' has a wrong check digit (it should be %u)", name, shown,
                   sscc_check(canon));
            return;
        }
        break;
    }
    out->v[k] = edi_pool_strndup(&c->pl->pool, s.p, s.n);
    out->st[k] = V_OK;
}

/* A row from what was read for it. Missing required columns are reported
 * here only when say_missing (JSON); a CSV header already said it once. */
static void add_row(struct ctx *c, const struct loc *at, const struct vals *v, int say_missing)
{
    struct gw_pack_row *r;
    uint64_t line = 0;
    int k, ok = 1;

    for (k = 0; k < NCOL; k++) {
        if (v->st[k] == V_BAD) {
            ok = 0;
        } else if (cols[k].required && v->st[k] == V_EMPTY) {
            report(c, at, EDI_STR_NULL, "%s is empty", cols[k].name);
            ok = 0;
        } else if (cols[k].required && v->st[k] == V_ABSENT) {
            if (say_missing)
                report(c, at, EDI_STR_NULL, "%s is missing", cols[k].name);
            ok = 0;
        }
    }
    if (!ok || c->nfound)
        return;   /* the list is refused whole: keep nothing more */
    if (c->pl->nrows == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->pl->rows = edi_xrealloc(c->pl->rows, c->cap * sizeof(*c->pl->rows));
    }
    r = &c->pl->rows[c->pl->nrows++];
    memset(r, 0, sizeof(*r));
    r->src = at->src;
    for (k = 0; k < NCOL; k++) {
        if (k == C_LINE)
            continue;
        *(const char **)((char *)r + cols[k].off) = v->st[k] == V_OK ? v->v[k] : NULL;
    }
    /* checked in check_field: digits, no more than INT_MAX */
    edi_str_to_u64(&line, edi_str_c(v->v[C_LINE]));
    r->line_no = (int)line;
}

/* LIMIT: GW_PACKLIST_MAX_ROWS rows, good or bad. 0 when one more fits. */
static int count_row(struct ctx *c)
{
    if (c->seen >= GW_PACKLIST_MAX_ROWS) {
        c->full = 1;
        return -1;
    }
    c->seen++;
    return 0;
}

/* ---- CSV ---------------------------------------------------------------------- */

/*
 * libcsv is fed one physical line at a time (ending in LF, CRLF or a lone
 * CR), so the reader knows the line number a record starts on even when a
 * quoted field runs over several lines or blank lines come between.
 */
struct csvrd {
    struct ctx *c;
    int header_done;
    int stop;                   /* nothing more to read: the header is unreadable */
    int broken;                 /* a quoting error dropped bytes */
    int *map;                   /* header field index -> column, or -1 */
    size_t nmap, mapcap;
    unsigned char have[NCOL];   /* the header names the column */
    unsigned line;              /* the physical line being fed */
    unsigned rec_line;          /* where the record being read starts; 0 between */
    size_t nfield;              /* fields of the record so far */
    struct edi_buf text;        /* this record's kept cells */
    struct {
        size_t off, n;
    } f[NCOL];
    unsigned char got[NCOL];
};

static void header_field(struct csvrd *r, struct edi_str v)
{
    struct loc at = {r->rec_line, NULL};
    char shown[48];
    int k = col_find(v);

    if (r->nmap == r->mapcap) {
        r->mapcap = r->mapcap ? r->mapcap * 2 : 32;
        r->map = edi_xrealloc(r->map, r->mapcap * sizeof(*r->map));
    }
    r->map[r->nmap++] = -1;
    if (v.n == 0)
        report(r->c, &at, v, "column %zu of the header has no name", r->nmap);
    else if (k < 0)
        report(r->c, &at, v, "unknown column '%s'", show(shown, sizeof(shown), v));
    else if (r->have[k])
        report(r->c, &at, v, "column '%s' appears twice", cols[k].name);
    else
        r->have[k] = 1, r->map[r->nmap - 1] = k;
}

static void header_end(struct csvrd *r)
{
    struct loc at = {r->rec_line, NULL};
    int k;

    r->header_done = 1;
    for (k = 0; k < NCOL; k++)
        if (cols[k].required && !r->have[k])
            report(r->c, &at, EDI_STR_NULL, "required column '%s' is missing", cols[k].name);
}

static void row_end(struct csvrd *r)
{
    struct loc at = {r->rec_line, NULL};
    const char *text = r->text.p ? r->text.p : "";   /* every cell empty */
    struct vals v;
    int k;

    if (count_row(r->c) < 0) {
        r->stop = 1;
        return;
    }
    if (r->nfield != r->nmap) {
        report(r->c, &at, EDI_STR_NULL, "%zu field%s, the header has %zu", r->nfield,
               r->nfield == 1 ? "" : "s", r->nmap);
        return;
    }
    memset(&v, 0, sizeof(v));
    for (k = 0; k < NCOL; k++)
        if (r->got[k])
            check_field(r->c, &at, k, (struct edi_str){text + r->f[k].off, r->f[k].n}, &v);
    add_row(r->c, &at, &v, 0);
}

static void record_reset(struct csvrd *r)
{
    r->nfield = 0;
    r->rec_line = 0;
    edi_buf_reset(&r->text);
    memset(r->got, 0, sizeof(r->got));
}

static void csv_field(void *s, size_t n, void *data)
{
    struct csvrd *r = data;
    struct edi_str v = edi_str_trim((struct edi_str){s ? s : "", s ? n : 0});
    size_t i = r->nfield++;
    int k;

    if (r->stop)
        return;
    if (r->rec_line == 0)
        r->rec_line = r->line;
    if (!r->header_done) {
        header_field(r, v);
        return;
    }
    if (i >= r->nmap || (k = r->map[i]) < 0)
        return;
    /* one byte over the limit is enough for check_field to refuse it */
    if (v.n > FIELD_MAX + 1)
        v.n = FIELD_MAX + 1;
    r->f[k].off = r->text.n;
    r->f[k].n = v.n;
    edi_buf_put(&r->text, v.p, v.n);
    r->got[k] = 1;
}

static void csv_record(int term, void *data)
{
    struct csvrd *r = data;

    if (!r->stop) {
        if (!r->header_done)
            header_end(r);
        else
            row_end(r);
    }
    record_reset(r);
}

/* Just past the end of the line that starts at i: LF, CRLF or CR. */
static size_t line_end(const char *p, size_t n, size_t i)
{
    for (; i < n; i++) {
        if (p[i] == '\n')
            return i + 1;
        if (p[i] == '\r')
            return i + 1 < n && p[i + 1] == '\n' ? i + 2 : i + 1;
    }
    return n;
}

static int blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 0;
    return 1;
}

static void csv_start(struct csv_parser *cp)
{
    /* SPEC: RFC 4180 — strict: a quote inside an unquoted field, text after
     * a closing quote, or a quote left open at the end is an error */
    csv_init(cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_realloc_func(cp, edi_xrealloc);   /* allocation failure aborts */
    csv_set_free_func(cp, free);
}

static int parse_csv(struct ctx *c, const char *p, size_t n, struct edi_err *err)
{
    struct csv_parser cp;
    struct csvrd r;
    size_t i = 0, end, got;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.c = c;
    edi_buf_init(&r.text, 0);
    csv_start(&cp);
    while (i < n && !r.stop) {
        end = line_end(p, n, i);
        r.line++;
        if (r.rec_line == 0 && blank(p + i, end - i)) {
            i = end;
            continue;
        }
        if (r.rec_line == 0)
            r.rec_line = r.line;
        got = csv_parse(&cp, p + i, end - i, csv_field, csv_record, &r);
        if (got != end - i) {
            struct loc at = {r.line, NULL};

            if (csv_error(&cp) != CSV_EPARSE) {
                rc = edi_fail(err, EDI_ERR, "%s:%u: %s", c->name, r.line,
                              csv_strerror(csv_error(&cp)));
                break;
            }
            report(c, &at, EDI_STR_NULL,
                   "malformed quoting: a quote inside an unquoted field, or text after a "
                   "closing quote");
            r.broken = 1;
            if (!r.header_done)
                r.stop = 1;   /* no columns: nothing below can be read */
            /* drop the record and go on at the next line */
            csv_free(&cp);
            csv_start(&cp);
            record_reset(&r);
        }
        i = end;
    }
    if (rc == 0 && !r.stop && csv_fini(&cp, csv_field, csv_record, &r) != 0) {
        struct loc at = {r.rec_line, NULL};

        report(c, &at, EDI_STR_NULL, "a quoted field is not closed");
        r.broken = 1;
    }
    if (rc == 0 && !c->full) {
        if (!r.header_done && !r.broken)
            report(c, NULL, EDI_STR_NULL, "empty: no header line");
        else if (r.header_done && c->seen == 0 && !r.broken)
            report(c, NULL, EDI_STR_NULL, "no rows");
    }
    csv_free(&cp);
    free(r.map);
    edi_buf_dispose(&r.text);
    return rc;
}

/* ---- JSON --------------------------------------------------------------------- */

/* The shortest text that reads back as the same double: 2.0 is "2", 0.1
 * is "0.1" (not 0.1000000000000000055...). */
static void real_text(char *buf, size_t cap, double d)
{
    int prec;

    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* Every key of object o into v, over what v holds (so a carton's keys
 * override the shipment's); `skip` is the key that nests the next level. */
static void read_keys(struct ctx *c, const struct loc *at, json_t *o, struct vals *v,
                      const char *skip)
{
    const char *key;
    json_t *val;
    char buf[64], shown[48];

    json_object_foreach(o, key, val) {
        struct edi_str s;
        int k;

        if (skip && strcmp(key, skip) == 0)
            continue;
        if ((k = col_find(edi_str_c(key))) < 0) {
            report(c, at, edi_str_c(key), "unknown key '%s'", show(shown, sizeof(shown), edi_str_c(key)));
            continue;
        }
        switch (json_typeof(val)) {
        case JSON_STRING:
            s = (struct edi_str){json_string_value(val), json_string_length(val)};
            break;
        case JSON_INTEGER:
            snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(val));
            s = edi_str_c(buf);
            break;
        case JSON_REAL:
            real_text(buf, sizeof(buf), json_real_value(val));
            s = edi_str_c(buf);
            break;
        case JSON_NULL:
            continue;   /* as if absent: it overrides nothing */
        default:
            report(c, at, EDI_STR_NULL, "%s must be a string or a number", cols[k].name);
            v->st[k] = V_BAD;
            v->v[k] = NULL;
            continue;
        }
        check_field(c, at, k, s, v);
    }
}

/* [{row}, {row}, ...] */
static void json_rows(struct ctx *c, json_t *root)
{
    size_t i;
    json_t *o;

    if (json_array_size(root) == 0)
        report(c, NULL, EDI_STR_NULL, "no rows");
    json_array_foreach(root, i, o) {
        char where[64];
        struct loc at;
        struct vals v;

        if (count_row(c) < 0)
            return;
        snprintf(where, sizeof(where), "row %u ([%zu])", c->seen, i);
        at = (struct loc){c->seen, where};
        if (!json_is_object(o)) {
            report(c, &at, EDI_STR_NULL, "not an object");
            continue;
        }
        memset(&v, 0, sizeof(v));
        read_keys(c, &at, o, &v, NULL);
        add_row(c, &at, &v, 1);
    }
}

/* {header keys, "cartons": [{carton keys, "items": [{item keys}]}]} */
static void json_shipment(struct ctx *c, json_t *root)
{
    struct vals head, carton, item;
    struct loc at = {1, "shipment"};
    json_t *cartons = json_object_get(root, "cartons"), *ct, *items, *it;
    size_t i, j;

    memset(&head, 0, sizeof(head));
    read_keys(c, &at, root, &head, "cartons");
    if (!json_is_array(cartons)) {
        report(c, &at, EDI_STR_NULL, cartons ? "cartons is not an array" : "cartons is missing");
        return;
    }
    if (json_array_size(cartons) == 0)
        report(c, NULL, EDI_STR_NULL, "no rows");
    json_array_foreach(cartons, i, ct) {
        char cw[48];
        struct loc cat;

        snprintf(cw, sizeof(cw), "cartons[%zu]", i);
        cat = (struct loc){c->seen + 1, cw};
        if (!json_is_object(ct)) {
            report(c, &cat, EDI_STR_NULL, "not an object");
            continue;
        }
        carton = head;
        read_keys(c, &cat, ct, &carton, "items");
        items = json_object_get(ct, "items");
        if (!json_is_array(items)) {
            report(c, &cat, EDI_STR_NULL, items ? "items is not an array" : "items is missing");
            continue;
        }
        if (json_array_size(items) == 0)
            report(c, &cat, EDI_STR_NULL, "no items");
        json_array_foreach(items, j, it) {
            char iw[96];
            struct loc iat;

            if (count_row(c) < 0)
                return;
            snprintf(iw, sizeof(iw), "row %u (cartons[%zu].items[%zu])", c->seen, i, j);
            iat = (struct loc){c->seen, iw};
            if (!json_is_object(it)) {
                report(c, &iat, EDI_STR_NULL, "not an object");
                continue;
            }
            item = carton;
            read_keys(c, &iat, it, &item, NULL);
            add_row(c, &iat, &item, 1);
        }
    }
}

static int parse_json(struct ctx *c, const char *p, size_t n)
{
    json_error_t je;
    json_t *root;

    c->pl->json = 1;
    /* duplicate keys would make "which one wins" a guess */
    root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        struct loc at = {je.line > 0 ? (unsigned)je.line : 0, NULL};

        report(c, &at, EDI_STR_NULL, "not valid JSON (column %d): %s", je.column, je.text);
        return 0;
    }
    if (json_is_array(root))
        json_rows(c, root);
    else
        json_shipment(c, root);
    json_decref(root);
    return 0;
}

/* ---- the list ----------------------------------------------------------------- */

int gw_packlist_parse(struct gw_packlist *out, const char *name, const char *data, size_t n,
                      struct edi_findings *problems, struct edi_err *err)
{
    struct ctx c;
    size_t i = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    edi_pool_init(&out->pool);
    memset(&c, 0, sizeof(c));
    c.pl = out;
    c.name = name ? name : "packing list";
    c.problems = problems;
    if (data == NULL)
        n = 0;
    /* a UTF-8 byte order mark, as spreadsheets write it */
    if (n >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        data += 3, n -= 3;
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < n && (data[i] == '{' || data[i] == '['))
        rc = parse_json(&c, data, n);
    else
        rc = parse_csv(&c, data, n, err);
    if (rc == 0 && c.full)
        rc = edi_fail(err, EDI_ELIMIT, "%s: more than %d rows", c.name, GW_PACKLIST_MAX_ROWS);
    else if (rc == 0 && c.nfound)
        rc = edi_fail(err, EDI_ESYNTAX, "%s: %zu problem%s in the packing list", c.name,
                      c.nfound, c.nfound == 1 ? "" : "s");
    if (rc < 0) {
        /* refused whole: no caller ships half a list by mistake */
        free(out->rows);
        out->rows = NULL;
        out->nrows = 0;
    }
    return rc;
}

void gw_packlist_dispose(struct gw_packlist *pl)
{
    if (pl == NULL)
        return;
    free(pl->rows);
    edi_pool_dispose(&pl->pool);
    memset(pl, 0, sizeof(*pl));
}
