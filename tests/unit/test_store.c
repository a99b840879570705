/*
 * test_store.c — the gateway's store (gateway/store.c): migrations from
 * an empty file, reopening, a store from a newer wharf, WAL, raw-byte
 * dedupe, interchanges and documents, orders with lines and history,
 * control numbers (monotonic, no gaps, no reuse, across reopen and
 * rollback), the outbox, counts, last errors, the audit log, transactions
 * that nest, and a second connection meeting a held write lock.
 *
 * Each test gets its own temporary folder. The tests look at the file
 * with SQLite directly only to check what the store's API cannot show
 * (journal mode, the audit table) or to fake a newer schema.
 */
#include "testutil.h"
#include "gateway/core/digest.h"
#include "gateway/store/store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

/* store.c: not in store.h yet. */

#define T0 1735689600   /* 2025-01-01T00:00:00Z */

struct fx {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/wharf-store-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/wharf.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    size_t i;

    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* ---- helpers ----------------------------------------------------------------- */

static struct gw_store *open_ok(const struct fx *f)
{
    struct gw_store *s = NULL;
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_store_open(&s, f->path, &err) < 0)
        fail_msg("%s", err.msg);
    return s;
}

#define OK(call)                                                                              \
    do {                                                                                      \
        struct edi_err err_;                                                                  \
        edi_err_clear(&err_);                                                                 \
        if ((call) != 0)                                                                      \
            fail_msg("%s: %s", #call, err_.msg);                                              \
    } while (0)

/* The digest is the caller's now: these compute it as inbound.c does and
 * give it back in sha, then keep the bytes. */
static int put_raw(int64_t *id, int *dup, char sha[65], struct gw_store *s, const char *partner,
                   const char *direction, const char *name, const void *bytes, size_t n, time_t now,
                   struct edi_err *err)
{
    int rc = gw_sha256_hex(sha, bytes, n, err);

    if (rc < 0) {
        *id = 0;
        *dup = 0;
        return rc;
    }
    return gw_store_put_raw(id, dup, s, partner, direction, name, sha, bytes, n, now, err);
}

static int receive_raw(int64_t *id, int *dup, int *pending, struct gw_store *s, const char *partner,
                       const char *name, const void *bytes, size_t n, time_t now, struct edi_err *err)
{
    char sha[65];
    int rc = gw_sha256_hex(sha, bytes, n, err);

    if (rc < 0)
        return rc;
    return gw_store_receive_raw(id, dup, pending, s, partner, name, sha, bytes, n, now, err);
}

/* The order is read only: its id comes back apart, set here on success. */
static int upsert(struct gw_store *s, struct gw_order *o, int *created, const char *why, time_t now,
                  struct edi_err *err)
{
    int64_t id = -1;
    int rc = gw_store_upsert_order(&id, created, s, o, why, now, err);

    if (rc == 0)
        o->id = id;
    else
        assert_int_equal(id, 0);    /* outputs cleared on failure */
    return rc;
}
/* Calls under OK() pass &err_ as their err. */
#define E (&err_)

/* One integer from the file, through SQLite directly. */
static int64_t scalar(const struct fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void exec_raw(const struct fx *f, const char *sql)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static struct gw_order_line line(int no, const char *product, const char *qty)
{
    struct gw_order_line l = {.line_no = no,
                              .product_id = edi_xstrdup(product),
                              .description = edi_xstrdup("Widget"),
                              .quantity = edi_xstrdup(qty),
                              .unit = edi_xstrdup("EA"),
                              .unit_cost = edi_xstrdup("12.50"),
                              .state = NULL};
    return l;
}

/* An order the way the pipeline fills one (heap strings). */
static struct gw_order *order_new(const char *partner, const char *program, const char *po,
                                  const char *state, size_t nlines)
{
    struct gw_order *o = edi_xcalloc(1, sizeof(*o));
    size_t i;

    o->partner = edi_xstrdup(partner);
    o->program = edi_xstrdup(program);
    o->po_number = edi_xstrdup(po);
    o->state = edi_xstrdup(state);
    o->canonical = edi_xstrdup("<order/>");
    o->lines = edi_xcalloc(nlines ? nlines : 1, sizeof(*o->lines));
    for (i = 0; i < nlines; i++)
        o->lines[i] = line((int)i + 1, "UP:012345678905", "10");
    o->nlines = nlines;
    return o;
}

static int64_t count_of(struct gw_store *s, const char *what, time_t now)
{
    struct gw_count *v = NULL;
    size_t n = 0, i;
    int64_t r = 0;

    OK(gw_store_counts(&v, &n, s, now, E));
    for (i = 0; i < n; i++)
        if (strcmp(v[i].what, what) == 0)
            r = v[i].n;
    gw_counts_free(v, n);
    return r;
}

/* ---- opening and migrations --------------------------------------------------- */

static void test_migrate_from_empty(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    int v = gw_store_version(s);

    assert_true(v >= 1);
    assert_int_equal(count_of(s, "outbox:due", T0), 0);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT max(version) FROM schema_version"), v);
    assert_int_equal(scalar(f, "SELECT count(*) FROM schema_version"), v);
    assert_int_equal(scalar(f, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                               "('raw', 'interchanges', 'documents', 'document_events', 'orders', "
                               "'order_lines', 'order_history', 'outbox', 'sequences', 'audit')"),
                     10);
    /* reopening an up-to-date store applies nothing */
    s = open_ok(f);
    assert_int_equal(gw_store_version(s), v);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM schema_version"), v);
}

static void test_wal_mode(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unsigned char hdr[20];
    FILE *fp;

    OK(gw_store_audit(s, "test", "touch", NULL, NULL, T0, E));
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    gw_store_close(s);
    /* the file itself says so: read and write versions 2 (WAL) */
    fp = fopen(f->path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(hdr, 1, sizeof(hdr), fp), sizeof(hdr));
    fclose(fp);
    assert_int_equal(hdr[18], 2);
    assert_int_equal(hdr[19], 2);
}

static void test_newer_version(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct edi_err err;

    gw_store_close(s);
    exec_raw(f, "INSERT INTO schema_version (version) VALUES (999)");
    edi_err_clear(&err);
    s = (struct gw_store *)1;
    assert_int_equal(gw_store_open(&s, f->path, &err), EDI_ECONFIG);
    assert_null(s);
    assert_int_equal(err.rc, EDI_ECONFIG);
    assert_non_null(strstr(err.msg, "999"));
    assert_non_null(strstr(err.msg, "newer"));
}

static void test_not_a_database(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = NULL;
    struct edi_err err;
    FILE *fp = fopen(f->path, "wb");

    assert_non_null(fp);
    fputs("ISA*00*          *00*          *ZZ*AMAZON this is no database, but long enough to "
          "have a header that SQLite reads and rejects............................\n",
          fp);
    fclose(fp);
    edi_err_clear(&err);
    assert_true(gw_store_open(&s, f->path, &err) < 0);
    assert_null(s);
    assert_int_equal(err.sys & 0xff, SQLITE_NOTADB);
    assert_non_null(strstr(err.msg, "store: "));
}

static void test_cannot_open(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = NULL;
    struct edi_err err;
    char p[200];

    snprintf(p, sizeof(p), "%s/missing/wharf.db", f->dir);
    edi_err_clear(&err);
    assert_int_equal(gw_store_open(&s, p, &err), EDI_EIO);
    assert_null(s);
    assert_int_equal(err.sys & 0xff, SQLITE_CANTOPEN);
    assert_non_null(strstr(err.msg, "open"));
}

static void test_reopen_keeps_data(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", GW_ORDER_PENDING, 2), *got = NULL;
    char sha[65];
    int64_t id, id2;
    int dup, created;
    uint64_t c;

    OK(put_raw(&id, &dup, sha, s, "amazon-rp", "in", "a.edi", "ISA*...", 7, T0, E));
    OK(upsert(s, o, &created, NULL, T0, E));
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    gw_store_close(s);

    s = open_ok(f);
    OK(put_raw(&id2, &dup, sha, s, "amazon-rp", "in", "again.edi", "ISA*...", 7, T0 + 1, E));
    assert_int_equal(dup, 1);
    assert_int_equal(id2, id);
    OK(gw_store_get_order(&got, s, "amazon-rp", "RP", "PO1", E));
    assert_non_null(got);
    assert_int_equal(got->id, o->id);
    assert_int_equal(got->nlines, 2);
    assert_string_equal(got->canonical, "<order/>");
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 2);
    gw_order_free(got);
    gw_order_free(o);
    gw_store_close(s);
}

/* ---- raw bytes ------------------------------------------------------------------ */

static void test_raw_dedupe(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    char sha[65];
    int64_t a, b, c, d, e;
    int dup;

    OK(put_raw(&a, &dup, sha, s, "amazon-rp", "in", "1.edi", "abc", 3, T0, E));
    assert_int_equal(dup, 0);
    assert_true(a > 0);
    /* FIPS 180-2 example */
    assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    OK(put_raw(&b, &dup, sha, s, "amazon-rp", "in", "2.edi", "abc", 3, T0 + 5, E));
    assert_int_equal(dup, 1);
    assert_int_equal(b, a);
    /* another partner, another direction, other bytes: kept */
    OK(put_raw(&c, &dup, sha, s, "amazon-df", "in", "1.edi", "abc", 3, T0, E));
    assert_int_equal(dup, 0);
    assert_true(c != a);
    OK(put_raw(&d, &dup, sha, s, "amazon-rp", "out", "1.edi", "abc", 3, T0, E));
    assert_int_equal(dup, 0);
    OK(put_raw(&e, &dup, sha, s, "amazon-rp", "in", "3.edi", "abd", 3, T0, E));
    assert_int_equal(dup, 0);
    /* empty bytes are bytes too */
    OK(put_raw(&e, &dup, sha, s, "amazon-rp", "in", "empty", NULL, 0, T0, E));
    assert_int_equal(dup, 0);
    assert_string_equal(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM raw"), 5);
    assert_int_equal(scalar(f, "SELECT size FROM raw WHERE name = '1.edi' AND direction = 'out'"), 3);
}

/* A transport lands bytes as "received"; the flow settles them; the same
 * bytes again are a duplicate, pending while the first is unprocessed. */
static void test_raw_received(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_raw *r = NULL;
    struct edi_err err;
    int64_t a, b, c, *ids = NULL;
    size_t n;
    int dup, pending;

    OK(receive_raw(&a, &dup, &pending, s, "amazon-rp", "1.edi", "abc", 3, T0, E));
    assert_int_equal(dup, 0);
    assert_int_equal(pending, 1);
    OK(receive_raw(&b, &dup, &pending, s, "amazon-df", "2.edi", "xyz", 3, T0, E));
    /* the same bytes while the first is unprocessed: that row, pending */
    OK(receive_raw(&c, &dup, &pending, s, "amazon-rp", "1-again.edi", "abc", 3, T0 + 1, E));
    assert_int_equal(dup, 1);
    assert_int_equal(pending, 1);
    assert_int_equal(c, a);
    OK(gw_store_raws_received(&ids, &n, s, NULL, E));
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    free(ids);
    OK(gw_store_raws_received(&ids, &n, s, "amazon-df", E));
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], b);
    free(ids);
    OK(gw_store_get_raw(&r, s, a, E));
    assert_string_equal(r->partner, "amazon-rp");
    assert_string_equal(r->name, "1.edi");
    assert_int_equal(r->n, 3);
    assert_memory_equal(r->bytes, "abc", 4);   /* and its '\0' */
    assert_string_equal(r->state, "received");
    assert_null(r->verdict);
    gw_raw_free(r);
    OK(gw_store_raw_settle(s, a, "quarantined", "not X12", E));
    OK(gw_store_get_raw(&r, s, a, E));
    assert_string_equal(r->state, "processed");
    assert_string_equal(r->verdict, "quarantined");
    assert_string_equal(r->reason, "not X12");
    gw_raw_free(r);
    /* processed: the same bytes again are a duplicate, not pending */
    OK(receive_raw(&c, &dup, &pending, s, "amazon-rp", "1-third.edi", "abc", 3, T0 + 2, E));
    assert_int_equal(dup, 1);
    assert_int_equal(pending, 0);
    OK(gw_store_raws_received(&ids, &n, s, "amazon-rp", E));
    assert_int_equal(n, 0);
    free(ids);
    /* a missing row is EDI_ENOTFOUND, for reading and settling */
    assert_int_equal(gw_store_get_raw(&r, s, 999, &err), EDI_ENOTFOUND);
    assert_null(r);
    assert_int_equal(gw_store_raw_settle(s, 999, "archived", NULL, &err), EDI_ENOTFOUND);
    gw_store_close(s);
    /* what was kept before migration 8 counts as processed */
    assert_int_equal(scalar(f, "SELECT count(*) FROM raw WHERE state = 'received'"), 1);
}

/* ---- interchanges and documents ------------------------------------------------ */

static void test_interchanges(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct edi_err err;
    char sha[65];
    int64_t raw, ic, ic2;
    int dup, seen;

    OK(put_raw(&raw, &dup, sha, s, "amazon-rp", "in", "1.edi", "ISA", 3, T0, E));
    OK(gw_store_interchange_seen(&seen, s, "amazon-rp", "in", "000000123", E));
    assert_int_equal(seen, 0);
    OK(gw_store_add_interchange(&ic, s, raw, "amazon-rp", "in", "000000123", "ZZ:AMAZON",
                                "ZZ:ACMEVENDOR", "accepted", T0, E));
    assert_true(ic > 0);
    OK(gw_store_interchange_seen(&seen, s, "amazon-rp", "in", "000000123", E));
    assert_int_equal(seen, 1);
    OK(gw_store_interchange_seen(&seen, s, "amazon-df", "in", "000000123", E));
    assert_int_equal(seen, 0);
    OK(gw_store_interchange_seen(&seen, s, "amazon-rp", "out", "000000123", E));
    assert_int_equal(seen, 0);
    /* without raw bytes (0: none) */
    OK(gw_store_add_interchange(&ic2, s, 0, "amazon-rp", "out", "000000001", "ZZ:ACMEVENDOR",
                                "ZZ:AMAZON", "queued", T0, E));
    /* the same control twice is a bug of the caller: EDI_ERR, a constraint */
    edi_err_clear(&err);
    assert_int_equal(gw_store_add_interchange(&ic2, s, raw, "amazon-rp", "in", "000000123", "ZZ:AMAZON",
                                              "ZZ:ACMEVENDOR", "accepted", T0, &err),
                     EDI_ERR);
    assert_int_equal(ic2, 0);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_UNIQUE);
    assert_non_null(strstr(err.msg, "add interchange amazon-rp in 000000123"));
    /* a raw id that does not exist: foreign keys are on */
    edi_err_clear(&err);
    assert_int_equal(gw_store_add_interchange(&ic2, s, 9999, "amazon-rp", "in", "000000124", "ZZ:AMAZON",
                                              "ZZ:ACMEVENDOR", "accepted", T0, &err),
                     EDI_ERR);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_FOREIGNKEY);
    gw_store_close(s);
}

static void test_documents(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct edi_err err;
    char **ev = NULL;
    size_t n = 0;
    int64_t ic, d1, d2;

    OK(gw_store_add_interchange(&ic, s, 0, "amazon-rp", "in", "000000123", "ZZ:AMAZON",
                                "ZZ:ACMEVENDOR", "accepted", T0, E));
    OK(gw_store_add_document(&d1, s, ic, "amazon-rp", "in", "850", "1", "0001", "PO1", "received",
                             NULL, T0, E));
    OK(gw_store_add_document(&d2, s, ic, "amazon-rp", "in", "850", "1", "0002", "PO2", "rejected",
                             "IT1 line 3: PO102 missing", T0, E));
    OK(gw_store_set_document_state(s, d1, "accepted", NULL, T0 + 1, E));
    OK(gw_store_set_document_state(s, d1, "rejected", "map failed: no ship-to", T0 + 2, E));
    /* an SP-API message has no interchange */
    OK(gw_store_add_document(&d2, s, 0, "amazon-df", "in", "order", NULL, NULL, "DF1", "received", NULL,
                             T0 + 3, E));
    assert_true(d2 > 0);
    edi_err_clear(&err);
    assert_int_equal(gw_store_set_document_state(s, 424242, "accepted", NULL, T0, &err), EDI_ENOTFOUND);

    assert_int_equal(count_of(s, "documents:rejected", T0), 2);
    assert_int_equal(count_of(s, "documents:received", T0), 1);
    OK(gw_store_last_errors(&ev, &n, s, 10, E));
    assert_int_equal(n, 2);
    assert_string_equal(ev[0], "2025-01-01T00:00:02Z amazon-rp 850 PO1 rejected: map failed: no ship-to");
    assert_string_equal(ev[1], "2025-01-01T00:00:00Z amazon-rp 850 PO2 rejected: IT1 line 3: PO102 missing");
    gw_strings_free(ev, n);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM document_events WHERE document_id = 1"), 3);
}

/* ---- orders ------------------------------------------------------------------------ */

static void test_order_create_update(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO100", GW_ORDER_PENDING, 3), *got = NULL;
    struct gw_history *h = NULL;
    size_t nh = 0;
    struct edi_err err;
    int created = -1;
    int64_t id;

    edi_err_clear(&err);
    assert_int_equal(gw_store_get_order(&got, s, "amazon-rp", "RP", "PO100", &err), EDI_ENOTFOUND);
    assert_null(got);
    assert_non_null(strstr(err.msg, "no order amazon-rp RP PO100"));

    OK(upsert(s, o, &created, NULL, T0, E));
    assert_int_equal(created, 1);
    assert_true(o->id > 0);
    OK(gw_store_get_order_by_id(&got, s, o->id, E));
    assert_int_equal(got->created, T0);
    assert_int_equal(got->updated, T0);
    gw_order_free(got);
    got = NULL;
    id = o->id;

    /* the PO again, changed: two lines, the second cancelled */
    gw_order_free(o);
    o = order_new("amazon-rp", "RP", "PO100", GW_ORDER_PENDING, 2);
    free(o->lines[1].quantity);
    o->lines[1].quantity = edi_xstrdup("0");
    o->lines[1].state = edi_xstrdup("cancelled");
    free(o->canonical);
    o->canonical = edi_xstrdup("<order changed=\"1\"/>");
    OK(upsert(s, o, &created, "PO change from ISA 000000124", T0 + 60, E));
    assert_int_equal(created, 0);
    assert_int_equal(o->id, id);
    OK(gw_store_get_order_by_id(&got, s, o->id, E));
    assert_int_equal(got->created, T0);
    assert_int_equal(got->updated, T0 + 60);
    gw_order_free(got);
    got = NULL;

    OK(gw_store_get_order(&got, s, "amazon-rp", "RP", "PO100", E));
    assert_non_null(got);
    assert_int_equal(got->id, id);
    assert_string_equal(got->partner, "amazon-rp");
    assert_string_equal(got->program, "RP");
    assert_string_equal(got->po_number, "PO100");
    assert_string_equal(got->state, GW_ORDER_PENDING);
    assert_string_equal(got->canonical, "<order changed=\"1\"/>");
    assert_int_equal(got->created, T0);
    assert_int_equal(got->updated, T0 + 60);
    assert_int_equal(got->nlines, 2);
    assert_int_equal(got->lines[0].line_no, 1);
    assert_string_equal(got->lines[0].product_id, "UP:012345678905");
    assert_string_equal(got->lines[0].quantity, "10");
    assert_string_equal(got->lines[0].unit, "EA");
    assert_string_equal(got->lines[0].unit_cost, "12.50");
    assert_string_equal(got->lines[0].description, "Widget");
    assert_string_equal(got->lines[0].state, "open");
    assert_int_equal(got->lines[1].line_no, 2);
    assert_string_equal(got->lines[1].quantity, "0");
    assert_string_equal(got->lines[1].state, "cancelled");
    gw_order_free(got);

    OK(gw_store_order_history(&h, &nh, s, id, E));
    assert_int_equal(nh, 2);
    assert_int_equal(h[0].at, T0);
    assert_string_equal(h[0].what, "created");
    assert_string_equal(h[0].state, GW_ORDER_PENDING);
    assert_int_equal(h[1].at, T0 + 60);
    assert_string_equal(h[1].what, "updated: PO change from ISA 000000124");
    gw_history_free(h, nh);

    /* the same PO number in the other program is another order */
    gw_order_free(o);
    o = order_new("amazon-rp", "DF", "PO100", GW_ORDER_APPROVED, 1);
    OK(upsert(s, o, &created, NULL, T0, E));
    assert_int_equal(created, 1);
    assert_true(o->id != id);
    gw_order_free(o);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM order_lines"), 3);
}

static void test_order_bad_lines_atomic(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO7", GW_ORDER_PENDING, 2), *got = NULL;
    struct edi_err err;
    int created;

    o->lines[1].line_no = 1;        /* two lines numbered 1 */
    edi_err_clear(&err);
    assert_int_equal(upsert(s, o, &created, NULL, T0, &err), EDI_ERR);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_PRIMARYKEY);
    assert_non_null(strstr(err.msg, "upsert order amazon-rp RP PO7"));
    assert_int_equal(o->id, 0);     /* outputs untouched on failure */
    /* nothing of it was kept */
    assert_int_equal(gw_store_get_order(&got, s, "amazon-rp", "RP", "PO7", &err), EDI_ENOTFOUND);
    assert_null(got);
    free(o->state);
    o->state = NULL;
    assert_int_equal(upsert(s, o, &created, NULL, T0, &err), EDI_ERR);
    gw_order_free(o);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM orders"), 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM order_lines"), 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM order_history"), 0);
}

static void test_list_orders(void **state)
{
    static const struct {
        const char *partner, *program, *po, *state;
    } rows[] = {
        {"amazon-rp", "RP", "A1", GW_ORDER_PENDING},
        {"amazon-rp", "RP", "A2", GW_ORDER_APPROVED},
        {"amazon-df", "DF", "D1", GW_ORDER_PENDING},
        {"amazon-df", "DF", "D2", GW_ORDER_SHIPPED},
        {"amazon-rp", "RP", "A3", GW_ORDER_PENDING},
    };
    static const struct {
        const char *state, *partner, *want;
    } cases[] = {
        {NULL, NULL, "A3 D2 D1 A2 A1"},
        {GW_ORDER_PENDING, NULL, "A3 D1 A1"},
        {NULL, "amazon-df", "D2 D1"},
        {GW_ORDER_PENDING, "amazon-rp", "A3 A1"},
        {GW_ORDER_CLOSED, NULL, ""},
        {NULL, "nobody", ""},
    };
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct edi_err err;
    size_t i, j;
    int created;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct gw_order *o = order_new(rows[i].partner, rows[i].program, rows[i].po, rows[i].state, i % 3);

        OK(upsert(s, o, &created, NULL, T0 + (time_t)i * 10, E));
        gw_order_free(o);
    }
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_order **v = NULL;
        size_t n = 0;
        struct edi_buf b;

        OK(gw_store_list_orders(&v, &n, s, cases[i].state, cases[i].partner, E));
        edi_buf_init(&b, 0);
        for (j = 0; j < n; j++)
            edi_buf_printf(&b, "%s%s", j ? " " : "", v[j]->po_number);
        assert_string_equal(edi_buf_cstr(&b), cases[i].want);
        edi_buf_dispose(&b);
        for (j = 0; j < n; j++)
            if (strcmp(v[j]->po_number, "D2") == 0)
                assert_int_equal(v[j]->nlines, 0);
            else if (strcmp(v[j]->po_number, "A3") == 0)
                assert_int_equal(v[j]->nlines, 1);
        /* the heads: the same orders, in the same order, with the same
         * columns, but no lines and no canonical document */
        {
            struct gw_order **h = NULL;
            size_t nh = 0;

            OK(gw_store_list_order_heads(&h, &nh, s, cases[i].state, cases[i].partner, E));
            assert_int_equal(nh, n);
            for (j = 0; j < n; j++) {
                assert_int_equal(h[j]->id, v[j]->id);
                assert_string_equal(h[j]->partner, v[j]->partner);
                assert_string_equal(h[j]->program, v[j]->program);
                assert_string_equal(h[j]->po_number, v[j]->po_number);
                assert_string_equal(h[j]->state, v[j]->state);
                assert_int_equal(h[j]->created, v[j]->created);
                assert_int_equal(h[j]->updated, v[j]->updated);
                assert_null(h[j]->canonical);
                assert_int_equal(h[j]->nlines, 0);
            }
            gw_orders_free(h, nh);
        }
        gw_orders_free(v, n);
    }

    /* the heads created before a time (strictly), newest first */
    {
        static const struct {
            const char *partner;
            time_t before;
            const char *want;
        } due[] = {
            {NULL, T0 + 20, "A1"},
            {NULL, T0 + 21, "D1 A1"},
            {"amazon-rp", T0 + 41, "A3 A1"},
            {NULL, T0, ""},
        };

        for (i = 0; i < sizeof(due) / sizeof(due[0]); i++) {
            struct gw_order **h = NULL;
            size_t nh = 0;
            struct edi_buf b;

            OK(gw_store_list_order_heads_before(&h, &nh, s, GW_ORDER_PENDING, due[i].partner, due[i].before, E));
            edi_buf_init(&b, 0);
            for (j = 0; j < nh; j++) {
                edi_buf_printf(&b, "%s%s", j ? " " : "", h[j]->po_number);
                assert_null(h[j]->canonical);
            }
            assert_string_equal(edi_buf_cstr(&b), due[i].want);
            edi_buf_dispose(&b);
            gw_orders_free(h, nh);
        }
    }

    /* a state change moves the order between lists and is kept in history */
    {
        struct gw_order *o = NULL, **v = NULL;
        struct gw_history *h = NULL;
        size_t n = 0;

        OK(gw_store_get_order(&o, s, "amazon-rp", "RP", "A1", E));
        OK(gw_store_set_order_state(s, o->id, GW_ORDER_APPROVED, "approved by ops", T0 + 100, E));
        OK(gw_store_list_orders(&v, &n, s, GW_ORDER_APPROVED, NULL, E));
        assert_int_equal(n, 2);
        gw_orders_free(v, n);
        OK(gw_store_order_history(&h, &n, s, o->id, E));
        assert_int_equal(n, 2);
        assert_string_equal(h[1].state, GW_ORDER_APPROVED);
        assert_string_equal(h[1].what, "approved by ops");
        gw_history_free(h, n);
        assert_int_equal(count_of(s, "orders:" GW_ORDER_PENDING, T0), 2);
        assert_int_equal(count_of(s, "orders:" GW_ORDER_APPROVED, T0), 2);
        assert_int_equal(count_of(s, "orders:" GW_ORDER_SHIPPED, T0), 1);
        gw_order_free(o);
    }
    edi_err_clear(&err);
    assert_int_equal(gw_store_set_order_state(s, 999, GW_ORDER_CLOSED, NULL, T0, &err), EDI_ENOTFOUND);
    gw_store_close(s);
}

/* ---- checkpoints ------------------------------------------------------------- */

static long long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int page_size(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* n orders PREFIX0000 ... of size bytes of canonical text each, upserted
 * in the open transaction (checkpoints, page sizes, writeback). */
static void big_orders(struct gw_store *s, const char *prefix, size_t n, size_t size)
{
    char *big = edi_xmalloc(size + 1);
    size_t i;
    int created;

    memset(big, 'x', size);
    big[size] = '\0';
    for (i = 0; i < n; i++) {
        char po[32];
        struct gw_order *o;

        snprintf(po, sizeof(po), "%s%04zu", prefix, i);
        o = order_new("amazon-rp", "RP", po, GW_ORDER_PENDING, 1);
        free(o->canonical);
        o->canonical = edi_xstrdup(big);
        OK(upsert(s, o, &created, NULL, T0, E));
        gw_order_free(o);
    }
    free(big);
}

/* gw_store_writeback during a large transaction changes nothing of it: a
 * rollback leaves nothing, a commit everything; the log's descriptor it
 * opens is closed with the store; on a store with no transaction it does
 * nothing wrong. */
/* Listing the orders in one state reads that state's orders only: with a
 * state, "?1 IS NULL OR state = ?1" hid it from SQLite's planner, and the
 * ack run's look for approved orders after a file of 10,000 new ones
 * scanned all 10,000 (a tenth of a second, more on a bigger store). */
static void test_list_by_state_uses_its_index(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order **v = NULL;
    size_t n = 0, i;
    int64_t before;
    int created;

    OK(gw_store_begin(s, E));
    for (i = 0; i < 400; i++) {
        char po[16];
        struct gw_order *o;

        snprintf(po, sizeof(po), "P%zu", i);
        o = order_new(i % 2 ? "amazon-rp" : "amazon-df", i % 2 ? "RP" : "DF", po,
                      i < 2 ? GW_ORDER_APPROVED : GW_ORDER_PENDING, 1);
        OK(upsert(s, o, &created, NULL, T0 + (time_t)i, E));
        gw_order_free(o);
    }
    OK(gw_store_commit(s, E));
    before = gw_store_steps(s);
    OK(gw_store_list_orders(&v, &n, s, GW_ORDER_APPROVED, "amazon-df", E));
    assert_int_equal(n, 1);
    gw_orders_free(v, n);
    OK(gw_store_list_order_heads(&v, &n, s, GW_ORDER_APPROVED, NULL, E));
    assert_int_equal(n, 2);
    gw_orders_free(v, n);
    /* a scan of the 400 takes thousands of steps; the index, a few dozen */
    if (gw_store_steps(s) - before >= 400)
        fail_msg("listing 2 approved orders of 400 took %lld steps", (long long)(gw_store_steps(s) - before));
    /* the count is real: listing every order takes more than 400 */
    before = gw_store_steps(s);
    OK(gw_store_list_order_heads(&v, &n, s, NULL, NULL, E));
    assert_int_equal(n, 400);
    gw_orders_free(v, n);
    assert_true(gw_store_steps(s) - before > 400);
    gw_store_close(s);
}

static void test_writeback(void **state)
{
    struct fx *f = *state;
    struct gw_store *s;
    struct gw_order *o = NULL;
    int before = tu_open_fds(), round, k;

    s = open_ok(f);
    gw_store_writeback(s);
    for (round = 0; round < 2; round++) {
        OK(gw_store_begin_bulk(s, E));
        for (k = 0; k < 20; k++) {
            char prefix[16];

            snprintf(prefix, sizeof(prefix), "WB%02d", k);
            big_orders(s, prefix, 100, 3000);
            gw_store_writeback(s);
        }
        if (round == 0) {
            gw_store_rollback(s);
            assert_int_equal(scalar(f, "SELECT count(*) FROM orders WHERE po_number LIKE 'WB%'"), 0);
        } else {
            OK(gw_store_commit(s, E));
        }
    }
    assert_int_equal(scalar(f, "SELECT count(*) FROM orders WHERE po_number LIKE 'WB%'"), 2000);
    gw_store_close(s);
    assert_int_equal(tu_open_fds(), before);
    s = open_ok(f);
    OK(gw_store_get_order(&o, s, "amazon-rp", "RP", "WB190099", E));
    assert_int_equal(strlen(o->canonical), 3000);
    gw_order_free(o);
    gw_store_close(s);
}

/* A new store has 16 KB pages (an order row is about 3 KB); a store made
 * with 4 KB pages (before issue 18) keeps them and works as before, its
 * log checkpointed at the same 4 MB. */
static void test_page_size(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = NULL;
    char old[160], wal[200];
    sqlite3 *db = NULL;
    struct edi_err err;
    int tries;

    gw_store_close(s);
    assert_int_equal(page_size(f->path), 16384);
    /* an older store: 4 KB pages, WAL */
    snprintf(old, sizeof(old), "%s.old", f->path);
    snprintf(wal, sizeof(wal), "%s-wal", old);
    assert_int_equal(sqlite3_open(old, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x);",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    edi_err_clear(&err);
    if (gw_store_open(&s, old, &err) < 0)
        fail_msg("%s", err.msg);
    OK(gw_store_begin_bulk(s, E));
    big_orders(s, "OL", 1000, 6000);
    OK(gw_store_commit(s, E));
    assert_int_equal(page_size(old), 4096);
    for (tries = 0; tries < 400 && file_size(old) < 1000LL * 4096; tries++)
        usleep(50 * 1000);
    assert_true(file_size(old) >= 1000LL * 4096);
    gw_store_close(s);
    assert_true(file_size(wal) <= 0);
    if (gw_store_open(&s, old, &err) < 0)
        fail_msg("%s", err.msg);
    OK(gw_store_get_order(&o, s, "amazon-rp", "RP", "OL0999", E));
    assert_int_equal(strlen(o->canonical), 6000);
    gw_order_free(o);
    gw_store_close(s);
    unlink(old);
}

/* A commit that leaves the write-ahead log at 4 MB or more is
 * copied into the database by the background checkpointer while the
 * connection stays open (the database file grows with no further call),
 * and closing the store leaves no log behind. */
static void test_background_checkpoint(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    char wal[160];
    long long before;
    int tries;

    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    before = file_size(f->path);
    OK(gw_store_begin_bulk(s, E));
    big_orders(s, "CK", 1000, 6000);
    OK(gw_store_commit(s, E));
    /* 1,000 orders of 6 KB: more than 4 MB in the log */
    assert_true(file_size(wal) > 1000LL * 4096);
    for (tries = 0; tries < 400 && file_size(f->path) < before + 1000LL * 4096; tries++)
        usleep(50 * 1000);
    if (file_size(f->path) < before + 1000LL * 4096)
        fail_msg("the database stayed at %lld bytes (the log %lld): no checkpoint in 20 s", file_size(f->path),
                 file_size(wal));
    gw_store_close(s);
    assert_true(file_size(wal) <= 0);
    /* and what was committed is there */
    s = open_ok(f);
    {
        struct gw_order *o = NULL;

        OK(gw_store_get_order(&o, s, "amazon-rp", "RP", "CK0999", E));
        assert_int_equal(strlen(o->canonical), 6000);
        gw_order_free(o);
    }
    gw_store_close(s);
}

/* ---- control numbers ----------------------------------------------------------- */

static void test_control_numbers(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct edi_err err;
    uint64_t c, prev = 0;
    int i;

    for (i = 1; i <= 5; i++) {
        OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
        assert_int_equal(c, (uint64_t)i);
        assert_true(c > prev);
        prev = c;
    }
    /* kinds and partners count on their own, from 1 */
    OK(gw_store_next_control(&c, s, "amazon-rp", 'G', E));
    assert_int_equal(c, 1);
    OK(gw_store_next_control(&c, s, "amazon-df", 'I', E));
    assert_int_equal(c, 1);
    edi_err_clear(&err);
    assert_int_equal(gw_store_next_control(&c, s, "amazon-rp", '\0', &err), EDI_ERR);

    /* after close and reopen: on from where it was */
    gw_store_close(s);
    s = open_ok(f);
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 6);

    /* a rolled-back transaction gives its number back: no gap */
    OK(gw_store_begin(s, E));
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 7);
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 8);
    gw_store_rollback(s);
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 7);

    /* committed: kept */
    OK(gw_store_begin(s, E));
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 8);
    OK(gw_store_commit(s, E));

    /* a crash inside the transaction (close without commit): same number again */
    OK(gw_store_begin(s, E));
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 9);
    gw_store_close(s);
    s = open_ok(f);
    OK(gw_store_next_control(&c, s, "amazon-rp", 'I', E));
    assert_int_equal(c, 9);
    gw_store_close(s);
}

/* ---- outbox ---------------------------------------------------------------------------- */

static void test_outbox(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_outbox_item *v = NULL;
    struct edi_err err;
    char **ev = NULL;
    size_t n = 0;
    int64_t a, b, c;

    OK(gw_store_outbox_add(&a, s, "amazon-rp", "997", "997-1.edi", "ISA*997", 7, T0, E));
    OK(gw_store_outbox_add(&b, s, "amazon-rp", "855", "855-1.edi", "ISA*855", 7, T0 + 1, E));
    OK(gw_store_outbox_add(&c, s, "amazon-df", "997", NULL, "", 0, T0 + 2, E));
    assert_true(a < b && b < c);

    /* due from when they were added */
    OK(gw_store_outbox_due(&v, &n, s, T0, 10, E));
    assert_int_equal(n, 1);
    gw_outbox_free(v, n);
    OK(gw_store_outbox_due(&v, &n, s, T0 + 10, 10, E));
    assert_int_equal(n, 3);
    assert_int_equal(v[0].id, a);
    assert_string_equal(v[0].partner, "amazon-rp");
    assert_string_equal(v[0].kind, "997");
    assert_string_equal(v[0].name, "997-1.edi");
    assert_int_equal(v[0].n, 7);
    assert_memory_equal(v[0].bytes, "ISA*997", 7);
    assert_int_equal(v[0].attempts, 0);
    assert_int_equal(v[0].next_try, T0);
    assert_int_equal(v[1].id, b);
    assert_int_equal(v[2].id, c);
    assert_null(v[2].name);
    assert_int_equal(v[2].n, 0);
    gw_outbox_free(v, n);
    OK(gw_store_outbox_due(&v, &n, s, T0 + 10, 2, E));
    assert_int_equal(n, 2);
    gw_outbox_free(v, n);

    /* a fails: not due until its retry time */
    OK(gw_store_outbox_failed(s, a, T0 + 300, "connection refused", E));
    OK(gw_store_outbox_sent(s, b, T0 + 20, E));
    OK(gw_store_outbox_due(&v, &n, s, T0 + 30, 10, E));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, c);
    gw_outbox_free(v, n);
    assert_int_equal(count_of(s, "outbox:due", T0 + 30), 1);
    assert_int_equal(count_of(s, "outbox:failed", T0 + 30), 1);

    OK(gw_store_outbox_failed(s, a, T0 + 900, "timeout", E));
    OK(gw_store_outbox_due(&v, &n, s, T0 + 900, 10, E));
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, a);
    assert_int_equal(v[0].attempts, 2);
    assert_int_equal(v[0].next_try, T0 + 900);
    gw_outbox_free(v, n);

    OK(gw_store_last_errors(&ev, &n, s, 5, E));
    assert_int_equal(n, 1);
    assert_string_equal(ev[0], "2025-01-01T00:15:00Z amazon-rp outbox 997 997-1.edi attempt 2 failed: timeout");
    gw_strings_free(ev, n);

    OK(gw_store_outbox_sent(s, a, T0 + 901, E));
    OK(gw_store_outbox_sent(s, c, T0 + 901, E));
    OK(gw_store_outbox_sent(s, c, T0 + 999, E));       /* twice: harmless */
    OK(gw_store_outbox_due(&v, &n, s, T0 + 5000, 10, E));
    assert_int_equal(n, 0);
    assert_null(v);
    assert_int_equal(count_of(s, "outbox:due", T0 + 5000), 0);
    assert_int_equal(count_of(s, "outbox:failed", T0 + 5000), 0);

    edi_err_clear(&err);
    assert_int_equal(gw_store_outbox_sent(s, 999, T0, &err), EDI_ENOTFOUND);
    assert_int_equal(gw_store_outbox_failed(s, 999, T0, "x", &err), EDI_ENOTFOUND);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT sent_at FROM outbox WHERE id = 3"), T0 + 901);
}

/* Claims: one sender per message; a stale claim or a dead owner's is
 * taken over; sent and failed end the claim; a later ERP file of the same
 * name supersedes an earlier one. */
static void test_outbox_claims(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_outbox_item *v = NULL;
    size_t n = 0;
    int64_t a, b, c, d;
    int got, yes;

    OK(gw_store_outbox_add(&a, s, "amazon-rp", "997", "997-1.edi", "ISA", 3, T0, E));
    OK(gw_store_outbox_add(&b, s, "amazon-df", "855", "855-1.edi", "ISA", 3, T0, E));
    /* the first claim wins, the second changes nothing */
    OK(gw_store_outbox_claim(&got, s, a, "1@h", T0 + 10, T0 - 600, NULL, E));
    assert_int_equal(got, 1);
    OK(gw_store_outbox_claim(&got, s, a, "2@h", T0 + 10, T0 - 600, NULL, E));
    assert_int_equal(got, 0);
    OK(gw_store_outbox_claim(&got, s, a, "1@h", T0 + 11, T0 - 600, NULL, E));
    assert_int_equal(got, 1);      /* its owner again: still its */
    /* listed with the claim; paged by id and partner */
    OK(gw_store_outbox_due_after(&v, &n, s, T0 + 20, 0, NULL, 10, E));
    assert_int_equal(n, 2);
    assert_string_equal(v[0].claimed_by, "1@h");
    assert_int_equal(v[0].claimed_at, T0 + 11);
    assert_null(v[1].claimed_by);
    assert_int_equal(v[1].claimed_at, 0);
    gw_outbox_free(v, n);
    OK(gw_store_outbox_due_after(&v, &n, s, T0 + 20, a, NULL, 10, E));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, b);
    gw_outbox_free(v, n);
    OK(gw_store_outbox_due_after(&v, &n, s, T0 + 20, 0, "amazon-rp", 10, E));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, a);
    gw_outbox_free(v, n);
    /* a dead owner's claim is taken over, and so is a stale one */
    OK(gw_store_outbox_claim(&got, s, a, "2@h", T0 + 20, T0 - 600, "9@h", E));
    assert_int_equal(got, 0);      /* not the owner it names */
    OK(gw_store_outbox_claim(&got, s, a, "2@h", T0 + 20, T0 - 600, "1@h", E));
    assert_int_equal(got, 1);
    OK(gw_store_outbox_claim(&got, s, a, "3@h", T0 + 700, T0 + 100, NULL, E));
    assert_int_equal(got, 1);
    /* sent: claimed by no one, and no one claims it again */
    OK(gw_store_outbox_sent(s, a, T0 + 701, E));
    assert_int_equal(scalar(f, "SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL"), 0);
    OK(gw_store_outbox_claim(&got, s, a, "4@h", T0 + 800, T0 + 800, NULL, E));
    assert_int_equal(got, 0);
    /* failed: the claim ends, and the message waits for its retry time */
    OK(gw_store_outbox_claim(&got, s, b, "4@h", T0 + 800, T0, NULL, E));
    assert_int_equal(got, 1);
    OK(gw_store_outbox_failed(s, b, T0 + 900, "disk full", E));
    OK(gw_store_outbox_claim(&got, s, b, "5@h", T0 + 850, T0, NULL, E));
    assert_int_equal(got, 0);
    OK(gw_store_outbox_claim(&got, s, b, "5@h", T0 + 900, T0, NULL, E));
    assert_int_equal(got, 1);
    /* the same ERP file twice: the later supersedes the earlier */
    OK(gw_store_outbox_add(&c, s, "amazon-rp", "erp-json", "amazon-rp-PO1.json", "{1}", 3, T0, E));
    OK(gw_store_outbox_add(&d, s, "amazon-rp", "erp-json", "amazon-rp-PO1.json", "{2}", 3, T0, E));
    OK(gw_store_outbox_superseded(&yes, s, c, E));
    assert_int_equal(yes, 1);
    OK(gw_store_outbox_superseded(&yes, s, d, E));
    assert_int_equal(yes, 0);
    OK(gw_store_outbox_superseded(&yes, s, a, E));
    assert_int_equal(yes, 0);
    gw_store_close(s);
}

/* ---- counts, last errors, audit ------------------------------------------------- */

/* What /metrics reads: one row kind each, labels and numbers (store.h). */
static void test_metrics(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_metric_row *v = NULL;
    size_t n = 0, i;
    int64_t d, o1, o2, o3, r;
    int already;
    char want[64][160];
    size_t nwant = 0;

    /* an empty store: no rows */
    OK(gw_store_metrics(&v, &n, s, T0, E));
    assert_int_equal(n, 0);
    gw_metric_rows_free(v, n);
    OK(gw_store_add_document(&d, s, 0, "amazon-rp", "in", "850", "1", "0001", "PO1", "accepted", NULL, T0, E));
    OK(gw_store_add_document(&d, s, 0, "amazon-rp", "in", "850", "1", "0002", "PO2", "accepted", NULL, T0, E));
    OK(gw_store_add_document(&d, s, 0, "amazon-rp", "in", "850", "1", "0003", NULL, "rejected", "bad", T0, E));
    /* three 855s queued at T0, T0+60, T0+120: the first sent, the second failed
     * (retry at T0+900), the third due */
    OK(gw_store_outbox_add(&o1, s, "amazon-rp", "855", "a", "ISA", 3, T0, E));
    OK(gw_store_outbox_add(&o2, s, "amazon-rp", "855", "b", "ISA", 3, T0 + 60, E));
    OK(gw_store_outbox_add(&o3, s, "amazon-rp", "855", "c", "ISA", 3, T0 + 120, E));
    OK(gw_store_outbox_sent(s, o1, T0 + 1, E));
    OK(gw_store_outbox_failed(s, o2, T0 + 900, "refused", E));
    /* poll ran twice: the last failed after 7 s; ack-run is running since T0+500 */
    OK(gw_store_run_start(&r, &already, s, "amazon-rp", "poll", T0, T0, E));
    OK(gw_store_run_end(s, r, "done", NULL, NULL, T0 + 2, E));
    OK(gw_store_run_start(&r, &already, s, "amazon-rp", "poll", T0 + 60, T0 + 60, E));
    OK(gw_store_run_end(s, r, "failed", NULL, "boom", T0 + 67, E));
    OK(gw_store_run_start(&r, &already, s, "amazon-rp", "ack-run", T0 + 500, T0 + 500, E));
    OK(gw_store_metrics(&v, &n, s, T0 + 600, E));
    for (i = 0; i < n; i++)
        snprintf(want[nwant++], sizeof(want[0]), "%s %s %s %s %lld %lld", v[i].what, v[i].a ? v[i].a : "-",
                 v[i].b ? v[i].b : "-", v[i].c ? v[i].c : "-", (long long)v[i].v1, (long long)v[i].v2);
    gw_metric_rows_free(v, n);
    {
        static const char *const expect[] = {
            "documents 850 in accepted 2 0",
            "documents 850 in rejected 1 0",
            /* 2 unsent, 1 due (c), the oldest due queued 480 s before */
            "outbox amazon-rp 855 480 2 1",
            "outbox-failing amazon-rp 855 - 1 1",
            "run amazon-rp ack-run running 100 0",
            "run amazon-rp poll failed 7 1735689667",
        };

        if (nwant != sizeof(expect) / sizeof(expect[0]))
            fail_msg("%zu rows, want %zu (first: %s)", nwant, sizeof(expect) / sizeof(expect[0]), want[0]);
        for (i = 0; i < nwant; i++)
            assert_string_equal(want[i], expect[i]);
    }
    gw_store_close(s);
}

static void test_counts_and_errors(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_count *v = NULL;
    char **ev = NULL;
    size_t n = 0, i;
    int64_t d, o;

    /* an empty store: the outbox entries are always there */
    OK(gw_store_counts(&v, &n, s, T0, E));
    assert_int_equal(n, 2);
    assert_string_equal(v[0].what, "outbox:due");
    assert_string_equal(v[1].what, "outbox:failed");
    gw_counts_free(v, n);
    OK(gw_store_last_errors(&ev, &n, s, 5, E));
    assert_int_equal(n, 0);
    gw_strings_free(ev, n);

    for (i = 0; i < 4; i++) {
        OK(gw_store_add_document(&d, s, 0, "amazon-rp", "in", "850", "1", "0001", NULL, "rejected",
                                 "bad", T0 + (time_t)i, E));
    }
    OK(gw_store_outbox_add(&o, s, "amazon-rp", "997", "x", "ISA", 3, T0, E));
    OK(gw_store_outbox_failed(s, o, T0 + 2, "disk full", E));
    OK(gw_store_counts(&v, &n, s, T0, E));
    assert_int_equal(n, 3);
    assert_string_equal(v[0].what, "documents:rejected");
    assert_int_equal(v[0].n, 4);
    gw_counts_free(v, n);

    /* newest first, at most max; a document without ref is named by ST02 */
    OK(gw_store_last_errors(&ev, &n, s, 3, E));
    assert_int_equal(n, 3);
    assert_string_equal(ev[0], "2025-01-01T00:00:03Z amazon-rp 850 0001 rejected: bad");
    assert_string_equal(ev[1], "2025-01-01T00:00:02Z amazon-rp 850 0001 rejected: bad");
    assert_string_equal(ev[2], "2025-01-01T00:00:02Z amazon-rp outbox 997 x attempt 1 failed: disk full");
    gw_strings_free(ev, n);
    OK(gw_store_last_errors(&ev, &n, s, 0, E));
    assert_int_equal(n, 0);
    gw_strings_free(ev, n);

    /* AS2 receipts we owe: counted apart, not in the outbox backlog */
    OK(gw_store_outbox_add(&o, s, "amazon-df", GW_OUTBOX_AS2_MDN, "https://peer.example/mdn", "x", 1, T0, E));
    assert_int_equal(count_of(s, "outbox:due", T0), 0);
    assert_int_equal(count_of(s, "outbox:failed", T0), 1);
    assert_int_equal(count_of(s, "as2:receipts-owed", T0), 1);
    assert_int_equal(count_of(s, "as2:receipts-failed", T0), 0);
    OK(gw_store_counts(&v, &n, s, T0, E));
    assert_int_equal(n, 4);    /* no as2:receipts-failed while none failed */
    assert_string_equal(v[3].what, "as2:receipts-owed");
    gw_counts_free(v, n);
    OK(gw_store_outbox_failed(s, o, T0 + 9, "connection refused", E));
    assert_int_equal(count_of(s, "outbox:failed", T0), 1);
    assert_int_equal(count_of(s, "as2:receipts-failed", T0), 1);
    OK(gw_store_last_errors(&ev, &n, s, 1, E));
    assert_int_equal(n, 1);
    assert_string_equal(ev[0], "2025-01-01T00:00:09Z amazon-df AS2 receipt owed, to https://peer.example/mdn "
                               "attempt 1 failed: connection refused");
    gw_strings_free(ev, n);
    OK(gw_store_outbox_sent(s, o, T0 + 10, E));
    assert_int_equal(count_of(s, "as2:receipts-owed", T0), 0);
    OK(gw_store_counts(&v, &n, s, T0, E));
    assert_int_equal(n, 3);
    gw_counts_free(v, n);
    gw_store_close(s);
}

static void test_audit(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct edi_err err;

    OK(gw_store_audit(s, "operator", "approve", "order amazon-rp RP PO1", "via CLI", T0, E));
    OK(gw_store_audit(s, "daemon", "reload", NULL, NULL, T0 + 1, E));
    edi_err_clear(&err);
    assert_int_equal(gw_store_audit(s, NULL, "x", NULL, NULL, T0, &err), EDI_ERR);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_NOTNULL);
    assert_non_null(strstr(err.msg, "store: audit: "));
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit"), 2);
    assert_int_equal(scalar(f, "SELECT at FROM audit WHERE actor = 'operator' AND action = 'approve'"
                               " AND subject = 'order amazon-rp RP PO1' AND detail = 'via CLI'"),
                     T0);
}

/* ---- transactions and concurrency ---------------------------------------------- */

static void test_transactions(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO9", GW_ORDER_PENDING, 1), *got = NULL;
    struct edi_err err;
    char sha[65];
    int64_t raw, ic;
    int dup, created;

    /* rolled back: nothing of it stays */
    OK(gw_store_begin(s, E));
    OK(put_raw(&raw, &dup, sha, s, "amazon-rp", "in", "1.edi", "ISA", 3, T0, E));
    OK(upsert(s, o, &created, NULL, T0, E));
    gw_store_rollback(s);
    assert_int_equal(gw_store_get_order(&got, s, "amazon-rp", "RP", "PO9", &err), EDI_ENOTFOUND);
    assert_null(got);
    OK(put_raw(&raw, &dup, sha, s, "amazon-rp", "in", "1.edi", "ISA", 3, T0, E));
    assert_int_equal(dup, 0);

    /* a call that fails inside the caller's transaction undoes only itself */
    OK(gw_store_begin(s, E));
    OK(gw_store_add_interchange(&ic, s, raw, "amazon-rp", "in", "1", "a", "b", "ok", T0, E));
    edi_err_clear(&err);
    assert_int_equal(gw_store_add_interchange(&ic, s, raw, "amazon-rp", "in", "1", "a", "b", "ok", T0, &err),
                     EDI_ERR);
    OK(upsert(s, o, &created, NULL, T0, E));
    OK(gw_store_commit(s, E));
    OK(gw_store_get_order(&got, s, "amazon-rp", "RP", "PO9", E));
    assert_non_null(got);
    gw_order_free(got);

    /* begin nests */
    OK(gw_store_begin(s, E));
    OK(gw_store_begin(s, E));
    OK(gw_store_audit(s, "t", "inner", NULL, NULL, T0, E));
    gw_store_rollback(s);
    OK(gw_store_audit(s, "t", "outer", NULL, NULL, T0, E));
    OK(gw_store_commit(s, E));

    edi_err_clear(&err);
    assert_int_equal(gw_store_commit(s, &err), EDI_ERR);
    gw_store_rollback(s);           /* nothing open: a no-op */
    gw_order_free(o);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM interchanges"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action = 'outer'"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action = 'inner'"), 0);
}

/* gw_store_begin_bulk: no savepoint per call. A call that fails inside it
 * loses the whole transaction; a caller that goes on is refused and told
 * (gw_store_bulk_lost) to run the unit again with savepoints; one that
 * returns at once sees what gw_store_begin gives. */
static void test_bulk_transactions(void **state)
{
    struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PB1", GW_ORDER_PENDING, 2), *got = NULL;
    struct edi_err err;
    char sha[65];
    int64_t raw, ic;
    int dup, created;

    OK(put_raw(&raw, &dup, sha, s, "amazon-rp", "in", "1.edi", "ISA", 3, T0, E));
    OK(gw_store_begin(s, E));
    OK(gw_store_add_interchange(&ic, s, raw, "amazon-rp", "in", "1", "a", "b", "ok", T0, E));
    OK(gw_store_commit(s, E));

    /* calls nest without savepoints and commit together */
    OK(gw_store_begin_bulk(s, E));
    edi_err_clear(&err);
    assert_int_equal(gw_store_begin_bulk(s, &err), EDI_ERR);     /* not inside a transaction */
    OK(upsert(s, o, &created, NULL, T0, E));
    OK(gw_store_begin(s, E));                                    /* a callee's own level */
    OK(gw_store_audit(s, "t", "inner", NULL, NULL, T0, E));
    OK(gw_store_commit(s, E));
    OK(gw_store_commit(s, E));
    assert_int_equal(gw_store_bulk_lost(s), 0);
    OK(gw_store_get_order(&got, s, "amazon-rp", "RP", "PB1", E));
    gw_order_free(got);
    got = NULL;
    /* a getter's "not found" inside changes nothing: the transaction goes on */
    OK(gw_store_begin_bulk(s, E));
    OK(gw_store_audit(s, "t", "kept", NULL, NULL, T0, E));
    assert_int_equal(gw_store_get_order(&got, s, "amazon-rp", "RP", "NONE", &err), EDI_ENOTFOUND);
    OK(gw_store_audit(s, "t", "kept", NULL, NULL, T0, E));
    OK(gw_store_commit(s, E));
    assert_int_equal(gw_store_bulk_lost(s), 0);

    /* a failed call, the caller goes on: refused, the commit too, nothing kept */
    free(o->po_number);
    o->po_number = edi_xstrdup("PB2");
    OK(gw_store_begin_bulk(s, E));
    OK(gw_store_audit(s, "t", "before", NULL, NULL, T0, E));
    edi_err_clear(&err);
    assert_int_equal(gw_store_add_interchange(&ic, s, raw, "amazon-rp", "in", "1", "a", "b", "ok", T0, &err),
                     EDI_ERR);
    assert_int_equal(gw_store_bulk_lost(s), 0);                  /* not yet: the caller may return */
    edi_err_clear(&err);
    assert_int_equal(upsert(s, o, &created, NULL, T0, &err), EDI_ERR);
    assert_non_null(strstr(err.msg, "lost to an earlier error"));
    assert_int_equal(gw_store_bulk_lost(s), 1);
    edi_err_clear(&err);
    assert_int_equal(gw_store_commit(s, &err), EDI_ERR);
    assert_int_equal(gw_store_bulk_lost(s), 1);
    /* the store is usable again: the unit run again with savepoints */
    OK(gw_store_begin(s, E));
    OK(gw_store_audit(s, "t", "again", NULL, NULL, T0, E));
    OK(gw_store_commit(s, E));

    /* a failed call, the caller returns: rolled back, not "lost" */
    OK(gw_store_begin_bulk(s, E));
    assert_int_equal(gw_store_bulk_lost(s), 0);
    OK(gw_store_audit(s, "t", "before", NULL, NULL, T0, E));
    edi_err_clear(&err);
    assert_int_equal(gw_store_add_interchange(&ic, s, raw, "amazon-rp", "in", "1", "a", "b", "ok", T0, &err),
                     EDI_ERR);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_UNIQUE);         /* the call's own error */
    gw_store_rollback(s);
    assert_int_equal(gw_store_bulk_lost(s), 0);

    /* a callee that rolls its own level back loses the transaction: it
     * stays open (no call runs outside it) until its owner rolls it back */
    OK(gw_store_begin_bulk(s, E));
    OK(gw_store_begin(s, E));
    OK(gw_store_audit(s, "t", "inner-undone", NULL, NULL, T0, E));
    gw_store_rollback(s);
    edi_err_clear(&err);
    assert_int_equal(gw_store_audit(s, "t", "after", NULL, NULL, T0, &err), EDI_ERR);
    assert_int_equal(gw_store_bulk_lost(s), 1);
    gw_store_rollback(s);

    gw_order_free(o);
    gw_store_close(s);
    assert_int_equal(scalar(f, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM order_lines"), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM interchanges"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action = 'inner'"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action = 'again'"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action = 'kept'"), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action IN ('before', 'after', 'inner-undone')"), 0);
}

static void test_busy(void **state)
{
    struct fx *f = *state;
    struct gw_store *a = open_ok(f), *b = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", GW_ORDER_PENDING, 1), *got = NULL;
    struct edi_err err;
    char sha[65];
    int64_t id;
    int dup, seen, created;
    uint64_t c;

    gw_store_set_busy_timeout(b, 50);
    OK(upsert(a, o, &created, NULL, T0, E));

    OK(gw_store_begin(a, E));
    OK(gw_store_next_control(&c, a, "amazon-rp", 'I', E));
    assert_int_equal(c, 1);

    /* a writer meets the held lock: retry later */
    edi_err_clear(&err);
    assert_int_equal(put_raw(&id, &dup, sha, b, "amazon-rp", "in", "1.edi", "ISA", 3, T0, &err),
                     EDI_EAGAIN);
    assert_int_equal(err.sys & 0xff, SQLITE_BUSY);
    assert_non_null(strstr(err.msg, "put raw"));
    assert_int_equal(id, 0);
    edi_err_clear(&err);
    assert_int_equal(gw_store_next_control(&c, b, "amazon-rp", 'I', &err), EDI_EAGAIN);
    assert_int_equal(gw_store_begin(b, &err), EDI_EAGAIN);

    /* readers do not wait (WAL) */
    OK(gw_store_interchange_seen(&seen, b, "amazon-rp", "in", "1", E));
    OK(gw_store_get_order(&got, b, "amazon-rp", "RP", "PO1", E));
    assert_non_null(got);
    gw_order_free(got);

    /* and a third connection opens (no migration to do) while the lock is held */
    {
        struct gw_store *c3 = open_ok(f);

        gw_store_close(c3);
    }

    OK(gw_store_commit(a, E));
    OK(put_raw(&id, &dup, sha, b, "amazon-rp", "in", "1.edi", "ISA", 3, T0, E));
    OK(gw_store_next_control(&c, b, "amazon-rp", 'I', E));
    assert_int_equal(c, 2);
    gw_order_free(o);
    gw_store_close(a);
    gw_store_close(b);
}


/* ---- shipments, SSCCs, invoices ------------------------------------------------------ */

static int64_t ship_add(struct gw_store *s, int64_t order_id, const char *sid, int version,
                        const char *q1, time_t now)
{
    struct gw_shipment_line l = {order_id, 1, (char *)q1};
    struct gw_shipment sh;
    int64_t id = -1;

    memset(&sh, 0, sizeof(sh));
    sh.partner = "amazon-rp";
    sh.program = "RP";
    sh.shipment_id = (char *)sid;
    sh.version = version;
    sh.state = "queued";
    sh.canonical = "<shipment/>";
    sh.lines = &l;
    sh.nlines = 1;
    OK(gw_store_add_shipment(&id, s, &sh, now, E));
    return id;
}

/* What is shipped counts the shipments in force only; a replaced version
 * and the shipment left out (except) do not count. */
static void test_shipments(void **state)
{
    struct gw_store *s = open_ok(*state);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", "acknowledged", 1);
    struct gw_shipment_line *v = NULL;
    struct gw_shipment *got = NULL;
    struct edi_err err;
    size_t n = 0;
    int created;
    int64_t a, b, c;

    OK(upsert(s, o, &created, "test", T0, E));
    a = ship_add(s, o->id, "ASN1", 1, "10", T0);
    b = ship_add(s, o->id, "ASN2", 1, "5", T0);
    OK(gw_store_order_shipped(&v, &n, s, o->id, 0, E));
    assert_int_equal(n, 2);
    gw_shipment_lines_free(v, n);
    /* ASN1 replaced by its version 2 with 8 */
    OK(gw_store_set_shipment_state(s, a, "replaced", T0 + 60, E));
    c = ship_add(s, o->id, "ASN1", 2, "8", T0 + 60);
    OK(gw_store_order_shipped(&v, &n, s, o->id, b, E));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].quantity, "8");
    gw_shipment_lines_free(v, n);
    /* by shipment id: the version in force */
    OK(gw_store_get_shipment(&got, s, "amazon-rp", "ASN1", 0, E));
    assert_non_null(got);
    assert_int_equal(got->id, c);
    assert_int_equal(got->version, 2);
    assert_int_equal(got->nlines, 1);
    gw_shipment_free(got);
    edi_err_clear(&err);
    assert_int_equal(gw_store_get_shipment(&got, s, NULL, "NOSUCH", 0, &err), EDI_ENOTFOUND);
    assert_null(got);
    assert_non_null(strstr(err.msg, "no shipment NOSUCH"));
    assert_int_equal(gw_store_get_shipment(&got, s, NULL, NULL, 9999, &err), EDI_ENOTFOUND);
    assert_null(got);
    gw_order_free(o);
    gw_store_close(s);
}

/* An SSCC is not reused within 365 days by another shipment id; the same
 * shipment id (a replacement) may send it again; after a year it is free. */
static void test_sscc_reuse(void **state)
{
    static const struct {
        const char *shipment;
        time_t at;
        const char *clash;    /* NULL: recorded */
    } cases[] = {
        {"ASN1", T0, NULL},
        {"ASN1", T0 + 86400, NULL},             /* a replacement */
        {"ASN2", T0 + 2 * 86400, "ASN1"},       /* within the year */
        {"ASN2", T0 + 364 * 86400, "ASN1"},
        {"ASN3", T0 + 367 * 86400, NULL},       /* the year is over */
        {"ASN4", T0 + 368 * 86400, "ASN3"},
    };
    struct gw_store *s = open_ok(*state);
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *clash = NULL, *peek = NULL;

        OK(gw_store_sscc_clash(&peek, s, "006141410000000012", cases[i].shipment, cases[i].at, E));
        OK(gw_store_sscc_use(&clash, s, "006141410000000012", "amazon-rp", cases[i].shipment, cases[i].at, E));
        if (cases[i].clash) {
            assert_non_null(clash);
            assert_string_equal(clash, cases[i].clash);
            assert_string_equal(peek, cases[i].clash);
        } else {
            assert_null(clash);
            assert_null(peek);
        }
        free(clash);
        free(peek);
    }
    gw_store_close(s);
}

/* An invoice bills (shipment, order) pairs once; its state follows the 810
 * document that carries it; history keeps each change. */
static void test_invoices(void **state)
{
    const struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", "shipped", 1);
    struct gw_invoice v, *got = NULL;
    struct gw_bill bill;
    struct gw_history *h = NULL;
    size_t nh = 0;
    int64_t billed = 0, left = -1, doc, outbox;
    int created, rc;
    struct edi_err err;

    OK(upsert(s, o, &created, "test", T0, E));
    bill.shipment_row = ship_add(s, o->id, "ASN1", 1, "10", T0);
    bill.order_id = o->id;
    OK(gw_store_order_unbilled(&left, s, o->id, E));
    assert_int_equal(left, 1);
    OK(gw_store_outbox_add(&outbox, s, "amazon-rp", "810", "inv.edi", "ISA", 3, T0, E));
    OK(gw_store_add_document(&doc, s, 0, "amazon-rp", "outbound", "810", "7", "0007", "INV-1", "queued", NULL,
                             T0, E));
    OK(gw_store_document_outbox(s, doc, outbox, E));
    memset(&v, 0, sizeof(v));
    v.partner = "amazon-rp";
    v.program = "RP";
    v.number = "INV-1";
    v.state = "queued";
    v.total = "125.00";
    v.canonical = "<invoice/>";
    v.document_id = doc;
    v.outbox_id = outbox;
    OK(gw_store_add_invoice(&v.id, s, &v, &bill, 1, "test", T0, E));
    OK(gw_store_billed(&billed, s, bill.shipment_row, o->id, E));
    assert_int_equal(billed, v.id);
    OK(gw_store_order_unbilled(&left, s, o->id, E));
    assert_int_equal(left, 0);
    /* the same goods again: refused, nothing kept */
    v.number = "INV-2";
    edi_err_clear(&err);
    rc = gw_store_add_invoice(&v.id, s, &v, &bill, 1, "test", T0, &err);
    assert_true(rc < 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM invoices"), 1);
    /* sent with its outbox message, then accepted by the 997 */
    OK(gw_store_outbox_sent(s, outbox, T0 + 60, E));
    OK(gw_store_get_invoice(&got, s, NULL, "INV-1", 0, E));
    assert_string_equal(got->state, "sent");
    gw_invoice_free(got);
    OK(gw_store_set_document_state(s, doc, "accepted", "997 AK5 A", T0 + 120, E));
    OK(gw_store_get_invoice(&got, s, "amazon-rp", "INV-1", 0, E));
    assert_string_equal(got->state, "accepted");
    OK(gw_store_invoice_history(&h, &nh, s, got->id, E));
    assert_int_equal(nh, 3);
    assert_string_equal(h[0].state, "queued");
    assert_string_equal(h[1].state, "sent");
    assert_string_equal(h[2].state, "accepted");
    gw_history_free(h, nh);
    gw_invoice_free(got);
    gw_order_free(o);
    gw_store_close(s);
}

/* Amazon's word on an invoice (the Finances API) is written only when it
 * is news; once it has spoken, a transaction status read later does not
 * move the invoice. */
static void test_invoice_amazon(void **state)
{
    const struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", "shipped", 1);
    struct gw_invoice v, *got = NULL;
    struct gw_bill bill;
    int64_t doc;
    int created, changed = -1;
    struct edi_err err;

    OK(upsert(s, o, &created, "test", T0, E));
    bill.shipment_row = ship_add(s, o->id, "ASN1", 1, "10", T0);
    bill.order_id = o->id;
    OK(gw_store_add_document(&doc, s, 0, "amazon-rp", "outbound", "810", NULL, NULL, "INV-1", "sent", NULL, T0, E));
    memset(&v, 0, sizeof(v));
    v.partner = "amazon-rp";
    v.program = "RP";
    v.number = "INV-1";
    v.state = "sent";
    v.canonical = "<invoice/>";
    v.document_id = doc;
    OK(gw_store_add_invoice(&v.id, s, &v, &bill, 1, "test", T0, E));
    OK(gw_store_invoice_amazon(&changed, s, v.id, "PARTIALLY_PAID", "Amazon paid 1.00 of 2.00 USD\nline 1: PQV\n",
                               GW_INV_PARTIALLY_PAID, T0 + 60, E));
    assert_int_equal(changed, 1);
    /* the same news again: nothing written */
    OK(gw_store_invoice_amazon(&changed, s, v.id, "PARTIALLY_PAID", "Amazon paid 1.00 of 2.00 USD\nline 1: PQV\n",
                               GW_INV_PARTIALLY_PAID, T0 + 120, E));
    assert_int_equal(changed, 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM invoice_history"), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM invoice_history WHERE what ="
                               " 'Amazon: Amazon paid 1.00 of 2.00 USD; line 1: PQV'"), 1);
    /* a transaction status read later: Amazon's word stands */
    OK(gw_store_set_document_state(s, doc, "accepted", "Success", T0 + 180, E));
    OK(gw_store_get_invoice(&got, s, "amazon-rp", "INV-1", 0, E));
    assert_string_equal(got->state, GW_INV_PARTIALLY_PAID);
    assert_string_equal(got->amazon_status, "PARTIALLY_PAID");
    assert_string_equal(got->amazon_detail, "Amazon paid 1.00 of 2.00 USD\nline 1: PQV\n");
    gw_invoice_free(got);
    /* changed amounts are news */
    OK(gw_store_invoice_amazon(&changed, s, v.id, "PARTIALLY_PAID", "Amazon paid 1.50 of 2.00 USD\n",
                               GW_INV_PARTIALLY_PAID, T0 + 240, E));
    assert_int_equal(changed, 1);
    edi_err_clear(&err);
    assert_int_equal(gw_store_invoice_amazon(&changed, s, 999, "PAID", "x", GW_INV_PAID, T0, &err), EDI_ENOTFOUND);
    assert_int_equal(changed, 0);
    gw_order_free(o);
    gw_store_close(s);
}

/* What invoices billed of an order line is kept per line and read back
 * across the versions of a shipment id; a replacement that adds nothing is
 * added to the invoice that billed its earlier version. */
static void test_invoice_lines(void **state)
{
    const struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", "shipped", 1);
    struct gw_invoice v;
    struct gw_bill bill;
    struct gw_billed_line line, *b = NULL;
    int64_t v2, by = 0, billed = 0, *ords = NULL;
    size_t nb = 0, no = 0;
    int created;

    OK(upsert(s, o, &created, "test", T0, E));
    bill.shipment_row = ship_add(s, o->id, "ASN1", 1, "10", T0);
    bill.order_id = o->id;
    memset(&v, 0, sizeof(v));
    v.partner = "amazon-rp";
    v.program = "RP";
    v.number = "INV-1";
    v.state = "queued";
    v.total = "125.00";
    v.canonical = "<invoice/>";
    OK(gw_store_add_invoice(&v.id, s, &v, &bill, 1, "test", T0, E));
    memset(&line, 0, sizeof(line));
    line.shipment_row = bill.shipment_row;
    line.order_id = o->id;
    line.line_no = 1;
    line.quantity = "10";
    OK(gw_store_add_invoice_lines(s, v.id, &line, 1, E));
    /* version 2 of ASN1: what version 1 billed counts for it */
    OK(gw_store_set_shipment_state(s, bill.shipment_row, "replaced", T0 + 60, E));
    v2 = ship_add(s, o->id, "ASN1", 2, "4", T0 + 60);
    OK(gw_store_billed_lines(&b, &nb, s, "amazon-rp", "ASN1", o->id, 0, E));
    assert_int_equal(nb, 1);
    assert_int_equal(b[0].invoice_id, v.id);
    assert_string_equal(b[0].number, "INV-1");
    assert_int_equal(b[0].line_no, 1);
    assert_string_equal(b[0].quantity, "10");
    gw_billed_lines_free(b, nb);
    /* ... except for the invoice itself, and not for another shipment id */
    OK(gw_store_billed_lines(&b, &nb, s, "amazon-rp", "ASN1", o->id, v.id, E));
    assert_int_equal(nb, 0);
    OK(gw_store_billed_lines(&b, &nb, s, "amazon-rp", "ASN2", o->id, 0, E));
    assert_int_equal(nb, 0);
    OK(gw_store_billed_elsewhere(&ords, &no, s, "amazon-rp", "ASN1", v2, E));
    assert_int_equal(no, 1);
    assert_int_equal(ords[0], o->id);
    free(ords);
    OK(gw_store_last_bill(&by, s, "amazon-rp", "ASN1", o->id, E));
    assert_int_equal(by, v.id);
    OK(gw_store_add_bill(s, by, v2, o->id, "covered", T0 + 120, E));
    OK(gw_store_billed(&billed, s, v2, o->id, E));
    assert_int_equal(billed, v.id);
    gw_order_free(o);
    gw_store_close(s);
}

/* Migration 6 backfills invoice_lines: an invoice made before it billed
 * its (shipment, order) pairs' shipment lines in full. */
/* Users of the HTTP API: a name once, tokens and sessions found by their
 * digests (a session only until it expires), a new password ends the
 * sessions, removing a user takes tokens and sessions; orders paged. */
static void test_users_and_sessions(void **state)
{
    const struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_user *u = NULL, *v = NULL;
    struct gw_order **p = NULL;
    struct edi_err err;
    size_t n = 0;
    int created, i;

    OK(gw_store_user_add(s, "olga", "operator", "$argon2id$x", T0, E));
    edi_err_clear(&err);
    assert_int_equal(gw_store_user_add(s, "olga", "viewer", "$argon2id$y", T0, &err), EDI_ESYNTAX);
    assert_non_null(strstr(err.msg, "user olga exists"));
    OK(gw_store_user_get(&u, s, "olga", E));
    assert_string_equal(u->role, "operator");
    assert_string_equal(u->pwhash, "$argon2id$x");
    OK(gw_store_token_add(s, u->id, "tokdigest", T0, E));
    OK(gw_store_session_add(s, u->id, "sesdigest", "csrf1", T0, T0 + 100, E));
    OK(gw_store_user_by_token(&v, s, "tokdigest", E));
    assert_string_equal(v->name, "olga");
    assert_null(v->pwhash);
    gw_users_free(v, 1);
    OK(gw_store_user_by_session(&v, s, "sesdigest", T0 + 99, E));
    assert_string_equal(v->csrf, "csrf1");
    gw_users_free(v, 1);
    assert_int_equal(gw_store_user_by_session(&v, s, "sesdigest", T0 + 100, &err), EDI_ENOTFOUND);
    assert_int_equal(gw_store_user_by_session(&v, s, "tokdigest", T0, &err), EDI_ENOTFOUND);
    OK(gw_store_user_passwd(s, u->id, "$argon2id$z", T0 + 1, E));
    assert_int_equal(gw_store_user_by_session(&v, s, "sesdigest", T0 + 2, &err), EDI_ENOTFOUND);
    OK(gw_store_user_by_token(&v, s, "tokdigest", E));
    gw_users_free(v, 1);
    OK(gw_store_user_delete(s, u->id, E));
    assert_int_equal(gw_store_user_by_token(&v, s, "tokdigest", &err), EDI_ENOTFOUND);
    assert_int_equal(gw_store_user_get(&v, s, "olga", &err), EDI_ENOTFOUND);
    gw_users_free(u, 1);
    for (i = 1; i <= 3; i++) {
        char po[16];
        struct gw_order *o;

        snprintf(po, sizeof(po), "PO%d", i);
        o = order_new("amazon-rp", "RP", po, "pending-approval", 1);
        OK(upsert(s, o, &created, "test", T0, E));
        gw_order_free(o);
    }
    OK(gw_store_order_page(&p, &n, s, NULL, "amazon-rp", NULL, 0, 2, E));
    assert_int_equal(n, 2);
    assert_string_equal(p[0]->po_number, "PO3");
    assert_int_equal(p[0]->nlines, 0);   /* a page has no lines */
    {
        int64_t last = p[1]->id;

        gw_orders_free(p, n);
        OK(gw_store_order_page(&p, &n, s, NULL, NULL, NULL, last, 2, E));
    }
    assert_int_equal(n, 1);
    assert_string_equal(p[0]->po_number, "PO1");
    gw_orders_free(p, n);
    OK(gw_store_order_page(&p, &n, s, "pending-approval", NULL, "O2", 0, 10, E));
    assert_int_equal(n, 1);
    assert_string_equal(p[0]->po_number, "PO2");
    gw_orders_free(p, n);
    gw_store_close(s);
}

static void test_invoice_lines_migration(void **state)
{
    const struct fx *f = *state;
    struct gw_store *s = open_ok(f);
    struct gw_order *o = order_new("amazon-rp", "RP", "PO1", "shipped", 1);
    struct gw_invoice v;
    struct gw_bill bill;
    struct gw_billed_line *b = NULL;
    size_t nb = 0;
    int created;

    OK(upsert(s, o, &created, "test", T0, E));
    bill.shipment_row = ship_add(s, o->id, "ASN1", 1, "7.5", T0);
    bill.order_id = o->id;
    memset(&v, 0, sizeof(v));
    v.partner = "amazon-rp";
    v.program = "RP";
    v.number = "INV-1";
    v.state = "sent";
    v.canonical = "<invoice/>";
    OK(gw_store_add_invoice(&v.id, s, &v, &bill, 1, "test", T0, E));
    gw_store_close(s);
    /* back to version 5: no invoice_lines (nor what 7 to 15 added) */
    exec_raw(f, "DROP INDEX documents_created; DROP INDEX raw_reprocess; DROP INDEX raw_quarantined; DROP INDEX interchanges_raw;"
                " DROP INDEX documents_about; DROP INDEX documents_kind_direction_state; DROP INDEX orders_partner_state;"
                " DROP INDEX raw_sha256; ALTER TABLE raw DROP COLUMN reprocess_of;"
                " CREATE UNIQUE INDEX raw_sha256 ON raw (partner, direction, sha256);"
                " DROP TABLE sessions; DROP TABLE api_tokens; DROP TABLE users; DROP INDEX orders_state_id;"
                " DROP INDEX orders_partner_id; DROP TABLE as2_messages; ALTER TABLE invoices DROP COLUMN amazon_status; ALTER TABLE invoices DROP COLUMN amazon_detail;"
                " DROP TABLE rate_waits; DROP TABLE cursors; DROP INDEX outbox_status;"
                " ALTER TABLE outbox DROP COLUMN receipt; ALTER TABLE outbox DROP COLUMN status;"
                " ALTER TABLE outbox DROP COLUMN status_detail; ALTER TABLE outbox DROP COLUMN status_checked;"
                " ALTER TABLE outbox DROP COLUMN status_checks;"
                " DROP TABLE secrets; DROP TABLE invoice_lines; DROP INDEX outbox_name; ALTER TABLE outbox DROP COLUMN claimed_by;"
                " ALTER TABLE outbox DROP COLUMN claimed_at; DROP INDEX raw_received;"
                " ALTER TABLE raw DROP COLUMN state; ALTER TABLE raw DROP COLUMN verdict;"
                " ALTER TABLE raw DROP COLUMN reason; DELETE FROM schema_version WHERE version >= 6");
    s = open_ok(f);
    assert_true(gw_store_version(s) >= 6);
    OK(gw_store_billed_lines(&b, &nb, s, "amazon-rp", "ASN1", o->id, 0, E));
    assert_int_equal(nb, 1);
    assert_string_equal(b[0].quantity, "7.5");
    assert_int_equal(b[0].invoice_id, v.id);
    gw_billed_lines_free(b, nb);
    gw_order_free(o);
    gw_store_close(s);
}

/* Every getter of one row says EDI_ENOTFOUND when there is none, naming
 * what it looked for, and leaves *out NULL; a list of nothing is 0, n 0. */
static void test_not_found(void **state)
{
    struct gw_store *s = open_ok(*state);
    struct gw_order *o = NULL, **os = NULL;
    struct gw_shipment *sh = NULL, **shs = NULL;
    struct gw_invoice *v = NULL, **vs = NULL;
    struct gw_raw *r = NULL;
    struct edi_err err;
    size_t n = 99;

    edi_err_clear(&err);
    assert_int_equal(gw_store_get_order(&o, s, "amazon-rp", "RP", "PO404", &err), EDI_ENOTFOUND);
    assert_null(o);
    assert_string_equal(err.msg, "store: get order: no order amazon-rp RP PO404");
    assert_int_equal(gw_store_get_order_by_id(&o, s, 404, &err), EDI_ENOTFOUND);
    assert_null(o);
    assert_string_equal(err.msg, "store: get order by id: no order #404");
    assert_int_equal(gw_store_get_shipment(&sh, s, "amazon-rp", "ASN404", 0, &err), EDI_ENOTFOUND);
    assert_null(sh);
    assert_string_equal(err.msg, "store: get shipment: no shipment ASN404 of amazon-rp");
    assert_int_equal(gw_store_get_shipment(&sh, s, NULL, NULL, 404, &err), EDI_ENOTFOUND);
    assert_string_equal(err.msg, "store: get shipment: no shipment #404");
    assert_int_equal(gw_store_get_invoice(&v, s, NULL, "INV-404", 0, &err), EDI_ENOTFOUND);
    assert_null(v);
    assert_string_equal(err.msg, "store: get invoice: no invoice INV-404");
    assert_int_equal(gw_store_get_invoice(&v, s, NULL, NULL, 404, &err), EDI_ENOTFOUND);
    assert_string_equal(err.msg, "store: get invoice: no invoice #404");
    assert_int_equal(gw_store_get_raw(&r, s, 404, &err), EDI_ENOTFOUND);
    assert_null(r);
    /* inside a transaction a miss undoes nothing of the caller's */
    OK(gw_store_begin(s, E));
    OK(gw_store_audit(s, "t", "kept", NULL, NULL, T0, E));
    assert_int_equal(gw_store_get_order_by_id(&o, s, 404, &err), EDI_ENOTFOUND);
    OK(gw_store_commit(s, E));
    /* lists */
    OK(gw_store_list_orders(&os, &n, s, NULL, NULL, E));
    assert_int_equal(n, 0);
    gw_orders_free(os, n);
    n = 99;
    OK(gw_store_list_shipments(&shs, &n, s, NULL, NULL, E));
    assert_int_equal(n, 0);
    gw_shipments_free(shs, n);
    n = 99;
    OK(gw_store_list_invoices(&vs, &n, s, NULL, NULL, E));
    assert_int_equal(n, 0);
    gw_invoices_free(vs, n);
    gw_store_close(s);
    assert_int_equal(scalar(*state, "SELECT count(*) FROM audit WHERE action = 'kept'"), 1);
}

/* The digest is the caller's: a missing or malformed one is refused before
 * anything is kept. */
static void test_raw_digest_required(void **state)
{
    struct gw_store *s = open_ok(*state);
    struct edi_err err;
    char sha[65];
    int64_t id = -1;
    int dup = -1, pending = -1;

    edi_err_clear(&err);
    assert_int_equal(gw_store_put_raw(&id, &dup, s, "amazon-rp", "in", "1.edi", NULL, "abc", 3, T0, &err), EDI_ERR);
    assert_int_equal(id, 0);
    assert_non_null(strstr(err.msg, "SHA-256"));
    assert_int_equal(gw_store_put_raw(&id, &dup, s, "amazon-rp", "in", "1.edi", "ABC", "abc", 3, T0, &err), EDI_ERR);
    assert_int_equal(gw_store_receive_raw(&id, &dup, &pending, s, "amazon-rp", "1.edi", "", "abc", 3, T0, &err),
                     EDI_ERR);
    OK(gw_sha256_hex(sha, "", 0, E));
    assert_string_equal(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    OK(gw_store_receive_raw(&id, &dup, &pending, s, "amazon-rp", "empty", sha, NULL, 0, T0, E));
    assert_true(id > 0);
    assert_int_equal(pending, 1);
    gw_store_close(s);
    assert_int_equal(scalar(*state, "SELECT count(*) FROM raw"), 1);
}

/* SPEC: issue 17 — a quarantined file reprocessed: a new received row
 * naming it, once; the same bytes received again are still the first
 * landing's duplicate. */
static void test_raw_reprocess(void **state)
{
    struct gw_store *s = open_ok(*state);
    struct edi_err err;
    struct gw_raw *r = NULL;
    struct gw_quarantined *q = NULL;
    int64_t id, again = -1, ok_id, *docs = NULL;
    int dup, pending;
    size_t n = 0;

    edi_err_clear(&err);
    OK(receive_raw(&id, &dup, &pending, s, "amazon-rp", "po.edi", "ISA*x", 5, T0, E));
    assert_int_equal(gw_store_reprocess_raw(&again, s, id, T0 + 1, &err), EDI_ESYNTAX);
    assert_int_equal(again, 0);
    assert_non_null(strstr(err.msg, "not processed yet"));
    OK(gw_store_raw_settle(s, id, "quarantined", "po.edi: refused", E));
    OK(receive_raw(&ok_id, &dup, &pending, s, "amazon-rp", "ok.edi", "ISA*y", 5, T0, E));
    OK(gw_store_raw_settle(s, ok_id, "archived", NULL, E));
    assert_int_equal(gw_store_reprocess_raw(&again, s, ok_id, T0 + 1, &err), EDI_ESYNTAX);
    assert_non_null(strstr(err.msg, "is not quarantined (archived)"));
    assert_int_equal(gw_store_reprocess_raw(&again, s, 999, T0 + 1, &err), EDI_ENOTFOUND);

    OK(gw_store_reprocess_raw(&again, s, id, T0 + 60, E));
    assert_true(again > ok_id);
    OK(gw_store_get_raw(&r, s, again, E));
    assert_string_equal(r->state, "received");
    assert_string_equal(r->name, "po.edi");
    assert_int_equal(r->reprocess_of, id);
    assert_int_equal(r->n, 5);
    assert_memory_equal(r->bytes, "ISA*x", 5);
    gw_raw_free(r);
    /* once */
    assert_int_equal(gw_store_reprocess_raw(&ok_id, s, id, T0 + 61, &err), EDI_ESYNTAX);
    assert_non_null(strstr(err.msg, "was reprocessed already, as #"));
    assert_non_null(strstr(err.msg, "(received)"));
    /* the partner's same bytes again: the first landing's duplicate */
    OK(receive_raw(&ok_id, &dup, &pending, s, "amazon-rp", "po.edi", "ISA*x", 5, T0 + 90, E));
    assert_int_equal(dup, 1);
    assert_int_equal(ok_id, id);
    /* the list: the file with its reprocess */
    OK(gw_store_raw_settle(s, again, "archived", NULL, E));
    OK(gw_store_quarantine_page(&q, &n, s, NULL, 0, 10, E));
    assert_int_equal(n, 1);
    assert_int_equal(q[0].id, id);
    assert_string_equal(q[0].reason, "po.edi: refused");
    assert_int_equal(q[0].again, again);
    assert_int_equal(q[0].again_at, T0 + 60);
    assert_string_equal(q[0].again_verdict, "archived");
    gw_quarantined_free(q, n);
    OK(gw_store_quarantine_page(&q, &n, s, "amazon-df", 0, 10, E));
    assert_int_equal(n, 0);
    gw_quarantined_free(q, n);
    OK(gw_store_raw_documents(&docs, &n, s, id, E));
    assert_int_equal(n, 0);
    free(docs);
    gw_store_close(s);
}

/* Receipts (an SP-API transactionId): kept with the message sent, asked
 * about until judged; the documents it carries follow what the partner
 * says, and only a judgement (not "pending") touches them. */
static void test_receipts(void **state)
{
    static const struct {
        const char *said, *detail;
        const char *doc_state;   /* the document after it */
        int still_pending;       /* listed as pending after */
    } steps[] = {
        {"pending", NULL, "sent", 1},
        {"pending", NULL, "sent", 1},
        {"rejected", "INVALID_ORDER_ID: no such PO", "rejected", 0},
    };
    struct gw_store *s = open_ok(*state);
    struct gw_receipt_row *v = NULL;
    size_t n = 0, i;
    int64_t ob = 0, ob2 = 0, doc = 0;

    OK(gw_store_outbox_add(&ob, s, "amazon-df", "856", "a.json", "{}", 2, T0, E));
    OK(gw_store_add_document(&doc, s, 0, "amazon-df", "outbound", "856", NULL, NULL, "PO1", "queued", NULL, T0, E));
    OK(gw_store_document_outbox(s, doc, ob, E));
    OK(gw_store_outbox_add(&ob2, s, "amazon-df", "855", "b.json", "{}", 2, T0, E));
    /* sent with a receipt: pending; sent without: no receipt at all */
    OK(gw_store_outbox_sent_receipt(s, ob, "tx-1", T0 + 1, E));
    OK(gw_store_outbox_sent(s, ob2, T0 + 1, E));
    OK(gw_store_receipts(&v, &n, s, NULL, "pending", E));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].receipt, "tx-1");
    assert_int_equal(v[0].sent_at, T0 + 1);
    assert_int_equal(v[0].checks, 0);
    gw_receipts_free(v, n);
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        OK(gw_store_receipt_status(s, ob, steps[i].said, steps[i].detail, T0 + 10 + (time_t)i, E));
        OK(gw_store_receipts(&v, &n, s, "amazon-df", "pending", E));
        assert_int_equal(n, (size_t)steps[i].still_pending);
        if (n)
            assert_int_equal(v[0].checks, (int)i + 1);
        gw_receipts_free(v, n);
        {
            char q[96];

            snprintf(q, sizeof(q), "SELECT count(*) FROM documents WHERE id = %lld AND state = '%s'", (long long)doc,
                     steps[i].doc_state);
            gw_store_close(s);
            assert_int_equal(scalar(*state, q), 1);
            s = open_ok(*state);
        }
    }
    OK(gw_store_receipts(&v, &n, s, NULL, "rejected", E));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].detail, "INVALID_ORDER_ID: no such PO");
    gw_receipts_free(v, n);
    gw_store_close(s);
}

/* A transport's cursors and rate waits: per partner and name; a wait
 * only ever moves later. */
static void test_cursors_and_waits(void **state)
{
    struct gw_store *s = open_ok(*state);
    char *v = NULL;
    time_t until = 1;

    OK(gw_store_cursor_get(&v, s, "amazon-rp", "rp-orders", E));
    assert_null(v);
    OK(gw_store_cursor_set(s, "amazon-rp", "rp-orders", "2026-12-01T00:00:00Z", T0, E));
    OK(gw_store_cursor_set(s, "amazon-df", "rp-orders", "other", T0, E));
    OK(gw_store_cursor_set(s, "amazon-rp", "rp-orders", "2026-12-02T00:00:00Z", T0, E));
    OK(gw_store_cursor_get(&v, s, "amazon-rp", "rp-orders", E));
    assert_string_equal(v, "2026-12-02T00:00:00Z");
    free(v);
    OK(gw_store_rate_wait_get(&until, s, "amazon-rp", "getPurchaseOrders", E));
    assert_int_equal(until, 0);
    OK(gw_store_rate_wait_set(s, "amazon-rp", "getPurchaseOrders", T0 + 30, E));
    OK(gw_store_rate_wait_set(s, "amazon-rp", "getPurchaseOrders", T0 + 10, E));   /* earlier: kept later */
    gw_store_close(s);
    s = open_ok(*state);   /* another process sees it */
    OK(gw_store_rate_wait_get(&until, s, "amazon-rp", "getPurchaseOrders", E));
    assert_int_equal(until, T0 + 30);
    OK(gw_store_rate_wait_get(&until, s, "amazon-df", "getPurchaseOrders", E));
    assert_int_equal(until, 0);
    gw_store_close(s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_migrate_from_empty),
        T(test_wal_mode),
        T(test_newer_version),
        T(test_not_a_database),
        T(test_cannot_open),
        T(test_reopen_keeps_data),
        T(test_raw_dedupe),
        T(test_raw_received),
        T(test_raw_reprocess),
        T(test_interchanges),
        T(test_documents),
        T(test_order_create_update),
        T(test_order_bad_lines_atomic),
        T(test_list_orders),
        T(test_list_by_state_uses_its_index),
        T(test_background_checkpoint),
        T(test_page_size),
        T(test_writeback),
        T(test_control_numbers),
        T(test_outbox),
        T(test_outbox_claims),
        T(test_counts_and_errors),
        T(test_metrics),
        T(test_audit),
        T(test_transactions),
        T(test_bulk_transactions),
        T(test_busy),
        T(test_shipments),
        T(test_sscc_reuse),
        T(test_invoices),
        T(test_invoice_amazon),
        T(test_invoice_lines),
        T(test_invoice_lines_migration),
        T(test_users_and_sessions),
        T(test_not_found),
        T(test_raw_digest_required),
        T(test_receipts),
        T(test_cursors_and_waits),
    };
#undef T

    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
