/*
 * api.h — what the ERP connectors that talk to an API (Brightpearl,
 * QuickBooks Online) share: the HTTP client and the vault, OAuth 2.0
 * refresh with a rotating refresh token, the maps their payloads go
 * through, and what a connector remembers between runs (ids the ERP gave,
 * where its pulls got to).
 *
 * Secrets are the connector's (the vault's "partner" is the <erp id>), and
 * never leave the vault but for the request that needs them: not in the
 * log, not in an error. An access token is kept in the vault too, sealed,
 * with its expiry, so each run of `wharf run --once` does not spend a
 * refresh token.
 */
#ifndef WHARF_ERP_API_H
#define WHARF_ERP_API_H

#include "gateway/erp/erp.h"
#include "gateway/net/http.h"
#include "gateway/secret/vault.h"

#include <jansson.h>

struct gw_api {
    struct gw_ctx *c;
    const struct gw_erp_conf *conf;
    const char *who;           /* "Brightpearl": in messages */
    char endpoint[1800];       /* <erp endpoint>, else the ERP's own, without a trailing '/' */
    struct gw_http *http;
    struct gw_vault *vault;
    char token[4096];          /* the access token, "" when none */
    time_t token_until;
};

/* How an ERP refreshes its access token (RFC 6749 section 6). The secrets
 * are named: client_id/client_secret (basic: sent as HTTP Basic, else in the
 * form), refresh (rotated: the newest is sealed in the vault before the
 * access token is used), access (where the access token and its expiry are
 * kept). extra: one more form field (Brightpearl's account_code). */
struct gw_api_oauth {
    const char *url;
    const char *client_id, *client_secret, *refresh, *access;
    int basic;
    const char *extra_name, *extra_value;
};

/* dflt: the ERP's own endpoint, when wharf.xml names none. */
int gw_api_open(struct gw_api *a, struct gw_ctx *c, const struct gw_erp_conf *conf, const char *who,
                const char *dflt, struct edi_err *err);
void gw_api_close(struct gw_api *a);

/* The connector's secret name; EDI_ECONFIG saying how to set it when the
 * vault has none. */
int gw_api_secret(struct gw_api *a, const char *name, struct gw_secret **s, struct edi_err *err);

/* An access token in a->token: the one kept while it has a minute left,
 * else a refresh. EDI_ECONFIG when the ERP refuses the refresh token (an
 * operator runs `wharf erp connect` again). */
int gw_api_token(struct gw_api *a, const struct gw_api_oauth *o, struct edi_err *err);
/* The token is refused (a 401): forgotten, so the next gw_api_token
 * refreshes. */
void gw_api_token_drop(struct gw_api *a, const struct gw_api_oauth *o);
/* `wharf erp connect`'s first step: the authorization URL the operator
 * opens, base (already holding its path) with response_type=code, the
 * client id (the vault's secret client_secret_name), scope when not NULL,
 * redirect_uri and state. */
int gw_api_authorize_url(struct gw_api *a, struct edi_buf *url, const char *client_secret_name,
                         const char *scope, const char *redirect_uri, const char *state,
                         struct edi_err *err);
/* `wharf erp connect`: an authorization code (with its redirect URI)
 * exchanged for tokens, which go to the vault. */
int gw_api_token_from_code(struct gw_api *a, const struct gw_api_oauth *o, const char *code,
                           const char *redirect_uri, struct edi_err *err);

/* One request; body (JSON) may be NULL. *status the HTTP status, *out the
 * parsed JSON body (NULL when none or not JSON; the caller's). EDI_EAGAIN
 * when no answer came (rs headers are left in *rs for throttling). */
int gw_api_call(struct gw_api *a, const char *method, const char *url, const struct gw_http_header *h,
                size_t nh, const char *body, size_t n, struct gw_http_resp *rs, json_t **out,
                struct edi_err *err);

/* What an ERP's HTTP status means for a message: EDI_EAGAIN (5xx, 429,
 * 408: later), EDI_ECONFIG (401, 403: the credentials, an operator's),
 * else EDI_ESYNTAX (the ERP refused this document: held). */
int gw_api_rc_of(long status);

/* Runs map on in (XML, or JSON when json is 1) for partner, with the
 * connector's <param>s, then extra, as wharf:param()s; the result's text
 * in out. A map's refusal (a missing cross-reference) is EDI_ESYNTAX with
 * every finding, one a line. */
int gw_api_map(struct edi_buf *out, struct gw_api *a, const char *map, const char *partner,
               const struct map_param *extra, size_t nextra, const char *in, size_t n, int json,
               struct edi_err *err);
/* The connector's <param> name, or dflt. */
const char *gw_api_param(const struct gw_api *a, const char *name, const char *dflt);

/* What the connector remembers (the store's cursors, under its id): the
 * ERP's id for something of ours, where a pull got to. *v NULL when none. */
int gw_api_ref_get(char **v, struct gw_api *a, const char *name, struct edi_err *err);
/* The same into out[0..cap): 1 when there is one, 0 when not. */
int gw_api_ref_copy(char *out, size_t cap, struct gw_api *a, const char *name, struct edi_err *err);
int gw_api_ref_set(struct gw_api *a, const char *name, const char *v, struct edi_err *err);

/* A message's name KIND:PARTNER:ID split (in place, in a copy the caller
 * frees). EDI_ESYNTAX when it has not that form. */
int gw_api_name(char **copy, const char **kind, const char **partner, const char **id, const char *name,
                struct edi_err *err);

/* base64 (RFC 4648) of p[0..n) into out. */
void gw_api_base64(struct edi_buf *out, const void *p, size_t n);

#endif
