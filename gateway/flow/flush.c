/*
 * flush.c — the outbox flush (inbound.h): every due message claimed in the
 * store, sent through its partner's transport or pushed to the ERP
 * connector, and marked sent; a failure is retried with back-off.
 */
#include "gateway/erp/erp.h"
#include "gateway/flow/inbound.h"
#include "gateway/transport/transport.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

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






/* Where a message goes: the ERP connector (kinds GW_OUTBOX_ERP_*) or its
 * partner's transport, opened once a flush and kept in conns. */
struct conns {
    struct {
        char kind[80];           /* the outbox kind: erp-json, erp:bp ... */
        const struct gw_erp_type *et;
        struct gw_erp *e;
    } erp[8];
    size_t nerp;
    /* (partner, kind) that said "later" (a 429, an outage) in this flush:
     * the rest of them wait for the next one, unclaimed and untouched */
    struct {
        char partner[64], kind[80];
    } later[16];
    size_t nlater;
    struct {
        const struct gw_partner *p;
        const struct gw_transport_type *tt;
        struct gw_transport *t;
    } *v;
    size_t n;
};

static void conns_close(struct conns *k)
{
    size_t i;

    for (i = 0; i < k->nerp; i++)
        if (k->erp[i].e)
            k->erp[i].et->close(k->erp[i].e);
    for (i = 0; i < k->n; i++)
        if (k->v[i].t)
            k->v[i].tt->close(k->v[i].t);
    free(k->v);
}

/* The ERP connector of a message's kind (opened on first use). */
static int erp_of(const struct gw_erp_type **et, struct gw_erp **e, struct conns *k, struct gw_ctx *c,
                  const char *okind, struct edi_err *err)
{
    const char *key = strncmp(okind, GW_OUTBOX_ERP_API, strlen(GW_OUTBOX_ERP_API)) == 0 ? okind : "files";
    size_t i;
    int rc;

    for (i = 0; i < k->nerp; i++)
        if (strcmp(k->erp[i].kind, key) == 0) {
            *et = k->erp[i].et;
            *e = k->erp[i].e;
            return 0;
        }
    if ((rc = gw_erp_open_outbox(et, e, c, okind, err)) < 0)
        return rc;
    if (k->nerp == sizeof(k->erp) / sizeof(k->erp[0])) {
        (*et)->close(*e);
        *e = NULL;
        return edi_fail(err, EDI_EAGAIN, "too many ERPs in one flush");
    }
    snprintf(k->erp[k->nerp].kind, sizeof(k->erp[0].kind), "%s", key);
    k->erp[k->nerp].et = *et;
    k->erp[k->nerp].e = *e;
    k->nerp++;
    return 0;
}

/* The partner's transport (opened on first use), or NULL and why. */
static int conn_of(const struct gw_transport_type **tt, struct gw_transport **t, struct conns *k,
                   struct gw_ctx *c, const struct gw_outbox_item *it, struct edi_err *err)
{
    const struct gw_partner *p = gw_config_partner(c->cfg, it->partner);
    size_t i;
    int rc;

    *t = NULL;
    if (p == NULL || p->outbound == NULL)
        return edi_fail(err, EDI_ECONFIG, "the partner is not in wharf.xml any more");
    for (i = 0; i < k->n; i++)
        if (k->v[i].p == p) {
            *tt = k->v[i].tt;
            *t = k->v[i].t;
            return 0;
        }
    if ((rc = gw_transport_open(tt, t, c, p, err)) < 0)
        return rc;
    k->v = edi_xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
    k->v[k->n].p = p;
    k->v[k->n].tt = *tt;
    k->v[k->n].t = *t;
    k->n++;
    return 0;
}

/* One message: claim, send through its transport or push to the ERP, mark
 * sent, count. rc < 0 only for store errors (the flush stops); a delivery
 * that fails is recorded for a retry. */
static int flush_one(struct gw_stats *st, struct gw_ctx *c, struct conns *k, const struct gw_outbox_item *it,
                     const char *owner, time_t stale_before, struct edi_err *err)
{
    const struct gw_transport_type *tt = NULL;
    struct gw_transport *t = NULL;
    const struct gw_erp_type *et = NULL;
    struct gw_erp *ee = NULL;
    const char *dead = NULL;
    struct edi_err why, e;
    struct gw_receipt r;
    char id[256] = "";
    int got, rc, crc, partner_later = 0, superseded = 0;
    int api = strncmp(it->kind, GW_OUTBOX_ERP_API, strlen(GW_OUTBOX_ERP_API)) == 0;
    int erp = api || strncmp(it->kind, "erp-", 4) == 0;

    edi_err_clear(&why);
    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < k->nlater; i++)
        if (strcmp(k->later[i].partner, it->partner) == 0 && strcmp(k->later[i].kind, it->kind) == 0)
            return 0;
    if (erp)
        crc = erp_of(&et, &ee, k, c, it->kind, &why);
    else
        crc = conn_of(&tt, &t, k, c, it, &why);
    if (it->claimed_by != NULL && strcmp(it->claimed_by, owner) != 0) {
        int gone = claim_owner_gone(it->claimed_by);

        if (it->claimed_at > stale_before && !gone)
            return 0;   /* another sender is on it */
        dead = it->claimed_by;
        /* what a dead sender left half written goes first, before the
         * claim: whoever dies next leaves only its own behind */
        if (gone && crc == 0) {
            if (erp)
                et->abandoned(ee, it, (long)claim_local_pid(dead));
            else
                tt->abandoned(t, it, (long)claim_local_pid(dead));
        }
    }
    if ((rc = gw_store_outbox_claim(&got, c->store, it->id, owner, c->now, stale_before, dead, err)) < 0)
        return rc;
    if (!got)
        return 0;       /* another sender was faster, or it was sent meanwhile */
    if (dead != NULL)
        gw_log(c, "warn", "%s: %s was claimed by %s (%s): taken over", it->partner,
               it->name ? it->name : "a message", dead, claim_owner_gone(dead) ? "gone" : "stale");
    edi_err_clear(&e);
    if (crc < 0) {
        rc = crc;
        e = why;
    } else if (erp) {
        if (api && (rc = gw_store_outbox_superseded(&superseded, c->store, it->id, err)) < 0)
            return rc;
        if (superseded) {
            /* a later version of the same document is queued (a PO changed
             * again): that one goes, never this one after it */
            if ((rc = gw_store_outbox_erp_done(c->store, it->id, NULL, "superseded by a later version", c->now,
                                               err)) == 0)
                gw_log(c, "info", "%s: %s superseded by a later version: not pushed",
                       it->kind + strlen(GW_OUTBOX_ERP_API), it->name);
            return rc;
        }
        /* an API ERP that is down or throttling: the rest of its messages
         * wait for the next flush */
        if ((rc = et->push(ee, it, id, sizeof(id), &e)) == EDI_EAGAIN && api)
            partner_later = 1;
    } else {
        memset(&r, 0, sizeof(r));
        if ((rc = tt->send(t, it, &r, &e)) == EDI_EAGAIN)
            partner_later = 1;
    }
    if (rc == EDI_ESYNTAX && api) {
        /* the ERP cannot take it as it is (a cross-reference missing, the
         * ERP refused it): held until a person acts (wharf erp retry) */
        gw_log(c, "error", "%s: %s held: %s", it->kind + strlen(GW_OUTBOX_ERP_API), it->name ? it->name : "a message",
               e.msg);
        st->send_failures++;
        return gw_store_outbox_hold(c->store, it->id, e.msg, c->now, err);
    }
    if (rc == 0 && api) {
        rc = gw_store_outbox_erp_done(c->store, it->id, id, NULL, c->now, &e);
        if (rc == 0)
            gw_log(c, "info", "%s: pushed %s (%s)", it->kind + strlen(GW_OUTBOX_ERP_API), it->name, id);
    } else if (rc == 0 && !erp && (r.ask || r.status[0]))
        rc = gw_store_outbox_sent_receipt(c->store, it->id, r.ask ? r.id : NULL, c->now, &e);
    else if (rc == 0)
        rc = gw_store_outbox_sent(c->store, it->id, c->now, &e);
    if (rc == 0 && !erp && r.status[0]) {
        /* the partner answered at once (refused the request as such) */
        rc = gw_store_receipt_status(c->store, it->id, r.status, r.detail[0] ? r.detail : NULL, c->now, &e);
        if (strcmp(r.status, "rejected") == 0)
            gw_log(c, "error", "%s: %s refused: %s", it->partner, it->name ? it->name : "a message", r.detail);
    }
    if (rc < 0) {
        /* back off: 1, 2, 4 ... minutes, at most an hour, with jitter (a
         * tenth either way, so senders that failed together do not retry
         * together); an operator's problem (no folder, no partner, a
         * credential) is tried again in an hour; a partner's own "not
         * before" (a 429's) is kept */
        long delay = rc == EDI_ECONFIG ? 3600 : 60L << (it->attempts < 6 ? it->attempts : 6);
        time_t at;

        if (delay > 3600)
            delay = 3600;
        delay += (long)(((unsigned long)getpid() * 2654435761UL + (unsigned long)it->id * 40503UL) %
                        (unsigned long)(delay / 5 + 1)) - delay / 10;
        at = c->now + delay;
        if (partner_later && r.retry_at > c->now)
            at = r.retry_at;
        if (partner_later && k->nlater < sizeof(k->later) / sizeof(k->later[0])) {
            snprintf(k->later[k->nlater].partner, sizeof(k->later[0].partner), "%s", it->partner);
            snprintf(k->later[k->nlater].kind, sizeof(k->later[0].kind), "%s", it->kind);
            k->nlater++;
        }
        st->send_failures++;
        gw_log(c, "error", "%s: cannot send %s: %s", it->partner, it->name ? it->name : "a message", e.msg);
        if (rc == EDI_EAGAIN && !partner_later)
            return 0;   /* the store was busy: the claim is ours, the next flush tries again */
        return gw_store_outbox_failed(c->store, it->id, at, e.msg, err);
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
    struct conns k;
    int rc = 0;

    memset(&k, 0, sizeof(k));
    claim_owner(owner, sizeof(owner));
    /* ERP change logs a crash left staged: renamed when committed, removed
     * when not (a store error here is the flush's below too) */
    if (only == NULL)
        gw_erp_recover(c, err);
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
            rc = flush_one(st, c, &k, &v[i], owner, stale_before, err);
        }
        gw_outbox_free(v, n);
        if (rc < 0)
            break;
    }
    conns_close(&k);
    return rc < 0 ? rc : 0;
}
