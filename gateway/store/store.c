/*
 * store.c — the gateway's store, the facade of store.h over a driver
 * (driver.h; SQLite's is sqlite.c): transactions that nest, the order of
 * migrations, and one function per state change, each atomic. No SQL and
 * no engine calls here: statements are named by id (enum gw_q), their
 * text is the driver's, in its dialect.
 *
 * What is not here: what the states mean and when they change (the
 * pipeline), the order XML (mappings/), file names and sending (the
 * transports), the SHA-256 of raw bytes (gateway/core/digest.h: the
 * caller's). The contract is store.h.
 *
 * Conventions inside this file:
 * - a statement runs with typed inputs, GW_IN(GW_TEXT(partner),
 *   GW_INT(now)), in the order of its parameters; the driver keeps it
 *   prepared per connection;
 * - a function that changes state runs between tx_begin and tx_end: at the
 *   top level that is a write transaction that takes the lock at once,
 *   inside a transaction the caller opened with gw_store_begin it is a
 *   savepoint, so the call is still atomic (a failed call leaves the
 *   caller's earlier work intact);
 * - functions that only read run in a read transaction, so an order and
 *   its lines come from one snapshot;
 * - a getter of one row returns EDI_ENOTFOUND when there is none, naming
 *   what was looked for; a list is 0 with n == 0;
 * - Ids (raw_id, interchange_id) of 0 or less are stored as NULL: "no
 *   such row" (an SP-API message has no interchange): GW_ID.
 */
#include "gateway/store/store.h"
#include "gateway/store/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gw_store {
    const struct gw_store_driver *drv;
    struct gw_conn *conn;
    char *path;
    int version;
    int depth;      /* open levels: 0 none, 1 the transaction, more: savepoints */
    int doomed;     /* the engine rolled the caller's transaction back: its rc */
    int bulk;       /* the transaction is gw_store_begin_bulk's: no savepoints inside */
    int bulk_failed;  /* a call failed inside it: what it did is still in the transaction */
    int lost;       /* a later call or the commit was refused for that (gw_store_bulk_lost) */
    uint64_t reads; /* bit d: level d of a bulk transaction only reads */
};

#define NO_IN NULL, 0

/* ---- statements and rows ------------------------------------------------------ */

static int q_open(struct gw_cursor **cur, struct gw_store *s, enum gw_q q, const struct gw_param *in,
                  size_t nin, const char *op, struct edi_err *err)
{
    return s->drv->exec(cur, s->conn, q, in, nin, op, err);
}

/* 1: a row, 0: done, < 0: an error. */
static int next(struct gw_cursor *cur, const char *op, struct edi_err *err)
{
    return cur->drv->next(cur, op, err);
}

/* Puts a statement back for its next use (NULL: nothing). */
static void done(struct gw_cursor *cur)
{
    if (cur != NULL)
        cur->drv->done(cur);
}

static int64_t col_int(struct gw_cursor *cur, int i)
{
    return cur->drv->col_int(cur, i);
}

static const char *col_text(struct gw_cursor *cur, int i)
{
    return cur->drv->col_text(cur, i);
}

/* A copy of a text column, NULL for SQL NULL. */
static char *col_str(struct gw_cursor *cur, int i)
{
    const char *t = cur->drv->col_text(cur, i);

    return t != NULL ? edi_xstrdup(t) : NULL;
}

/* A copy of a blob column with a '\0' behind it (not counted in *n). */
static void *col_bytes(size_t *n, struct gw_cursor *cur, int i)
{
    const void *b = cur->drv->col_blob(cur, i, n);
    char *p = edi_xmalloc(*n + 1);

    if (*n > 0)
        memcpy(p, b, *n);
    p[*n] = '\0';
    return p;
}

/* Runs q for its effect: one step, rows unread. */
static int q_run(struct gw_store *s, enum gw_q q, const struct gw_param *in, size_t nin, const char *op,
                 struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    if ((rc = q_open(&cur, s, q, in, nin, op, err)) < 0)
        return rc;
    rc = next(cur, op, err);
    done(cur);
    return rc < 0 ? rc : 0;
}

/* q_run, and how many rows it changed. */
static int q_change(int64_t *changed, struct gw_store *s, enum gw_q q, const struct gw_param *in,
                    size_t nin, const char *op, struct edi_err *err)
{
    int rc = q_run(s, q, in, nin, op, err);

    *changed = rc == 0 ? s->drv->changes(s->conn) : 0;
    return rc;
}

/* q_run for an insert: *id is the new row. */
static int q_insert(int64_t *id, struct gw_store *s, enum gw_q q, const struct gw_param *in, size_t nin,
                    const char *op, struct edi_err *err)
{
    int rc = q_run(s, q, in, nin, op, err);

    *id = rc == 0 ? s->drv->last_id(s->conn) : 0;
    return rc;
}

/* The first row: 1 with *cur on it (the caller's to put back with done),
 * 0 when there is none, < 0 an error (*cur NULL both times). */
static int q_first(struct gw_cursor **cur, struct gw_store *s, enum gw_q q, const struct gw_param *in,
                   size_t nin, const char *op, struct edi_err *err)
{
    int rc;

    if ((rc = q_open(cur, s, q, in, nin, op, err)) < 0)
        return rc;
    if ((rc = next(*cur, op, err)) <= 0) {
        done(*cur);
        *cur = NULL;
    }
    return rc;
}

/* The first row's first column as an integer, 0 when there is no row. */
static int q_int(int64_t *v, struct gw_store *s, enum gw_q q, const struct gw_param *in, size_t nin,
                 const char *op, struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    *v = 0;
    if ((rc = q_first(&cur, s, q, in, nin, op, err)) == 1)
        *v = col_int(cur, 0);
    done(cur);
    return rc < 0 ? rc : 0;
}

/* Room for one more of v's elements (size bytes each) when k reached *cap. */
static void *grow(void *v, size_t *cap, size_t k, size_t size)
{
    if (k < *cap)
        return v;
    *cap = *cap ? 2 * *cap : 8;
    return edi_xrealloc(v, *cap * size);
}

/* A size limit as a statement's LIMIT. */
static int64_t limit_of(size_t max)
{
    return max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
}

/* ---- transactions -------------------------------------------------------------- */

enum { TX_READ, TX_WRITE };

/* Opens one level: the transaction (writes: the write lock is taken now,
 * so a busy store fails here, before any work, with EDI_EAGAIN), or a
 * savepoint inside an open transaction. */
static int tx_begin(struct gw_store *s, int mode, const char *op, struct edi_err *err)
{
    int rc;

    if (s->doomed) {
        s->lost |= s->bulk_failed;
        return edi_fail(err, s->doomed,
                        "store: %s: the open transaction was lost to an earlier error; roll it back",
                        op);
    }
    if (s->depth > 0 && s->bulk) {
        /* no savepoint: a failure of a level that writes loses the whole
         * transaction (tx_undo); one that only reads (a getter's "not
         * found" included) changed nothing */
        if (s->depth < 64) {
            if (mode == TX_READ)
                s->reads |= (uint64_t)1 << s->depth;
            else
                s->reads &= ~((uint64_t)1 << s->depth);
        }
        s->depth++;
        return 0;
    }
    if ((rc = s->drv->begin(s->conn, s->depth == 0, mode == TX_WRITE, op, err)) < 0)
        return rc;
    s->depth++;
    return 0;
}

/* Undoes the innermost level. When the engine has already rolled the
 * whole transaction back (SQLite may, on I/O errors and a full disk), a
 * caller's outer transaction is gone too: remember that, so its later
 * calls and its commit fail instead of running outside any transaction. */
static void tx_undo(struct gw_store *s, int rc)
{
    if (s->depth <= 0)
        return;
    if (s->depth > 1 && s->bulk && s->depth <= 64 && (s->reads >> (s->depth - 1) & 1)) {
        s->depth--;
        return;
    }
    if (s->depth > 1 && s->bulk && s->drv->in_tx(s->conn)) {
        /* what the failed call did cannot be undone alone: the whole
         * transaction is lost, and the caller's next call or commit says so */
        if (!s->doomed)
            s->doomed = rc < 0 ? rc : EDI_ERR;
        s->bulk_failed = 1;
        s->depth--;
        return;
    }
    if (!s->drv->in_tx(s->conn)) {
        if (s->depth > 1 && !s->doomed)
            s->doomed = rc < 0 ? rc : EDI_ERR;
    } else {
        s->drv->rollback(s->conn, s->depth == 1);
    }
    if (--s->depth == 0)
        s->bulk = s->bulk_failed = 0;
}

/* Closes the innermost level: commits (or releases the savepoint) when rc
 * is 0, else undoes it. Returns rc, or the commit's error. */
static int tx_end(struct gw_store *s, int rc, const char *op, struct edi_err *err)
{
    if (s->depth <= 0)
        return rc;
    if (rc >= 0 && s->depth > 1 && s->bulk) {
        s->depth--;
        return rc;
    }
    if (rc >= 0) {
        int c = s->drv->commit(s->conn, s->depth == 1, op, err);

        if (c == 0) {
            if (--s->depth == 0)
                s->bulk = s->bulk_failed = 0;
            return rc;
        }
        rc = c;
    }
    tx_undo(s, rc);
    return rc;
}

int gw_store_begin(struct gw_store *s, struct edi_err *err)
{
    return tx_begin(s, TX_WRITE, "begin", err);
}

int gw_store_begin_bulk(struct gw_store *s, struct edi_err *err)
{
    int rc;

    if (s->depth > 0)
        return edi_fail(err, EDI_ERR, "store: begin bulk: a transaction is open");
    if ((rc = tx_begin(s, TX_WRITE, "begin", err)) == 0) {
        s->bulk = 1;
        s->bulk_failed = s->lost = 0;
    }
    return rc;
}

int gw_store_bulk_lost(const struct gw_store *s)
{
    return s->lost;
}

int64_t gw_store_steps(struct gw_store *s)
{
    return s->drv->steps ? s->drv->steps(s->conn) : 0;
}

void gw_store_writeback(struct gw_store *s)
{
    if (s->drv->writeback)
        s->drv->writeback(s->conn);
}

/* On failure the transaction is rolled back: redo the whole unit. */
int gw_store_commit(struct gw_store *s, struct edi_err *err)
{
    int rc;

    if (s->depth <= 0)
        return edi_fail(err, EDI_ERR, "store: commit: no transaction open");
    if (s->doomed) {
        s->lost |= s->bulk_failed;
        rc = edi_fail(err, s->doomed, "store: commit: the transaction was lost to an earlier error");
        gw_store_rollback(s);
        return rc;
    }
    return tx_end(s, 0, "commit", err);
}

void gw_store_rollback(struct gw_store *s)
{
    if (s == NULL || s->depth <= 0)
        return;
    if (s->doomed && s->bulk_failed && s->depth > 1) {
        /* an inner level of a lost bulk transaction: it stays lost, and
         * open, until its owner rolls it back */
        s->depth--;
        return;
    }
    if (s->doomed) {
        /* nothing left to undo at any level */
        if (s->drv->in_tx(s->conn))
            s->drv->rollback(s->conn, 1);
        s->depth = 0;
        s->doomed = 0;
        s->bulk = s->bulk_failed = 0;
        return;
    }
    tx_undo(s, EDI_ERR);
}

/* ---- open, migrate, close ------------------------------------------------- */

/* The schema version on disk (0: an empty store). */
static int read_version(int *out, struct gw_store *s, struct edi_err *err)
{
    static const char op[] = "read schema version";
    int64_t v;
    int rc;

    *out = 0;
    if ((rc = q_int(&v, s, Q_HAS_VERSION, NO_IN, op, err)) < 0 || v == 0)
        return rc;
    if ((rc = q_int(&v, s, Q_VERSION, NO_IN, op, err)) < 0)
        return rc;
    *out = (int)v;
    return 0;
}

static int too_new(const struct gw_store *s, int v, struct edi_err *err)
{
    return edi_fail(err, EDI_ECONFIG,
                    "store: %s has schema version %d, newer than this wharf knows (%d): "
                    "run a newer wharf",
                    s->path, v, s->drv->nmigrations);
}

/* Applies the migrations the store lacks, each in its own transaction.
 * The version is read without a lock first, so an up-to-date store opens
 * while another process writes; under the write lock it is read again, in
 * case another process migrated in between. */
static int migrate(struct gw_store *s, struct edi_err *err)
{
    const int last = s->drv->nmigrations;
    char op[64];
    int rc, v, cur;

    if ((rc = read_version(&v, s, err)) < 0)
        return rc;
    if (v > last)
        return too_new(s, v, err);
    for (; v < last; v++) {
        snprintf(op, sizeof(op), "migrate to schema version %d", v + 1);
        if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
            return rc;
        if ((rc = q_run(s, Q_VERSION_TABLE, NO_IN, op, err)) < 0 || (rc = read_version(&cur, s, err)) < 0)
            goto next;
        if (cur > last) {
            rc = too_new(s, cur, err);
            goto next;
        }
        if (cur > v) {              /* another process migrated meanwhile */
            v = cur - 1;
            goto next;
        }
        if ((rc = s->drv->migrate(s->conn, v, op, err)) == 0)
            rc = q_run(s, Q_VERSION_SET, GW_IN(GW_INT(v + 1)), op, err);
next:
        if ((rc = tx_end(s, rc, op, err)) < 0)
            return rc;
    }
    s->version = last;
    return 0;
}

int gw_store_open(struct gw_store **out, const char *path, struct edi_err *err)
{
    struct gw_store *s = NULL;
    int rc;

    *out = NULL;
    if (path == NULL || *path == '\0')
        return edi_fail(err, EDI_ERR, "store: open: no path");
    s = edi_xcalloc(1, sizeof(*s));
    s->drv = &gw_sqlite_driver;
    s->path = edi_xstrdup(path);
    if ((rc = s->drv->open(&s->conn, path, err)) < 0 || (rc = migrate(s, err)) < 0)
        goto out;
    *out = s;
    s = NULL;
out:
    gw_store_close(s);
    return rc;
}

void gw_store_close(struct gw_store *s)
{
    if (s == NULL)
        return;
    if (s->conn != NULL)
        s->drv->close(s->conn);
    free(s->path);
    free(s);
}

int gw_store_version(const struct gw_store *s)
{
    return s->version;
}

void gw_store_set_busy_timeout(struct gw_store *s, int ms)
{
    s->drv->busy_timeout(s->conn, ms);
}

/* ---- raw bytes ---------------------------------------------------------------- */

/* The digest is the caller's (gateway/core/digest.h): 64 hex digits. */
static int digest_ok(const char *sha256, const char *op, struct edi_err *err)
{
    size_t i;

    for (i = 0; sha256 != NULL && i < 64; i++)
        if (!((sha256[i] >= '0' && sha256[i] <= '9') || (sha256[i] >= 'a' && sha256[i] <= 'f')))
            break;
    if (sha256 == NULL || i < 64 || sha256[64] != '\0')
        return edi_fail(err, EDI_ERR, "store: %s: no SHA-256 (64 lowercase hex digits)", op);
    return 0;
}

int gw_store_put_raw(int64_t *id, int *dup, struct gw_store *s, const char *partner,
                     const char *direction, const char *name, const char *sha256, const void *bytes,
                     size_t n, time_t now, struct edi_err *err)
{
    static const char op[] = "put raw";
    int rc;

    *id = 0;
    *dup = 0;
    if (bytes == NULL && n > 0)
        return edi_fail(err, EDI_ERR, "store: put raw: no bytes");
    if ((rc = digest_ok(sha256, op, err)) < 0 || (rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_int(id, s, Q_RAW_FIND, GW_IN(GW_TEXT(partner), GW_TEXT(direction), GW_TEXT(sha256)), op, err);
    if (rc == 0 && *id != 0)
        *dup = 1;
    else if (rc == 0)
        rc = q_insert(id, s, Q_RAW_INSERT,
                      GW_IN(GW_TEXT(partner), GW_TEXT(direction), GW_TEXT(name), GW_TEXT(sha256),
                            GW_BLOB(bytes, n), GW_INT(n), GW_INT(now)), op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        *id = 0;
        *dup = 0;
    }
    return rc;
}

int gw_store_receive_raw(int64_t *id, int *dup, int *pending, struct gw_store *s, const char *partner,
                         const char *name, const char *sha256, const void *bytes, size_t n, time_t now,
                         struct edi_err *err)
{
    static const char op[] = "receive raw";
    struct gw_cursor *get = NULL;
    int rc;

    *id = 0;
    *dup = 0;
    *pending = 0;
    if (bytes == NULL && n > 0)
        return edi_fail(err, EDI_ERR, "store: receive raw: no bytes");
    if ((rc = digest_ok(sha256, op, err)) < 0 || (rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_int(id, s, Q_RAW_FIND, GW_IN(GW_TEXT(partner), GW_TEXT("in"), GW_TEXT(sha256)), op, err);
    if (rc == 0 && *id != 0) {
        *dup = 1;
        if ((rc = q_first(&get, s, Q_RAW_GET, GW_IN(GW_INT(*id)), op, err)) == 1)
            *pending = strcmp(col_text(get, 6), "received") == 0;
        done(get);
    } else if (rc == 0) {
        rc = q_insert(id, s, Q_RAW_RECEIVE,
                      GW_IN(GW_TEXT(partner), GW_TEXT(name), GW_TEXT(sha256), GW_BLOB(bytes, n), GW_INT(n),
                            GW_INT(now)), op, err);
        *pending = rc == 0;
    }
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) < 0) {
        *id = 0;
        *dup = 0;
        *pending = 0;
    }
    return rc;
}

int gw_store_raws_received(int64_t **ids, size_t *n, struct gw_store *s, const char *partner,
                           struct edi_err *err)
{
    static const char op[] = "received raws";
    struct gw_cursor *cur = NULL;
    size_t cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_open(&cur, s, Q_RAW_RECEIVED, GW_IN(GW_TEXT(partner)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            *ids = grow(*ids, &cap, *n, sizeof(**ids));
            (*ids)[(*n)++] = col_int(cur, 0);
        }
    done(cur);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int gw_store_get_raw(struct gw_raw **out, struct gw_store *s, int64_t id, struct edi_err *err)
{
    static const char op[] = "get raw";
    struct gw_cursor *cur = NULL;
    struct gw_raw *r;
    int rc;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_first(&cur, s, Q_RAW_GET, GW_IN(GW_INT(id)), op, err)) == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no raw message #%lld", op, (long long)id);
    if (rc == 1) {
        r = edi_xcalloc(1, sizeof(*r));
        r->id = col_int(cur, 0);
        r->partner = col_str(cur, 1);
        r->name = col_str(cur, 2);
        r->bytes = col_bytes(&r->n, cur, 3);
        r->received = (time_t)col_int(cur, 5);
        r->state = col_str(cur, 6);
        r->verdict = col_str(cur, 7);
        r->reason = col_str(cur, 8);
        r->direction = col_str(cur, 9);
        r->reprocess_of = col_int(cur, 10);
        *out = r;
        rc = 0;
    }
    done(cur);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        gw_raw_free(*out);
        *out = NULL;
    }
    return rc;
}

void gw_raw_free(struct gw_raw *r)
{
    if (r == NULL)
        return;
    free(r->partner);
    free(r->name);
    free(r->bytes);
    free(r->state);
    free(r->verdict);
    free(r->reason);
    free(r->direction);
    free(r);
}

int gw_store_raw_settle(struct gw_store *s, int64_t id, const char *verdict, const char *reason,
                        struct edi_err *err)
{
    static const char op[] = "settle raw";
    int64_t changed;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_RAW_SETTLE, GW_IN(GW_INT(id), GW_TEXT(verdict), GW_TEXT(reason)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no raw message #%lld", op, (long long)id);
    return tx_end(s, rc, op, err);
}

int gw_store_reprocess_raw(int64_t *id, struct gw_store *s, int64_t of, time_t now, struct edi_err *err)
{
    static const char op[] = "reprocess raw";
    struct gw_cursor *cur = NULL;
    int rc;

    *id = 0;
    /* the write lock first: a second reprocess of the same row waits here
     * and then finds the first one's row */
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = q_first(&cur, s, Q_RAW_GET, GW_IN(GW_INT(of)), op, err)) == 0 ||
        (rc == 1 && strcmp(col_text(cur, 9), "in") != 0))
        rc = edi_fail(err, EDI_ENOTFOUND, "no inbound file #%lld", (long long)of);
    else if (rc == 1 && strcmp(col_text(cur, 6), "received") == 0)
        rc = edi_fail(err, EDI_ESYNTAX, "file #%lld is not processed yet: the next pass does it", (long long)of);
    else if (rc == 1 && (col_text(cur, 7) == NULL || strcmp(col_text(cur, 7), "quarantined") != 0))
        rc = edi_fail(err, EDI_ESYNTAX, "file #%lld is not quarantined (%s): there is nothing to reprocess",
                      (long long)of, col_text(cur, 7) ? col_text(cur, 7) : "processed");
    done(cur);
    cur = NULL;
    if (rc == 1 && (rc = q_first(&cur, s, Q_RAW_AGAIN, GW_IN(GW_INT(of)), op, err)) == 1) {
        const char *v = col_text(cur, 3) ? col_text(cur, 3) : col_text(cur, 2);

        rc = edi_fail(err, EDI_ESYNTAX, "file #%lld was reprocessed already, as #%lld (%s)%s", (long long)of,
                      (long long)col_int(cur, 0), v,
                      strcmp(v, "quarantined") == 0 ? ": reprocess that one after the next fix" : "");
    }
    done(cur);
    if (rc == 0)
        rc = q_insert(id, s, Q_RAW_REPROCESS, GW_IN(GW_INT(of), GW_INT(now)), op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

int gw_store_quarantine_page(struct gw_quarantined **out, size_t *n, struct gw_store *s, const char *partner,
                             int64_t after, size_t max, struct edi_err *err)
{
    static const char op[] = "page of quarantined files";
    struct gw_cursor *cur = NULL;
    struct gw_quarantined *v = NULL;
    size_t cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_open(&cur, s, Q_QUARANTINE_PAGE, GW_IN(GW_TEXT(partner), GW_INT(after), GW_INT(limit_of(max))), op,
                     err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            struct gw_quarantined *q;

            v = grow(v, &cap, *n, sizeof(*v));
            q = &v[(*n)++];
            memset(q, 0, sizeof(*q));
            q->id = col_int(cur, 0);
            q->partner = col_str(cur, 1);
            q->name = col_str(cur, 2);
            q->received = (time_t)col_int(cur, 3);
            q->reason = col_str(cur, 4);
            q->size = col_int(cur, 5);
            q->again = col_int(cur, 6);
            q->again_at = (time_t)col_int(cur, 7);
            q->again_verdict = col_str(cur, 8);
            q->of = col_int(cur, 9);
        }
    done(cur);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        gw_quarantined_free(v, *n);
        v = NULL;
        *n = 0;
    }
    *out = v;
    return rc;
}

void gw_quarantined_free(struct gw_quarantined *v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++) {
        free(v[i].partner);
        free(v[i].name);
        free(v[i].reason);
        free(v[i].again_verdict);
    }
    free(v);
}

int gw_store_raw_documents(int64_t **ids, size_t *n, struct gw_store *s, int64_t id, struct edi_err *err)
{
    static const char op[] = "documents of a file";
    struct gw_cursor *cur = NULL;
    size_t cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_RAW_DOCS, GW_IN(GW_INT(id)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            *ids = grow(*ids, &cap, *n, sizeof(**ids));
            (*ids)[(*n)++] = col_int(cur, 0);
        }
    done(cur);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc < 0 ? rc : 0;
}

int gw_store_document_file(int64_t *raw_id, char **verdict, struct gw_store *s, int64_t id,
                           struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    int rc;

    *raw_id = 0;
    if (verdict)
        *verdict = NULL;
    if ((rc = q_first(&cur, s, Q_DOC_RAW_ID, GW_IN(GW_INT(id)), "file of a document", err)) == 1) {
        *raw_id = col_int(cur, 0);
        if (verdict)
            *verdict = col_str(cur, 1);
    }
    done(cur);
    if (rc >= 0 && *raw_id == 0) {
        if (verdict) {
            free(*verdict);
            *verdict = NULL;
        }
        return edi_fail(err, EDI_ENOTFOUND, "document %lld came in no inbound file the store keeps", (long long)id);
    }
    return rc < 0 ? rc : 0;
}

/* ---- interchanges and documents ----------------------------------------------- */

int gw_store_interchange_seen(int *seen, struct gw_store *s, const char *partner,
                              const char *direction, const char *control, struct edi_err *err)
{
    int64_t v;
    int rc;

    rc = q_int(&v, s, Q_ICHG_SEEN, GW_IN(GW_TEXT(partner), GW_TEXT(direction), GW_TEXT(control)),
               "interchange seen", err);
    *seen = rc == 0 && v != 0;
    return rc;
}

/* The same (partner, direction, control) twice is a constraint violation:
 * EDI_ERR (ask gw_store_interchange_seen first). */
int gw_store_add_interchange(int64_t *id, struct gw_store *s, int64_t raw_id,
                             const char *partner, const char *direction, const char *control,
                             const char *sender, const char *receiver, const char *status,
                             time_t now, struct edi_err *err)
{
    char op[128];
    int rc;

    *id = 0;
    snprintf(op, sizeof(op), "add interchange %s %s %s", partner ? partner : "?",
             direction ? direction : "?", control ? control : "?");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_insert(id, s, Q_ICHG_INSERT,
                  GW_IN(GW_ID(raw_id), GW_TEXT(partner), GW_TEXT(direction), GW_TEXT(control),
                        GW_TEXT(sender), GW_TEXT(receiver), GW_TEXT(status), GW_INT(now)), op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

static int doc_event(struct gw_store *s, int64_t id, time_t now, const char *state,
                     const char *detail, const char *op, struct edi_err *err)
{
    return q_run(s, Q_DOC_EVENT, GW_IN(GW_INT(id), GW_INT(now), GW_TEXT(state), GW_TEXT(detail)), op, err);
}

/* interchange_id 0: none (an SP-API message). The first event repeats the
 * initial state. */
int gw_store_add_document(int64_t *id, struct gw_store *s, int64_t interchange_id,
                          const char *partner, const char *direction, const char *kind,
                          const char *group_control, const char *set_control, const char *ref,
                          const char *state, const char *findings, time_t now,
                          struct edi_err *err)
{
    static const char op[] = "add document";
    int rc;

    *id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_insert(id, s, Q_DOC_INSERT,
                  GW_IN(GW_ID(interchange_id), GW_TEXT(partner), GW_TEXT(direction), GW_TEXT(kind),
                        GW_TEXT(group_control), GW_TEXT(set_control), GW_TEXT(ref), GW_TEXT(state),
                        GW_TEXT(findings), GW_INT(now)), op, err);
    if (rc == 0)
        rc = doc_event(s, *id, now, state, NULL, op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

/* UPDATE ... SET state = ?2, updated = ?3 WHERE id = ?1 (q), inside the
 * caller's transaction; EDI_ENOTFOUND when no row has that id. */
static int set_state(struct gw_store *s, enum gw_q q, int64_t id, const char *state, time_t now,
                     const char *what, const char *op, struct edi_err *err)
{
    int64_t changed;
    int rc = q_change(&changed, s, q, GW_IN(GW_INT(id), GW_TEXT(state), GW_INT(now)), op, err);

    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no such %s", op, what);
    return rc;
}

/* EDI_ENOTFOUND when there is no document id. */
int gw_store_set_document_state(struct gw_store *s, int64_t id, const char *state,
                                const char *detail, time_t now, struct edi_err *err)
{
    char op[64], what[300];
    int rc;

    snprintf(op, sizeof(op), "set document %lld state", (long long)id);
    snprintf(what, sizeof(what), "the 810 is %s%s%s", state ? state : "?", detail ? ": " : "", detail ? detail : "");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = set_state(s, Q_DOC_STATE, id, state, now, "document", op, err)) == 0)
        rc = doc_event(s, id, now, state, detail, op, err);
    /* an invoice follows the 810 that carries it (sent, accepted, rejected):
     * the history first (it names the invoices about to change) */
    if (rc == 0)
        rc = q_run(s, Q_INV_DOC_HISTORY, GW_IN(GW_INT(id), GW_TEXT(state), GW_INT(now), GW_TEXT(what)), op,
                   err);
    if (rc == 0)
        rc = q_run(s, Q_INV_DOC_STATE, GW_IN(GW_INT(id), GW_TEXT(state), GW_INT(now)), op, err);
    return tx_end(s, rc, op, err);
}

/* ---- sales orders ----------------------------------------------------------- */

void gw_order_free(struct gw_order *o)
{
    size_t i;

    if (o == NULL)
        return;
    for (i = 0; i < o->nlines; i++) {
        struct gw_order_line *l = &o->lines[i];

        free(l->product_id);
        free(l->description);
        free(l->quantity);
        free(l->unit);
        free(l->unit_cost);
        free(l->state);
    }
    free(o->lines);
    free(o->partner);
    free(o->program);
    free(o->po_number);
    free(o->state);
    free(o->canonical);
    free(o);
}

void gw_orders_free(struct gw_order **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        gw_order_free(v[i]);
    free(v);
}

static int history_add(struct gw_store *s, int64_t order_id, time_t now, const char *state,
                       const char *what, const char *op, struct edi_err *err)
{
    return q_run(s, Q_HISTORY_INSERT, GW_IN(GW_INT(order_id), GW_INT(now), GW_TEXT(state), GW_TEXT(what)),
                 op, err);
}

static int lines_put(struct gw_store *s, int64_t order_id, const struct gw_order *o, const char *op,
                     struct edi_err *err)
{
    int rc = 0;
    size_t i;

    for (i = 0; i < o->nlines && rc == 0; i++) {
        const struct gw_order_line *l = &o->lines[i];

        rc = q_run(s, Q_LINE_INSERT,
                   GW_IN(GW_INT(order_id), GW_INT(l->line_no), GW_TEXT(l->product_id),
                         GW_TEXT(l->description), GW_TEXT(l->quantity), GW_TEXT(l->unit),
                         GW_TEXT(l->unit_cost), GW_TEXT(l->state ? l->state : "open")), op, err);
    }
    return rc;
}

/* "created" or "updated", with ": why" when there is a why. */
static char *what_of(const char *verb, const char *why)
{
    size_t a = strlen(verb), b = why ? strlen(why) : 0;
    char *w = edi_xmalloc(a + b + 3);

    memcpy(w, verb, a);
    if (why != NULL) {
        memcpy(w + a, ": ", 2);
        memcpy(w + a + 2, why, b);
        a += b + 2;
    }
    w[a] = '\0';
    return w;
}

/* o->state must be set (an update sets it too). A line without a state is
 * "open". Two lines with one line_no: EDI_ERR. */
int gw_store_upsert_order(int64_t *id, int *created, struct gw_store *s, const struct gw_order *o,
                          const char *why, time_t now, struct edi_err *err)
{
    char op[128];
    char *what = NULL;
    int rc, fresh = 0;

    *id = 0;
    *created = 0;
    snprintf(op, sizeof(op), "upsert order %s %s %s", o->partner ? o->partner : "?",
             o->program ? o->program : "?", o->po_number ? o->po_number : "?");
    if (o->state == NULL)
        return edi_fail(err, EDI_ERR, "store: %s: no state", op);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = q_int(id, s, Q_ORDER_FIND, GW_IN(GW_TEXT(o->partner), GW_TEXT(o->program),
                                               GW_TEXT(o->po_number)), op, err)) < 0)
        goto out;
    fresh = *id == 0;
    if (fresh)
        rc = q_insert(id, s, Q_ORDER_INSERT,
                      GW_IN(GW_TEXT(o->partner), GW_TEXT(o->program), GW_TEXT(o->po_number),
                            GW_TEXT(o->state), GW_TEXT(o->canonical), GW_INT(now)), op, err);
    else if ((rc = q_run(s, Q_ORDER_UPDATE, GW_IN(GW_INT(*id), GW_TEXT(o->state), GW_TEXT(o->canonical),
                                                   GW_INT(now)), op, err)) == 0)
        rc = q_run(s, Q_LINES_DELETE, GW_IN(GW_INT(*id)), op, err);
    if (rc < 0 || (rc = lines_put(s, *id, o, op, err)) < 0)
        goto out;
    what = what_of(fresh ? "created" : "updated", why);
    rc = history_add(s, *id, now, o->state, what, op, err);
out:
    free(what);
    if ((rc = tx_end(s, rc, op, err)) == 0)
        *created = fresh;
    else
        *id = 0;
    return rc;
}

/* The order in the cursor's row (ORDER_COLS), without its lines. */
static struct gw_order *order_of_row(struct gw_cursor *cur)
{
    struct gw_order *o = edi_xcalloc(1, sizeof(*o));

    o->id = col_int(cur, 0);
    o->partner = col_str(cur, 1);
    o->program = col_str(cur, 2);
    o->po_number = col_str(cur, 3);
    o->state = col_str(cur, 4);
    o->canonical = col_str(cur, 5);
    o->created = (time_t)col_int(cur, 6);
    o->updated = (time_t)col_int(cur, 7);
    return o;
}

static int lines_get(struct gw_order *o, struct gw_store *s, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    size_t cap = 0;
    int rc;

    if ((rc = q_open(&cur, s, Q_LINES_GET, GW_IN(GW_INT(o->id)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            struct gw_order_line *l;

            o->lines = grow(o->lines, &cap, o->nlines, sizeof(*o->lines));
            l = &o->lines[o->nlines++];
            l->line_no = (int)col_int(cur, 0);
            l->product_id = col_str(cur, 1);
            l->description = col_str(cur, 2);
            l->quantity = col_str(cur, 3);
            l->unit = col_str(cur, 4);
            l->unit_cost = col_str(cur, 5);
            l->state = col_str(cur, 6);
        }
    done(cur);
    return rc < 0 ? rc : 0;
}

/* The order statement q finds, with its lines, in one read transaction;
 * EDI_ENOTFOUND (what names it) when there is none. */
static int order_get(struct gw_order **out, struct gw_store *s, enum gw_q q, const struct gw_param *in,
                     size_t nin, const char *what, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_order *o = NULL;
    int rc;

    *out = NULL;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_first(&cur, s, q, in, nin, op, err)) == 1) {
        o = order_of_row(cur);
        done(cur);
        rc = lines_get(o, s, op, err);
    } else if (rc == 0) {
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no order %s", op, what);
    }
    if ((rc = tx_end(s, rc, op, err)) == 0) {
        *out = o;
        o = NULL;
    }
    gw_order_free(o);
    return rc;
}

int gw_store_get_order(struct gw_order **out, struct gw_store *s, const char *partner,
                       const char *program, const char *po_number, struct edi_err *err)
{
    char what[300];

    snprintf(what, sizeof(what), "%s %s %s", partner ? partner : "?", program ? program : "?",
             po_number ? po_number : "?");
    return order_get(out, s, Q_ORDER_GET, GW_IN(GW_TEXT(partner), GW_TEXT(program), GW_TEXT(po_number)),
                     what, "get order", err);
}

int gw_store_get_order_by_id(struct gw_order **out, struct gw_store *s, int64_t id,
                             struct edi_err *err)
{
    char what[32];

    snprintf(what, sizeof(what), "#%lld", (long long)id);
    return order_get(out, s, Q_ORDER_BY_ID, GW_IN(GW_INT(id)), what, "get order by id", err);
}

/* EDI_ENOTFOUND when there is no order id. why: the history's text
 * (default "state changed"). */
int gw_store_set_order_state(struct gw_store *s, int64_t id, const char *state,
                             const char *why, time_t now, struct edi_err *err)
{
    char op[64];
    int rc;

    snprintf(op, sizeof(op), "set order %lld state", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = set_state(s, Q_ORDER_STATE, id, state, now, "order", op, err)) == 0)
        rc = history_add(s, id, now, state, why ? why : "state changed", op, err);
    return tx_end(s, rc, op, err);
}

/* Orders statement q finds (ORDER_COLS), with their lines unless bare. */
static int orders_found(struct gw_order ***out, size_t *n, struct gw_store *s, enum gw_q q,
                        const struct gw_param *in, size_t nin, int bare, const char *op,
                        struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_order **v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k] = order_of_row(cur);
            if (!bare && (rc = lines_get(v[k], s, op, err)) < 0) {
                k++;
                break;
            }
            k++;
        }
    done(cur);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0) {
        *out = v;
        *n = k;
        v = NULL;
    }
    gw_orders_free(v, k);
    return rc;
}

int gw_store_list_orders(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                         const char *partner, struct edi_err *err)
{
    return orders_found(out, n, s, state ? Q_ORDER_LIST_IN : Q_ORDER_LIST,
                        GW_IN(GW_TEXT(state), GW_TEXT(partner)), 0, "list orders", err);
}

int gw_store_list_order_heads(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                              const char *partner, struct edi_err *err)
{
    return orders_found(out, n, s, state ? Q_ORDER_HEADS_IN : Q_ORDER_HEADS,
                        GW_IN(GW_TEXT(state), GW_TEXT(partner)), 1, "list order heads", err);
}

int gw_store_list_order_heads_before(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                                     const char *partner, time_t before, struct edi_err *err)
{
    return orders_found(out, n, s, Q_ORDER_HEADS_BEFORE,
                        GW_IN(GW_TEXT(state), GW_TEXT(partner), GW_INT((int64_t)before)), 1,
                        "list order heads", err);
}

/* Oldest first. The history rows (at, state, what) a statement with one
 * id selects: an order's or an invoice's. */
static int history_rows(struct gw_history **out, size_t *n, struct gw_store *s, enum gw_q q, int64_t id,
                        const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_history *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, q, GW_IN(GW_INT(id)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].at = (time_t)col_int(cur, 0);
            v[k].state = col_str(cur, 1);
            v[k].what = col_str(cur, 2);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_history_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_order_history(struct gw_history **out, size_t *n, struct gw_store *s, int64_t order_id,
                           struct edi_err *err)
{
    return history_rows(out, n, s, Q_HISTORY_GET, order_id, "order history", err);
}

void gw_history_free(struct gw_history *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].state);
        free(v[i].what);
    }
    free(v);
}

/* ---- outbox ---------------------------------------------------------------------- */

/* Due at once: next_try is now. */
int gw_store_outbox_add(int64_t *id, struct gw_store *s, const char *partner, const char *kind,
                        const char *name, const void *bytes, size_t n, time_t now,
                        struct edi_err *err)
{
    static const char op[] = "outbox add";
    int rc;

    *id = 0;
    if (bytes == NULL && n > 0)
        return edi_fail(err, EDI_ERR, "store: outbox add: no bytes");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_insert(id, s, Q_OUTBOX_INSERT,
                  GW_IN(GW_TEXT(partner), GW_TEXT(kind), GW_TEXT(name), GW_BLOB(bytes, n), GW_INT(now)), op,
                  err);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

/* Oldest first is the order they were added in (ids), whatever their
 * retries: a partner gets messages in the order they were made. max 0:
 * nothing. */
int gw_store_outbox_due(struct gw_outbox_item **out, size_t *n, struct gw_store *s, time_t now,
                        size_t max, struct edi_err *err)
{
    return gw_store_outbox_due_after(out, n, s, now, 0, NULL, max, err);
}

int gw_store_outbox_due_after(struct gw_outbox_item **out, size_t *n, struct gw_store *s, time_t now,
                              int64_t after, const char *partner, size_t max, struct edi_err *err)
{
    static const char op[] = "outbox due";
    struct gw_cursor *cur = NULL;
    struct gw_outbox_item *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_OUTBOX_DUE,
                     GW_IN(GW_INT(now), GW_INT(limit_of(max)), GW_INT(after), GW_TEXT(partner)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            struct gw_outbox_item *it;

            v = grow(v, &cap, k, sizeof(*v));
            it = &v[k++];
            it->id = col_int(cur, 0);
            it->partner = col_str(cur, 1);
            it->kind = col_str(cur, 2);
            it->name = col_str(cur, 3);
            it->bytes = col_bytes(&it->n, cur, 4);  /* the '\0' behind is handy for text */
            it->attempts = (int)col_int(cur, 5);
            it->next_try = (time_t)col_int(cur, 6);
            it->claimed_by = col_str(cur, 7);
            it->claimed_at = (time_t)col_int(cur, 8);
        }
    done(cur);
    if (rc < 0) {
        gw_outbox_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

static int outbox_update(struct gw_store *s, enum gw_q q, int64_t id, int64_t t, const char *error,
                         const char *verb, struct edi_err *err)
{
    char op[64];
    int64_t changed;
    int rc;

    snprintf(op, sizeof(op), "outbox %s %lld", verb, (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if (q == Q_OUTBOX_FAILED)
        rc = q_change(&changed, s, q, GW_IN(GW_INT(id), GW_INT(t), GW_TEXT(error ? error : "unknown error")),
                      op, err);
    else
        rc = q_change(&changed, s, q, GW_IN(GW_INT(id), GW_INT(t)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no such message", op);
    return tx_end(s, rc, op, err);
}

/* EDI_ENOTFOUND when there is no message id; sent twice keeps the first
 * time. */
int gw_store_outbox_sent(struct gw_store *s, int64_t id, time_t now, struct edi_err *err)
{
    static const char op[] = "outbox sent: documents";
    /* the documents and invoices this message carries are sent now: the
     * events first (they name the rows still queued), then the states */
    static const enum gw_q follow[] = {Q_DOCS_SENT_EVENT, Q_DOCS_SENT, Q_INV_SENT_HISTORY, Q_INV_SENT};
    size_t i;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = outbox_update(s, Q_OUTBOX_SENT, id, now, NULL, "sent", err);
    for (i = 0; i < sizeof(follow) / sizeof(follow[0]) && rc == 0; i++)
        rc = q_run(s, follow[i], GW_IN(GW_INT(id), GW_INT(now)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_sent_receipt(struct gw_store *s, int64_t id, const char *receipt, time_t now,
                                 struct edi_err *err)
{
    static const char op[] = "outbox sent: receipt";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = gw_store_outbox_sent(s, id, now, err)) == 0 && receipt != NULL)
        rc = q_run(s, Q_OUTBOX_RECEIPT, GW_IN(GW_INT(id), GW_TEXT(receipt), GW_TEXT("pending"), GW_INT(0)), op,
                   err);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_erp_done(struct gw_store *s, int64_t id, const char *erp_id, const char *detail, time_t now,
                             struct edi_err *err)
{
    static const char op[] = "outbox sent: erp";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = gw_store_outbox_sent(s, id, now, err)) == 0)
        rc = q_run(s, Q_OUTBOX_ERP_DONE, GW_IN(GW_INT(id), GW_TEXT(erp_id), GW_TEXT(detail), GW_INT(now)), op,
                   err);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_hold(struct gw_store *s, int64_t id, const char *why, time_t now, struct edi_err *err)
{
    static const char op[] = "outbox hold";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_OUTBOX_HOLD, GW_IN(GW_INT(id), GW_INT(now), GW_TEXT(why ? why : "held")), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_retry(struct gw_store *s, int64_t id, time_t now, struct edi_err *err)
{
    static const char op[] = "outbox retry";
    int64_t changed = 0;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_OUTBOX_RETRY, GW_IN(GW_INT(id), GW_INT(now)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "no unsent message %lld in the outbox", (long long)id);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_list(struct gw_outbox_row **out, size_t *n, struct gw_store *s, const char *prefix,
                         struct edi_err *err)
{
    static const char op[] = "outbox list";
    struct gw_cursor *cur;
    struct gw_outbox_row *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_OUTBOX_LIST, GW_IN(GW_TEXT(prefix)), op, err)) < 0)
        return rc;
    while ((rc = next(cur, op, err)) == 1) {
        struct gw_outbox_row *r;

        v = grow(v, &cap, k, sizeof(*v));
        r = &v[k++];
        r->id = col_int(cur, 0);
        r->partner = col_str(cur, 1);
        r->kind = col_str(cur, 2);
        r->name = col_str(cur, 3);
        r->attempts = (int)col_int(cur, 4);
        r->created = (time_t)col_int(cur, 5);
        r->next_try = (time_t)col_int(cur, 6);
        r->sent_at = (time_t)col_int(cur, 7);
        r->last_error = col_str(cur, 8);
        r->status = col_str(cur, 9);
        r->detail = col_str(cur, 10);
        r->receipt = col_str(cur, 11);
    }
    done(cur);
    if (rc < 0) {
        gw_outbox_rows_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_outbox_rows_free(struct gw_outbox_row *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].kind);
        free(v[i].name);
        free(v[i].last_error);
        free(v[i].status);
        free(v[i].detail);
        free(v[i].receipt);
    }
    free(v);
}

int gw_store_receipts(struct gw_receipt_row **out, size_t *n, struct gw_store *s, const char *partner,
                      const char *status, struct edi_err *err)
{
    static const char op[] = "receipts";
    struct gw_cursor *cur;
    struct gw_receipt_row *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_RECEIPTS, GW_IN(GW_TEXT(partner), GW_TEXT(status)), op, err)) < 0)
        return rc;
    while ((rc = next(cur, op, err)) == 1) {
        struct gw_receipt_row *r;

        v = grow(v, &cap, k, sizeof(*v));
        r = &v[k++];
        r->outbox_id = col_int(cur, 0);
        r->partner = col_str(cur, 1);
        r->kind = col_str(cur, 2);
        r->name = col_str(cur, 3);
        r->receipt = col_str(cur, 4);
        r->sent_at = (time_t)col_int(cur, 5);
        r->checked = (time_t)col_int(cur, 6);
        r->checks = (int)col_int(cur, 7);
        r->status = col_str(cur, 8);
        r->detail = col_str(cur, 9);
    }
    done(cur);
    if (rc < 0) {
        gw_receipts_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

/* The documents an outbox message carries follow it: each gets state, with
 * detail in its history (inside the caller's transaction). */
static int docs_follow(struct gw_store *s, int64_t outbox_id, const char *state, const char *detail, time_t now,
                       const char *op, struct edi_err *err)
{
    struct gw_cursor *cur;
    int64_t *docs = NULL;
    size_t k = 0, cap = 0, i;
    int rc;

    if ((rc = q_open(&cur, s, Q_DOCS_OF_OUTBOX, GW_IN(GW_INT(outbox_id)), op, err)) < 0)
        return rc;
    while ((rc = next(cur, op, err)) == 1) {
        docs = grow(docs, &cap, k, sizeof(*docs));
        docs[k++] = col_int(cur, 0);
    }
    done(cur);
    if (rc > 0)
        rc = 0;
    for (i = 0; i < k && rc == 0; i++)
        rc = gw_store_set_document_state(s, docs[i], state, detail, now, err);
    free(docs);
    return rc;
}

int gw_store_receipt_status(struct gw_store *s, int64_t outbox_id, const char *status, const char *detail,
                            time_t now, struct edi_err *err)
{
    static const char op[] = "receipt status";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_OUTBOX_STATUS, GW_IN(GW_INT(outbox_id), GW_TEXT(status), GW_TEXT(detail), GW_INT(now)), op,
               err);
    if (rc == 0 && strcmp(status, "pending") != 0)
        rc = docs_follow(s, outbox_id, status, detail, now, op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_resend(struct gw_store *s, int64_t id, const char *why, time_t now, struct edi_err *err)
{
    static const char op[] = "outbox resend";
    int64_t changed = 0;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_OUTBOX_RESEND, GW_IN(GW_INT(id), GW_INT(now), GW_TEXT(why)), op, err);
    if (rc == 0 && changed > 0)
        rc = docs_follow(s, id, "queued", why, now, op, err);
    return tx_end(s, rc, op, err);
}

void gw_receipts_free(struct gw_receipt_row *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].kind);
        free(v[i].name);
        free(v[i].receipt);
        free(v[i].status);
        free(v[i].detail);
    }
    free(v);
}

int gw_store_cursor_get(char **value, struct gw_store *s, const char *partner, const char *name,
                        struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    *value = NULL;
    if ((rc = q_first(&cur, s, Q_CURSOR_GET, GW_IN(GW_TEXT(partner), GW_TEXT(name)), "cursor", err)) == 1)
        *value = col_str(cur, 0);
    done(cur);
    return rc < 0 ? rc : 0;
}

int gw_store_cursor_set(struct gw_store *s, const char *partner, const char *name, const char *value,
                        time_t now, struct edi_err *err)
{
    static const char op[] = "set cursor";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_CURSOR_SET, GW_IN(GW_TEXT(partner), GW_TEXT(name), GW_TEXT(value), GW_INT(now)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_rate_wait_get(time_t *until, struct gw_store *s, const char *partner, const char *operation,
                           struct edi_err *err)
{
    int64_t v;
    int rc = q_int(&v, s, Q_WAIT_GET, GW_IN(GW_TEXT(partner), GW_TEXT(operation)), "rate wait", err);

    *until = rc == 0 ? (time_t)v : 0;
    return rc;
}

int gw_store_rate_wait_set(struct gw_store *s, const char *partner, const char *operation, time_t until,
                           struct edi_err *err)
{
    static const char op[] = "set rate wait";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_WAIT_SET, GW_IN(GW_TEXT(partner), GW_TEXT(operation), GW_INT(until)), op, err);
    return tx_end(s, rc, op, err);
}

/* ---- AS2 messages ------------------------------------------------------------- */

void gw_as2_msg_free(struct gw_as2_msg *m)
{
    if (m == NULL)
        return;
    free(m->partner);
    free(m->direction);
    free(m->message_id);
    free(m->mic);
    free(m->status);
    free(m->detail);
    free(m);
}

static struct gw_as2_msg *as2_row(struct gw_cursor *cur)
{
    struct gw_as2_msg *m = edi_xcalloc(1, sizeof(*m));

    m->id = col_int(cur, 0);
    m->partner = col_str(cur, 1);
    m->direction = col_str(cur, 2);
    m->message_id = col_str(cur, 3);
    m->outbox_id = col_int(cur, 4);
    m->raw_id = col_int(cur, 5);
    m->mic = col_str(cur, 6);
    m->status = col_str(cur, 7);
    m->detail = col_str(cur, 8);
    m->created = (time_t)col_int(cur, 9);
    m->updated = (time_t)col_int(cur, 10);
    return m;
}

int gw_store_as2_put(int *existed, struct gw_store *s, const struct gw_as2_msg *m, time_t now,
                     struct edi_err *err)
{
    static const char op[] = "record AS2 message";
    int64_t changed = 0;
    int rc;

    *existed = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_AS2_PUT,
                  GW_IN(GW_TEXT(m->partner), GW_TEXT(m->direction), GW_TEXT(m->message_id), GW_ID(m->outbox_id),
                        GW_ID(m->raw_id), GW_TEXT(m->mic), GW_TEXT(m->status), GW_TEXT(m->detail), GW_INT(now)),
                  op, err);
    if (rc == 0)
        *existed = changed == 0;
    return tx_end(s, rc, op, err);
}

static int as2_one(struct gw_as2_msg **out, struct gw_store *s, enum gw_q q, const struct gw_param *in, size_t nin,
                   const char *what, struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    *out = NULL;
    if ((rc = q_first(&cur, s, q, in, nin, "AS2 message", err)) < 0)
        return rc;
    if (rc == 0)
        return edi_fail(err, EDI_ENOTFOUND, "no AS2 message %s", what);
    *out = as2_row(cur);
    done(cur);
    return 0;
}

int gw_store_as2_get(struct gw_as2_msg **out, struct gw_store *s, const char *direction, const char *partner,
                     const char *message_id, struct edi_err *err)
{
    return as2_one(out, s, Q_AS2_GET, GW_IN(GW_TEXT(direction), GW_TEXT(partner), GW_TEXT(message_id)),
                   message_id, err);
}

int gw_store_as2_of_outbox(struct gw_as2_msg **out, struct gw_store *s, int64_t outbox_id, struct edi_err *err)
{
    return as2_one(out, s, Q_AS2_OF_OUTBOX, GW_IN(GW_INT(outbox_id)), "for that outbox message", err);
}

int gw_store_as2_update(struct gw_store *s, const char *direction, const char *partner, const char *message_id,
                        const char *mic, const char *status, const char *detail, int64_t raw_id, time_t now,
                        struct edi_err *err)
{
    static const char op[] = "update AS2 message";
    int64_t changed = 0;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_AS2_UPDATE,
                  GW_IN(GW_TEXT(direction), GW_TEXT(partner), GW_TEXT(message_id), GW_TEXT(mic), GW_TEXT(status),
                        GW_TEXT(detail), GW_INT(now), GW_ID(raw_id)),
                  op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "no AS2 message %s", message_id);
    return tx_end(s, rc, op, err);
}

int gw_store_outbox_failed(struct gw_store *s, int64_t id, time_t retry_at, const char *error,
                           struct edi_err *err)
{
    return outbox_update(s, Q_OUTBOX_FAILED, id, retry_at, error, "failed", err);
}

/* A short write transaction of its own at the top level: the claim is
 * visible to every other process as soon as this returns. */
int gw_store_outbox_claim(int *got, struct gw_store *s, int64_t id, const char *owner, time_t now,
                          time_t stale_before, const char *dead, struct edi_err *err)
{
    char op[64];
    int64_t changed;
    int rc;

    *got = 0;
    if (owner == NULL || *owner == '\0')
        return edi_fail(err, EDI_ERR, "store: outbox claim: no owner");
    snprintf(op, sizeof(op), "outbox claim %lld", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_OUTBOX_CLAIM,
                  GW_IN(GW_INT(id), GW_TEXT(owner), GW_INT(now), GW_INT(stale_before), GW_TEXT(dead)), op, err);
    if ((rc = tx_end(s, rc, op, err)) == 0)
        *got = changed == 1;
    return rc;
}

int gw_store_outbox_superseded(int *yes, struct gw_store *s, int64_t id, struct edi_err *err)
{
    int64_t v;
    int rc = q_int(&v, s, Q_OUTBOX_SUPERSEDED, GW_IN(GW_INT(id)), "outbox superseded", err);

    *yes = rc == 0 && v != 0;
    return rc;
}

void gw_outbox_free(struct gw_outbox_item *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].kind);
        free(v[i].name);
        free(v[i].bytes);
        free(v[i].claimed_by);
    }
    free(v);
}

/* ---- control numbers ---------------------------------------------------------- */

int gw_store_next_control(uint64_t *out, struct gw_store *s, const char *partner, char kind,
                          struct edi_err *err)
{
    char op[96], k[2] = {kind, '\0'};
    struct gw_cursor *cur = NULL;
    int64_t v = 0;
    int rc;

    *out = 0;
    snprintf(op, sizeof(op), "next control number %s %c", partner ? partner : "?",
             kind ? kind : '?');
    if (kind == '\0')
        return edi_fail(err, EDI_ERR, "store: %s: no kind", op);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_first(&cur, s, Q_NEXT_CONTROL, GW_IN(GW_TEXT(partner), GW_TEXT(k)), op, err);
    if (rc >= 0 && (rc == 0 || (v = col_int(cur, 0)) <= 0))
        rc = edi_fail(err, EDI_ERR, "store: %s: no number returned", op);
    /* step to the end so the statement is complete before the commit */
    if (rc == 1)
        rc = next(cur, op, err);
    done(cur);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0)
        *out = (uint64_t)v;
    return rc;
}

/* ---- audit and counts ------------------------------------------------------- */

int gw_store_audit(struct gw_store *s, const char *actor, const char *action, const char *subject,
                   const char *detail, time_t now, struct edi_err *err)
{
    static const char op[] = "audit";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_AUDIT, GW_IN(GW_INT(now), GW_TEXT(actor), GW_TEXT(action), GW_TEXT(subject),
                                 GW_TEXT(detail)), op, err);
    return tx_end(s, rc, op, err);
}

/* Orders and documents: one entry per state present ("orders:approved"),
 * by state name; then "outbox:due" (unsent, next_try <= now) and
 * "outbox:failed" (unsent, at least one failed attempt), always there,
 * AS2 receipts we owe (GW_OUTBOX_AS2_MDN) not among them: those are
 * "as2:receipts-owed" (unsent) and "as2:receipts-failed" (unsent, tried),
 * there when not 0. */
int gw_store_counts(struct gw_count **out, size_t *n, struct gw_store *s, time_t now,
                    struct edi_err *err)
{
    static const char op[] = "counts";
    struct gw_cursor *cur = NULL;
    struct gw_count *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_COUNTS, GW_IN(GW_INT(now)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].what = col_str(cur, 0);
            v[k].n = col_int(cur, 1);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_counts_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_counts_free(struct gw_count *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i].what);
    free(v);
}

int gw_store_metrics(struct gw_metric_row **out, size_t *n, struct gw_store *s, time_t now,
                     struct edi_err *err)
{
    static const char op[] = "metrics";
    struct gw_cursor *cur = NULL;
    struct gw_metric_row *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_METRICS, GW_IN(GW_INT(now)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].what = col_str(cur, 0);
            v[k].a = col_str(cur, 1);
            v[k].b = col_str(cur, 2);
            v[k].c = col_str(cur, 3);
            v[k].v1 = col_int(cur, 4);
            v[k].v2 = col_int(cur, 5);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_metric_rows_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_metric_rows_free(struct gw_metric_row *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].what);
        free(v[i].a);
        free(v[i].b);
        free(v[i].c);
    }
    free(v);
}

/* Each line: "2025-01-01T00:00:00Z amazon-rp 850 PO123 rejected: <detail>"
 * or "... amazon-rp outbox 997 name attempt 2 failed: <error>". */
int gw_store_last_error_rows(struct gw_error_row **out, size_t *n, struct gw_store *s, size_t max,
                             struct edi_err *err)
{
    static const char op[] = "last errors";
    struct gw_cursor *cur = NULL;
    struct gw_error_row *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_LAST_ERRORS, GW_IN(GW_INT(limit_of(max))), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].at = (time_t)col_int(cur, 0);
            v[k].partner = col_str(cur, 1);
            v[k].subject = col_str(cur, 2);
            v[k].detail = col_str(cur, 3);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_error_rows_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

void gw_error_rows_free(struct gw_error_row *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].partner);
        free(v[i].subject);
        free(v[i].detail);
    }
    free(v);
}

int gw_store_last_errors(char ***out, size_t *n, struct gw_store *s, size_t max,
                         struct edi_err *err)
{
    struct gw_error_row *r = NULL;
    size_t nr = 0, k;
    char **v;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = gw_store_last_error_rows(&r, &nr, s, max, err)) < 0)
        return rc;
    v = edi_xcalloc(nr ? nr : 1, sizeof(*v));
    for (k = 0; k < nr; k++) {
        char when[32] = "?";
        struct edi_buf b;
        struct tm tm;

        if (gmtime_r(&r[k].at, &tm) != NULL)
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        edi_buf_init(&b, 0);
        edi_buf_printf(&b, "%s %s %s", when, r[k].partner ? r[k].partner : "?", r[k].subject ? r[k].subject : "?");
        if (r[k].detail != NULL && *r[k].detail != '\0')
            edi_buf_printf(&b, ": %s", r[k].detail);
        v[k] = edi_xstrdup(edi_buf_cstr(&b));
        edi_buf_dispose(&b);
    }
    gw_error_rows_free(r, nr);
    *out = v;
    *n = nr;
    return 0;
}

int gw_store_day_counts(struct gw_day_count **out, size_t *n, struct gw_store *s, time_t since,
                        struct edi_err *err)
{
    static const char op[] = "documents per day";
    struct gw_cursor *cur = NULL;
    struct gw_day_count *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_DAY_COUNTS, GW_IN(GW_INT(since)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            const char *day = col_text(cur, 0);

            v = grow(v, &cap, k, sizeof(*v));
            snprintf(v[k].day, sizeof(v[k].day), "%s", day ? day : "");
            v[k].inbound = col_int(cur, 1);
            v[k].outbound = col_int(cur, 2);
            v[k].rejected = col_int(cur, 3);
            k++;
        }
    done(cur);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_ack_latencies(struct gw_latency **out, size_t *n, struct gw_store *s, time_t since,
                           struct edi_err *err)
{
    static const char op[] = "acknowledgment latency";
    struct gw_cursor *cur = NULL;
    struct gw_latency *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_ACK_LATENCIES, GW_IN(GW_INT(since)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            const char *day = col_text(cur, 0);

            v = grow(v, &cap, k, sizeof(*v));
            snprintf(v[k].day, sizeof(v[k].day), "%s", day ? day : "");
            v[k].seconds = col_int(cur, 1);
            k++;
        }
    done(cur);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_outbox_depth(int64_t *depth, int64_t *oldest_s, struct gw_store *s, time_t now,
                          struct edi_err *err)
{
    static const char op[] = "outbox depth";
    struct gw_cursor *cur = NULL;
    int rc;

    *depth = *oldest_s = 0;
    if ((rc = q_open(&cur, s, Q_OUTBOX_DEPTH, GW_IN(GW_INT(now)), op, err)) == 0 &&
        (rc = next(cur, op, err)) == 1) {
        *depth = col_int(cur, 0);
        *oldest_s = col_int(cur, 1);
        rc = 0;
    }
    done(cur);
    return rc < 0 ? rc : 0;
}

void gw_strings_free(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- acknowledgment decisions ------------------------------------------------ */

int gw_store_add_ack(int64_t *id, struct gw_store *s, int64_t order_id, const char *actor,
                     const char *canonical, time_t now, struct edi_err *err)
{
    static const char op[] = "add acknowledgment";
    int rc;

    *id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_insert(id, s, Q_ACK_INSERT, GW_IN(GW_INT(order_id), GW_INT(now), GW_TEXT(actor),
                                             GW_TEXT(canonical)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_acks(struct gw_ack **out, size_t *n, struct gw_store *s, int64_t order_id,
                  const char *state, struct edi_err *err)
{
    static const char op[] = "list acknowledgments";
    struct gw_cursor *cur = NULL;
    struct gw_ack *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    /* one order's: by the order's index (an OR on the id would scan) */
    if ((rc = q_open(&cur, s, order_id > 0 ? Q_ACKS_OF_ORDER : Q_ACKS_GET,
                     GW_IN(GW_INT(order_id), GW_TEXT(state)), op, err)) == 0)
        while ((rc = next(cur, op, err)) > 0) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].id = col_int(cur, 0);
            v[k].order_id = col_int(cur, 1);
            v[k].created = (time_t)col_int(cur, 2);
            v[k].actor = col_str(cur, 3);
            v[k].canonical = col_str(cur, 4);
            v[k].state = col_str(cur, 5);
            v[k].queued_at = (time_t)col_int(cur, 6);
            k++;
        }
    done(cur);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) == 0) {
        *out = v;
        *n = k;
        v = NULL;
        k = 0;
    }
    gw_acks_free(v, k);
    return rc;
}

int gw_store_ack_queued(struct gw_store *s, int64_t id, int64_t outbox_id, time_t now,
                        struct edi_err *err)
{
    static const char op[] = "acknowledgment queued";
    int64_t changed;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_ACK_QUEUED, GW_IN(GW_INT(id), GW_INT(outbox_id), GW_INT(now)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no pending acknowledgment %lld", op, (long long)id);
    return tx_end(s, rc, op, err);
}

void gw_acks_free(struct gw_ack *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].actor);
        free(v[i].canonical);
        free(v[i].state);
    }
    free(v);
}

/* ---- scheduled runs ------------------------------------------------------------ */

/* One statement under the write lock: two processes meeting on the same
 * minute insert one row between them, and the other is told *already. */
int gw_store_run_start(int64_t *id, int *already, struct gw_store *s, const char *partner,
                       const char *job, time_t due, time_t now, struct edi_err *err)
{
    char op[128];
    int64_t changed;
    int rc;

    *id = 0;
    *already = 0;
    snprintf(op, sizeof(op), "start run %s %s", partner ? partner : "?", job ? job : "?");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_RUN_INSERT, GW_IN(GW_TEXT(partner), GW_TEXT(job), GW_INT(due), GW_INT(now)),
                  op, err);
    if (rc == 0 && changed == 0)
        *already = 1;
    else if (rc == 0)
        *id = s->drv->last_id(s->conn);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        *id = 0;
        *already = 0;
    }
    return rc;
}

/* A state other than running, done or failed breaks the table's CHECK:
 * EDI_ERR. EDI_ENOTFOUND when there is no run id. */
int gw_store_run_end(struct gw_store *s, int64_t id, const char *state, const char *counts,
                     const char *error, time_t now, struct edi_err *err)
{
    char op[64];
    int64_t changed;
    int rc;

    snprintf(op, sizeof(op), "end run %lld", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_RUN_END,
                  GW_IN(GW_INT(id), GW_TEXT(state), GW_TEXT(counts), GW_TEXT(error), GW_INT(now)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no such run", op);
    return tx_end(s, rc, op, err);
}

/* Whatever its state: a run that failed has had its minute. */
int gw_store_last_run(time_t *due, struct gw_store *s, const char *partner, const char *job,
                      struct edi_err *err)
{
    int64_t v;
    int rc = q_int(&v, s, Q_RUN_LAST, GW_IN(GW_TEXT(partner), GW_TEXT(job)), "last run", err);

    *due = rc == 0 ? (time_t)v : 0;
    return rc;
}

/* Newest first is the order they were started in (ids), whatever the
 * clock said. max 0: nothing. */
static int runs_found(struct gw_run **out, size_t *n, struct gw_store *s, enum gw_q q, const struct gw_param *in,
                      size_t nin, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_run *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].id = col_int(cur, 0);
            v[k].partner = col_str(cur, 1);
            v[k].job = col_str(cur, 2);
            v[k].due = (time_t)col_int(cur, 3);
            v[k].started = (time_t)col_int(cur, 4);
            v[k].ended = (time_t)col_int(cur, 5);
            v[k].state = col_str(cur, 6);
            v[k].counts = col_str(cur, 7);
            v[k].error = col_str(cur, 8);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_runs_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_runs(struct gw_run **out, size_t *n, struct gw_store *s, size_t max,
                  struct edi_err *err)
{
    return runs_found(out, n, s, Q_RUNS_LIST, GW_IN(GW_INT(limit_of(max))), "list runs", err);
}

int gw_store_run_page(struct gw_run **out, size_t *n, struct gw_store *s, const char *state, int64_t after,
                      size_t max, struct edi_err *err)
{
    return runs_found(out, n, s, Q_RUNS_PAGE, GW_IN(GW_TEXT(state), GW_INT(after), GW_INT(limit_of(max))),
                      "page of runs", err);
}

void gw_runs_free(struct gw_run *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].job);
        free(v[i].state);
        free(v[i].counts);
        free(v[i].error);
    }
    free(v);
}

/* ---- outbound documents ------------------------------------------------------- */

int gw_store_document_outbox(struct gw_store *s, int64_t document_id, int64_t outbox_id,
                             struct edi_err *err)
{
    static const char op[] = "document outbox";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_DOC_OUTBOX, GW_IN(GW_INT(document_id), GW_INT(outbox_id)), op, err);
    return tx_end(s, rc, op, err);
}

/* ---- shipments ------------------------------------------------------------------ */

void gw_shipment_free(struct gw_shipment *sh)
{
    if (sh == NULL)
        return;
    free(sh->partner);
    free(sh->program);
    free(sh->shipment_id);
    free(sh->state);
    free(sh->warehouse);
    free(sh->ship_to);
    free(sh->canonical);
    gw_shipment_lines_free(sh->lines, sh->nlines);
    free(sh);
}

void gw_shipment_lines_free(struct gw_shipment_line *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        free(v[i].quantity);
    free(v);
}

int gw_store_add_shipment(int64_t *id, struct gw_store *s, const struct gw_shipment *sh, time_t now,
                          struct edi_err *err)
{
    static const char op[] = "add shipment";
    size_t i;
    int rc;

    *id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_insert(id, s, Q_SHIP_INSERT,
                  GW_IN(GW_TEXT(sh->partner), GW_TEXT(sh->program), GW_TEXT(sh->shipment_id),
                        GW_INT(sh->version), GW_TEXT(sh->state), GW_TEXT(sh->warehouse), GW_TEXT(sh->ship_to),
                        GW_TEXT(sh->canonical), GW_ID(sh->document_id), GW_ID(sh->outbox_id), GW_INT(now)),
                  op, err);
    for (i = 0; i < sh->nlines && rc == 0; i++)
        rc = q_run(s, Q_SHIP_LINE_INSERT,
                   GW_IN(GW_INT(*id), GW_INT(sh->lines[i].order_id), GW_INT(sh->lines[i].line_no),
                         GW_TEXT(sh->lines[i].quantity)), op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

/* Shipment lines (order_id, line_no, quantity) statement q finds. */
static int ship_lines_get(struct gw_shipment_line **out, size_t *n, struct gw_store *s, enum gw_q q,
                          const struct gw_param *in, size_t nin, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_shipment_line *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k].order_id = col_int(cur, 0);
            v[k].line_no = (int)col_int(cur, 1);
            v[k].quantity = col_str(cur, 2);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_shipment_lines_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

/* SHIP_COLS, or the purge's few columns (id, partner, program,
 * shipment_id, canonical) when bare. */
static struct gw_shipment *shipment_of_row(struct gw_cursor *cur, int bare)
{
    struct gw_shipment *sh = edi_xcalloc(1, sizeof(*sh));

    sh->id = col_int(cur, 0);
    sh->partner = col_str(cur, 1);
    sh->program = col_str(cur, 2);
    sh->shipment_id = col_str(cur, 3);
    if (bare) {
        sh->canonical = col_str(cur, 4);
        return sh;
    }
    sh->version = (int)col_int(cur, 4);
    sh->state = col_str(cur, 5);
    sh->warehouse = col_str(cur, 6);
    sh->ship_to = col_str(cur, 7);
    sh->canonical = col_str(cur, 8);
    sh->document_id = col_int(cur, 9);
    sh->outbox_id = col_int(cur, 10);
    sh->created = (time_t)col_int(cur, 11);
    return sh;
}

/* Shipments statement q finds, each with its lines unless bare, in one
 * read transaction. */
static int shipments_found(struct gw_shipment ***out, size_t *n, struct gw_store *s, enum gw_q q,
                           const struct gw_param *in, size_t nin, int bare, const char *op,
                           struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_shipment **v = NULL;
    size_t k = 0, cap = 0, i;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k++] = shipment_of_row(cur, bare);
        }
    done(cur);
    for (i = 0; i < k && rc >= 0 && !bare; i++)
        rc = ship_lines_get(&v[i]->lines, &v[i]->nlines, s, Q_SHIP_LINES, GW_IN(GW_INT(v[i]->id)), op, err);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) < 0) {
        gw_shipments_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_get_shipment(struct gw_shipment **out, struct gw_store *s, const char *partner,
                          const char *shipment_id, int64_t id, struct edi_err *err)
{
    static const char op[] = "get shipment";
    struct gw_shipment **v = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    if (id > 0)
        rc = shipments_found(&v, &n, s, Q_SHIP_BY_ID, GW_IN(GW_INT(id)), 0, op, err);
    else
        rc = shipments_found(&v, &n, s, Q_SHIP_GET, GW_IN(GW_TEXT(partner), GW_TEXT(shipment_id)), 0, op, err);
    if (rc == 0 && n == 0 && id > 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no shipment #%lld", op, (long long)id);
    else if (rc == 0 && n == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no shipment %s%s%s", op, shipment_id ? shipment_id : "?",
                      partner ? " of " : "", partner ? partner : "");
    if (rc == 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gw_shipments_free(v, n);
    return rc;
}

int gw_store_list_shipments(struct gw_shipment ***out, size_t *n, struct gw_store *s,
                            const char *state, const char *partner, struct edi_err *err)
{
    return shipments_found(out, n, s, Q_SHIP_LIST, GW_IN(GW_TEXT(state), GW_TEXT(partner)), 0,
                           "list shipments", err);
}

int gw_store_shipment_page(struct gw_shipment ***out, size_t *n, struct gw_store *s, const char *state,
                           const char *partner, int64_t after, size_t max, struct edi_err *err)
{
    return shipments_found(out, n, s, Q_SHIP_PAGE,
                           GW_IN(GW_TEXT(state), GW_TEXT(partner), GW_INT(after), GW_INT(limit_of(max))), 0,
                           "page of shipments", err);
}

void gw_shipments_free(struct gw_shipment **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        gw_shipment_free(v[i]);
    free(v);
}

int gw_store_set_shipment_state(struct gw_store *s, int64_t id, const char *state, time_t now,
                                struct edi_err *err)
{
    char op[64];
    int rc;

    snprintf(op, sizeof(op), "set shipment %lld state", (long long)id);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = set_state(s, Q_SHIP_STATE, id, state, now, "shipment", op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_order_shipped(struct gw_shipment_line **out, size_t *n, struct gw_store *s,
                           int64_t order_id, int64_t except, struct edi_err *err)
{
    static const char op[] = "order shipped";
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    rc = ship_lines_get(out, n, s, Q_ORDER_SHIPPED, GW_IN(GW_INT(order_id), GW_INT(except)), op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0) {
        gw_shipment_lines_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int sscc_use(char **clash, struct gw_store *s, const char *sscc, const char *partner,
                    const char *shipment_id, time_t now, int record, struct edi_err *err)
{
    const char *op = record ? "use SSCC" : "check SSCC";
    struct gw_cursor *cur = NULL;
    int rc;

    *clash = NULL;
    if ((rc = tx_begin(s, record ? TX_WRITE : TX_READ, op, err)) < 0)
        return rc;
    /* SPEC: RULES.md 856 — an SSCC is never reused within 365 days; the
     * same shipment id (a replacement) sends the same cartons again */
    if ((rc = q_first(&cur, s, Q_SSCC_GET, GW_IN(GW_TEXT(sscc)), op, err)) == 1 &&
        col_int(cur, 1) > (int64_t)now - 365 * 86400 && strcmp(col_text(cur, 0), shipment_id) != 0)
        *clash = col_str(cur, 0);
    done(cur);
    if (rc >= 0 && *clash == NULL && record)
        rc = q_run(s, Q_SSCC_PUT, GW_IN(GW_TEXT(sscc), GW_TEXT(partner), GW_TEXT(shipment_id), GW_INT(now)), op,
                   err);
    return tx_end(s, rc < 0 ? rc : 0, op, err);
}

int gw_store_sscc_use(char **clash, struct gw_store *s, const char *sscc, const char *partner,
                      const char *shipment_id, time_t now, struct edi_err *err)
{
    return sscc_use(clash, s, sscc, partner, shipment_id, now, 1, err);
}

int gw_store_sscc_clash(char **clash, struct gw_store *s, const char *sscc,
                        const char *shipment_id, time_t now, struct edi_err *err)
{
    return sscc_use(clash, s, sscc, NULL, shipment_id, now, 0, err);
}

/* ---- invoices ------------------------------------------------------------------------ */

void gw_invoice_free(struct gw_invoice *v)
{
    if (v == NULL)
        return;
    free(v->partner);
    free(v->program);
    free(v->number);
    free(v->state);
    free(v->po_numbers);
    free(v->total);
    free(v->currency);
    free(v->canonical);
    free(v->findings);
    free(v->amazon_status);
    free(v->amazon_detail);
    free(v);
}

void gw_invoices_free(struct gw_invoice **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        gw_invoice_free(v[i]);
    free(v);
}

static int inv_history(struct gw_store *s, int64_t id, time_t now, const char *state,
                       const char *what, const char *op, struct edi_err *err)
{
    return q_run(s, Q_INV_HISTORY, GW_IN(GW_INT(id), GW_INT(now), GW_TEXT(state),
                                         GW_TEXT(what ? what : "state changed")), op, err);
}

static int inv_bill(struct gw_store *s, int64_t invoice_id, int64_t shipment_row, int64_t order_id,
                    const char *op, struct edi_err *err)
{
    return q_run(s, Q_INV_BILL, GW_IN(GW_INT(invoice_id), GW_INT(shipment_row), GW_INT(order_id)), op, err);
}

int gw_store_add_invoice(int64_t *id, struct gw_store *s, const struct gw_invoice *v,
                         const struct gw_bill *bills, size_t nbills, const char *why, time_t now,
                         struct edi_err *err)
{
    static const char op[] = "add invoice";
    size_t i;
    int rc;

    *id = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_insert(id, s, Q_INV_INSERT,
                  GW_IN(GW_TEXT(v->partner), GW_TEXT(v->program), GW_TEXT(v->number), GW_TEXT(v->state),
                        GW_TEXT(v->po_numbers), GW_TEXT(v->total), GW_TEXT(v->currency), GW_TEXT(v->canonical),
                        GW_TEXT(v->findings), GW_ID(v->document_id), GW_ID(v->outbox_id), GW_INT(now)),
                  op, err);
    for (i = 0; i < nbills && rc == 0; i++)
        rc = inv_bill(s, *id, bills[i].shipment_row, bills[i].order_id, op, err);
    if (rc == 0)
        rc = inv_history(s, *id, now, v->state, why, op, err);
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *id = 0;
    return rc;
}

int gw_store_update_invoice(struct gw_store *s, const struct gw_invoice *v, const char *why,
                            time_t now, struct edi_err *err)
{
    static const char op[] = "update invoice";
    int64_t changed;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_INV_UPDATE,
                  GW_IN(GW_INT(v->id), GW_TEXT(v->state), GW_TEXT(v->canonical), GW_TEXT(v->findings),
                        GW_TEXT(v->total), GW_ID(v->document_id), GW_ID(v->outbox_id), GW_INT(now)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice %lld", op, (long long)v->id);
    if (rc == 0)
        rc = inv_history(s, v->id, now, v->state, why, op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_invoice_amazon(int *changed, struct gw_store *s, int64_t id, const char *status,
                            const char *detail, const char *state, time_t now, struct edi_err *err)
{
    static const char op[] = "invoice status from Amazon";
    struct edi_buf what;
    int64_t n = 0, found = 0;
    size_t i;
    int rc;

    *changed = 0;
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&n, s, Q_INV_AMAZON,
                  GW_IN(GW_INT(id), GW_TEXT(status), GW_TEXT(detail), GW_TEXT(state), GW_INT(now)), op, err);
    if (rc == 0 && n == 0) {
        struct gw_cursor *cur = NULL;

        /* the same news, or no such invoice */
        if ((rc = q_open(&cur, s, Q_INV_BY_ID, GW_IN(GW_INT(id)), op, err)) == 0 &&
            (rc = next(cur, op, err)) >= 0) {
            found = rc;
            rc = 0;
        }
        done(cur);
        if (rc == 0 && !found)
            rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice #%lld", op, (long long)id);
    }
    if (rc == 0 && n > 0) {
        edi_buf_init(&what, 0);
        edi_buf_puts(&what, "Amazon: ");
        for (i = 0; detail && detail[i]; i++) {
            if (detail[i] != '\n')
                edi_buf_putc(&what, detail[i]);
            else if (detail[i + 1])
                edi_buf_puts(&what, "; ");
        }
        rc = inv_history(s, id, now, state, edi_buf_cstr(&what), op, err);
        edi_buf_dispose(&what);
        *changed = rc == 0;
    }
    if ((rc = tx_end(s, rc, op, err)) < 0)
        *changed = 0;
    return rc;
}

static struct gw_invoice *invoice_of_row(struct gw_cursor *cur)
{
    struct gw_invoice *v = edi_xcalloc(1, sizeof(*v));

    v->id = col_int(cur, 0);
    v->partner = col_str(cur, 1);
    v->program = col_str(cur, 2);
    v->number = col_str(cur, 3);
    v->state = col_str(cur, 4);
    v->po_numbers = col_str(cur, 5);
    v->total = col_str(cur, 6);
    v->currency = col_str(cur, 7);
    v->canonical = col_str(cur, 8);
    v->findings = col_str(cur, 9);
    v->document_id = col_int(cur, 10);
    v->outbox_id = col_int(cur, 11);
    v->created = (time_t)col_int(cur, 12);
    v->updated = (time_t)col_int(cur, 13);
    v->amazon_status = col_str(cur, 14);
    v->amazon_detail = col_str(cur, 15);
    return v;
}

/* Invoices statement q finds (INV_COLS), in one read transaction. */
static int invoices_found(struct gw_invoice ***out, size_t *n, struct gw_store *s, enum gw_q q,
                          const struct gw_param *in, size_t nin, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_invoice **v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            v[k++] = invoice_of_row(cur);
        }
    done(cur);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) < 0) {
        gw_invoices_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_get_invoice(struct gw_invoice **out, struct gw_store *s, const char *partner,
                         const char *number, int64_t id, struct edi_err *err)
{
    static const char op[] = "get invoice";
    struct gw_invoice **v = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    if (id > 0)
        rc = invoices_found(&v, &n, s, Q_INV_BY_ID, GW_IN(GW_INT(id)), op, err);
    else
        rc = invoices_found(&v, &n, s, Q_INV_GET, GW_IN(GW_TEXT(partner), GW_TEXT(number)), op, err);
    if (rc == 0 && n == 0 && id > 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice #%lld", op, (long long)id);
    else if (rc == 0 && n == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice %s%s%s", op, number ? number : "?",
                      partner ? " of " : "", partner ? partner : "");
    if (rc == 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gw_invoices_free(v, n);
    return rc;
}

int gw_store_list_invoices(struct gw_invoice ***out, size_t *n, struct gw_store *s,
                           const char *state, const char *partner, struct edi_err *err)
{
    return invoices_found(out, n, s, Q_INV_LIST, GW_IN(GW_TEXT(state), GW_TEXT(partner)), "list invoices",
                          err);
}

int gw_store_invoice_page(struct gw_invoice ***out, size_t *n, struct gw_store *s, const char *state,
                          const char *partner, int64_t after, size_t max, struct edi_err *err)
{
    return invoices_found(out, n, s, Q_INV_PAGE,
                          GW_IN(GW_TEXT(state), GW_TEXT(partner), GW_INT(after), GW_INT(limit_of(max))),
                          "page of invoices", err);
}

int gw_store_invoice_history(struct gw_history **out, size_t *n, struct gw_store *s,
                             int64_t invoice_id, struct edi_err *err)
{
    return history_rows(out, n, s, Q_INV_HISTORY_GET, invoice_id, "invoice history", err);
}

int gw_store_billed(int64_t *invoice_id, struct gw_store *s, int64_t shipment_row,
                    int64_t order_id, struct edi_err *err)
{
    return q_int(invoice_id, s, Q_INV_BILLED, GW_IN(GW_INT(shipment_row), GW_INT(order_id)), "billed", err);
}

/* ---- documents ------------------------------------------------------------------------ */

void gw_documents_free(struct gw_document *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].partner);
        free(v[i].direction);
        free(v[i].kind);
        free(v[i].group_control);
        free(v[i].set_control);
        free(v[i].ref);
        free(v[i].state);
        free(v[i].findings);
        free(v[i].text);
    }
    free(v);
}

/* Documents statement q finds (DOC_COLS). */
static int documents_found(struct gw_document **out, size_t *n, struct gw_store *s, enum gw_q q,
                           const struct gw_param *in, size_t nin, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    struct gw_document *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            struct gw_document *d;

            v = grow(v, &cap, k, sizeof(*v));
            d = &v[k++];
            d->id = col_int(cur, 0);
            d->partner = col_str(cur, 1);
            d->direction = col_str(cur, 2);
            d->kind = col_str(cur, 3);
            d->group_control = col_str(cur, 4);
            d->set_control = col_str(cur, 5);
            d->ref = col_str(cur, 6);
            d->state = col_str(cur, 7);
            d->findings = col_str(cur, 8);
            d->about = col_int(cur, 9);
            d->text = col_str(cur, 10);
            d->created = (time_t)col_int(cur, 11);
            d->updated = (time_t)col_int(cur, 12);
        }
    done(cur);
    if (rc < 0) {
        gw_documents_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_outbound_by_group(struct gw_document **out, size_t *n, struct gw_store *s,
                               const char *partner, const char *group_control,
                               const char *set_control, struct edi_err *err)
{
    return documents_found(out, n, s, Q_DOC_BY_GROUP,
                           GW_IN(GW_TEXT(partner), GW_TEXT(group_control), GW_TEXT(set_control)),
                           "outbound documents by group", err);
}

int gw_store_documents(struct gw_document **out, size_t *n, struct gw_store *s, const char *partner,
                       const char *kind, const char *state, int64_t about, size_t max,
                       struct edi_err *err)
{
    /* about: by the about index (a rejected document's reasons, read for
     * each one a page shows), not a scan of every document */
    return documents_found(out, n, s, about ? Q_DOC_LIST_ABOUT : Q_DOC_LIST,
                           GW_IN(GW_TEXT(partner), GW_TEXT(kind), GW_TEXT(state), GW_INT(about),
                                 GW_INT(limit_of(max))), "list documents", err);
}

int gw_store_document_about(struct gw_store *s, int64_t id, int64_t about, const char *text,
                            struct edi_err *err)
{
    static const char op[] = "document about";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_DOC_ABOUT, GW_IN(GW_INT(id), GW_ID(about), GW_TEXT(text)), op, err);
    return tx_end(s, rc, op, err);
}

/* Pairs of ids (a, b) statement q finds, or single ids when b is NULL. */
static int id_rows(int64_t **a, int64_t **b, size_t *n, struct gw_store *s, enum gw_q q,
                   const struct gw_param *in, size_t nin, const char *op, struct edi_err *err)
{
    struct gw_cursor *cur = NULL;
    size_t k = 0, cap = 0, capb = 0;
    int rc;

    *a = NULL;
    if (b != NULL)
        *b = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, q, in, nin, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            *a = grow(*a, &cap, k, sizeof(**a));
            (*a)[k] = col_int(cur, 0);
            if (b != NULL) {
                *b = grow(*b, &capb, k, sizeof(**b));
                (*b)[k] = col_int(cur, 1);
            }
            k++;
        }
    done(cur);
    if (rc < 0) {
        free(*a);
        *a = NULL;
        if (b != NULL) {
            free(*b);
            *b = NULL;
        }
        return rc;
    }
    *n = k;
    return 0;
}

int gw_store_invoice_bills(struct gw_bill **out, size_t *n, struct gw_store *s, int64_t invoice_id,
                           struct edi_err *err)
{
    int64_t *rows, *orders;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = id_rows(&rows, &orders, n, s, Q_INV_BILLS_GET, GW_IN(GW_INT(invoice_id)), "invoice bills",
                      err)) < 0)
        return rc;
    if (*n > 0)
        *out = edi_xmalloc(*n * sizeof(**out));
    for (i = 0; i < *n; i++) {
        (*out)[i].shipment_row = rows[i];
        (*out)[i].order_id = orders[i];
    }
    free(rows);
    free(orders);
    return 0;
}

int gw_store_order_unbilled(int64_t *n, struct gw_store *s, int64_t order_id, struct edi_err *err)
{
    return q_int(n, s, Q_ORDER_UNBILLED, GW_IN(GW_INT(order_id)), "order unbilled", err);
}

void gw_billed_lines_free(struct gw_billed_line *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].number);
        free(v[i].quantity);
    }
    free(v);
}

int gw_store_add_invoice_lines(struct gw_store *s, int64_t invoice_id, const struct gw_billed_line *v,
                               size_t n, struct edi_err *err)
{
    static const char op[] = "add invoice lines";
    size_t i;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++)
        rc = q_run(s, Q_INV_LINE_INSERT,
                   GW_IN(GW_INT(invoice_id), GW_INT(v[i].shipment_row), GW_INT(v[i].order_id),
                         GW_INT(v[i].line_no), GW_TEXT(v[i].quantity)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_billed_lines(struct gw_billed_line **out, size_t *n, struct gw_store *s, const char *partner,
                          const char *shipment_id, int64_t order_id, int64_t except_invoice,
                          struct edi_err *err)
{
    static const char op[] = "billed lines";
    struct gw_cursor *cur = NULL;
    struct gw_billed_line *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_INV_LINES_BILLED,
                     GW_IN(GW_TEXT(partner), GW_TEXT(shipment_id), GW_INT(order_id), GW_INT(except_invoice)),
                     op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            memset(&v[k], 0, sizeof(v[k]));
            v[k].invoice_id = col_int(cur, 0);
            v[k].number = col_str(cur, 1);
            v[k].order_id = order_id;
            v[k].line_no = (int)col_int(cur, 2);
            v[k].quantity = col_str(cur, 3);
            k++;
        }
    done(cur);
    if (rc < 0) {
        gw_billed_lines_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_last_bill(int64_t *invoice_id, struct gw_store *s, const char *partner, const char *shipment_id,
                       int64_t order_id, struct edi_err *err)
{
    return q_int(invoice_id, s, Q_INV_LAST_BILL, GW_IN(GW_TEXT(partner), GW_TEXT(shipment_id), GW_INT(order_id)),
                 "last bill", err);
}

int gw_store_add_bill(struct gw_store *s, int64_t invoice_id, int64_t shipment_row, int64_t order_id,
                      const char *why, time_t now, struct edi_err *err)
{
    static const char op[] = "add bill";
    struct gw_invoice *v = NULL;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = gw_store_get_invoice(&v, s, NULL, NULL, invoice_id, err)) == EDI_ENOTFOUND)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: %s: no invoice %lld", op, (long long)invoice_id);
    if (rc == 0)
        rc = inv_bill(s, invoice_id, shipment_row, order_id, op, err);
    if (rc == 0)
        rc = inv_history(s, invoice_id, now, v->state, why, op, err);
    gw_invoice_free(v);
    return tx_end(s, rc, op, err);
}

int gw_store_billed_elsewhere(int64_t **out, size_t *n, struct gw_store *s, const char *partner,
                              const char *shipment_id, int64_t except_row, struct edi_err *err)
{
    return id_rows(out, NULL, n, s, Q_INV_BILLED_ELSEWHERE,
                   GW_IN(GW_TEXT(partner), GW_TEXT(shipment_id), GW_INT(except_row)), "billed elsewhere", err);
}

/* ---- personal data (purge.c) ------------------------------------------------------ */

int gw_store_purge_orders(struct gw_order ***out, size_t *n, struct gw_store *s, time_t before,
                          struct edi_err *err)
{
    return orders_found(out, n, s, Q_PURGE_ORDERS, GW_IN(GW_INT(before)), 1, "purge: closed orders", err);
}

void gw_purge_raws_free(struct gw_purge_raw *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].bytes);
        free(v[i].orders);
    }
    free(v);
}

int gw_store_purge_raws(struct gw_purge_raw **out, size_t *n, struct gw_store *s, int64_t order_id,
                        struct edi_err *err)
{
    static const char op[] = "purge: inbound files";
    struct gw_cursor *cur = NULL;
    struct gw_purge_raw *v = NULL;
    size_t nv = 0, cap = 0, i;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    /* the raw files that hold one of the order's 850s ... */
    if ((rc = q_open(&cur, s, Q_PURGE_RAWS, GW_IN(GW_INT(order_id)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, nv, sizeof(*v));
            memset(&v[nv], 0, sizeof(v[nv]));
            v[nv].id = col_int(cur, 0);
            v[nv].name = col_str(cur, 1);
            v[nv].bytes = col_bytes(&v[nv].n, cur, 2);
            nv++;
        }
    done(cur);
    /* ... and every order each of them holds */
    for (i = 0; i < nv && rc >= 0; i++)
        rc = id_rows(&v[i].orders, NULL, &v[i].norders, s, Q_PURGE_RAW_ORDERS, GW_IN(GW_INT(v[i].id)), op, err);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) < 0) {
        gw_purge_raws_free(v, nv);
        return rc;
    }
    *out = v;
    *n = nv;
    return 0;
}

int gw_store_purge_shipments(struct gw_shipment ***out, size_t *n, struct gw_store *s, int64_t order_id,
                             struct edi_err *err)
{
    return shipments_found(out, n, s, Q_PURGE_SHIPMENTS, GW_IN(GW_INT(order_id)), 1, "purge: ship notices",
                           err);
}

int gw_store_purge_apply(struct gw_store *s, const struct gw_order *o, const int64_t *raw_ids, size_t nraw,
                         const struct gw_shipment *const *sh, size_t nsh, const char *what, time_t now,
                         struct edi_err *err)
{
    static const char op[] = "purge";
    char subject[300];
    size_t i;
    int rc;

    /* what is purged is overwritten, not left in free pages (a connection
     * setting, outside a transaction; failing to set it stops nothing) */
    if (s->depth == 0)
        q_run(s, Q_SECURE_DELETE, NO_IN, op, NULL);
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_PURGE_ORDER, GW_IN(GW_INT(o->id), GW_TEXT(o->canonical)), op, err);
    for (i = 0; i < nraw && rc == 0; i++)
        rc = q_run(s, Q_PURGE_RAW, GW_IN(GW_INT(raw_ids[i])), op, err);
    for (i = 0; i < nsh && rc == 0; i++)
        rc = q_run(s, Q_PURGE_SHIPMENT, GW_IN(GW_INT(sh[i]->id), GW_TEXT(sh[i]->canonical)), op, err);
    /* the ERP files of the order and its shipments, delivered through the
     * outbox, keep their bytes there too: emptied once delivered */
    for (i = 0; i <= nsh && rc == 0; i++) {
        const char *key = i == 0 ? o->po_number : sh[i - 1]->shipment_id;

        if (key != NULL && *key != '\0')
            rc = q_run(s, Q_PURGE_ERP, GW_IN(GW_TEXT(o->partner), GW_TEXT(key)), op, err);
    }
    if (rc == 0)
        rc = history_add(s, o->id, now, o->state, what, op, err);
    if (rc == 0) {
        snprintf(subject, sizeof(subject), "%s %s", o->partner, o->po_number);
        rc = gw_store_audit(s, "wharf", "purge", subject, what, now, err);
    }
    return tx_end(s, rc, op, err);
}

int gw_store_purge_checkpoint(struct gw_store *s, struct edi_err *err)
{
    return s->drv->checkpoint(s->conn, "purge: checkpoint", err);
}

/* ---- secrets -------------------------------------------------------------------- */

static void sealed_of_row(struct gw_sealed *v, struct gw_cursor *cur)
{
    size_t n;

    memset(v, 0, sizeof(*v));
    v->partner = col_str(cur, 0);
    v->name = col_str(cur, 1);
    v->key_version = (int)col_int(cur, 2);
    if (cur->drv->col_blob(cur, 3, &n) != NULL || n > 0)
        v->nonce = col_bytes(&v->nnonce, cur, 3);
    if (cur->drv->col_blob(cur, 4, &n) != NULL || n > 0)
        v->sealed = col_bytes(&v->nsealed, cur, 4);
    v->created = (time_t)col_int(cur, 5);
    v->updated = (time_t)col_int(cur, 6);
}

int gw_store_secret_put(struct gw_store *s, const struct gw_sealed *v, time_t now, struct edi_err *err)
{
    char op[300];
    int rc;

    snprintf(op, sizeof(op), "keep secret %s of %s", v->name ? v->name : "?", v->partner ? v->partner : "?");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_run(s, Q_SECRET_PUT,
               GW_IN(GW_TEXT(v->partner), GW_TEXT(v->name), GW_INT(v->key_version),
                     GW_BLOB(v->nonce, v->nnonce), GW_BLOB(v->sealed, v->nsealed), GW_INT(now)),
               op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_secret_get(struct gw_sealed **out, struct gw_store *s, const char *partner, const char *name,
                        struct edi_err *err)
{
    char op[300];
    struct gw_cursor *cur;
    struct gw_sealed *v;
    int rc;

    *out = NULL;
    snprintf(op, sizeof(op), "get secret %s of %s", name ? name : "?", partner ? partner : "?");
    if ((rc = q_first(&cur, s, Q_SECRET_GET, GW_IN(GW_TEXT(partner), GW_TEXT(name)), op, err)) < 0)
        return rc;
    if (rc == 0)
        return edi_fail(err, EDI_ENOTFOUND, "store: no secret %s of %s", name ? name : "?",
                        partner ? partner : "?");
    v = edi_xmalloc(sizeof(*v));
    sealed_of_row(v, cur);
    done(cur);
    *out = v;
    return 0;
}

int gw_store_secrets(struct gw_sealed **out, size_t *n, struct gw_store *s, const char *partner, int bare,
                     struct edi_err *err)
{
    static const char op[] = "list secrets";
    struct gw_cursor *cur = NULL;
    struct gw_sealed *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = tx_begin(s, TX_READ, op, err)) < 0)
        return rc;
    if ((rc = q_open(&cur, s, Q_SECRET_LIST, GW_IN(GW_TEXT(partner), GW_INT(bare ? 1 : 0)), op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            sealed_of_row(&v[k++], cur);
        }
    done(cur);
    if ((rc = tx_end(s, rc < 0 ? rc : 0, op, err)) < 0) {
        gw_sealed_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_secret_delete(struct gw_store *s, const char *partner, const char *name, struct edi_err *err)
{
    char op[300];
    int64_t changed;
    int rc;

    snprintf(op, sizeof(op), "delete secret %s of %s", name ? name : "?", partner ? partner : "?");
    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    rc = q_change(&changed, s, Q_SECRET_DELETE, GW_IN(GW_TEXT(partner), GW_TEXT(name)), op, err);
    if (rc == 0 && changed == 0)
        rc = edi_fail(err, EDI_ENOTFOUND, "store: no secret %s of %s", name ? name : "?",
                      partner ? partner : "?");
    return tx_end(s, rc, op, err);
}

int gw_store_secret_versions(int *lo, int *hi, int64_t *n, struct gw_store *s, struct edi_err *err)
{
    static const char op[] = "secret key versions";
    struct gw_cursor *cur;
    int rc;

    *lo = *hi = 0;
    *n = 0;
    if ((rc = q_first(&cur, s, Q_SECRET_VERSIONS, NO_IN, op, err)) <= 0)
        return rc;
    *lo = (int)col_int(cur, 0);
    *hi = (int)col_int(cur, 1);
    *n = col_int(cur, 2);
    done(cur);
    return 0;
}

void gw_sealed_free(struct gw_sealed *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].partner);
        free(v[i].name);
        free(v[i].nonce);
        free(v[i].sealed);
    }
    free(v);
}

/* ---- users of the HTTP API ---------------------------------------------------- */

static void user_of_row(struct gw_user *u, struct gw_cursor *cur, int session)
{
    memset(u, 0, sizeof(*u));
    u->id = col_int(cur, 0);
    u->name = col_str(cur, 1);
    u->role = col_str(cur, 2);
    u->pwhash = col_str(cur, 3);
    u->created = (time_t)col_int(cur, 4);
    u->updated = (time_t)col_int(cur, 5);
    if (session) {
        u->csrf = col_str(cur, 6);
        u->expires = (time_t)col_int(cur, 7);
    }
}

/* The one user q finds with in: EDI_ENOTFOUND (message what) when none. */
static int user_found(struct gw_user **out, struct gw_store *s, enum gw_q q, const struct gw_param *in, size_t nin,
                      int session, const char *op, const char *what, struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    *out = NULL;
    if ((rc = q_first(&cur, s, q, in, nin, op, err)) < 0)
        return rc;
    if (rc == 0)
        return edi_fail(err, EDI_ENOTFOUND, "%s", what);
    *out = edi_xmalloc(sizeof(**out));
    user_of_row(*out, cur, session);
    done(cur);
    return 0;
}

int gw_store_user_add(struct gw_store *s, const char *name, const char *role, const char *pwhash, time_t now,
                      struct edi_err *err)
{
    static const char op[] = "add user";
    struct gw_cursor *cur;
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = q_first(&cur, s, Q_USER_GET, GW_IN(GW_TEXT(name)), op, err)) == 1) {
        done(cur);
        rc = edi_fail(err, EDI_ESYNTAX, "user %s exists (`wharf users passwd %s` changes the password)", name,
                      name);
    } else if (rc == 0)
        rc = q_run(s, Q_USER_INSERT, GW_IN(GW_TEXT(name), GW_TEXT(role), GW_TEXT(pwhash), GW_INT(now)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_user_get(struct gw_user **out, struct gw_store *s, const char *name, struct edi_err *err)
{
    char what[200];

    snprintf(what, sizeof(what), "no user %s", name);
    return user_found(out, s, Q_USER_GET, GW_IN(GW_TEXT(name)), 0, "get user", what, err);
}

int gw_store_users(struct gw_user **out, size_t *n, struct gw_store *s, struct edi_err *err)
{
    static const char op[] = "list users";
    struct gw_cursor *cur = NULL;
    struct gw_user *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_open(&cur, s, Q_USER_LIST, NO_IN, op, err)) == 0)
        while ((rc = next(cur, op, err)) == 1) {
            v = grow(v, &cap, k, sizeof(*v));
            user_of_row(&v[k++], cur, 0);
        }
    done(cur);
    if (rc < 0) {
        gw_users_free(v, k);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

int gw_store_user_passwd(struct gw_store *s, int64_t id, const char *pwhash, time_t now, struct edi_err *err)
{
    static const char op[] = "change a user's password";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = q_run(s, Q_USER_PASSWD, GW_IN(GW_INT(id), GW_TEXT(pwhash), GW_INT(now)), op, err)) == 0)
        rc = q_run(s, Q_USER_SESSIONS_DELETE, GW_IN(GW_INT(id)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_user_delete(struct gw_store *s, int64_t id, struct edi_err *err)
{
    static const char op[] = "remove a user";
    int rc;

    if ((rc = tx_begin(s, TX_WRITE, op, err)) < 0)
        return rc;
    if ((rc = q_run(s, Q_USER_SESSIONS_DELETE, GW_IN(GW_INT(id)), op, err)) == 0 &&
        (rc = q_run(s, Q_USER_TOKENS_DELETE, GW_IN(GW_INT(id)), op, err)) == 0)
        rc = q_run(s, Q_USER_DELETE, GW_IN(GW_INT(id)), op, err);
    return tx_end(s, rc, op, err);
}

int gw_store_token_add(struct gw_store *s, int64_t user_id, const char *digest, time_t now, struct edi_err *err)
{
    return q_run(s, Q_TOKEN_INSERT, GW_IN(GW_INT(user_id), GW_TEXT(digest), GW_INT(now)), "add an API token", err);
}

int gw_store_user_by_token(struct gw_user **out, struct gw_store *s, const char *digest, struct edi_err *err)
{
    return user_found(out, s, Q_USER_BY_TOKEN, GW_IN(GW_TEXT(digest)), 1, "find an API token", "no such token",
                      err);
}

int gw_store_user_by_session(struct gw_user **out, struct gw_store *s, const char *digest, time_t now,
                             struct edi_err *err)
{
    return user_found(out, s, Q_USER_BY_SESSION, GW_IN(GW_TEXT(digest), GW_INT(now)), 1, "find a session",
                      "no such session", err);
}

int gw_store_session_add(struct gw_store *s, int64_t user_id, const char *digest, const char *csrf, time_t now,
                         time_t expires, struct edi_err *err)
{
    return q_run(s, Q_SESSION_INSERT,
                 GW_IN(GW_INT(user_id), GW_TEXT(digest), GW_TEXT(csrf), GW_INT(now), GW_INT(expires)),
                 "add a session", err);
}

int gw_store_session_end(struct gw_store *s, const char *digest, time_t now, struct edi_err *err)
{
    return q_run(s, Q_SESSION_DELETE, GW_IN(GW_TEXT(digest), GW_INT(now)), "end a session", err);
}

void gw_users_free(struct gw_user *v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].role);
        free(v[i].pwhash);
        free(v[i].csrf);
    }
    free(v);
}

int gw_store_order_page(struct gw_order ***out, size_t *n, struct gw_store *s, const char *state,
                        const char *partner, const char *q, int64_t after, size_t max, struct edi_err *err)
{
    return orders_found(out, n, s, Q_ORDER_PAGE,
                        GW_IN(GW_TEXT(state), GW_TEXT(partner), GW_TEXT(q), GW_INT(after), GW_INT(limit_of(max))),
                        1, "page of orders", err);
}

int gw_store_document_page(struct gw_document **out, size_t *n, struct gw_store *s, const char *partner,
                           const char *kind, const char *state, time_t since, int64_t after, size_t max,
                           struct edi_err *err)
{
    return documents_found(out, n, s, Q_DOC_PAGE,
                           GW_IN(GW_TEXT(partner), GW_TEXT(kind), GW_TEXT(state), GW_INT(after), GW_INT(since),
                                 GW_INT(limit_of(max))),
                           "page of documents", err);
}

int gw_store_document(struct gw_document **out, struct gw_store *s, int64_t id, struct edi_err *err)
{
    size_t n = 0;
    int rc;

    if ((rc = documents_found(out, &n, s, Q_DOC_GET, GW_IN(GW_INT(id)), "get document", err)) < 0)
        return rc;
    if (n == 0) {
        gw_documents_free(*out, 0);
        *out = NULL;
        return edi_fail(err, EDI_ENOTFOUND, "no document %lld", (long long)id);
    }
    return 0;
}

int gw_store_document_raw(char **out, size_t *n, struct gw_store *s, int64_t id, struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = q_first(&cur, s, Q_DOC_RAW, GW_IN(GW_INT(id)), "document bytes", err)) < 0)
        return rc;
    if (rc == 1 && cur->drv->col_blob(cur, 0, n) != NULL)
        *out = col_bytes(n, cur, 0);
    done(cur);
    if (*out == NULL)
        return edi_fail(err, EDI_ENOTFOUND, "document %lld: no bytes kept%s", (long long)id,
                        rc == 1 ? " (purged, or never stored)" : "");
    return 0;
}
