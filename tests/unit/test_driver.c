/*
 * test_driver.c — the store's driver seam (gateway/store/driver.h) through
 * SQLite's driver (sqlite.c): typed inputs (text and NULL text, 64-bit
 * integers, ids where 0 is NULL, blobs of 0 bytes that are not NULL), the
 * column getters, changes and the last row id, transactions and
 * savepoints, errors mapped onto ours, and the include rule: SQLite is
 * sqlite.c's alone, so the facade (store.c) holds no engine call.
 *
 * The store's behaviour is test_store.c's; these look under it.
 */
#include "testutil.h"
#include "gateway/store/driver.h"

#include <dirent.h>
#include <sqlite3.h>
#include <unistd.h>

struct fx {
    char dir[64];
    char path[128];
    struct gw_conn *c;
};

static const struct gw_store_driver *const D = &gw_sqlite_driver;

#define OK(call)                                                                              \
    do {                                                                                      \
        struct edi_err err_;                                                                  \
        edi_err_clear(&err_);                                                                 \
        if ((call) != 0)                                                                      \
            fail_msg("%s: %s", #call, err_.msg);                                              \
    } while (0)
#define E (&err_)

/* A migrated store, opened through the driver alone. */
static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    struct edi_err err;
    int v;

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/wharf-drv-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/wharf.db", f->dir);
    edi_err_clear(&err);
    if (D->open(&f->c, f->path, &err) < 0)
        return -1;
    for (v = 0; v < D->nmigrations; v++)
        if (D->begin(f->c, 1, 1, "migrate", &err) < 0 || D->migrate(f->c, v, "migrate", &err) < 0 ||
            D->commit(f->c, 1, "migrate", &err) < 0)
            return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    size_t i;

    D->close(f->c);
    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Runs q for its effect through the driver. */
static int run(struct gw_conn *c, enum gw_q q, const struct gw_param *in, size_t nin, struct edi_err *err)
{
    struct gw_cursor *cur;
    int rc;

    if ((rc = D->exec(&cur, c, q, in, nin, "test", err)) < 0)
        return rc;
    rc = D->next(cur, "test", err);
    D->done(cur);
    return rc < 0 ? rc : 0;
}

/* The value of a one-row, one-column query, straight from SQLite. */
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

static void test_table(void **state)
{
    assert_string_equal(D->name, "sqlite");
    assert_true(D->nmigrations >= 8);
    assert_non_null(D->open);
    assert_non_null(D->exec);
    assert_non_null(D->checkpoint);
    (void)state;
}

/* text, NULL text, int64 beyond 32 bits, an id of 0 (NULL), a blob of 0
 * bytes (empty, not NULL: the column is NOT NULL) and bytes with a NUL. */
static void test_bind_and_columns(void **state)
{
    struct fx *f = *state;
    struct gw_cursor *cur = NULL;
    static const char bin[] = {'a', '\0', 'b'};
    const int64_t big = (int64_t)1 << 40;
    const char *sha = "0000000000000000000000000000000000000000000000000000000000000000";
    const void *b;
    size_t n = 99;
    int64_t id, id2;

    OK(run(f->c, Q_RAW_INSERT, GW_IN(GW_TEXT("p"), GW_TEXT("in"), GW_TEXT(NULL), GW_TEXT(sha), GW_BLOB(NULL, 0),
                                     GW_INT(0), GW_INT(big)), E));
    id = D->last_id(f->c);
    assert_true(id > 0);
    assert_int_equal(D->changes(f->c), 1);
    OK(run(f->c, Q_RAW_INSERT, GW_IN(GW_TEXT("p"), GW_TEXT("out"), GW_TEXT("n"), GW_TEXT(sha),
                                     GW_BLOB(bin, sizeof(bin)), GW_INT(3), GW_INT(-big)), E));
    id2 = D->last_id(f->c);
    assert_int_equal(id2, id + 1);

    OK(D->exec(&cur, f->c, Q_RAW_GET, GW_IN(GW_INT(id)), "test", E));
    assert_int_equal(D->next(cur, "test", NULL), 1);
    assert_int_equal(D->col_int(cur, 0), id);
    assert_string_equal(D->col_text(cur, 1), "p");
    assert_null(D->col_text(cur, 2));           /* NULL text */
    b = D->col_blob(cur, 3, &n);
    assert_int_equal(n, 0);
    (void)b;
    assert_int_equal(D->col_int(cur, 5), big);
    assert_null(D->col_text(cur, 7));           /* verdict: SQL NULL */
    assert_int_equal(D->col_int(cur, 7), 0);
    assert_int_equal(D->next(cur, "test", NULL), 0);
    D->done(cur);
    assert_int_equal(scalar(f, "SELECT count(*) FROM raw WHERE bytes IS NOT NULL AND length(bytes) = 0"), 1);
    assert_int_equal(scalar(f, "SELECT count(*) FROM raw WHERE name IS NULL"), 1);

    /* the same cursor again: reset, bound anew */
    OK(D->exec(&cur, f->c, Q_RAW_GET, GW_IN(GW_INT(id2)), "test", E));
    assert_int_equal(D->next(cur, "test", NULL), 1);
    b = D->col_blob(cur, 3, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(b, bin, 3);
    assert_int_equal(D->col_int(cur, 5), -big);
    D->done(cur);
    D->done(NULL);
}

/* GW_ID(0) is NULL (no such row); GW_INT(0) is the number 0, which the
 * foreign key refuses: a constraint is EDI_ERR with SQLite's code. */
static void test_ids_and_errors(void **state)
{
    struct fx *f = *state;
    struct edi_err err;

    OK(run(f->c, Q_DOC_INSERT, GW_IN(GW_ID(0), GW_TEXT("p"), GW_TEXT("in"), GW_TEXT("850"), GW_TEXT(NULL),
                                     GW_TEXT(NULL), GW_TEXT(NULL), GW_TEXT("received"), GW_TEXT(NULL), GW_INT(1)), E));
    OK(run(f->c, Q_DOC_INSERT, GW_IN(GW_ID(-5), GW_TEXT("p"), GW_TEXT("in"), GW_TEXT("850"), GW_TEXT(NULL),
                                     GW_TEXT(NULL), GW_TEXT(NULL), GW_TEXT("received"), GW_TEXT(NULL), GW_INT(1)), E));
    edi_err_clear(&err);
    assert_int_equal(run(f->c, Q_DOC_INSERT,
                         GW_IN(GW_INT(0), GW_TEXT("p"), GW_TEXT("in"), GW_TEXT("850"), GW_TEXT(NULL), GW_TEXT(NULL),
                               GW_TEXT(NULL), GW_TEXT("received"), GW_TEXT(NULL), GW_INT(1)), &err),
                     EDI_ERR);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_FOREIGNKEY);
    assert_non_null(strstr(err.msg, "store: test: "));
    /* a NULL text into a NOT NULL column */
    assert_int_equal(run(f->c, Q_AUDIT, GW_IN(GW_INT(1), GW_TEXT(NULL), GW_TEXT("a"), GW_TEXT(NULL), GW_TEXT(NULL)),
                         &err), EDI_ERR);
    assert_int_equal(err.sys, SQLITE_CONSTRAINT_NOTNULL);
    /* an input the statement has no parameter for: a bug, said at once */
    assert_int_equal(run(f->c, Q_RAW_GET, GW_IN(GW_INT(1), GW_INT(2)), &err), EDI_ERR);
    assert_int_equal(err.sys, SQLITE_RANGE);
    /* and the cursor is usable after */
    OK(run(f->c, Q_RAW_GET, GW_IN(GW_INT(1)), E));
    assert_int_equal(scalar(f, "SELECT count(*) FROM documents WHERE interchange_id IS NULL"), 2);
}

/* changes: 0 for a missing row, 1 for one there. */
static void test_changes(void **state)
{
    struct fx *f = *state;

    OK(run(f->c, Q_RAW_SETTLE, GW_IN(GW_INT(404), GW_TEXT("archived"), GW_TEXT(NULL)), E));
    assert_int_equal(D->changes(f->c), 0);
    OK(run(f->c, Q_RAW_RECEIVE, GW_IN(GW_TEXT("p"), GW_TEXT("n"), GW_TEXT("x"), GW_BLOB("ab", 2), GW_INT(2),
                                      GW_INT(1)), E));
    OK(run(f->c, Q_RAW_SETTLE, GW_IN(GW_INT(D->last_id(f->c)), GW_TEXT("archived"), GW_TEXT(NULL)), E));
    assert_int_equal(D->changes(f->c), 1);
}

/* outer 1: the transaction; outer 0: a savepoint; a rolled back savepoint
 * takes only its own work. */
static void test_transactions(void **state)
{
    struct fx *f = *state;

    assert_int_equal(D->in_tx(f->c), 0);
    OK(D->begin(f->c, 1, 1, "test", E));
    assert_int_equal(D->in_tx(f->c), 1);
    OK(run(f->c, Q_AUDIT, GW_IN(GW_INT(1), GW_TEXT("t"), GW_TEXT("outer"), GW_TEXT(NULL), GW_TEXT(NULL)), E));
    OK(D->begin(f->c, 0, 1, "test", E));
    OK(run(f->c, Q_AUDIT, GW_IN(GW_INT(1), GW_TEXT("t"), GW_TEXT("inner"), GW_TEXT(NULL), GW_TEXT(NULL)), E));
    D->rollback(f->c, 0);
    OK(D->begin(f->c, 0, 1, "test", E));
    OK(run(f->c, Q_AUDIT, GW_IN(GW_INT(1), GW_TEXT("t"), GW_TEXT("released"), GW_TEXT(NULL), GW_TEXT(NULL)), E));
    OK(D->commit(f->c, 0, "test", E));
    OK(D->commit(f->c, 1, "test", E));
    assert_int_equal(D->in_tx(f->c), 0);
    OK(D->begin(f->c, 1, 0, "test", E));
    OK(run(f->c, Q_AUDIT, GW_IN(GW_INT(1), GW_TEXT("t"), GW_TEXT("dropped"), GW_TEXT(NULL), GW_TEXT(NULL)), E));
    D->rollback(f->c, 1);
    assert_int_equal(D->in_tx(f->c), 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action IN ('outer', 'released')"), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM audit WHERE action IN ('inner', 'dropped')"), 0);
    OK(D->checkpoint(f->c, "test", E));
}

/* Reads every file under dir (recursively) whose name ends in .c or .h,
 * and fails when one other than allowed (a path from the root) includes
 * sqlite3.h, or when store.c names anything sqlite3_. */
static void scan(const char *root, const char *dir, const char *allowed, int *found)
{
    char path[1024];
    struct dirent *e;
    DIR *d;

    snprintf(path, sizeof(path), "%s/%s", root, dir);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char rel[512], *text = NULL;
        size_t n = 0;
        struct edi_err err;

        if (e->d_name[0] == '.')
            continue;
        snprintf(rel, sizeof(rel), "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR) {
            scan(root, rel, allowed, found);
            continue;
        }
        if (len < 3 || (strcmp(e->d_name + len - 2, ".c") != 0 && strcmp(e->d_name + len - 2, ".h") != 0))
            continue;
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        edi_err_clear(&err);
        if (edi_read_file(&text, &n, path, &err) < 0)
            fail_msg("%s", err.msg);
        if (strstr(text, "#include <sqlite3.h>") != NULL) {
            if (strcmp(rel, allowed) != 0)
                fail_msg("%s includes sqlite3.h: only %s may", rel, allowed);
            (*found)++;
        }
        if (strcmp(rel, "gateway/store/store.c") == 0 && strstr(text, "sqlite3_") != NULL)
            fail_msg("gateway/store/store.c calls SQLite: the facade goes through the driver");
        free(text);
    }
    closedir(d);
}

static void test_include_rule(void **state)
{
    static const char *const dirs[] = {"edi", "mappings", "gateway", "cli"};
    int found = 0;
    size_t i;

    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        scan(WHARF_TESTDATA "/..", dirs[i], "gateway/store/sqlite.c", &found);
    assert_int_equal(found, 1);
    (void)state;
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_table),
        T(test_bind_and_columns),
        T(test_ids_and_errors),
        T(test_changes),
        T(test_transactions),
        cmocka_unit_test(test_include_rule),
    };
#undef T

    return cmocka_run_group_tests_name("driver", tests, NULL, NULL);
}
