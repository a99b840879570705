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
 * fails the case. A mismatch prints a unified diff (map_diff.c).
 * map_samples and map_sample_run give the same cases and runs to others
 * (the HTTP API's map workbench).
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

/* Runs one case's input; fills actual and the extension its expectation should have. */
static int run_case(struct edi_buf *actual, const char **ext, struct map_engine *e,
                    const struct map_info *m, const char *data, size_t n, const char *partner,
                    const struct map_param *params, size_t nparams, struct edi_findings *keep,
                    struct edi_err *err)
{
    size_t i, ndocs;
    xmlDocPtr *docs;
    struct map_run_opts o;
    struct edi_findings own, *fp = keep ? keep : &own;
    int rc, failed = 0;

    if ((rc = map_read_input(&docs, &ndocs, e, data, n, err)) < 0)
        return rc;
    memset(&o, 0, sizeof(o));
    o.partner = partner;
    o.params = params;
    o.nparams = nparams;
    o.now = 1735689600;   /* 2025-01-01T00:00:00Z: golden outputs are stable */
    if (keep)
        edi_findings_reset(keep);
    else
        edi_findings_init(&own, 200);
    *ext = "xml";
    for (i = 0; i < ndocs && rc == 0; i++) {
        xmlDocPtr out = NULL;

        rc = map_run(&out, e, m, docs[i], &o, fp, err);
        if (rc == EDI_ESYNTAX) {
            failed = 1;
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;
        *ext = ext_of(map_doc_format(out));
        if ((rc = map_render(actual, out, 0, err)) == 0)
            rc = map_check_output(e, m, out, fp, err);
        xmlFreeDoc(out);
    }
    for (i = 0; i < ndocs; i++)
        xmlFreeDoc(docs[i]);
    free(docs);
    if (rc == 0 && (failed || fp->n)) {
        if (failed)
            *ext = "txt";
        for (i = 0; i < fp->n; i++)
            edi_buf_printf(actual, "%s: %s [%s]\n",
                           fp->v[i].severity == EDI_SEV_ERROR ? "error" : "warning", fp->v[i].msg,
                           fp->v[i].code);
    }
    if (!keep)
        edi_findings_dispose(&own);
    return rc;
}

/* The case's expected file, by the extensions it may have: a path of
 * the caller's, or NULL. */
static char *find_expected(const char *dir, const char *cname)
{
    static const char *exts[] = {"edi", "json", "xml", "txt"};
    struct edi_buf path;
    struct stat st;
    size_t i;

    edi_buf_init(&path, 0);
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        edi_buf_reset(&path);
        edi_buf_printf(&path, "%s/%s.expected.%s", dir, cname, exts[i]);
        if (stat(edi_buf_cstr(&path), &st) == 0 && S_ISREG(st.st_mode)) {
            char *p = edi_xstrdup(path.p);

            edi_buf_dispose(&path);
            return p;
        }
    }
    edi_buf_dispose(&path);
    return NULL;
}

static char *path_of(const char *dir, const char *name, const char *suffix)
{
    struct edi_buf b;
    char *p;

    edi_buf_init(&b, 0);
    edi_buf_printf(&b, "%s/%s%s", dir, name, suffix);
    p = edi_xstrdup(edi_buf_cstr(&b));
    edi_buf_dispose(&b);
    return p;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const struct map_sample *)x)->name, ((const struct map_sample *)y)->name);
}

/* The cases of a NAME.tests folder, sorted by name (none when it is no folder). */
static void samples_of_dir(struct map_sample **out, size_t *n, const char *tdir, const char *partner)
{
    struct map_sample *v = NULL;
    size_t k = 0, cap = 0;
    struct dirent *de;
    DIR *d;

    *out = NULL;
    *n = 0;
    if ((d = opendir(tdir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *in = strstr(de->d_name, ".input.");
        struct stat st;
        char *cname, *params;

        if (in == NULL || in == de->d_name)
            continue;
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            v = edi_xrealloc(v, cap * sizeof(*v));
        }
        cname = edi_xstrdup(de->d_name);
        cname[in - de->d_name] = '\0';
        v[k].name = cname;
        v[k].input = path_of(tdir, de->d_name, "");
        v[k].expected = find_expected(tdir, cname);
        params = path_of(tdir, cname, ".params");
        if (stat(params, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(params);
            params = NULL;
        }
        v[k].params = params;
        v[k].partner = partner ? edi_xstrdup(partner) : NULL;
        k++;
    }
    closedir(d);
    if (k > 1)
        qsort(v, k, sizeof(*v), by_name);
    *out = v;
    *n = k;
}

void map_samples_free(struct map_sample *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].input);
        free(v[i].expected);
        free(v[i].params);
        free(v[i].partner);
    }
    free(v);
}

int map_samples(struct map_sample **out, size_t *n, const struct map_info *m, struct edi_err *err)
{
    const char *file = m->base_file ? m->base_file : m->file;
    size_t len = strlen(file);
    char tdir[4096];

    *out = NULL;
    *n = 0;
    if (!ends_with(file, ".xsl"))
        return 0;
    if (edi_fmt(tdir, sizeof(tdir), err, "%.*s.tests", (int)(len - 4), file) < 0)
        return EDI_ELIMIT;
    samples_of_dir(out, n, tdir, NULL);
    return 0;
}

int map_sample_run(struct edi_buf *actual, const char **ext, struct map_engine *e, const struct map_info *m,
                   const struct map_sample *c, const char *input, size_t ninput, struct edi_findings *findings,
                   struct edi_err *err)
{
    const char *partner = c->partner;
    struct map_param pv[32];
    struct edi_pool pl;
    char *data = NULL;
    size_t npv = 0;
    int rc;

    edi_pool_init(&pl);
    if (c->params)
        npv = read_params(pv, 32, &partner, c->params, &pl);
    if (partner && m->base_file == NULL) {
        const struct map_info *pm;
        struct edi_err perr;

        /* the partner's override, when it has one */
        if (map_find(&pm, e, m->name, partner, &perr) == 0)
            m = pm;
    }
    if (input == NULL) {
        if ((rc = edi_read_file(&data, &ninput, c->input, err)) < 0)
            goto out;
        input = data;
    }
    rc = run_case(actual, ext, e, m, input, ninput, partner, pv, npv, findings, err);
out:
    free(data);
    edi_pool_dispose(&pl);
    return rc;
}

/* The diff of a failed case, indented under its line. */
static void show_diff(FILE *out, const char *want, size_t wn, const struct edi_buf *actual)
{
    struct edi_buf d;
    const char *p, *end;

    edi_buf_init(&d, 0);
    map_diff(&d, want, wn, actual->p, actual->n, "expected", "actual", 60);
    for (p = d.p, end = d.p + d.n; p && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

        fprintf(out, "    %.*s", (int)k, p);
        p += k;
    }
    edi_buf_dispose(&d);
}

static int run_tests_dir(struct map_test_stats *st, struct map_engine *e, const char *tdir,
                         const char *partner, int update, FILE *out, struct edi_err *err)
{
    char mapfile[4096];
    const struct map_info *m = NULL;
    struct map_sample *cases = NULL;
    size_t i, ncases = 0, len = strlen(tdir);
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
    samples_of_dir(&cases, &ncases, tdir, partner);
    for (i = 0; i < ncases; i++) {
        const struct map_sample *c = &cases[i];
        const char *ext;
        struct edi_buf actual;
        struct edi_err cerr;

        edi_buf_init(&actual, 0);
        edi_err_clear(&cerr);
        rc = map_sample_run(&actual, &ext, e, m, c, NULL, 0, NULL, &cerr);
        if (rc < 0) {
            fprintf(out, "not ok - %s %s: %s\n", m->name, c->name, cerr.msg);
            st->failed++;
        } else if (update) {
            char *expected = path_of(tdir, c->name, "");
            struct edi_buf path;

            if (c->expected)
                unlink(c->expected);
            edi_buf_init(&path, 0);
            edi_buf_printf(&path, "%s.expected.%s", expected, ext);
            if (write_file(edi_buf_cstr(&path), actual.p ? actual.p : "", actual.n) < 0) {
                fprintf(out, "not ok - %s %s: cannot write %s: %s\n", m->name, c->name, path.p, strerror(errno));
                st->failed++;
            } else {
                fprintf(out, "ok - %s %s (updated %s)\n", m->name, c->name, path.p);
                st->passed++;
            }
            edi_buf_dispose(&path);
            free(expected);
        } else if (c->expected == NULL) {
            fprintf(out, "not ok - %s %s: no %s/%s.expected.* (run with --update, then review)\n", m->name,
                    c->name, tdir, c->name);
            st->failed++;
        } else {
            char *want = NULL;
            size_t wn = 0;

            if (edi_read_file(&want, &wn, c->expected, &cerr) == 0 && wn == actual.n &&
                (wn == 0 || memcmp(want, actual.p, wn) == 0)) {
                fprintf(out, "ok - %s %s\n", m->name, c->name);
                st->passed++;
            } else {
                fprintf(out, "not ok - %s %s: output differs from %s\n", m->name, c->name, c->expected);
                show_diff(out, want, want ? wn : 0, &actual);
                st->failed++;
            }
            free(want);
        }
        edi_buf_dispose(&actual);
    }
    map_samples_free(cases, ncases);
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
