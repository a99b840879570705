/*
 * pipeline.c — the inbound pipeline and the file transport (see
 * pipeline.h). One file is one store transaction: its raw bytes, its
 * interchanges and documents, the acknowledgment queued in the outbox with
 * control numbers from the store, and the sales orders it creates or
 * changes either all land or none do; the file is archived (or put back)
 * only after.
 *
 * Order states and the store are store.c; what the maps do is mappings/;
 * what a partner's 997/999/864 does to the documents we sent, readback.c.
 */
#include "gateway/flow/inbound.h"
#include "edi/text.h"

#include "gateway/flow/ack.h"
#include "gateway/docs/canon.h"
#include "gateway/core/digest.h"
#include "gateway/flow/readback.h"

#include "edi/check.h"
#include "edi/exml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define CANON_NS "urn:wharf:canonical:1"

static int rename_unique(char *out, size_t cap, const char *from, const char *dir, const char *base);
static int write_unique(char *final, size_t cap, const char *dir, const char *base, const void *data,
                        size_t n, struct edi_err *err);

int gw_temp_name(const char *name)
{
    static const char *const suffixes[] = {".tmp", ".part", ".partial", ".filepart", ".crdownload",
                                           ".swp", "~"};
    size_t n = strlen(name), i;

    /* SPEC: issue 12 — files still being written by the usual conventions
     * (a dot in front, a temporary suffix) are not taken */
    if (name[0] == '.' || (name[0] == '~' && name[1] == '$'))
        return 1;
    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t k = strlen(suffixes[i]);

        if (n > k && strcasecmp(name + n - k, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

void gw_log(struct gw_ctx *c, const char *level, const char *fmt, ...)
{
    char when[32];
    struct tm tm;
    va_list ap;
    struct edi_buf line;
    FILE *f = c->log ? c->log : stderr;

    gmtime_r(&c->now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    edi_buf_init(&line, 0);
    edi_buf_printf(&line, "%s %-5s ", when, level);
    /* SPEC: issue 12 — values from outside (file names, EDI values) are in
     * the message: escaped, so none can forge a line or reach a terminal raw */
    va_start(ap, fmt);
    edi_escape_vline(&line, fmt, ap);
    va_end(ap);
    /* one write per line, so lines of two processes never interleave */
    fwrite(line.p, 1, line.n, f);
    fflush(f);
    edi_buf_dispose(&line);
}

static int write_synced(const char *tmp, const void *p, size_t n, struct edi_err *err);

int gw_write_file(const char *path, const void *p, size_t n, struct edi_err *err)
{
    char tmp[4200];
    int rc;

    if (edi_fmt(tmp, sizeof(tmp), err, "%s.tmp", path) < 0)
        return edi_fail(err, EDI_EIO, "cannot write %.200s...: the path is too long", path);
    if ((rc = write_synced(tmp, p, n, err)) < 0)
        return rc;
    if (rename(tmp, path) != 0) {
        int e = errno;

        unlink(tmp);
        return edi_fail(err, EDI_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

int gw_ctx_open(struct gw_ctx *c, const char *workspace, const char *schemas_dir,
                const char *mappings_dir, struct edi_err *err)
{
    int rc;

    if ((rc = map_engine_new(&c->maps, mappings_dir, schemas_dir, err)) < 0)
        return rc;
    /* one guide registry for validation and maps: each guide compiles once */
    c->guides = map_engine_guides(c->maps);
    if ((rc = gw_config_load_with(&c->cfg, workspace, schemas_dir, c->guides, c->maps, err)) < 0)
        goto fail;
    if ((rc = gw_store_open(&c->store, c->cfg->store_path, err)) < 0)
        goto fail;
    return 0;
fail:
    gw_ctx_close(c);
    return rc;
}

void gw_ctx_close(struct gw_ctx *c)
{
    gw_store_close(c->store);
    gw_config_free(c->cfg);
    map_engine_free(c->maps);   /* and the guides it owns */
    c->store = NULL;
    c->cfg = NULL;
    c->maps = NULL;
    c->guides = NULL;
}

/* ---- one file -------------------------------------------------------------------------- */

struct pending_map {
    size_t index;          /* the set's place in the file */
    int64_t doc_id;
    uint64_t ichg;         /* its interchange's offset: dropped if that is refused */
};

struct file_run {
    struct gw_ctx *c;
    const struct gw_partner *p;
    struct gw_stats *st;
    const char *name;      /* the file's name */
    struct edi_err *err;
    int rc;                /* sticky: the first store error */
    int64_t raw_id, ichg_id;
    char ichg_control[16];
    char **dups;           /* interchange control numbers seen before */
    size_t ndups;
    int ichg_dup;
    size_t index;
    struct edi_buf findings;  /* the current set's, one per line */
    struct pending_map *maps;
    size_t nmaps, cap;
    unsigned accepted, rejected;
    struct edi_buf foreign;   /* why interchanges were refused (their ids), for .reason */
};

static int store_ctl(void *ctx, char kind, uint64_t *out)
{
    struct file_run *f = ctx;

    return gw_store_next_control(out, f->c->store, f->p->id, kind, f->err);
}

static const char *guide_for(void *ctx, const struct edi_group *g, const struct edi_tx *tx)
{
    struct file_run *f = ctx;
    char version[7];
    const struct gw_guide_ref *ref;

    snprintf(version, sizeof(version), "%.6s", g->version);
    ref = gw_partner_guide(f->p, tx->set_id, version);
    return ref ? ref->name : NULL;
}

static void on_finding(void *ctx, const struct edi_finding *fd, const struct edi_where *w)
{
    struct file_run *f = ctx;

    if (w->tx == NULL && w->ichg && strncmp(fd->code, "unexpected-", 11) == 0) {
        /* an interchange not from the partner to us: nothing of it is
         * kept (its orders included, from groups before a wrong GS) and
         * the file goes to quarantine/ with the ids found and expected */
        size_t i, k = 0;

        if (f->foreign.n == 0)
            edi_buf_printf(&f->foreign, "%s: refused: not an interchange from partner %s (%s/%s) to us (%s/%s)\n",
                           f->name, f->p->id, f->p->isa_qualifier, f->p->isa_id,
                           f->c->cfg->vendor_isa_qualifier, f->c->cfg->vendor_isa_id);
        edi_buf_printf(&f->foreign, "interchange %s from %s/%s to %s/%s: %s [%s, TA105 %s]\n",
                       w->ichg->control, w->ichg->sender_qual, w->ichg->sender,
                       w->ichg->receiver_qual, w->ichg->receiver, fd->msg, fd->code, fd->ta1_code);
        for (i = 0; i < f->nmaps; i++)
            if (f->maps[i].ichg != w->ichg->offset)
                f->maps[k++] = f->maps[i];
        f->nmaps = k;
    }
    if (w->tx == NULL) {
        /* envelope and stream findings go to the log */
        gw_log(f->c, "warn", "%s %s: %s [%s]", f->p->id, f->name, fd->msg, fd->code);
        return;
    }
    edi_buf_printf(&f->findings, "segment %u: %s [%s]\n", fd->seg_pos, fd->msg, fd->code);
}

/* The set's text, for quarantine: its segments with the delimiters it came with. */
static void set_text(struct edi_buf *b, const struct edi_tx *tx)
{
    uint32_t i, k;

    for (i = 0; i < tx->nseg; i++) {
        for (k = 0; k <= tx->seg[i].n; k++) {
            if (k)
                edi_buf_putc(b, (char)tx->d.elem);
            edi_buf_putstr(b, tx->seg[i].el[k]);
        }
        edi_buf_putc(b, (char)tx->d.seg);
        edi_buf_putc(b, '\n');
    }
}

static void quarantine_set(struct file_run *f, const struct edi_tx *tx, const char *reason)
{
    char path[4400], rpath[4500];
    struct edi_buf b;
    struct edi_err e;

    char base[600];

    snprintf(base, sizeof(base), "%.500s.%s-%s.edi", f->name, tx->set_id, tx->control);
    mkdir(f->p->quarantine, 0700);
    edi_buf_init(&b, 0);
    set_text(&b, tx);
    /* a unique name: the same file name and set control number again (a
     * partner that restarts its numbers) never replaces a kept set */
    if (write_unique(path, sizeof(path), f->p->quarantine, base, b.p, b.n, &e) == 0) {
        snprintf(rpath, sizeof(rpath), "%s.reason", path);
        gw_write_file(rpath, reason, strlen(reason), &e);
    }
    edi_buf_dispose(&b);
    f->st->quarantined++;
}

static const char *ref_of(const struct edi_tx *tx)
{
    static char ref[32];
    uint32_t i;

    ref[0] = '\0';
    for (i = 0; i < tx->nseg; i++) {
        struct edi_str id = tx->seg[i].el[0];

        if ((edi_str_eq(id, "BEG") || edi_str_eq(id, "BAK") || edi_str_eq(id, "BSN")) &&
            tx->seg[i].n >= 3) {
            edi_str_copy(ref, sizeof(ref), tx->seg[i].el[edi_str_eq(id, "BSN") ? 2 : 3]);
            break;
        }
    }
    return ref[0] ? ref : NULL;
}

static int on_set(void *ctx, const struct edi_tx *tx, const struct edi_findings *val,
                  const struct edi_where *w, char status)
{
    struct file_run *f = ctx;
    size_t i;
    int64_t doc;
    const char *state = status == 'A' ? "accepted" : "rejected";

    (void)val;
    f->index++;
    f->st->sets++;
    if (f->rc < 0)
        return 0;
    if (w->ichg && w->ichg->foreign) {
        /* not recorded: a stranger's control number must not make the
         * partner's own interchange a duplicate; the file is quarantined */
        f->rejected++;
        f->st->rejected++;
        edi_buf_reset(&f->findings);
        return 0;
    }
    if (w->ichg && strcmp(w->ichg->control, f->ichg_control) != 0) {
        snprintf(f->ichg_control, sizeof(f->ichg_control), "%s", w->ichg->control);
        f->ichg_dup = 0;
        for (i = 0; i < f->ndups; i++)
            if (strcmp(f->dups[i], w->ichg->control) == 0)
                f->ichg_dup = 1;
        if (!f->ichg_dup &&
            (f->rc = gw_store_add_interchange(&f->ichg_id, f->c->store, f->raw_id, f->p->id, "in",
                                              w->ichg->control, w->ichg->sender,
                                              w->ichg->receiver, "received", f->c->now, f->err)) < 0)
            return 0;
    }
    if (f->ichg_dup) {
        edi_buf_reset(&f->findings);
        return 0;
    }
    f->rc = gw_store_add_document(&doc, f->c->store, f->ichg_id, f->p->id, "in", tx->set_id,
                                  w->group ? w->group->control : NULL, tx->control, ref_of(tx),
                                  state, f->findings.n ? edi_buf_cstr(&f->findings) : NULL,
                                  f->c->now, f->err);
    if (status == 'A') {
        f->accepted++;
        f->st->accepted++;
        /* a partner's 997/999/864 about what we sent */
        if (f->rc == 0)
            f->rc = gw_readback_set(f->c, f->p->id, doc, tx, f->err);
        if (strcmp(tx->set_id, "850") == 0) {
            if (f->nmaps == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 8;
                f->maps = edi_xrealloc(f->maps, f->cap * sizeof(*f->maps));
            }
            f->maps[f->nmaps].index = f->index;
            f->maps[f->nmaps].doc_id = doc;
            f->maps[f->nmaps].ichg = w->ichg ? w->ichg->offset : 0;
            f->nmaps++;
        }
    } else {
        f->rejected++;
        f->st->rejected++;
        quarantine_set(f, tx, f->findings.n ? edi_buf_cstr(&f->findings) : "rejected\n");
        gw_log(f->c, "warn", "%s %s: set %s %s rejected: %s", f->p->id, f->name, tx->set_id,
               tx->control, f->findings.n ? edi_buf_cstr(&f->findings) : "");
    }
    edi_buf_reset(&f->findings);
    return 0;
}

/* Interchange control numbers in the file that the store has seen. */
static int find_duplicates(struct file_run *f, const char *data, size_t n)
{
    struct edi_tok t;
    struct edi_seg s;
    int rc, total = 0;

    edi_tok_init(&t, NULL);
    edi_tok_borrow(&t, data, n);
    while ((rc = edi_tok_next(&s, &t, NULL)) != EDI_DONE) {
        char control[16];
        int seen = 0;

        if (rc < 0 || !edi_str_eq(s.el[0], "ISA") || s.n < 13)
            continue;
        total++;
        edi_str_copy(control, sizeof(control), edi_str_trim(s.el[13]));
        if ((rc = gw_store_interchange_seen(&seen, f->c->store, f->p->id, "in", control, f->err)) < 0) {
            edi_tok_dispose(&t);
            return rc;
        }
        if (seen) {
            f->dups = edi_xrealloc(f->dups, (f->ndups + 1) * sizeof(*f->dups));
            f->dups[f->ndups++] = edi_xstrdup(control);
        }
    }
    edi_tok_dispose(&t);
    return total;
}

/* ---- orders ------------------------------------------------------------------------------ */

static char *xp_string(xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o;
    char *r = NULL;

    x->node = at;
    o = xmlXPathEvalExpression(BAD_CAST expr, x);
    if (o) {
        xmlChar *s = xmlXPathCastToString(o);

        if (s && *s)
            r = edi_xstrdup((const char *)s);
        xmlFree(s);
        xmlXPathFreeObject(o);
    }
    return r;
}

/* A sales order from a canonical <order> into o (zeroed, the caller's, freed
 * with gw_order_free whatever this returns); NULL fields when absent. */
static int order_from(struct gw_order *o, xmlDocPtr doc, const char *partner, struct edi_err *err)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    xmlXPathObjectPtr lines;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int i;

    xmlXPathRegisterNs(x, BAD_CAST "c", BAD_CAST CANON_NS);
    o->partner = edi_xstrdup(partner);
    o->program = xp_string(x, root, "string(c:header/c:program)");
    o->po_number = xp_string(x, root, "string(c:header/c:po-number)");
    if (o->program == NULL || o->po_number == NULL) {
        xmlXPathFreeContext(x);
        return edi_fail(err, EDI_ESYNTAX, "the canonical order has no program or PO number");
    }
    {
        xmlChar *mem;
        int len;

        xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
        o->canonical = edi_xstrndup((const char *)mem, (size_t)len);
        xmlFree(mem);
    }
    x->node = root;
    lines = xmlXPathEvalExpression(BAD_CAST "c:lines/c:line", x);
    if (lines && lines->nodesetval) {
        o->nlines = (size_t)lines->nodesetval->nodeNr;
        o->lines = edi_xcalloc(o->nlines + 1, sizeof(*o->lines));
        for (i = 0; i < lines->nodesetval->nodeNr; i++) {
            xmlNodePtr l = lines->nodesetval->nodeTab[i];
            struct gw_order_line *ol = &o->lines[i];
            char *no = xp_string(x, l, "string(c:line-no)");
            char *q = xp_string(x, l, "string(c:id[1]/@qualifier)");
            char *v = xp_string(x, l, "string(c:id[1])");
            size_t len = (q ? strlen(q) : 0) + (v ? strlen(v) : 0) + 2;

            ol->line_no = no ? atoi(no) : i + 1;
            free(no);
            /* whole: a cut product id could be another product's */
            ol->product_id = edi_xmalloc(len);
            snprintf(ol->product_id, len, "%s:%s", q ? q : "", v ? v : "");
            free(q);
            free(v);
            ol->description = xp_string(x, l, "string(c:description)");
            ol->quantity = xp_string(x, l, "string(c:ordered-quantity)");
            ol->unit = xp_string(x, l, "string(c:ordered-quantity/@unit)");
            ol->unit_cost = xp_string(x, l, "string(c:unit-cost)");
            /* SPEC: RULES.md — a changed RP line with quantity 0 is cancelled */
            ol->state = edi_xstrdup(ol->quantity && strspn(ol->quantity, "0.") == strlen(ol->quantity)
                                        ? "cancelled"
                                        : "open");
        }
    }
    xmlXPathFreeObject(lines);
    xmlXPathFreeContext(x);
    return 0;
}


int gw_erp_json(struct edi_buf *out, struct gw_ctx *c, const char *map, const char *partner,
                const char *state, xmlDocPtr doc, struct edi_err *err)
{
    const struct map_info *m;
    struct map_param params[2] = {{"partner", partner}, {"state", state}};
    struct map_run_opts opts;
    struct edi_findings fds;
    xmlDocPtr res = NULL;
    int rc;

    if ((rc = map_find(&m, c->maps, map, NULL, err)) < 0)
        return rc;
    memset(&opts, 0, sizeof(opts));
    opts.partner = partner;
    opts.params = params;
    opts.nparams = 2;
    opts.now = c->now;
    edi_findings_init(&fds, 20);
    rc = map_run(&res, c->maps, m, doc, &opts, &fds, err);
    if (rc == EDI_ESYNTAX && fds.n)
        edi_fail(err, rc, "%s", fds.v[0].msg);
    if (rc == 0)
        rc = map_render(out, res, 0, err);
    xmlFreeDoc(res);
    edi_findings_dispose(&fds);
    return rc;
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

int gw_erp_write(struct gw_ctx *c, const char *partner, const char *kind, const char *id,
                 const char *state, const char *map, xmlDocPtr doc, const struct edi_buf *csv,
                 struct edi_err *err)
{
    struct gw_config *cfg = c->cfg;
    struct edi_buf json;
    struct edi_err e;
    int rc;

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

/* The order-level columns of the ERP CSV, repeated on each line's row:
 * what the warehouse needs to ship a DF order to the consumer (personal
 * data: see deliver). The names are the JSON's (order-to-erp-json.xsl).
 * The canonical name's second line (X12 N201) is its own column. */
static const struct {
    const char *column;
    const char *expr;   /* on the <order> */
} csv_ship[] = {
    {"customer_order_number", "string(c:header/c:customer-order-number)"},
    {"ship_to_name", "substring-before(concat(c:header/c:ship-to/c:name, '\n'), '\n')"},
    {"ship_to_name_2", "substring-after(c:header/c:ship-to/c:name, '\n')"},
    {"ship_to_attention", "string(c:header/c:ship-to/c:attention)"},
    {"ship_to_address_1", "string(c:header/c:ship-to/c:address/c:line[1])"},
    {"ship_to_address_2", "string(c:header/c:ship-to/c:address/c:line[2])"},
    {"ship_to_address_3", "string(c:header/c:ship-to/c:address/c:line[3])"},
    /* X12 allows four lines (two N3s); the canonical address holds three */
    {"ship_to_address_4", "string(c:header/c:ship-to/c:extra-address-line[1])"},
    {"ship_to_city", "string(c:header/c:ship-to/c:address/c:city)"},
    {"ship_to_state", "string(c:header/c:ship-to/c:address/c:state)"},
    {"ship_to_postal_code", "string(c:header/c:ship-to/c:address/c:postal-code)"},
    {"ship_to_country", "string(c:header/c:ship-to/c:address/c:country)"},
    {"ship_to_phone", "string((c:header/c:ship-to/c:address/c:phone | c:header/c:ship-to/c:contact/c:phone)[1])"},
    {"ship_method", "string(c:header/c:carrier/c:ship-method)"},
    {"required_ship_date", "string(c:header/c:required-ship-date)"},
    /* a DF order always says; an RP order leaves them empty */
    {"is_gift", "substring(string(c:header/c:is-gift = 'true' or boolean(c:header/c:gift/c:message)"
                " or boolean(c:lines/c:line/c:gift/c:message)), 1,"
                " 5 * number(c:header/c:program = 'DF' or boolean(c:header/c:is-gift)))"},
    {"packing_slip_required", "substring(string(c:header/c:packing-slip-required = 'true'), 1,"
                              " 5 * number(c:header/c:program = 'DF'"
                              " or boolean(c:header/c:packing-slip-required)))"},
    {"message_to_customer", "string(c:header/c:message-to-customer)"},
    {"order_gift_message", "string(c:header/c:gift/c:message)"},
};
enum { CSV_SHIP_N = sizeof(csv_ship) / sizeof(csv_ship[0]), CSV_SHIP_GIFT = CSV_SHIP_N - 1 };

/* ship[k] (the caller frees each) the value of csv_ship[k] on the order,
 * NULL when empty. */
static void csv_ship_fields(char **ship, xmlDocPtr canonical)
{
    xmlXPathContextPtr x = xmlXPathNewContext(canonical);
    xmlNodePtr root = xmlDocGetRootElement(canonical);
    size_t k;

    xmlXPathRegisterNs(x, BAD_CAST "c", BAD_CAST CANON_NS);
    for (k = 0; k < CSV_SHIP_N; k++)
        ship[k] = xp_string(x, root, csv_ship[k].expr);
    xmlXPathFreeContext(x);
}

/* The gift message of the order's line number i (from 0), or NULL. */
static char *csv_line_gift(xmlDocPtr canonical, size_t i)
{
    xmlXPathContextPtr x = xmlXPathNewContext(canonical);
    char expr[96];
    char *r;

    xmlXPathRegisterNs(x, BAD_CAST "c", BAD_CAST CANON_NS);
    snprintf(expr, sizeof(expr), "string(c:lines/c:line[%zu]/c:gift/c:message)", i + 1);
    r = xp_string(x, xmlDocGetRootElement(canonical), expr);
    xmlXPathFreeContext(x);
    return r;
}

/* The ERP file exchange: the order as JSON (through a map) and as CSV,
 * queued in the outbox in the file's transaction. A map that fails is
 * logged; a store error fails the file. */
static int export_order(struct file_run *f, const struct gw_order *o, xmlDocPtr canonical)
{
    struct gw_config *cfg = f->c->cfg;
    struct edi_err e;
    int rc = 0;

    if (cfg->erp_out == NULL)
        return 0;
    if (cfg->erp_json) {
        struct edi_buf json;

        edi_buf_init(&json, 0);
        if (gw_erp_json(&json, f->c, "local/order-to-erp-json", o->partner, o->state, canonical, &e) == 0) {
            rc = erp_queue(f->c, GW_OUTBOX_ERP_JSON, o->partner, NULL, o->po_number, "json", json.p, json.n,
                           f->err);
        } else {
            gw_log(f->c, "error", "ERP export of %s %s: %s", o->partner, o->po_number, e.msg);
        }
        edi_buf_dispose(&json);
    }
    if (rc == 0 && cfg->erp_csv) {
        struct edi_buf csv;
        char *ship[CSV_SHIP_N];
        size_t i, k;

        csv_ship_fields(ship, canonical);
        edi_buf_init(&csv, 0);
        edi_buf_puts(&csv, "partner,program,po_number,state,line_no,product_id,quantity,unit,unit_cost,line_state");
        for (k = 0; k < CSV_SHIP_N; k++) {
            edi_buf_putc(&csv, ',');
            edi_buf_puts(&csv, csv_ship[k].column);
        }
        edi_buf_puts(&csv, ",description,gift_message\n");
        for (i = 0; i < o->nlines; i++) {
            char no[16];
            char *gift = csv_line_gift(canonical, i);

            snprintf(no, sizeof(no), "%d", o->lines[i].line_no);
            gw_csv_field(&csv, o->partner, 0);
            gw_csv_field(&csv, o->program, 0);
            gw_csv_field(&csv, o->po_number, 0);
            gw_csv_field(&csv, o->state, 0);
            gw_csv_field(&csv, no, 0);
            gw_csv_field(&csv, o->lines[i].product_id, 0);
            gw_csv_field(&csv, o->lines[i].quantity, 0);
            gw_csv_field(&csv, o->lines[i].unit, 0);
            gw_csv_field(&csv, o->lines[i].unit_cost, 0);
            gw_csv_field(&csv, o->lines[i].state, 0);
            for (k = 0; k < CSV_SHIP_N; k++)
                gw_csv_field(&csv, ship[k], 0);
            gw_csv_field(&csv, o->lines[i].description, 0);
            /* the line's gift message, else the order's */
            gw_csv_field(&csv, gift ? gift : ship[CSV_SHIP_GIFT], 1);
            free(gift);
        }
        for (k = 0; k < CSV_SHIP_N; k++)
            free(ship[k]);
        rc = erp_queue(f->c, GW_OUTBOX_ERP_CSV, o->partner, NULL, o->po_number, "csv", csv.p, csv.n, f->err);
        edi_buf_dispose(&csv);
    }
    return rc;
}

/* One accepted 850 (its EDI-XML document): the partner's map makes the
 * canonical order, which becomes or updates a sales order. */
static int order_one(struct file_run *f, const struct map_info *m, xmlDocPtr in, int64_t doc_id)
{
    struct map_run_opts opts;
    struct edi_findings fds;
    xmlDocPtr out = NULL;
    struct gw_order *o, *old = NULL;
    int created, rc;

    memset(&opts, 0, sizeof(opts));
    opts.partner = f->p->id;
    opts.params = f->p->params;
    opts.nparams = f->p->nparams;
    opts.now = f->c->now;
    edi_findings_init(&fds, 50);
    rc = map_run(&out, f->c->maps, m, in, &opts, &fds, f->err);
    if (rc == EDI_ESYNTAX) {
        /* the map refused the PO: it stays a rejected document */
        struct edi_buf why;
        size_t k;

        edi_buf_init(&why, 0);
        for (k = 0; k < fds.n; k++)
            edi_buf_printf(&why, "%s [%s]\n", fds.v[k].msg, fds.v[k].code);
        rc = gw_store_set_document_state(f->c->store, doc_id, "rejected",
                                         edi_buf_cstr(&why), f->c->now, f->err);
        gw_log(f->c, "warn", "%s %s: the PO was refused by %s: %s", f->p->id, f->name,
               m->name, edi_buf_cstr(&why));
        edi_buf_dispose(&why);
        edi_findings_dispose(&fds);
        return rc;
    }
    edi_findings_dispose(&fds);
    if (rc < 0)
        return rc;
    o = edi_xcalloc(1, sizeof(*o));
    if ((rc = order_from(o, out, f->p->id, f->err)) < 0 ||
        ((rc = gw_store_get_order(&old, f->c->store, o->partner, o->program, o->po_number,
                                  f->err)) < 0 && rc != EDI_ENOTFOUND)) {
        gw_order_free(o);
        xmlFreeDoc(out);
        return rc;
    }
    if (old && strcmp(o->program, "DF") == 0) {
        /* SPEC: RULES.md — a repeated DF Ship ID is rejected (ack code 04),
         * never a second sales order */
        char why[300];

        snprintf(why, sizeof(why), "duplicate Ship ID %s received again in %s: ack code 04",
                 o->po_number, f->name);
        rc = gw_store_set_document_state(f->c->store, doc_id, "duplicate-ship-id",
                                         why, f->c->now, f->err);
        if (rc == 0)
            rc = gw_store_set_order_state(f->c->store, old->id, old->state, why, f->c->now,
                                          f->err);
        f->st->duplicate_ship_ids++;
        gw_log(f->c, "warn", "%s: %s", f->p->id, why);
        /* SPEC: RULES.md 855 DF — a repeated Ship ID is answered with code 04 */
        if (rc == 0) {
            struct gw_decision d;
            struct edi_findings v;

            memset(&d, 0, sizeof(d));
            d.actor = "auto";
            d.df_code = "04";
            d.reject_all = 1;
            d.reason = "duplicate-ship-id";
            d.duplicate_of = o->canonical;
            edi_findings_init(&v, 20);
            rc = gw_ack_decide(f->c, old, &d, &v, f->err);
            if (rc == EDI_ESYNTAX) {
                gw_log(f->c, "warn", "%s %s: no 04 acknowledgment: %s", f->p->id, o->po_number,
                       v.n ? v.v[0].msg : "");
                rc = 0;
            }
            edi_findings_dispose(&v);
        }
    } else {
        char why[300];

        free(o->state);
        if (old) {
            size_t k, open = 0;

            for (k = 0; k < o->nlines; k++)
                open += strcmp(o->lines[k].state, "cancelled") != 0;
            o->state = edi_xstrdup(open ? old->state : GW_ORDER_CANCELLED);
            snprintf(why, sizeof(why), "PO changed by %s", f->name);
        } else {
            o->state = edi_xstrdup(f->p->ack_mode == GW_ACK_MANUAL ? GW_ORDER_PENDING
                                                                  : GW_ORDER_APPROVED);
            snprintf(why, sizeof(why), "received in %s", f->name);
        }
        rc = gw_store_upsert_order(&o->id, &created, f->c->store, o, why, f->c->now, f->err);
        if (rc == 0) {
            if (created)
                f->st->orders_created++;
            else
                f->st->orders_updated++;
            gw_log(f->c, "info", "%s: order %s %s (%s)", f->p->id, o->po_number,
                   created ? "created" : "updated", o->state);
            rc = export_order(f, o, out);
        }
        if (rc == 0) {
            /* an auto-acknowledging partner's new order is decided at once:
             * everything accepted (stock-based decisions arrive later) */
            if (created && f->p->ack_mode != GW_ACK_MANUAL) {
                struct edi_findings v;

                edi_findings_init(&v, 20);
                rc = gw_ack_auto(f->c, o, &v, f->err);
                if (rc == EDI_ESYNTAX) {
                    gw_log(f->c, "warn", "%s %s: cannot be acknowledged automatically: %s",
                           f->p->id, o->po_number, v.n ? v.v[0].msg : "");
                    rc = 0;
                }
                edi_findings_dispose(&v);
            }
        }
    }
    gw_order_free(old);
    gw_order_free(o);
    xmlFreeDoc(out);
    return rc;
}

struct stream {
    struct file_run *f;
    const struct map_info *m;
    size_t index, next;
    int rc;
};

/* Each set's document as it is made: the 850s to map are mapped, every
 * document is freed at once, so memory stays that of one set. */
static int map_doc(void *ctx, xmlDocPtr doc, const struct edi_tx *tx)
{
    struct stream *s = ctx;
    struct file_run *f = s->f;

    s->index++;
    if (s->rc == 0 && s->next < f->nmaps && f->maps[s->next].index == s->index) {
        s->rc = order_one(f, s->m, doc, f->maps[s->next].doc_id);
        s->next++;
    }
    xmlFreeDoc(doc);
    return s->rc < 0 ? s->rc : 0;
}

static int make_orders(struct file_run *f, const char *data, size_t n)
{
    const struct gw_map_ref *ref = gw_partner_map(f->p, "order-in");
    struct stream s;
    int rc;

    if (f->nmaps == 0)
        return 0;
    if (ref == NULL) {
        gw_log(f->c, "warn", "%s: no order-in map configured; %zu accepted 850s are kept as documents only",
               f->p->id, f->nmaps);
        return 0;
    }
    memset(&s, 0, sizeof(s));
    s.f = f;
    if ((rc = map_find(&s.m, f->c->maps, ref->name, f->p->id, f->err)) < 0)
        return rc;
    rc = edi_x12_to_xml_docs(data, n, f->c->guides, NULL, (enum edi_text_in)f->p->text_in, map_doc, &s,
                             f->err);
    return s.rc < 0 ? s.rc : rc;
}

/* ---- the file ------------------------------------------------------------------------------- */

/* Renames from to dir/base without ever replacing a file: base, else
 * base.1, base.2 ... (a kept copy is never overwritten, whatever the clock
 * says). The final path goes to out. */
static int rename_unique(char *out, size_t cap, const char *from, const char *dir, const char *base)
{
    int k;

    for (k = 0; k < 10000; k++) {
        int len = k ? snprintf(out, cap, "%s/%s.%d", dir, base, k) : snprintf(out, cap, "%s/%s", dir, base);

        if (len < 0 || (size_t)len >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (renameat2(AT_FDCWD, from, AT_FDCWD, out, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EINVAL || errno == ENOSYS) {
            /* a file system without RENAME_NOREPLACE: link refuses to replace */
            if (link(from, out) == 0)
                return unlink(from);
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

/* Moves a processed file to archive/ or quarantine/ under a time-stamped,
 * unique name; the final path goes to final (may be NULL). */
static void move_to(struct gw_ctx *c, const char *from, const char *dir, const char *name,
                    const char *suffix, char *final, size_t cap)
{
    char to[4400], base[600];
    char when[32];
    struct tm tm;

    gmtime_r(&c->now, &tm);
    strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
    mkdir(dir, 0700);
    snprintf(base, sizeof(base), "%s-%.500s%s", when, name, suffix);
    if (rename_unique(to, sizeof(to), from, dir, base) != 0) {
        gw_log(c, "error", "cannot move %s to %s: %s", from, dir, strerror(errno));
        return;
    }
    /* a partner's file keeps the mode it came with: the kept copy is ours */
    chmod(to, 0600);
    if (final && edi_fmt(final, cap, NULL, "%s", to) < 0)
        gw_log(c, "error", "moved %s to %s, but its path is too long to note", from, to);
}

/* Writes data under dir/base, a name no other file has (base, base.1 ...),
 * by temporary name, fsync and rename; the final path goes to final. */
static int write_unique(char *final, size_t cap, const char *dir, const char *base, const void *data,
                        size_t n, struct edi_err *err)
{
    char tmp[4400];
    int rc;

    if (snprintf(tmp, sizeof(tmp), "%s/.%ld.%.500s.tmp", dir, (long)getpid(), base) >= (int)sizeof(tmp))
        return edi_fail(err, EDI_EIO, "path too long in %s", dir);
    if ((rc = gw_write_file(tmp, data, n, err)) < 0)
        return rc;
    if (rename_unique(final, cap, tmp, dir, base) != 0) {
        rc = edi_fail(err, EDI_EIO, "cannot keep %s in %s: %s", base, dir, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return 0;
}

/* A whole inbound file to quarantine/ under a unique name, with its
 * reason beside it in NAME.reason, and counted. */
static void quarantine_file(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                            const char *claimed, const char *name, const char *reason, size_t n)
{
    char final[4800];
    struct edi_err e;

    final[0] = '\0';
    move_to(c, claimed, p->quarantine, name, "", final, sizeof(final));
    if (final[0] && edi_fmt(final + strlen(final), sizeof(final) - strlen(final), &e, ".reason") == 0 &&
        gw_write_file(final, reason, n, &e) < 0)
        gw_log(c, "error", "%s %s: %s", p->id, name, e.msg);
    st->quarantined++;
}

/* ---- claims ---------------------------------------------------------------------------------- */

/* A process claims a file by renaming it into inbound/.claimed/PID/, a
 * folder it holds an exclusive flock on while it works: a pass that finds
 * a claim folder it can lock knows its owner is gone (killed, crashed) and
 * puts the files back in inbound/, so no file is ever stranded there. */
static int claim_dir(int *lockfd, char *dir, size_t cap, const char *inbound, struct edi_err *err)
{
    char top[4300];

    if (edi_fmt(top, sizeof(top), err, "%s/.claimed", inbound) < 0)
        return EDI_EIO;
    mkdir(top, 0700);
    if (snprintf(dir, cap, "%s/%ld", top, (long)getpid()) >= (int)cap)
        return edi_fail(err, EDI_EIO, "path too long: %s", top);
    mkdir(dir, 0700);
    if ((*lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return edi_fail(err, EDI_EIO, "cannot open %s: %s", dir, strerror(errno));
    if (flock(*lockfd, LOCK_EX) != 0) {
        close(*lockfd);
        *lockfd = -1;
        return edi_fail(err, EDI_EIO, "cannot lock %s: %s", dir, strerror(errno));
    }
    return 0;
}

/* Puts back the files of every claim folder whose owner is gone, and files
 * an older wharf left directly in .claimed/. */
static void recover_claims(struct gw_ctx *c, const struct gw_partner *p)
{
    char top[4300], sub[4600], from[4900], to[4400];
    DIR *d, *s;
    struct dirent *e, *f;

    if (edi_fmt(top, sizeof(top), NULL, "%s/.claimed", p->inbound) < 0 || (d = opendir(top)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        int fd;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (edi_fmt(sub, sizeof(sub), NULL, "%s/%s", top, e->d_name) < 0 || lstat(sub, &sb) != 0)
            continue;
        if (!S_ISDIR(sb.st_mode)) {
            if (rename_unique(to, sizeof(to), sub, p->inbound, e->d_name) == 0)
                gw_log(c, "warn", "%s %s: put back in inbound/ from an interrupted run", p->id, e->d_name);
            continue;
        }
        if ((fd = open(sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);   /* its owner is at work */
            continue;
        }
        if ((s = opendir(sub)) != NULL) {
            while ((f = readdir(s)) != NULL) {
                if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
                    continue;
                if (edi_fmt(from, sizeof(from), NULL, "%s/%s", sub, f->d_name) < 0)
                    continue;
                if (rename_unique(to, sizeof(to), from, p->inbound, f->d_name) == 0)
                    gw_log(c, "warn", "%s %s: put back in inbound/ from an interrupted run", p->id,
                           f->d_name);
                else
                    gw_log(c, "error", "%s %s: cannot put back in inbound/: %s", p->id, f->d_name,
                           strerror(errno));
            }
            closedir(s);
        }
        /* an empty folder of a process that is gone */
        if (atoi(e->d_name) != (int)getpid())
            rmdir(sub);
        close(fd);
    }
    closedir(d);
}

static const char *ack_kind(const struct edi_buf *b)
{
    if (b->n == 0)
        return NULL;
    if (memmem(b->p, b->n, "ST*999", 6) || memmem(b->p, b->n, "ST|999", 6))
        return "999";
    if (memmem(b->p, b->n, "ST*997", 6) || memmem(b->p, b->n, "ST|997", 6))
        return "997";
    return "TA1";
}

/* ---- completeness ---------------------------------------------------------------------------- */

static void on_envelope(void *ctx, const struct edi_finding *fd, const struct edi_where *w)
{
    (void)w;
    if (strcmp(fd->code, "iea-missing") == 0)
        *(int *)ctx = 1;
}

static int blank(char ch)
{
    return ch == ' ' || ch == '\r' || ch == '\n' || ch == '\t';
}

/* The common case, without a parse: the file's last segment is an IEA
 * (its terminator is the last byte but blanks). */
static int ends_with_iea(const char *data, size_t n)
{
    size_t end = n, k;

    while (end > 0 && blank(data[end - 1]))
        end--;
    if (end < 4)
        return 0;
    for (k = end - 1; k > 0 && data[k - 1] != data[end - 1]; k--)
        ;
    while (k < end && blank(data[k]))
        k++;
    return end - k > 3 && memcmp(data + k, "IEA", 3) == 0;
}

/* 1 when the file is still being written, by what it holds: empty, or an
 * interchange whose IEA has not arrived. A file cut after
 * an IEA reads as complete; settle-seconds covers writers that pause there.
 * Only a file that does not end in an IEA costs an envelope parse. */
static int incomplete_file(const char *data, size_t n)
{
    struct edi_check_opts o;
    struct edi_check_stats cs;
    struct edi_err e;
    size_t i = 0;
    int missing = 0;

    while (i < n && blank(data[i]))
        i++;
    if (i == n)
        return 1;
    if (ends_with_iea(data, n))
        return 0;
    /* an ISA shorter than its 106 bytes is broken rather than growing (a
     * writer's first piece is larger): it gets its TA1 now */
    memset(&o, 0, sizeof(o));
    o.envelope_only = 1;
    o.report = on_envelope;
    o.ctx = &missing;
    if (edi_check_mem(&cs, data, n, &o, &e) < 0)
        return 0;
    return missing;
}

int gw_process_file(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                    const char *path, struct edi_err *err)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char claimdir[4400], claimed[4800] = "";
    int lockfd = -1, moved = 0;
    struct gw_stats before = *st;
    struct file_run f;
    struct edi_check_opts o;
    struct edi_check_stats cs;
    struct edi_ack ack;
    struct edi_ack_opts ao;
    char *data = NULL;
    size_t n, i;
    int rc, dup = 0, total;
    char sha[65];

    memset(&f, 0, sizeof(f));
    edi_buf_init(&f.findings, 1u << 20);
    edi_buf_init(&f.foreign, 1u << 16);
    /* claim: a rename is atomic; whoever renames first owns the file */
    if ((rc = claim_dir(&lockfd, claimdir, sizeof(claimdir), p->inbound, err)) < 0)
        goto out;
    if ((rc = edi_fmt(claimed, sizeof(claimed), err, "%s/%s", claimdir, name)) < 0) {
        moved = 1;   /* not claimed: it stays where it is */
        goto out;
    }
    if (rename(path, claimed) != 0) {
        rc = errno == ENOENT ? 0 : edi_fail(err, EDI_EIO, "cannot claim %s: %s", path, strerror(errno));
        moved = 1;   /* nothing of ours to put back */
        goto out;
    }
    if ((rc = edi_read_regular(&data, &n, claimed, err)) < 0) {
        if (rc == EDI_ESYNTAX) {
            /* a link or a device: kept for the operator, never read */
            char reason[600];

            snprintf(reason, sizeof(reason), "%.500s\n", err->msg);
            quarantine_file(st, c, p, claimed, name, reason, strlen(reason));
            moved = 1;
            gw_log(c, "warn", "%s %s: quarantined: %s", p->id, name, err->msg);
            rc = 0;
        }
        goto out;
    }
    if (incomplete_file(data, n)) {
        struct stat sb;
        time_t age = stat(claimed, &sb) == 0 ? time(NULL) - sb.st_mtime : 0;

        if (age < p->incomplete_seconds) {
            /* SPEC: issue 12 — a file still being written is not taken: it goes
             * back to inbound/ (the exit below) for a later pass */
            gw_log(c, "info", "%s %s: incomplete (no IEA yet, %lds old): left for a later pass", p->id,
                   name, (long)age);
            rc = 0;
            goto out;
        }
        {
            char reason[600];

            snprintf(reason, sizeof(reason), "%.200s: still incomplete after %lds (no IEA, or empty): "
                     "quarantined (transport incomplete-seconds=%d); drop the complete file again\n",
                     name, (long)age, p->incomplete_seconds);
            quarantine_file(st, c, p, claimed, name, reason, strlen(reason));
            moved = 1;
            gw_log(c, "warn", "%s %s: quarantined: incomplete after %lds", p->id, name, (long)age);
            rc = 0;
            goto out;
        }
    }
    st->files++;
    f.c = c;
    f.p = p;
    f.st = st;
    f.name = name;
    f.err = err;
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto fail_nostore;
    if ((rc = gw_sha256_hex(sha, data, n, err)) < 0 ||
        (rc = gw_store_put_raw(&f.raw_id, &dup, c->store, p->id, "in", name, sha, data, n, c->now,
                               err)) < 0)
        goto fail;
    if (dup) {
        gw_log(c, "warn", "%s %s: the same bytes were received before (raw #%lld): not processed again",
               p->id, name, (long long)f.raw_id);
        st->duplicates++;
        if ((rc = gw_store_commit(c->store, err)) < 0)
            goto fail;
        move_to(c, claimed, p->archive, name, ".duplicate", NULL, 0);
        moved = 1;
        goto out;
    }
    if ((total = find_duplicates(&f, data, n)) < 0) {
        rc = total;
        goto fail;
    }
    if (total > 0 && f.ndups == (size_t)total) {
        gw_log(c, "warn", "%s %s: interchange %s was received before: not processed again", p->id,
               name, f.dups[0]);
        st->duplicates++;
        if ((rc = gw_store_commit(c->store, err)) < 0)
            goto fail;
        move_to(c, claimed, p->archive, name, ".duplicate", NULL, 0);
        moved = 1;
        goto out;
    }
    /* validate, acknowledge, record */
    memset(&ao, 0, sizeof(ao));
    ao.now = c->now;
    ao.ctl.next = store_ctl;
    ao.ctl.ctx = &f;
    ao.type = p->functional_ack && strcmp(p->functional_ack, "999") == 0 ? EDI_ACK_999 : EDI_ACK_AUTO;
    ao.ta1_always = p->ta1;
    /* acks go from us to the partner as configured, whatever the inbound
     * ISA says (a stranger's or an unreadable one) */
    ao.us = (struct edi_party){c->cfg->vendor_isa_qualifier, c->cfg->vendor_isa_id, NULL};
    ao.them = (struct edi_party){p->isa_qualifier, p->isa_id, NULL};
    edi_ack_init(&ack, &ao);
    memset(&o, 0, sizeof(o));
    o.guides = c->guides;
    o.guide_for = guide_for;
    o.ack = p->functional_ack && strcmp(p->functional_ack, "none") == 0 ? NULL : &ack;
    o.report = on_finding;
    o.text = p->text_in;
    o.set = on_set;
    o.ctx = &f;
    /* only the partner's interchanges to us are processed (the GS ids
     * only when group-id is configured) */
    o.from = (struct edi_party){p->isa_qualifier, p->isa_id, p->group_id};
    o.to = (struct edi_party){c->cfg->vendor_isa_qualifier, c->cfg->vendor_isa_id,
                              c->cfg->vendor_group_id};
    rc = edi_check_mem(&cs, data, n, &o, err);
    if (rc == 0 && f.rc < 0)
        rc = f.rc;
    if (rc == 0 && ack.rc < 0)
        rc = edi_fail(err, ack.rc, "control numbers: %s", err->msg);
    if (rc == 0 && ack.out.n) {
        char oname[256];
        int64_t id;
        const char *kind = ack_kind(&ack.out);

        rc = edi_fmt(oname, sizeof(oname), err, "%s-%s-%lld.edi", p->id, kind, (long long)f.raw_id);
        if (rc == 0)
            rc = gw_store_outbox_add(&id, c->store, p->id, kind, oname, ack.out.p, ack.out.n, c->now, err);
        if (rc == 0)
            st->acks_queued++;
    }
    edi_ack_dispose(&ack);
    if (rc < 0)
        goto fail;
    if ((rc = make_orders(&f, data, n)) < 0)
        goto fail;
    /* a failed commit (a full disk, a locked store) rolls back: the file
     * goes back to inbound/ and nothing of it counts */
    if ((rc = gw_store_commit(c->store, err)) < 0)
        goto fail;
    moved = 1;
    if (f.foreign.n) {
        quarantine_file(st, c, p, claimed, name, f.foreign.p, f.foreign.n);
        gw_log(c, "warn", "%s %s: quarantined: an interchange not from the partner to us", p->id, name);
    } else if (cs.sets == 0 && cs.findings) {
        char reason[4600];

        snprintf(reason, sizeof(reason), "%s: no transaction set could be read (see the log)\n", name);
        quarantine_file(st, c, p, claimed, name, reason, strlen(reason));
        gw_log(c, "warn", "%s %s: quarantined: not X12", p->id, name);
    } else {
        move_to(c, claimed, p->archive, name, "", NULL, 0);
        gw_log(c, "info", "%s %s: %u sets, %u accepted, %u rejected", p->id, name,
               f.accepted + f.rejected, f.accepted, f.rejected);
    }
    goto out;
fail:
    gw_store_rollback(c->store);
fail_nostore:
    /* what was counted for this file was not committed */
    before.errors++;
    *st = before;
    gw_log(c, "error", "%s %s: %s (the file stays in inbound/)", p->id, name, err->msg);
out:
    if (!moved && lockfd >= 0 && claimed[0]) {
        /* every other exit puts the file back: it is tried again next time */
        char back[4400];

        if (rename_unique(back, sizeof(back), claimed, p->inbound, name) != 0)
            gw_log(c, "error", "%s %s: cannot put back in inbound/: %s (a later pass recovers it)",
                   p->id, name, strerror(errno));
    }
    if (lockfd >= 0)
        close(lockfd);
    for (i = 0; i < f.ndups; i++)
        free(f.dups[i]);
    free(f.dups);
    free(f.maps);
    edi_buf_dispose(&f.findings);
    edi_buf_dispose(&f.foreign);
    free(data);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in name order; a file that fails stays in inbound/ and the next
 * one is tried. err is the first failure's. */
int gw_poll_partner(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *p,
                    struct edi_err *err)
{
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (p->inbound == NULL)
        return 0;
    recover_claims(c, p);
    if ((d = opendir(p->inbound)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4400];
        struct stat sb;

        if (e->d_name[0] == '.' || gw_temp_name(e->d_name))
            continue;
        /* lstat: a link is claimed and quarantined, never followed */
        if (edi_fmt(path, sizeof(path), NULL, "%s/%s", p->inbound, e->d_name) < 0 ||
            lstat(path, &sb) != 0 || S_ISDIR(sb.st_mode))
            continue;
        /* a file modified a moment ago may still be growing */
        if (p->settle_seconds > 0 && time(NULL) - sb.st_mtime < p->settle_seconds)
            continue;
        names = edi_xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = edi_xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n; i++) {
        char path[4400];
        struct edi_err e2;

        edi_err_clear(&e2);
        if (edi_fmt(path, sizeof(path), &e2, "%s/%s", p->inbound, names[i]) == 0 &&
            !(c->stop && *c->stop) && gw_process_file(st, c, p, path, &e2) < 0) {
            if (rc == 0)
                *err = e2;
            rc = e2.rc;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int gw_poll_inbound(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err)
{
    size_t k;
    int rc = 0;

    for (k = 0; k < c->cfg->npartners && !(c->stop && *c->stop); k++) {
        struct edi_err e;

        edi_err_clear(&e);
        if (gw_poll_partner(st, c, &c->cfg->partners[k], &e) < 0 && rc == 0) {
            *err = e;
            rc = e.rc;
        }
    }
    return rc;
}

int gw_flush_outbox(struct gw_stats *st, struct gw_ctx *c, struct edi_err *err)
{
    return gw_flush_outbox_of(st, c, NULL, err);
}

/* ---- the outbox ---------------------------------------------------------------------------- */

/* SPEC: issue 12 — any number of processes flush one workspace's outbox
 * (`wharf run --once`, ship, invoice run, ack run, the daemon) and each
 * message is delivered once: a sender claims a message in the store
 * before it writes it (gw_store_outbox_claim), writes it under a
 * temporary name, renames it and marks it sent. A claim is taken over when
 * its owner is gone (a process of this host that no longer exists) or it
 * is older than WHARF_CLAIM_STALE seconds (CLAIM_STALE by default: a
 * delivery is one file write, so a claim that old was abandoned). */
#define CLAIM_STALE 600

static long claim_stale(void)
{
    const char *v = getenv("WHARF_CLAIM_STALE");
    char *end;
    long n;

    if (v == NULL || *v == '\0')
        return CLAIM_STALE;
    errno = 0;
    n = strtol(v, &end, 10);
    /* LIMIT: a day at most; a bad value is the default */
    if (errno != 0 || *end != '\0' || n < 1 || n > 86400)
        return CLAIM_STALE;
    return n;
}

/* This process as a claim's owner: "PID@HOST". */
static void claim_owner(char *out, size_t cap)
{
    char host[256];

    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    snprintf(out, cap, "%ld@%s", (long)getpid(), host);
}

/* The pid of a claim's owner when it is a process of this host, else 0. */
static pid_t claim_local_pid(const char *owner)
{
    char me[320];
    const char *at = strchr(owner, '@');
    const char *mine;
    long pid = 0;
    const char *q;

    claim_owner(me, sizeof(me));
    mine = strchr(me, '@');
    if (at == NULL || at == owner || at - owner > 10 || strcmp(at, mine) != 0)
        return 0;
    for (q = owner; q < at; q++) {
        if (*q < '0' || *q > '9')
            return 0;
        pid = pid * 10 + (*q - '0');
    }
    return pid > 0 && pid <= INT32_MAX ? (pid_t)pid : 0;
}

/* 1 when the owner of a claim is known to be gone: a process of this host
 * that does not exist any more. Another host's claim is never known gone:
 * it waits for the stale time. */
static int claim_owner_gone(const char *owner)
{
    pid_t pid = claim_local_pid(owner);

    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

/* The temporary name a process writes dir/name under: a dot in front and
 * .tmp behind (gw_temp_name: no reader takes it), the pid inside, so two
 * senders never share one and a dead sender's is known. */
static void temp_path(char *out, size_t cap, const char *dir, const char *name, long pid)
{
    snprintf(out, cap, "%s/.%s.wharf-%ld.tmp", dir, name, pid);
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

    if (fd < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

/* Writes bytes to tmp (never through a link) and syncs them. Mode 0600
 * whatever the umask or an old tmp's mode: what wharf writes may hold a DF
 * consumer's name, address and phone (personal data, DESIGN.md). */
static int write_synced(const char *tmp, const void *p, size_t n, struct edi_err *err)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd < 0)
        return edi_fail(err, EDI_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (fchmod(fd, 0600) != 0)
        goto fail;
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        p = (const char *)p + w;
        n -= (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    return 0;
fail:
    {
        int e = errno ? errno : EIO;

        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return edi_fail(err, EDI_EIO, "cannot write %s: %s", tmp, strerror(e));
    }
}
/* Delivers one claimed message to dir/name. The bytes go to a temporary
 * name first (synced), then, holding the store's write lock, the rename,
 * the folder's sync and the mark sent commit together as far as a crash
 * can tell:
 * - a crash before the rename leaves no file, only the temporary one and
 *   the claim: whoever takes the claim over removes it and delivers;
 * - a crash after the rename leaves the file and an unsent message: it is
 *   delivered again under the same name, and the rename replaces the file
 *   with the same bytes, so the partner or the ERP sees one file, whole.
 * An ERP file that a later message of the same name superseded (an order
 * changed twice) is not written: under the lock, so an older version never
 * replaces a newer one. */
static int deliver(struct gw_ctx *c, const struct gw_outbox_item *it, const char *dir, int erp,
                   struct edi_err *err)
{
    char tmp[4600], path[4400];
    int rc, later = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, it->name);
    temp_path(tmp, sizeof(tmp), dir, it->name, (long)getpid());
    if ((rc = write_synced(tmp, it->bytes, it->n, err)) < 0)
        return rc;
    if ((rc = gw_store_begin(c->store, err)) < 0)
        goto fail;
    if (erp && (rc = gw_store_outbox_superseded(&later, c->store, it->id, err)) < 0)
        goto rollback;
    if (later) {
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = edi_fail(err, EDI_EIO, "cannot write %s: %s", path, strerror(errno));
        goto rollback;
    } else if (sync_dir(dir) != 0) {
        /* the file is there: the message stays unsent, and is written
         * again (same name, same bytes) */
        rc = edi_fail(err, EDI_EIO, "cannot sync %s: %s", dir, strerror(errno));
        gw_store_rollback(c->store);
        return rc;
    }
    if ((rc = gw_store_outbox_sent(c->store, it->id, c->now, err)) < 0)
        goto rollback;
    if ((rc = gw_store_commit(c->store, err)) < 0)
        return rc;  /* the file is there; the claim is ours: written again */
    return 0;
rollback:
    gw_store_rollback(c->store);
fail:
    unlink(tmp);
    return rc;
}

/* Where a message goes: ERP files to the ERP folder, the rest to the
 * partner's outbound folder. NULL and why when there is nowhere. */
static const char *target_dir(int *erp, const char **why, struct gw_ctx *c, const struct gw_outbox_item *it)
{
    const struct gw_partner *p;

    *erp = strncmp(it->kind, "erp-", 4) == 0;
    *why = NULL;
    if (it->name == NULL || it->name[0] == '\0' || it->name[0] == '.' || strchr(it->name, '/')) {
        *why = "the message has no file name that stays in its folder";
        return NULL;
    }
    if (*erp) {
        if (c->cfg->erp_out == NULL)
            *why = "wharf.xml has no ERP folder any more";
        return c->cfg->erp_out;
    }
    p = gw_config_partner(c->cfg, it->partner);
    if (p == NULL || p->outbound == NULL)
        *why = "the partner is not in wharf.xml any more";
    return p ? p->outbound : NULL;
}

/* One message: claim, deliver, count. rc < 0 only for store errors (the
 * flush stops); a delivery that fails is recorded for a retry. */
static int flush_one(struct gw_stats *st, struct gw_ctx *c, const struct gw_outbox_item *it,
                     const char *owner, time_t stale_before, struct edi_err *err)
{
    const char *dead = NULL, *dir, *why;
    struct edi_err e;
    int got, erp, rc;

    dir = target_dir(&erp, &why, c, it);
    if (it->claimed_by != NULL && strcmp(it->claimed_by, owner) != 0) {
        int gone = claim_owner_gone(it->claimed_by);

        if (it->claimed_at > stale_before && !gone)
            return 0;   /* another sender is on it */
        dead = it->claimed_by;
        /* what a dead sender left half written goes first, before the
         * claim: whoever dies next leaves only its own behind */
        if (gone && dir != NULL && why == NULL) {
            char tmp[4600];

            temp_path(tmp, sizeof(tmp), dir, it->name, (long)claim_local_pid(dead));
            unlink(tmp);
        }
    }
    if ((rc = gw_store_outbox_claim(&got, c->store, it->id, owner, c->now, stale_before, dead, err)) < 0)
        return rc;
    if (!got)
        return 0;       /* another sender was faster, or it was sent meanwhile */
    if (dead != NULL)
        gw_log(c, "warn", "%s: %s was claimed by %s (%s): taken over", it->partner,
               it->name ? it->name : "a message", dead, claim_owner_gone(dead) ? "gone" : "stale");
    if (why != NULL) {
        st->send_failures++;
        gw_log(c, "error", "%s: cannot send %s: %s", it->partner, it->name ? it->name : "a message", why);
        return gw_store_outbox_failed(c->store, it->id, c->now + 3600, why, err);
    }
    mkdir(dir, 0700);
    edi_err_clear(&e);
    if ((rc = deliver(c, it, dir, erp, &e)) < 0) {
        /* back off: 1, 2, 4 ... minutes, at most an hour */
        long delay = 60L << (it->attempts < 6 ? it->attempts : 6);

        st->send_failures++;
        gw_log(c, "error", "%s: cannot send %s: %s", it->partner, it->name, e.msg);
        if (rc == EDI_EAGAIN)
            return 0;   /* the store was busy: the claim is ours, the next flush tries again */
        return gw_store_outbox_failed(c->store, it->id, c->now + (delay > 3600 ? 3600 : delay), e.msg, err);
    }
    if (!erp) {
        st->sent++;
        gw_log(c, "info", "%s: sent %s (%zu bytes)", it->partner, it->name, it->n);
    }
    return 0;
}

int gw_flush_outbox_of(struct gw_stats *st, struct gw_ctx *c, const struct gw_partner *only,
                       struct edi_err *err)
{
    char owner[320];
    time_t stale_before = c->now - claim_stale();
    int64_t after = 0;
    int rc = 0;

    claim_owner(owner, sizeof(owner));
    /* keyset pages, so messages other senders hold never hide the rest */
    for (;;) {
        struct gw_outbox_item *v = NULL;
        size_t n = 0, i;

        if ((rc = gw_store_outbox_due_after(&v, &n, c->store, c->now, after, only ? only->id : NULL, 100,
                                            err)) < 0 ||
            n == 0)
            break;
        for (i = 0; i < n && rc == 0; i++) {
            after = v[i].id;
            rc = flush_one(st, c, &v[i], owner, stale_before, err);
        }
        gw_outbox_free(v, n);
        if (rc < 0)
            break;
    }
    return rc < 0 ? rc : 0;
}
