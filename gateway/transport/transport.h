/*
 * transport.h — the transport interface: how messages come from a partner
 * and go to it. A transport kind is a table of functions (struct
 * gw_transport_type), in the spirit of Redis's ConnectionType, curl's
 * connection filters and libgit2's git_transport:
 *
 *   open     one partner's connection (folders, an SFTP session, an AS2
 *            endpoint, the SP-API);
 *   poll     lands each message received since the last poll in the store
 *            (gw_store_receive_raw, state "received") and nothing else: the
 *            inbound flow (flow/inbound.c) works from the store;
 *   settle   the flow's verdict on a received message (archived,
 *            quarantined, duplicate, with the reason): the transport keeps
 *            or puts away the partner's copy;
 *   keep     a part of a received message refused on its own (a rejected
 *            set), kept for the operator with why;
 *   send     one outbox message: a receipt, or "retry later" (EDI_EAGAIN,
 *            with a time when the partner said one), or "an operator must
 *            act" (EDI_ECONFIG: credentials, certificates, a folder gone);
 *   status   what the partner said about a message sent (an MDN, an
 *            SP-API transaction status), for a receipt a send asked to
 *            keep (gw_receipt.ask);
 *   close    ends the connection; what was polled but not settled is left
 *            where the next poll finds it again.
 *
 * The spool folders (spool.c) are the first kind; the SP-API (spapi.c)
 * and SFTP (sftp.c) follow. Claims in the outbox
 * (who sends what, retries and back-off) are the flush's (flow/flush.c),
 * not a transport's.
 */
#ifndef WHARF_TRANSPORT_H
#define WHARF_TRANSPORT_H

#include "gateway/core/ctx.h"

#include <stdint.h>

/* Verdicts on a received message (the raw row's verdict). */
#define GW_VERDICT_ARCHIVED "archived"
#define GW_VERDICT_QUARANTINED "quarantined"
#define GW_VERDICT_DUPLICATE "duplicate"

/* What a send returns. */
struct gw_receipt {
    char id[256];          /* the transport's name for what it sent (files: the file name) */
    time_t retry_at;       /* EDI_EAGAIN: when to try again (0: the flush's back-off) */
    int ask;               /* 1: the partner answers later: ask status() about id */
    char status[16];       /* "" or what the partner said at once: accepted, rejected */
    char detail[512];      /* its words, when it said something */
};

/* What a partner said of a message sent (status()). */
struct gw_said {
    char status[16];       /* pending, accepted, rejected, unknown; or resend: it
                            * never took (the partner's own record says so) */
    char detail[512];      /* its words ("" when none) */
};

struct gw_transport;       /* one partner's open connection */

struct gw_transport_type {
    const char *name;      /* wharf.xml's <transport kind> */
    int (*open)(struct gw_transport **t, struct gw_ctx *c, const struct gw_partner *p,
                struct edi_err *err);
    int (*poll)(struct gw_transport *t, struct gw_stats *st, struct edi_err *err);
    void (*settle)(struct gw_transport *t, int64_t raw_id, const char *verdict, const char *reason);
    void (*keep)(struct gw_transport *t, const char *name, const void *bytes, size_t n, const char *why);
    int (*send)(struct gw_transport *t, const struct gw_outbox_item *it, struct gw_receipt *r,
                struct edi_err *err);
    /* A sender (process pid of this host) died sending it: what it left
     * half done goes, before the message is sent again. */
    void (*abandoned)(struct gw_transport *t, const struct gw_outbox_item *it, long pid);
    /* The partner's word on a receipt (gw_store_receipts): NULL when this
     * kind never answers later. EDI_EAGAIN: ask again later. */
    int (*status)(struct gw_transport *t, const struct gw_receipt_row *r, struct gw_said *out,
                  struct edi_err *err);
    void (*close)(struct gw_transport *t);
};

/* The kind of a partner's transport (wharf.xml <transport kind>), NULL when
 * wharf has none of that name. */
const struct gw_transport_type *gw_transport_kind(const char *name);
/* Opens a partner's transport: the pair every caller needs. EDI_ECONFIG
 * when its kind is unknown. */
int gw_transport_open(const struct gw_transport_type **type, struct gw_transport **t, struct gw_ctx *c,
                      const struct gw_partner *p, struct edi_err *err);

/* What the kinds that receive files share (spool.c). */
/* 1 when a file is still being written, by what it holds: empty, or an
 * interchange whose IEA has not arrived. A file cut after an IEA reads as
 * complete; settle-seconds covers writers that pause there. */
int gw_transport_incomplete(const char *data, size_t n);
/* A refused part of a message (or a whole file) kept in the partner's
 * quarantine/ under a unique name (the same name again never replaces a
 * kept one), why beside it in NAME.reason; failures are logged. */
void gw_transport_keep_local(struct gw_ctx *c, const struct gw_partner *p, const char *name, const void *bytes,
                             size_t n, const char *why);
/* The settle of the kinds whose partner keeps no copy wharf can move (SFTP,
 * AS2): a quarantined message is copied from the store to quarantine/, where
 * the operator looks; other verdicts need nothing. */
void gw_transport_settle_local(struct gw_ctx *c, const struct gw_partner *p, int64_t raw_id,
                               const char *verdict, const char *reason);

/* Spool folders: inbound/ (claimed by rename into inbound/.claimed/PID/),
 * archive/, quarantine/ (with NAME.reason), outbound/. */
extern const struct gw_transport_type gw_transport_spool;
/* Amazon's Selling Partner API (spapi.c). */
extern const struct gw_transport_type gw_transport_spapi;
/* A partner's SFTP server (sftp.c). */
extern const struct gw_transport_type gw_transport_sftp;
/* A partner's AS2 endpoint (as2.c, as2.h). */
extern const struct gw_transport_type gw_transport_as2;
/* An amount Amazon sent as a JSON number (a BigDecimal) as the decimal
 * string it wrote: the fewest decimals, at least min_scale, that read back
 * as the same double ("120.00", "8.375"). -1 for a value that is not
 * finite or does not fit cap. */
int gw_spapi_decimal(char *out, size_t cap, double v, int min_scale);

#endif
