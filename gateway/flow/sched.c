/*
 * sched.c — the job scheduler (see scheduler.h; not sched.h, which would hide the
 * system <sched.h> from pthread.h under -Igateway): due minutes from each
 * schedule's cron and the last run recorded in the store, and running the
 * due jobs one after another, each one a row in the store's runs table.
 *
 * Not here: parsing and matching cron fields (config.c), the jobs
 * themselves (pipeline.c, ackrun.c), the daemon's loop and its sleeping
 * (cli_gw.c), the runs table (store.c).
 */
#include "gateway/flow/sched.h"
#include "gateway/flow/inbound.h"

#include "gateway/flow/ack.h"
#include "gateway/flow/ship.h"
#include "gateway/flow/invoice.h"
#include "gateway/flow/purge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- due minutes --------------------------------------------------------------- */

static int lowest_bit(uint64_t v)
{
    int i = 0;

    while (i < 64 && !(v >> i & 1))
        i++;
    return i;
}

/* Walks back from now's minute. A day (or an hour) that cannot match is
 * skipped whole: the probe puts the schedule's first hour and minute into
 * it, so only the day fields (or the hour) decide. Times are UTC: a day is
 * 86400 seconds of Unix time. */
time_t gw_cron_latest(const struct gw_cron *c, time_t after, time_t now)
{
    int min0 = lowest_bit(c->minute), hour0 = lowest_bit(c->hour);
    time_t t, stop;

    if (now < 60 || min0 > 59 || hour0 > 23)
        return 0;
    t = now - now % 60;
    stop = t - GW_SCHED_MAX_BACK;
    if (after > stop)
        stop = after;
    if (stop < 0)
        stop = 0;
    while (t > stop) {
        struct tm tm, probe;

        if (gmtime_r(&t, &tm) == NULL)
            return 0;
        probe = tm;
        probe.tm_hour = hour0;
        probe.tm_min = min0;
        if (!gw_cron_match(c, &probe)) {
            t -= t % 86400 + 60;            /* 23:59 the day before */
            continue;
        }
        probe.tm_hour = tm.tm_hour;
        if (!gw_cron_match(c, &probe)) {
            t -= t % 3600 + 60;             /* hh:59 the hour before */
            continue;
        }
        if (gw_cron_match(c, &tm))
            return t;
        t -= 60;
    }
    return 0;
}

/* The order jobs run in within a tick: what a poll brings in is
 * acknowledged by the ack run of the same tick. */
static int rank(const char *job)
{
    static const char *const order[] = {"poll", "ack-run", "invoice-run", "inventory-run"};
    int i;

    for (i = 0; i < 4; i++)
        if (strcmp(job, order[i]) == 0)
            return i;
    return 4;
}

int gw_sched_due(struct gw_due **out, size_t *n, const struct gw_config *cfg, struct gw_store *s,
                 time_t now, struct edi_err *err)
{
    struct gw_due *v = NULL;
    size_t k = 0, i, j;
    time_t minute = now - now % 60;
    int rc;

    *out = NULL;
    *n = 0;
    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];

        for (j = 0; j < p->nschedules; j++) {
            const struct gw_schedule *sc = &p->schedules[j];
            time_t last, due;

            if ((rc = gw_store_last_run(&last, s, p->id, sc->job, err)) < 0) {
                free(v);
                return rc;
            }
            due = gw_cron_latest(&sc->cron, last > 0 ? last : minute - GW_SCHED_FIRST_BACK, now);
            if (due == 0)
                continue;
            v = edi_xrealloc(v, (k + 1) * sizeof(*v));
            v[k].partner = p;
            v[k].schedule = sc;
            v[k].due = due;
            k++;
        }
    }
    /* insertion sort: stable, so partners keep their config order */
    for (i = 1; i < k; i++) {
        struct gw_due x = v[i];

        for (j = i; j > 0 && rank(v[j - 1].schedule->job) > rank(x.schedule->job); j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    *out = v;
    *n = k;
    return 0;
}

/* ---- running jobs ------------------------------------------------------------------ */

static int stopped(const struct gw_ctx *c)
{
    return c->stop != NULL && *c->stop;
}

static void add_stats(struct gw_stats *to, const struct gw_stats *s)
{
    to->files += s->files;
    to->duplicates += s->duplicates;
    to->quarantined += s->quarantined;
    to->sets += s->sets;
    to->accepted += s->accepted;
    to->rejected += s->rejected;
    to->orders_created += s->orders_created;
    to->orders_updated += s->orders_updated;
    to->duplicate_ship_ids += s->duplicate_ship_ids;
    to->acks_queued += s->acks_queued;
    to->shipments_queued += s->shipments_queued;
    to->invoices_queued += s->invoices_queued;
    to->invoices_held += s->invoices_held;
    to->sent += s->sent;
    to->send_failures += s->send_failures;
    to->errors += s->errors;
    to->t_check += s->t_check;
    to->t_orders += s->t_orders;
    to->t_store += s->t_store;
    to->t_map_cpu += s->t_map_cpu;
    to->t_commit += s->t_commit;
}

/* Seconds since *t0 on the monotonic clock: a run's end is its start on
 * the caller's clock (WHARF_NOW in tests) plus how long it took. */
static time_t elapsed(const struct timespec *t0)
{
    struct timespec t1;

    if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0 || t1.tv_sec < t0->tv_sec)
        return 0;
    return t1.tv_sec - t0->tv_sec;
}

static void minute_text(char *buf, size_t cap, time_t t)
{
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%MZ", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)t);
}

/* One due job, recorded. *did is 0 when the minute had run already. The
 * job's failure is returned (and recorded); so is the store's when the run
 * cannot be recorded (then the job does not run). */
static int run_one(struct gw_stats *total, int *did, struct gw_ctx *c, const struct gw_due *d,
                   struct edi_err *err)
{
    const char *job = d->schedule->job, *pid = d->partner->id;
    struct gw_stats st;
    struct edi_err e, fe;
    struct timespec t0;
    char counts[256], when[32];
    int64_t id = 0;
    int already = 0, rc, jrc = 0, frc, implemented = 1;
    unsigned acks = 0;

    *did = 0;
    if ((rc = gw_store_run_start(&id, &already, c->store, pid, job, d->due, c->now, err)) < 0) {
        gw_log(c, "error", "%s %s: not run: %s", pid, job, err->msg);
        return rc;
    }
    if (already)
        return 0;
    *did = 1;
    if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
        memset(&t0, 0, sizeof(t0));
    memset(&st, 0, sizeof(st));
    edi_err_clear(&e);
    if (strcmp(job, "poll") == 0)
        jrc = gw_poll_partner(&st, c, d->partner, &e);
    else if (strcmp(job, "ack-run") == 0) {
        /* this partner's pending decisions only: another partner's run
         * (or run --once's) sends and counts its own */
        jrc = gw_ack_run_partner(&acks, c, d->partner, &e);
        st.acks_queued += acks;
    } else if (strcmp(job, "invoice-run") == 0) {
        struct gw_invoice_summary is;

        jrc = gw_invoice_run(&is, c, d->partner, &e);
        st.invoices_queued += is.queued + is.released;
        st.invoices_held += is.held;
    } else
        implemented = 0;    /* inventory-run: not built yet */
    edi_err_clear(&fe);
    /* the job's own partner's messages: a run counts what it sent */
    frc = gw_flush_outbox_of(&st, c, d->partner, &fe);
    if (jrc == 0 && frc < 0) {
        jrc = frc;
        e = fe;
    }
    if (!implemented)
        snprintf(counts, sizeof(counts), "not implemented");
    else if (strcmp(job, "poll") == 0)
        snprintf(counts, sizeof(counts), "files=%u sets=%u accepted=%u rejected=%u orders=%u sent=%u",
                 st.files, st.sets, st.accepted, st.rejected, st.orders_created + st.orders_updated,
                 st.sent);
    else if (strcmp(job, "invoice-run") == 0)
        snprintf(counts, sizeof(counts), "invoices=%u held=%u sent=%u", st.invoices_queued, st.invoices_held,
                 st.sent);
    else
        snprintf(counts, sizeof(counts), "acks=%u sent=%u", st.acks_queued, st.sent);
    if (st.quarantined || st.duplicates || st.send_failures || st.errors) {
        size_t used = strlen(counts);

        snprintf(counts + used, sizeof(counts) - used,
                 " quarantined=%u duplicates=%u send-failures=%u errors=%u", st.quarantined,
                 st.duplicates, st.send_failures, st.errors);
    }
    add_stats(total, &st);
    minute_text(when, sizeof(when), d->due);
    if (jrc < 0)
        gw_log(c, "error", "%s %s (due %s) failed: %s", pid, job, when, e.msg);
    else if (!implemented || st.files || st.acks_queued || st.invoices_queued || st.invoices_held || st.sent ||
             st.errors)
        gw_log(c, "info", "%s %s (due %s): %s", pid, job, when, counts);
    rc = gw_store_run_end(c->store, id, jrc < 0 ? "failed" : "done", counts, jrc < 0 ? e.msg : NULL,
                          c->now + elapsed(&t0), err);
    if (jrc < 0) {
        *err = e;
        return jrc;
    }
    return rc;
}

/* Keeps the first failure in *err, and its code in *rc. */
static void keep(int *rc, struct edi_err *err, int r, const struct edi_err *e)
{
    if (r < 0 && *rc == 0) {
        *rc = r;
        *err = *e;
    }
}

int gw_sched_tick(struct gw_stats *st, unsigned *ran, struct gw_ctx *c, enum gw_tick_mode mode,
                  struct edi_err *err)
{
    struct gw_due *due = NULL;
    unsigned char *polled = NULL;
    size_t n = 0, i = 0, k;
    int rc = 0, r, did;
    unsigned char *acked = NULL;
    unsigned count = 0;
    struct edi_err e;

    if (ran != NULL)
        *ran = 0;
    edi_err_clear(&e);
    if ((r = gw_sched_due(&due, &n, c->cfg, c->store, c->now, &e)) < 0) {
        gw_log(c, "error", "schedules: %s", e.msg);
        keep(&rc, err, r, &e);
        if (mode != GW_TICK_ALL)
            return rc;
    }
    polled = edi_xcalloc(c->cfg->npartners + 1, 1);
    acked = edi_xcalloc(c->cfg->npartners + 1, 1);

    /* polls: the due ones, then (run --once) every other partner's */
    for (; i < n && rank(due[i].schedule->job) == 0 && !stopped(c); i++) {
        edi_err_clear(&e);
        keep(&rc, err, run_one(st, &did, c, &due[i], &e), &e);
        count += did;
        polled[due[i].partner - c->cfg->partners] |= (unsigned char)did;
    }
    for (k = 0; mode == GW_TICK_ALL && k < c->cfg->npartners && !stopped(c); k++) {
        if (polled[k])
            continue;
        edi_err_clear(&e);
        if ((r = gw_poll_partner(st, c, &c->cfg->partners[k], &e)) < 0) {
            gw_log(c, "error", "inbound: %s", e.msg);
            keep(&rc, err, r, &e);
        }
    }
    /* acknowledgment runs: the due ones, else (run --once) one anyway for
     * each partner whose run was not due */
    for (; i < n && rank(due[i].schedule->job) == 1 && !stopped(c); i++) {
        edi_err_clear(&e);
        keep(&rc, err, run_one(st, &did, c, &due[i], &e), &e);
        count += did;
        acked[due[i].partner - c->cfg->partners] |= (unsigned char)did;
    }
    for (k = 0; mode == GW_TICK_ALL && k < c->cfg->npartners && !stopped(c); k++) {
        unsigned acks = 0;

        if (acked[k])
            continue;
        edi_err_clear(&e);
        if ((r = gw_ack_run_partner(&acks, c, &c->cfg->partners[k], &e)) < 0) {
            struct edi_err re;
            char counts[64];

            gw_log(c, "error", "acknowledgment run: %s", e.msg);
            keep(&rc, err, r, &e);
            /* not a scheduled run, but its failure is recorded like one */
            edi_err_clear(&re);
            snprintf(counts, sizeof(counts), "acks=%u", acks);
            if (gw_sched_record_failure(c, c->cfg->partners[k].id, "ack-run", c->now, counts, e.msg, &re) < 0)
                gw_log(c, "error", "acknowledgment run: not recorded: %s", re.msg);
        }
        st->acks_queued += acks;
    }
    /* packing lists the ERP dropped in erp/in: ship notices go out as they
     * come, not on a schedule (Amazon wants the ASN before the truck) */
    if (!stopped(c)) {
        unsigned shipped = 0;

        edi_err_clear(&e);
        if ((r = gw_erp_packing_lists(&shipped, c, &e)) < 0) {
            gw_log(c, "error", "packing lists: %s", e.msg);
            keep(&rc, err, r, &e);
        }
        st->shipments_queued += shipped;
    }
    /* the rest */
    for (; i < n && !stopped(c); i++) {
        edi_err_clear(&e);
        keep(&rc, err, run_one(st, &did, c, &due[i], &e), &e);
        count += did;
    }
    /* what the unrecorded work queued, and retries that came due */
    edi_err_clear(&e);
    if ((r = gw_flush_outbox(st, c, &e)) < 0) {
        gw_log(c, "error", "outbox: %s", e.msg);
        keep(&rc, err, r, &e);
    }
    /* what partners said since of what they took (SP-API transactions) */
    if (!stopped(c)) {
        edi_err_clear(&e);
        if ((r = gw_check_receipts(st, c, NULL, &e)) < 0) {
            gw_log(c, "error", "receipts: %s", e.msg);
            keep(&rc, err, r, &e);
        }
    }
    /* <retention personal-data-days>: once a UTC day, at the end of a pass */
    if (!stopped(c)) {
        edi_err_clear(&e);
        if ((r = gw_purge_due(c, &e)) < 0)
            keep(&rc, err, r, &e);
    }
    free(polled);
    free(acked);
    free(due);
    if (ran != NULL)
        *ran = count;
    return rc;
}

int gw_sched_wake(struct gw_stats *st, struct gw_ctx *c, const char *erp_id, struct edi_err *err)
{
    const struct gw_erp_conf *ec = gw_config_erp(c->cfg, erp_id);
    unsigned applied = 0, shipped = 0;
    struct edi_err e;
    int rc = 0, r;

    if (ec == NULL)
        return edi_fail(err, EDI_ENOTFOUND, "wharf.xml has no <erp id=\"%s\">", erp_id);
    /* gw_erp_open opens the provider of each pull: this connector when its
     * <erp provides> says so */
    if (ec->provides & GW_ERP_GIVES_DECISIONS) {
        edi_err_clear(&e);
        if ((r = gw_erp_decisions(&applied, c, &e)) < 0) {
            gw_log(c, "error", "erp %s: decisions: %s", erp_id, e.msg);
            keep(&rc, err, r, &e);
        }
    }
    if ((ec->provides & GW_ERP_GIVES_PACKING_LISTS) && !stopped(c)) {
        edi_err_clear(&e);
        if ((r = gw_erp_packing_lists(&shipped, c, &e)) < 0) {
            gw_log(c, "error", "erp %s: packing lists: %s", erp_id, e.msg);
            keep(&rc, err, r, &e);
        }
        st->shipments_queued += shipped;
    }
    if ((applied || shipped) && !stopped(c)) {
        edi_err_clear(&e);
        if ((r = gw_flush_outbox(st, c, &e)) < 0) {
            gw_log(c, "error", "outbox: %s", e.msg);
            keep(&rc, err, r, &e);
        }
    }
    if (applied || shipped)
        gw_log(c, "info", "erp %s: woken: %u decision%s applied, %u ship notice%s queued", erp_id, applied,
               applied == 1 ? "" : "s", shipped, shipped == 1 ? "" : "s");
    return rc;
}

int gw_sched_wake_partner(struct gw_stats *st, struct gw_ctx *c, const char *partner_id, struct edi_err *err)
{
    const struct gw_partner *p = gw_config_partner(c->cfg, partner_id);
    struct gw_stats mine;
    struct edi_err e;
    int rc = 0, r;

    if (p == NULL)
        return edi_fail(err, EDI_ENOTFOUND, "wharf.xml has no <partner id=\"%s\">", partner_id);
    memset(&mine, 0, sizeof(mine));
    edi_err_clear(&e);
    if ((r = gw_poll_partner(&mine, c, p, &e)) < 0) {
        gw_log(c, "error", "%s: woken: inbound: %s", partner_id, e.msg);
        keep(&rc, err, r, &e);
    }
    /* the 997s it queued (and anything else of the partner's that is due) */
    if (!stopped(c)) {
        edi_err_clear(&e);
        if ((r = gw_flush_outbox_of(&mine, c, p, &e)) < 0) {
            gw_log(c, "error", "%s: woken: outbox: %s", partner_id, e.msg);
            keep(&rc, err, r, &e);
        }
    }
    if (mine.files)
        gw_log(c, "info", "%s: woken by an arrival: files=%u sets=%u accepted=%u rejected=%u orders=%u sent=%u",
               partner_id, mine.files, mine.sets, mine.accepted, mine.rejected,
               mine.orders_created + mine.orders_updated, mine.sent);
    add_stats(st, &mine);
    return rc;
}

int gw_sched_record_failure(struct gw_ctx *c, const char *partner, const char *job, time_t started,
                            const char *counts, const char *error, struct edi_err *err)
{
    int64_t id = 0;
    int already = 0, rc;

    if (partner == NULL)
        partner = "*";
    if ((rc = gw_store_run_start(&id, &already, c->store, partner, job, started, started, err)) < 0 || already)
        return rc;
    return gw_store_run_end(c->store, id, "failed", counts, error, c->now, err);
}
