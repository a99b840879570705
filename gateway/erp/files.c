/*
 * files.c — the ERP file exchange, the first ERP connector (erp.h), and
 * what the ERP is sent: JSON through the local maps, CSV.
 *
 * erp/out/ gets a file per document; erp/in/ holds what the ERP drops for
 * us, told apart by content (decisions, packing lists) or name
 * (stock.csv). Files are read only when regular and never through a link
 * (O_NOFOLLOW); names starting with a dot or ending like a temporary file
 * are someone's work in progress and left alone.
 */
#include "gateway/erp/erp.h"
#include "gateway/core/fileio.h"
#include "gateway/docs/canon.h"
#include "gateway/docs/mapdoc.h"
#include "gateway/docs/orderjson.h"
#include "mappings/map.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- rendering ------------------------------------------------------------------------------ */


static int erp_json(struct edi_buf *out, struct map_engine *maps, time_t now, const char *map,
                    const char *partner, const char *state, const struct gw_cdoc *doc, struct edi_err *err)
{
    const struct map_info *m;
    struct map_param params[2] = {{"partner", partner}, {"state", state}};
    struct map_run_opts opts;
    struct edi_findings fds;
    struct gw_cdoc *res = NULL;
    int rc;

    if ((rc = map_find(&m, maps, map, NULL, err)) < 0)
        return rc;
    /* The stock order map has a C twin (orderjson.h), about a fifth of a
     * map worker's time saved. It stands in only while the file that would
     * run holds exactly the stock bytes compiled in: a comparison of the
     * whole file rather than of its name or path, so an override, another
     * WHARF_MAPPINGS or an edit of the stock file in place all run the
     * XSLT (a digest would do the same, with a hash and nothing gained for
     * an 8 KB file read once per engine). The stock bytes built in must be
     * those the twin was written for (a SHA-256 pinned in orderjson.c), so
     * a change of the stock map in the source also runs the XSLT until the
     * twin is checked against it. The twin declines what it does not write
     * the same (a key twice, ...): the map runs then too. */
    if (strcmp(map, GW_ORDER_ERP_JSON_MAP) == 0) {
        size_t n;
        const unsigned char *stock = gw_order_erp_json_stock(&n);

        if (stock && map_file_is(maps, m, stock, n) && gw_order_erp_json(out, doc, partner, state))
            return 0;
    }
    memset(&opts, 0, sizeof(opts));
    opts.partner = partner;
    opts.params = params;
    opts.nparams = 2;
    opts.now = now;
    edi_findings_init(&fds, 20);
    rc = gw_cdoc_map(&res, maps, m, doc, &opts, &fds, err);
    if (rc == EDI_ESYNTAX && fds.n)
        edi_fail(err, rc, "%s", fds.v[0].msg);
    if (rc == 0)
        rc = gw_cdoc_render(out, res, 0, err);
    gw_cdoc_free(res);
    edi_findings_dispose(&fds);
    return rc;
}

int gw_erp_json(struct edi_buf *out, struct gw_ctx *c, const char *map, const char *partner,
                const char *state, const struct gw_cdoc *doc, struct edi_err *err)
{
    return erp_json(out, c->maps, c->now, map, partner, state, doc, err);
}

int gw_erp_name(char *out, size_t cap, const char *partner, const char *kind, const char *id,
                const char *ext, struct edi_err *err)
{
    size_t i;
    int rc = kind ? edi_fmt(out, cap, err, "%s-%s-%s.%s", partner, kind, id, ext)
                  : edi_fmt(out, cap, err, "%s-%s.%s", partner, id, ext);

    /* whole: a cut name could replace another document's export */
    if (rc < 0)
        return edi_fail(err, EDI_ELIMIT, "ERP export name too long: %.80s...", id);
    for (i = 0; out[i]; i++)
        if (out[i] == '/' || out[i] == '\\')
            out[i] = '_';
    if (out[0] == '.')
        out[0] = '_';
    return 0;
}

/* Queues erp/out/NAME (gw_erp_name) in the outbox, inside the caller's
 * transaction: the file leaves with the business change it reports, or
 * neither does, and the flush writes it (deliver). */
static int erp_queue(struct gw_ctx *c, const char *okind, const char *partner, const char *kind,
                     const char *id, const char *ext, const void *p, size_t n, struct edi_err *err)
{
    char name[512];
    int64_t row;
    int rc;

    if ((rc = gw_erp_name(name, sizeof(name), partner, kind, id, ext, err)) < 0)
        return rc;
    return gw_store_outbox_add(&row, c->store, partner, okind, name, p ? p : "", n, c->now, err);
}

/* The document for every API ERP that receives what (GW_ERP_ORDERS ...):
 * outbox kind erp:ID, named KIND:PARTNER:ID, the canonical document as its
 * bytes; mapped when pushed. */
static int erp_queue_api(struct gw_ctx *c, unsigned what, const char *partner, const char *kind, const char *id,
                         const struct gw_cdoc *doc, struct edi_err *err)
{
    struct gw_config *cfg = c->cfg;
    struct edi_buf xml, name, okind;
    int64_t row;
    size_t i;
    int rc = 0;

    edi_buf_init(&xml, 0);
    edi_buf_init(&name, 0);
    edi_buf_printf(&name, "%s:%s:%s", kind, partner, id);
    for (i = 0; i < cfg->nerps && rc == 0; i++) {
        if (!(cfg->erps[i].receives & what))
            continue;
        /* rendered for the first ERP that receives it, kept for the rest */
        if (xml.n == 0 && (rc = gw_cdoc_render(&xml, (struct gw_cdoc *)doc, 1, err)) < 0)
            break;
        edi_buf_init(&okind, 0);
        edi_buf_printf(&okind, "%s%s", GW_OUTBOX_ERP_API, cfg->erps[i].id);
        rc = gw_store_outbox_add(&row, c->store, partner, edi_buf_cstr(&okind), edi_buf_cstr(&name), xml.p, xml.n,
                                 c->now, err);
        edi_buf_dispose(&okind);
    }
    edi_buf_dispose(&xml);
    edi_buf_dispose(&name);
    return rc;
}

static unsigned receives_of(const char *kind)
{
    return strcmp(kind, "shipment") == 0  ? GW_ERP_SHIPMENTS
           : strcmp(kind, "invoice") == 0 ? GW_ERP_INVOICES
           : strcmp(kind, "payment") == 0 ? GW_ERP_PAYMENTS
                                          : 0;
}

int gw_erp_write(struct gw_ctx *c, const char *partner, const char *kind, const char *id,
                 const char *state, const char *map, const struct gw_cdoc *doc, const struct edi_buf *csv,
                 struct edi_err *err)
{
    struct gw_config *cfg = c->cfg;
    struct edi_buf json;
    struct edi_err e;
    int rc;

    if (receives_of(kind) && (rc = erp_queue_api(c, receives_of(kind), partner, kind, id, doc, err)) < 0)
        return rc;
    if (cfg->erp_out == NULL)
        return 0;
    edi_err_clear(&e);
    edi_buf_init(&json, 0);
    rc = cfg->erp_json ? gw_erp_json(&json, c, map, partner, state, doc, &e) : 0;
    if (rc < 0 && rc != EDI_ENOTFOUND)
        gw_log(c, "error", "ERP export of %s %s: %s", kind, id, e.msg);
    if (rc == 0 && json.n > 0) {
        rc = erp_queue(c, GW_OUTBOX_ERP_JSON, partner, kind, id, "json", json.p, json.n, err);
    } else {
        rc = 0;     /* a map that failed is logged: the document stands */
    }
    edi_buf_dispose(&json);
    if (rc == 0 && cfg->erp_csv && csv) {
        rc = erp_queue(c, GW_OUTBOX_ERP_CSV, partner, kind, id, "csv", csv->p, csv->n, err);
    }
    return rc;
}

int gw_erp_write_json(struct gw_ctx *c, const char *partner, const char *kind, const char *id,
                      const char *json, size_t n, struct edi_err *err)
{
    if (c->cfg->erp_out == NULL || !c->cfg->erp_json)
        return 0;
    return erp_queue(c, GW_OUTBOX_ERP_JSON, partner, kind, id, "json", json, n, err);
}

/* The order-level columns of the ERP CSV, repeated on each line's row:
 * what the warehouse needs to ship a DF order to the consumer (personal
 * data: see files_push). The names are the JSON's (order-to-erp-json.xsl).
 * The canonical name's second line (X12 N201) is its own column. */
static const char *const csv_ship[] = {
    "customer_order_number", "ship_to_name", "ship_to_name_2", "ship_to_attention",
    "ship_to_address_1", "ship_to_address_2", "ship_to_address_3",
    "ship_to_address_4",   /* X12 allows four lines (two N3s); the canonical address holds three */
    "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country", "ship_to_phone",
    "ship_method", "required_ship_date",
    "is_gift", "packing_slip_required",   /* a DF order always says; an RP order leaves them empty */
    "message_to_customer", "order_gift_message",
};

enum { CSV_SHIP_N = sizeof(csv_ship) / sizeof(csv_ship[0]), CSV_SHIP_GIFT = CSV_SHIP_N - 1 };

/* v, NULL when empty (an empty column either way). */
static const char *text_or_null(const char *v)
{
    return v && *v ? v : NULL;
}

static int eq(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* ship[k] (borrowed from o, or *name, the name's first line, which the
 * caller frees) the value of column csv_ship[k] on the order, NULL when
 * empty. */
static void csv_ship_fields(const char **ship, char **name, const struct gw_corder *o)
{
    const struct gw_cparty *t = &o->ship_to;
    const char *nl = t->name ? strchr(t->name, '\n') : NULL;
    int df = eq(o->program, "DF"), gift = 0;
    size_t k = 0, i;

    *name = t->name ? edi_xstrndup(t->name, nl ? (size_t)(nl - t->name) : strlen(t->name)) : NULL;
    ship[k++] = text_or_null(o->customer_order_number);
    ship[k++] = text_or_null(*name);
    ship[k++] = nl ? text_or_null(nl + 1) : NULL;
    ship[k++] = text_or_null(t->attention);
    for (i = 0; i < 3; i++)
        ship[k++] = i < t->address.nlines ? text_or_null(t->address.line[i]) : NULL;
    ship[k++] = text_or_null(t->extra_address_line);
    ship[k++] = text_or_null(t->address.city);
    ship[k++] = text_or_null(t->address.state);
    ship[k++] = text_or_null(t->address.postal_code);
    ship[k++] = text_or_null(t->address.country);
    ship[k++] = text_or_null(t->phone);
    ship[k++] = text_or_null(o->ship_method);
    ship[k++] = text_or_null(o->required_ship_date);
    /* a gift: it says so, or a message comes with the order or a line */
    gift = eq(o->is_gift, "true") || o->gift_message != NULL;
    for (i = 0; i < o->nlines && !gift; i++)
        gift = o->lines[i].gift_message != NULL;
    ship[k++] = df || o->is_gift ? (gift ? "true" : "false") : NULL;
    ship[k++] = df || o->packing_slip_required ? (eq(o->packing_slip_required, "true") ? "true" : "false")
                                               : NULL;
    ship[k++] = text_or_null(o->message_to_customer);
    ship[k++] = text_or_null(o->gift_message);
}

static const char CSV_ORDER_HEAD[] =
    "partner,program,po_number,state,line_no,product_id,quantity,unit,unit_cost,line_state";

/* The CSV header of an order (one line). */
static void order_csv_header(struct edi_buf *csv)
{
    size_t k;

    edi_buf_puts(csv, CSV_ORDER_HEAD);
    for (k = 0; k < CSV_SHIP_N; k++) {
        edi_buf_putc(csv, ',');
        edi_buf_puts(csv, csv_ship[k]);
    }
    edi_buf_puts(csv, ",description,gift_message\n");
}

/* The CSV rows of an order: one a line of o, with what the warehouse needs
 * to ship it, read from canonical. */
static int order_csv_rows(struct edi_buf *csv, const struct gw_order *o, const char *state,
                          const struct gw_cdoc *canonical, const struct gw_corder *read, struct edi_err *err)
{
    const char *ship[CSV_SHIP_N];
    struct gw_corder *own = NULL;
    const struct gw_corder *co = read;
    char *name = NULL;
    size_t i, k;
    int rc;

    if (co == NULL) {
        if ((rc = gw_cdoc_order(&own, canonical, err)) < 0)
            return rc;
        co = own;
    }
    csv_ship_fields(ship, &name, co);
    for (i = 0; i < o->nlines; i++) {
        char no[16];
        const char *gift = i < co->nlines ? text_or_null(co->lines[i].gift_message) : NULL;

        snprintf(no, sizeof(no), "%d", o->lines[i].line_no);
        gw_csv_field(csv, o->partner, 0);
        gw_csv_field(csv, o->program, 0);
        gw_csv_field(csv, o->po_number, 0);
        gw_csv_field(csv, state, 0);
        gw_csv_field(csv, no, 0);
        gw_csv_field(csv, o->lines[i].product_id, 0);
        gw_csv_field(csv, o->lines[i].quantity, 0);
        gw_csv_field(csv, o->lines[i].unit, 0);
        gw_csv_field(csv, o->lines[i].unit_cost, 0);
        gw_csv_field(csv, o->lines[i].state, 0);
        for (k = 0; k < CSV_SHIP_N; k++)
            gw_csv_field(csv, ship[k], 0);
        gw_csv_field(csv, o->lines[i].description, 0);
        /* the line's gift message, else the order's */
        gw_csv_field(csv, gift ? gift : ship[CSV_SHIP_GIFT], 1);
    }
    free(name);
    gw_corder_free(own);
    return 0;
}

void gw_erp_pre_make(struct gw_erp_pre *pre, struct map_engine *e, const struct gw_config *cfg, time_t now,
                     const struct gw_order *o, const char *state, const struct gw_cdoc *canonical)
{
    if (cfg->erp_out == NULL || (!cfg->erp_json && !cfg->erp_csv))
        return;
    pre->state = state;
    edi_buf_init(&pre->json, 0);
    edi_buf_init(&pre->csv, 0);
    edi_err_clear(&pre->err);
    if (cfg->erp_json)
        pre->rc = erp_json(&pre->json, e, now, GW_ORDER_ERP_JSON_MAP, o->partner, state, canonical, &pre->err);
    if (cfg->erp_csv && pre->csv_rc == 0)
        pre->csv_rc = order_csv_rows(&pre->csv, o, state, canonical, pre->co, &pre->csv_err);
}

void gw_erp_pre_dispose(struct gw_erp_pre *pre)
{
    if (pre->state) {
        edi_buf_dispose(&pre->json);
        edi_buf_dispose(&pre->csv);
    }
    gw_corder_free(pre->co);
    memset(pre, 0, sizeof(*pre));
}

int gw_erp_order(struct gw_ctx *c, const struct gw_order *o, const struct gw_cdoc *canonical,
                 struct edi_err *err)
{
    return gw_erp_order_pre(c, o, canonical, NULL, err);
}

int gw_erp_order_pre(struct gw_ctx *c, const struct gw_order *o, const struct gw_cdoc *canonical,
                     const struct gw_erp_pre *pre, struct edi_err *err)
{
    struct gw_config *cfg = c->cfg;
    struct gw_erp_log *log = cfg->erp_per_file ? c->erp_log : NULL;
    struct gw_cdoc *own = NULL;
    struct edi_buf json, csv;
    struct edi_err e;
    size_t i;
    int rc = 0, have_json = 0, ahead = pre && pre->state && strcmp(pre->state, o->state) == 0;
    int api = 0;

    for (i = 0; i < cfg->nerps; i++)
        api |= (cfg->erps[i].receives & GW_ERP_ORDERS) != 0;
    /* a worker that made everything ahead may have freed the document:
     * read again from the order's text only when something needs it */
    if (canonical == NULL && (api || (cfg->erp_out && !ahead))) {
        if ((rc = gw_cdoc_parse(&own, o->canonical ? o->canonical : "", o->canonical ? strlen(o->canonical) : 0,
                                "canonical order", err)) < 0)
            return rc;
        canonical = own;
    }
    if ((rc = erp_queue_api(c, GW_ERP_ORDERS, o->partner, "order", o->po_number, canonical, err)) < 0 ||
        cfg->erp_out == NULL) {
        gw_cdoc_free(own);
        return rc;
    }
    edi_buf_init(&json, 0);
    edi_buf_init(&csv, 0);
    if (cfg->erp_json && ahead) {
        /* made ahead for this state: the same bytes, or the same error */
        if (pre->rc == 0) {
            edi_buf_put(&json, pre->json.p, pre->json.n);
            have_json = 1;
        } else {
            gw_log(c, "error", "ERP export of %s %s: %s", o->partner, o->po_number, pre->err.msg);
        }
    } else if (cfg->erp_json) {
        if (gw_erp_json(&json, c, GW_ORDER_ERP_JSON_MAP, o->partner, o->state, canonical, &e) == 0)
            have_json = 1;
        else
            gw_log(c, "error", "ERP export of %s %s: %s", o->partner, o->po_number, e.msg);
    }
    if (cfg->erp_csv) {
        if (log == NULL)
            order_csv_header(&csv);
        if (ahead && pre->csv_rc < 0) {
            rc = pre->csv_rc;
            *err = pre->csv_err;
        } else if (ahead) {
            edi_buf_put(&csv, pre->csv.p, pre->csv.n);
        } else {
            rc = order_csv_rows(&csv, o, o->state, canonical, pre ? pre->co : NULL, err);
        }
    }
    if (rc == 0 && log != NULL) {
        /* one record of the inbound file's change log */
        rc = gw_erp_log_add(log, o->partner, have_json ? json.p : NULL, json.n, cfg->erp_csv ? csv.p : NULL,
                            csv.n, &e);
        if (rc == EDI_ESYNTAX && have_json) {
            /* a map whose output is no JSON object: logged like a map
             * that failed, the CSV rows still go */
            gw_log(c, "error", "ERP export of %s %s: %s", o->partner, o->po_number, e.msg);
            rc = gw_erp_log_add(log, o->partner, NULL, 0, cfg->erp_csv ? csv.p : NULL, csv.n, err);
        } else if (rc < 0) {
            *err = e;
        }
        if (rc == 0)
            rc = gw_erp_log_flush(c, err);
    } else if (rc == 0) {
        if (have_json)
            rc = erp_queue(c, GW_OUTBOX_ERP_JSON, o->partner, NULL, o->po_number, "json", json.p, json.n, err);
        if (rc == 0 && cfg->erp_csv)
            rc = erp_queue(c, GW_OUTBOX_ERP_CSV, o->partner, NULL, o->po_number, "csv", csv.p, csv.n, err);
    }
    edi_buf_dispose(&json);
    edi_buf_dispose(&csv);
    gw_cdoc_free(own);
    return rc;
}

/* ---- the change log of an inbound file ------------------------------------------------------ */

/* Which staged file belongs to which commit: the outbox message of kind
 * GW_OUTBOX_ERP_LOG names the final file, its bytes the staged one. */
struct gw_erp_log {
    char partner[64];
    struct edi_buf jsonl, csv;   /* what is not written to the staged files yet */
    size_t records;
    int opened, staged, commit_tried;
    int fd[2];                   /* the staged files, while open; -1 none */
    char name[2][512];           /* the final names; "" when the format is off */
    char staged_path[2][4600];   /* JSON Lines, CSV; "" when none */
};

/* SPEC: issue 18 — the change log goes to its staged files in pieces of
 * this size while the file is mapped, each started on its way to disk
 * (sync_file_range), so that its staging before the commit is an fsync
 * with little left to write, and memory holds one piece, not the whole
 * log (18 MB for 10,000 POs, and twice that while it grew). */
#define ERP_LOG_PIECE (1u << 20)

/* The largest "now" the outbox knows (a held message's next try): every
 * unsent message is due by it. */
#define OUTBOX_ALL_DUE ((time_t)253402300799)

int gw_erp_log_name(char *out, size_t cap, uint64_t seq, const char *partner, const char *ext,
                    struct edi_err *err)
{
    size_t i;

    if (edi_fmt(out, cap, err, "orders-%012llu-%s.%s", (unsigned long long)seq, partner, ext) < 0)
        return edi_fail(err, EDI_ELIMIT, "ERP change log name too long: %.80s...", partner);
    for (i = 0; out[i]; i++)
        if (out[i] == '/' || out[i] == '\\')
            out[i] = '_';
    return 0;
}

int gw_erp_json_line(struct edi_buf *out, const char *json, size_t n, struct edi_err *err)
{
    size_t i = 0, start = out->n, w;
    int depth = 0, in_str = 0, done = 0;
    char *d;

    while (i < n && (json[i] == ' ' || json[i] == '\t' || json[i] == '\r' || json[i] == '\n'))
        i++;
    if (i == n || json[i] != '{')
        return edi_fail(err, EDI_ESYNTAX, "the ERP JSON is not an object");
    /* the line is never longer than the text: copied in whole, then
     * compacted where it lies (the write never passes the read) */
    edi_buf_put(out, json + i, n - i);
    if (out->err) {
        out->n = start;
        return edi_fail(err, EDI_ELIMIT, "the ERP JSON does not fit");
    }
    d = out->p + start;
    n -= i;
    for (i = w = 0; i < n; i++) {
        char ch = d[i];

        if (in_str) {
            d[w++] = ch;
            if (ch == '\\' && i + 1 < n)
                d[w++] = d[++i];
            else if (ch == '"')
                in_str = 0;
            else if (ch == '\n' || ch == '\r' || ch == '\0')
                break;   /* not JSON: a raw control character in a string */
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (done)
            break;       /* something after the object */
        d[w++] = ch;
        if (ch == '"')
            in_str = 1;
        else if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && --depth == 0)
            done = 1;
    }
    if (i < n || !done || in_str) {
        out->n = start;
        return edi_fail(err, EDI_ESYNTAX, "the ERP JSON is not one object, whole");
    }
    out->n = start + w;
    edi_buf_putc(out, '\n');
    return 0;
}

void gw_erp_log_begin(struct gw_ctx *c)
{
    gw_erp_log_end(c);
    if (c->cfg->erp_out == NULL || !c->cfg->erp_per_file)
        return;
    c->erp_log = edi_xcalloc(1, sizeof(*c->erp_log));
    edi_buf_init(&c->erp_log->jsonl, 0);
    edi_buf_init(&c->erp_log->csv, 0);
    c->erp_log->fd[0] = c->erp_log->fd[1] = -1;
}

int gw_erp_log_add(struct gw_erp_log *l, const char *partner, const char *json, size_t n, const char *rows,
                   size_t m, struct edi_err *err)
{
    int rc;

    if (json != NULL && (rc = gw_erp_json_line(&l->jsonl, json, n, err)) < 0)
        return rc;
    if (rows != NULL)
        edi_buf_put(&l->csv, rows, m);
    if (l->records++ == 0)
        snprintf(l->partner, sizeof(l->partner), "%s", partner);
    return 0;
}

/* The test hook (erp.h). */
static void crash_at(const char *step)
{
    const char *v = getenv("WHARF_TEST_ERP_CRASH");

    if (v != NULL && strcmp(v, step) == 0)
        raise(SIGKILL);
}

/* The staged files of the log, made at its first piece: the sequence
 * number is taken inside the transaction, so numbers are given in commit
 * order and a rollback takes its number back; a crash before the commit
 * leaves files that no outbox message names (gw_erp_recover removes them). */
static int log_open(struct gw_ctx *c, struct gw_erp_log *l, struct edi_err *err)
{
    static const char *const ext[2] = {"jsonl", "csv"};
    const char *dir = c->cfg->erp_out;
    uint64_t seq;
    size_t k;
    int rc;

    if ((rc = gw_store_next_control(&seq, c->store, "*erp-out", 'L', err)) < 0)
        return rc;
    mkdir(dir, 0700);
    l->opened = 1;
    for (k = 0; k < 2; k++) {
        l->name[k][0] = l->staged_path[k][0] = '\0';
        if (k == 0 ? !c->cfg->erp_json : !c->cfg->erp_csv)
            continue;
        if ((rc = gw_erp_log_name(l->name[k], sizeof(l->name[k]), seq, l->partner, ext[k], err)) < 0)
            return rc;
        gw_temp_path(l->staged_path[k], sizeof(l->staged_path[k]), dir, l->name[k], (long)getpid());
        if ((l->fd[k] = gw_open_private(l->staged_path[k])) < 0) {
            rc = edi_fail(err, EDI_EIO, "cannot write %s: %s", l->staged_path[k], strerror(errno));
            l->staged_path[k][0] = '\0';
            return rc;
        }
        if (k == 1) {
            /* the header once, the orders' rows after it */
            struct edi_buf h;

            edi_buf_init(&h, l->csv.n + 1024);
            order_csv_header(&h);
            edi_buf_put(&h, l->csv.p, l->csv.n);
            edi_buf_dispose(&l->csv);
            l->csv = h;
        }
    }
    return 0;
}

/* What the log holds, appended to its staged files (opened the first
 * time), each piece started on its way to disk. */
static int log_write(struct gw_ctx *c, struct gw_erp_log *l, struct edi_err *err)
{
    size_t k;
    int rc;

    if (!l->opened && (rc = log_open(c, l, err)) < 0)
        return rc;
    for (k = 0; k < 2; k++) {
        struct edi_buf *b = k == 0 ? &l->jsonl : &l->csv;

        if (l->fd[k] < 0)
            continue;
        if (gw_write_all(l->fd[k], b->p, b->n) != 0)
            return edi_fail(err, EDI_EIO, "cannot write %s: %s", l->staged_path[k], strerror(errno));
        sync_file_range(l->fd[k], 0, 0, SYNC_FILE_RANGE_WRITE);
        edi_buf_reset(b);
    }
    return 0;
}

int gw_erp_log_flush(struct gw_ctx *c, struct edi_err *err)
{
    struct gw_erp_log *l = c->erp_log;

    if (l == NULL || l->records == 0 || l->staged || c->cfg->erp_out == NULL ||
        l->jsonl.n + l->csv.n < ERP_LOG_PIECE)
        return 0;
    return log_write(c, l, err);
}

int gw_erp_log_stage(struct gw_ctx *c, struct edi_err *err)
{
    struct gw_erp_log *l = c->erp_log;
    const char *dir = c->cfg->erp_out;
    size_t k;
    int rc;

    if (l == NULL || l->records == 0 || l->staged || dir == NULL)
        return 0;
    if ((rc = log_write(c, l, err)) < 0)
        return rc;
    for (k = 0; k < 2; k++) {
        const char *base;
        int64_t row;
        int e;

        if (l->fd[k] < 0)
            continue;
        /* closed whatever the fsync says: the descriptor is not kept */
        e = fsync(l->fd[k]) != 0 ? errno : 0;
        if (close(l->fd[k]) != 0 && e == 0)
            e = errno;
        l->fd[k] = -1;
        if (e != 0)
            return edi_fail(err, EDI_EIO, "cannot write %s: %s", l->staged_path[k], strerror(e));
        base = strrchr(l->staged_path[k], '/') + 1;
        if ((rc = gw_store_outbox_add(&row, c->store, l->partner, GW_OUTBOX_ERP_LOG, l->name[k], base,
                                      strlen(base), c->now, err)) < 0)
            return rc;
    }
    l->staged = 1;
    /* the staged names survive a crash once the store has them */
    if (gw_sync_dir(dir) != 0)
        return edi_fail(err, EDI_EIO, "cannot sync %s: %s", dir, strerror(errno));
    crash_at("staged");
    return 0;
}

int gw_erp_log_commit(struct gw_ctx *c, struct edi_err *err)
{
    struct edi_err e;
    int rc;

    if ((rc = gw_erp_log_stage(c, err)) < 0)
        return rc;
    if (c->erp_log)
        c->erp_log->commit_tried = 1;
    if ((rc = gw_store_commit(c->store, err)) < 0)
        return rc;
    if (c->erp_log == NULL || !c->erp_log->staged)
        return 0;
    crash_at("committed");
    /* committed: the export is the store's now; a rename that fails is
     * logged and left to the next flush, the file's processing stands */
    edi_err_clear(&e);
    if (gw_erp_publish(c, &e) < 0)
        gw_log(c, "error", "ERP change log: %s (left for the next run)", e.msg);
    return 0;
}

void gw_erp_log_end(struct gw_ctx *c)
{
    struct gw_erp_log *l = c->erp_log;
    size_t k;

    if (l == NULL)
        return;
    for (k = 0; k < 2; k++) {
        if (l->fd[k] >= 0)
            close(l->fd[k]);
        if (l->opened && !l->commit_tried && l->staged_path[k][0])
            unlink(l->staged_path[k]);
    }
    edi_buf_dispose(&l->jsonl);
    edi_buf_dispose(&l->csv);
    free(l);
    c->erp_log = NULL;
}

/* The change logs committed and not yet renamed (unsent GW_OUTBOX_ERP_LOG
 * messages), oldest first. */
static int unsent_logs(struct gw_outbox_item **out, size_t *n, struct gw_ctx *c, struct edi_err *err)
{
    int64_t after = 0;
    size_t cap = 0;
    int rc = 0;

    *out = NULL;
    *n = 0;
    for (;;) {
        struct gw_outbox_item *v = NULL;
        size_t m = 0, i;

        if ((rc = gw_store_outbox_due_after(&v, &m, c->store, OUTBOX_ALL_DUE, after, NULL, 200, err)) < 0 ||
            m == 0)
            break;
        for (i = 0; i < m; i++) {
            after = v[i].id;
            if (strcmp(v[i].kind, GW_OUTBOX_ERP_LOG) != 0)
                continue;
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                *out = edi_xrealloc(*out, cap * sizeof(**out));
            }
            (*out)[(*n)++] = v[i];
            memset(&v[i], 0, sizeof(v[i]));
        }
        gw_outbox_free(v, m);
    }
    if (rc < 0) {
        gw_outbox_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* A staged name as the outbox keeps it: a dot file of the folder. */
static int staged_name_ok(const char *name)
{
    return name != NULL && name[0] == '.' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0;
}

int gw_erp_publish(struct gw_ctx *c, struct edi_err *err)
{
    const char *dir = c->cfg->erp_out;
    struct gw_outbox_item *v = NULL;
    size_t n = 0, i;
    int rc, moved = 0, stuck = 0;

    if (dir == NULL)
        return 0;
    /* under the write lock: two processes never rename out of order */
    if ((rc = gw_store_begin(c->store, err)) < 0)
        return rc;
    if ((rc = unsent_logs(&v, &n, c, err)) < 0)
        goto rollback;
    for (i = 0; i < n && !stuck; i++) {
        char from[4600], to[4600];
        struct stat sb;

        if (!staged_name_ok((const char *)v[i].bytes) || v[i].name == NULL || strchr(v[i].name, '/') ||
            edi_fmt(from, sizeof(from), NULL, "%s/%s", dir, (const char *)v[i].bytes) < 0 ||
            edi_fmt(to, sizeof(to), NULL, "%s/%s", dir, v[i].name) < 0) {
            stuck = edi_fail(err, EDI_ECONFIG, "the ERP change log %s has no staged name in its folder",
                             v[i].name ? v[i].name : "?");
            break;
        }
        if (rename(from, to) == 0) {
            moved = 1;
        } else if (!(errno == ENOENT && lstat(to, &sb) == 0 && S_ISREG(sb.st_mode))) {
            /* neither staged nor renamed: the later logs wait, so none
             * appears before it */
            stuck = edi_fail(err, EDI_EIO, "cannot rename %s to %s: %s", (const char *)v[i].bytes, v[i].name,
                             strerror(errno));
            break;
        }
        if ((rc = gw_store_outbox_sent(c->store, v[i].id, c->now, err)) < 0)
            goto rollback;   /* renamed, not marked: found renamed next time */
    }
    /* what was renamed is there for good before the store says sent */
    if (moved && gw_sync_dir(dir) != 0) {
        rc = edi_fail(err, EDI_EIO, "cannot sync %s: %s", dir, strerror(errno));
        goto rollback;
    }
    if (stuck < 0) {
        /* those before it stay published, its error is the caller's */
        struct edi_err e2;

        edi_err_clear(&e2);
        gw_store_commit(c->store, &e2);
        gw_outbox_free(v, n);
        return stuck;
    }
    rc = gw_store_commit(c->store, err);
    gw_outbox_free(v, n);
    return rc;
rollback:
    gw_store_rollback(c->store);
    gw_outbox_free(v, n);
    return rc;
}

/* The pid in a staged change log's name (".orders-SEQ-PARTNER.EXT.wharf-PID.tmp"), 0 when it is none. */
static long staged_pid(const char *name)
{
    size_t n = strlen(name);
    const char *w;
    long pid = 0;

    if (strncmp(name, ".orders-", 8) != 0 || n < 13 || strcmp(name + n - 4, ".tmp") != 0)
        return 0;
    for (w = name + n - 5; w > name && *w >= '0' && *w <= '9'; w--)
        ;
    if (w == name + n - 5 || w - name < 7 || strncmp(w - 6, ".wharf-", 7) != 0)
        return 0;
    for (w++; *w >= '0' && *w <= '9'; w++)
        if ((pid = pid * 10 + (*w - '0')) > 0x7fffffff)
            return 0;
    return pid;
}

int gw_erp_recover(struct gw_ctx *c, struct edi_err *err)
{
    const char *dir = c->cfg->erp_out;
    struct gw_outbox_item *v = NULL;
    struct dirent **names = NULL;
    struct edi_err e;
    size_t n = 0, i;
    int k, nn, rc;

    if (dir == NULL)
        return 0;
    edi_err_clear(&e);
    if ((rc = gw_erp_publish(c, &e)) < 0)
        gw_log(c, "error", "ERP change log: %s", e.msg);
    if ((nn = scandir(dir, &names, NULL, alphasort)) < 0)
        return 0;
    /* read after the scan: a log committed meanwhile is named here */
    if ((rc = unsent_logs(&v, &n, c, err)) < 0)
        goto out;
    for (k = 0; k < nn; k++) {
        const char *name = names[k]->d_name;
        long pid = staged_pid(name);
        char path[4600];
        int named = 0;

        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;   /* not a staged log, or its process may still commit it */
        for (i = 0; i < n && !named; i++)
            named = v[i].bytes && strcmp((const char *)v[i].bytes, name) == 0;
        if (named || edi_fmt(path, sizeof(path), NULL, "%s/%s", dir, name) < 0)
            continue;
        if (unlink(path) == 0)
            gw_log(c, "warn", "ERP change log %s removed: its process (%ld) died before the store committed it",
                   name, pid);
    }
out:
    gw_outbox_free(v, n);
    for (k = 0; k < nn; k++)
        free(names[k]);
    free(names);
    return rc;
}

/* ---- the purge: a PO's records out of the change logs ---------------------------------------- */

/* The value of CSV field k of the record at p (n bytes), unquoted, in v. */
static void csv_field_at(struct edi_buf *v, const char *p, size_t n, int k)
{
    size_t i = 0;
    int f = 0;

    edi_buf_reset(v);
    while (i < n && f <= k) {
        if (p[i] == '"') {
            for (i++; i < n; i++) {
                if (p[i] == '"' && i + 1 < n && p[i + 1] == '"') {
                    if (f == k)
                        edi_buf_putc(v, '"');
                    i++;
                } else if (p[i] == '"') {
                    i++;
                    break;
                } else if (f == k) {
                    edi_buf_putc(v, p[i]);
                }
            }
        }
        for (; i < n && p[i] != ','; i++)
            if (f == k && p[i] != '\r' && p[i] != '\n')
                edi_buf_putc(v, p[i]);
        f++;
        i++;
    }
}

/* The length of the CSV record at p: up to and with its newline (one
 * inside quotes is the field's). */
static size_t csv_record_len(const char *p, size_t n)
{
    size_t i;
    int q = 0;

    for (i = 0; i < n; i++) {
        if (p[i] == '"')
            q = !q;
        else if (p[i] == '\n' && !q)
            return i + 1;
    }
    return n;
}

/* The length of the JSON Lines record at p, with its newline. */
static size_t line_len(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);

    return nl ? (size_t)(nl - p) + 1 : n;
}

/* 1 when record r (n bytes) of a change log is PO po of partner. */
static int record_of(int jsonl, const char *r, size_t n, const char *partner, const char *po, struct edi_buf *v)
{
    if (jsonl) {
        json_t *j = json_loadb(r, n, JSON_DISABLE_EOF_CHECK, NULL);
        const char *jp = j ? json_string_value(json_object_get(j, "partner")) : NULL;
        const char *jo = j ? json_string_value(json_object_get(j, "po_number")) : NULL;
        int yes = jo && strcmp(jo, po) == 0 && (jp == NULL || strcmp(jp, partner) == 0);

        json_decref(j);
        return yes;
    }
    csv_field_at(v, r, n, 0);
    if (strcmp(edi_buf_cstr(v), partner) != 0)
        return 0;
    csv_field_at(v, r, n, 2);
    return strcmp(edi_buf_cstr(v), po) == 0;
}

unsigned gw_erp_log_drop(const struct gw_config *cfg, const char *partner, const char *po, int dry_run, FILE *out)
{
    struct dirent **names = NULL;
    struct edi_buf keep, v;
    unsigned changed = 0;
    int k, nn;

    if (cfg->erp_out == NULL || (nn = scandir(cfg->erp_out, &names, NULL, alphasort)) < 0)
        return 0;
    edi_buf_init(&keep, 0);
    edi_buf_init(&v, 0);
    for (k = 0; k < nn; k++) {
        const char *name = names[k]->d_name;
        size_t len = strlen(name), off = 0, n;
        int jsonl = len > 6 && strcmp(name + len - 6, ".jsonl") == 0, dropped = 0;
        char path[4600], *data = NULL;
        struct edi_err e;

        if (strncmp(name, "orders-", 7) != 0 || !(jsonl || (len > 4 && strcmp(name + len - 4, ".csv") == 0)) ||
            edi_fmt(path, sizeof(path), NULL, "%s/%s", cfg->erp_out, name) < 0 ||
            edi_read_regular(&data, &n, path, &e) < 0)
            continue;
        edi_buf_reset(&keep);
        while (off < n) {
            size_t r = jsonl ? line_len(data + off, n - off) : csv_record_len(data + off, n - off);

            if (off > 0 || jsonl) {
                if (record_of(jsonl, data + off, r, partner, po, &v)) {
                    dropped = 1;
                    off += r;
                    continue;
                }
            }
            edi_buf_put(&keep, data + off, r);   /* the CSV header stays */
            off += r;
        }
        free(data);
        if (!dropped)
            continue;
        if (!dry_run && gw_write_file(path, keep.p ? keep.p : "", keep.n, &e) < 0) {
            if (out)
                fprintf(out, "  cannot rewrite %s: %s\n", path, e.msg);
            continue;
        }
        changed++;
        if (out)
            fprintf(out, "  %s %s\n", dry_run ? "would rewrite" : "rewrote", path);
    }
    for (k = 0; k < nn; k++)
        free(names[k]);
    free(names);
    edi_buf_dispose(&keep);
    edi_buf_dispose(&v);
    return changed;
}

/* ---- the connector ---------------------------------------------------------------------------- */

struct gw_erp {
    struct gw_ctx *c;
};

static int files_open(struct gw_erp **e, struct gw_ctx *c, const struct gw_erp_conf *conf, struct edi_err *err)
{
    (void)conf;
    (void)err;
    *e = edi_xcalloc(1, sizeof(**e));
    (*e)->c = c;
    return 0;
}

static void files_close(struct gw_erp *e)
{
    free(e);
}


/* A change log committed but not renamed (a crash, a failed rename): the
 * logs are renamed in order, this one with those before it. */
static int push_log(struct gw_erp *e, const struct gw_outbox_item *it, char *id, size_t cap, struct edi_err *err)
{
    struct gw_outbox_item *v = NULL;
    size_t n = 0, i;
    int rc, waiting = 0;

    if ((rc = gw_erp_publish(e->c, err)) < 0)
        return rc;
    if ((rc = unsent_logs(&v, &n, e->c, err)) < 0)
        return rc;
    for (i = 0; i < n; i++)
        waiting |= v[i].id == it->id;
    gw_outbox_free(v, n);
    if (waiting)
        return edi_fail(err, EDI_EAGAIN, "%s waits for an earlier ERP change log", it->name);
    snprintf(id, cap, "%s", it->name);
    return 0;
}

/* Writes one message to erp/out/NAME. The bytes go to a temporary name
 * first (synced); then, holding the store's write lock, the rename and the
 * folder's sync, unless a later message of the same name superseded this
 * one (an order changed twice): under the lock, so an older version never
 * replaces a newer one. Pushing again writes the same bytes under the same
 * name: the ERP sees one file, whole. The files hold DF consumers' names
 * and addresses: mode 0600 (gw_write_synced). */
static int files_push(struct gw_erp *e, const struct gw_outbox_item *it, char *id, size_t cap,
                      struct edi_err *err)
{
    struct gw_ctx *c = e->c;
    const char *dir = c->cfg->erp_out;
    char tmp[4600], path[4400];
    int rc, later = 0;

    if (dir == NULL)
        return edi_fail(err, EDI_ECONFIG, "wharf.xml has no ERP folder any more");
    if (strcmp(it->kind, GW_OUTBOX_ERP_LOG) == 0)
        return push_log(e, it, id, cap, err);
    if (it->name == NULL || it->name[0] == '\0' || it->name[0] == '.' || strchr(it->name, '/'))
        return edi_fail(err, EDI_ECONFIG, "the message has no file name that stays in its folder");
    mkdir(dir, 0700);
    if (edi_fmt(path, sizeof(path), err, "%s/%s", dir, it->name) < 0)
        return EDI_ECONFIG;
    gw_temp_path(tmp, sizeof(tmp), dir, it->name, (long)getpid());
    if ((rc = gw_write_synced(tmp, it->bytes, it->n, err)) < 0)
        return rc;
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto fail;
    if ((rc = gw_store_outbox_superseded(&later, c->store, it->id, err)) < 0)
        goto rollback;
    if (later) {
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = edi_fail(err, EDI_EIO, "cannot write %s: %s", path, strerror(errno));
        goto rollback;
    } else if (gw_sync_dir(dir) != 0) {
        /* the file is there: pushed again (same name, same bytes) */
        rc = edi_fail(err, EDI_EIO, "cannot sync %s: %s", dir, strerror(errno));
        goto rollback;
    }
    if ((rc = gw_store_commit(c->store, err)) < 0)
        return rc;
    snprintf(id, cap, "%s", it->name);
    return 0;
rollback:
    gw_store_rollback(c->store);
fail:
    unlink(tmp);
    return rc;
}

/* A sender (process pid of this host) died pushing it: what it left half
 * written goes. */
static void files_abandoned(struct gw_erp *e, const struct gw_outbox_item *it, long pid)
{
    char tmp[4600];

    /* a change log's staged file is a committed export: never removed */
    if (e->c->cfg->erp_out == NULL || it->name == NULL || strchr(it->name, '/') ||
        strcmp(it->kind, GW_OUTBOX_ERP_LOG) == 0)
        return;
    gw_temp_path(tmp, sizeof(tmp), e->c->cfg->erp_out, it->name, pid);
    unlink(tmp);
}

static int is_decision(const char *name, const char *data)
{
    size_t n = strlen(name);

    if (n > 5 && strcmp(name + n - 5, ".json") == 0)
        return strstr(data, "\"action\"") != NULL;
    if (n > 4 && strcmp(name + n - 4, ".csv") == 0)
        return strncmp(data, "po_number,line_no,accept", 24) == 0;
    return 0;
}

static int is_packlist(const char *name, const char *data)
{
    size_t n = strlen(name);

    while (*data == ' ' || *data == '\t' || *data == '\r' || *data == '\n')
        data++;
    if (n > 5 && strcmp(name + n - 5, ".json") == 0)
        return strstr(data, "\"cartons\"") != NULL || strstr(data, "\"carton_id\"") != NULL;
    if (n > 4 && strcmp(name + n - 4, ".csv") == 0)
        return strncmp(data, "po_number,line_no,quantity", 26) == 0 ||
               (strstr(data, "carton_id") != NULL && strstr(data, "carton_id") < strchr(data, '\n'));
    return 0;
}

/* Every file of erp/in/ of one kind, in name order. */
static int files_pull(struct gw_erp *e, enum gw_erp_pull kind, struct gw_erp_item **items, size_t *n,
                      struct edi_err *err)
{
    struct gw_ctx *c = e->c;
    const char *dir = c->cfg->erp_in;
    struct dirent **names = NULL;
    size_t cap = 0;
    int k, nn;

    (void)err;
    *items = NULL;
    *n = 0;
    if (dir == NULL || (nn = scandir(dir, &names, NULL, alphasort)) < 0)
        return 0;   /* nothing there yet */
    for (k = 0; k < nn; k++) {
        const char *name = names[k]->d_name;
        char path[4400];
        char *data = NULL;
        size_t len;
        struct stat sb;
        struct edi_err e2;
        int want;

        /* SPEC: issue 12 — lstat and O_NOFOLLOW: a link in erp/in is never
         * read; done/ and refused/ are erp/in's own folders, passed over
         * quietly */
        if (name[0] == '.' || gw_temp_name(name) ||
            edi_fmt(path, sizeof(path), NULL, "%s/%s", dir, name) < 0 || lstat(path, &sb) != 0 ||
            S_ISDIR(sb.st_mode))
            continue;
        if (kind == GW_ERP_STOCK && strcmp(name, "stock.csv") != 0)
            continue;
        if (edi_read_regular(&data, &len, path, &e2) < 0) {
            if (e2.rc == EDI_ESYNTAX && kind == GW_ERP_DECISIONS)
                gw_log(c, "warn", "erp/in %s: not read: %s", name, e2.msg);
            continue;
        }
        want = kind == GW_ERP_STOCK ? 1 : kind == GW_ERP_DECISIONS ? is_decision(name, data)
                                                                   : is_packlist(name, data);
        if (!want) {
            free(data);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *items = edi_xrealloc(*items, cap * sizeof(**items));
        }
        (*items)[*n].name = edi_xstrdup(name);
        (*items)[*n].data = data;
        (*items)[*n].n = len;
        (*n)++;
    }
    for (k = 0; k < nn; k++)
        free(names[k]);
    free(names);
    return 0;
}

/* erp/in/NAME to done/ or refused/ (with NAME.reason), under a name no
 * kept file has: a second file of the same name never replaces the
 * first. */
static int files_done(struct gw_erp *e, const struct gw_erp_item *it, const char *why, struct edi_err *err)
{
    struct gw_ctx *c = e->c;
    char from[4400], sub[4300], to[4700];

    (void)err;
    if (c->cfg->erp_in == NULL || edi_fmt(from, sizeof(from), NULL, "%s/%s", c->cfg->erp_in, it->name) < 0 ||
        edi_fmt(sub, sizeof(sub), NULL, "%s/%s", c->cfg->erp_in, why ? "refused" : "done") < 0) {
        gw_log(c, "error", "cannot move %s: the path is too long", it->name);
        return 0;
    }
    mkdir(sub, 0700);
    if (gw_rename_unique(to, sizeof(to) - 8, from, sub, it->name) != 0) {
        gw_log(c, "error", "cannot move %s: %s", from, strerror(errno));
        return 0;
    }
    if (why) {
        struct edi_err e2;

        strcat(to, ".reason");
        if (gw_write_file(to, why, strlen(why), &e2) < 0)
            gw_log(c, "error", "%s", e2.msg);
    }
    return 0;
}

const struct gw_erp_type gw_erp_files = {
    .name = "files",
    .check = NULL,
    .open = files_open,
    .push = files_push,
    .abandoned = files_abandoned,
    .pull = files_pull,
    .done = files_done,
    .close = files_close,
};

const struct gw_erp_type *gw_erp_kind(const char *kind)
{
    static const struct gw_erp_type *const kinds[] = {&gw_erp_files, &gw_erp_brightpearl, &gw_erp_quickbooks};
    size_t i;

    for (i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i]->name, kind) == 0)
            return kinds[i];
    return NULL;
}

static int open_conf(const struct gw_erp_type **type, struct gw_erp **e, struct gw_ctx *c,
                     const struct gw_erp_conf *conf, struct edi_err *err)
{
    *e = NULL;
    if ((*type = gw_erp_kind(conf ? conf->kind : "files")) == NULL)
        return edi_fail(err, EDI_ECONFIG, "no ERP connector of kind '%s'", conf->kind);
    return (*type)->open(e, c, conf, err);
}

int gw_erp_open(const struct gw_erp_type **type, struct gw_erp **e, struct gw_ctx *c, enum gw_erp_pull kind,
                struct edi_err *err)
{
    unsigned want = kind == GW_ERP_DECISIONS ? GW_ERP_GIVES_DECISIONS
                    : kind == GW_ERP_STOCK   ? GW_ERP_GIVES_STOCK
                                             : GW_ERP_GIVES_PACKING_LISTS;
    size_t i;

    for (i = 0; i < c->cfg->nerps; i++)
        if (c->cfg->erps[i].provides & want)
            return open_conf(type, e, c, &c->cfg->erps[i], err);
    return open_conf(type, e, c, NULL, err);
}

int gw_erp_open_outbox(const struct gw_erp_type **type, struct gw_erp **e, struct gw_ctx *c,
                       const char *okind, struct edi_err *err)
{
    const struct gw_erp_conf *conf = NULL;
    size_t n = strlen(GW_OUTBOX_ERP_API);

    *e = NULL;
    if (strncmp(okind, GW_OUTBOX_ERP_API, n) == 0 && (conf = gw_config_erp(c->cfg, okind + n)) == NULL)
        return edi_fail(err, EDI_ECONFIG, "wharf.xml has no <erp id=\"%s\"> any more", okind + n);
    return open_conf(type, e, c, conf, err);
}

void gw_erp_items_free(struct gw_erp_item *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].data);
    }
    free(v);
}
