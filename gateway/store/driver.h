/*
 * driver.h — the seam between the store's facade (store.c: transactions
 * and savepoints, state rules, paging, claims, the order of migrations)
 * and a database engine (sqlite.c). Inside gateway/store/ only: the rest
 * of wharf sees store.h.
 *
 * A driver is a table of functions, as SQLite's VFS or libgit2's odb
 * backends are: it opens a connection, runs transactions, and runs the
 * statements the facade names by id (enum gw_q) with typed inputs. The
 * statements are data: each driver keeps one table of SQL in its own
 * dialect, addressed by these ids, and its own migrations (DDL is
 * dialect). The facade holds no SQL text and calls no engine.
 *
 * Statement i's inputs are in[0 .. nin): in[k] is parameter k + 1 (?k+1 in
 * SQLite, $k+1 in PostgreSQL). Values are borrowed: they must outlive the
 * cursor's use (until done, or the next exec of the same id).
 *
 * Errors: a driver maps its engine's codes onto ours (EDI_EAGAIN busy,
 * EDI_EIO disk, EDI_ELIMIT too big, EDI_ECONFIG not a store, EDI_ERR the
 * rest, constraint violations included), puts the engine's code in
 * err->sys and writes "store: <op>: <engine message>".
 */
#ifndef WHARF_STORE_DRIVER_H
#define WHARF_STORE_DRIVER_H

#include "edi/edi.h"

#include <stddef.h>
#include <stdint.h>

/* The statements, one id each; every driver has an entry for every id. */
enum gw_q {
    Q_HAS_VERSION,
    Q_VERSION,
    Q_VERSION_TABLE,
    Q_VERSION_SET,
    Q_RAW_FIND,
    Q_RAW_INSERT,
    Q_RAW_RECEIVE,
    Q_RAW_RECEIVED,
    Q_RAW_GET,
    Q_RAW_SETTLE,
    Q_RAW_REPROCESS,
    Q_RAW_AGAIN,
    Q_QUARANTINE_PAGE,
    Q_RAW_DOCS,
    Q_DOC_RAW_ID,
    Q_DOC_LIST_ABOUT,
    Q_ICHG_SEEN,
    Q_ICHG_INSERT,
    Q_DOC_INSERT,
    Q_DOC_STATE,
    Q_DOC_EVENT,
    Q_ORDER_FIND,
    Q_ORDER_INSERT,
    Q_ORDER_UPDATE,
    Q_ORDER_STATE,
    Q_LINES_DELETE,
    Q_LINE_INSERT,
    Q_HISTORY_INSERT,
    Q_ORDER_GET,
    Q_ORDER_LIST,
    Q_ORDER_LIST_IN,
    Q_ORDER_HEADS,
    Q_ORDER_HEADS_IN,
    Q_ORDER_HEADS_BEFORE,
    Q_LINES_GET,
    Q_HISTORY_GET,
    Q_OUTBOX_INSERT,
    Q_OUTBOX_DUE,
    Q_OUTBOX_SENT,
    Q_OUTBOX_FAILED,
    Q_OUTBOX_CLAIM,
    Q_OUTBOX_SUPERSEDED,
    Q_NEXT_CONTROL,
    Q_AUDIT,
    Q_COUNTS,
    Q_LAST_ERRORS,
    Q_ORDER_BY_ID,
    Q_ACK_INSERT,
    Q_ACKS_GET,
    Q_ACKS_OF_ORDER,
    Q_ACK_QUEUED,
    Q_RUN_INSERT,
    Q_RUN_END,
    Q_RUN_LAST,
    Q_RUNS_LIST,
    Q_RUNS_PAGE,
    Q_DOC_OUTBOX,
    Q_DOCS_SENT,
    Q_DOCS_SENT_EVENT,
    Q_SHIP_INSERT,
    Q_SHIP_LINE_INSERT,
    Q_SHIP_GET,
    Q_SHIP_BY_ID,
    Q_SHIP_LIST,
    Q_SHIP_PAGE,
    Q_SHIP_LINES,
    Q_SHIP_STATE,
    Q_ORDER_SHIPPED,
    Q_SSCC_GET,
    Q_SSCC_PUT,
    Q_INV_INSERT,
    Q_INV_BILL,
    Q_INV_HISTORY,
    Q_INV_UPDATE,
    Q_INV_GET,
    Q_INV_BY_ID,
    Q_INV_LIST,
    Q_INV_PAGE,
    Q_INV_HISTORY_GET,
    Q_INV_BILLED,
    Q_INV_DOC_STATE,
    Q_INV_DOC_HISTORY,
    Q_INV_SENT_HISTORY,
    Q_INV_SENT,
    Q_DOC_BY_GROUP,
    Q_DOC_ABOUT,
    Q_DOC_LIST,
    Q_INV_BILLS_GET,
    Q_ORDER_UNBILLED,
    Q_INV_LINE_INSERT,
    Q_INV_LINES_BILLED,
    Q_INV_LAST_BILL,
    Q_INV_BILLED_ELSEWHERE,
    /* purge (rare: a driver need not keep these prepared) */
    Q_PURGE_ORDERS,
    Q_PURGE_RAWS,
    Q_PURGE_RAW_ORDERS,
    Q_PURGE_SHIPMENTS,
    Q_PURGE_ORDER,
    Q_PURGE_RAW,
    Q_PURGE_SHIPMENT,
    Q_PURGE_ERP,
    Q_SECURE_DELETE,
    /* secrets (the vault: gateway/secret/) */
    Q_SECRET_PUT,
    Q_SECRET_GET,
    Q_SECRET_LIST,
    Q_SECRET_DELETE,
    Q_SECRET_VERSIONS,
    Q_CURSOR_GET,
    /* users, tokens and sessions of the HTTP API (gateway/api/) */
    Q_USER_INSERT,
    Q_USER_GET,
    Q_USER_LIST,
    Q_USER_PASSWD,
    Q_USER_DELETE,
    Q_USER_TOKENS_DELETE,
    Q_USER_SESSIONS_DELETE,
    Q_TOKEN_INSERT,
    Q_USER_BY_TOKEN,
    Q_SESSION_INSERT,
    Q_USER_BY_SESSION,
    Q_SESSION_DELETE,
    Q_ORDER_PAGE,
    Q_DOC_PAGE,
    Q_DOC_GET,
    Q_DOC_RAW,
    Q_CURSOR_SET,
    Q_WAIT_GET,
    Q_WAIT_SET,
    Q_OUTBOX_RECEIPT,
    Q_OUTBOX_ERP_DONE,
    Q_OUTBOX_HOLD,
    Q_OUTBOX_RETRY,
    Q_OUTBOX_LIST,
    Q_RECEIPTS,
    Q_OUTBOX_STATUS,
    Q_DOCS_OF_OUTBOX,
    Q_OUTBOX_RESEND,
    Q_INV_AMAZON,
    Q_AS2_PUT,
    Q_AS2_GET,
    Q_AS2_OF_OUTBOX,
    Q_AS2_UPDATE,
    Q_METRICS,
    Q_DAY_COUNTS,
    Q_ACK_LATENCIES,
    Q_OUTBOX_DEPTH,
    Q_COUNT_
};

/* An input: text (NULL: SQL NULL), a 64-bit integer, an id (0 or less:
 * SQL NULL, "no such row"), or bytes (0 bytes: an empty blob, never NULL). */
enum gw_type { GW_T_TEXT, GW_T_INT, GW_T_ID, GW_T_BLOB };

struct gw_param {
    enum gw_type type;
    const char *text;
    int64_t i;
    const void *blob;
    size_t n;
};

#define GW_TEXT(v) {.type = GW_T_TEXT, .text = (v)}
#define GW_INT(v) {.type = GW_T_INT, .i = (int64_t)(v)}
#define GW_ID(v) {.type = GW_T_ID, .i = (int64_t)(v)}
#define GW_BLOB(p, len) {.type = GW_T_BLOB, .blob = (p), .n = (len)}
/* The inputs of one call, as the two arguments (in, nin): GW_IN(GW_INT(id),
 * GW_TEXT(state)). */
#define GW_IN(...) (const struct gw_param[]){__VA_ARGS__}, \
                   (sizeof((const struct gw_param[]){__VA_ARGS__}) / sizeof(struct gw_param))

struct gw_conn;                 /* a driver's connection */

/* A running statement. A driver's cursor starts with this, so the column
 * getters below find their driver. */
struct gw_cursor {
    const struct gw_store_driver *drv;
};

struct gw_store_driver {
    const char *name;
    /* How many migrations the driver has: the schema versions it knows. */
    int nmigrations;

    /* Opens (creating when missing) the store at path, set up for use
     * (journal, durability, foreign keys), without migrating it. */
    int (*open)(struct gw_conn **out, const char *path, struct edi_err *err);
    /* Closes it; a transaction still open is rolled back. NULL: nothing. */
    void (*close)(struct gw_conn *c);
    void (*busy_timeout)(struct gw_conn *c, int ms);

    /* Transactions: outer 1 opens the transaction (write: take the write
     * lock now, so a busy store fails here) or ends it; outer 0 is a level
     * inside it (a savepoint). rollback never fails: what it cannot undo,
     * in_tx tells. */
    int (*begin)(struct gw_conn *c, int outer, int write, const char *op, struct edi_err *err);
    int (*commit)(struct gw_conn *c, int outer, const char *op, struct edi_err *err);
    void (*rollback)(struct gw_conn *c, int outer);
    /* 1 while the engine holds a transaction open (it may have rolled one
     * back on its own, on a full disk). */
    int (*in_tx)(struct gw_conn *c);

    /* SPEC: issue 18 — starts writing to disk what the open transaction
     * has put in the engine's files so far, without waiting for it, so
     * that its commit's sync has less left to do. NULL: nothing. */
    void (*writeback)(struct gw_conn *c);

    /* Runs migration v (schema version v to v + 1), inside the facade's
     * transaction; the facade records the version (Q_VERSION_SET). */
    int (*migrate)(struct gw_conn *c, int v, const char *op, struct edi_err *err);

    /* Statement q with its inputs bound, ready to step. The cursor is the
     * connection's (one per id, kept prepared): done() hands it back. */
    int (*exec)(struct gw_cursor **out, struct gw_conn *c, enum gw_q q, const struct gw_param *in,
                size_t nin, const char *op, struct edi_err *err);
    /* 1: a row, 0: no more rows, < 0: an error. */
    int (*next)(struct gw_cursor *cur, const char *op, struct edi_err *err);
    /* Done with the cursor (NULL: nothing). */
    void (*done)(struct gw_cursor *cur);
    /* Columns of the current row, from 0. SQL NULL is 0, NULL, and (NULL,
     * 0). Text and bytes are borrowed until the next step. */
    int64_t (*col_int)(struct gw_cursor *cur, int i);
    const char *(*col_text)(struct gw_cursor *cur, int i);
    const void *(*col_blob)(struct gw_cursor *cur, int i, size_t *n);

    /* The row id the last insert made, and the rows the last statement
     * changed. */
    int64_t (*last_id)(struct gw_conn *c);
    int64_t (*changes)(struct gw_conn *c);
    /* The steps the engine's statements took so far, all of them (SQLite:
     * virtual machine steps): what a test holds a query's plan to. */
    int64_t (*steps)(struct gw_conn *c);

    /* After a purge: the log that still holds purged pages is emptied (a
     * busy log is left for later, not an error). */
    int (*checkpoint)(struct gw_conn *c, const char *op, struct edi_err *err);
};

/* The drivers there are. */
extern const struct gw_store_driver gw_sqlite_driver;

#endif
