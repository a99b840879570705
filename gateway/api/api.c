/*
 * api.c — the HTTP API (api.h): who is asking (session or token), the
 * login rate limit, and the endpoints, each over its own store connection.
 */
#include "gateway/api/api.h"
#include "gateway/api/internal.h"
#include "gateway/core/cfgref.h"
#include "gateway/api/console.h"
#include "gateway/core/config.h"
#include "gateway/erp/erp.h"
#include "gateway/flow/ack.h"
#include "gateway/flow/reprocess.h"
#include "gateway/flow/status.h"
#include "gateway/secret/pw.h"
#include "gateway/store/store.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct gw_api {
    char *workspace, *store_path, *schemas, *mappings;
    char *console;              /* the console's folder, NULL: none */
    char dummy[GW_PWHASH_MAX];  /* an unknown name costs a verify too */
    int tls;
    struct gw_cfg_ref *ref;     /* the daemon's configuration; NULL: read per request */
    pthread_mutex_t lock;       /* over rate */
    struct gw_rate rate;
};

/* ---- pure pieces ------------------------------------------------------------------ */

static int slot_of(const struct gw_rate *r, const char *key)
{
    int i;

    for (i = 0; i < GW_RATE_SLOTS; i++)
        if (r->slot[i].key[0] && strncmp(r->slot[i].key, key, sizeof(r->slot[i].key) - 1) == 0)
            return i;
    return -1;
}

unsigned gw_rate_check(const struct gw_rate *r, const char *key, unsigned max, time_t now)
{
    int i = slot_of(r, key);

    if (i < 0 || now - r->slot[i].start >= 60 || r->slot[i].n < max)
        return 0;
    return (unsigned)(r->slot[i].start + 60 - now);
}

void gw_rate_fail(struct gw_rate *r, const char *key, time_t now)
{
    int i = slot_of(r, key), k;

    if (i < 0) {
        /* a free slot, else the one whose window began first */
        for (i = 0, k = 0; k < GW_RATE_SLOTS; k++) {
            if (r->slot[k].key[0] == '\0') {
                i = k;
                break;
            }
            if (r->slot[k].start < r->slot[i].start)
                i = k;
        }
        snprintf(r->slot[i].key, sizeof(r->slot[i].key), "%s", key);
        r->slot[i].start = now;
        r->slot[i].n = 0;
    }
    if (now - r->slot[i].start >= 60) {
        r->slot[i].start = now;
        r->slot[i].n = 0;
    }
    r->slot[i].n++;
}

int gw_api_cookie(const char *h, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);

    while (h && *h) {
        size_t n;

        h += strspn(h, " \t");
        n = strcspn(h, ";");
        if (n > nl && strncmp(h, name, nl) == 0 && h[nl] == '=') {
            const char *v = h + nl + 1;
            size_t vn = n - nl - 1;

            while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            if (vn == 0)
                return 0;   /* a cleared cookie: none */
            if (vn >= cap)
                return -1;
            memcpy(out, v, vn);
            out[vn] = '\0';
            return 1;
        }
        h += n;
        if (*h == ';')
            h++;
    }
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* p[0..n) decoded into out; plus: '+' is a space; slash: a decoded '/' is refused. */
static int decode(const char *p, size_t n, char *out, size_t cap, int plus, int slash)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        int ch = (unsigned char)p[i];

        if (ch == '%') {
            if (i + 2 >= n)
                return -1;
            if (hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0)
                return -1;
            ch = hexval(p[i + 1]) * 16 + hexval(p[i + 2]);
            i += 2;
            if (slash && ch == '/')
                return -1;
        } else if (plus && ch == '+')
            ch = ' ';
        if (ch < 0x20 || ch == 0x7f)
            return -1;
        if (k + 1 >= cap)
            return -1;
        out[k++] = (char)ch;
    }
    out[k] = '\0';
    return 1;
}

int gw_api_form(const char *s, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);

    while (s && *s) {
        size_t n = strcspn(s, "&");

        if (n >= kl && strncmp(s, key, kl) == 0 && (n == kl || s[kl] == '='))
            return n == kl ? decode("", 0, out, cap, 1, 0) : decode(s + kl + 1, n - kl - 1, out, cap, 1, 0);
        s += n;
        if (*s == '&')
            s++;
    }
    return 0;
}

int gw_api_segment(const char *p, size_t n, char *out, size_t cap)
{
    return decode(p, n, out, cap, 0, 1);
}

/* The length of a rule tag "[code]" or "[code, TA105 NNN]" that ends s
 * (n bytes), 0 when s does not end with one. */
static size_t rule_tail(const char *s, size_t n)
{
    size_t i, k;

    if (n < 3 || s[n - 1] != ']')
        return 0;
    for (i = n - 1; i > 0 && s[i - 1] != '['; i--)
        ;
    if (i == 0)
        return 0;
    /* s[i .. n - 1) is the inside */
    for (k = i; k < n - 1 && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') || s[k] == '-'); k++)
        ;
    if (k == i)
        return 0;
    if (k < n - 1) {
        if (n - 1 - k != 11 || strncmp(s + k, ", TA105 ", 8) != 0)
            return 0;
        for (k += 8; k < n - 1; k++)
            if (s[k] < '0' || s[k] > '9')
                return 0;
    }
    return n - i + 1;
}

char *gw_api_redact(const char *text)
{
    struct edi_buf b;
    const char *p = text;
    char *out;

    edi_buf_init(&b, 0);
    while (p && *p) {
        size_t n = strcspn(p, "\n"), head = 0, tail;

        if (strncmp(p, "segment ", 8) == 0) {
            size_t k = 8;

            while (k < n && p[k] >= '0' && p[k] <= '9')
                k++;
            if (k > 8 && k + 1 < n && p[k] == ':' && p[k + 1] == ' ')
                head = k + 2;
        }
        tail = rule_tail(p + head, n - head);
        if (n > 0) {
            edi_buf_put(&b, p, head);
            edi_buf_put(&b, GW_API_HIDDEN, strlen(GW_API_HIDDEN));
            if (tail) {
                edi_buf_put(&b, " ", 1);
                edi_buf_put(&b, p + n - tail, tail);
            }
        }
        p += n;
        if (*p) {
            edi_buf_put(&b, "\n", 1);
            p++;
        }
    }
    edi_buf_put(&b, "", 1);
    out = edi_xstrdup(b.p);
    edi_buf_dispose(&b);
    return out;
}

/* ---- requests --------------------------------------------------------------------- */

static const char *header(const struct gw_server_req *rq, const char *name)
{
    size_t i;

    for (i = 0; i < rq->nheaders; i++)
        if (strcasecmp(rq->headers[i].name, name) == 0)
            return rq->headers[i].value;
    return NULL;
}

static void reply(struct gw_server_resp *rs, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));

    rs->status = status;
    edi_buf_put(&rs->body, s, strlen(s));
    edi_buf_put(&rs->body, "\n", 1);
    free(s);
    json_decref(j);
}

/* A header the server copies when it queues the response, on this thread. */
static void add_header(struct gw_server_resp *rs, const char *name, const char *value)
{
    static __thread char vals[4][512];

    if (rs->nheaders >= 4)
        return;
    snprintf(vals[rs->nheaders], sizeof(vals[0]), "%s", value);
    rs->headers[rs->nheaders].name = name;
    rs->headers[rs->nheaders].value = vals[rs->nheaders];
    rs->nheaders++;
}

static int store_open(struct gw_store **s, const struct gw_api *a, struct gw_server_resp *rs)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_store_open(s, a->store_path, &err) < 0) {
        gw_server_error(rs, 503, err.msg);
        return -1;
    }
    return 0;
}

/* Who asks: the user of the bearer token or of the session cookie (a POST
 * with a cookie also needs its CSRF token), or NULL with rs answered. */
static struct gw_user *who(const struct gw_api *a, struct gw_store *s, const struct gw_server_req *rq,
                           struct gw_server_resp *rs)
{
    const char *auth = header(rq, "Authorization"), *cookies = header(rq, "Cookie");
    char sid[GW_TOKEN_HEX + 8], digest[GW_DIGEST_HEX];
    struct gw_user *u = NULL;
    struct edi_err err;
    int rc;

    edi_err_clear(&err);
    if (auth != NULL) {
        if (strncasecmp(auth, "Bearer ", 7) != 0) {
            gw_server_error(rs, 401, "Authorization: only 'Bearer TOKEN' is taken (`wharf users token NAME`)");
            return NULL;
        }
        gw_pw_digest(digest, auth + 7, strlen(auth + 7));
        if ((rc = gw_store_user_by_token(&u, s, digest, &err)) < 0)
            gw_server_error(rs, rc == EDI_ENOTFOUND ? 401 : 503,
                            rc == EDI_ENOTFOUND ? "this API token is not known here" : err.msg);
        return u;
    }
    if (cookies == NULL || gw_api_cookie(cookies, GW_API_COOKIE, sid, sizeof(sid)) != 1) {
        gw_server_error(rs, 401, "log in first: POST " GW_API_PREFIX "login, or send Authorization: Bearer TOKEN");
        return NULL;
    }
    gw_pw_digest(digest, sid, strlen(sid));
    if ((rc = gw_store_user_by_session(&u, s, digest, time(NULL), &err)) < 0) {
        gw_server_error(rs, rc == EDI_ENOTFOUND ? 401 : 503,
                        rc == EDI_ENOTFOUND ? "the session is over or not of this workspace: log in again"
                                            : err.msg);
        return NULL;
    }
    if (strcmp(rq->method, "GET") != 0) {
        const char *csrf = header(rq, "X-CSRF-Token");

        /* SPEC: issue 17 — a state change by cookie carries its session's token */
        if (csrf == NULL || !gw_pw_equal(csrf, u->csrf)) {
            gw_server_error(rs, 403, csrf ? "X-CSRF-Token does not match this session's"
                                          : "X-CSRF-Token is missing: send the token login answered with");
            gw_users_free(u, 1);
            return NULL;
        }
    }
    return u;
}

/* ---- login and logout ---------------------------------------------------------- */

static void on_login(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    const char *ct = header(rq, "Content-Type");
    char name[80], pw[GW_PW_MAX + 1], peer[80], key[96];
    struct gw_store *s = NULL;
    struct gw_user *u = NULL;
    struct edi_err err;
    unsigned wait;
    time_t now = time(NULL);
    int ok;

    name[0] = pw[0] = '\0';
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        if (gw_api_form(rq->body, "name", name, sizeof(name)) != 1 ||
            gw_api_form(rq->body, "password", pw, sizeof(pw)) != 1) {
            gw_server_error(rs, 400, "login: the form needs name and password");
            return;
        }
    } else {
        json_error_t je;
        json_t *j = json_loadb(rq->body, rq->nbody, 0, &je);
        const char *n = json_string_value(json_object_get(j, "name"));
        const char *p = json_string_value(json_object_get(j, "password"));

        if (j == NULL || n == NULL || p == NULL || strlen(n) >= sizeof(name) || strlen(p) >= sizeof(pw)) {
            char msg[300];

            if (j == NULL)
                snprintf(msg, sizeof(msg), "login: the body is not JSON (line %d column %d: %s)", je.line,
                         je.column, je.text);
            else
                snprintf(msg, sizeof(msg), "login: the body needs \"name\" and \"password\" (strings)");
            json_decref(j);
            gw_server_error(rs, 400, msg);
            return;
        }
        snprintf(name, sizeof(name), "%s", n);
        snprintf(pw, sizeof(pw), "%s", p);
        json_decref(j);
    }
    snprintf(peer, sizeof(peer), "peer:%s", rq->peer ? rq->peer : "?");
    snprintf(key, sizeof(key), "name:%s", name);
    pthread_mutex_lock(&a->lock);
    wait = gw_rate_check(&a->rate, key, GW_API_LOGIN_PER_NAME, now);
    if (wait == 0)
        wait = gw_rate_check(&a->rate, peer, GW_API_LOGIN_PER_PEER, now);
    pthread_mutex_unlock(&a->lock);
    if (wait > 0) {
        char ra[16];

        snprintf(ra, sizeof(ra), "%u", wait);
        add_header(rs, "Retry-After", ra);
        gw_server_error(rs, 429, "too many failed logins: try again in a minute");
        memset(pw, 0, sizeof(pw));
        return;
    }
    edi_err_clear(&err);
    if (store_open(&s, a, rs) < 0 || (gw_store_user_get(&u, s, name, &err) < 0 && err.rc != EDI_ENOTFOUND)) {
        if (s != NULL)
            gw_server_error(rs, 503, err.msg);
        gw_store_close(s);
        memset(pw, 0, sizeof(pw));
        return;
    }
    /* an unknown name costs the same verify as a known one */
    ok = gw_pw_verify(u && u->pwhash ? u->pwhash : a->dummy, pw, strlen(pw)) && u != NULL;
    memset(pw, 0, sizeof(pw));
    if (!ok) {
        pthread_mutex_lock(&a->lock);
        gw_rate_fail(&a->rate, key, now);
        gw_rate_fail(&a->rate, peer, now);
        pthread_mutex_unlock(&a->lock);
        gw_server_error(rs, 401, "wrong name or password");
    } else {
        char sid[GW_TOKEN_HEX], csrf[GW_TOKEN_HEX], digest[GW_DIGEST_HEX], cookie[256];

        gw_pw_token(sid);
        gw_pw_token(csrf);
        gw_pw_digest(digest, sid, strlen(sid));
        edi_err_clear(&err);
        if (gw_store_session_end(s, NULL, now, &err) < 0 ||
            gw_store_session_add(s, u->id, digest, csrf, now, now + GW_API_SESSION_SECONDS, &err) < 0) {
            gw_server_error(rs, 503, err.msg);
        } else {
            snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                     GW_API_COOKIE, sid, GW_API_SESSION_SECONDS, a->tls ? "; Secure" : "");
            add_header(rs, "Set-Cookie", cookie);
            reply(rs, 200, json_pack("{s:s, s:s, s:s, s:I}", "name", u->name, "role", u->role, "csrf_token", csrf,
                                     "expires", (json_int_t)(now + GW_API_SESSION_SECONDS)));
        }
    }
    gw_users_free(u, 1);
    gw_store_close(s);
}

static void on_logout(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    char sid[GW_TOKEN_HEX + 8], digest[GW_DIGEST_HEX], cookie[160];

    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        const char *cookies = header(rq, "Cookie");

        edi_err_clear(&err);
        if (u->csrf == NULL || cookies == NULL || gw_api_cookie(cookies, GW_API_COOKIE, sid, sizeof(sid)) != 1)
            gw_server_error(rs, 400, "logout ends a session: this request has none (a token stays valid "
                                     "until `wharf users remove`)");
        else {
            gw_pw_digest(digest, sid, strlen(sid));
            if (gw_store_session_end(s, digest, time(NULL), &err) < 0)
                gw_server_error(rs, 503, err.msg);
            else {
                snprintf(cookie, sizeof(cookie), "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                         GW_API_COOKIE, a->tls ? "; Secure" : "");
                add_header(rs, "Set-Cookie", cookie);
                reply(rs, 200, json_pack("{s:s}", "logged_out", u->name));
            }
        }
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

/* GET session: who this session is and its CSRF token, so that a page
 * reloaded in the console goes on without logging in again (the cookie is
 * HttpOnly: the page cannot read it). A token's "csrf" is null. */
static void on_session(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_store *s = NULL;
    struct gw_user *u;

    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        reply(rs, 200, json_pack("{s:s, s:s, s:o}", "name", u->name, "role", u->role, "csrf",
                                 u->csrf ? json_string(u->csrf) : json_null()));
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

/* ---- status and orders ----------------------------------------------------------- */

/* The flows' context over this request's own connections; 0, or -1 with
 * rs answered. */
static int ctx_open(struct gw_ctx *c, const struct gw_api *a, struct gw_server_resp *rs)
{
    struct edi_err err;

    memset(c, 0, sizeof(*c));
    edi_err_clear(&err);
    c->now = time(NULL);
    c->log = NULL;
    if (gw_ctx_open(c, a->workspace, a->schemas, a->mappings, &err) < 0) {
        gw_server_error(rs, 503, err.msg);
        return -1;
    }
    return 0;
}

static void on_status(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct gw_ctx c;
    struct edi_err err;
    json_t *j = NULL;

    if (store_open(&s, a, rs) < 0)
        return;
    u = who(a, s, rq, rs);
    gw_store_close(s);
    if (u == NULL || ctx_open(&c, a, rs) < 0) {
        gw_users_free(u, 1);
        return;
    }
    edi_err_clear(&err);
    if (gw_status_json(&j, &c, a->workspace, &err) < 0)
        gw_server_error(rs, 503, err.msg);
    else
        reply(rs, 200, j);
    gw_ctx_close(&c);
    gw_users_free(u, 1);
}

static const char *const order_states[] = {GW_ORDER_PENDING, GW_ORDER_APPROVED, GW_ORDER_ACKNOWLEDGED,
                                           GW_ORDER_PARTIALLY_SHIPPED, GW_ORDER_SHIPPED, GW_ORDER_INVOICED,
                                           GW_ORDER_CLOSED, GW_ORDER_CANCELLED, GW_ORDER_REJECTED, NULL};

/* A query field into out: 1, 0 absent or empty, -1 with rs answered. */
static int query(const struct gw_server_req *rq, const char *key, char *out, size_t cap, struct gw_server_resp *rs)
{
    int rc = gw_api_form(rq->query, key, out, cap);

    if (rc < 0) {
        char msg[160];

        snprintf(msg, sizeof(msg), "%s= is too long or badly encoded", key);
        gw_server_error(rs, 400, msg);
    }
    return rc < 0 ? -1 : rc == 1 && out[0] != '\0';
}

/* A positive row id written in digits only: nothing in a path is resolved
 * but this number. 0 when it is none. */
static int64_t id_of(const char *p, size_t n)
{
    int64_t v = 0;
    size_t i;

    if (n == 0 || n > 15)
        return 0;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* limit= and after= of a page into *limit (50 when absent) and *after (0):
 * 0, or -1 with rs answered. */
static int page_of(const struct gw_server_req *rq, unsigned long long *limit, int64_t *after,
                   struct gw_server_resp *rs)
{
    char lim[24], aft[24], *end;
    int hl, ha;

    *limit = 50;
    *after = 0;
    if ((hl = query(rq, "limit", lim, sizeof(lim), rs)) < 0 || (ha = query(rq, "after", aft, sizeof(aft), rs)) < 0)
        return -1;
    if (hl && ((*limit = strtoull(lim, &end, 10)) == 0 || *end != '\0' || lim[0] < '0' || lim[0] > '9' ||
               *limit > GW_API_PAGE_MAX)) {
        gw_server_error(rs, 400, "limit= is a number from 1 to 500");
        return -1;
    }
    if (ha && (*after = id_of(aft, strlen(aft))) == 0) {
        gw_server_error(rs, 400, "after= is the \"next\" of the page before");
        return -1;
    }
    return 0;
}

/* 1 when state is one of states; else 0 with rs answered in the CLI's
 * words (a misspelled filter: an empty list would mislead). */
static int state_ok(const char *const *states, const char *state, struct gw_server_resp *rs)
{
    struct edi_buf m;
    size_t i;

    for (i = 0; states[i]; i++)
        if (strcmp(states[i], state) == 0)
            return 1;
    edi_buf_init(&m, 0);
    edi_buf_printf(&m, "state '%s' is not one of: ", state);
    for (i = 0; states[i]; i++)
        edi_buf_printf(&m, "%s%s", i ? ", " : "", states[i]);
    edi_buf_put(&m, "", 1);
    gw_server_error(rs, 400, m.p);
    edi_buf_dispose(&m);
    return 0;
}

static void on_orders(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    char state[40], partner[80], q[80];
    int hs, hp, hq;
    struct gw_order **v = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    unsigned long long limit;
    int64_t from;
    size_t n = 0, i;

    if ((hs = query(rq, "state", state, sizeof(state), rs)) < 0 ||
        (hp = query(rq, "partner", partner, sizeof(partner), rs)) < 0 || (hq = query(rq, "q", q, sizeof(q), rs)) < 0 ||
        page_of(rq, &limit, &from, rs) < 0)
        return;
    if (hs && !state_ok(order_states, state, rs))
        return;
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        edi_err_clear(&err);
        /* one more than the page: whether there is a next one */
        if (gw_store_order_page(&v, &n, s, hs ? state : NULL, hp ? partner : NULL, hq ? q : NULL, from,
                                (size_t)limit + 1, &err) < 0)
            gw_server_error(rs, 503, err.msg);
        else {
            json_t *j = json_object(), *arr = json_array();

            for (i = 0; i < n && i < limit; i++) {
                json_t *o = gw_order_json(v[i], 0);

                json_object_set_new(o, "id", json_integer((json_int_t)v[i]->id));
                json_array_append_new(arr, o);
            }
            json_object_set_new(j, "orders", arr);
            json_object_set_new(j, "next", n > limit ? json_integer((json_int_t)v[limit - 1]->id) : json_null());
            reply(rs, 200, j);
        }
        gw_orders_free(v, n);
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

/* The order PARTNER/PO names (rest: "PARTNER/PO" and maybe "/ACTION"),
 * with its lines: NULL with rs answered (404 in the CLI's words). */
static struct gw_order *order_at(struct gw_store *s, const char *rest, char *action, size_t acap,
                                 struct gw_order ***all, size_t *n, struct gw_server_resp *rs)
{
    char partner[80], po[80];
    const char *p1 = strchr(rest, '/'), *p2 = p1 ? strchr(p1 + 1, '/') : NULL;
    struct edi_err err;
    size_t i;

    action[0] = '\0';
    if (p1 == NULL || gw_api_segment(rest, (size_t)(p1 - rest), partner, sizeof(partner)) != 1 ||
        gw_api_segment(p1 + 1, p2 ? (size_t)(p2 - p1 - 1) : strlen(p1 + 1), po, sizeof(po)) != 1 ||
        partner[0] == '\0' || po[0] == '\0' ||
        (p2 && gw_api_segment(p2 + 1, strlen(p2 + 1), action, acap) != 1)) {
        gw_server_error(rs, 404, "not an order: " GW_API_PREFIX "orders/PARTNER/PO");
        return NULL;
    }
    edi_err_clear(&err);
    if (gw_store_list_orders(all, n, s, NULL, partner, &err) < 0) {
        gw_server_error(rs, 503, err.msg);
        return NULL;
    }
    for (i = 0; i < *n; i++)
        if (strcmp((*all)[i]->po_number, po) == 0)
            return (*all)[i];
    {
        char msg[220];

        snprintf(msg, sizeof(msg), "no order %s for partner %s", po, partner);
        gw_server_error(rs, 404, msg);
    }
    return NULL;
}

static void on_order(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_order **v = NULL, *o;
    struct gw_store *s = NULL;
    struct gw_history *h = NULL;
    struct gw_user *u;
    struct gw_ctx c;
    struct edi_err err;
    char action[16];
    size_t n = 0, nh = 0, k;

    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL || (o = order_at(s, rq->rest, action, sizeof(action), &v, &n, rs)) == NULL) {
        gw_users_free(u, 1);
        gw_orders_free(v, n);
        gw_store_close(s);
        return;
    }
    if (action[0] != '\0') {
        gw_server_error(rs, 405, "approve and reject are POSTs");
    } else {
        json_t *j = gw_order_json(o, 1), *hj = json_array(), *d = NULL;

        edi_err_clear(&err);
        gw_store_order_history(&h, &nh, s, o->id, &err);
        if (ctx_open(&c, a, rs) == 0) {
            d = gw_order_details(&c, o);
            gw_ctx_close(&c);
        } else {
            /* the order is shown without its details; the error written is dropped */
            edi_buf_dispose(&rs->body);
            edi_buf_init(&rs->body, 0);
        }
        /* SPEC: issue 17 — a DF consumer's personal data: operators only */
        if (d && strcmp(u->role, "operator") != 0 && strcmp(o->program, "DF") == 0 && gw_order_details_hide(d))
            json_object_set_new(j, "personal_data", json_string("hidden: operators only"));
        if (d)
            json_object_set_new(j, "details", d);
        json_object_set_new(j, "id", json_integer((json_int_t)o->id));
        for (k = 0; k < nh; k++)
            json_array_append_new(hj, json_pack("{s:I, s:s, s:s}", "at", (json_int_t)h[k].at, "state",
                                                h[k].state ? h[k].state : "", "what", h[k].what ? h[k].what : ""));
        json_object_set_new(j, "history", hj);
        reply(rs, 200, j);
        gw_history_free(h, nh);
    }
    gw_users_free(u, 1);
    gw_orders_free(v, n);
    gw_store_close(s);
}

/* A decision's text value: a string, or a number written as the CLI takes it. */
static const char *jtext(json_t *v, char *buf, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    return NULL;
}

static void on_decide(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    static const char *const fields[] = {"accept", "backorder", "reject", "reason", "ship_date"};
    struct gw_api *a = arg;
    struct gw_line_decision lines[256];
    char nums[256][5][24], tops[3][24], action[16], actor[100], msg[600];
    struct gw_order **v = NULL, *o;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct gw_decision d;
    struct edi_findings f;
    struct gw_ctx c;
    struct edi_err err;
    json_t *body = NULL, *ls, *l;
    size_t n = 0, k, i;
    int rc, reject;

    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL || (o = order_at(s, rq->rest, action, sizeof(action), &v, &n, rs)) == NULL)
        goto out;
    if (strcmp(action, "approve") != 0 && strcmp(action, "reject") != 0) {
        gw_server_error(rs, 404, "an order takes POST .../approve or .../reject");
        goto out;
    }
    reject = action[0] == 'r';
    if (strcmp(u->role, "operator") != 0) {
        snprintf(msg, sizeof(msg), "only operators approve and reject orders; %s is a %s", u->name, u->role);
        gw_server_error(rs, 403, msg);
        goto out;
    }
    if (rq->nbody > 0) {
        json_error_t je;

        if ((body = json_loadb(rq->body, rq->nbody, 0, &je)) == NULL || !json_is_object(body)) {
            snprintf(msg, sizeof(msg), "the decision is not a JSON object (line %d column %d: %s)", je.line,
                     je.column, body ? "not an object" : je.text);
            gw_server_error(rs, 400, msg);
            goto out;
        }
    }
    memset(&d, 0, sizeof(d));
    memset(lines, 0, sizeof(lines));
    d.reject_all = reject;
    d.reason = jtext(json_object_get(body, "reason"), tops[0], sizeof(tops[0]));
    d.df_code = jtext(json_object_get(body, "code"), tops[1], sizeof(tops[1]));
    d.ship_date = jtext(json_object_get(body, "ship_date"), tops[2], sizeof(tops[2]));
    ls = json_object_get(body, "lines");
    json_array_foreach(ls, k, l) {
        if (reject || k >= 256 || !json_is_object(l) || !json_is_integer(json_object_get(l, "line_no"))) {
            gw_server_error(rs, 400, reject ? "lines are for approve" : "each of lines is an object with line_no");
            goto out;
        }
        lines[k].line_no = (int)json_integer_value(json_object_get(l, "line_no"));
        lines[k].accept = jtext(json_object_get(l, fields[0]), nums[k][0], sizeof(nums[k][0]));
        lines[k].backorder = jtext(json_object_get(l, fields[1]), nums[k][1], sizeof(nums[k][1]));
        lines[k].reject = jtext(json_object_get(l, fields[2]), nums[k][2], sizeof(nums[k][2]));
        lines[k].reason = jtext(json_object_get(l, fields[3]), nums[k][3], sizeof(nums[k][3]));
        lines[k].ship_date = jtext(json_object_get(l, fields[4]), nums[k][4], sizeof(nums[k][4]));
        d.nlines = k + 1;
    }
    d.lines = lines;
    /* the history says who decided, and through what */
    snprintf(actor, sizeof(actor), "%s (api)", u->name);
    d.actor = actor;
    if (reject && strcmp(o->program, "DF") == 0 && d.df_code == NULL)
        d.df_code = "03";
    if (ctx_open(&c, a, rs) < 0)
        goto out;
    edi_err_clear(&err);
    edi_findings_init(&f, 100);
    rc = gw_ack_decide(&c, o, &d, &f, &err);
    if (rc == EDI_ESYNTAX) {
        /* the CLI's words: PARTNER PO refused: WHY [rule R], each rule broken */
        json_t *arr = json_array();

        for (i = 0; i < f.n; i++)
            json_array_append_new(arr, json_pack("{s:s, s:s}", "rule", f.v[i].code, "message", f.v[i].msg));
        snprintf(msg, sizeof(msg), "%s %s refused: %s [rule %s]", o->partner, o->po_number,
                 f.n ? f.v[0].msg : err.msg, f.n ? f.v[0].code : "?");
        reply(rs, 409, json_pack("{s:s, s:o}", "error", msg, "refusals", arr));
    } else if (rc < 0) {
        gw_server_error(rs, rc == EDI_ENOTFOUND || rc == EDI_ECONFIG ? 409 : 503, err.msg);
    } else {
        struct gw_order *now = NULL;

        gw_store_get_order_by_id(&now, c.store, o->id, &err);
        reply(rs, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "partner", o->partner, "po_number", o->po_number,
                                 "decision", reject ? "rejected" : "approved", "state",
                                 now ? now->state : (reject ? GW_ORDER_REJECTED : GW_ORDER_APPROVED), "next",
                                 "the ack run queues the 855"));
        gw_order_free(now);
    }
    edi_findings_dispose(&f);
    gw_ctx_close(&c);
out:
    json_decref(body);
    gw_users_free(u, 1);
    gw_orders_free(v, n);
    gw_store_close(s);
}

/* ---- documents ------------------------------------------------------------------ */

static void redact_document(json_t *j, const struct gw_user *u, const struct gw_config *cfg, const char *partner);

/* The workspace's configuration for a request's reading, until
 * config_done: the daemon's (read-locked: a reload waits for the request),
 * or without one, wharf.xml read now. NULL when there is none or it cannot
 * be read: everything is hidden from viewers then. */
static const struct gw_config *config_of(const struct gw_api *a)
{
    struct gw_config *cfg = NULL;
    struct edi_err err;

    if (a->ref)
        return gw_cfg_ref_hold(a->ref);
    edi_err_clear(&err);
    if (gw_config_load(&cfg, a->workspace, a->schemas, a->mappings, &err) < 0) {
        gw_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void config_done(const struct gw_api *a, const struct gw_config *cfg)
{
    if (a->ref)
        gw_cfg_ref_release(a->ref);
    else
        gw_config_free((struct gw_config *)cfg);
}

static const char *const document_states[] = {"accepted", "rejected", "duplicate-ship-id", "queued", "sent",
                                              NULL};

/* since=: YYYY-MM-DD (UTC midnight) or Unix seconds; -1 when neither. */
static time_t since_of(const char *v)
{
    struct tm tm;
    char *end;
    unsigned long long t;

    if (strlen(v) == 10 && v[4] == '-' && v[7] == '-') {
        memset(&tm, 0, sizeof(tm));
        if ((end = strptime(v, "%Y-%m-%d", &tm)) == NULL || *end != '\0')
            return -1;
        return timegm(&tm);
    }
    t = strtoull(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || t > (unsigned long long)INT32_MAX * 4)
        return -1;
    return (time_t)t;
}


static void on_documents(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    char state[40], kind[16], partner[80], since[24], about[24];
    int hs, hk, hp, hn, ha, rc;
    struct gw_document *v = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    unsigned long long limit;
    int64_t from, of = 0;
    time_t t0 = 0;
    size_t n = 0, i, k;

    if ((hs = query(rq, "state", state, sizeof(state), rs)) < 0 || (hk = query(rq, "type", kind, sizeof(kind), rs)) < 0 ||
        (hp = query(rq, "partner", partner, sizeof(partner), rs)) < 0 ||
        (hn = query(rq, "since", since, sizeof(since), rs)) < 0 ||
        (ha = query(rq, "about", about, sizeof(about), rs)) < 0 || page_of(rq, &limit, &from, rs) < 0)
        return;
    if (hs && !state_ok(document_states, state, rs))
        return;
    if (hn && (t0 = since_of(since)) < 0) {
        gw_server_error(rs, 400, "since= is a date YYYY-MM-DD (UTC) or Unix seconds");
        return;
    }
    if (ha && ((of = id_of(about, strlen(about))) == 0 || from != 0)) {
        gw_server_error(rs, 400, of == 0 ? "about= is a document's id" : "about= answers one page: no after=");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        edi_err_clear(&err);
        /* about=: the documents about that one (it comes too: dropped below) */
        rc = ha ? gw_store_documents(&v, &n, s, hp ? partner : NULL, hk ? kind : NULL, hs ? state : NULL, of,
                                     (size_t)limit + 1, &err)
                : gw_store_document_page(&v, &n, s, hp ? partner : NULL, hk ? kind : NULL, hs ? state : NULL, t0,
                                         from, (size_t)limit + 1, &err);
        if (rc < 0)
            gw_server_error(rs, 503, err.msg);
        else {
            json_t *j = json_object(), *arr = json_array();

            const struct gw_config *cfg = config_of(a);

            for (i = k = 0; i < n && k < limit; i++)
                if (!ha || (v[i].id != of && v[i].created >= t0)) {
                    json_t *d = gw_document_json(s, &v[i]);

                    redact_document(d, u, cfg, v[i].partner);
                    json_array_append_new(arr, d);
                    k++;
                }
            config_done(a, cfg);
            json_object_set_new(j, "documents", arr);
            json_object_set_new(j, "next", !ha && n > limit ? json_integer((json_int_t)v[limit - 1].id)
                                                            : json_null());
            reply(rs, 200, j);
        }
        gw_documents_free(v, n);
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

/* 1 when partner is a Direct Fulfillment partner of the workspace (its
 * files carry consumers' personal data); an unreadable wharf.xml counts
 * as 1: nothing is shown that might be personal. */
/* 1 when u, a viewer, must not see the personal data partner's texts and
 * files may quote (a DF partner, or one cfg does not know; cfg NULL: any). */
int gw_api_hides(const struct gw_user *u, const struct gw_config *cfg, const char *partner)
{
    const struct gw_partner *p;

    if (strcmp(u->role, "operator") == 0)
        return 0;
    p = cfg && partner ? gw_config_partner(cfg, partner) : NULL;
    return p == NULL || p->program == NULL || strcmp(p->program, "DF") == 0;
}

/* gw_api_hides under the daemon's configuration */
static int hides(const struct gw_api *a, const struct gw_user *u, const char *partner)
{
    const struct gw_config *cfg = config_of(a);
    int r = gw_api_hides(u, cfg, partner);

    config_done(a, cfg);
    return r;
}

/* The string field key of j redacted (gw_api_redact), when it is one. */
static void redact_field(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    char *r;

    if (!json_is_string(v))
        return;
    r = gw_api_redact(json_string_value(v));
    json_object_set_new(j, key, json_string(r));
    free(r);
}

/* SPEC: issue 17 — a document of a DF partner shown to a viewer: its
 * findings, the partner's reasons and its text hide what they quote. */
static void redact_document(json_t *j, const struct gw_user *u, const struct gw_config *cfg, const char *partner)
{
    if (!gw_api_hides(u, cfg, partner))
        return;
    redact_field(j, "findings");
    redact_field(j, "why");
    redact_field(j, "text");
}


static void on_document(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    const char *slash = strchr(rq->rest, '/'), *what = slash ? slash + 1 : "";
    int64_t id = id_of(rq->rest, slash ? (size_t)(slash - rq->rest) : strlen(rq->rest));
    struct gw_document *d = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    int rc;

    /* SPEC: issue 17 — by id only: no part of the path names a file */
    if (id <= 0 || (strcmp(what, "") != 0 && strcmp(what, "raw") != 0 && strcmp(what, "findings") != 0)) {
        gw_server_error(rs, 404, "not a document: " GW_API_PREFIX "documents/ID[/raw|/findings], ID a number");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL)
        goto out;
    edi_err_clear(&err);
    if ((rc = gw_store_document(&d, s, id, &err)) < 0) {
        gw_server_error(rs, rc == EDI_ENOTFOUND ? 404 : 503, err.msg);
        goto out;
    }
    if (strcmp(what, "raw") == 0) {
        char *bytes = NULL;
        size_t nb = 0;

        if (hides(a, u, d->partner)) {
            char msg[200];

            snprintf(msg, sizeof(msg), "document %lld is %s's: its file holds consumers' personal data, shown to "
                                       "operators only", (long long)id, d->partner);
            gw_server_error(rs, 403, msg);
        } else if ((rc = gw_store_document_raw(&bytes, &nb, s, id, &err)) < 0)
            gw_server_error(rs, rc == EDI_ENOTFOUND ? 404 : 503, err.msg);
        else {
            rs->status = 200;
            rs->content_type = "application/octet-stream";
            edi_buf_put(&rs->body, bytes, nb);
            add_header(rs, "Content-Disposition", "attachment");
        }
        free(bytes);
    } else if (strcmp(what, "findings") == 0) {
        json_t *arr = json_array();
        const struct gw_config *cfg = config_of(a);
        char *hidden = gw_api_hides(u, cfg, d->partner) && d->findings ? gw_api_redact(d->findings) : NULL;
        const char *p = hidden ? hidden : d->findings;

        /* one finding a line, as `wharf documents` prints them */
        while (p && *p) {
            size_t k = strcspn(p, "\n");

            if (k > 0)
                json_array_append_new(arr, json_stringn(p, k));
            p += k;
            if (*p)
                p++;
        }
        free(hidden);
        config_done(a, cfg);
        reply(rs, 200, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id, "state", d->state ? d->state : "",
                                 "findings", arr));
    } else {
        const struct gw_config *cfg = config_of(a);
        json_t *j = gw_document_json(s, d);
        char *verdict = NULL;
        int64_t file = 0;

        redact_document(j, u, cfg, d->partner);
        config_done(a, cfg);
        /* the file it came in, and what became of that file (the console
         * offers a reprocess only for a quarantined one) */
        if (gw_store_document_file(&file, &verdict, s, id, &err) == 0)
            json_object_set_new(j, "file", json_pack("{s:I, s:s?}", "id", (json_int_t)file, "verdict", verdict));
        else
            json_object_set_new(j, "file", json_null());
        free(verdict);
        reply(rs, 200, j);
    }
out:
    gw_documents_free(d, d ? 1 : 0);
    gw_users_free(u, 1);
    gw_store_close(s);
}

/* ---- runs ------------------------------------------------------------------------ */

static const char *const run_states[] = {"running", "done", "failed", NULL};

static void on_runs(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    char state[40];
    struct gw_run *v = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    unsigned long long limit;
    int64_t after;
    size_t n = 0, i;
    int hs;

    if ((hs = query(rq, "state", state, sizeof(state), rs)) < 0 || page_of(rq, &limit, &after, rs) < 0)
        return;
    if (hs && !state_ok(run_states, state, rs))
        return;
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        edi_err_clear(&err);
        if (gw_store_run_page(&v, &n, s, hs ? state : NULL, after, (size_t)limit + 1, &err) < 0)
            gw_server_error(rs, 503, err.msg);
        else {
            json_t *j = json_object(), *arr = json_array();

            for (i = 0; i < n && i < limit; i++)
                json_array_append_new(arr, gw_run_json(&v[i]));
            json_object_set_new(j, "runs", arr);
            json_object_set_new(j, "next", n > limit ? json_integer((json_int_t)v[limit - 1].id) : json_null());
            reply(rs, 200, j);
        }
        gw_runs_free(v, n);
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

/* ---- shipments and invoices --------------------------------------------------------- */

static const char *const shipment_states[] = {"queued", "replaced", "floor-denial", NULL};
static const char *const invoice_states[] = {GW_INV_HELD, GW_INV_QUEUED, GW_INV_SENT, GW_INV_ACCEPTED,
                                             GW_INV_REJECTED, GW_INV_PAID, GW_INV_IN_PROGRESS,
                                             GW_INV_PARTIALLY_PAID, GW_INV_DEDUCTED, GW_INV_PARTIALLY_DEDUCTED,
                                             NULL};

/* GET shipments and invoices: a page, newest first, each as the CLI's
 * `list --json` says it, with its row id (what .../ID takes). */
static void on_list(struct gw_api *a, int invoices, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    char state[40], partner[80];
    struct gw_shipment **sv = NULL;
    struct gw_invoice **iv = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    unsigned long long limit;
    int64_t after;
    size_t n = 0, i;
    int hs, hp, rc;

    if ((hs = query(rq, "state", state, sizeof(state), rs)) < 0 ||
        (hp = query(rq, "partner", partner, sizeof(partner), rs)) < 0 || page_of(rq, &limit, &after, rs) < 0)
        return;
    if (hs && !state_ok(invoices ? invoice_states : shipment_states, state, rs))
        return;
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        edi_err_clear(&err);
        rc = invoices ? gw_store_invoice_page(&iv, &n, s, hs ? state : NULL, hp ? partner : NULL, after,
                                              (size_t)limit + 1, &err)
                      : gw_store_shipment_page(&sv, &n, s, hs ? state : NULL, hp ? partner : NULL, after,
                                               (size_t)limit + 1, &err);
        if (rc < 0)
            gw_server_error(rs, 503, err.msg);
        else {
            json_t *j = json_object(), *arr = json_array();
            int64_t last = 0;

            for (i = 0; i < n && i < limit; i++) {
                json_t *o = invoices ? gw_invoice_json(iv[i]) : gw_shipment_json(sv[i], 0);

                last = invoices ? iv[i]->id : sv[i]->id;
                json_object_set_new(o, "id", json_integer((json_int_t)last));
                json_array_append_new(arr, o);
            }
            json_object_set_new(j, invoices ? "invoices" : "shipments", arr);
            json_object_set_new(j, "next", n > limit ? json_integer((json_int_t)last) : json_null());
            reply(rs, 200, j);
        }
        gw_shipments_free(sv, invoices ? 0 : n);
        gw_invoices_free(iv, invoices ? n : 0);
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

static void on_shipments(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    on_list(arg, 0, rq, rs);
}

static void on_invoices(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    on_list(arg, 1, rq, rs);
}

/* A DF shipment's or invoice's canonical document names the consumer:
 * operators only. */
static void hide_canonical(json_t *j, const struct gw_user *u, const char *program)
{
    /* SPEC: issue 17 — a DF consumer's personal data: operators only */
    if (strcmp(u->role, "operator") != 0 && program && strcmp(program, "DF") == 0) {
        json_object_del(j, "canonical");
        json_object_set_new(j, "personal_data", json_string("hidden: operators only"));
    }
}

/* GET shipments/ID and invoices/ID (row ids, as the pages give them):
 * what `wharf shipments|invoices show --json` says. */
static void on_one(struct gw_api *a, int invoice, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    int64_t id = id_of(rq->rest, strlen(rq->rest));
    struct gw_shipment *sh = NULL;
    struct gw_invoice *inv = NULL;
    struct gw_history *h = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    size_t nh = 0, k;
    char msg[80];
    int rc;

    if (id <= 0) {
        gw_server_error(rs, 404, invoice
                                     ? "not an invoice: " GW_API_PREFIX "invoices/ID, ID a number (\"id\" of the list)"
                                     : "not a shipment: " GW_API_PREFIX "shipments/ID, ID a number (\"id\" of the list)");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL)
        goto out;
    edi_err_clear(&err);
    rc = invoice ? gw_store_get_invoice(&inv, s, NULL, NULL, id, &err)
                 : gw_store_get_shipment(&sh, s, NULL, NULL, id, &err);
    if (rc == 0 && invoice)
        rc = gw_store_invoice_history(&h, &nh, s, inv->id, &err);
    if (rc == EDI_ENOTFOUND) {
        snprintf(msg, sizeof(msg), "no %s %lld", invoice ? "invoice" : "shipment", (long long)id);
        gw_server_error(rs, 404, msg);
    } else if (rc < 0)
        gw_server_error(rs, 503, err.msg);
    else if (invoice) {
        json_t *j = gw_invoice_json(inv), *arr = json_array();

        json_object_set_new(j, "id", json_integer((json_int_t)inv->id));
        for (k = 0; k < nh; k++)
            json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "at", (json_int_t)h[k].at, "state",
                                                 h[k].state ? h[k].state : "", "what", h[k].what ? h[k].what : ""));
        json_object_set_new(j, "history", arr);
        json_object_set_new(j, "canonical", json_string(inv->canonical ? inv->canonical : ""));
        hide_canonical(j, u, inv->program);
        reply(rs, 200, j);
    } else {
        json_t *j = gw_shipment_json(sh, 1);

        json_object_set_new(j, "id", json_integer((json_int_t)sh->id));
        hide_canonical(j, u, sh->program);
        reply(rs, 200, j);
    }
    gw_history_free(h, nh);
    gw_invoice_free(inv);
    gw_shipment_free(sh);
out:
    gw_users_free(u, 1);
    gw_store_close(s);
}

static void on_shipment(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    on_one(arg, 0, rq, rs);
}

static void on_invoice(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    on_one(arg, 1, rq, rs);
}

/* ---- ERP connectors ------------------------------------------------------------------ */

/* GET erp and erp/ID: what `wharf erp status [ID] --json` says. */
static void on_erp(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct gw_ctx c;
    struct edi_err err;
    char id[80], msg[160];
    json_t *j = NULL;
    size_t held;

    id[0] = '\0';
    if (rq->rest && rq->rest[0] != '\0' && gw_api_segment(rq->rest, strlen(rq->rest), id, sizeof(id)) != 1) {
        gw_server_error(rs, 404, "not an ERP: " GW_API_PREFIX "erp[/ID]");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    u = who(a, s, rq, rs);
    gw_store_close(s);
    if (u == NULL || ctx_open(&c, a, rs) < 0) {
        gw_users_free(u, 1);
        return;
    }
    edi_err_clear(&err);
    if (id[0] && gw_config_erp(c.cfg, id) == NULL) {
        snprintf(msg, sizeof(msg), "wharf.xml has no <erp id=\"%s\">", id);
        gw_server_error(rs, 404, msg);
    } else if (gw_erp_status_json(&j, &held, &c, id[0] ? id : NULL, &err) < 0)
        gw_server_error(rs, 503, err.msg);
    else {
        json_t *e, *m;
        size_t k, i;

        /* SPEC: issue 17 — an ERP's words about a DF order may quote the consumer */
        json_array_foreach(json_object_get(j, "erps"), k, e)
            json_array_foreach(json_object_get(e, "messages"), i, m)
                if (gw_api_hides(u, c.cfg, json_string_value(json_object_get(m, "partner"))))
                    redact_field(m, "error");
        reply(rs, 200, j);
    }
    gw_ctx_close(&c);
    gw_users_free(u, 1);
}

/* ---- quarantine and reprocess (issue 17) ------------------------------------------------- */

/* 1 when u is an operator; else 0 with rs answered 403 saying what for. */
static int operator_only(const struct gw_user *u, const char *what, struct gw_server_resp *rs)
{
    char msg[200];

    if (strcmp(u->role, "operator") == 0)
        return 1;
    snprintf(msg, sizeof(msg), "only operators %s; %s is a %s", what, u->name, u->role);
    gw_server_error(rs, 403, msg);
    return 0;
}

/* GET quarantine?partner=&limit=&after=: the quarantined inbound files,
 * newest first, each with what became of its reprocess. */
static void on_quarantine(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    struct gw_quarantined *v = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    unsigned long long limit;
    int64_t after;
    char partner[80];
    size_t n = 0, i;
    int hp;

    if ((hp = query(rq, "partner", partner, sizeof(partner), rs)) < 0 || page_of(rq, &limit, &after, rs) < 0)
        return;
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) != NULL) {
        edi_err_clear(&err);
        if (gw_store_quarantine_page(&v, &n, s, hp ? partner : NULL, after, (size_t)limit + 1, &err) < 0)
            gw_server_error(rs, 503, err.msg);
        else {
            const struct gw_config *cfg = config_of(a);
            json_t *j = json_object(), *arr = json_array();

            for (i = 0; i < n && i < limit; i++) {
                json_t *q = gw_quarantined_json(s, &v[i]);

                /* SPEC: issue 17 — a DF file's reason quotes what it holds */
                if (gw_api_hides(u, cfg, v[i].partner))
                    redact_field(q, "reason");
                json_array_append_new(arr, q);
            }
            config_done(a, cfg);
            json_object_set_new(j, "files", arr);
            json_object_set_new(j, "next", n > limit ? json_integer((json_int_t)v[limit - 1].id) : json_null());
            reply(rs, 200, j);
        }
        gw_quarantined_free(v, n);
        gw_users_free(u, 1);
    }
    gw_store_close(s);
}

/* GET quarantine/ID/raw: the quarantined file's bytes (a DF partner's:
 * operators only). */
static void on_quarantined_raw(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    const char *slash = strchr(rq->rest, '/');
    int64_t id = slash ? id_of(rq->rest, (size_t)(slash - rq->rest)) : 0;
    struct gw_store *s = NULL;
    struct gw_raw *r = NULL;
    struct gw_user *u;
    struct edi_err err;
    char msg[200];
    int rc;

    if (id <= 0 || strcmp(slash, "/raw") != 0) {
        gw_server_error(rs, 404, "not a quarantined file: " GW_API_PREFIX "quarantine/ID/raw, ID a number");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL)
        goto out;
    edi_err_clear(&err);
    if ((rc = gw_store_get_raw(&r, s, id, &err)) < 0 && rc != EDI_ENOTFOUND)
        gw_server_error(rs, 503, err.msg);
    else if (r == NULL || strcmp(r->direction, "in") != 0 || r->verdict == NULL ||
             strcmp(r->verdict, "quarantined") != 0) {
        snprintf(msg, sizeof(msg), "no quarantined file #%lld", (long long)id);
        gw_server_error(rs, 404, msg);
    } else if (hides(a, u, r->partner)) {
        snprintf(msg, sizeof(msg), "file #%lld is %s's: it holds consumers' personal data, shown to operators only",
                 (long long)id, r->partner);
        gw_server_error(rs, 403, msg);
    } else {
        rs->status = 200;
        rs->content_type = "application/octet-stream";
        edi_buf_put(&rs->body, r->bytes, r->n);
        add_header(rs, "Content-Disposition", "attachment");
    }
    gw_raw_free(r);
out:
    gw_users_free(u, 1);
    gw_store_close(s);
}

/* 1 (rs answered 409) when document id is a set rejected on its own in
 * file, a file that was accepted: SPEC: issue 17 — its 997 (AK5 R) told
 * the partner the set was refused, so the partner sends it again
 * corrected; taking the old one in now would make an order the partner
 * believes refused. Only whole quarantined files are reprocessed. */
static int set_rejected(struct gw_store *s, int64_t id, int64_t file, const char *verdict, struct gw_server_resp *rs)
{
    struct gw_document *d = NULL;
    struct edi_err err;
    int refused = 0;

    edi_err_clear(&err);
    if (verdict && strcmp(verdict, "archived") == 0 && gw_store_document(&d, s, id, &err) == 0 && d->state &&
        strcmp(d->state, "rejected") == 0) {
        char msg[300];

        snprintf(msg, sizeof(msg),
                 "document %lld was rejected in the acknowledgment of file #%lld, which was accepted: the "
                 "partner was told and sends a corrected one; only a quarantined file is reprocessed",
                 (long long)id, (long long)file);
        gw_server_error(rs, 409, msg);
        refused = 1;
    }
    gw_documents_free(d, d ? 1 : 0);
    return refused;
}

/* POST quarantine/ID/reprocess and documents/ID/reprocess (the file the
 * document came in): `wharf reprocess ID`, for operators. */
static void reprocess(struct gw_api *a, int document, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    const char *slash = strchr(rq->rest, '/');
    int64_t id = slash ? id_of(rq->rest, (size_t)(slash - rq->rest)) : 0;
    struct gw_reprocessed r;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct gw_ctx c;
    struct edi_err err;
    char actor[100], *verdict = NULL;
    int64_t file = id;
    int rc;

    if (id <= 0 || strcmp(slash, "/reprocess") != 0) {
        gw_server_error(rs, 404, document ? "a document takes POST " GW_API_PREFIX "documents/ID/reprocess"
                                          : "a quarantined file takes POST " GW_API_PREFIX "quarantine/ID/reprocess");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL || !operator_only(u, "reprocess files", rs))
        goto out;
    edi_err_clear(&err);
    if (document && (rc = gw_store_document_file(&file, &verdict, s, id, &err)) < 0) {
        gw_server_error(rs, rc == EDI_ENOTFOUND ? 404 : 503, err.msg);
        goto out;
    }
    if (document && set_rejected(s, id, file, verdict, rs))
        goto out;
    gw_store_close(s);
    s = NULL;
    if (ctx_open(&c, a, rs) < 0)
        goto out;
    snprintf(actor, sizeof(actor), "%s (api)", u->name);
    if ((rc = gw_reprocess(&r, &c, file, actor, &err)) < 0)
        gw_server_error(rs, rc == EDI_ENOTFOUND ? 404 : rc == EDI_ESYNTAX || rc == EDI_ECONFIG ? 409 : 503, err.msg);
    else
        reply(rs, 200, gw_reprocessed_json(&r));
    gw_reprocessed_dispose(&r);
    gw_ctx_close(&c);
out:
    free(verdict);
    gw_users_free(u, 1);
    gw_store_close(s);
}

static void on_quarantine_post(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    reprocess(arg, 0, rq, rs);
}

static void on_document_post(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    reprocess(arg, 1, rq, rs);
}

/* POST erp/messages/ID/retry: `wharf erp retry '#ID'` for a held or
 * failing message, for operators. */
static void on_erp_post(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs)
{
    struct gw_api *a = arg;
    const char *rest = rq->rest, *slash;
    struct gw_outbox_row *v = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u;
    struct edi_err err;
    const char *state = NULL;
    char msg[200], subject[32];
    int64_t id = 0;
    size_t n = 0, k;

    if (strncmp(rest, "messages/", 9) == 0 && (slash = strchr(rest + 9, '/')) != NULL &&
        strcmp(slash, "/retry") == 0)
        id = id_of(rest + 9, (size_t)(slash - rest - 9));
    if (id <= 0) {
        gw_server_error(rs, 404, "an ERP message takes POST " GW_API_PREFIX "erp/messages/ID/retry");
        return;
    }
    if (store_open(&s, a, rs) < 0)
        return;
    if ((u = who(a, s, rq, rs)) == NULL || !operator_only(u, "retry ERP messages", rs))
        goto out;
    edi_err_clear(&err);
    if (gw_store_outbox_list(&v, &n, s, GW_OUTBOX_ERP_API, &err) < 0) {
        gw_server_error(rs, 503, err.msg);
        goto out;
    }
    for (k = 0; k < n && v[k].id != id; k++)
        ;
    if (k < n)
        state = gw_erp_message_state(&v[k]);
    if (state == NULL) {
        snprintf(msg, sizeof(msg), "no ERP message #%lld (see GET " GW_API_PREFIX "erp)", (long long)id);
        gw_server_error(rs, 404, msg);
    } else if (strcmp(state, "held") != 0 && strcmp(state, "failing") != 0) {
        snprintf(msg, sizeof(msg), "ERP message #%lld is %s, not held or failing: nothing to retry", (long long)id,
                 state);
        gw_server_error(rs, 409, msg);
    } else if (gw_store_outbox_retry(s, id, time(NULL), &err) < 0)
        gw_server_error(rs, err.rc == EDI_ENOTFOUND ? 409 : 503, err.msg);
    else {
        gw_outbox_rows_free(v, n);
        v = NULL;
        n = 0;
        snprintf(subject, sizeof(subject), "#%lld", (long long)id);
        snprintf(msg, sizeof(msg), "%s (api)", u->name);
        gw_store_audit(s, msg, "erp retry", subject, NULL, time(NULL), &err);
        state = "pending";
        if (gw_store_outbox_list(&v, &n, s, GW_OUTBOX_ERP_API, &err) == 0)
            for (k = 0; k < n; k++)
                if (v[k].id == id)
                    state = gw_erp_message_state(&v[k]);
        reply(rs, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", state));
    }
out:
    gw_outbox_rows_free(v, n);
    gw_users_free(u, 1);
    gw_store_close(s);
}

/* ---- the API ----------------------------------------------------------------------- */

int gw_api_new(struct gw_api **out, const char *workspace, const char *store_path, const char *schemas_dir,
               const char *mappings_dir, struct edi_err *err)
{
    struct gw_api *a = edi_xcalloc(1, sizeof(*a));
    int rc;

    *out = NULL;
    /* what an unknown name is verified against: a hash of a random password */
    {
        char pw[GW_TOKEN_HEX];

        gw_pw_token(pw);
        if ((rc = gw_pw_hash(a->dummy, pw, strlen(pw), err)) < 0) {
            free(a);
            return rc;
        }
    }
    a->workspace = edi_xstrdup(workspace);
    a->store_path = edi_xstrdup(store_path);
    a->schemas = edi_xstrdup(schemas_dir);
    a->mappings = edi_xstrdup(mappings_dir);
    pthread_mutex_init(&a->lock, NULL);
    *out = a;
    return 0;
}

void gw_api_config(struct gw_api *a, struct gw_cfg_ref *ref)
{
    a->ref = ref;
}

void gw_api_free(struct gw_api *a)
{
    if (a == NULL)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a->workspace);
    free(a->store_path);
    free(a->schemas);
    free(a->mappings);
    free(a->console);
    free(a);
}

/* ---- lent to maps.c and today.c (internal.h) ------------------------------------------- */

struct gw_user *gw_api_who(const struct gw_api *a, struct gw_store *s, const struct gw_server_req *rq,
                           struct gw_server_resp *rs)
{
    return who(a, s, rq, rs);
}

void gw_api_reply(struct gw_server_resp *rs, int status, json_t *j)
{
    reply(rs, status, j);
}

int gw_api_store_open(struct gw_store **s, const struct gw_api *a, struct gw_server_resp *rs)
{
    return store_open(s, a, rs);
}

int gw_api_ctx_open(struct gw_ctx *c, const struct gw_api *a, struct gw_server_resp *rs)
{
    return ctx_open(c, a, rs);
}

const char *gw_api_workspace(const struct gw_api *a)
{
    return a->workspace;
}

const char *gw_api_schemas(const struct gw_api *a)
{
    return a->schemas;
}

const char *gw_api_mappings(const struct gw_api *a)
{
    return a->mappings;
}

void gw_api_console(struct gw_api *a, const char *dir)
{
    free(a->console);
    a->console = dir ? edi_xstrdup(dir) : NULL;
}

void gw_api_route(struct gw_api *a, struct gw_server *s, int tls)
{
    a->tls = tls;
    gw_console_route(s, a->console);
    gw_server_route(s, "GET", GW_API_PREFIX "session", 0, on_session, a);
    gw_server_route(s, "POST", GW_API_PREFIX "login", 0, on_login, a);
    gw_server_route(s, "POST", GW_API_PREFIX "logout", 0, on_logout, a);
    gw_server_route(s, "GET", GW_API_PREFIX "status", 0, on_status, a);
    gw_server_route(s, "GET", GW_API_PREFIX "orders", 0, on_orders, a);
    gw_server_route(s, "GET", GW_API_PREFIX "orders/", 0, on_order, a);
    gw_server_route(s, "POST", GW_API_PREFIX "orders/", 0, on_decide, a);
    gw_server_route(s, "GET", GW_API_PREFIX "documents", 0, on_documents, a);
    gw_server_route(s, "GET", GW_API_PREFIX "documents/", 0, on_document, a);
    gw_server_route(s, "GET", GW_API_PREFIX "runs", 0, on_runs, a);
    gw_server_route(s, "GET", GW_API_PREFIX "erp", 0, on_erp, a);
    gw_server_route(s, "GET", GW_API_PREFIX "shipments", 0, on_shipments, a);
    gw_server_route(s, "GET", GW_API_PREFIX "shipments/", 0, on_shipment, a);
    gw_server_route(s, "GET", GW_API_PREFIX "invoices", 0, on_invoices, a);
    gw_server_route(s, "GET", GW_API_PREFIX "invoices/", 0, on_invoice, a);
    gw_server_route(s, "GET", GW_API_PREFIX "erp/", 0, on_erp, a);
    gw_api_maps_route(a, s);
    /* reprocess and retry (issue 17) */
    gw_server_route(s, "GET", GW_API_PREFIX "quarantine", 0, on_quarantine, a);
    gw_server_route(s, "GET", GW_API_PREFIX "quarantine/", 0, on_quarantined_raw, a);
    gw_server_route(s, "POST", GW_API_PREFIX "quarantine/", 0, on_quarantine_post, a);
    gw_server_route(s, "POST", GW_API_PREFIX "documents/", 0, on_document_post, a);
    gw_server_route(s, "POST", GW_API_PREFIX "erp/", 0, on_erp_post, a);
}
