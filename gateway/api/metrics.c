/*
 * metrics.c — GET /metrics and GET /healthz (metrics.h): the exposition
 * format writer, the scrape (one aggregate query, the deadlines, the HTTP
 * counters) and the health verdict. The JSON API is api.c; the queries are
 * the store's (gw_store_metrics); the counters are net/http.c's.
 */
#include "gateway/api/metrics.h"
#include "gateway/core/cfgref.h"
#include "gateway/core/version.h"
#include "gateway/flow/ack.h"
#include "gateway/secret/pw.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct gw_metrics {
    struct gw_cfg_ref *ref;        /* the daemon's configuration (core/cfgref.h) */
    int guard;                     /* /metrics asks for a user's token (atomic) */
    time_t (*now)(void);
};

int gw_metrics_new(struct gw_metrics **out, struct gw_cfg_ref *ref, time_t (*now)(void), struct edi_err *err)
{
    struct gw_metrics *m = edi_xcalloc(1, sizeof(*m));

    (void)err;
    m->ref = ref;
    m->now = now;
    *out = m;
    return 0;
}

void gw_metrics_free(struct gw_metrics *m)
{
    free(m);
}

void gw_metrics_guard(struct gw_metrics *m, int on)
{
    __atomic_store_n(&m->guard, on, __ATOMIC_SEQ_CST);
}

/* 0 when rq carries "Authorization: Bearer TOKEN" of a user of the store at
 * store_path (any role); else -1 with rs answered 401. */
static int token_ok(const char *store_path, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    const char *auth = NULL;
    char digest[GW_DIGEST_HEX];
    struct gw_store *s = NULL;
    struct gw_user *u = NULL;
    struct edi_err err;
    size_t i;
    int rc;

    for (i = 0; i < rq->nheaders; i++)
        if (strcasecmp(rq->headers[i].name, "Authorization") == 0)
            auth = rq->headers[i].value;
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
        gw_server_error(rs, 401, "this listener is public: /metrics takes 'Authorization: Bearer TOKEN' of a "
                                 "user (`wharf users token NAME`)");
        return -1;
    }
    gw_pw_digest(digest, auth + 7, strlen(auth + 7));
    edi_err_clear(&err);
    if ((rc = gw_store_open(&s, store_path, &err)) == 0)
        rc = gw_store_user_by_token(&u, s, digest, &err);
    gw_users_free(u, u ? 1 : 0);
    gw_store_close(s);
    if (rc < 0) {
        gw_server_error(rs, rc == EDI_ENOTFOUND ? 401 : 503,
                        rc == EDI_ENOTFOUND ? "this API token is not known here" : "the store does not answer");
        return -1;
    }
    return 0;
}

/* ---- the exposition format (text 0.0.4) -------------------------------------------------------- */

/* v escaped for a label value (quote too) or a HELP text (no quote). */
static void prom_escape(struct edi_buf *b, const char *v, int quote)
{
    const unsigned char *p = (const unsigned char *)(v ? v : "");
    size_t n = strlen((const char *)p), i = 0, k;

    while (i < n) {
        if (p[i] == '\\')
            edi_buf_puts(b, "\\\\");
        else if (p[i] == '\n')
            edi_buf_puts(b, "\\n");
        else if (p[i] == '"' && quote)
            edi_buf_puts(b, "\\\"");
        else if (p[i] >= 0x80) {
            /* SPEC: exposition format — UTF-8; what is not is replaced */
            if ((k = gw_utf8_len(p + i, n - i)) == 0) {
                edi_buf_puts(b, "\xef\xbf\xbd");
                i++;
            } else {
                edi_buf_put(b, p + i, k);
                i += k;
            }
            continue;
        } else
            edi_buf_putc(b, (char)p[i]);
        i++;
    }
}

void gw_prom_family(struct edi_buf *b, const char *name, const char *type, const char *help)
{
    edi_buf_printf(b, "# HELP %s ", name);
    prom_escape(b, help, 0);
    edi_buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

void gw_prom_sample(struct edi_buf *b, const char *name, const char *const *labels, double v)
{
    size_t i;

    edi_buf_puts(b, name);
    if (labels && labels[0]) {
        edi_buf_putc(b, '{');
        for (i = 0; labels[i]; i += 2) {
            edi_buf_printf(b, "%s%s=\"", i ? "," : "", labels[i]);
            prom_escape(b, labels[i + 1], 1);
            edi_buf_putc(b, '"');
        }
        edi_buf_putc(b, '}');
    }
    if (isnan(v))
        edi_buf_puts(b, " NaN\n");
    else if (isinf(v))
        edi_buf_puts(b, v > 0 ? " +Inf\n" : " -Inf\n");
    else if (v == floor(v) && fabs(v) < 9e15)
        edi_buf_printf(b, " %.0f\n", v);
    else
        edi_buf_printf(b, " %.17g\n", v);
}

/* ---- the scrape ---------------------------------------------------------------------------------- */

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* rows of one kind (what), in the order the query gives them */
#define EACH(r, rows, n, kind) \
    for (size_t i_ = 0; i_ < (n); i_++) \
        if ((r = &(rows)[i_]) != NULL && strcmp(r->what, kind) == 0)

struct deadline_count {
    const char *partner;
    unsigned soon, overdue;
};

static void scrape(struct edi_buf *b, const struct gw_config *cfg, const struct gw_metric_row *rows, size_t n,
                   const struct gw_deadline *dl, size_t nd)
{
    const struct gw_metric_row *r;
    struct gw_http_count hc[GW_HTTP_COUNTS_MAX];
    struct deadline_count *dc = edi_xcalloc(cfg->npartners + 1, sizeof(*dc));
    size_t i, k, nhc;

    gw_prom_family(b, "wharf_build_info", "gauge", "The wharf that answers (always 1).");
    gw_prom_sample(b, "wharf_build_info", L("version", WHARF_VERSION), 1);
    gw_prom_family(b, "wharf_documents", "gauge", "Documents in the store by kind, direction and state.");
    EACH(r, rows, n, "documents")
        gw_prom_sample(b, "wharf_documents", L("kind", r->a, "direction", r->b, "state", r->c), (double)r->v1);
    gw_prom_family(b, "wharf_orders", "gauge", "Orders by partner and state.");
    EACH(r, rows, n, "orders")
        gw_prom_sample(b, "wharf_orders", L("partner", r->a, "state", r->b), (double)r->v1);
    gw_prom_family(b, "wharf_outbox_unsent", "gauge", "Outbox items not sent yet, by partner and kind.");
    EACH(r, rows, n, "outbox")
        gw_prom_sample(b, "wharf_outbox_unsent", L("partner", r->a, "kind", r->b), (double)r->v1);
    gw_prom_family(b, "wharf_outbox_due", "gauge", "Outbox items due to be sent now, by partner and kind.");
    EACH(r, rows, n, "outbox")
        gw_prom_sample(b, "wharf_outbox_due", L("partner", r->a, "kind", r->b), (double)r->v2);
    gw_prom_family(b, "wharf_outbox_oldest_due_age_seconds", "gauge",
                   "How long the oldest due outbox item has waited since it was queued, by partner and kind.");
    EACH(r, rows, n, "outbox")
        if (r->c && strcmp(r->c, "-1") != 0)
            gw_prom_sample(b, "wharf_outbox_oldest_due_age_seconds", L("partner", r->a, "kind", r->b),
                           strtod(r->c, NULL));
    gw_prom_family(b, "wharf_outbox_failing", "gauge",
                   "Unsent outbox items whose last attempt failed, by partner and kind.");
    EACH(r, rows, n, "outbox-failing")
        gw_prom_sample(b, "wharf_outbox_failing", L("partner", r->a, "kind", r->b), (double)r->v1);
    /* SPEC: RULES.md 855 — 24 hours; "soon": within the partner's warn-hours */
    for (i = 0; i < cfg->npartners; i++)
        dc[i].partner = cfg->partners[i].id;
    for (i = 0; i < nd; i++) {
        for (k = 0; k < cfg->npartners && strcmp(dc[k].partner, dl[i].partner) != 0; k++)
            ;
        if (k == cfg->npartners)
            continue;   /* a partner gone from wharf.xml */
        if (dl[i].due <= 0 || dl[i].minutes_left < 0)
            dc[k].overdue++;
        else
            dc[k].soon++;
    }
    gw_prom_family(b, "wharf_ack_deadlines", "gauge",
                   "Orders not acknowledged yet whose 24-hour deadline is within the partner's ack warn-hours "
                   "(when=\"soon\") or past (when=\"overdue\").");
    for (i = 0; i < cfg->npartners; i++) {
        gw_prom_sample(b, "wharf_ack_deadlines", L("partner", dc[i].partner, "when", "soon"), dc[i].soon);
        gw_prom_sample(b, "wharf_ack_deadlines", L("partner", dc[i].partner, "when", "overdue"), dc[i].overdue);
    }
    free(dc);
    gw_prom_family(b, "wharf_run_last_duration_seconds", "gauge",
                   "How long each job's last run took (so far, while it runs), by partner and job.");
    EACH(r, rows, n, "run")
        gw_prom_sample(b, "wharf_run_last_duration_seconds", L("partner", r->a, "job", r->b), (double)r->v1);
    gw_prom_family(b, "wharf_run_last_end_timestamp_seconds", "gauge",
                   "When each job's last run ended (Unix seconds; 0 while it runs).");
    EACH(r, rows, n, "run")
        gw_prom_sample(b, "wharf_run_last_end_timestamp_seconds", L("partner", r->a, "job", r->b), (double)r->v2);
    gw_prom_family(b, "wharf_run_last_failed", "gauge", "1 when each job's last run failed, else 0.");
    EACH(r, rows, n, "run")
        gw_prom_sample(b, "wharf_run_last_failed", L("partner", r->a, "job", r->b),
                       r->c && strcmp(r->c, "failed") == 0);
    gw_prom_family(b, "wharf_as2_messages", "gauge", "AS2 messages by partner, direction and status.");
    EACH(r, rows, n, "as2")
        gw_prom_sample(b, "wharf_as2_messages", L("partner", r->a, "direction", r->b, "status", r->c),
                       (double)r->v1);
    nhc = gw_http_counts(hc, GW_HTTP_COUNTS_MAX);
    if (nhc > GW_HTTP_COUNTS_MAX)
        nhc = GW_HTTP_COUNTS_MAX;
    gw_prom_family(b, "wharf_http_client_requests_total", "counter",
                   "HTTP requests this process made to partners and connectors, by client (sp-api, erp, as2), "
                   "target (partner or connector id) and outcome (2xx..5xx, or error: no answer).");
    for (i = 0; i < nhc; i++)
        gw_prom_sample(b, "wharf_http_client_requests_total",
                       L("client", hc[i].client, "target", hc[i].target, "outcome", hc[i].outcome), (double)hc[i].n);
}

/* Opens the store of cfg and reads what both routes need. */
static int read_store(struct gw_metric_row **rows, size_t *n, struct gw_deadline **dl, size_t *nd,
                      const struct gw_config *cfg, time_t now, struct edi_err *err)
{
    struct gw_ctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.cfg = (struct gw_config *)cfg;
    c.now = now;
    *rows = NULL;
    *dl = NULL;
    *n = *nd = 0;
    /* gw_store_open would make a missing store: a scrape never does */
    if (access(cfg->store_path, F_OK) != 0)
        return edi_fail(err, EDI_EIO, "the store %s is not there", cfg->store_path);
    if ((rc = gw_store_open(&c.store, cfg->store_path, err)) < 0)
        return rc;
    gw_store_set_busy_timeout(c.store, 2000);
    if ((rc = gw_store_metrics(rows, n, c.store, now, err)) == 0 && dl)
        rc = gw_ack_deadlines(dl, nd, &c, err);
    gw_store_close(c.store);
    return rc;
}

static void metrics_route(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_metrics *m = arg;
    struct gw_metric_row *rows = NULL;
    struct gw_deadline *dl = NULL;
    size_t n = 0, nd = 0;
    struct edi_err err;
    const struct gw_config *cfg;

    edi_err_clear(&err);
    cfg = gw_cfg_ref_hold(m->ref);
    if (cfg == NULL) {
        gw_cfg_ref_release(m->ref);
        gw_server_error(rs, 503, "no configuration loaded");
        return;
    }
    /* SPEC: issue 17 — beyond loopback, /metrics is for the users of the workspace */
    if (__atomic_load_n(&m->guard, __ATOMIC_SEQ_CST) && token_ok(cfg->store_path, rq, rs) < 0) {
        gw_cfg_ref_release(m->ref);
        return;
    }
    if (read_store(&rows, &n, &dl, &nd, cfg, m->now ? m->now() : time(NULL), &err) < 0) {
        gw_cfg_ref_release(m->ref);
        gw_metric_rows_free(rows, n);
        gw_deadlines_free(dl, nd);
        gw_server_error(rs, 503, "the store does not answer");
        return;
    }
    scrape(&rs->body, cfg, rows, n, dl, nd);
    gw_cfg_ref_release(m->ref);
    gw_metric_rows_free(rows, n);
    gw_deadlines_free(dl, nd);
    rs->status = 200;
    /* SPEC: Prometheus text exposition format 0.0.4 */
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* 1 when id is a configured partner or connector, or "*" (global jobs). */
static int configured(const struct gw_config *cfg, const char *id)
{
    size_t i;

    if (id == NULL)
        return 0;
    if (strcmp(id, "*") == 0 || gw_config_partner(cfg, id) != NULL)
        return 1;
    for (i = 0; i < cfg->nerps; i++)
        if (strcmp(cfg->erps[i].id, id) == 0)
            return 1;
    return 0;
}

static void fail(json_t *v, const char *part, const char *why)
{
    json_array_append_new(v, json_pack("{s:s, s:s}", "part", part, "why", why));
}

static void health_route(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_metrics *m = arg;
    struct gw_metric_row *rows = NULL;
    const struct gw_metric_row *r;
    size_t n = 0, nd = 0;
    struct gw_deadline *dl = NULL;
    struct edi_err err;
    const struct gw_config *cfg;
    json_t *root = json_object(), *failing = json_array();
    char part[300], why[200];
    char *text;
    int store_ok;

    (void)rq;
    edi_err_clear(&err);
    cfg = gw_cfg_ref_hold(m->ref);
    if (cfg == NULL) {
        fail(failing, "config", "no configuration loaded");
        store_ok = 0;
    } else if (read_store(&rows, &n, &dl, &nd, cfg, m->now ? m->now() : time(NULL), &err) < 0) {
        fail(failing, "store", "the store does not answer");
        store_ok = 0;
    } else {
        store_ok = 1;
        EACH(r, rows, n, "run")
            if (r->c && strcmp(r->c, "failed") == 0 && configured(cfg, r->a)) {
                snprintf(part, sizeof(part), "%s %s", r->a, r->b);
                fail(failing, part, "the last run failed");
            }
        EACH(r, rows, n, "outbox-failing")
            if (r->v2 >= GW_HEALTH_ATTEMPTS && configured(cfg, r->a)) {
                snprintf(part, sizeof(part), "%s outbox %s", r->a, r->b);
                snprintf(why, sizeof(why), "%lld unsent, one after %lld failed attempts", (long long)r->v1,
                         (long long)r->v2);
                fail(failing, part, why);
            }
    }
    gw_cfg_ref_release(m->ref);
    gw_metric_rows_free(rows, n);
    gw_deadlines_free(dl, nd);
    json_object_set_new(root, "status", json_string(json_array_size(failing) ? "failing" : "ok"));
    json_object_set_new(root, "store", json_string(store_ok ? "ok" : "failing"));
    json_object_set_new(root, "version", json_string(WHARF_VERSION));
    json_object_set_new(root, "failing", failing);
    text = json_dumps(root, JSON_COMPACT);
    edi_buf_puts(&rs->body, text);
    edi_buf_putc(&rs->body, '\n');
    free(text);
    rs->status = json_array_size(failing) ? 503 : 200;
    rs->content_type = "application/json";
    json_decref(root);
}

void gw_metrics_route(struct gw_metrics *m, struct gw_server *s)
{
    gw_server_route(s, "GET", "/metrics", 0, metrics_route, m);
    gw_server_route(s, "GET", "/healthz", 0, health_route, m);
}
