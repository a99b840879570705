/*
 * as2.h — what the AS2 transport (as2.c, the kind "as2" of transport.h)
 * shares with the CLI: where a partnership's certificates and keys live
 * (`wharf certs`), and the receiving end that `wharf serve` puts on its
 * <as2> listener.
 *
 * Certificates come in three slots per side, for rotation with an overlap:
 *
 *   current  ours: signs what we send and the receipts; the partner's: what
 *            we encrypt to;
 *   next     made (`wharf certs new`) or installed (`wharf certs import`)
 *            ahead of a change: already accepted (we decrypt with our next
 *            key, verify with the partner's next certificate), not used to
 *            sign or encrypt until `wharf certs switch` makes it current;
 *   old      what current was before the switch: still accepted, so
 *            messages in flight during a change still open.
 *
 * Research §4.5: Amazon's new certificate installed early breaks
 * decryption on Amazon's side, so the switch is the operator's, at the time
 * agreed with the partner. Our private keys are in the vault (secrets
 * as2-key, as2-key-next, as2-key-old of the partner: the key's PEM and its
 * certificate's); our certificates are also in WORKSPACE/certs/ID.ours.pem
 * (.next.pem, .old.pem) for export; the partner's are partner-cert and the
 * same name with .next / .old before ".pem".
 */
#ifndef WHARF_TRANSPORT_AS2_H
#define WHARF_TRANSPORT_AS2_H

#include "gateway/core/ctx.h"
#include "gateway/net/cms.h"
#include "gateway/net/http.h"

#include <stdint.h>

enum gw_as2_slot { GW_AS2_CURRENT = 0, GW_AS2_NEXT, GW_AS2_OLD };
#define GW_AS2_SLOTS 3

/* A certificate expiring within this many days is warned about
 * (`wharf status`, `wharf certs list`). */
#define GW_AS2_EXPIRY_WARN_DAYS 30

/* "current", "next", "old". */
const char *gw_as2_slot_name(enum gw_as2_slot s);
/* The vault secret of our key in a slot: as2-key, as2-key-next, as2-key-old. */
const char *gw_as2_key_secret(enum gw_as2_slot s);
/* The file of a certificate: ours (WORKSPACE/certs/ID.ours[.next|.old].pem)
 * or the partner's (partner-cert, .next/.old before its ".pem"). */
int gw_as2_cert_path(char *out, size_t cap, const struct gw_config *cfg, const struct gw_partner *p, int ours,
                     enum gw_as2_slot s, struct edi_err *err);

/* A partnership's keys and certificates, as loaded for a send or a
 * receipt: keys[0] is the one that signs (current), when there is one. */
struct gw_as2_creds {
    struct gw_cms_key *keys[GW_AS2_SLOTS];
    size_t nkeys;
    int have_current_key;
    struct gw_cms_cert *certs[GW_AS2_SLOTS];
    size_t ncerts;
    int have_current_cert;     /* certs[0] is the current one: what we encrypt to */
};
/* Loads what exists of both sides (a missing slot is no error; an unreadable
 * file or secret is EDI_ECONFIG naming it). */
int gw_as2_creds_load(struct gw_as2_creds *cr, struct gw_store *st, const struct gw_config *cfg,
                      const struct gw_partner *p, struct edi_err *err);
void gw_as2_creds_free(struct gw_as2_creds *cr);

/* SPEC: RFC 4130 §5.3.3 — a Message-ID "<unique@host>", at most 255
 * characters. Ours: "<wharf-OUTBOX-RANDOM@HOST>", HOST made of letters,
 * digits, '.' and '-' only ("localhost" when nothing is left). */
int gw_as2_message_id(char *out, size_t cap, int64_t outbox_id, const char *random_hex, const char *host);
/* "AS2 name" as a header value: quoted when it holds a space, a quote or
 * a backslash (RFC 4130 §6.2), as is otherwise. */
void gw_as2_name_value(char *out, size_t cap, const char *name);
/* Reads an AS2-From/AS2-To value: quotes removed, unescaped. */
void gw_as2_name_read(char *out, size_t cap, const char *value);
/* The Disposition-Notification-Options asking a receipt signed with md. */
void gw_as2_dno(char *out, size_t cap, enum gw_cms_md md);
/* The MIC digest a sender asked for in its Disposition-Notification-Options
 * (signed-receipt-micalg: the first we support), GW_MD_NONE when none or
 * no signed receipt was asked for; *signed_asked is 1 when it asked one. */
enum gw_cms_md gw_as2_dno_micalg(const char *dno, int *signed_asked);
/* 1 when an AS2 POST is a receipt (MDN) rather than a message: a
 * multipart/report, or a multipart/signed whose first part is one. */
int gw_as2_is_mdn(const char *content_type, const char *body, size_t n);

/* ---- the receiving end -------------------------------------------------- */

/* What the listener needs, shared by its handler threads: read only. */
struct gw_as2_rx {
    const struct gw_config *cfg;
    FILE *log;
    time_t (*now)(void);
    /* A message of partner was stored (not a duplicate, not a receipt):
     * wharf serve wakes that partner's inbound pass (erp/hooks.h). Called
     * on the handler's thread, before the receipt is sent; may be NULL. */
    void (*arrived)(void *arg, const char *partner);
    void *arrived_arg;
};

/* What one POST is answered with. */
struct gw_as2_reply {
    int status;
    char content_type[256];
    struct gw_http_header headers[6];
    char hvals[6][300];
    size_t nheaders;
    struct edi_buf body;       /* the caller disposes of it */
};

/* One POST to <as2 path>: a message (opened, landed in the store through
 * the inbound flow, answered with an MDN: sync in the reply, or async
 * through the outbox), or the async MDN of a message we sent (recorded for
 * the transport's status()). Safe to call from several threads at once: it
 * opens its own store connection. */
void gw_as2_receive(const struct gw_as2_rx *rx, const struct gw_http_header *h, size_t nh, const char *body,
                    size_t n, struct gw_as2_reply *out);

/* The outbox kind of an async MDN we owe a partner (its name is the URL). */
#define GW_AS2_MDN_KIND GW_OUTBOX_AS2_MDN

#endif
