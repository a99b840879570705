/*
 * map_test.c — golden tests of maps, what `wharf map test` runs.
 *
 * Beside a map mappings/GROUP/NAME.xsl, a folder NAME.tests/ holds cases:
 *   CASE.input.EXT       X12, JSON or XML input
 *   CASE.expected.EXT    the expected output: .edi, .json or .xml when the map
 *                        succeeds, .txt (its findings) when it must refuse
 *   CASE.params          optional: name=value lines (wharf:param, xsl:param);
 *                        partner=P selects the partner
 * Under mappings/partners/P/ the partner is P. The output is also checked
 * against the map's schema and guide from the registry; a problem there
 * fails the case. A mismatch prints a unified diff (diff -u).
 */
#include "mappings/map_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int write_file(const char *path, const char *p, size_t n)
{
    char tmp[4600];
    FILE *f;

    if (edi_fmt(tmp, sizeof(tmp), NULL, "%s.tmp", path) < 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((f = fopen(tmp, "wb")) == NULL)
        return -1;
    if (n && fwrite(p, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

/* name=value lines; partner= picks the partner. Values are kept in pool. */
static size_t read_params(struct map_param *out, size_t max, const char **partner,
                          const char *path, struct edi_pool *pl)
{
    char *data, *line, *save = NULL;
    size_t n, k = 0;
    struct edi_err err;

    if (edi_read_file(&data, &n, path, &err) < 0)
        return 0;
    for (line = strtok_r(data, "\n", &save); line && k < max; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');

        if (line[0] == '#' || eq == NULL)
            continue;
        *eq = '\0';
        if (strcmp(line, "partner") == 0) {
            *partner = edi_pool_strdup(pl, eq + 1);
            continue;
        }
        out[k].name = edi_pool_strdup(pl, line);
        out[k].value = edi_pool_strdup(pl, eq + 1);
        k++;
    }
    free(data);
    return k;
}

static const char *ext_of(enum map_format f)
{
    return f == MAP_X12 ? "edi" : f == MAP_JSON ? "json" : "xml";
}

/* Runs one case; fills actual and the extension its expectation should have. */
static int run_case(struct edi_buf *actual, const char **ext, struct map_engine *e,
                    const struct map_info *m, const char *input, const char *partner,
                    const struct map_param *params, size_t nparams, struct edi_err *err)
{
    char *data;
    size_t n, i, ndocs;
    xmlDocPtr *docs;
    struct map_run_opts o;
    struct edi_findings f;
    int rc, failed = 0;

    if ((rc = edi_read_file(&data, &n, input, err)) < 0)
        return rc;
    rc = map_read_input(&docs, &ndocs, e, data, n, err);
    free(data);
    if (rc < 0)
        return rc;
    memset(&o, 0, sizeof(o));
    o.partner = partner;
    o.params = params;
    o.nparams = nparams;
    o.now = 1735689600;   /* 2025-01-01T00:00:00Z: golden outputs are stable */
    edi_findings_init(&f, 200);
    *ext = "xml";
    for (i = 0; i < ndocs && rc == 0; i++) {
        xmlDocPtr out = NULL;

        rc = map_run(&out, e, m, docs[i], &o, &f, err);
        if (rc == EDI_ESYNTAX) {
            failed = 1;
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;
        *ext = ext_of(map_doc_format(out));
        if ((rc = map_render(actual, out, 0, err)) == 0)
            rc = map_check_output(e, m, out, &f, err);
        xmlFreeDoc(out);
    }
    for (i = 0; i < ndocs; i++)
        xmlFreeDoc(docs[i]);
    free(docs);
    if (rc == 0 && (failed || f.n)) {
        if (failed)
            *ext = "txt";
        for (i = 0; i < f.n; i++)
            edi_buf_printf(actual, "%s: %s [%s]\n",
                           f.v[i].severity == EDI_SEV_ERROR ? "error" : "warning", f.v[i].msg,
                           f.v[i].code);
    }
    edi_findings_dispose(&f);
    return rc;
}

static int find_expected(char *out, size_t cap, const char *dir, const char *cname)
{
    static const char *exts[] = {"edi", "json", "xml", "txt"};
    struct stat st;
    size_t i;

    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (edi_fmt(out, cap, NULL, "%s/%s.expected.%s", dir, cname, exts[i]) < 0)
            return -1;
        if (stat(out, &st) == 0)
            return 0;
    }
    return -1;
}

static void show_diff(FILE *out, const char *expected, const struct edi_buf *actual)
{
    char tmp[] = "/tmp/wharf-map-test-XXXXXX", cmd[8400];
    int fd = mkstemp(tmp);
    FILE *p;
    char line[1024];

    if (fd < 0)
        return;
    if (write(fd, actual->p ? actual->p : "", actual->n) != (ssize_t)actual->n) {
        close(fd);
        unlink(tmp);
        return;
    }
    close(fd);
    snprintf(cmd, sizeof(cmd), "diff -u --label expected --label actual '%s' '%s'", expected, tmp);
    if ((p = popen(cmd, "r")) != NULL) {
        int lines = 0;

        while (fgets(line, sizeof(line), p) && lines++ < 60)
            fprintf(out, "    %s", line);
        pclose(p);
    }
    unlink(tmp);
}

static int run_tests_dir(struct map_test_stats *st, struct map_engine *e, const char *tdir,
                         const char *partner, int update, FILE *out, struct edi_err *err)
{
    char mapfile[4096];
    const struct map_info *m = NULL;
    size_t i, len = strlen(tdir);
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    int rc;

    if (edi_fmt(mapfile, sizeof(mapfile), err, "%.*s.xsl", (int)(len - strlen(".tests")), tdir) < 0)
        return EDI_ELIMIT;
    /* the registered map whose file this is, else the file itself */
    for (i = 0; i < e->nmaps && !m; i++) {
        char a[PATH_MAX], b[PATH_MAX];

        if (realpath(e->maps[i].file, a) && realpath(mapfile, b) && strcmp(a, b) == 0)
            m = &e->maps[i];
    }
    if (m == NULL && (rc = map_find(&m, e, mapfile, NULL, err)) < 0) {
        fprintf(out, "not ok - %s: %s\n", tdir, err->msg);
        st->failed++;
        return 0;
    }
    if ((d = opendir(tdir)) == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (strstr(de->d_name, ".input.") == NULL)
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 16;
            names = edi_xrealloc(names, cap * sizeof(*names));
        }
        names[nn++] = edi_xstrdup(de->d_name);
    }
    closedir(d);
    /* a stable order */
    for (i = 1; i < nn; i++) {
        size_t k = i;

        while (k > 0 && strcmp(names[k - 1], names[k]) > 0) {
            char *t = names[k];

            names[k] = names[k - 1];
            names[k - 1] = t;
            k--;
        }
    }
    for (i = 0; i < nn; i++) {
        char input[4400], expected[4400], params[4400], cname[256];
        const char *ext, *case_partner = partner;
        struct map_param pv[32];
        size_t npv;
        struct edi_buf actual;
        struct edi_pool pl;
        struct edi_err cerr;

        /* a cut name would read or (with --update) write another case's files */
        if (edi_fmt(cname, sizeof(cname), &cerr, "%.*s", (int)(strstr(names[i], ".input.") - names[i]),
                    names[i]) < 0 ||
            edi_fmt(input, sizeof(input), &cerr, "%s/%s", tdir, names[i]) < 0 ||
            edi_fmt(params, sizeof(params), &cerr, "%s/%s.params", tdir, cname) < 0) {
            fprintf(out, "not ok - %s %s: %s\n", m->name, names[i], cerr.msg);
            st->failed++;
            free(names[i]);
            continue;
        }
        edi_pool_init(&pl);
        npv = read_params(pv, 32, &case_partner, params, &pl);
        edi_buf_init(&actual, 0);
        edi_err_clear(&cerr);
        if (case_partner && m->base_file == NULL) {
            const struct map_info *pm;

            if (map_find(&pm, e, m->name, case_partner, &cerr) == 0)
                m = pm;
        }
        rc = run_case(&actual, &ext, e, m, input, case_partner, pv, npv, &cerr);
        if (rc < 0) {
            fprintf(out, "not ok - %s %s: %s\n", m->name, cname, cerr.msg);
            st->failed++;
        } else if (update) {
            if (find_expected(expected, sizeof(expected), tdir, cname) == 0)
                unlink(expected);
            int cut = edi_fmt(expected, sizeof(expected), NULL, "%s/%s.expected.%s", tdir, cname, ext);

            if (cut < 0)
                errno = ENAMETOOLONG;
            if (cut < 0 || write_file(expected, actual.p ? actual.p : "", actual.n) < 0) {
                fprintf(out, "not ok - %s %s: cannot write %s: %s\n", m->name, cname, expected,
                        strerror(errno));
                st->failed++;
            } else {
                fprintf(out, "ok - %s %s (updated %s)\n", m->name, cname, expected);
                st->passed++;
            }
        } else if (find_expected(expected, sizeof(expected), tdir, cname) < 0) {
            fprintf(out, "not ok - %s %s: no %s/%s.expected.* (run with --update, then review)\n",
                    m->name, cname, tdir, cname);
            st->failed++;
        } else {
            char *want;
            size_t wn;

            if (edi_read_file(&want, &wn, expected, &cerr) == 0 && wn == actual.n &&
                (wn == 0 || memcmp(want, actual.p, wn) == 0)) {
                fprintf(out, "ok - %s %s\n", m->name, cname);
                st->passed++;
            } else {
                fprintf(out, "not ok - %s %s: output differs from %s\n", m->name, cname, expected);
                show_diff(out, expected, &actual);
                st->failed++;
            }
            free(want);
        }
        edi_buf_dispose(&actual);
        edi_pool_dispose(&pl);
        free(names[i]);
    }
    free(names);
    return 0;
}

static int walk(struct map_test_stats *st, struct map_engine *e, const char *dir,
                const char *partner, int update, FILE *out, struct edi_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **subs = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    if (d == NULL)
        return edi_fail(err, EDI_EIO, "cannot open %s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;

        if (de->d_name[0] == '.')
            continue;
        if (edi_fmt(path, sizeof(path), NULL, "%s/%s", dir, de->d_name) < 0 || stat(path, &sb) != 0 ||
            !S_ISDIR(sb.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            subs = edi_xrealloc(subs, cap * sizeof(*subs));
        }
        subs[n++] = edi_xstrdup(path);
    }
    closedir(d);
    for (i = 1; i < n; i++) {
        size_t k = i;

        while (k > 0 && strcmp(subs[k - 1], subs[k]) > 0) {
            char *t = subs[k];

            subs[k] = subs[k - 1];
            subs[k - 1] = t;
            k--;
        }
    }
    for (i = 0; i < n; i++) {
        const char *p = partner;
        char pbuf[256];
        const char *slash = strrchr(subs[i], '/');
        const char *parent = dir + strlen(dir);

        while (parent > dir && parent[-1] != '/')
            parent--;
        if (rc == 0 && strcmp(parent, "partners") == 0) {
            /* a cut partner name would run the cases as another partner */
            rc = edi_fmt(pbuf, sizeof(pbuf), err, "%s", slash ? slash + 1 : subs[i]);
            p = pbuf;
        }
        if (rc == 0) {
            if (ends_with(subs[i], ".tests"))
                rc = run_tests_dir(st, e, subs[i], p, update, out, err);
            else
                rc = walk(st, e, subs[i], p, update, out, err);
        }
        free(subs[i]);
    }
    free(subs);
    return rc;
}

int map_test_dir(struct map_test_stats *st, struct map_engine *e, const char *dir, int update,
                 FILE *out, struct edi_err *err)
{
    char path[4096];
    size_t n;
    int rc;

    memset(st, 0, sizeof(*st));
    if (dir == NULL)
        dir = e->dir;
    /* one map's folder of cases, named directly */
    if ((rc = edi_fmt(path, sizeof(path), err, "%s", dir)) < 0)
        return rc;
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    if (ends_with(path, ".tests"))
        return run_tests_dir(st, e, path, NULL, update, out, err);
    return walk(st, e, path, NULL, update, out, err);
}
