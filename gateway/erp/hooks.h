/*
 * hooks.h — webhooks from the API ERPs: the receiver wharf serve puts on its
 * HTTP listener, and the token each connector's subscriptions carry.
 *
 * SPEC: research/erp-as2.md 1 "Webhooks" — Brightpearl's webhooks carry no
 * signature and only ids: the URL each subscription calls holds an
 * unguessable token (32 random bytes, hex) that wharf made and sealed in the
 * vault as the connector's secret "webhook-token":
 *
 *   POST /webhooks/erp/ID/TOKEN
 *
 * ID an <erp id> whose kind takes webhooks, TOKEN compared in constant time.
 * An unknown ID and a wrong TOKEN are the same 404, in the same time. A
 * webhook that passes is answered 200 at once and only wakes its connector:
 * the body is a hint (logged: resource and id), never a document; what
 * changed is read by the connector's own pulls, which the daemon runs as
 * soon as it sees the wake (flow/sched.c gw_sched_wake). A webhook that
 * never comes changes nothing but the delay: the scheduled polls still run
 * (the reconciling poll), and what a pull read before is passed over, so a
 * webhook for a change already applied applies nothing twice.
 *
 * How a wake travels: the handler (on a listener thread) marks the
 * connector woken under the receiver's lock and writes a byte to a
 * non-blocking pipe; the daemon's nap polls the pipe's other end, so it
 * wakes at once, takes the woken ids (gw_hooks_take) and runs their pulls
 * on its own thread, with its own store. A wake is not kept in the store:
 * one lost to a restart is a lost webhook, and the daemon runs every
 * woken-able connector's pulls once when it starts.
 *
 * A trading partner's message is woken the same way (issue 16): the AS2
 * listener, once a message is stored, calls gw_hooks_wake_partner (through
 * its gw_as2_rx's arrived hook, cli/gateway.c) and the daemon, at the same
 * byte in the same pipe, runs that partner's inbound pass
 * (gw_sched_wake_partner): a message answered with a sync receipt is an
 * order within a second, not at the next pass. Not kept either: what a
 * lost wake leaves is in the store, taken by the partner's scheduled poll
 * (and by the daemon at start, which wakes every AS2 partner once).
 *
 * Tokens: the daemon reads them from the vault (gw_hooks_load, with create:
 * it makes one a connector lacks) when it starts and at every pass, so a
 * token made or replaced by `wharf erp webhooks` in another process is
 * taken within a minute; the listener's threads never touch the store.
 */
#ifndef WHARF_ERP_HOOKS_H
#define WHARF_ERP_HOOKS_H

#include "gateway/core/ctx.h"
#include "gateway/net/server.h"
#include "gateway/secret/vault.h"

#include <stdio.h>

#define GW_HOOKS_PREFIX "/webhooks/erp/"
#define GW_HOOKS_SECRET "webhook-token"
/* LIMIT: connectors a receiver knows; ids of woken ones taken at once */
#define GW_HOOKS_MAX 16
#define GW_HOOKS_ID_MAX 64

struct gw_hooks;

/* A receiver (no route yet); log gets a line per webhook taken (NULL: none). */
int gw_hooks_new(struct gw_hooks **out, FILE *log, struct edi_err *err);
void gw_hooks_free(struct gw_hooks *h);
/* Puts the receiver's route (POST GW_HOOKS_PREFIX, the rest hidden from the
 * log) on a server not started yet. The receiver outlives the server. */
void gw_hooks_route(struct gw_hooks *h, struct gw_server *s);
/* The tokens of c's connectors that take webhooks, from the vault (made and
 * sealed first where there is none and create is 1); a connector gone
 * from wharf.xml is forgotten. *n (may be NULL): how many it knows. */
int gw_hooks_load(struct gw_hooks *h, struct gw_ctx *c, int create, size_t *n, struct edi_err *err);
/* Readable when a connector was woken since the last gw_hooks_take. */
int gw_hooks_fd(const struct gw_hooks *h);
/* The ids of the connectors woken since the last take (at most cap),
 * cleared; the pipe drained. */
size_t gw_hooks_take(struct gw_hooks *h, char (*ids)[GW_HOOKS_ID_MAX], size_t cap);

/* A trading partner's inbound pass is wanted now (a message of its arrived):
 * marked and the daemon woken; safe from any thread. 0 when the wake was not
 * kept (more than GW_HOOKS_MAX partners waiting, an id too long): the
 * partner's scheduled pass takes the message. */
int gw_hooks_wake_partner(struct gw_hooks *h, const char *partner);
/* The partners woken since the last take (at most cap, oldest first),
 * cleared. Call after gw_hooks_take, which drains the pipe: a wake that
 * comes in between is taken here, or wakes the next nap. */
size_t gw_hooks_take_partners(struct gw_hooks *h, char (*ids)[GW_HOOKS_ID_MAX], size_t cap);

/* 1 when the ERP of conf takes webhooks (Brightpearl). */
int gw_hooks_takes(const struct gw_erp_conf *conf);
/* The connector's webhook token (the caller's, gw_secret_free), made and
 * sealed when there is none and create is 1 (else EDI_ENOTFOUND); renew:
 * a new one replaces it. */
int gw_hooks_token(struct gw_secret **out, struct gw_vault *v, const char *id, int create, int renew, time_t now,
                   struct edi_err *err);

#endif
