/*
 * cli_gw.c — the gateway's commands: `wharf run --once`, `wharf serve`
 * (the daemon), `wharf status`, `wharf orders list|show`, `wharf runs
 * list` and `wharf documents`. The work is pipeline.c, sched.c, store.c
 * and readback.c; this file reads arguments, drives passes, and prints
 * tables or JSON (jansson).
 */
#include "gateway/api/metrics.h"
#include "gateway/api/api.h"
#include "gateway/core/cfgref.h"
#include "gateway/erp/erp.h"
#include "gateway/flow/ack.h"
#include "cli/cli.h"
#include "gateway/flow/inbound.h"
#include "gateway/flow/outbound.h"
#include "gateway/flow/purge.h"
#include "gateway/flow/readback.h"
#include "gateway/flow/sched.h"
#include "gateway/flow/status.h"
#include "gateway/erp/hooks.h"
#include "gateway/net/server.h"
#include "gateway/transport/as2.h"

#include <errno.h>
#include <stddef.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void print_stats(const struct gw_stats *st)
{
    printf("%u files (%u duplicates, %u quarantined), %u sets: %u accepted, %u rejected; "
           "orders: %u created, %u updated, %u duplicate Ship IDs; acks queued %u, "
           "ship notices queued %u, sent %u%s\n",
           st->files, st->duplicates, st->quarantined, st->sets, st->accepted, st->rejected,
           st->orders_created, st->orders_updated, st->duplicate_ship_ids, st->acks_queued,
           st->shipments_queued, st->sent, st->errors || st->send_failures ? " (errors: see the log)" : "");
}

static double secs(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

int gw_cmd_run(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct gw_stats st;
    struct edi_err err;
    struct timespec t[4];
    const char *stages = getenv("WHARF_STAGES");
    int rc;

    if ((rc = gw_cli_parse(&o, argc, argv, "run", 0)) != 0)
        return rc;
    if (!o.once) {
        gw_errorf("run: only `wharf run --once` exists; the daemon is `wharf serve`");
        return GW_EXIT_USAGE;
    }
    clock_gettime(CLOCK_MONOTONIC, &t[0]);
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    memset(&st, 0, sizeof(st));
    edi_err_clear(&err);
    /* every inbound folder and the ack run, due or not; the jobs that are
     * due by their schedules run (and are recorded) as well */
    clock_gettime(CLOCK_MONOTONIC, &t[1]);
    rc = gw_sched_tick(&st, NULL, &c, GW_TICK_ALL, &err);
    clock_gettime(CLOCK_MONOTONIC, &t[2]);
    print_stats(&st);
    gw_ctx_close(&c);
    clock_gettime(CLOCK_MONOTONIC, &t[3]);
    if (stages && strcmp(stages, "1") == 0) {
        double all = secs(t[1], t[2]);

        /* one line on stderr for make bench: wall seconds of each stage
         * on the flow's thread, and the map's CPU on whatever thread;
         * the close waits for the checkpoint of what the run wrote */
        fprintf(stderr,
                "stages: open %.3f s, validate+997+documents %.3f s, orders %.3f s (store %.3f s; map CPU %.3f s), "
                "commit %.3f s, the rest %.3f s (997 sent, acks, deadlines), close %.3f s, in all %.3f s\n",
                secs(t[0], t[1]), st.t_check, st.t_orders, st.t_store, st.t_map_cpu, st.t_commit,
                all - st.t_check - st.t_orders - st.t_commit, secs(t[2], t[3]), secs(t[0], t[3]));
    }
    if (rc == EDI_ESYNTAX)
        return GW_EXIT_REJECTED;    /* a document was refused: not sent */
    return rc < 0 || st.errors ? GW_EXIT_TEMPFAIL : GW_EXIT_OK;
}

/* ---- the daemon ------------------------------------------------------------------ */

static volatile sig_atomic_t stop_flag, reload_flag;
static volatile int stop_int;

static void on_term(int sig)
{
    stop_flag = 1;
    stop_int = 1;
}

static void on_hup(int sig)
{
    reload_flag = 1;
}

/* Waits until the wall clock reaches deadline, a signal comes, or fd
 * (-1: none) is readable, in 0.1 s steps so signals are seen at once: 1
 * when fd woke it. */
static int nap_until(time_t deadline, int fd)
{
    while (time(NULL) < deadline && !stop_flag && !reload_flag) {
        struct pollfd p = {fd, POLLIN, 0};

        gw_notify_watchdog();

        if (fd < 0) {
            usleep(100000);
            continue;
        }
        if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN))
            return 1;
    }
    return 0;
}

/* The HTTP listener of <http> (or --http) with the webhook receiver on it. */
struct listener {
    struct gw_server *srv;
    struct gw_hooks *hooks;    /* outlives the server: a restart keeps the wakes */
    struct gw_metrics *metrics;   /* GET /metrics and /healthz (api/metrics.h) */
    struct gw_api *api;        /* the HTTP API on the same listener; outlives the server */
    struct gw_cfg_ref cfg;     /* the config metrics and API requests read; swapped at a reload */
    char listen[80], cert[1100], key[1100];   /* what srv was started with */
};

/* Starts (or, when what it listens with changed, restarts) the listener
 * for c's config; stops it when <http> is gone. 0, or EDI_ECONFIG. */
static int listener_up(struct listener *l, struct gw_ctx *c, const char *override, struct edi_err *err)
{
    const struct gw_http_conf *hc = &c->cfg->http;
    const char *listen = override ? override : hc->listen;
    struct gw_server_opts so;
    struct gw_listen at;
    size_t n = 0;
    int rc;

    if (listen == NULL) {
        if (l->srv)
            gw_log(c, "info", "http: <http> is gone from wharf.xml: the listener stops");
        gw_server_free(l->srv);
        l->srv = NULL;
        l->listen[0] = '\0';
        return 0;
    }
    if ((rc = gw_listen_parse(&at, listen, err)) < 0)
        return edi_fail(err, EDI_ECONFIG, "--http: %s", err->msg);
    /* SPEC: issue 17 — loopback unless wharf.xml says public="true" */
    if (!at.loopback && !hc->public_)
        return edi_fail(err, EDI_ECONFIG, "--http %s: not a loopback address; wharf listens beyond this host only "
                                          "when wharf.xml says so: <http listen=\"...\" public=\"true\"/>", listen);
    /* SPEC: issue 17 — a public listener's /metrics asks for a user's token */
    gw_metrics_guard(l->metrics, hc->public_ || !at.loopback);
    /* the same address and files: kept (a port the kernel picked stays);
     * TLS on a fixed port restarts, so a renewed certificate is read */
    if (l->srv && strcmp(l->listen, listen) == 0 && strcmp(l->cert, hc->tls_cert ? hc->tls_cert : "") == 0 &&
        strcmp(l->key, hc->tls_key ? hc->tls_key : "") == 0 && (hc->tls_cert == NULL || at.port == 0))
        return 0;
    gw_server_free(l->srv);
    l->srv = NULL;
    memset(&so, 0, sizeof(so));
    so.listen = listen;
    so.tls_cert = hc->tls_cert;
    so.tls_key = hc->tls_key;
    so.log = c->log;
    if ((rc = gw_server_new(&l->srv, &so, err)) < 0)
        return rc;
    gw_hooks_route(l->hooks, l->srv);
    gw_metrics_route(l->metrics, l->srv);
    if (l->api)
        gw_api_route(l->api, l->srv, hc->tls_cert != NULL);
    if ((rc = gw_server_start(l->srv, err)) < 0) {
        gw_server_free(l->srv);
        l->srv = NULL;
        return rc;
    }
    snprintf(l->listen, sizeof(l->listen), "%s", listen);
    snprintf(l->cert, sizeof(l->cert), "%s", hc->tls_cert ? hc->tls_cert : "");
    snprintf(l->key, sizeof(l->key), "%s", hc->tls_key ? hc->tls_key : "");
    edi_err_clear(err);
    if (gw_hooks_load(l->hooks, c, 1, &n, err) < 0)
        gw_log(c, "error", "webhooks: the tokens were not read: %s", err->msg);
    gw_log(c, "info", "http: listening on %s://%s%s%s:%u/ (webhooks of %zu ERP%s: POST %sID/TOKEN; "
                      "GET /metrics, /healthz; the API under %s)",
           hc->tls_cert ? "https" : "http", at.v6 ? "[" : "", at.host, at.v6 ? "]" : "", gw_server_port(l->srv), n,
           n == 1 ? "" : "s", GW_HOOKS_PREFIX, GW_API_PREFIX);
    if (!at.loopback && hc->tls_cert == NULL)
        gw_log(c, "warn", "http: plain HTTP on %s, which is not loopback: tokens travel in clear unless a TLS "
                          "proxy is in front", listen);
    return 0;
}

/* What woke the daemon between passes, run now: webhooks wake an ERP
 * connector's pulls (gw_sched_wake), AS2 arrivals their partner's inbound
 * pass (gw_sched_wake_partner). Failures are logged; the scheduled polls
 * try again. */
static void run_wakes(struct gw_ctx *c, int (*wake)(struct gw_stats *, struct gw_ctx *, const char *,
                                                    struct edi_err *),
                      char (*ids)[GW_HOOKS_ID_MAX], size_t n)
{
    size_t i;

    for (i = 0; i < n && !stop_flag; i++) {
        struct gw_stats st;
        struct edi_err err;

        c->now = gw_now();
        memset(&st, 0, sizeof(st));
        edi_err_clear(&err);
        wake(&st, c, ids[i], &err);
    }
}

/* The AS2 handler stored a message: the daemon runs its partner's pass. */
static void as2_arrived(void *arg, const char *partner)
{
    gw_hooks_wake_partner(arg, partner);
}

/* The AS2 listener of <as2>: its own server (it faces trading partners,
 * with its own certificate and body limit), one route, POST <as2 path>. */
struct as2_listener {
    struct gw_server *srv;
    struct gw_as2_rx rx;
};

static void as2_route(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    const struct gw_as2_rx *rx = arg;
    struct gw_as2_reply r;
    size_t i;

    gw_as2_receive(rx, rq->headers, rq->nheaders, rq->body, rq->nbody, &r);
    rs->status = r.status;
    rs->content_type = NULL;
    edi_buf_put(&rs->body, r.body.p, r.body.n);
    edi_buf_dispose(&r.body);
    {
        /* the server copies them when it queues the response, on this thread */
        static __thread char ct[256], names[6][40], vals[6][300];

        snprintf(ct, sizeof(ct), "%s", r.content_type);
        rs->content_type = ct[0] ? ct : NULL;
        for (i = 0; i < r.nheaders && i < 6; i++) {
            snprintf(names[i], sizeof(names[i]), "%s", r.headers[i].name);
            snprintf(vals[i], sizeof(vals[i]), "%s", r.headers[i].value);
            rs->headers[rs->nheaders].name = names[i];
            rs->headers[rs->nheaders].value = vals[i];
            rs->nheaders++;
        }
    }
}

static void as2_down(struct as2_listener *a)
{
    gw_server_free(a->srv);
    a->srv = NULL;
}

/* Starts the AS2 listener for c's config (none without <as2>); what
 * arrives wakes its partner's pass through h. */
static int as2_up(struct as2_listener *a, struct gw_ctx *c, struct gw_hooks *h, struct edi_err *err)
{
    const struct gw_as2_listen *al = &c->cfg->as2;
    struct gw_server_opts so;
    int rc;

    as2_down(a);
    if (al->listen == NULL)
        return 0;
    a->rx.cfg = c->cfg;
    a->rx.log = c->log;
    a->rx.now = gw_now;
    a->rx.arrived = as2_arrived;
    a->rx.arrived_arg = h;
    memset(&so, 0, sizeof(so));
    so.listen = al->listen;
    so.tls_cert = al->tls_cert;
    so.tls_key = al->tls_key;
    so.max_body = (size_t)al->max_bytes;
    so.timeout_seconds = 120;
    so.log = c->log;
    if ((rc = gw_server_new(&a->srv, &so, err)) < 0)
        return rc;
    gw_server_route(a->srv, "POST", al->path, 0, as2_route, &a->rx);
    if ((rc = gw_server_start(a->srv, err)) < 0) {
        as2_down(a);
        return rc;
    }
    gw_log(c, "info", "as2: listening on %s://%s%s (port %u)", al->tls_cert ? "https" : "http", al->listen, al->path,
           gw_server_port(a->srv));
    return 0;
}

/* The daemon: each minute, the jobs that are due by the schedules (UTC).
 * WHARF_POLL_SECONDS=N (tests, or a partner without a poll schedule to
 * hurry): a pass every N seconds that also polls every inbound folder and
 * runs the ack run, due or not, like `wharf run --once`. With <http> (or
 * --http), the HTTP listener, whose webhooks wake the loop between passes
 * (erp/hooks.h); with <as2>, the AS2 listener, whose stored messages wake
 * their partner's inbound pass the same way. */
int gw_cmd_serve(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct sigaction sa;
    struct listener l;
    struct as2_listener a2;
    struct edi_err lerr;
    char ids[GW_HOOKS_MAX][GW_HOOKS_ID_MAX];
    const char *iv = getenv("WHARF_POLL_SECONDS");
    int rc, interval = 0;
    size_t k, nsched = 0;
    time_t next = 0;

    if ((rc = gw_cli_parse(&o, argc, argv, "serve", GW_OPT_HTTP)) != 0)
        return rc;
    if (iv != NULL && *iv != '\0') {
        char *end;
        long v = strtol(iv, &end, 10);

        if (*end != '\0' || v < 0 || v > 86400) {
            gw_errorf("WHARF_POLL_SECONDS '%s' is not a number of seconds (1 to 86400)", iv);
            return GW_EXIT_USAGE;
        }
        interval = v < 1 ? 1 : (int)v;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    memset(&l, 0, sizeof(l));
    memset(&a2, 0, sizeof(a2));
    edi_err_clear(&lerr);
    gw_log_set_json(c.cfg->log_json);
    if (gw_cfg_ref_init(&l.cfg, &lerr) < 0 || gw_hooks_new(&l.hooks, c.log, &lerr) < 0 ||
        gw_metrics_new(&l.metrics, &l.cfg, gw_now, &lerr) < 0 ||
        gw_api_new(&l.api, o.workspace, c.cfg->store_path, gw_schemas_dir(), gw_mappings_dir(), &lerr) < 0 ||
        (gw_api_config(l.api, &l.cfg), gw_api_console(l.api, gw_console_dir()), gw_cfg_ref_set(&l.cfg, c.cfg),
         listener_up(&l, &c, o.http, &lerr)) < 0 ||
        as2_up(&a2, &c, l.hooks, &lerr) < 0) {
        gw_errorf("serve: %s", lerr.msg);
        as2_down(&a2);
        gw_server_free(l.srv);
        gw_hooks_free(l.hooks);
        gw_metrics_free(l.metrics);
        gw_api_free(l.api);
        gw_cfg_ref_dispose(&l.cfg);
        gw_ctx_close(&c);
        return GW_EXIT_USAGE;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    c.stop = &stop_int;
    for (k = 0; k < c.cfg->npartners; k++)
        nsched += c.cfg->partners[k].nschedules;
    if (interval)
        gw_log(&c, "info", "serving %s: %zu partners, %zu schedules (UTC), and every inbound folder "
                           "every %d s (WHARF_POLL_SECONDS) (SIGTERM stops, SIGHUP reloads)",
               o.workspace, c.cfg->npartners, nsched, interval);
    else
        gw_log(&c, "info", "serving %s: %zu partners, %zu schedules (UTC) (SIGTERM stops, SIGHUP reloads)",
               o.workspace, c.cfg->npartners, nsched);
    /* systemd (Type=notify): the configuration is read, the listeners are up */
    gw_notify("READY=1");
    gw_notify_watchdog();
    /* a wake a restart lost is not waited for: every connector that takes
     * webhooks pulls once at start (a pass of WHARF_POLL_SECONDS does anyway) */
    if (l.srv && !interval) {
        size_t n = 0;

        for (k = 0; k < c.cfg->nerps && n < GW_HOOKS_MAX; k++)
            if (gw_hooks_takes(&c.cfg->erps[k]))
                snprintf(ids[n++], GW_HOOKS_ID_MAX, "%s", c.cfg->erps[k].id);
        run_wakes(&c, gw_sched_wake, ids, n);
    }
    /* what an AS2 partner sent before a restart and no pass took yet */
    if (a2.srv && !interval) {
        size_t n = 0;

        for (k = 0; k < c.cfg->npartners && n < GW_HOOKS_MAX; k++)
            if (strcmp(c.cfg->partners[k].transport, "as2") == 0 &&
                strlen(c.cfg->partners[k].id) < GW_HOOKS_ID_MAX)
                snprintf(ids[n++], GW_HOOKS_ID_MAX, "%s", c.cfg->partners[k].id);
        run_wakes(&c, gw_sched_wake_partner, ids, n);
    }
    while (!stop_flag) {
        if (time(NULL) >= next) {
            struct gw_stats st;
            struct edi_err terr;

            c.now = gw_now();
            memset(&st, 0, sizeof(st));
            edi_err_clear(&terr);
            /* failures are logged and recorded in the runs; the next tick goes on */
            gw_sched_tick(&st, NULL, &c, interval ? GW_TICK_ALL : GW_TICK_DUE, &terr);
            if (st.files || st.sent)
                gw_log(&c, "info", "pass: %u files, %u sets, %u orders created, %u updated, %u sent",
                       st.files, st.sets, st.orders_created, st.orders_updated, st.sent);
            /* what an operator (or a test) waits for after a start: from here on,
             * what arrives is the next pass's or a wake's */
            gw_notify_watchdog();
            if (next == 0)
                gw_log(&c, "info", "first pass done");
            next = interval ? time(NULL) + interval : (time(NULL) / 60 + 1) * 60;
            /* tokens made or replaced since by `wharf erp webhooks` */
            edi_err_clear(&terr);
            if (l.srv && gw_hooks_load(l.hooks, &c, 1, NULL, &terr) < 0)
                gw_log(&c, "error", "webhooks: the tokens were not read: %s", terr.msg);
        }
        if (reload_flag) {
            struct gw_ctx fresh;
            struct edi_err err;

            reload_flag = 0;
            gw_notify("RELOADING=1");
            memset(&fresh, 0, sizeof(fresh));
            fresh.now = gw_now();
            fresh.log = stderr;
            edi_err_clear(&err);
            /* a config that does not load leaves the running one in place */
            if (gw_ctx_open(&fresh, o.workspace, gw_schemas_dir(), gw_mappings_dir(), &err) < 0) {
                gw_log(&c, "error", "reload refused: %s", err.msg);
            } else {
                /* the AS2 handlers read the config: stopped before it goes */
                as2_down(&a2);
                /* the metrics and API handlers read the config: they take the new one first */
                gw_cfg_ref_set(&l.cfg, fresh.cfg);
                gw_log_set_json(fresh.cfg->log_json);
                gw_ctx_close(&c);
                c = fresh;
                c.stop = &stop_int;
                gw_log(&c, "info", "configuration reloaded");
                edi_err_clear(&err);
                if (listener_up(&l, &c, o.http, &err) < 0)
                    gw_log(&c, "error", "http: the listener is down: %s", err.msg);
                else if (l.srv && gw_hooks_load(l.hooks, &c, 1, NULL, &err) < 0)
                    gw_log(&c, "error", "webhooks: the tokens were not read: %s", err.msg);
                edi_err_clear(&err);
                if (as2_up(&a2, &c, l.hooks, &err) < 0)
                    gw_log(&c, "error", "as2: the listener is down: %s", err.msg);
            }
            gw_notify("READY=1");
        }
        if (nap_until(next, l.srv || a2.srv ? gw_hooks_fd(l.hooks) : -1)) {
            run_wakes(&c, gw_sched_wake, ids, gw_hooks_take(l.hooks, ids, GW_HOOKS_MAX));
            run_wakes(&c, gw_sched_wake_partner, ids, gw_hooks_take_partners(l.hooks, ids, GW_HOOKS_MAX));
        }
    }
    gw_log(&c, "info", "stopping");
    gw_notify("STOPPING=1");
    as2_down(&a2);
    gw_server_free(l.srv);
    gw_hooks_free(l.hooks);
    gw_metrics_free(l.metrics);
    gw_api_free(l.api);
    gw_cfg_ref_dispose(&l.cfg);
    gw_ctx_close(&c);
    return GW_EXIT_OK;
}

/* ---- runs ------------------------------------------------------------------------ */

static void stamp(char *buf, size_t cap, time_t t)
{
    struct tm tm;

    if (t == 0)
        snprintf(buf, cap, "-");
    else if (gmtime_r(&t, &tm) == NULL || strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)t);
}

/* wharf runs list [-w DIR] [--json] [--limit N]: newest first. */
int gw_cmd_runs(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct gw_run *v = NULL;
    struct edi_err err;
    size_t n = 0, i, max = 100;
    int rc;

    if (argc < 2 || strcmp(argv[1], "list") != 0) {
        gw_errorf("runs: usage: wharf runs list [-w DIR] [--json] [--limit N]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "runs", 0)) != 0)
        return rc;
    if (o.arg != NULL) {
        gw_errorf("runs list: '%s' is extra", o.arg);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_check_choice("runs list", "--state", o.state, gw_run_states)) != 0)
        return rc;
    if (o.limit != NULL) {
        char *end;
        unsigned long long lim = strtoull(o.limit, &end, 10);

        if (*o.limit < '0' || *o.limit > '9' || *end != '\0') {
            gw_errorf("runs list: --limit '%s' is not a number (0: every run)", o.limit);
            return GW_EXIT_USAGE;
        }
        max = lim == 0 || lim > SIZE_MAX ? SIZE_MAX : (size_t)lim;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    if (gw_store_runs(&v, &n, c.store, max, &err) < 0) {
        gw_errorf("%s", err.msg);
        gw_ctx_close(&c);
        return GW_EXIT_TEMPFAIL;
    }
    if (o.json) {
        json_t *a = json_array();

        for (i = 0; i < n; i++)
            if (o.state == NULL || strcmp(o.state, v[i].state ? v[i].state : "") == 0)
                json_array_append_new(a, gw_run_json(&v[i]));
        json_dumpf(a, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(a);
    } else {
        printf("%-19s  %-19s  %-12s %-13s %-16s  %-7s %s\n", "started", "ended", "partner", "job", "due",
               "state", "counts / error");
        for (i = 0; i < n; i++) {
            char t0[32], t1[32], due[32];

            if (o.state && strcmp(o.state, v[i].state ? v[i].state : "") != 0)
                continue;
            stamp(t0, sizeof(t0), v[i].started);
            stamp(t1, sizeof(t1), v[i].ended);
            stamp(due, sizeof(due), v[i].due);
            due[16] = '\0';    /* the minute */
            printf("%-19s  %-19s  %-12s %-13s %-16s  %-7s %s%s%s\n", t0, t1, v[i].partner, v[i].job, due,
                   v[i].state, v[i].counts ? v[i].counts : "", v[i].error ? "; error: " : "",
                   v[i].error ? v[i].error : "");
        }
    }
    gw_runs_free(v, n);
    gw_ctx_close(&c);
    return GW_EXIT_OK;
}

/* ---- status and orders ----------------------------------------------------------------- */

static void readback_print(const struct gw_readback_status *r)
{
    size_t i;

    if (r->nrejected)
        printf("sent documents rejected by partners (`wharf documents --about REF`):\n");
    for (i = 0; i < r->nrejected; i++) {
        const struct gw_document *d = &r->rejected[i];
        char t[32];

        stamp(t, sizeof(t), d->updated);
        printf("  %s %s %s %s GS %s ST %s %s\n", t, d->partner, d->kind, d->ref ? d->ref : "-",
               d->group_control ? d->group_control : "-", d->set_control ? d->set_control : "-",
               r->why[i] ? r->why[i] : "rejected");
    }
    printf("text messages (864) received: %zu%s\n", r->messages,
           r->messages ? " (`wharf documents --kind 864`)" : "");
}

int gw_cmd_status(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct gw_count *counts = NULL;
    char **errs = NULL;
    size_t n = 0, ne = 0, i;
    struct edi_err err;
    int rc;

    if ((rc = gw_cli_parse(&o, argc, argv, "status", 0)) != 0)
        return rc;
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    if (o.json) {
        /* the same document GET /api/v1/status serves */
        json_t *root = NULL;

        if ((rc = gw_status_json(&root, &c, o.workspace, &err)) < 0)
            gw_errorf("%s", err.msg);
        else {
            json_dumpf(root, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
        }
        json_decref(root);
        gw_ctx_close(&c);
        return rc < 0 ? GW_EXIT_TEMPFAIL : GW_EXIT_OK;
    }
    struct gw_deadline *dl = NULL;
    size_t nd = 0;
    struct gw_readback_status rb;
    struct gw_invoice **held = NULL;
    size_t nheld = 0;
    char **warn = NULL;
    size_t nwarn = 0;

    /* the workspace holds consumers' personal data: say who else may read it */
    gw_perm_warnings(&warn, &nwarn, c.cfg);
    gw_as2_cert_warnings(&warn, &nwarn, c.cfg, c.now);
    memset(&rb, 0, sizeof(rb));
    if (gw_store_counts(&counts, &n, c.store, c.now, &err) < 0 ||
        gw_store_last_errors(&errs, &ne, c.store, 10, &err) < 0 ||
        gw_ack_deadlines(&dl, &nd, &c, &err) < 0 || gw_readback_status(&rb, c.store, &err) < 0 ||
        gw_store_list_invoices(&held, &nheld, c.store, GW_INV_HELD, NULL, &err) < 0) {
        gw_errorf("%s", err.msg);
        gw_strings_free(warn, nwarn);
        gw_counts_free(counts, n);
        gw_strings_free(errs, ne);
        gw_deadlines_free(dl, nd);
        gw_invoices_free(held, nheld);
        gw_readback_status_dispose(&rb);
        gw_ctx_close(&c);
        return GW_EXIT_TEMPFAIL;
    }
    /* SPEC: issue 5 — orders near or past their 24-hour deadline come first */
    if (nd) {
        printf("acknowledgments due (24 hours from receipt):\n");
        for (i = 0; i < nd; i++)
            printf("  %-12s %-16s %-18s %s %ld h %02ld min\n", dl[i].partner, dl[i].po_number,
                   dl[i].state, dl[i].minutes_left < 0 ? "OVERDUE by" : "due in",
                   labs(dl[i].minutes_left) / 60, labs(dl[i].minutes_left) % 60);
    }
    {
        printf("workspace %s (store version %d)\n", o.workspace, gw_store_version(c.store));
        for (i = 0; i < nwarn; i++)
            printf("warning: %s\n", warn[i]);
        for (i = 0; i < n; i++)
            printf("  %-36s %lld\n", counts[i].what, (long long)counts[i].n);
        /* invoices the three-way match holds: someone must act on them */
        if (nheld)
            printf("invoices held by the three-way match (`wharf invoices show NUMBER`):\n");
        for (i = 0; i < nheld; i++) {
            const char *f = held[i]->findings ? held[i]->findings : "";
            const char *e = strchr(f, '\n');

            printf("  %-10s %-20s %-20s %.*s\n", held[i]->partner, held[i]->number,
                   held[i]->po_numbers ? held[i]->po_numbers : "", (int)(e ? e - f : (long)strlen(f)), f);
        }
        readback_print(&rb);
        if (ne) {
            printf("last errors:\n");
            for (i = 0; i < ne; i++)
                printf("  %s\n", errs[i]);
        }
    }
    gw_strings_free(warn, nwarn);
    gw_counts_free(counts, n);
    gw_strings_free(errs, ne);
    gw_deadlines_free(dl, nd);
    gw_invoices_free(held, nheld);
    gw_readback_status_dispose(&rb);
    gw_ctx_close(&c);
    return GW_EXIT_OK;
}



static int orders_list(struct gw_ctx *c, const struct gw_cli_opts *o)
{
    struct gw_order **v = NULL;
    size_t n = 0, i;
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_store_list_orders(&v, &n, c->store, o->state, o->partner, &err) < 0) {
        gw_errorf("%s", err.msg);
        return GW_EXIT_TEMPFAIL;
    }
    if (o->json) {
        json_t *a = json_array();

        for (i = 0; i < n; i++)
            json_array_append_new(a, gw_order_json(v[i], 0));
        json_dumpf(a, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(a);
    } else {
        printf("%-12s %-3s %-16s %-18s %5s  %s\n", "partner", "", "po", "state", "lines", "updated");
        for (i = 0; i < n; i++) {
            char t[32];

            gw_cli_when(t, sizeof(t), v[i]->updated);
            printf("%-12s %-3s %-16s %-18s %5zu  %s\n", v[i]->partner, v[i]->program,
                   v[i]->po_number, v[i]->state, v[i]->nlines, t);
        }
    }
    gw_orders_free(v, n);
    return GW_EXIT_OK;
}


static const char *jstr(const json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));

    return v ? v : "";
}

/* a text value on one line, its line feeds shown as " / " */
static void print_flat(const char *label, const char *v)
{
    if (*v == '\0')
        return;
    printf("  %-16s ", label);
    for (; *v; v++)   /* a partner's text: no control characters reach the terminal */
        if (*v == '\n')
            fputs(" / ", stdout);
        else
            putchar((unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v);
    putchar('\n');
}

static void print_details(const json_t *d)
{
    const json_t *a = json_object_get(d, "ship_to_address");
    const json_t *lines = json_object_get(d, "lines");
    const json_t *v;
    size_t k;

    print_flat("customer order", jstr(d, "customer_order_number"));
    print_flat("ship to", jstr(d, "ship_to"));
    if (a) {
        print_flat("ship to name", jstr(a, "name"));
        print_flat("", jstr(a, "name_2"));
        print_flat("attention", jstr(a, "attention"));
        json_array_foreach(json_object_get(a, "address_lines"), k, v)
            print_flat(k == 0 ? "address" : "", json_string_value(v) ? json_string_value(v) : "");
        printf("  %-16s %s %s %s %s\n", "", jstr(a, "city"), jstr(a, "state"), jstr(a, "postal_code"),
               jstr(a, "country"));
        print_flat("phone", jstr(a, "phone"));
    }
    print_flat("ship method", jstr(d, "ship_method"));
    print_flat("ship by", jstr(d, "required_ship_date"));
    print_flat("deliver by", jstr(d, "promised_delivery_date"));
    if ((v = json_object_get(d, "packing_slip_required")) != NULL)
        print_flat("packing slip", json_is_true(v) ? "required" : "not required");
    if ((v = json_object_get(d, "is_gift")) != NULL)
        print_flat("gift", json_is_true(v) ? "yes" : "no");
    print_flat("gift message", jstr(d, "gift_message"));
    print_flat("slip message", jstr(d, "message_to_customer"));
    json_array_foreach(lines, k, v) {
        char label[32];

        snprintf(label, sizeof(label), "item %lld", json_integer_value(json_object_get(v, "line_no")));
        print_flat(label, jstr(v, "description"));
        snprintf(label, sizeof(label), "item %lld gift", json_integer_value(json_object_get(v, "line_no")));
        print_flat(label, jstr(v, "gift_message"));
    }
}

static int orders_show(struct gw_ctx *c, const struct gw_cli_opts *o)
{
    struct gw_order **v = NULL;
    size_t n = 0, i, k, found = 0;
    struct edi_err err;
    int status = GW_EXIT_OK;

    edi_err_clear(&err);
    if (gw_store_list_orders(&v, &n, c->store, NULL, o->partner, &err) < 0) {
        gw_errorf("%s", err.msg);
        return GW_EXIT_TEMPFAIL;
    }
    for (i = 0; i < n; i++) {
        struct gw_history *h = NULL;
        size_t nh = 0;

        if (strcmp(v[i]->po_number, o->arg) != 0)
            continue;
        found++;
        gw_store_order_history(&h, &nh, c->store, v[i]->id, &err);
        if (o->json) {
            json_t *j = gw_order_json(v[i], 1), *hj = json_array(), *d = gw_order_details(c, v[i]);

            if (d)
                json_object_set_new(j, "details", d);

            for (k = 0; k < nh; k++) {
                json_t *e = json_object();

                json_object_set_new(e, "at", json_integer((json_int_t)h[k].at));
                json_object_set_new(e, "state", json_string(h[k].state ? h[k].state : ""));
                json_object_set_new(e, "what", json_string(h[k].what ? h[k].what : ""));
                json_array_append_new(hj, e);
            }
            json_object_set_new(j, "history", hj);
            json_dumpf(j, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(j);
        } else {
            json_t *d = gw_order_details(c, v[i]);

            printf("%s %s %s — %s\n", v[i]->partner, v[i]->program, v[i]->po_number, v[i]->state);
            if (d)
                print_details(d);
            json_decref(d);
            for (k = 0; k < v[i]->nlines; k++) {
                const struct gw_order_line *l = &v[i]->lines[k];

                printf("  line %-3d %-28s %8s %-3s @ %-10s %s\n", l->line_no,
                       l->product_id ? l->product_id : "", l->quantity ? l->quantity : "",
                       l->unit ? l->unit : "", l->unit_cost ? l->unit_cost : "",
                       l->state ? l->state : "");
            }
            printf("  history:\n");
            for (k = 0; k < nh; k++) {
                char t[32];

                gw_cli_when(t, sizeof(t), h[k].at);
                printf("    %s  %-18s %s\n", t, h[k].state ? h[k].state : "", h[k].what ? h[k].what : "");
            }
        }
        gw_history_free(h, nh);
    }
    if (!found) {
        gw_errorf("no order %s%s%s", o->arg, o->partner ? " for partner " : "",
                  o->partner ? o->partner : "");
        status = GW_EXIT_REJECTED;
    }
    gw_orders_free(v, n);
    return status;
}

/* wharf orders approve|reject PO [-w DIR] [--partner P] [--line N --accept Q
 * --backorder Q --reject Q --reason R --ship-date D]... [--reason R] [--code NN] */
static int orders_decide(int argc, char **argv, int reject)
{
    struct gw_line_decision lines[256];
    struct gw_decision d;
    struct gw_ctx c;
    struct gw_order **v = NULL, *o = NULL;
    struct edi_findings f;
    struct edi_err err;
    const char *po = NULL, *workspace = NULL, *partner = NULL;
    size_t n = 0, i, found = 0;
    int k, rc, cur = -1;
    char actor[64];

    memset(&d, 0, sizeof(d));
    memset(lines, 0, sizeof(lines));
    d.reject_all = reject;
    for (k = 2; k < argc; k++) {
        const char *a = argv[k], *val = k + 1 < argc ? argv[k + 1] : NULL;

        if (val == NULL && a[0] == '-') {
            gw_errorf("orders %s: %s needs a value", argv[1], a);
            return GW_EXIT_USAGE;
        }
        if (strcmp(a, "-w") == 0)
            workspace = val, k++;
        else if (strcmp(a, "--partner") == 0)
            partner = val, k++;
        else if (strcmp(a, "--line") == 0) {
            if (reject || d.nlines == 256) {
                gw_errorf("orders %s: --line is for approve", argv[1]);
                return GW_EXIT_USAGE;
            }
            cur = (int)d.nlines++;
            lines[cur].line_no = atoi(val);
            k++;
        } else if ((strcmp(a, "--accept") == 0 || strcmp(a, "--backorder") == 0 ||
                    strcmp(a, "--reject") == 0 || strcmp(a, "--ship-date") == 0) && cur >= 0) {
            if (strcmp(a, "--accept") == 0)
                lines[cur].accept = val;
            else if (strcmp(a, "--backorder") == 0)
                lines[cur].backorder = val;
            else if (strcmp(a, "--reject") == 0)
                lines[cur].reject = val;
            else
                lines[cur].ship_date = val;
            k++;
        } else if (strcmp(a, "--ship-date") == 0)
            d.ship_date = val, k++;
        else if (strcmp(a, "--reason") == 0) {
            if (cur >= 0)
                lines[cur].reason = val;
            else
                d.reason = val;
            k++;
        } else if (strcmp(a, "--code") == 0)
            d.df_code = val, k++;
        else if (a[0] == '-') {
            gw_errorf("orders %s: unknown option '%s' (or it needs --line first); see `wharf help orders`",
                      argv[1], a);
            return GW_EXIT_USAGE;
        } else if (po == NULL)
            po = a;
        else {
            gw_errorf("orders %s: '%s' is extra", argv[1], a);
            return GW_EXIT_USAGE;
        }
    }
    if (po == NULL) {
        gw_errorf("orders %s: which PO? see `wharf help orders`", argv[1]);
        return GW_EXIT_USAGE;
    }
    d.lines = lines;
    snprintf(actor, sizeof(actor), "%s", getenv("USER") ? getenv("USER") : "operator");
    d.actor = actor;
    if ((rc = gw_cli_ctx_open(&c, gw_workspace(workspace))) != 0)
        return rc;
    edi_err_clear(&err);
    if (gw_store_list_orders(&v, &n, c.store, NULL, partner, &err) < 0) {
        gw_errorf("%s", err.msg);
        gw_ctx_close(&c);
        return GW_EXIT_TEMPFAIL;
    }
    for (i = 0; i < n; i++)
        if (strcmp(v[i]->po_number, po) == 0) {
            found++;
            o = v[i];
        }
    if (found != 1) {
        gw_errorf(found ? "PO %s is on %zu partners' orders: say which with --partner" : "no order %s",
                  po, found);
        gw_orders_free(v, n);
        gw_ctx_close(&c);
        return GW_EXIT_REJECTED;
    }
    if (reject && strcmp(o->program, "DF") == 0 && d.df_code == NULL)
        d.df_code = "03";
    edi_findings_init(&f, 100);
    rc = gw_ack_decide(&c, o, &d, &f, &err);
    if (rc == EDI_ESYNTAX) {
        for (i = 0; i < f.n; i++)
            fprintf(stderr, "wharf: %s %s refused: %s [rule %s]\n", o->partner, po, f.v[i].msg,
                    f.v[i].code);
        rc = GW_EXIT_REJECTED;
    } else if (rc < 0) {
        gw_errorf("%s", err.msg);
        rc = GW_EXIT_TEMPFAIL;
    } else {
        printf("%s %s: %s; `wharf ack run` queues the 855\n", o->partner, po,
               reject ? "rejected" : "approved");
        rc = GW_EXIT_OK;
    }
    edi_findings_dispose(&f);
    gw_orders_free(v, n);
    gw_ctx_close(&c);
    return rc;
}

int gw_cmd_ack(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct gw_stats st;
    struct edi_err err;
    unsigned queued = 0;
    int rc;

    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        gw_errorf("ack: usage: wharf ack run [-w DIR]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "ack", 0)) != 0)
        return rc;
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    memset(&st, 0, sizeof(st));
    rc = gw_ack_run(&queued, &c, &err);
    /* what was queued goes out even when another decision was refused */
    if (rc == 0 || rc == EDI_ESYNTAX) {
        struct edi_err fe;
        int frc;

        edi_err_clear(&fe);
        if ((frc = gw_flush_outbox(&st, &c, &fe)) < 0 && rc == 0) {
            rc = frc;
            err = fe;
        }
    }
    printf("%u acknowledgments queued, %u messages sent\n", queued, st.sent);
    if (rc == 0 && st.send_failures > 0) {
        /* queued and retried with backoff: temporary, but not done */
        rc = edi_fail(&err, EDI_EAGAIN, "%u message%s not sent yet (retried later; `wharf status` has why)",
                      st.send_failures, st.send_failures == 1 ? "" : "s");
    }
    if (rc < 0) {
        char counts[64];

        gw_errorf("ack run failed: %s", err.msg);
        snprintf(counts, sizeof(counts), "acks=%u sent=%u", queued, st.sent);
        gw_cli_record_failure(&c, "ack-run", counts, err.msg);
    }
    gw_ctx_close(&c);
    return gw_cli_exit(rc);
}

int gw_cmd_orders(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "approve") == 0 || strcmp(argv[1], "reject") == 0))
        return orders_decide(argc, argv, strcmp(argv[1], "reject") == 0);
    if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "show") != 0)) {
        gw_errorf("orders: usage: wharf orders list|show ...; see `wharf help orders`");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "orders", 0)) != 0)
        return rc;
    if (strcmp(argv[1], "show") == 0 && o.arg == NULL) {
        gw_errorf("orders show: which PO? usage: wharf orders show PO [--json]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_check_choice("orders list", "--state", o.state, gw_order_states)) != 0)
        return rc;
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    rc = strcmp(argv[1], "list") == 0 ? orders_list(&c, &o) : orders_show(&c, &o);
    gw_ctx_close(&c);
    return rc;
}

/* ---- documents ------------------------------------------------------------------------ */

struct doc_opts {
    struct gw_cli_opts o;
    size_t max;
};

/* A document kind: an X12 transaction set number (three digits) or TA1. */
static int is_kind(const char *k)
{
    return strcmp(k, "TA1") == 0 || (strlen(k) == 3 && k[0] >= '0' && k[0] <= '9' && k[1] >= '0' &&
                                     k[1] <= '9' && k[2] >= '0' && k[2] <= '9');
}

static int documents_parse(struct doc_opts *d, int argc, char **argv)
{
    int rc;

    memset(d, 0, sizeof(*d));
    d->max = 100;
    rc = gw_cli_parse(&d->o, argc, argv, "documents", GW_OPT_KIND | GW_OPT_ABOUT);
    if (rc == 0 && d->o.arg != NULL) {
        gw_errorf("documents: '%s' is extra; see `wharf help documents`", d->o.arg);
        rc = GW_EXIT_USAGE;
    }
    if (rc == 0)
        rc = gw_cli_check_choice("documents", "--state", d->o.state, gw_document_states);
    if (rc == 0 && d->o.kind != NULL && !is_kind(d->o.kind)) {
        gw_errorf("documents: --kind '%s' is not a kind: a transaction set (850, 855, 856, 810, 997, 999, 864 ...) or TA1",
                  d->o.kind);
        rc = GW_EXIT_USAGE;
    }
    if (rc == 0 && d->o.limit != NULL) {
        uint64_t lim;

        if (edi_str_to_u64(&lim, edi_str_c(d->o.limit)) < 0) {
            gw_errorf("documents: --limit '%s' is not a number (0: every document)", d->o.limit);
            rc = GW_EXIT_USAGE;
        }
        d->max = rc == 0 && lim > 0 && lim < SIZE_MAX ? (size_t)lim : SIZE_MAX;
    }
    return rc;
}

static int is_fa(const struct gw_document *d)
{
    return d->kind && (strcmp(d->kind, "997") == 0 || strcmp(d->kind, "999") == 0);
}

/* Why an outbound document is rejected, as the partner's 997/999 said
 * (the caller's to free), NULL when it is not or nobody said. */

/* Each line of text under a row, indented. */
static void print_text(const char *indent, const char *text)
{
    const char *p = text;

    while (p && *p) {
        size_t n = strcspn(p, "\n");

        printf("%s%.*s\n", indent, (int)n, p);
        p = p[n] ? p + n + 1 : NULL;
    }
}

/* One row: id, created, partner, direction, kind, ref, state, GS06/ST02,
 * what it is about; then an 864's or 997's text, or why it was rejected. */
static void doc_print(struct gw_store *s, const struct gw_document *d, const char *indent)
{
    char t[32], ctl[48], more[160];
    struct edi_err err;
    char *why;

    edi_err_clear(&err);
    if ((why = gw_document_why(s, d, &err)) == NULL && err.rc < 0)
        gw_errorf("%s", err.msg);

    stamp(t, sizeof(t), d->created);
    snprintf(ctl, sizeof(ctl), "%s/%s", d->group_control ? d->group_control : "-",
             d->set_control ? d->set_control : "-");
    snprintf(more, sizeof(more), "%s    ", indent);
    printf("%s%-5lld %-19s  %-12s %-8s %-4s %-16s %-10s %-*s", indent, (long long)d->id, t,
           d->partner ? d->partner : "", d->direction ? d->direction : "", d->kind ? d->kind : "",
           d->ref ? d->ref : "-", d->state ? d->state : "", d->about ? 14 : 0, ctl);
    if (d->about)
        printf(" about #%lld", (long long)d->about);
    putchar('\n');
    if (d->text && (is_fa(d) || (d->kind && strcmp(d->kind, "864") == 0)))
        print_text(more, d->text);
    if (why)
        printf("%s%s\n", more, why);
    free(why);
}

static void doc_header(void)
{
    printf("%-5s %-19s  %-12s %-8s %-4s %-16s %-10s %-14s %s\n", "id", "created", "partner", "dir",
           "kind", "ref", "state", "GS/ST", "about");
}

static int documents_list(struct gw_ctx *c, const struct doc_opts *d)
{
    struct gw_document *v = NULL;
    size_t n = 0, i;
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_store_documents(&v, &n, c->store, d->o.partner, d->o.kind, d->o.state, 0, d->max, &err) < 0) {
        gw_errorf("%s", err.msg);
        return GW_EXIT_TEMPFAIL;
    }
    if (d->o.json) {
        json_t *a = json_array();

        for (i = 0; i < n; i++)
            json_array_append_new(a, gw_document_json(c->store, &v[i]));
        json_dumpf(a, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(a);
    } else {
        doc_header();
        for (i = 0; i < n; i++)
            doc_print(c->store, &v[i], "");
    }
    gw_documents_free(v, n);
    return GW_EXIT_OK;
}

/* The documents --about names: those with that ref (a PO, a shipment id,
 * an invoice number), else the one with that id ("12" or "#12"). */
static int about_targets(int64_t **ids, size_t *nids, struct gw_ctx *c, const struct doc_opts *d,
                         struct edi_err *err)
{
    struct gw_document *v = NULL;
    size_t n = 0, i;
    uint64_t id;
    const char *num = d->o.about[0] == '#' ? d->o.about + 1 : d->o.about;
    int rc;

    *ids = NULL;
    *nids = 0;
    /* LIMIT: refs are looked for among the newest 5000 documents */
    if ((rc = gw_store_documents(&v, &n, c->store, d->o.partner, d->o.kind, d->o.state, 0, 5000, err)) < 0)
        return rc;
    for (i = 0; i < n; i++) {
        if (v[i].ref == NULL || strcmp(v[i].ref, d->o.about) != 0)
            continue;
        *ids = edi_xrealloc(*ids, (*nids + 1) * sizeof(**ids));
        (*ids)[(*nids)++] = v[i].id;
    }
    for (i = 0; *nids == 0 && i < n && edi_str_to_u64(&id, edi_str_c(num)) == 0; i++) {
        if ((uint64_t)v[i].id != id)
            continue;
        *ids = edi_xmalloc(sizeof(**ids));
        (*ids)[(*nids)++] = v[i].id;
    }
    gw_documents_free(v, n);
    return 0;
}

/* One document and every document about it (997s, 999s, 864s). */
static int about_one(json_t *a, struct gw_ctx *c, int64_t id, int json, struct edi_err *err)
{
    struct gw_document *v = NULL;
    size_t n = 0, i;
    json_t *j = NULL, *aj = json ? json_array() : NULL;
    int rc;

    if ((rc = gw_store_documents(&v, &n, c->store, NULL, NULL, NULL, id, SIZE_MAX, err)) < 0) {
        json_decref(aj);
        return rc;
    }
    for (i = 0; i < n; i++) {
        if (v[i].id != id)
            continue;
        if (json)
            j = gw_document_json(c->store, &v[i]);
        else
            doc_print(c->store, &v[i], "");
    }
    if (!json && n > 1)
        printf("  about it:\n");
    for (i = 0; i < n; i++) {
        if (v[i].id == id)
            continue;
        if (json)
            json_array_append_new(aj, gw_document_json(c->store, &v[i]));
        else
            doc_print(c->store, &v[i], "  ");
    }
    if (json && j) {
        json_object_set_new(j, "about_it", aj);
        json_array_append_new(a, j);
    } else {
        json_decref(aj);
    }
    gw_documents_free(v, n);
    return 0;
}

static int documents_about(struct gw_ctx *c, const struct doc_opts *d)
{
    int64_t *ids = NULL;
    size_t n = 0, i;
    struct edi_err err;
    json_t *a = d->o.json ? json_array() : NULL;
    int rc;

    edi_err_clear(&err);
    rc = about_targets(&ids, &n, c, d, &err);
    if (rc == 0 && n == 0) {
        gw_errorf("no document %s (a ref such as a PO, shipment id or invoice number, or an id)",
                  d->o.about);
        rc = GW_EXIT_REJECTED;
        goto out;
    }
    if (!d->o.json)
        doc_header();
    for (i = 0; i < n && rc == 0; i++) {
        if (!d->o.json && i)
            putchar('\n');
        rc = about_one(a, c, ids[i], d->o.json, &err);
    }
    if (rc < 0) {
        gw_errorf("%s", err.msg);
        rc = GW_EXIT_TEMPFAIL;
        goto out;
    }
    if (a) {
        json_dumpf(a, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    }
out:
    json_decref(a);
    free(ids);
    return rc;
}

/* wharf documents [-w DIR] [--json] [--kind K] [--state S] [--partner P]
 * [--limit N] [--about ID|REF] */
int gw_cmd_documents(int argc, char **argv)
{
    struct doc_opts d;
    struct gw_ctx c;
    int rc;

    if ((rc = documents_parse(&d, argc, argv)) != 0)
        return rc;
    if ((rc = gw_cli_ctx_open(&c, d.o.workspace)) != 0)
        return rc;
    rc = d.o.about ? documents_about(&c, &d) : documents_list(&c, &d);
    gw_ctx_close(&c);
    return rc;
}
