/*
 * test_erp_files.c — the ERP change log of an inbound file
 * (<erp layout="per-file">, erp.h), against a real store and a real
 * folder in a temporary directory: its names sort in commit order; each
 * order's JSON becomes one line, byte for byte but the white space;
 * stage, commit and rename leave the final files and no staged one; a
 * rollback leaves nothing and gives its number back; a process killed
 * (SIGKILL, in a child) once staged leaves a file recovery removes, once
 * committed one recovery renames; logs are renamed in order, a missing
 * one holding back the later ones, which recovery then never removes;
 * a live process's staged file is left alone; the purge takes a PO's
 * records out of the logs and nothing else.
 */
#include "testutil.h"
#include "gateway/core/fileio.h"
#include "gateway/erp/erp.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0 1735689600   /* 2025-01-01T00:00:00Z */

struct fx {
    char dir[64], erp_out[128], db[128];
    struct gw_config cfg;
    struct gw_ctx c;
    FILE *log;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct edi_err err;

    snprintf(f->dir, sizeof(f->dir), "/tmp/wharf-erplog-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->erp_out, sizeof(f->erp_out), "%s/erp-out", f->dir);
    snprintf(f->db, sizeof(f->db), "%s/wharf.db", f->dir);
    f->cfg.erp_out = f->erp_out;
    f->cfg.erp_json = 1;
    f->cfg.erp_csv = 1;
    f->cfg.erp_per_file = 1;
    f->c.cfg = &f->cfg;
    f->c.now = T0;
    f->log = tmpfile();
    f->c.log = f->log;
    edi_err_clear(&err);
    if (gw_store_open(&f->c.store, f->db, &err) < 0)
        fail_msg("%s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    gw_store_close(f->c.store);
    fclose(f->log);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* The names in erp-out, sorted, joined by ' ' ("" when none). */
static void listing(struct fx *f, char *out, size_t cap)
{
    struct dirent **v = NULL;
    int n, i;

    out[0] = '\0';
    if ((n = scandir(f->erp_out, &v, NULL, alphasort)) < 0)
        return;
    for (i = 0; i < n; i++) {
        if (strcmp(v[i]->d_name, ".") != 0 && strcmp(v[i]->d_name, "..") != 0) {
            if (out[0])
                strncat(out, " ", cap - strlen(out) - 1);
            strncat(out, v[i]->d_name, cap - strlen(out) - 1);
        }
        free(v[i]);
    }
    free(v);
}

static char *slurp(struct fx *f, const char *name)
{
    char path[256], *data = NULL;
    size_t n;
    struct edi_err err;

    snprintf(path, sizeof(path), "%s/%s", f->erp_out, name);
    if (edi_read_file(&data, &n, path, &err) < 0)
        return NULL;
    return data;
}

static const char J1[] = "{\n  \"po_number\": \"PO1\",\n  \"unit_cost\": 12.50,\n  \"lines\": [\n    {\n"
                         "      \"q\": \"a \\\"b\\\" c\\n\"\n    }\n  ]\n}";
static const char J1_LINE[] = "{\"po_number\":\"PO1\",\"unit_cost\":12.50,\"lines\":[{\"q\":\"a \\\"b\\\" c\\n\"}]}\n";
static const char ROWS1[] = "amazon-rp,RP,PO1,approved,1,upc:1,24,EA,12.50,open\n";
static const char J2[] = "{\"po_number\": \"PO2\"}";
static const char ROWS2[] = "amazon-rp,RP,PO2,approved,1,upc:2,6,EA,1.00,open\n";

/* One inbound file's transaction: records then the commit through the log. */
static int one_file(struct gw_ctx *c, const char *json, const char *rows, struct edi_err *err)
{
    int rc;

    if ((rc = gw_store_begin(c->store, err)) < 0)
        return rc;
    gw_erp_log_begin(c);
    assert_non_null(c->erp_log);
    assert_int_equal(gw_erp_log_add(c->erp_log, "amazon-rp", json, strlen(json), rows, strlen(rows), err), 0);
    rc = gw_erp_log_commit(c, err);
    if (rc < 0)
        gw_store_rollback(c->store);
    gw_erp_log_end(c);
    return rc;
}

/* The same in a child with its own store connection, killed by the test
 * hook at step; returns once it is dead (asserted: by SIGKILL). */
static void crash_in_child(struct fx *f, const char *step, const char *json, const char *rows, pid_t *dead)
{
    pid_t pid = fork();
    int status = 0;

    assert_true(pid >= 0);
    if (pid == 0) {
        struct gw_ctx c2 = f->c;
        struct edi_err err;

        c2.erp_log = NULL;
        setenv("WHARF_TEST_ERP_CRASH", step, 1);
        if (gw_store_open(&c2.store, f->db, &err) < 0)
            _exit(3);
        one_file(&c2, json, rows, &err);
        _exit(4);   /* not reached: the hook kills it */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    if (dead)
        *dead = pid;
}

static int64_t unsent(struct fx *f)
{
    struct gw_outbox_item *v = NULL;
    size_t n = 0, i;
    int64_t k = 0;
    struct edi_err err;

    assert_int_equal(gw_store_outbox_due(&v, &n, f->c.store, (time_t)253402300799, 1000, &err), 0);
    for (i = 0; i < n; i++)
        k += strcmp(v[i].kind, GW_OUTBOX_ERP_LOG) == 0;
    gw_outbox_free(v, n);
    return k;
}

/* orders-SEQ-PARTNER.EXT: twelve digits, so name order is number order. */
static void test_log_name(void **state)
{
    char a[128], b[128], c[128];
    struct edi_err err;
    char longp[600];

    (void)state;
    assert_int_equal(gw_erp_log_name(a, sizeof(a), 9, "amazon-rp", "jsonl", &err), 0);
    assert_string_equal(a, "orders-000000000009-amazon-rp.jsonl");
    assert_int_equal(gw_erp_log_name(b, sizeof(b), 10, "amazon-df", "jsonl", &err), 0);
    assert_int_equal(gw_erp_log_name(c, sizeof(c), 999999999999ULL, "a", "csv", &err), 0);
    assert_true(strcmp(a, b) < 0);
    assert_true(strcmp(b, c) < 0);
    assert_int_equal(gw_erp_log_name(a, sizeof(a), 1, "x/../y\\z", "csv", &err), 0);
    assert_string_equal(a, "orders-000000000001-x_.._y_z.csv");
    memset(longp, 'p', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(gw_erp_log_name(a, sizeof(a), 1, longp, "csv", &err), EDI_ELIMIT);
}

/* One line per order: white space outside strings goes, nothing else. */
static void test_json_line(void **state)
{
    static const char *const bad[] = {
        "[1, 2]", "", "  ", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1", "{\"a\": \"b}", "{\"a\": \"x\ny\"}", "\"s\"",
    };
    struct edi_buf b;
    struct edi_err err;
    size_t i;

    (void)state;
    edi_buf_init(&b, 0);
    assert_int_equal(gw_erp_json_line(&b, J1, strlen(J1), &err), 0);
    assert_string_equal(edi_buf_cstr(&b), J1_LINE);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t before = b.n;

        assert_int_equal(gw_erp_json_line(&b, bad[i], strlen(bad[i]), &err), EDI_ESYNTAX);
        assert_int_equal(b.n, before);   /* nothing of it kept */
    }
    /* a second line after the first: an escaped backslash before the closing
     * quote, white space around the object and inside arrays */
    {
        static const char two[] = " \t{\"k\": \"a\\\\\", \"m\" : [ 1 , 2 ] }  \n";

        char want[sizeof(J1_LINE) + 64];

        assert_int_equal(gw_erp_json_line(&b, two, strlen(two), &err), 0);
        snprintf(want, sizeof(want), "%s%s", J1_LINE, "{\"k\":\"a\\\\\",\"m\":[1,2]}\n");
        assert_string_equal(edi_buf_cstr(&b), want);
    }
    edi_buf_dispose(&b);
}

/* Two files committed: two logs, in order, each its orders once; a CSV
 * header once; nothing staged left; the messages sent. */
static void test_commit(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char ls[1024], *j, *csv;

    assert_int_equal(one_file(&f->c, J1, ROWS1, &err), 0);
    assert_int_equal(one_file(&f->c, J2, ROWS2, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl "
                            "orders-000000000002-amazon-rp.csv orders-000000000002-amazon-rp.jsonl");
    assert_non_null(j = slurp(f, "orders-000000000001-amazon-rp.jsonl"));
    assert_string_equal(j, J1_LINE);
    free(j);
    assert_non_null(j = slurp(f, "orders-000000000002-amazon-rp.jsonl"));
    assert_string_equal(j, "{\"po_number\":\"PO2\"}\n");
    free(j);
    assert_non_null(csv = slurp(f, "orders-000000000002-amazon-rp.csv"));
    assert_true(strncmp(csv, "partner,program,po_number,", 26) == 0);
    assert_non_null(strstr(csv, ROWS2));
    assert_null(strstr(strchr(csv, '\n') + 1, "partner,program"));
    free(csv);
    assert_int_equal(unsent(f), 0);
}

/* Staged, then rolled back: no file, and the number is given again. */
static void test_rollback(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char ls[1024];

    assert_int_equal(gw_store_begin(f->c.store, &err), 0);
    gw_erp_log_begin(&f->c);
    assert_int_equal(gw_erp_log_add(f->c.erp_log, "amazon-rp", J1, strlen(J1), ROWS1, strlen(ROWS1), &err), 0);
    assert_int_equal(gw_erp_log_stage(&f->c, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_non_null(strstr(ls, ".orders-000000000001-amazon-rp.jsonl.wharf-"));
    gw_store_rollback(f->c.store);
    gw_erp_log_end(&f->c);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "");
    assert_int_equal(unsent(f), 0);
    assert_int_equal(one_file(&f->c, J2, ROWS2, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl");
}

/* Killed once staged (not committed): recovery removes the staged files;
 * killed once committed: recovery renames them; the next file's log comes
 * after. */
static void test_crash(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char ls[1024], *j;

    crash_in_child(f, "staged", J1, ROWS1, NULL);
    listing(f, ls, sizeof(ls));
    assert_non_null(strstr(ls, ".orders-000000000001-amazon-rp.jsonl.wharf-"));
    assert_int_equal(unsent(f), 0);
    assert_int_equal(gw_erp_recover(&f->c, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "");

    crash_in_child(f, "committed", J1, ROWS1, NULL);
    listing(f, ls, sizeof(ls));
    assert_non_null(strstr(ls, ".orders-000000000001-amazon-rp.csv.wharf-"));
    assert_null(strstr(ls, " orders-"));
    assert_int_equal(unsent(f), 2);
    assert_int_equal(gw_erp_recover(&f->c, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl");
    assert_non_null(j = slurp(f, "orders-000000000001-amazon-rp.jsonl"));
    assert_string_equal(j, J1_LINE);
    free(j);
    assert_int_equal(unsent(f), 0);
    /* recovered twice: nothing changes */
    assert_int_equal(gw_erp_recover(&f->c, &err), 0);
    assert_int_equal(one_file(&f->c, J2, ROWS2, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl "
                            "orders-000000000002-amazon-rp.csv orders-000000000002-amazon-rp.jsonl");
}

/* A log of NREC records of about 1 KB each (2.8 MB): added and
 * flushed as gw_erp_order_pre does; *json_want and *csv_want (the
 * caller's) get what the files must hold. */
#define NREC 3000

static int big_log(struct gw_ctx *c, char **json_want, char **csv_want, struct edi_err *err)
{
    struct edi_buf j, r, one;
    int i, rc = 0;

    edi_buf_init(&j, 0);
    edi_buf_init(&r, 0);
    edi_buf_init(&one, 0);
    for (i = 0; i < NREC && rc == 0; i++) {
        char row[256];

        edi_buf_reset(&one);
        edi_buf_printf(&one, "{ \"po_number\": \"P%05d\", \"pad\": \"%0900d\" }", i, i);
        snprintf(row, sizeof(row), "amazon-rp,RP,P%05d,approved,1,upc:012345678905,24,EA,12.50,open\n", i);
        rc = gw_erp_log_add(c->erp_log, "amazon-rp", one.p, one.n, row, strlen(row), err);
        if (rc == 0)
            rc = gw_erp_log_flush(c, err);
        edi_buf_printf(&j, "{\"po_number\":\"P%05d\",\"pad\":\"%0900d\"}\n", i, i);
        edi_buf_puts(&r, row);
    }
    edi_buf_dispose(&one);
    *json_want = edi_xstrndup(j.p, j.n);
    *csv_want = edi_xstrndup(r.p, r.n);
    edi_buf_dispose(&j);
    edi_buf_dispose(&r);
    return rc;
}

/* A log bigger than a piece (1 MB) is on disk, staged, before its
 * commit: rolled back, nothing is left; killed before its commit, the
 * recovery removes it; committed, the files hold every record once, in
 * order, the CSV header once. */
static void test_pieces(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char ls[1024], *jw, *cw, *j, *csv;
    pid_t pid;
    int status = 0;

    assert_int_equal(gw_store_begin(f->c.store, &err), 0);
    gw_erp_log_begin(&f->c);
    assert_int_equal(big_log(&f->c, &jw, &cw, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_non_null(strstr(ls, ".orders-000000000001-amazon-rp.jsonl.wharf-"));
    assert_non_null(strstr(ls, ".orders-000000000001-amazon-rp.csv.wharf-"));
    gw_store_rollback(f->c.store);
    gw_erp_log_end(&f->c);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "");
    free(jw);
    free(cw);

    /* killed with its pieces written, before the commit */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct gw_ctx c2 = f->c;

        c2.erp_log = NULL;
        if (gw_store_open(&c2.store, f->db, &err) < 0 || gw_store_begin(c2.store, &err) < 0)
            _exit(3);
        gw_erp_log_begin(&c2);
        big_log(&c2, &jw, &cw, &err);
        raise(SIGKILL);
        _exit(4);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    listing(f, ls, sizeof(ls));
    assert_non_null(strstr(ls, ".orders-000000000001-amazon-rp.jsonl.wharf-"));
    assert_int_equal(gw_erp_recover(&f->c, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "");

    assert_int_equal(gw_store_begin(f->c.store, &err), 0);
    gw_erp_log_begin(&f->c);
    assert_int_equal(big_log(&f->c, &jw, &cw, &err), 0);
    assert_int_equal(gw_erp_log_commit(&f->c, &err), 0);
    gw_erp_log_end(&f->c);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl");
    assert_non_null(j = slurp(f, "orders-000000000001-amazon-rp.jsonl"));
    assert_true(strlen(j) > 2u << 20);
    assert_string_equal(j, jw);
    assert_non_null(csv = slurp(f, "orders-000000000001-amazon-rp.csv"));
    assert_true(strncmp(csv, "partner,program,po_number,", 26) == 0);
    assert_string_equal(strchr(csv, '\n') + 1, cw);
    assert_int_equal(unsent(f), 0);
    free(j);
    free(csv);
    free(jw);
    free(cw);
}

/* The descriptor open on a file whose name holds part (-1: none). */
static int fd_of(const char *part)
{
    char link[64], target[1024];
    int fd;

    for (fd = 0; fd < 1024; fd++) {
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
            continue;
        target[n] = '\0';
        if (strstr(target, part))
            return fd;
    }
    return -1;
}

/* A staged file whose fsync fails (here /dev/null put in its place: it
 * takes the writes and refuses the sync): the stage fails, and no
 * descriptor is left open once the log ends (a regression test: the
 * descriptor stayed open when fsync failed). */
static void test_fsync_fails(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char ls[1024], *jw, *cw;
    int before = tu_open_fds(), fd, null;

    assert_int_equal(gw_store_begin(f->c.store, &err), 0);
    gw_erp_log_begin(&f->c);
    assert_int_equal(big_log(&f->c, &jw, &cw, &err), 0);
    assert_true((fd = fd_of(".orders-000000000001-amazon-rp.jsonl.wharf-")) >= 0);
    assert_true((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0);
    assert_int_equal(dup2(null, fd), fd);
    close(null);
    assert_true(gw_erp_log_stage(&f->c, &err) < 0);
    assert_non_null(strstr(err.msg, "cannot write"));
    gw_store_rollback(f->c.store);
    gw_erp_log_end(&f->c);
    assert_int_equal(tu_open_fds(), before);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "");
    free(jw);
    free(cw);
}

/* A staged file is the owner's only (0600) even when a file of its name
 * was there with another mode (a regression test: the pieces were written
 * into it as it was, 0644). */
static void test_staged_private(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char path[512], name[128], *jw, *cw;
    struct stat st;
    FILE *old;

    assert_int_equal(gw_erp_log_name(name, sizeof(name), 1, "amazon-rp", "jsonl", &err), 0);
    gw_temp_path(path, sizeof(path), f->erp_out, name, (long)getpid());
    mkdir(f->erp_out, 0700);
    assert_non_null(old = fopen(path, "w"));
    fputs("left over\n", old);
    fclose(old);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(gw_store_begin(f->c.store, &err), 0);
    gw_erp_log_begin(&f->c);
    assert_int_equal(big_log(&f->c, &jw, &cw, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(gw_erp_log_commit(&f->c, &err), 0);
    gw_erp_log_end(&f->c);
    free(jw);
    free(cw);
}

/* Two logs committed, not renamed; the first one's staged JSON Lines
 * file lost: nothing after it is renamed (an importer never sees 2 before
 * 1), and recovery keeps the second's staged files though their process
 * is gone (the store names them). Once the first is back, both go, in
 * order. A live process's staged file is never removed. */
static void test_order(void **state)
{
    struct fx *f = *state;
    struct edi_err err;
    char ls[1024], path[512], mine[512], name[256];
    pid_t dead;
    FILE *fp;

    crash_in_child(f, "committed", J1, ROWS1, &dead);
    crash_in_child(f, "committed", J2, ROWS2, NULL);
    snprintf(name, sizeof(name), "orders-000000000001-amazon-rp.jsonl");
    gw_temp_path(path, sizeof(path), f->erp_out, name, (long)dead);
    assert_int_equal(rename(path, "/tmp/wharf-erplog-held"), 0);
    /* a staged file of this (live) process */
    gw_temp_path(mine, sizeof(mine), f->erp_out, "orders-000000000099-amazon-rp.jsonl", (long)getpid());
    assert_non_null(fp = fopen(mine, "w"));
    fclose(fp);

    assert_int_equal(gw_erp_publish(&f->c, &err), EDI_EIO);
    assert_int_equal(gw_erp_recover(&f->c, &err), 0);
    listing(f, ls, sizeof(ls));
    assert_null(strstr(ls, " orders-"));
    assert_non_null(strstr(ls, ".orders-000000000002-amazon-rp.jsonl.wharf-"));
    assert_non_null(strstr(ls, ".orders-000000000002-amazon-rp.csv.wharf-"));
    assert_non_null(strstr(ls, ".orders-000000000099-amazon-rp.jsonl.wharf-"));
    assert_int_equal(unsent(f), 4);

    assert_int_equal(rename("/tmp/wharf-erplog-held", path), 0);
    assert_int_equal(gw_erp_recover(&f->c, &err), 0);
    unlink(mine);
    listing(f, ls, sizeof(ls));
    assert_string_equal(ls, "orders-000000000001-amazon-rp.csv orders-000000000001-amazon-rp.jsonl "
                            "orders-000000000002-amazon-rp.csv orders-000000000002-amazon-rp.jsonl");
    assert_int_equal(unsent(f), 0);
}

/* The purge: a PO's records leave every change log that has them (JSON
 * Lines by its partner and po_number, CSV by its first and third column,
 * quoted or not, a quoted newline inside a row); the rest, the CSV header
 * included, stays byte for byte; a dry run changes nothing. */
static void test_drop(void **state)
{
    static const char JD[] = "{\"partner\": \"amazon-df\", \"po_number\": \"TX1\", \"name\": \"Jane\"}";
    static const char JK[] = "{\"partner\": \"amazon-rp\", \"po_number\": \"TX1\"}";
    static const char RD[] = "amazon-df,DF,TX1,closed,1,x,1,EA,1.00,open,,\"Jane\nDoe\",\"1 Main St, Apt 2\"\n"
                             "\"amazon-df\",DF,\"TX1\",closed,2,y,1,EA,1.00,open,,Jane,\n";
    static const char RK[] = "amazon-df,DF,TX10,closed,1,x,1,EA,1.00,open,,Kim,\n";
    struct fx *f = *state;
    struct edi_err err;
    char *j, *csv, *before;
    FILE *out = tmpfile();
    char text[512];
    size_t got;

    assert_int_equal(gw_store_begin(f->c.store, &err), 0);
    gw_erp_log_begin(&f->c);
    assert_int_equal(gw_erp_log_add(f->c.erp_log, "amazon-df", JD, strlen(JD), RD, strlen(RD), &err), 0);
    assert_int_equal(gw_erp_log_add(f->c.erp_log, "amazon-df", JK, strlen(JK), RK, strlen(RK), &err), 0);
    assert_int_equal(gw_erp_log_commit(&f->c, &err), 0);
    gw_erp_log_end(&f->c);
    assert_int_equal(one_file(&f->c, J2, ROWS2, &err), 0);
    assert_non_null(before = slurp(f, "orders-000000000001-amazon-df.csv"));

    assert_int_equal(gw_erp_log_drop(&f->cfg, "amazon-df", "TX1", 1, NULL), 2);
    assert_non_null(csv = slurp(f, "orders-000000000001-amazon-df.csv"));
    assert_string_equal(csv, before);   /* a dry run */
    free(csv);
    assert_int_equal(gw_erp_log_drop(&f->cfg, "amazon-df", "TX1", 0, out), 2);
    assert_int_equal(gw_erp_log_drop(&f->cfg, "amazon-df", "TX1", 0, NULL), 0);
    assert_non_null(j = slurp(f, "orders-000000000001-amazon-df.jsonl"));
    assert_string_equal(j, "{\"partner\":\"amazon-rp\",\"po_number\":\"TX1\"}\n");
    free(j);
    assert_non_null(csv = slurp(f, "orders-000000000001-amazon-df.csv"));
    assert_string_equal(strchr(csv, '\n') + 1, RK);
    assert_int_equal(strncmp(csv, before, (size_t)(strchr(before, '\n') - before) + 1), 0);
    free(csv);
    free(before);
    assert_non_null(j = slurp(f, "orders-000000000002-amazon-rp.jsonl"));
    assert_string_equal(j, "{\"po_number\":\"PO2\"}\n");
    free(j);
    rewind(out);
    got = fread(text, 1, sizeof(text) - 1, out);
    text[got] = '\0';
    fclose(out);
    assert_non_null(strstr(text, "  rewrote "));
    assert_non_null(strstr(text, "orders-000000000001-amazon-df.jsonl\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_name),
        cmocka_unit_test(test_json_line),
        cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pieces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsync_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staged_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
