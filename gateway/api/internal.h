/*
 * internal.h — what api.c lends the other files of the HTTP API (maps.c,
 * today.c): who asks, answering in JSON, the request's own store and
 * flow context, and the API's folders. Not for anything outside
 * gateway/api/.
 */
#ifndef WHARF_API_INTERNAL_H
#define WHARF_API_INTERNAL_H

#include "gateway/api/api.h"
#include "gateway/core/ctx.h"
#include "gateway/store/store.h"

#include <jansson.h>

/* The user of the request's bearer token or session cookie (a POST by
 * cookie also needs its CSRF token), or NULL with rs answered (401, 403,
 * 503). The caller frees it (gw_users_free(u, 1)). */
struct gw_user *gw_api_who(const struct gw_api *a, struct gw_store *s, const struct gw_server_req *rq,
                           struct gw_server_resp *rs);
/* Answers status with j (taken). */
void gw_api_reply(struct gw_server_resp *rs, int status, json_t *j);
/* The request's own store connection: 0, or -1 with rs answered 503. */
int gw_api_store_open(struct gw_store **s, const struct gw_api *a, struct gw_server_resp *rs);
/* The flows' context over the request's own connections: 0, or -1 with rs
 * answered 503. gw_ctx_close after. */
int gw_api_ctx_open(struct gw_ctx *c, const struct gw_api *a, struct gw_server_resp *rs);
/* 1 when u, a viewer, must not see what a partner's texts and files may
 * quote of consumers: a DF partner, or one cfg does not know (cfg NULL:
 * any); operators see everything. */
int gw_api_hides(const struct gw_user *u, const struct gw_config *cfg, const char *partner);
/* The folders the API was made with (borrowed). */
const char *gw_api_workspace(const struct gw_api *a);
const char *gw_api_schemas(const struct gw_api *a);
const char *gw_api_mappings(const struct gw_api *a);

/* maps.c and today.c: GET/POST /api/v1/maps... and GET /api/v1/today. */
void gw_api_maps_route(struct gw_api *a, struct gw_server *s);
void gw_api_on_today(void *arg, const struct gw_server_req *rq, struct gw_server_resp *rs);

#endif
