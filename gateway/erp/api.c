/*
 * api.c — what the API ERP connectors share (api.h).
 */
#include "gateway/erp/api.h"
#include "gateway/docs/mapdoc.h"
#include "mappings/map.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_api_open(struct gw_api *a, struct gw_ctx *c, const struct gw_erp_conf *conf, const char *who,
                const char *dflt, struct edi_err *err)
{
    struct gw_http_opts o;
    char key[4200];
    size_t n;
    int rc;

    memset(a, 0, sizeof(*a));
    a->c = c;
    a->conf = conf;
    a->who = who;
    if (edi_fmt(a->endpoint, sizeof(a->endpoint), err, "%s", conf->endpoint ? conf->endpoint : dflt) < 0)
        return edi_fail(err, EDI_ECONFIG, "<erp id=\"%s\">: the endpoint is too long", conf->id);
    for (n = strlen(a->endpoint); n > 0 && a->endpoint[n - 1] == '/'; n--)
        a->endpoint[n - 1] = '\0';
    memset(&o, 0, sizeof(o));
    o.ca_file = conf->ca_file;
    o.timeout_ms = 60000;
    o.client = "erp";
    o.target = conf->id;
    if ((rc = gw_vault_key_path(key, sizeof(key), c->cfg->workspace, err)) < 0 ||
        (rc = gw_vault_open(&a->vault, c->store, key, err)) < 0)
        return rc;
    if ((rc = gw_http_new(&a->http, c, &o, err)) < 0) {
        gw_vault_close(a->vault);
        a->vault = NULL;
    }
    return rc;
}

void gw_api_close(struct gw_api *a)
{
    if (a->http)
        gw_http_free(a->http);
    if (a->vault)
        gw_vault_close(a->vault);
    explicit_bzero(a->token, sizeof(a->token));
    a->http = NULL;
    a->vault = NULL;
}

int gw_api_secret(struct gw_api *a, const char *name, struct gw_secret **s, struct edi_err *err)
{
    int rc = gw_vault_get(a->vault, a->conf->id, name, s, err);

    if (rc == EDI_ENOTFOUND)
        return edi_fail(err, EDI_ECONFIG,
                        "ERP %s (%s): no %s in the vault: `wharf secrets set %s %s` (the value on standard "
                        "input), or `wharf erp connect %s`",
                        a->conf->id, a->who, name, a->conf->id, name, a->conf->id);
    return rc;
}

void gw_api_base64(struct edi_buf *out, const void *p, size_t n)
{
    size_t need = 4 * ((n + 2) / 3) + 1;
    unsigned char *tmp = edi_xmalloc(need);
    int k = EVP_EncodeBlock(tmp, p, (int)n);

    edi_buf_put(out, tmp, (size_t)k);
    explicit_bzero(tmp, need);
    free(tmp);
}

/* The token kept in the vault ("EXPIRY TOKEN"), when it has a minute left. */
static void token_kept(struct gw_api *a, const struct gw_api_oauth *o)
{
    struct gw_secret *s = NULL;
    struct edi_err e;
    char *sp;
    long long until;

    if (o->access == NULL || gw_vault_get(a->vault, a->conf->id, o->access, &s, &e) < 0)
        return;
    until = strtoll(s->p, &sp, 10);
    if (sp && *sp == ' ' && until > (long long)a->c->now + 60 && strlen(sp + 1) < sizeof(a->token)) {
        snprintf(a->token, sizeof(a->token), "%s", sp + 1);
        a->token_until = (time_t)until;
    }
    gw_secret_free(s);
}

/* Posts the token request form; on 200 keeps the access token (vault and
 * a->token) and, when one came, the new refresh token, sealed first. */
static int token_request(struct gw_api *a, const struct gw_api_oauth *o, struct edi_buf *form, struct edi_err *err)
{
    struct gw_secret *id = NULL, *secret = NULL;
    struct gw_http_header h[2] = {{"accept", "application/json"}, {"authorization", NULL}};
    struct edi_buf basic, auth;
    struct gw_http_req rq;
    struct gw_http_resp rs;
    json_t *j = NULL;
    const char *tok, *refresh;
    json_int_t ttl;
    int rc;

    if ((rc = gw_api_secret(a, o->client_id, &id, err)) < 0)
        return rc;
    /* a client secret only when the app has one (Brightpearl's is optional) */
    if (o->client_secret && (rc = gw_vault_get(a->vault, a->conf->id, o->client_secret, &secret, err)) < 0 &&
        rc != EDI_ENOTFOUND) {
        gw_secret_free(id);
        return rc;
    }
    edi_buf_init(&basic, 0);
    edi_buf_init(&auth, 0);
    if (o->basic) {
        edi_buf_printf(&basic, "%s:%s", id->p, secret ? secret->p : "");
        edi_buf_puts(&auth, "Basic ");
        gw_api_base64(&auth, basic.p, basic.n);
        h[1].value = edi_buf_cstr(&auth);
    } else {
        gw_http_query(form, "client_id", id->p);
        if (secret)
            gw_http_query(form, "client_secret", secret->p);
    }
    if (o->extra_name)
        gw_http_query(form, o->extra_name, o->extra_value);
    gw_secret_free(id);
    gw_secret_free(secret);
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.url = o->url;
    rq.headers = h;
    rq.nheaders = o->basic ? 2 : 1;
    rq.body = form->p;
    rq.nbody = form->n;
    rq.content_type = "application/x-www-form-urlencoded";
    rc = gw_http_do(a->http, &rq, &rs, err);
    /* nothing to clear when the client went in the form (Brightpearl) */
    if (basic.p)
        explicit_bzero(basic.p, basic.cap);
    if (auth.p)
        explicit_bzero(auth.p, auth.cap);
    edi_buf_dispose(&basic);
    edi_buf_dispose(&auth);
    if (rc < 0) {
        gw_http_resp_free(&rs);
        return rc;
    }
    j = rs.body ? json_loadb(rs.body, rs.nbody, 0, NULL) : NULL;
    if (rs.body)
        explicit_bzero(rs.body, rs.nbody);
    if (rs.status != 200) {
        const char *e = json_string_value(json_object_get(j, "error"));

        rc = rs.status == 400 || rs.status == 401
                 ? edi_fail(err, EDI_ECONFIG,
                            "ERP %s: %s refused the token request (%s): run `wharf erp connect %s` again",
                            a->conf->id, a->who, e && strlen(e) < 64 ? e : "no reason given", a->conf->id)
                 : edi_fail(err, EDI_EAGAIN, "ERP %s: %s's token endpoint answered %ld", a->conf->id, a->who,
                            rs.status);
        json_decref(j);
        gw_http_resp_free(&rs);
        return rc;
    }
    gw_http_resp_free(&rs);
    tok = json_string_value(json_object_get(j, "access_token"));
    refresh = json_string_value(json_object_get(j, "refresh_token"));
    ttl = json_integer_value(json_object_get(j, "expires_in"));
    if (tok == NULL || strlen(tok) >= sizeof(a->token)) {
        json_decref(j);
        return edi_fail(err, EDI_EAGAIN, "ERP %s: %s's token answer has no access token", a->conf->id, a->who);
    }
    /* SPEC: research/erp-as2.md 2.1 — the refresh token may rotate: the
     * newest is sealed before the access token is used, so a crash never
     * leaves the vault with a token the ERP has retired */
    if (refresh && *refresh &&
        (rc = gw_vault_set(a->vault, a->conf->id, o->refresh, refresh, strlen(refresh), a->c->now, err)) < 0) {
        json_decref(j);
        return rc;
    }
    snprintf(a->token, sizeof(a->token), "%s", tok);
    a->token_until = a->c->now + (ttl > 0 && ttl < 86400 * 30 ? (time_t)ttl : 3600);
    if (o->access) {
        struct edi_buf kept;
        struct edi_err e2;

        edi_buf_init(&kept, 0);
        edi_buf_printf(&kept, "%lld %s", (long long)a->token_until, a->token);
        if (gw_vault_set(a->vault, a->conf->id, o->access, kept.p, kept.n, a->c->now, &e2) < 0)
            gw_log(a->c, "warn", "ERP %s: the access token is not kept: %s", a->conf->id, e2.msg);
        explicit_bzero(kept.p, kept.cap);
        edi_buf_dispose(&kept);
    }
    explicit_bzero((char *)tok, strlen(tok));
    if (refresh)
        explicit_bzero((char *)refresh, strlen(refresh));
    json_decref(j);
    return 0;
}

int gw_api_token(struct gw_api *a, const struct gw_api_oauth *o, struct edi_err *err)
{
    struct gw_secret *refresh = NULL;
    struct edi_buf form;
    int rc;

    if (!a->token[0])
        token_kept(a, o);
    if (a->token[0] && a->c->now < a->token_until - 60)
        return 0;
    if ((rc = gw_api_secret(a, o->refresh, &refresh, err)) < 0)
        return rc;
    edi_buf_init(&form, 0);
    gw_http_query(&form, "grant_type", "refresh_token");
    gw_http_query(&form, "refresh_token", refresh->p);
    gw_secret_free(refresh);
    rc = token_request(a, o, &form, err);
    explicit_bzero(form.p, form.cap);
    edi_buf_dispose(&form);
    return rc;
}

void gw_api_token_drop(struct gw_api *a, const struct gw_api_oauth *o)
{
    struct edi_err e;

    explicit_bzero(a->token, sizeof(a->token));
    a->token_until = 0;
    if (o->access)
        gw_vault_delete(a->vault, a->conf->id, o->access, &e);
}

int gw_api_authorize_url(struct gw_api *a, struct edi_buf *url, const char *client_secret_name,
                         const char *scope, const char *redirect_uri, const char *state,
                         struct edi_err *err)
{
    struct gw_secret *id = NULL;
    int rc;

    if ((rc = gw_api_secret(a, client_secret_name, &id, err)) < 0)
        return rc;
    gw_http_query(url, "response_type", "code");
    gw_http_query(url, "client_id", id->p);
    if (scope)
        gw_http_query(url, "scope", scope);
    gw_http_query(url, "redirect_uri", redirect_uri);
    gw_http_query(url, "state", state);
    gw_secret_free(id);
    return 0;
}

int gw_api_token_from_code(struct gw_api *a, const struct gw_api_oauth *o, const char *code,
                           const char *redirect_uri, struct edi_err *err)
{
    struct edi_buf form;
    int rc;

    edi_buf_init(&form, 0);
    gw_http_query(&form, "grant_type", "authorization_code");
    gw_http_query(&form, "code", code);
    gw_http_query(&form, "redirect_uri", redirect_uri);
    rc = token_request(a, o, &form, err);
    explicit_bzero(form.p, form.cap);
    edi_buf_dispose(&form);
    return rc;
}

int gw_api_call(struct gw_api *a, const char *method, const char *url, const struct gw_http_header *h,
                size_t nh, const char *body, size_t n, struct gw_http_resp *rs, json_t **out,
                struct edi_err *err)
{
    struct gw_http_req rq;
    int rc;

    *out = NULL;
    memset(&rq, 0, sizeof(rq));
    rq.method = method;
    rq.url = url;
    rq.headers = h;
    rq.nheaders = nh;
    rq.body = body;
    rq.nbody = n;
    rq.content_type = body ? "application/json" : NULL;
    if ((rc = gw_http_do(a->http, &rq, rs, err)) < 0)
        return rc;
    if (rs->body && rs->nbody)
        *out = json_loadb(rs->body, rs->nbody, 0, NULL);
    return 0;
}

int gw_api_rc_of(long status)
{
    if (status >= 500 || status == 429 || status == 408)
        return EDI_EAGAIN;
    return status == 401 || status == 403 ? EDI_ECONFIG : EDI_ESYNTAX;
}

const char *gw_api_param(const struct gw_api *a, const char *name, const char *dflt)
{
    size_t i;

    for (i = 0; i < a->conf->nparams; i++)
        if (strcmp(a->conf->params[i].name, name) == 0)
            return a->conf->params[i].value;
    return dflt;
}

int gw_api_map(struct edi_buf *out, struct gw_api *a, const char *map, const char *partner,
               const struct map_param *extra, size_t nextra, const char *in, size_t n, int json,
               struct edi_err *err)
{
    const struct map_info *m;
    struct map_param params[48];
    struct map_run_opts opts;
    struct edi_findings fds;
    struct gw_cdoc *doc = NULL, *res = NULL;
    size_t np = 0, i;
    int rc;

    if ((rc = map_find(&m, a->c->maps, map, NULL, err)) < 0)
        return rc;
    params[np].name = "partner";
    params[np++].value = partner;
    for (i = 0; i < nextra && np < 47; i++)
        params[np++] = extra[i];
    for (i = 0; i < a->conf->nparams && np < 47; i++)
        params[np++] = a->conf->params[i];
    if ((rc = json ? gw_cdoc_json(&doc, in, n, err) : gw_cdoc_parse(&doc, in, n, "the document", err)) < 0)
        return rc;
    memset(&opts, 0, sizeof(opts));
    /* "" is no partner (Brightpearl's stock is the vendor's, not a
     * partner's): the installed and workspace code lists only */
    opts.partner = *partner ? partner : NULL;
    opts.params = params;
    opts.nparams = np;
    opts.now = a->c->now;
    edi_findings_init(&fds, 50);
    rc = gw_cdoc_map(&res, a->c->maps, m, doc, &opts, &fds, err);
    if (rc == EDI_ESYNTAX) {
        struct edi_buf why;

        edi_buf_init(&why, 0);
        for (i = 0; i < fds.n; i++)
            edi_buf_printf(&why, "%s%s", i ? "; " : "", fds.v[i].msg);
        edi_fail(err, EDI_ESYNTAX, "map %s: %s", map, fds.n ? edi_buf_cstr(&why) : "the input was refused");
        edi_buf_dispose(&why);
    }
    if (rc == 0)
        rc = gw_cdoc_render(out, res, 0, err);
    gw_cdoc_free(res);
    gw_cdoc_free(doc);
    edi_findings_dispose(&fds);
    return rc;
}

int gw_api_ref_get(char **v, struct gw_api *a, const char *name, struct edi_err *err)
{
    return gw_store_cursor_get(v, a->c->store, a->conf->id, name, err);
}

int gw_api_ref_copy(char *out, size_t cap, struct gw_api *a, const char *name, struct edi_err *err)
{
    char *v = NULL;
    int rc = gw_api_ref_get(&v, a, name, err);

    if (rc == 0 && v) {
        snprintf(out, cap, "%s", v);
        rc = 1;
    }
    free(v);
    return rc;
}

int gw_api_ref_set(struct gw_api *a, const char *name, const char *v, struct edi_err *err)
{
    return gw_store_cursor_set(a->c->store, a->conf->id, name, v, a->c->now, err);
}

int gw_api_name(char **copy, const char **kind, const char **partner, const char **id, const char *name,
                struct edi_err *err)
{
    char *s = edi_xstrdup(name ? name : ""), *p1 = strchr(s, ':'), *p2 = p1 ? strchr(p1 + 1, ':') : NULL;

    *copy = s;
    if (p1 == NULL || p2 == NULL)
        return edi_fail(err, EDI_ESYNTAX, "the message's name '%s' is not KIND:PARTNER:ID", s);
    *p1 = *p2 = '\0';
    *kind = s;
    *partner = p1 + 1;
    *id = p2 + 1;
    return 0;
}
