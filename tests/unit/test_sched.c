/*
 * test_sched.c — the job scheduler (gateway/sched.c, scheduler.h) and the
 * store's runs table it records into: due minutes from cron schedules over
 * simulated days and weeks (UTC), missed minutes collapsing into one run,
 * a minute never running twice, the first start's look-back, the order
 * jobs run in, and the runs table itself.
 *
 * The simulated daemon here ticks once a minute the way cli_gw.c does,
 * without running the jobs (gw_sched_tick needs a whole workspace: that
 * is tests/integration/schedule.sh). Each test gets its own store in a
 * temporary folder.
 */
#include "testutil.h"
#include "gateway/flow/sched.h"
#include "gateway/erp/hooks.h"

#include <poll.h>

#include <unistd.h>

#define T0 1735689600      /* 2025-01-01T00:00:00Z, a Wednesday */
#define MON 1736121600     /* 2025-01-06T00:00:00Z, a Monday */
#define MIN 60
#define HOUR 3600
#define DAY 86400

struct fx {
    char dir[64];
    char path[128];
    struct gw_store *s;
    struct gw_schedule sched[2][4];
    struct gw_partner partners[2];
    struct gw_config cfg;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    struct edi_err err;

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/wharf-sched-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/wharf.db", f->dir);
    edi_err_clear(&err);
    if (gw_store_open(&f->s, f->path, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        rmdir(f->dir);
        free(f);
        return -1;
    }
    f->partners[0].id = "amazon-rp";
    f->partners[1].id = "amazon-df";
    f->partners[0].schedules = f->sched[0];
    f->partners[1].schedules = f->sched[1];
    f->cfg.partners = f->partners;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    size_t i;

    gw_store_close(f->s);
    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

#define OK(call)                                                                              \
    do {                                                                                      \
        struct edi_err err_;                                                                  \
        edi_err_clear(&err_);                                                                 \
        if ((call) != 0)                                                                      \
            fail_msg("%s: %s", #call, err_.msg);                                              \
    } while (0)
/* Calls under OK() pass &err_ as their err. */
#define E (&err_)

/* Gives partner p (0 or 1) one more schedule. */
static void add_schedule(struct fx *f, int p, const char *job, const char *cron)
{
    struct gw_partner *pt = &f->partners[p];
    struct gw_schedule *sc = &f->sched[p][pt->nschedules];
    struct edi_err err;

    edi_err_clear(&err);
    sc->job = job;
    sc->text = cron;
    if (gw_cron_parse(&sc->cron, cron, &err) < 0)
        fail_msg("'%s': %s", cron, err.msg);
    pt->nschedules++;
    if ((size_t)p + 1 > f->cfg.npartners)
        f->cfg.npartners = (size_t)p + 1;
}

static struct gw_cron cron(const char *text)
{
    struct gw_cron c;
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_cron_parse(&c, text, &err) < 0)
        fail_msg("'%s': %s", text, err.msg);
    return c;
}

/* One tick of a daemon at now, the way gw_sched_tick records runs (the jobs
 * themselves are not run). The due minutes of the runs that started go to
 * dues (at most cap); returns how many started. */
static size_t tick(struct fx *f, time_t now, time_t *dues, size_t cap)
{
    struct gw_due *v = NULL;
    size_t n = 0, i, ran = 0;

    OK(gw_sched_due(&v, &n, &f->cfg, f->s, now, E));
    for (i = 0; i < n; i++) {
        int64_t id = 0;
        int already = -1;

        OK(gw_store_run_start(&id, &already, f->s, v[i].partner->id, v[i].schedule->job, v[i].due,
                              now, E));
        /* what gw_sched_due offers has not run yet */
        assert_int_equal(already, 0);
        assert_true(id > 0);
        OK(gw_store_run_end(f->s, id, "done", "acks=0 sent=0", NULL, now, E));
        if (ran < cap)
            dues[ran] = v[i].due;
        ran++;
    }
    free(v);
    return ran;
}

/* A daemon ticking every minute from..to (inclusive); the due minutes of
 * every run, in order, go to dues. */
static size_t run_daemon(struct fx *f, time_t from, time_t to, time_t *dues, size_t cap)
{
    size_t total = 0;
    time_t t;

    for (t = from; t <= to; t += MIN)
        total += tick(f, t, dues + (total < cap ? total : cap), total < cap ? cap - total : 0);
    return total;
}

/* ---- cron minutes over a simulated day ------------------------------------------- */

static void test_every_30_minutes_a_day(void **state)
{
    struct fx *f = *state;
    struct gw_cron c = cron("*/30 * * * *");
    time_t dues[64], t;
    size_t n, i, fired = 0;

    /* the matcher alone: every minute of the day asked "is this one due?" */
    for (t = T0; t < T0 + DAY; t += MIN)
        if (gw_cron_latest(&c, t - MIN, t) == t)
            fired++;
    assert_int_equal(fired, 48);

    /* a daemon ticking each minute from 00:00 to 23:59 */
    add_schedule(f, 0, "ack-run", "*/30 * * * *");
    n = run_daemon(f, T0, T0 + DAY - MIN, dues, 64);
    assert_int_equal(n, 48);
    for (i = 0; i < n; i++)
        assert_int_equal(dues[i], T0 + (time_t)i * 30 * MIN);
    /* the seconds within a minute do not matter: 00:30:59 is 00:30 */
    assert_int_equal(gw_cron_latest(&c, T0, T0 + 30 * MIN + 59), T0 + 30 * MIN);
    /* and the minute already run (after) is not offered again */
    assert_int_equal(gw_cron_latest(&c, T0 + 30 * MIN, T0 + 30 * MIN + 59), 0);
}

static void test_weekdays_at_nine(void **state)
{
    struct fx *f = *state;
    time_t dues[16];
    size_t n, i;

    add_schedule(f, 0, "ack-run", "0 9 * * 1-5");
    /* a week, Monday 00:00 to Sunday 23:59, ticking each minute */
    n = run_daemon(f, MON, MON + 7 * DAY - MIN, dues, 16);
    assert_int_equal(n, 5);
    for (i = 0; i < n; i++)
        assert_int_equal(dues[i], MON + (time_t)i * DAY + 9 * HOUR);
}

/* ---- missed minutes, twice, first start ------------------------------------------------ */

static void test_missed_runs_collapse(void **state)
{
    struct fx *f = *state;
    time_t dues[8];

    add_schedule(f, 0, "ack-run", "*/30 * * * *");
    add_schedule(f, 1, "ack-run", "0 9 * * 1-5");
    assert_int_equal(tick(f, MON + 10 * HOUR, dues, 8), 2);    /* rp 10:00, df 09:00 (first start) */
    /* down from 10:00 to 14:10: 10:30 ... 14:00 missed, one run for 14:00 */
    assert_int_equal(tick(f, MON + 14 * HOUR + 10 * MIN, dues, 8), 1);
    assert_int_equal(dues[0], MON + 14 * HOUR);
    assert_int_equal(tick(f, MON + 14 * HOUR + 11 * MIN, dues, 8), 0);
    assert_int_equal(tick(f, MON + 14 * HOUR + 29 * MIN, dues, 8), 0);
    assert_int_equal(tick(f, MON + 14 * HOUR + 30 * MIN, dues, 8), 1);
    assert_int_equal(dues[0], MON + 14 * HOUR + 30 * MIN);
    /* down from Monday 14:30 to the next Monday 08:00: hundreds of minutes
     * missed, one run per job, for its latest minute (rp: Monday 08:00, df:
     * Friday 09:00) */
    assert_int_equal(tick(f, MON + 7 * DAY + 8 * HOUR, dues, 8), 2);
    assert_int_equal(dues[0], MON + 7 * DAY + 8 * HOUR);                  /* rp */
    assert_int_equal(dues[1], MON + 4 * DAY + 9 * HOUR);                  /* df: Friday */
    assert_int_equal(tick(f, MON + 7 * DAY + 8 * HOUR + 59, dues, 8), 0);
}

static void test_a_minute_never_runs_twice(void **state)
{
    struct fx *f = *state;
    time_t dues[8], last = -1;
    int64_t id = 0, id2 = -1;
    int already = -1;
    struct gw_due *v = NULL;
    size_t n = 99;

    add_schedule(f, 0, "ack-run", "*/30 * * * *");
    assert_int_equal(tick(f, T0 + 30 * MIN, dues, 8), 1);
    /* the same minute again, and the rest of it */
    assert_int_equal(tick(f, T0 + 30 * MIN, dues, 8), 0);
    assert_int_equal(tick(f, T0 + 30 * MIN + 59, dues, 8), 0);
    /* another process asking for the same minute is told it ran */
    OK(gw_store_run_start(&id2, &already, f->s, "amazon-rp", "ack-run", T0 + 30 * MIN, T0 + 31 * MIN, E));
    assert_int_equal(already, 1);
    assert_int_equal(id2, 0);
    /* a failed run has had its minute too: no retry loop */
    OK(gw_store_run_start(&id, &already, f->s, "amazon-rp", "ack-run", T0 + 60 * MIN, T0 + 60 * MIN, E));
    assert_int_equal(already, 0);
    OK(gw_store_run_end(f->s, id, "failed", NULL, "store: busy", T0 + 60 * MIN + 2, E));
    OK(gw_sched_due(&v, &n, &f->cfg, f->s, T0 + 60 * MIN + 30, E));
    assert_int_equal(n, 0);
    free(v);
    OK(gw_store_last_run(&last, f->s, "amazon-rp", "ack-run", E));
    assert_int_equal(last, T0 + 60 * MIN);
    /* another job of the same partner, the same minute, is its own row */
    OK(gw_store_run_start(&id2, &already, f->s, "amazon-rp", "poll", T0 + 60 * MIN, T0 + 60 * MIN, E));
    assert_int_equal(already, 0);
    assert_true(id2 > id);
}

static void test_first_start(void **state)
{
    struct fx *f = *state;
    struct gw_cron leap = cron("0 0 29 2 *"), never = cron("0 0 31 2 *");
    time_t dues[8], last = -1;
    struct gw_due *v = NULL;
    size_t n = 0;

    /* nothing ran yet: the look-back is one day */
    OK(gw_store_last_run(&last, f->s, "amazon-rp", "invoice-run", E));
    assert_int_equal(last, 0);
    add_schedule(f, 0, "poll", "* * * * *");
    add_schedule(f, 0, "invoice-run", "0 18 * * *");
    add_schedule(f, 0, "ack-run", "0 9 * * 1");            /* Mondays: last one 2 days ago */
    add_schedule(f, 1, "inventory-run", "0 0 29 2 *");
    OK(gw_sched_due(&v, &n, &f->cfg, f->s, T0 + 7, E));
    assert_int_equal(n, 2);
    assert_string_equal(v[0].schedule->job, "poll");
    assert_int_equal(v[0].due, T0);
    assert_string_equal(v[1].schedule->job, "invoice-run");
    assert_int_equal(v[1].due, T0 - 6 * HOUR);              /* 2024-12-31 18:00 */
    free(v);
    /* a Monday-only schedule starting on a Monday after 09:00 runs at once */
    f->partners[0].nschedules = 0;
    f->partners[1].nschedules = 0;
    add_schedule(f, 0, "ack-run", "0 9 * * 1");
    assert_int_equal(tick(f, MON + 9 * HOUR + 30 * MIN, dues, 8), 1);
    assert_int_equal(dues[0], MON + 9 * HOUR);
    /* LIMIT: missed minutes are looked for four years back, no further:
     * enough for a February 29 */
    assert_int_equal(gw_cron_latest(&leap, 0, T0), 1709164800);    /* 2024-02-29T00:00Z */
    assert_int_equal(gw_cron_latest(&leap, 1709164800, T0), 0);
    assert_int_equal(gw_cron_latest(&never, 0, T0), 0);
    /* UTC: 2024-12-31 23:59 is a Tuesday whatever TZ says */
    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    {
        struct gw_cron tue = cron("59 23 * * 2");

        assert_int_equal(gw_cron_latest(&tue, T0 - DAY, T0), T0 - MIN);
    }
    unsetenv("TZ");
    tzset();
}

/* ---- the order of a tick, the runs table ------------------------------------------------ */

static void test_jobs_in_order(void **state)
{
    struct fx *f = *state;
    struct gw_due *v = NULL;
    size_t n = 0;

    add_schedule(f, 0, "invoice-run", "* * * * *");
    add_schedule(f, 0, "ack-run", "* * * * *");
    add_schedule(f, 0, "poll", "* * * * *");
    add_schedule(f, 1, "ack-run", "* * * * *");
    add_schedule(f, 1, "poll", "*/5 * * * *");
    OK(gw_sched_due(&v, &n, &f->cfg, f->s, T0 + 3 * MIN, E));
    assert_int_equal(n, 5);
    /* polls first (what they bring in is acknowledged in the same tick),
     * then ack runs, then the rest; partners in config order */
    assert_string_equal(v[0].schedule->job, "poll");
    assert_string_equal(v[0].partner->id, "amazon-rp");
    assert_int_equal(v[0].due, T0 + 3 * MIN);
    assert_string_equal(v[1].schedule->job, "poll");
    assert_string_equal(v[1].partner->id, "amazon-df");
    assert_int_equal(v[1].due, T0);                          /* every 5 minutes: 00:00 */
    assert_string_equal(v[2].schedule->job, "ack-run");
    assert_string_equal(v[2].partner->id, "amazon-rp");
    assert_string_equal(v[3].schedule->job, "ack-run");
    assert_string_equal(v[3].partner->id, "amazon-df");
    assert_string_equal(v[4].schedule->job, "invoice-run");
    free(v);
}

static void test_runs_table(void **state)
{
    struct fx *f = *state;
    struct gw_run *v = NULL;
    size_t n = 0;
    int64_t a = 0, b = 0;
    int already = 0;
    struct edi_err err;

    OK(gw_store_run_start(&a, &already, f->s, "amazon-rp", "poll", T0, T0 + 1, E));
    OK(gw_store_run_start(&b, &already, f->s, "amazon-df", "ack-run", T0, T0 + 2, E));
    OK(gw_store_run_end(f->s, a, "done", "files=2 sets=2 accepted=2 rejected=0 orders=1 sent=2", NULL,
                        T0 + 5, E));
    OK(gw_store_runs(&v, &n, f->s, 10, E));
    assert_int_equal(n, 2);
    /* newest first; a run still going has no end */
    assert_int_equal(v[0].id, b);
    assert_string_equal(v[0].partner, "amazon-df");
    assert_string_equal(v[0].job, "ack-run");
    assert_string_equal(v[0].state, "running");
    assert_int_equal(v[0].ended, 0);
    assert_null(v[0].counts);
    assert_null(v[0].error);
    assert_int_equal(v[1].id, a);
    assert_int_equal(v[1].due, T0);
    assert_int_equal(v[1].started, T0 + 1);
    assert_int_equal(v[1].ended, T0 + 5);
    assert_string_equal(v[1].state, "done");
    assert_string_equal(v[1].counts, "files=2 sets=2 accepted=2 rejected=0 orders=1 sent=2");
    gw_runs_free(v, n);
    OK(gw_store_run_end(f->s, b, "failed", "acks=0 sent=0", "partner guide missing", T0 + 3, E));
    OK(gw_store_runs(&v, &n, f->s, 1, E));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].state, "failed");
    assert_string_equal(v[0].error, "partner guide missing");
    gw_runs_free(v, n);
    OK(gw_store_runs(&v, &n, f->s, 0, E));
    assert_int_equal(n, 0);
    gw_runs_free(v, n);
    gw_runs_free(NULL, 0);
    /* not a state; not a run */
    edi_err_clear(&err);
    assert_int_equal(gw_store_run_end(f->s, a, "sleeping", NULL, NULL, T0, &err), EDI_ERR);
    edi_err_clear(&err);
    assert_int_equal(gw_store_run_end(f->s, 999, "done", NULL, NULL, T0, &err), EDI_ENOTFOUND);
    /* the failed call changed nothing */
    OK(gw_store_runs(&v, &n, f->s, 10, E));
    assert_string_equal(v[1].state, "done");
    gw_runs_free(v, n);
}

static int readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};

    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* An AS2 arrival wakes its partner's pass through the webhooks' pipe:
 * once per partner however many came, in order, none lost to the drain. */
static void test_partner_wakes(void **state)
{
    struct gw_hooks *h = NULL;
    struct edi_err err;
    char ids[GW_HOOKS_MAX][GW_HOOKS_ID_MAX], name[32];
    size_t i;

    (void)state;
    edi_err_clear(&err);
    assert_int_equal(gw_hooks_new(&h, NULL, &err), 0);
    assert_false(readable(gw_hooks_fd(h)));
    assert_int_equal(gw_hooks_wake_partner(h, "amazon-df"), 1);
    assert_int_equal(gw_hooks_wake_partner(h, "amazon-rp"), 1);
    assert_int_equal(gw_hooks_wake_partner(h, "amazon-df"), 1);
    assert_true(readable(gw_hooks_fd(h)));
    assert_int_equal(gw_hooks_take(h, ids, GW_HOOKS_MAX), 0);   /* no ERP woken; the pipe drained */
    assert_false(readable(gw_hooks_fd(h)));
    assert_int_equal(gw_hooks_take_partners(h, ids, GW_HOOKS_MAX), 2);
    assert_string_equal(ids[0], "amazon-df");
    assert_string_equal(ids[1], "amazon-rp");
    assert_int_equal(gw_hooks_take_partners(h, ids, GW_HOOKS_MAX), 0);
    /* a cap smaller than what waits: the rest stays for the next take */
    for (i = 0; i < GW_HOOKS_MAX; i++) {
        snprintf(name, sizeof(name), "p%zu", i);
        assert_int_equal(gw_hooks_wake_partner(h, name), 1);
    }
    assert_int_equal(gw_hooks_wake_partner(h, "one-too-many"), 0);   /* its scheduled pass takes it */
    assert_int_equal(gw_hooks_take_partners(h, ids, 3), 3);
    assert_string_equal(ids[2], "p2");
    assert_int_equal(gw_hooks_take_partners(h, ids, GW_HOOKS_MAX), GW_HOOKS_MAX - 3);
    assert_string_equal(ids[0], "p3");
    gw_hooks_free(h);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_30_minutes_a_day),
        T(test_weekdays_at_nine),
        T(test_missed_runs_collapse),
        T(test_a_minute_never_runs_twice),
        T(test_first_start),
        T(test_jobs_in_order),
        T(test_runs_table),
        cmocka_unit_test(test_partner_wakes),
    };
#undef T

    return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
