/*
 * scheduler.h — the job scheduler (sched.c): which of each partner's jobs
 * (<schedule job=".." cron=".."/> in wharf.xml) are due, and running them,
 * each run recorded in the store (runs table: start, end, counts, error)
 * for `wharf runs list`.
 *
 * Schedules are evaluated in UTC, whatever the daemon's TZ: a cron minute
 * is a minute of gmtime(). The cron parser and matcher are config.c; the
 * jobs themselves are pipeline.c (poll), ackrun.c (ack-run); the daemon
 * loop and `wharf run --once` are cli_gw.c.
 *
 * Rules (issue 5, "Schedules"):
 * - a job is due at the latest minute its cron matches after the last
 *   minute it ran for, up to now: minutes missed while the daemon was down
 *   collapse into one run at start, never one per missed minute;
 * - on the first start (the job never ran) the look-back is one day, so a
 *   job whose minute just passed, or a `wharf run --once` from a timer
 *   that never lands on the cron minute, still runs;
 * - a (partner, job, minute) runs at most once: the store's unique row is
 *   taken before the job starts, by whichever process gets there first;
 * - runs never overlap: the daemon is single-threaded and runs them one
 *   after another.
 */
#ifndef WHARF_SCHEDULER_H
#define WHARF_SCHEDULER_H

#include "gateway/core/ctx.h"

/* LIMIT: how far back missed minutes are looked for: four years and a day,
 * so a February 29 schedule still finds its last minute. */
#define GW_SCHED_MAX_BACK ((time_t)1462 * 86400)
/* How far back the first start looks (the job never ran). */
#define GW_SCHED_FIRST_BACK ((time_t)86400)

/* A job that is due: partner and schedule are borrowed from the config. */
struct gw_due {
    const struct gw_partner *partner;
    const struct gw_schedule *schedule;
    time_t due;                      /* the cron minute, Unix seconds */
};

/* The latest minute t with after < t <= now at which c fires, matched in
 * UTC; 0 when there is none (or it lies more than GW_SCHED_MAX_BACK
 * before now). */
time_t gw_cron_latest(const struct gw_cron *c, time_t after, time_t now);

/* The jobs due at now, one per partner and schedule at most (its latest
 * due minute after the last one recorded in s), polls first, then
 * acknowledgment runs, then the rest, partners in config order.
 * *out belongs to the caller (free()); *n may be 0. Errors: the store's. */
int gw_sched_due(struct gw_due **out, size_t *n, const struct gw_config *cfg, struct gw_store *s,
                 time_t now, struct edi_err *err);

/* What a tick does besides the due jobs. */
enum gw_tick_mode {
    GW_TICK_DUE = 0,     /* the due jobs only (the daemon) */
    GW_TICK_ALL = 1,     /* and every partner's inbound poll and the ack run
                          * even when not due, not recorded as runs
                          * (`wharf run --once`, WHARF_POLL_SECONDS) */
};

/*
 * Runs every job due at c->now, one after another, each recorded: "poll"
 * polls the partner's inbound folder (gw_poll_partner); "ack-run" is the
 * partner's acknowledgment run (gw_ack_run_partner: that partner's orders
 * only); "invoice-run" is its invoice run; "inventory-run" is not built
 * yet and is recorded done with counts "not implemented". Every run is
 * followed by the flush of its partner's outbox messages, so its counts
 * are its own; the tick ends with a flush of every partner's (retries).
 * Each run's counts go into *st too; *ran counts the recorded runs (may be
 * NULL). A job that fails is recorded failed with its error and the next
 * job still runs; the first failure is returned (err) after all ran.
 * SIGTERM (c->stop) ends the tick after the current run.
 */
int gw_sched_tick(struct gw_stats *st, unsigned *ran, struct gw_ctx *c, enum gw_tick_mode mode,
                  struct edi_err *err);

/* A webhook woke the API ERP erp_id (erp/hooks.h): the pulls it provides
 * run now instead of at their schedule — its decisions are applied
 * (gw_erp_decisions: the 855s still go with each partner's ack-run), its
 * shipped packing lists shipped (gw_erp_packing_lists) — then the outbox
 * is flushed. What a pull read before is passed over, so a wake for a
 * change already applied does nothing. Counts go to *st; one log line
 * when something was applied. EDI_ENOTFOUND when wharf.xml has no such
 * ERP (any more). */
int gw_sched_wake(struct gw_stats *st, struct gw_ctx *c, const char *erp_id, struct edi_err *err);

/* A message of partner_id arrived (the AS2 listener, erp/hooks.h): its
 * inbound pass runs now instead of at its poll schedule — what its
 * transport stored is processed (orders made, 997s queued), then its
 * outbox flushed. Not recorded as a run (the scheduled poll is); what was
 * processed before is not processed again, so a wake with nothing new does
 * nothing. Counts to *st; one log line when files were processed.
 * EDI_ENOTFOUND when wharf.xml has no such partner (any more). */
int gw_sched_wake_partner(struct gw_stats *st, struct gw_ctx *c, const char *partner_id, struct edi_err *err);

/* A job run from the command line (`wharf ack run`, `invoice run`,
 * `ship`) that failed, recorded like a scheduled run so `wharf runs list`
 * and `wharf status` show it: partner "*" (every partner) unless one is
 * named, due and started at started, ended now, state failed with counts
 * (may be NULL) and error. A second failure of the same job in the same
 * second is not recorded again. Errors: the store's. */
int gw_sched_record_failure(struct gw_ctx *c, const char *partner, const char *job, time_t started,
                            const char *counts, const char *error, struct edi_err *err);

#endif
