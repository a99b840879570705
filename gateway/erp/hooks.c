/*
 * hooks.c — the webhook receiver and tokens of hooks.h.
 *
 * Not here: the HTTP listener (net/server.c), what a wake runs
 * (flow/sched.c gw_sched_wake), subscribing at the ERP (each connector's
 * webhooks function, `wharf erp webhooks`).
 */
#include "gateway/erp/hooks.h"
#include "gateway/erp/erp.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SPEC: 32 random bytes: a token nobody guesses in the life of the sun */
#define TOKEN_BYTES 32

struct known {
    char id[GW_HOOKS_ID_MAX];
    struct gw_secret *token;
    int woken;
};

struct gw_hooks {
    pthread_mutex_t lock;
    struct known v[GW_HOOKS_MAX];
    size_t n;
    char partners[GW_HOOKS_MAX][GW_HOOKS_ID_MAX];   /* partners woken, not taken yet */
    size_t npartners;
    int pipe[2];
    FILE *log;
    struct gw_secret *decoy;   /* compared when the id is unknown: the same time */
};

int gw_hooks_new(struct gw_hooks **out, FILE *log, struct edi_err *err)
{
    struct gw_hooks *h = edi_xcalloc(1, sizeof(*h));
    int rc;

    *out = NULL;
    if (pipe2(h->pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        rc = edi_fail(err, EDI_ERR, "webhooks: no pipe: %s", strerror(errno));
        free(h);
        return rc;
    }
    if ((rc = gw_secret_random(&h->decoy, TOKEN_BYTES, err)) < 0) {
        close(h->pipe[0]);
        close(h->pipe[1]);
        free(h);
        return rc;
    }
    pthread_mutex_init(&h->lock, NULL);
    h->log = log;
    *out = h;
    return 0;
}

void gw_hooks_free(struct gw_hooks *h)
{
    size_t i;

    if (h == NULL)
        return;
    for (i = 0; i < h->n; i++)
        gw_secret_free(h->v[i].token);
    gw_secret_free(h->decoy);
    close(h->pipe[0]);
    close(h->pipe[1]);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

int gw_hooks_fd(const struct gw_hooks *h)
{
    return h->pipe[0];
}

int gw_hooks_takes(const struct gw_erp_conf *conf)
{
    const struct gw_erp_type *t = conf ? gw_erp_kind(conf->kind) : NULL;

    return t != NULL && t->webhooks != NULL;
}

int gw_hooks_token(struct gw_secret **out, struct gw_vault *v, const char *id, int create, int renew, time_t now,
                   struct edi_err *err)
{
    struct gw_secret *tok = NULL;
    int rc;

    *out = NULL;
    if (!renew && (rc = gw_vault_get(v, id, GW_HOOKS_SECRET, out, err)) != EDI_ENOTFOUND)
        return rc;
    if (!create && !renew)
        return rc;
    if ((rc = gw_secret_random(&tok, TOKEN_BYTES, err)) < 0)
        return rc;
    if ((rc = gw_vault_set(v, id, GW_HOOKS_SECRET, tok->p, tok->n, now, err)) < 0) {
        gw_secret_free(tok);
        return rc;
    }
    *out = tok;
    return 0;
}

int gw_hooks_load(struct gw_hooks *h, struct gw_ctx *c, int create, size_t *n, struct edi_err *err)
{
    struct known fresh[GW_HOOKS_MAX];
    struct gw_vault *v = NULL;
    char key[4200];
    size_t k = 0, i, j;
    int rc = 0;

    memset(fresh, 0, sizeof(fresh));
    for (i = 0; i < c->cfg->nerps && rc == 0; i++) {
        const struct gw_erp_conf *ec = &c->cfg->erps[i];

        if (!gw_hooks_takes(ec) || k == GW_HOOKS_MAX || strlen(ec->id) >= GW_HOOKS_ID_MAX)
            continue;
        if (v == NULL && ((rc = gw_vault_key_path(key, sizeof(key), c->cfg->workspace, err)) < 0 ||
                          (rc = gw_vault_open(&v, c->store, key, err)) < 0))
            break;
        snprintf(fresh[k].id, sizeof(fresh[k].id), "%s", ec->id);
        if ((rc = gw_hooks_token(&fresh[k].token, v, ec->id, create, 0, c->now, err)) == EDI_ENOTFOUND)
            rc = 0;   /* no token: no webhook of this one passes */
        else if (rc == 0)
            k++;
    }
    if (v)
        gw_vault_close(v);
    if (rc < 0) {
        for (i = 0; i < k; i++)
            gw_secret_free(fresh[i].token);
        return rc;
    }
    pthread_mutex_lock(&h->lock);
    for (i = 0; i < k; i++)
        for (j = 0; j < h->n; j++)
            if (strcmp(h->v[j].id, fresh[i].id) == 0)
                fresh[i].woken = h->v[j].woken;   /* a wake not taken yet stays */
    for (j = 0; j < h->n; j++)
        gw_secret_free(h->v[j].token);
    memcpy(h->v, fresh, sizeof(fresh));
    h->n = k;
    pthread_mutex_unlock(&h->lock);
    if (n)
        *n = k;
    return 0;
}

size_t gw_hooks_take(struct gw_hooks *h, char (*ids)[GW_HOOKS_ID_MAX], size_t cap)
{
    char drain[64];
    size_t i, k = 0;

    while (read(h->pipe[0], drain, sizeof(drain)) > 0)
        ;
    pthread_mutex_lock(&h->lock);
    for (i = 0; i < h->n; i++) {
        if (h->v[i].woken && k < cap) {
            snprintf(ids[k++], GW_HOOKS_ID_MAX, "%s", h->v[i].id);
            h->v[i].woken = 0;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return k;
}

int gw_hooks_wake_partner(struct gw_hooks *h, const char *partner)
{
    size_t i;
    int there = 0, kept = 1;

    if (strlen(partner) >= GW_HOOKS_ID_MAX)
        return 0;
    pthread_mutex_lock(&h->lock);
    for (i = 0; i < h->npartners && !there; i++)
        there = strcmp(h->partners[i], partner) == 0;
    if (!there && h->npartners < GW_HOOKS_MAX)
        snprintf(h->partners[h->npartners++], GW_HOOKS_ID_MAX, "%s", partner);
    else if (!there)
        kept = 0;   /* full: that partner's pass takes it */
    pthread_mutex_unlock(&h->lock);
    /* the same pipe as the webhooks' (gw_hooks_take drains it) */
    if (kept && write(h->pipe[1], "p", 1) < 0 && errno != EAGAIN)
        return 0;
    return kept;
}

size_t gw_hooks_take_partners(struct gw_hooks *h, char (*ids)[GW_HOOKS_ID_MAX], size_t cap)
{
    size_t k;

    pthread_mutex_lock(&h->lock);
    for (k = 0; k < h->npartners && k < cap; k++)
        snprintf(ids[k], GW_HOOKS_ID_MAX, "%s", h->partners[k]);
    memmove(h->partners, h->partners + k, (h->npartners - k) * sizeof(h->partners[0]));
    h->npartners -= k;
    pthread_mutex_unlock(&h->lock);
    return k;
}

/* What the body says, for the log: "order 5001" (the ERP's ids only). */
static void hint_of(char *out, size_t cap, const char *body, size_t n)
{
    json_t *j = json_loadb(body, n, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "resourceType"));
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *ev = json_string_value(json_object_get(j, "event"));

    snprintf(out, cap, "%.40s %.60s%s%.40s", type ? type : "?", id ? id : "?", ev ? " " : "", ev ? ev : "");
    json_decref(j);
}

static void receive(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_hooks *h = arg;
    const char *slash = strchr(rq->rest, '/');
    size_t idn = slash ? (size_t)(slash - rq->rest) : 0, i;
    const char *token = slash ? slash + 1 : "";
    struct known *hit = NULL;
    int ok = 0;
    char id[GW_HOOKS_ID_MAX] = "";

    rs->hide_rest = 1;   /* the token is in the path: never in the log */
    pthread_mutex_lock(&h->lock);
    for (i = 0; idn > 0 && idn < GW_HOOKS_ID_MAX && i < h->n; i++)
        if (strlen(h->v[i].id) == idn && memcmp(h->v[i].id, rq->rest, idn) == 0)
            hit = &h->v[i];
    /* SPEC: unknown id and wrong token answer alike, in the same time */
    ok = gw_secret_equal(hit ? hit->token : h->decoy, token, strlen(token)) && hit != NULL;
    if (ok) {
        hit->woken = 1;
        snprintf(id, sizeof(id), "%s", hit->id);
    }
    pthread_mutex_unlock(&h->lock);
    if (!ok) {
        gw_server_error(rs, 404, "not found");
        return;
    }
    /* a byte in the pipe wakes the daemon; a full pipe is already awake */
    if (write(h->pipe[1], "w", 1) < 0 && errno != EAGAIN)
        gw_server_error(rs, 500, "the wake did not reach the daemon");
    else {
        rs->status = 200;
        edi_buf_puts(&rs->body, "{\"ok\":true}\n");
    }
    if (h->log) {
        struct gw_ctx lc;
        char hint[160];

        memset(&lc, 0, sizeof(lc));
        lc.now = time(NULL);
        lc.log = h->log;
        hint_of(hint, sizeof(hint), rq->body, rq->nbody);
        gw_log(&lc, "info", "erp %s: webhook (%s): its pulls run now", id, hint);
    }
}

void gw_hooks_route(struct gw_hooks *h, struct gw_server *s)
{
    gw_server_route(s, "POST", GW_HOOKS_PREFIX, 1, receive, h);
}
