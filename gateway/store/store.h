/*
 * store.h — the gateway's store: SQLite on disk (WAL), numbered migrations,
 * one transaction per state change. store.c is the facade over a driver
 * (driver.h; SQLite's in sqlite.c, the only user of SQLite in wharf);
 * everything else goes through these functions, so another engine is one
 * more driver, without touching the pipeline.
 *
 * It keeps: raw inbound and outbound bytes with their SHA-256, interchanges
 * with partner and control numbers (duplicate detection), documents and
 * their states, sales orders (the embedded ERP order book) with lines and
 * a history of changes, an outbox with attempts and next-try time,
 * per-partner control-number sequences, the runs of scheduled jobs, and an
 * audit log.
 *
 * Times are Unix seconds (the caller's clock: WHARF_NOW in tests).
 * Errors: EDI_EIO (disk), EDI_EAGAIN (busy: retry), EDI_ECONFIG (a store
 * from a newer wharf), EDI_ENOTFOUND, EDI_ERR (a bug); err carries the
 * engine's code (SQLite's extended code) in err->sys and a one-line
 * message.
 *
 * A getter of one row returns EDI_ENOTFOUND when there is none, with a
 * message naming what was looked for; a list with nothing in it is 0 with
 * n == 0. Inputs are const; what a call makes (ids) comes back in out
 * parameters, first.
 */
#ifndef WHARF_STORE_H
#define WHARF_STORE_H

#include "edi/edi.h"

#include <stdint.h>
#include <time.h>

struct gw_store;

/* Opens (creating when missing) the store at path and brings its schema up
 * to date. */
int gw_store_open(struct gw_store **out, const char *path, struct edi_err *err);
void gw_store_close(struct gw_store *s);
/* How long a call waits for another connection's lock before EDI_EAGAIN
 * (5000 ms by default). */
void gw_store_set_busy_timeout(struct gw_store *s, int ms);
/* The schema version after migrations (for `wharf status`). */
int gw_store_version(const struct gw_store *s);

/* One transaction around several calls (each call alone is atomic). */
int gw_store_begin(struct gw_store *s, struct edi_err *err);
/* The same transaction without a savepoint per call, for the bulk path
 * (one inbound file: tens of thousands of calls). A call that fails inside
 * it cannot be undone alone: the whole transaction is lost, every later
 * call and the commit fail, and gw_store_bulk_lost then says 1 — roll back
 * and run the unit again in gw_store_begin, where each call is atomic. A
 * caller that returns on the first error sees what gw_store_begin gives:
 * the failure, then its rollback. Not inside an open transaction. */
int gw_store_begin_bulk(struct gw_store *s, struct edi_err *err);
/* 1 when a call or the commit was refused because an earlier call failed
 * inside the gw_store_begin_bulk transaction (its caller went on after
 * the failure): the unit must be run again with savepoints. Until the
 * next gw_store_begin_bulk. */
int gw_store_bulk_lost(const struct gw_store *s);
/* Starts writing to disk what the open transaction has put in the
 * store's files so far (with SQLite: the pages it moved out of its cache
 * into its log), without waiting for it, so that a large transaction's
 * commit has less left to sync. Changes nothing of what is stored; call it
 * now and then during a large transaction. */
void gw_store_writeback(struct gw_store *s);
/* The steps the engine's statements have taken on s so far: the work a
 * query did, for tests that hold a listing to its index. */
int64_t gw_store_steps(struct gw_store *s);
int gw_store_commit(struct gw_store *s, struct edi_err *err);
void gw_store_rollback(struct gw_store *s);

/* ---- raw bytes --------------------------------------------------------- */

/* Keeps bytes (inbound or outbound) once: *id is the row, *dup is 1 when
 * the same bytes (sha256: their SHA-256 as 64 lowercase hex digits, the
 * caller's, gw_sha256_hex in gateway/core/digest.h) were kept before for
 * this partner and direction (then *id is the earlier row). */
int gw_store_put_raw(int64_t *id, int *dup, struct gw_store *s, const char *partner,
                     const char *direction, const char *name, const char *sha256, const void *bytes,
                     size_t n, time_t now, struct edi_err *err);

/* A received message: what a transport landed (direction "in"). */
struct gw_raw {
    int64_t id;
    char *partner, *name;
    char *bytes;               /* n bytes, and a '\0' behind them */
    size_t n;
    time_t received;
    char *state;               /* received (not yet processed), processed */
    char *verdict, *reason;    /* processed: archived, quarantined or duplicate; why */
    char *direction;           /* in or out */
    int64_t reprocess_of;      /* the quarantined row this one reprocesses; 0: none */
};

/* Lands a received message: a raw row in state "received", for the inbound
 * flow (gw_store_raws_received). *dup is 1 when the same bytes came from
 * this partner before (*id is that row; nothing is added) and *pending
 * then says whether that row is still waiting to be processed. */
int gw_store_receive_raw(int64_t *id, int *dup, int *pending, struct gw_store *s, const char *partner,
                         const char *name, const char *sha256, const void *bytes, size_t n, time_t now,
                         struct edi_err *err);
/* The received messages not processed yet, oldest first, of one partner
 * (NULL: every partner's). *ids is the caller's to free. */
int gw_store_raws_received(int64_t **ids, size_t *n, struct gw_store *s, const char *partner,
                           struct edi_err *err);
/* One raw row with its bytes; EDI_ENOTFOUND when there is none. */
int gw_store_get_raw(struct gw_raw **out, struct gw_store *s, int64_t id, struct edi_err *err);
void gw_raw_free(struct gw_raw *r);
/* A received message processed: its verdict and reason (NULL: none).
 * EDI_ENOTFOUND when there is no such row. */
int gw_store_raw_settle(struct gw_store *s, int64_t id, const char *verdict, const char *reason,
                        struct edi_err *err);

/* A quarantined inbound file (verdict quarantined) landed again to be
 * processed anew (issue 17: a reprocess after a fix): a new raw row with
 * its bytes, partner and name, in state "received", that names row of.
 * EDI_ENOTFOUND when there is no inbound row of; EDI_ESYNTAX (refused)
 * when of is not quarantined or was reprocessed already (the message names
 * that reprocess). One transaction: of two at once, one lands. */
int gw_store_reprocess_raw(int64_t *id, struct gw_store *s, int64_t of, time_t now, struct edi_err *err);

/* A quarantined inbound file as the quarantine listing shows it, with what
 * became of its reprocess (again 0: not reprocessed; again_verdict:
 * archived, quarantined, duplicate, or received while it is processed). */
struct gw_quarantined {
    int64_t id;
    char *partner, *name, *reason;
    time_t received;
    int64_t size;
    int64_t again;             /* the reprocess's raw row; 0: none */
    time_t again_at;
    char *again_verdict;
    int64_t of;                /* the row this one reprocessed; 0: none */
};

/* A page of quarantined inbound files, newest first: partner (NULL: any),
 * after row id after (0: the first page), at most max. */
int gw_store_quarantine_page(struct gw_quarantined **out, size_t *n, struct gw_store *s, const char *partner,
                             int64_t after, size_t max, struct edi_err *err);
void gw_quarantined_free(struct gw_quarantined *v, size_t n);
/* The inbound file document id came in (its interchange's raw row) and,
 * when verdict is not NULL, what became of that file (archived,
 * quarantined, duplicate; NULL: not processed yet; the caller frees it):
 * EDI_ENOTFOUND when the document is none or came in no file of ours. */
int gw_store_document_file(int64_t *raw_id, char **verdict, struct gw_store *s, int64_t id,
                           struct edi_err *err);
/* The documents recorded from the interchanges of raw row id, by id. */
int gw_store_raw_documents(int64_t **ids, size_t *n, struct gw_store *s, int64_t id, struct edi_err *err);

/* ---- interchanges and documents --------------------------------------- */

/* 1 in *seen when this partner's interchange control number (ISA13) was
 * received before. */
int gw_store_interchange_seen(int *seen, struct gw_store *s, const char *partner,
                              const char *direction, const char *control, struct edi_err *err);
int gw_store_add_interchange(int64_t *id, struct gw_store *s, int64_t raw_id,
                             const char *partner, const char *direction, const char *control,
                             const char *sender, const char *receiver, const char *status,
                             time_t now, struct edi_err *err);

/* A document: one transaction set (or one SP-API message). state: received,
 * accepted, rejected, queued, sent, acknowledged ... findings: text, may
 * be NULL. ref: what it is about (a PO number), may be NULL. */
int gw_store_add_document(int64_t *id, struct gw_store *s, int64_t interchange_id,
                          const char *partner, const char *direction, const char *kind,
                          const char *group_control, const char *set_control, const char *ref,
                          const char *state, const char *findings, time_t now,
                          struct edi_err *err);
/* The invoice an outbound 810 document carries follows its state (sent,
 * accepted, rejected), with the detail in the invoice's history. */
int gw_store_set_document_state(struct gw_store *s, int64_t id, const char *state,
                                const char *detail, time_t now, struct edi_err *err);

/* ---- sales orders ------------------------------------------------------- */

/* Order states. */
#define GW_ORDER_PENDING "pending-approval"
#define GW_ORDER_APPROVED "approved"
#define GW_ORDER_ACKNOWLEDGED "acknowledged"
#define GW_ORDER_PARTIALLY_SHIPPED "partially-shipped"
#define GW_ORDER_SHIPPED "shipped"
#define GW_ORDER_INVOICED "invoiced"
#define GW_ORDER_CLOSED "closed"
#define GW_ORDER_CANCELLED "cancelled"
#define GW_ORDER_REJECTED "rejected"

struct gw_order_line {
    int line_no;
    char *product_id;      /* the first id as the PO sent it, e.g. "UP:012345678905" */
    char *description;
    char *quantity;        /* decimal string */
    char *unit;
    char *unit_cost;       /* decimal string */
    char *state;           /* open, cancelled, ... */
};

struct gw_order {
    int64_t id;
    char *partner;
    char *program;         /* RP or DF */
    char *po_number;       /* DF: the Ship ID */
    char *state;
    char *canonical;       /* the canonical <order> XML */
    time_t created, updated;
    struct gw_order_line *lines;
    size_t nlines;
};

void gw_order_free(struct gw_order *o);

/* Creates the order, or updates it when (partner, program, po_number)
 * exists: lines are replaced, the change is kept in the history, and
 * *created tells which happened; *id is the order's row. o is read only
 * (its id, created and updated are not). */
int gw_store_upsert_order(int64_t *id, int *created, struct gw_store *s, const struct gw_order *o,
                          const char *why, time_t now, struct edi_err *err);
/* EDI_ENOTFOUND when there is no such order. */
int gw_store_get_order(struct gw_order **out, struct gw_store *s, const char *partner,
                       const char *program, const char *po_number, struct edi_err *err);
int gw_store_set_order_state(struct gw_store *s, int64_t id, const char *state,
                             const char *why, time_t now, struct edi_err *err);

/* Orders, newest first; state and partner may be NULL (any). */
int gw_store_list_orders(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                         const char *partner, struct edi_err *err);
/* The same orders without their lines and canonical document (NULL): what
 * a list of states and deadlines needs, read at a tenth of the cost. */
int gw_store_list_order_heads(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                              const char *partner, struct edi_err *err);
/* The heads of the orders in state (not NULL) created before a time. */
int gw_store_list_order_heads_before(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                                     const char *partner, time_t before, struct edi_err *err);
void gw_orders_free(struct gw_order **v, size_t n);

struct gw_history {
    time_t at;
    char *state;
    char *what;
};

int gw_store_order_history(struct gw_history **out, size_t *n, struct gw_store *s, int64_t order_id,
                           struct edi_err *err);
void gw_history_free(struct gw_history *v, size_t n);

/* ---- acknowledgment decisions --------------------------------------------- */

/* A decision on an order: the canonical <order-ack> to send. pending until
 * the acknowledgment run queues it (then queued, with its outbox row). */
struct gw_ack {
    int64_t id, order_id;
    time_t created, queued_at;
    char *actor;           /* who decided: an operator, "auto", "erp" */
    char *canonical;
    char *state;           /* pending, queued */
};

/* EDI_ENOTFOUND when there is no order id. */
int gw_store_get_order_by_id(struct gw_order **out, struct gw_store *s, int64_t id,
                             struct edi_err *err);
int gw_store_add_ack(int64_t *id, struct gw_store *s, int64_t order_id, const char *actor,
                     const char *canonical, time_t now, struct edi_err *err);
/* Decisions oldest first; order_id 0: every order; state NULL: any. */
int gw_store_acks(struct gw_ack **out, size_t *n, struct gw_store *s, int64_t order_id,
                  const char *state, struct edi_err *err);
int gw_store_ack_queued(struct gw_store *s, int64_t id, int64_t outbox_id, time_t now,
                        struct edi_err *err);
void gw_acks_free(struct gw_ack *v, size_t n);

/* ---- outbox -------------------------------------------------------------- */

struct gw_outbox_item {
    int64_t id;
    char *partner;
    char *kind;            /* 997, 855, ... */
    char *name;            /* file name for the file transport */
    unsigned char *bytes;
    size_t n;
    int attempts;
    time_t next_try;
    char *claimed_by;      /* "PID@HOST" of the sender delivering it, or NULL */
    time_t claimed_at;     /* 0 when not claimed */
};

/* The outbox kind of an AS2 receipt (async MDN) we owe a partner
 * (transport/as2.h): counted apart in `wharf status` (gw_store_counts). */
#define GW_OUTBOX_AS2_MDN "as2-mdn"

int gw_store_outbox_add(int64_t *id, struct gw_store *s, const char *partner, const char *kind,
                        const char *name, const void *bytes, size_t n, time_t now,
                        struct edi_err *err);
/* Messages due at now (next_try <= now, not sent), oldest first, at most max. */
int gw_store_outbox_due(struct gw_outbox_item **out, size_t *n, struct gw_store *s, time_t now,
                        size_t max, struct edi_err *err);
/* The same after message id after (keyset paging: pass the last id seen),
 * only partner's when partner is not NULL. Claimed messages are listed too,
 * with their claim: the caller tells a live claim from a dead one. */
int gw_store_outbox_due_after(struct gw_outbox_item **out, size_t *n, struct gw_store *s, time_t now,
                              int64_t after, const char *partner, size_t max, struct edi_err *err);
/* Claims message id for owner before delivering it, in one statement of a
 * short write transaction: *got is 1 when the message is owner's now (it is
 * unsent, due at now, and unclaimed, or claimed by owner already, or
 * claimed at stale_before or earlier, or claimed by dead: an owner the
 * caller found gone, NULL for none); 0 when another sender has it or it
 * was sent meanwhile. Sent and failed clear the claim. */
int gw_store_outbox_claim(int *got, struct gw_store *s, int64_t id, const char *owner, time_t now,
                          time_t stale_before, const char *dead, struct edi_err *err);
/* *yes is 1 when a later message of the same kind and name was queued
 * after id (an ERP file written again): delivering id would replace the
 * newer file with the older one. */
int gw_store_outbox_superseded(int *yes, struct gw_store *s, int64_t id, struct edi_err *err);
/* Marks id sent (and the documents and invoices it carries); ends the claim. */
int gw_store_outbox_sent(struct gw_store *s, int64_t id, time_t now, struct edi_err *err);
/* A failed attempt: attempts + 1, next try at retry_at, the error kept. */
int gw_store_outbox_failed(struct gw_store *s, int64_t id, time_t retry_at, const char *error,
                           struct edi_err *err);
void gw_outbox_free(struct gw_outbox_item *v, size_t n);

/* An ERP took the message: sent, with the ERP's id for what it made (a
 * Brightpearl order id, a QuickBooks Invoice id) and what it said (may be
 * NULL), in status done. */
int gw_store_outbox_erp_done(struct gw_store *s, int64_t id, const char *erp_id, const char *detail, time_t now,
                             struct edi_err *err);
/* The message cannot go until a person acts (a cross-reference missing, the
 * ERP refused it as such): held with why, never tried again on its own. */
int gw_store_outbox_hold(struct gw_store *s, int64_t id, const char *why, time_t now, struct edi_err *err);
/* A person acted: an unsent message (held, or failing) is due at now.
 * EDI_ENOTFOUND when no unsent message has that id. */
int gw_store_outbox_retry(struct gw_store *s, int64_t id, time_t now, struct edi_err *err);

/* One outbox message as `wharf erp status` shows it. */
struct gw_outbox_row {
    int64_t id;
    char *partner, *kind, *name;
    int attempts;
    time_t created, next_try, sent_at;     /* sent_at 0: not yet */
    char *last_error, *status, *detail, *receipt;
};
/* Messages whose kind starts with prefix ("erp:" all ERPs, "erp:bp" one),
 * oldest first. */
int gw_store_outbox_list(struct gw_outbox_row **out, size_t *n, struct gw_store *s, const char *prefix,
                         struct edi_err *err);
void gw_outbox_rows_free(struct gw_outbox_row *v, size_t n);

/* A message's receipt (the transport's id for what it sent: an SP-API
 * transactionId) and what the partner said of it since. */
struct gw_receipt_row {
    int64_t outbox_id;
    char *partner, *kind, *name, *receipt;
    time_t sent_at, checked;    /* checked: 0 never */
    int checks;
    char *status;               /* pending, accepted, rejected, unknown */
    char *detail;               /* the partner's words, may be NULL */
};

/* gw_store_outbox_sent, and the receipt kept in the same transaction, in
 * status "pending" (NULL receipt: nothing to ask later). */
int gw_store_outbox_sent_receipt(struct gw_store *s, int64_t id, const char *receipt, time_t now,
                                 struct edi_err *err);
/* Receipts oldest first; partner and status NULL: any. */
int gw_store_receipts(struct gw_receipt_row **out, size_t *n, struct gw_store *s, const char *partner,
                      const char *status, struct edi_err *err);
/* What the partner said: status accepted, rejected, unknown (asked too
 * long) or pending (asked again later), detail its words. The documents
 * the message carries follow (accepted, rejected, unknown), with the
 * detail in their history; invoices follow their documents. */
int gw_store_receipt_status(struct gw_store *s, int64_t outbox_id, const char *status, const char *detail,
                            time_t now, struct edi_err *err);
void gw_receipts_free(struct gw_receipt_row *v, size_t n);
/* The partner shows a message it took never took effect (an SP-API RP
 * acknowledgement stuck Processing that getPurchaseOrdersStatus shows
 * unconfirmed): it is due again at now (one attempt more, so the send
 * reconciles first), its documents queued again with why in their
 * history. A message not sent is left alone. */
int gw_store_outbox_resend(struct gw_store *s, int64_t id, const char *why, time_t now, struct edi_err *err);

/* ---- AS2 messages ------------------------------------------------------------ */

/* One AS2 message (transport/as2.c). direction "out": a message we sent,
 * its outbox row, the MIC its receipt must echo, status sent, accepted or
 * rejected with the MDN's words. "in": a message a partner sent, the raw
 * row it landed as (0: refused), the MIC we answered with, status
 * processed or refused with why. (direction, partner, message_id) is
 * unique. */
struct gw_as2_msg {
    int64_t id;
    char *partner, *direction, *message_id;
    int64_t outbox_id, raw_id;          /* 0: none */
    char *mic, *status, *detail;        /* mic, detail may be NULL */
    time_t created, updated;
};

/* Records m (its id, created and updated are not read): *existed is 1 when
 * that (direction, partner, message_id) was recorded before, and nothing
 * changes then. */
int gw_store_as2_put(int *existed, struct gw_store *s, const struct gw_as2_msg *m, time_t now,
                     struct edi_err *err);
/* EDI_ENOTFOUND when there is no such message. */
int gw_store_as2_get(struct gw_as2_msg **out, struct gw_store *s, const char *direction, const char *partner,
                     const char *message_id, struct edi_err *err);
/* The message sent for an outbox row; EDI_ENOTFOUND when none yet. */
int gw_store_as2_of_outbox(struct gw_as2_msg **out, struct gw_store *s, int64_t outbox_id, struct edi_err *err);
/* A new status and detail (NULL: none); mic and raw_id kept when NULL / 0.
 * EDI_ENOTFOUND when there is no such message. */
int gw_store_as2_update(struct gw_store *s, const char *direction, const char *partner, const char *message_id,
                        const char *mic, const char *status, const char *detail, int64_t raw_id, time_t now,
                        struct edi_err *err);
void gw_as2_msg_free(struct gw_as2_msg *m);

/* ---- transport state --------------------------------------------------------- */

/* A transport's cursor (where its pulls got to): *value NULL when none. */
int gw_store_cursor_get(char **value, struct gw_store *s, const char *partner, const char *name,
                        struct edi_err *err);
int gw_store_cursor_set(struct gw_store *s, const char *partner, const char *name, const char *value,
                        time_t now, struct edi_err *err);
/* A partner's "not before" for an operation (a 429's wait): 0 when none.
 * Setting keeps the later of the two. */
int gw_store_rate_wait_get(time_t *until, struct gw_store *s, const char *partner, const char *operation,
                           struct edi_err *err);
int gw_store_rate_wait_set(struct gw_store *s, const char *partner, const char *operation, time_t until,
                           struct edi_err *err);

/* ---- control numbers ------------------------------------------------------ */

/* The next number of a partner's sequence (kind 'I' ISA13, 'G' GS06,
 * 'S' ST02), taken inside the caller's transaction when one is open, so a
 * crash never leaves a gap or a reuse. Starts at 1. */
int gw_store_next_control(uint64_t *out, struct gw_store *s, const char *partner, char kind,
                          struct edi_err *err);

/* ---- scheduled runs --------------------------------------------------------- */

/* One run of a partner's scheduled job (sched.h): the minute it was due
 * for, when it started and ended (0: still running, or it never ended),
 * running, done or failed, what it did ("files=2 sets=3 ...") and its
 * error (NULL when none). */
struct gw_run {
    int64_t id;
    char *partner;
    char *job;             /* poll, ack-run, invoice-run, inventory-run */
    time_t due, started, ended;
    char *state;
    char *counts;
    char *error;
};

/* Records that the run of (partner, job) due at due (a minute, Unix
 * seconds) starts now, in state running. When that minute has a run
 * already (any state, any process), nothing is recorded, *already is 1 and
 * *id 0: the caller does not run it, so a minute never runs twice. */
int gw_store_run_start(int64_t *id, int *already, struct gw_store *s, const char *partner,
                       const char *job, time_t due, time_t now, struct edi_err *err);
/* The run ended: state done or failed, counts and error may be NULL. */
int gw_store_run_end(struct gw_store *s, int64_t id, const char *state, const char *counts,
                     const char *error, time_t now, struct edi_err *err);
/* The latest due minute recorded for (partner, job), 0 when it never ran. */
int gw_store_last_run(time_t *due, struct gw_store *s, const char *partner, const char *job,
                      struct edi_err *err);
/* Runs, newest first, at most max. *out belongs to the caller. */
int gw_store_runs(struct gw_run **out, size_t *n, struct gw_store *s, size_t max,
                  struct edi_err *err);
/* A page of runs, newest first: in state (NULL: any), after the run with
 * row id after (0: the first page), at most max. */
int gw_store_run_page(struct gw_run **out, size_t *n, struct gw_store *s, const char *state, int64_t after,
                      size_t max, struct edi_err *err);
void gw_runs_free(struct gw_run *v, size_t n);

/* ---- outbound documents ------------------------------------------------------ */

/* Ties an outbound document to the outbox message carrying it: when the
 * message is sent (gw_store_outbox_sent) the document becomes sent. */
int gw_store_document_outbox(struct gw_store *s, int64_t document_id, int64_t outbox_id,
                             struct edi_err *err);

/* ---- shipments ----------------------------------------------------------------- */

/* What a shipment ships of one order line (decimal string). */
struct gw_shipment_line {
    int64_t order_id;
    int line_no;
    char *quantity;
};

/* One version of a ship notice: a shipment id (BSN02) sent again replaces
 * the version before it (state replaced). states: queued (in force),
 * replaced, floor-denial. */
struct gw_shipment {
    int64_t id;
    char *partner, *program;
    char *shipment_id;     /* BSN02 */
    int version;           /* 1, then 2 ... for replacements */
    char *state;
    char *warehouse;       /* the vendor's code */
    char *ship_to;         /* the FC code (RP), NULL for DF */
    char *canonical;       /* the canonical <shipment> as mapped */
    int64_t document_id, outbox_id;
    time_t created;
    struct gw_shipment_line *lines;
    size_t nlines;
};

void gw_shipment_free(struct gw_shipment *sh);
void gw_shipments_free(struct gw_shipment **v, size_t n);
void gw_shipment_lines_free(struct gw_shipment_line *v, size_t n);

/* Adds the shipment and its lines: *id is its row (created is now). sh
 * is read only (its id and created are not read). */
int gw_store_add_shipment(int64_t *id, struct gw_store *s, const struct gw_shipment *sh, time_t now,
                          struct edi_err *err);
/* By row id (id > 0), else the version in force of a shipment id (the
 * latest not replaced, else the latest); partner NULL: any partner.
 * EDI_ENOTFOUND when there is none. */
int gw_store_get_shipment(struct gw_shipment **out, struct gw_store *s, const char *partner,
                          const char *shipment_id, int64_t id, struct edi_err *err);
/* Shipments oldest first; state and partner may be NULL (any). */
int gw_store_list_shipments(struct gw_shipment ***out, size_t *n, struct gw_store *s,
                            const char *state, const char *partner, struct edi_err *err);
/* A page of shipments, newest first: state and partner may be NULL (any),
 * after the shipment with row id after (0: the first page), at most max. */
int gw_store_shipment_page(struct gw_shipment ***out, size_t *n, struct gw_store *s, const char *state,
                           const char *partner, int64_t after, size_t max, struct edi_err *err);
int gw_store_set_shipment_state(struct gw_store *s, int64_t id, const char *state, time_t now,
                                struct edi_err *err);
/* What the shipments in force (not replaced) ship of an order, by line,
 * leaving out the shipment row except (0: none); a line shipped by several
 * shipments has a row each. */
int gw_store_order_shipped(struct gw_shipment_line **out, size_t *n, struct gw_store *s,
                           int64_t order_id, int64_t except, struct edi_err *err);
/* Records that an SSCC goes out with a shipment id. When another shipment
 * id used it within the last 365 days, nothing is recorded and *clash is
 * that shipment id (the caller's to free). */
int gw_store_sscc_use(char **clash, struct gw_store *s, const char *sscc, const char *partner,
                      const char *shipment_id, time_t now, struct edi_err *err);
/* The same check without recording anything. */
int gw_store_sscc_clash(char **clash, struct gw_store *s, const char *sscc,
                        const char *shipment_id, time_t now, struct edi_err *err);

/* ---- invoices ------------------------------------------------------------------ */

/* Invoice states. held: the three-way match found a mismatch (findings
 * say which); queued: in the outbox; then what the 810 went through. */
#define GW_INV_HELD "held"
#define GW_INV_QUEUED "queued"
#define GW_INV_SENT "sent"
#define GW_INV_ACCEPTED "accepted"
#define GW_INV_REJECTED "rejected"
#define GW_INV_PAID "paid"
/* What Amazon's Finances API says of an invoice an SP-API partner got
 * (IN_PROGRESS, PARTIALLY_PAID, DEDUCTED, PARTIALLY_DEDUCTED; PAID is
 * paid, REJECTED rejected): gw_store_invoice_amazon. */
#define GW_INV_IN_PROGRESS "in-progress"
#define GW_INV_PARTIALLY_PAID "partially-paid"
#define GW_INV_DEDUCTED "deducted"
#define GW_INV_PARTIALLY_DEDUCTED "partially-deducted"

struct gw_invoice {
    int64_t id;
    char *partner, *program;
    char *number;          /* prefix + the partner's invoice sequence */
    char *state;
    char *po_numbers;      /* the POs billed, space-separated */
    char *total;           /* decimal string */
    char *currency;
    char *canonical;       /* the canonical <invoice> */
    char *findings;        /* held: one line per mismatch; else NULL */
    int64_t document_id, outbox_id;
    time_t created, updated;
    char *amazon_status;   /* the Finances API's invoiceStatus, NULL: it has not said */
    char *amazon_detail;   /* its summary: amounts, then a line per variance; NULL: none */
};

/* What an invoice bills: the order's goods in one shipment (its row id). */
struct gw_bill {
    int64_t shipment_row, order_id;
};

void gw_invoice_free(struct gw_invoice *v);
void gw_invoices_free(struct gw_invoice **v, size_t n);
/* Adds the invoice with what it bills: *id is its row (created and
 * updated are now; v's id, created and updated are not read). A pair
 * billed by another invoice fails the call (the UNIQUE key), so nothing
 * is billed twice. */
int gw_store_add_invoice(int64_t *id, struct gw_store *s, const struct gw_invoice *v,
                         const struct gw_bill *bills, size_t nbills, const char *why, time_t now,
                         struct edi_err *err);
/* Writes state, canonical, findings, total, document and outbox of v->id,
 * and a history row. */
int gw_store_update_invoice(struct gw_store *s, const struct gw_invoice *v, const char *why,
                            time_t now, struct edi_err *err);
/* By id (> 0), else by number (partner NULL: any); EDI_ENOTFOUND when
 * there is none. */
int gw_store_get_invoice(struct gw_invoice **out, struct gw_store *s, const char *partner,
                         const char *number, int64_t id, struct edi_err *err);
int gw_store_list_invoices(struct gw_invoice ***out, size_t *n, struct gw_store *s,
                           const char *state, const char *partner, struct edi_err *err);
/* A page of invoices, newest first, as gw_store_shipment_page. */
int gw_store_invoice_page(struct gw_invoice ***out, size_t *n, struct gw_store *s, const char *state,
                          const char *partner, int64_t after, size_t max, struct edi_err *err);
/* Amazon's word on invoice id: its status word and summary (detail, lines
 * in plain words), and the invoice's state that follows. Only news is
 * written: *changed is 1 when status or detail differ from what was kept
 * (then the state, the two and a history row "Amazon: " + the detail's
 * lines joined by "; " are written), 0 when it is the same news again
 * (nothing is written). EDI_ENOTFOUND when there is no invoice id. */
int gw_store_invoice_amazon(int *changed, struct gw_store *s, int64_t id, const char *status,
                            const char *detail, const char *state, time_t now, struct edi_err *err);
int gw_store_invoice_history(struct gw_history **out, size_t *n, struct gw_store *s,
                             int64_t invoice_id, struct edi_err *err);
/* What an invoice bills (*out is the caller's, free()). */
int gw_store_invoice_bills(struct gw_bill **out, size_t *n, struct gw_store *s, int64_t invoice_id,
                           struct edi_err *err);
/* How many shipments in force carry goods of the order no invoice bills. */
int gw_store_order_unbilled(int64_t *n, struct gw_store *s, int64_t order_id, struct edi_err *err);
/* The invoice billing an order's goods in a shipment, 0 when none. */
int gw_store_billed(int64_t *invoice_id, struct gw_store *s, int64_t shipment_row,
                    int64_t order_id, struct edi_err *err);

/* What an invoice billed of one order line, from one shipment (the row of
 * the version in force when it was billed). number: the invoice's. */
struct gw_billed_line {
    int64_t invoice_id;
    char *number;
    int64_t shipment_row, order_id;
    int line_no;
    char *quantity;        /* decimal string */
};

void gw_billed_lines_free(struct gw_billed_line *v, size_t n);
/* Records what invoice_id bills, line by line (number is not read). */
int gw_store_add_invoice_lines(struct gw_store *s, int64_t invoice_id, const struct gw_billed_line *v,
                               size_t n, struct edi_err *err);
/* What invoices other than except_invoice (0: none) billed of an order from
 * any version of a partner's shipment id, by line (a row per invoice and
 * line; *out is the caller's). */
int gw_store_billed_lines(struct gw_billed_line **out, size_t *n, struct gw_store *s, const char *partner,
                          const char *shipment_id, int64_t order_id, int64_t except_invoice,
                          struct edi_err *err);
/* The latest invoice billing an order's goods in any version of a
 * shipment id, 0 when none. */
int gw_store_last_bill(int64_t *invoice_id, struct gw_store *s, const char *partner, const char *shipment_id,
                       int64_t order_id, struct edi_err *err);
/* Adds a (shipment, order) pair to what an existing invoice bills, with a
 * history row saying why: a replacement that adds nothing to bill. */
int gw_store_add_bill(struct gw_store *s, int64_t invoice_id, int64_t shipment_row, int64_t order_id,
                      const char *why, time_t now, struct edi_err *err);
/* The orders billed from versions of a shipment id other than row
 * except_row (*out is the caller's, free()). */
int gw_store_billed_elsewhere(int64_t **out, size_t *n, struct gw_store *s, const char *partner,
                              const char *shipment_id, int64_t except_row, struct edi_err *err);

/* ---- documents ------------------------------------------------------------------ */

struct gw_document {
    int64_t id;
    char *partner, *direction, *kind;
    char *group_control, *set_control;   /* GS06, ST02 */
    char *ref;             /* a PO, shipment id, invoice number */
    char *state;
    char *findings;
    int64_t about;         /* the document this one is about (a 997, an 864), 0: none */
    char *text;            /* an 864's message */
    time_t created, updated;
};

void gw_documents_free(struct gw_document *v, size_t n);
/* Our outbound documents in a partner's group (GS06), all of them or the
 * one set (ST02) when set_control is given. */
int gw_store_outbound_by_group(struct gw_document **out, size_t *n, struct gw_store *s,
                               const char *partner, const char *group_control,
                               const char *set_control, struct edi_err *err);
/* Documents newest first; NULL/0 filters match anything; about > 0: that
 * document and the documents about it. */
int gw_store_documents(struct gw_document **out, size_t *n, struct gw_store *s, const char *partner,
                       const char *kind, const char *state, int64_t about, size_t max,
                       struct edi_err *err);
/* Records what a document is about (and its text, when not NULL). */
int gw_store_document_about(struct gw_store *s, int64_t id, int64_t about, const char *text,
                            struct edi_err *err);

/* ---- audit and counts ----------------------------------------------------- */

int gw_store_audit(struct gw_store *s, const char *actor, const char *action, const char *subject,
                   const char *detail, time_t now, struct edi_err *err);

struct gw_count {
    char *what;            /* "orders:pending-approval", "documents:rejected", "outbox:due" */
    int64_t n;
};

/* Counts for `wharf status`: orders by state, documents by state, outbox
 * backlog (due, failed), AS2 receipts owed apart (owed, failed; only when
 * some are). */
int gw_store_counts(struct gw_count **out, size_t *n, struct gw_store *s, time_t now,
                    struct edi_err *err);
void gw_counts_free(struct gw_count *v, size_t n);

/* One row of what /metrics shows (gateway/api/metrics.c); what and its
 * labels:
 *   documents       a kind, b direction, c state; v1 how many
 *   orders          a partner, b state; v1 how many
 *   outbox          a partner, b kind, c the age in seconds of the oldest
 *                   due item ("-1": none due); v1 unsent, v2 due at now
 *   outbox-failing  a partner, b kind; v1 unsent after a failed attempt,
 *                   v2 the most attempts of one
 *   run             a partner, b job, c state: the job's last run; v1 its
 *                   seconds (so far, while running), v2 when it ended (0)
 *   as2             a partner, b direction, c status; v1 how many
 * Labels are NULL where the row has none. */
struct gw_metric_row {
    char *what, *a, *b, *c;
    int64_t v1, v2;
};

int gw_store_metrics(struct gw_metric_row **out, size_t *n, struct gw_store *s, time_t now,
                     struct edi_err *err);
void gw_metric_rows_free(struct gw_metric_row *v, size_t n);

/* The last errors (documents rejected, outbox failures, failed runs), newest first. */
int gw_store_last_errors(char ***out, size_t *n, struct gw_store *s, size_t max,
                         struct edi_err *err);
/* The same errors as rows: when, whose, what went wrong and the detail
 * (either may be NULL). */
struct gw_error_row {
    time_t at;
    char *partner, *subject, *detail;
};

int gw_store_last_error_rows(struct gw_error_row **out, size_t *n, struct gw_store *s, size_t max,
                             struct edi_err *err);
void gw_error_rows_free(struct gw_error_row *v, size_t n);

/* Documents per UTC day ("YYYY-MM-DD") created at or after since, the
 * days that have some, oldest first: in, out, and rejected (either way). */
struct gw_day_count {
    char day[11];
    int64_t inbound, outbound, rejected;
};

int gw_store_day_counts(struct gw_day_count **out, size_t *n, struct gw_store *s, time_t since,
                        struct edi_err *err);

/* Acknowledgment latency: for each order whose first acknowledgment was
 * sent at or after since, the UTC day it was sent and the seconds from the
 * order's arrival to then; by day, then seconds. */
struct gw_latency {
    char day[11];
    int64_t seconds;
};

int gw_store_ack_latencies(struct gw_latency **out, size_t *n, struct gw_store *s, time_t since,
                           struct edi_err *err);

/* The outbox's messages not sent (AS2 receipts owed apart) and the age at
 * now of the oldest, in seconds (0 when none). */
int gw_store_outbox_depth(int64_t *depth, int64_t *oldest_s, struct gw_store *s, time_t now,
                          struct edi_err *err);
void gw_strings_free(char **v, size_t n);

/* ---- personal data (purge.c) ---- */

/* The DF orders that are closed (invoiced, closed, cancelled, or rejected
 * with no decision pending) and last changed before `before`, by id,
 * without lines. *out belongs to the caller (gw_orders_free). */
int gw_store_purge_orders(struct gw_order ***out, size_t *n, struct gw_store *s, time_t before,
                          struct edi_err *err);

/* An inbound file that holds one of an order's 850s: its bytes (empty once
 * purged) and every order whose 850 it holds. */
struct gw_purge_raw {
    int64_t id;
    char *name;
    unsigned char *bytes;
    size_t n;
    int64_t *orders;
    size_t norders;
};

int gw_store_purge_raws(struct gw_purge_raw **out, size_t *n, struct gw_store *s, int64_t order_id,
                        struct edi_err *err);
void gw_purge_raws_free(struct gw_purge_raw *v, size_t n);
/* The ship notices (every version) that ship any of the order's lines:
 * id, partner, program, shipment_id and canonical only. */
int gw_store_purge_shipments(struct gw_shipment ***out, size_t *n, struct gw_store *s, int64_t order_id,
                             struct edi_err *err);
/* In one transaction: the order's canonical becomes o->canonical, the raw
 * files' bytes are emptied (their sha256 stays, so a file sent again is
 * still a duplicate), each ship notice's canonical becomes sh[i]->canonical,
 * and `what` goes to the order's history and the audit (action "purge"). */
int gw_store_purge_apply(struct gw_store *s, const struct gw_order *o, const int64_t *raw_ids, size_t nraw,
                         const struct gw_shipment *const *sh, size_t nsh, const char *what, time_t now,
                         struct edi_err *err);

/* After a purge: the write-ahead log, which still holds the purged pages,
 * is checkpointed and truncated (a busy log is left for the next purge). */
int gw_store_purge_checkpoint(struct gw_store *s, struct edi_err *err);

/* ---- secrets (the vault, gateway/secret/vault.h, is their only user) ---- */

/* A secret as the store keeps it: sealed, never its plaintext. */
struct gw_sealed {
    char *partner, *name;
    int key_version;          /* the master key that seals it */
    unsigned char *nonce;     /* nnonce bytes; NULL in a bare listing */
    size_t nnonce;
    unsigned char *sealed;    /* nsealed bytes (ciphertext and tag); NULL in a bare listing */
    size_t nsealed;
    time_t created, updated;
};

/* Keeps v (partner, name, key_version, nonce, sealed) as partner's secret
 * name, replacing an earlier one (whose created time stays); now is its
 * updated time (and created, when new). */
int gw_store_secret_put(struct gw_store *s, const struct gw_sealed *v, time_t now, struct edi_err *err);
/* One secret; EDI_ENOTFOUND when there is none. *out: gw_sealed_free(*out, 1). */
int gw_store_secret_get(struct gw_sealed **out, struct gw_store *s, const char *partner, const char *name,
                        struct edi_err *err);
/* Every secret (partner NULL) or partner's, ordered by partner then name;
 * bare: names, versions and dates only. Inside the caller's transaction
 * (gw_store_begin) when one is open: a rotation reads and re-seals every
 * row in one. */
int gw_store_secrets(struct gw_sealed **out, size_t *n, struct gw_store *s, const char *partner, int bare,
                     struct edi_err *err);
/* EDI_ENOTFOUND when there was none. */
int gw_store_secret_delete(struct gw_store *s, const char *partner, const char *name, struct edi_err *err);
/* The lowest and highest key version among the secrets and how many there
 * are (0, 0, 0 when none). */
int gw_store_secret_versions(int *lo, int *hi, int64_t *n, struct gw_store *s, struct edi_err *err);
void gw_sealed_free(struct gw_sealed *v, size_t n);

/* ---- users of the HTTP API (gateway/api/, cli/users.c) ---- */

/* A user as the store keeps it: the password as an argon2id hash string
 * (gateway/secret/pw.h), never the password. csrf and expires: the
 * session's, when the user was found by a session. */
struct gw_user {
    int64_t id;
    char *name, *role;         /* role: viewer or operator */
    char *pwhash;              /* NULL in listings and when found by token or session */
    char *csrf;
    time_t created, updated, expires;
};

/* A new user; EDI_ESYNTAX (refused) when the name is taken. */
int gw_store_user_add(struct gw_store *s, const char *name, const char *role, const char *pwhash, time_t now,
                      struct edi_err *err);
/* EDI_ENOTFOUND when there is no such user. *out: gw_users_free(*out, 1). */
int gw_store_user_get(struct gw_user **out, struct gw_store *s, const char *name, struct edi_err *err);
/* Every user by name, without their hashes. */
int gw_store_users(struct gw_user **out, size_t *n, struct gw_store *s, struct edi_err *err);
/* A new password hash; the user's sessions end (tokens stay). */
int gw_store_user_passwd(struct gw_store *s, int64_t id, const char *pwhash, time_t now, struct edi_err *err);
/* The user, their tokens and sessions, in one transaction. */
int gw_store_user_delete(struct gw_store *s, int64_t id, struct edi_err *err);
/* An API token's digest (the token itself is never kept). */
int gw_store_token_add(struct gw_store *s, int64_t user_id, const char *digest, time_t now, struct edi_err *err);
/* The user of a token's digest, or of a session's digest still valid at
 * now (csrf and expires set): EDI_ENOTFOUND when none. */
int gw_store_user_by_token(struct gw_user **out, struct gw_store *s, const char *digest, struct edi_err *err);
int gw_store_user_by_session(struct gw_user **out, struct gw_store *s, const char *digest, time_t now,
                             struct edi_err *err);
/* A session (its digest, its CSRF token) until expires. */
int gw_store_session_add(struct gw_store *s, int64_t user_id, const char *digest, const char *csrf, time_t now,
                         time_t expires, struct edi_err *err);
/* Ends a session (NULL: none) and every expired one. */
int gw_store_session_end(struct gw_store *s, const char *digest, time_t now, struct edi_err *err);
void gw_users_free(struct gw_user *v, size_t n);

/* A page of documents, newest first: partner, kind, state (NULL: any),
 * created at since or later, after the document with row id after (0: the
 * first page), at most max. */
int gw_store_document_page(struct gw_document **out, size_t *n, struct gw_store *s, const char *partner,
                           const char *kind, const char *state, time_t since, int64_t after, size_t max,
                           struct edi_err *err);
/* One document by row id; EDI_ENOTFOUND when there is none. */
int gw_store_document(struct gw_document **out, struct gw_store *s, int64_t id, struct edi_err *err);
/* The bytes document id came in or went out in (the caller's, free; a
 * '\0' behind them, not counted in *n): EDI_ENOTFOUND when there is no such
 * document or its bytes are not kept (purged). */
int gw_store_document_raw(char **out, size_t *n, struct gw_store *s, int64_t id, struct edi_err *err);

/* A page of orders, newest first, without their lines: state, partner
 * (NULL: any) and q (NULL: any; a part of the PO number), after the order
 * with row id after (0: the first page), at most max. */
int gw_store_order_page(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                        const char *partner, const char *q, int64_t after, size_t max, struct edi_err *err);

#endif
