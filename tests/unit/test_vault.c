/*
 * test_vault.c — the secrets vault (gateway/secret/vault.h) over a real
 * store in a temp folder: round trips, what refuses to open (a row moved
 * to another partner or name, a changed byte, the wrong key, a key file
 * open to others or missing), rotation and a crash after each of its
 * steps, listings without values, deletion. Rows are edited with SQLite
 * directly, as an attacker with the database file would.
 */
#include "testutil.h"
#include "gateway/secret/vault.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1735689600   /* 2025-01-01T00:00:00Z */

struct fx {
    char dir[64];
    char db[128];
    char key[128];
    char newkey[128];
    struct gw_store *s;
    struct gw_vault *v;
};

#define OK(call)                                                                              \
    do {                                                                                      \
        struct edi_err err_;                                                                  \
        edi_err_clear(&err_);                                                                 \
        if ((call) != 0)                                                                      \
            fail_msg("%s: %s", #call, err_.msg);                                              \
    } while (0)
/* The error code of call, err_ holding its message (E in call). */
#define E (&err_)

static void open_store(struct fx *f)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_store_open(&f->s, f->db, &err) < 0)
        fail_msg("%s", err.msg);
}

static void open_vault(struct fx *f)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (gw_vault_open(&f->v, f->s, f->key, &err) < 0)
        fail_msg("%s", err.msg);
}

/* A workspace: store, key, vault. */
static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    struct edi_err err;
    int created = 0;

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/wharf-vault-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof(f->db), "%s/wharf.db", f->dir);
    snprintf(f->key, sizeof(f->key), "%s/secrets.key", f->dir);
    snprintf(f->newkey, sizeof(f->newkey), "%s/secrets.key.new", f->dir);
    edi_err_clear(&err);
    if (gw_vault_create_key(f->key, &created, &err) < 0 || !created)
        return -1;
    open_store(f);
    open_vault(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    gw_vault_close(f->v);
    gw_store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Closes and opens store and vault again, as another process would. */
static void reopen(struct fx *f)
{
    gw_vault_close(f->v);
    gw_store_close(f->s);
    f->v = NULL;
    f->s = NULL;
    open_store(f);
    open_vault(f);
}

static void set_ok(struct fx *f, const char *partner, const char *name, const char *value)
{
    OK(gw_vault_set(f->v, partner, name, value, strlen(value), T0, E));
}

/* The value of partner's name must be want. */
static void reads(struct gw_vault *v, const char *partner, const char *name, const char *want)
{
    struct gw_secret *s = NULL;

    OK(gw_vault_get(v, partner, name, &s, E));
    assert_int_equal(s->n, strlen(want));
    assert_memory_equal(s->p, want, s->n);
    assert_int_equal(s->p[s->n], '\0');
    gw_secret_free(s);
}

/* gw_vault_get's code; the message in msg (when not NULL). */
static int get_rc(struct gw_vault *v, const char *partner, const char *name, char *msg, size_t cap)
{
    struct gw_secret *s = NULL;
    struct edi_err err;
    int rc;

    edi_err_clear(&err);
    rc = gw_vault_get(v, partner, name, &s, &err);
    if (rc == 0)
        gw_secret_free(s);
    else
        assert_null(s);
    if (msg != NULL)
        snprintf(msg, cap, "%s", err.msg);
    return rc;
}

static void sql(const struct fx *f, const char *q)
{
    sqlite3 *db = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", q, msg);
    sqlite3_close(db);
}

static long long scalar(const struct fx *f, const char *q)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *fp;

    unlink(path);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
}

static int exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* 1 when needle (n bytes) is anywhere in the file at path. */
static int file_has(const char *path, const void *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    char *p;
    long size;
    int found = 0;

    if (fp == NULL)
        return 0;
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    p = malloc((size_t)size + 1);
    assert_non_null(p);
    if (fread(p, 1, (size_t)size, fp) == (size_t)size)
        found = memmem(p, (size_t)size, needle, n) != NULL;
    free(p);
    fclose(fp);
    return found;
}

/* ---- round trips -------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    static const unsigned char binary[] = {0, 1, 2, 0xff, 0, '\n', 0x80, 0};
    char *big = malloc(GW_SECRET_MAX);
    const struct {
        const char *name;
        const void *value;
        size_t n;
    } cases[] = {
        {"one-byte", "x", 1},
        {"token", "Atzr|IwEBIJ-refresh-token-0123456789", 35},
        {"binary", binary, sizeof(binary)},
        {"largest", big, GW_SECRET_MAX},
    };
    size_t i;

    assert_non_null(big);
    for (i = 0; i < GW_SECRET_MAX; i++)
        big[i] = (char)(i * 7 + 3);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        OK(gw_vault_set(f->v, "amazon-rp", cases[i].name, cases[i].value, cases[i].n, T0, E));
    reopen(f);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_secret *s = NULL;

        OK(gw_vault_get(f->v, "amazon-rp", cases[i].name, &s, E));
        assert_int_equal(s->n, cases[i].n);
        assert_memory_equal(s->p, cases[i].value, cases[i].n);
        assert_int_equal(s->p[s->n], '\0');
        gw_secret_free(s);
    }
    free(big);
}

static void test_refused_values(void **state)
{
    struct fx *f = *state;
    char *big = calloc(1, GW_SECRET_MAX + 1);
    const struct {
        const char *partner, *name;
        const void *value;
        size_t n;
        int rc;
    } cases[] = {
        {"amazon-rp", "empty", "", 0, EDI_ESYNTAX},
        {"amazon-rp", "too-big", big, GW_SECRET_MAX + 1, EDI_ELIMIT},
        {"", "name", "v", 1, EDI_ESYNTAX},
        {"amazon-rp", "", "v", 1, EDI_ESYNTAX},
        {"amazon rp", "name", "v", 1, EDI_ESYNTAX},
        {"amazon-rp", "a/b", "v", 1, EDI_ESYNTAX},
        {"amazon-rp", "new\nline", "v", 1, EDI_ESYNTAX},
    };
    size_t i;

    assert_non_null(big);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_err err;

        edi_err_clear(&err);
        assert_int_equal(gw_vault_set(f->v, cases[i].partner, cases[i].name, cases[i].value, cases[i].n, T0, &err),
                         cases[i].rc);
    }
    assert_int_equal(scalar(f, "SELECT count(*) FROM secrets"), 0);
    free(big);
}

static void test_replace(void **state)
{
    struct fx *f = *state;
    struct gw_secret_info *l = NULL;
    size_t n = 0;

    set_ok(f, "amazon-rp", "lwa-client-secret", "first");
    OK(gw_vault_set(f->v, "amazon-rp", "lwa-client-secret", "second value", 12, T0 + 60, E));
    reads(f->v, "amazon-rp", "lwa-client-secret", "second value");
    OK(gw_vault_list(f->v, NULL, &l, &n, E));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].created, T0);
    assert_int_equal(l[0].updated, T0 + 60);
    gw_secret_info_free(l, n);
}

static void test_not_found(void **state)
{
    struct fx *f = *state;
    char msg[320];

    set_ok(f, "amazon-rp", "token", "v1");
    assert_int_equal(get_rc(f->v, "amazon-df", "token", msg, sizeof(msg)), EDI_ENOTFOUND);
    assert_non_null(strstr(msg, "wharf secrets set amazon-df token"));
    assert_int_equal(get_rc(f->v, "amazon-rp", "tokens", NULL, 0), EDI_ENOTFOUND);
    assert_int_equal(get_rc(f->v, "amazon-rp", "token", NULL, 0), 0);
}

/* ---- what does not open --------------------------------------------------------- */

/* A sealed row copied to another partner or name, or given another key
 * version, or with one byte changed, does not open. */
static void test_moved_or_tampered(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *what, *sql, *partner, *name;
    } cases[] = {
        {"copied to another partner",
         "INSERT INTO secrets SELECT 'amazon-df', name, key_version, nonce, sealed, created, updated"
         " FROM secrets WHERE partner = 'amazon-rp' AND name = 'token'",
         "amazon-df", "token"},
        {"copied to another name",
         "INSERT INTO secrets SELECT partner, 'other', key_version, nonce, sealed, created, updated"
         " FROM secrets WHERE partner = 'amazon-rp' AND name = 'token'",
         "amazon-rp", "other"},
        {"another row's sealed bytes",
         "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE name = 'second'),"
         " nonce = (SELECT nonce FROM secrets WHERE name = 'second') WHERE name = 'token'",
         "amazon-rp", "token"},
        {"another row's key version", "UPDATE secrets SET key_version = 2 WHERE name = 'token'",
         "amazon-rp", "token"},
        {"tag cut", "UPDATE secrets SET sealed = substr(sealed, 1, length(sealed) - 1) WHERE name = 'token'",
         "amazon-rp", "token"},
        {"nonce changed", "UPDATE secrets SET nonce = zeroblob(24) WHERE name = 'token'", "amazon-rp", "token"},
        {"nonce short", "UPDATE secrets SET nonce = zeroblob(12) WHERE name = 'token'", "amazon-rp", "token"},
        {"sealed empty", "UPDATE secrets SET sealed = X'' WHERE name = 'token'", "amazon-rp", "token"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[320];

        sql(f, "DELETE FROM secrets");
        set_ok(f, "amazon-rp", "token", "the-real-token");
        set_ok(f, "amazon-rp", "second", "another-token!");
        sql(f, cases[i].sql);
        if (get_rc(f->v, cases[i].partner, cases[i].name, msg, sizeof(msg)) != EDI_ECONFIG)
            fail_msg("%s: opened, or not with EDI_ECONFIG", cases[i].what);
        assert_null(strstr(msg, "the-real-token"));
    }
}

/* A byte flipped anywhere in the sealed value, by the store's own API. */
static void test_every_byte_counts(void **state)
{
    struct fx *f = *state;
    struct gw_sealed *row = NULL;
    size_t i, n;

    set_ok(f, "amazon-rp", "token", "abc");
    OK(gw_store_secret_get(&row, f->s, "amazon-rp", "token", E));
    n = row->nsealed;
    assert_int_equal(n, 3 + 16);
    for (i = 0; i < n; i++) {
        row->sealed[i] ^= 0x20;
        OK(gw_store_secret_put(f->s, row, T0, E));
        assert_int_equal(get_rc(f->v, "amazon-rp", "token", NULL, 0), EDI_ECONFIG);
        row->sealed[i] ^= 0x20;
    }
    OK(gw_store_secret_put(f->s, row, T0, E));
    reads(f->v, "amazon-rp", "token", "abc");
    /* the same row under another key version */
    row->key_version = 2;
    OK(gw_store_secret_put(f->s, row, T0, E));
    assert_int_equal(get_rc(f->v, "amazon-rp", "token", NULL, 0), EDI_ECONFIG);
    gw_sealed_free(row, 1);
}

static void test_wrong_key(void **state)
{
    struct fx *f = *state;
    char other[160], msg[320];
    struct gw_vault *w = NULL;
    int created;

    set_ok(f, "amazon-rp", "token", "v1");
    snprintf(other, sizeof(other), "%s/other.key", f->dir);
    OK(gw_vault_create_key(other, &created, E));
    assert_int_equal(created, 1);
    OK(gw_vault_open(&w, f->s, other, E));
    assert_int_equal(get_rc(w, "amazon-rp", "token", msg, sizeof(msg)), EDI_ECONFIG);
    assert_non_null(strstr(msg, "does not open"));
    gw_vault_close(w);
}

/* The key file: missing, open to others, not a key. */
static void test_key_file(void **state)
{
    struct fx *f = *state;
    char path[160], hex[65];
    struct gw_vault *w = NULL;
    struct stat st;
    const struct {
        const char *what, *text;
        mode_t mode;
        const char *msg;    /* in the message; NULL: it opens */
    } cases[] = {
        {"missing", NULL, 0, "wharf init"},
        {"0644", "wharf-key v1 %s\n", 0644, "readable by others"},
        {"0640", "wharf-key v1 %s\n", 0640, "readable by others"},
        {"0604", "wharf-key v1 %s\n", 0604, "readable by others"},
        {"0600", "wharf-key v1 %s\n", 0600, NULL},
        {"0400, no newline", "wharf-key v7 %s", 0400, NULL},
        {"short", "wharf-key v1 0123\n", 0600, "not a wharf master key"},
        {"no version", "wharf-key v %s\n", 0600, "not a wharf master key"},
        {"version 0", "wharf-key v0 %s\n", 0600, "not a wharf master key"},
        {"raw bytes", "0123456789abcdef0123456789abcdef", 0600, "not a wharf master key"},
        {"trailing", "wharf-key v1 %s\nmore\n", 0600, "not a wharf master key"},
        {"empty", "", 0600, "not a wharf master key"},
    };
    size_t i;

    memset(hex, 'a', 64);
    hex[64] = '\0';
    snprintf(path, sizeof(path), "%s/case.key", f->dir);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct edi_err err;
        char text[300];
        int rc;

        unlink(path);
        if (cases[i].text != NULL) {
            snprintf(text, sizeof(text), cases[i].text, hex);
            write_file(path, text, cases[i].mode);
        }
        edi_err_clear(&err);
        rc = gw_vault_open(&w, f->s, path, &err);
        if (cases[i].msg == NULL) {
            if (rc != 0)
                fail_msg("%s: %s", cases[i].what, err.msg);
            gw_vault_close(w);
            w = NULL;
            continue;
        }
        if (rc != EDI_ECONFIG || strstr(err.msg, cases[i].msg) == NULL)
            fail_msg("%s: %d %s", cases[i].what, rc, err.msg);
        assert_null(w);
    }
    /* a link to a good key is refused too */
    unlink(path);
    assert_int_equal(symlink(f->key, path), 0);
    assert_int_equal(gw_vault_open(&w, f->s, path, NULL), EDI_ECONFIG);
    /* the key gw_vault_create_key made: 0600, one line, never replaced */
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    {
        int created = 1;
        struct edi_err err;
        char before[200], after[200];
        FILE *fp = fopen(f->key, "r");

        assert_non_null(fgets(before, sizeof(before), fp));
        fclose(fp);
        assert_int_equal(strncmp(before, "wharf-key v1 ", 13), 0);
        assert_int_equal(strlen(before), 13 + 64 + 1);
        edi_err_clear(&err);
        assert_int_equal(gw_vault_create_key(f->key, &created, &err), 0);
        assert_int_equal(created, 0);
        fp = fopen(f->key, "r");
        assert_non_null(fgets(after, sizeof(after), fp));
        fclose(fp);
        assert_string_equal(before, after);
    }
}

static void test_key_path(void **state)
{
    char path[256];

    (void)state;
    unsetenv("WHARF_MASTER_KEY_FILE");
    OK(gw_vault_key_path(path, sizeof(path), "/srv/ws", E));
    assert_string_equal(path, "/srv/ws/secrets.key");
    setenv("WHARF_MASTER_KEY_FILE", "/etc/wharf/master.key", 1);
    OK(gw_vault_key_path(path, sizeof(path), "/srv/ws", E));
    assert_string_equal(path, "/etc/wharf/master.key");
    unsetenv("WHARF_MASTER_KEY_FILE");
    assert_int_equal(gw_vault_key_path(path, 8, "/srv/ws", NULL), EDI_ELIMIT);
}

/* ---- rotation --------------------------------------------------------------------- */

static const char *const PARTNERS[] = {"amazon-rp", "amazon-rp", "amazon-df", "erp"};
static const char *const NAMES[] = {"lwa-refresh-token", "lwa-client-secret", "lwa-refresh-token", "api-token"};
static const char *const VALUES[] = {"Atzr|refresh-rp", "client-secret-rp", "Atzr|refresh-df", "erp-token"};
#define NSECRETS 4

static void set_all(struct fx *f)
{
    size_t i;

    for (i = 0; i < NSECRETS; i++)
        set_ok(f, PARTNERS[i], NAMES[i], VALUES[i]);
}

static void reads_all(struct gw_vault *v)
{
    size_t i;

    for (i = 0; i < NSECRETS; i++)
        reads(v, PARTNERS[i], NAMES[i], VALUES[i]);
}

static int key_version_of(const char *path)
{
    char line[200];
    FILE *fp = fopen(path, "r");
    int v = -1;

    if (fp == NULL)
        return -1;
    if (fgets(line, sizeof(line), fp) != NULL && strncmp(line, "wharf-key v", 11) == 0)
        v = atoi(line + 11);
    fclose(fp);
    return v;
}

static void test_rotate(void **state)
{
    struct fx *f = *state;
    char old[160], cmd[400];
    struct gw_vault *w = NULL;
    struct gw_secret_info *l = NULL;
    size_t n = 0, i, resealed = 0;
    struct stat st;

    set_all(f);
    snprintf(old, sizeof(old), "%s/old.key", f->dir);
    snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", f->key, old);
    assert_int_equal(system(cmd), 0);
    OK(gw_vault_rotate(&resealed, f->v, T0 + 3600, E));
    assert_int_equal(resealed, NSECRETS);
    assert_int_equal(key_version_of(f->key), 2);
    assert_false(exists(f->newkey));
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    reads_all(f->v);
    OK(gw_vault_list(f->v, NULL, &l, &n, E));
    assert_int_equal(n, NSECRETS);
    for (i = 0; i < n; i++) {
        assert_int_equal(l[i].key_version, 2);
        assert_int_equal(l[i].updated, T0);     /* the values did not change */
    }
    gw_secret_info_free(l, n);
    /* the old key opens none of them any more */
    OK(gw_vault_open(&w, f->s, old, E));
    for (i = 0; i < NSECRETS; i++)
        assert_int_equal(get_rc(w, PARTNERS[i], NAMES[i], NULL, 0), EDI_ECONFIG);
    gw_vault_close(w);
    /* again: version 3, and a new process reads them */
    OK(gw_vault_rotate(&resealed, f->v, T0 + 7200, E));
    assert_int_equal(key_version_of(f->key), 3);
    reopen(f);
    reads_all(f->v);
    /* a set after the rotation seals under the new key */
    set_ok(f, "amazon-rp", "later", "later-value");
    assert_int_equal(scalar(f, "SELECT key_version FROM secrets WHERE name = 'later'"), 3);
    /* nothing to re-seal is fine */
    sql(f, "DELETE FROM secrets");
    OK(gw_vault_rotate(&resealed, f->v, T0, E));
    assert_int_equal(resealed, 0);
    assert_int_equal(key_version_of(f->key), 4);
}

/* A crash after each step of the rotation: every secret reads, in the
 * process that was rotating (its vault still open) and in the next one,
 * which finishes or drops KEY.new; a rotation after that works. */
static void test_rotate_crash(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *step;
        int rows_version, key_version;   /* after the next open */
    } cases[] = {
        {"key-written", 1, 1},
        {"resealed", 1, 1},
        {"committed", 2, 2},
    };
    size_t i, resealed;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gw_store *s2 = NULL;
        struct gw_vault *reader = NULL;
        struct edi_err err;

        /* a fresh key and secrets */
        gw_vault_close(f->v);
        f->v = NULL;
        unlink(f->key);
        unlink(f->newkey);
        sql(f, "DELETE FROM secrets");
        {
            int created;

            OK(gw_vault_create_key(f->key, &created, E));
        }
        open_vault(f);
        set_all(f);
        /* a reader in another process, opened before the rotation */
        OK(gw_store_open(&s2, f->db, E));
        OK(gw_vault_open(&reader, s2, f->key, E));

        setenv("WHARF_TEST_ROTATE_CRASH", cases[i].step, 1);
        edi_err_clear(&err);
        resealed = 99;
        assert_int_equal(gw_vault_rotate(&resealed, f->v, T0, &err), EDI_ERR);
        unsetenv("WHARF_TEST_ROTATE_CRASH");
        assert_non_null(strstr(err.msg, cases[i].step));
        assert_int_equal(resealed, 0);
        assert_true(exists(f->newkey));
        assert_int_equal(key_version_of(f->key), 1);
        assert_int_equal(scalar(f, "SELECT max(key_version) FROM secrets"), cases[i].rows_version);
        /* the reader still reads: after "committed" with the key in KEY.new */
        reads_all(reader);
        reads_all(f->v);
        gw_vault_close(reader);
        gw_store_close(s2);

        /* the next process finishes the rotation or drops it */
        reopen(f);
        if (exists(f->newkey))
            fail_msg("%s: %s still there", cases[i].step, f->newkey);
        assert_int_equal(key_version_of(f->key), cases[i].key_version);
        reads_all(f->v);
        OK(gw_vault_rotate(&resealed, f->v, T0, E));
        assert_int_equal(resealed, NSECRETS);
        assert_int_equal(key_version_of(f->key), cases[i].key_version + 1);
        reopen(f);
        reads_all(f->v);
    }
}

/* KEY.new held by a running rotation (its flock) is left alone by an
 * opening vault, and a second rotation waits its turn (EDI_EAGAIN). */
static void test_rotation_running(void **state)
{
    struct fx *f = *state;
    struct gw_vault *w = NULL;
    size_t resealed;
    int fd;

    set_all(f);
    write_file(f->newkey, "wharf-key v2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0600);
    fd = open(f->newkey, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    OK(gw_vault_open(&w, f->s, f->key, E));
    assert_true(exists(f->newkey));
    reads_all(w);
    assert_int_equal(gw_vault_rotate(&resealed, w, T0, NULL), EDI_EAGAIN);
    assert_true(exists(f->newkey));
    gw_vault_close(w);
    close(fd);
    /* the holder died: the next open drops it (the rows are at version 1) */
    reopen(f);
    assert_false(exists(f->newkey));
    reads_all(f->v);
}

/* ---- listings and deletion ---------------------------------------------------------- */

static void test_list_without_values(void **state)
{
    struct fx *f = *state;
    struct gw_secret_info *l = NULL;
    size_t n = 0, i, k;
    char path[160];

    set_all(f);
    OK(gw_vault_list(f->v, NULL, &l, &n, E));
    assert_int_equal(n, NSECRETS);
    /* by partner then name */
    assert_string_equal(l[0].partner, "amazon-df");
    assert_string_equal(l[1].partner, "amazon-rp");
    assert_string_equal(l[1].name, "lwa-client-secret");
    assert_string_equal(l[2].name, "lwa-refresh-token");
    assert_string_equal(l[3].partner, "erp");
    for (i = 0; i < n; i++) {
        assert_int_equal(l[i].key_version, 1);
        assert_int_equal(l[i].created, T0);
        for (k = 0; k < NSECRETS; k++) {
            assert_null(strstr(l[i].partner, VALUES[k]));
            assert_null(strstr(l[i].name, VALUES[k]));
        }
    }
    gw_secret_info_free(l, n);
    OK(gw_vault_list(f->v, "amazon-rp", &l, &n, E));
    assert_int_equal(n, 2);
    gw_secret_info_free(l, n);
    OK(gw_vault_list(f->v, "nobody", &l, &n, E));
    assert_int_equal(n, 0);
    gw_secret_info_free(l, n);
    /* no value in the store's files or the key file */
    for (k = 0; k < NSECRETS; k++) {
        snprintf(path, sizeof(path), "%s-wal", f->db);
        assert_false(file_has(f->db, VALUES[k], strlen(VALUES[k])));
        assert_false(file_has(path, VALUES[k], strlen(VALUES[k])));
        assert_false(file_has(f->key, VALUES[k], strlen(VALUES[k])));
    }
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    struct edi_err err;

    set_all(f);
    OK(gw_vault_delete(f->v, "amazon-rp", "lwa-refresh-token", E));
    assert_int_equal(get_rc(f->v, "amazon-rp", "lwa-refresh-token", NULL, 0), EDI_ENOTFOUND);
    reads(f->v, "amazon-rp", "lwa-client-secret", "client-secret-rp");
    reads(f->v, "amazon-df", "lwa-refresh-token", "Atzr|refresh-df");
    edi_err_clear(&err);
    assert_int_equal(gw_vault_delete(f->v, "amazon-rp", "lwa-refresh-token", &err), EDI_ENOTFOUND);
    assert_non_null(strstr(err.msg, "lwa-refresh-token"));
    assert_int_equal(gw_vault_delete(f->v, "amazon rp", "x", NULL), EDI_ESYNTAX);
    assert_int_equal(scalar(f, "SELECT count(*) FROM secrets"), NSECRETS - 1);
}

/* Webhook tokens (erp/hooks.c): random hex in locked memory, compared in
 * constant time; a wrong byte anywhere, another length, NULL: not equal. */
static void test_random_and_equal(void **state)
{
    struct gw_secret *a = NULL, *b = NULL;
    struct edi_err err;
    char copy[65];
    size_t i;

    assert_int_equal(gw_secret_random(&a, 32, &err), 0);
    assert_int_equal(gw_secret_random(&b, 32, &err), 0);
    assert_int_equal(a->n, 64);
    assert_int_equal(strspn(a->p, "0123456789abcdef"), 64);
    assert_string_not_equal(a->p, b->p);
    assert_true(gw_secret_equal(a, a->p, a->n));
    assert_false(gw_secret_equal(a, b->p, b->n));
    for (i = 0; i < 64; i += 21) {
        memcpy(copy, a->p, 65);
        copy[i] = copy[i] == '0' ? '1' : '0';
        assert_false(gw_secret_equal(a, copy, 64));
    }
    assert_false(gw_secret_equal(a, a->p, 63));
    assert_false(gw_secret_equal(a, "", 0));
    assert_false(gw_secret_equal(NULL, a->p, 64));
    gw_secret_free(a);
    gw_secret_free(b);
    assert_int_equal(gw_secret_random(&a, 0, &err), EDI_ERR);
    assert_null(a);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip),
        T(test_refused_values),
        T(test_replace),
        T(test_not_found),
        T(test_moved_or_tampered),
        T(test_every_byte_counts),
        T(test_wrong_key),
        T(test_key_file),
        T(test_key_path),
        T(test_rotate),
        T(test_rotate_crash),
        T(test_rotation_running),
        T(test_list_without_values),
        T(test_delete),
        cmocka_unit_test(test_random_and_equal),
    };
#undef T

    return cmocka_run_group_tests_name("vault", tests, NULL, NULL);
}
