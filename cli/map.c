/*
 * cli_map.c — `wharf map run|test|check|list|codes`: the map engine from
 * the command line, for mapping specialists, and the workspace's own code
 * lists (cross-references). The engine and the lists' format are
 * mappings/; writing a file whole is gateway/core/fileio.h's.
 */
#include "cli/cli.h"
#include "edi/text.h"
#include "gateway/core/ctx.h"
#include "gateway/core/fileio.h"
#include "mappings/map.h"

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The workspace whose code lists the map commands read: -w DIR, else
 * WHARF_WORKSPACE, else the current folder when it is a workspace (holds
 * wharf.xml). *ws NULL: none (the installed lists only). A folder named
 * with -w or WHARF_WORKSPACE that is no workspace is a usage error. */
static int map_workspace(const char **ws, const char *opt, const char *cmd)
{
    const char *env = getenv("WHARF_WORKSPACE");
    const char *dir = gw_workspace(opt);
    char path[4200];
    struct stat st;

    *ws = NULL;
    snprintf(path, sizeof(path), "%s/wharf.xml", dir);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        *ws = dir;
        return 0;
    }
    if ((opt && *opt) || (env && *env)) {
        gw_errorf("%s: %s is not a wharf workspace (no wharf.xml): create one with `wharf init %s`", cmd, dir,
                  dir);
        return GW_EXIT_USAGE;
    }
    return 0;
}

/* The engine, with the workspace's code lists first when ws is one. */
static int open_engine(struct map_engine **e, const char *ws)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (map_engine_new(e, gw_mappings_dir(), gw_schemas_dir(), &err) < 0) {
        gw_errorf("%s", err.msg);
        return GW_EXIT_USAGE;
    }
    if (ws)
        map_engine_set_workspace(*e, ws);
    return 0;
}

static void print_findings(const struct edi_findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        fprintf(stderr, "%s: %s [%s]\n", f->v[i].severity == EDI_SEV_ERROR ? "error" : "warning",
                f->v[i].msg, f->v[i].code);
}

struct run_out {
    const struct map_info *m;
    int status;
    int stopped;          /* a run failed: what map_run_bytes returns is its */
};

/* One input document's result, as it comes: the text on stdout, what is
 * wrong on stderr. */
static void run_outcome(void *ctx, const struct map_outcome *r)
{
    struct run_out *ro = ctx;

    switch (r->step) {
    case MAP_STEP_RUN:
        if (r->rc == EDI_ESYNTAX) {
            print_findings(r->findings);
            ro->status = GW_EXIT_REJECTED;
        } else {
            gw_errorf("%s", r->err->msg);
            ro->status = GW_EXIT_USAGE;
            ro->stopped = 1;
        }
        break;
    case MAP_STEP_RENDER:
        gw_errorf("%s: the output cannot be written: %s", ro->m->name, r->err->msg);
        ro->status = GW_EXIT_REJECTED;
        break;
    case MAP_STEP_CHECK:
        fwrite(r->text->p, 1, r->text->n, stdout);
        if (r->rc < 0) {
            gw_errorf("%s", r->err->msg);
            ro->status = GW_EXIT_USAGE;
        } else if (r->findings->n) {
            print_findings(r->findings);
            if (edi_findings_errors(r->findings))
                ro->status = GW_EXIT_REJECTED;
        }
        break;
    }
}

static int cmd_run(int argc, char **argv)
{
    const char *name = NULL, *input = NULL, *partner = NULL, *wopt = NULL, *ws;
    struct map_param params[64];
    size_t nparams = 0, i;
    int as_xml = 0, profile = 0, rc;
    struct map_engine *e = NULL;
    const struct map_info *m;
    struct map_run_opts o;
    struct edi_findings f;
    struct edi_err err;
    struct run_out ro;
    char *data;
    size_t n;

    for (i = 1; i < (size_t)argc; i++) {
        const char *s = argv[i];

        if (strcmp(s, "--xml") == 0)
            as_xml = 1;
        else if (strcmp(s, "--profile") == 0)
            profile = 1;
        else if (strcmp(s, "--partner") == 0 && i + 1 < (size_t)argc)
            partner = argv[++i];
        else if ((strcmp(s, "-w") == 0 || strcmp(s, "--workspace") == 0) && i + 1 < (size_t)argc)
            wopt = argv[++i];
        else if (strcmp(s, "--param") == 0 && i + 1 < (size_t)argc) {
            char *eq = strchr(argv[++i], '=');

            if (eq == NULL || eq == argv[i] || nparams == 64) {
                gw_errorf("map run: --param takes name=value, not '%s'", argv[i]);
                return GW_EXIT_USAGE;
            }
            *eq = '\0';
            params[nparams].name = argv[i];
            params[nparams].value = eq + 1;
            nparams++;
        } else if (s[0] == '-' && s[1]) {
            gw_errorf("map run: unknown option '%s'; see `wharf help map run`", s);
            return GW_EXIT_USAGE;
        } else if (name == NULL)
            name = s;
        else if (input == NULL)
            input = s;
        else {
            gw_errorf("map run: one map and one INPUT ('%s' is extra)", s);
            return GW_EXIT_USAGE;
        }
    }
    if (name == NULL || input == NULL) {
        gw_errorf("map run: usage: wharf map run NAME|FILE INPUT [--partner P] [--param k=v]... [--xml] [--profile] [-w DIR]");
        return GW_EXIT_USAGE;
    }
    if ((rc = map_workspace(&ws, wopt, "map run")) != 0 || (rc = open_engine(&e, ws)) != 0)
        return rc;
    edi_err_clear(&err);
    if (map_find(&m, e, name, partner, &err) < 0) {
        gw_errorf("%s", err.msg);
        map_engine_free(e);
        return GW_EXIT_USAGE;
    }
    if (edi_read_file(&data, &n, input, &err) < 0) {
        gw_errorf("%s", err.msg);
        map_engine_free(e);
        return GW_EXIT_USAGE;
    }
    memset(&o, 0, sizeof(o));
    o.partner = partner;
    o.params = params;
    o.nparams = nparams;
    o.now = gw_now();
    o.profile = profile ? stderr : NULL;
    edi_findings_init(&f, 200);
    ro.m = m;
    ro.status = GW_EXIT_OK;
    ro.stopped = 0;
    rc = map_run_bytes(e, m, data, n, &o, as_xml, &f, run_outcome, &ro, &err);
    free(data);
    if (rc < 0 && !ro.stopped) {
        /* the input did not read */
        gw_errorf("%s: %s", input, err.msg);
        ro.status = GW_EXIT_REJECTED;
    }
    edi_findings_dispose(&f);
    map_engine_free(e);
    return ro.status;
}

static int cmd_test(int argc, char **argv)
{
    const char *dir = NULL, *wopt = NULL, *ws;
    int update = 0, rc, i;
    struct map_engine *e;
    struct map_test_stats st;
    struct edi_err err;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--update") == 0)
            update = 1;
        else if ((strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--workspace") == 0) && i + 1 < argc)
            wopt = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            gw_errorf("map test: unknown option '%s'", argv[i]);
            return GW_EXIT_USAGE;
        } else if (dir == NULL)
            dir = argv[i];
        else {
            gw_errorf("map test: one DIR only");
            return GW_EXIT_USAGE;
        }
    }
    if ((rc = map_workspace(&ws, wopt, "map test")) != 0 || (rc = open_engine(&e, ws)) != 0)
        return rc;
    edi_err_clear(&err);
    rc = map_test_dir(&st, e, dir, update, stdout, &err);
    map_engine_free(e);
    if (rc < 0) {
        gw_errorf("%s", err.msg);
        return GW_EXIT_USAGE;
    }
    printf("%u passed, %u failed\n", st.passed, st.failed);
    return st.failed ? GW_EXIT_REJECTED : GW_EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
    struct map_engine *e;
    const struct map_info *m;
    struct edi_findings f;
    struct edi_err err;
    int rc, i, status = GW_EXIT_OK;

    if (argc < 2) {
        gw_errorf("map check: usage: wharf map check NAME|FILE...");
        return GW_EXIT_USAGE;
    }
    if ((rc = open_engine(&e, NULL)) != 0)
        return rc;
    edi_findings_init(&f, 500);
    for (i = 1; i < argc; i++) {
        edi_err_clear(&err);
        edi_findings_reset(&f);
        if (map_find(&m, e, argv[i], NULL, &err) < 0 || map_check(e, m, &f, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            status = GW_EXIT_REJECTED;
            continue;
        }
        print_findings(&f);
        if (edi_findings_errors(&f))
            status = GW_EXIT_REJECTED;
        else
            printf("%s: compiles%s\n", m->name, f.n ? ", with warnings" : "");
    }
    edi_findings_dispose(&f);
    map_engine_free(e);
    return status;
}

static int cmd_list(int argc, char **argv)
{
    static const char *fmt[] = {"xml", "x12", "json"};
    const struct map_info *maps[256];
    struct map_engine *e;
    size_t n, i;
    int rc;

    if ((rc = open_engine(&e, NULL)) != 0)
        return rc;
    n = map_list(maps, 256, e);
    for (i = 0; i < n && i < 256; i++)
        printf("%-36s %4s -> %-4s  %s\n", maps[i]->name, fmt[maps[i]->in], fmt[maps[i]->out],
               maps[i]->doc ? maps[i]->doc : "");
    map_engine_free(e);
    return GW_EXIT_OK;
}

/* ---- map codes: the workspace's own code lists -------------------------------------- */

struct codes_args {
    const char *workspace;         /* -w DIR, as given */
    const char *partner, *direction;
    int json;
    const char *pos[4];            /* LIST [set FROM TO | delete FROM] */
    int npos;
};

static int codes_usage(void)
{
    gw_errorf("map codes: usage: wharf map codes [LIST [set FROM TO | delete FROM]] [--partner P] "
              "[--direction in|out] [--json] [-w DIR]; see `wharf help map codes`");
    return GW_EXIT_USAGE;
}

/* Options anywhere; "--" ends them, for a value that starts with '-'. */
static int codes_parse(struct codes_args *a, int argc, char **argv)
{
    int i, opts = 1;

    memset(a, 0, sizeof(*a));
    for (i = 1; i < argc; i++) {
        const char *s = argv[i];

        if (opts && strcmp(s, "--") == 0)
            opts = 0;
        else if (opts && (strcmp(s, "-w") == 0 || strcmp(s, "--workspace") == 0 || strcmp(s, "--partner") == 0 ||
                          strcmp(s, "--direction") == 0)) {
            if (i + 1 >= argc) {
                gw_errorf("map codes: %s needs a value; see `wharf help map codes`", s);
                return GW_EXIT_USAGE;
            }
            if (s[1] == 'w' || s[2] == 'w')
                a->workspace = argv[++i];
            else if (s[2] == 'p')
                a->partner = argv[++i];
            else
                a->direction = argv[++i];
        } else if (opts && strcmp(s, "--json") == 0)
            a->json = 1;
        else if (opts && s[0] == '-' && s[1] != '\0') {
            gw_errorf("map codes: unknown option '%s' (a value starting with '-' goes after --); see `wharf "
                      "help map codes`",
                      s);
            return GW_EXIT_USAGE;
        } else if (a->npos < 4)
            a->pos[a->npos++] = s;
        else {
            gw_errorf("map codes: '%s' is extra", s);
            return codes_usage();
        }
    }
    return 0;
}

static const char *layer_source(enum map_codes_layer layer)
{
    return layer == MAP_CODES_LOCAL_PARTNER || layer == MAP_CODES_LOCAL ? "workspace" : "installed";
}

/* A value as one line a terminal shows as it is (a hand-edited file may
 * hold anything). */
static const char *shown(struct edi_buf *b, const char *s)
{
    edi_buf_reset(b);
    edi_escape_line(b, s, strlen(s));
    return edi_buf_cstr(b);
}

/* `wharf map codes`: every list file, with its entries' count. */
static int codes_overview(struct map_codes *c, const struct codes_args *a)
{
    struct map_code_file *v = NULL;
    struct edi_err err;
    json_t *arr = a->json ? json_array() : NULL;
    struct edi_buf b;
    size_t n = 0, i;
    int status = GW_EXIT_OK;

    edi_err_clear(&err);
    if (map_codes_files(&v, &n, c, &err) < 0) {
        gw_errorf("map codes: %s", err.msg);
        json_decref(arr);
        return GW_EXIT_USAGE;
    }
    edi_buf_init(&b, 0);
    if (!a->json)
        printf("%-28s %7s  %-28s %s\n", "LIST", "ENTRIES", "SOURCE", "FILE");
    for (i = 0; i < n; i++) {
        const struct map_code_entry *e;
        size_t k = 0;
        char path[4600], source[160];
        int rc;

        if (a->partner && v[i].partner && strcmp(v[i].partner, a->partner) != 0)
            continue;
        edi_err_clear(&err);
        map_codes_path(path, sizeof(path), c, v[i].layer, v[i].partner, v[i].list, NULL);
        if ((rc = map_codes_entries(&e, &k, c, v[i].layer, v[i].partner, v[i].list, &err)) < 0) {
            gw_errorf("map codes: %s", err.msg);
            status = GW_EXIT_USAGE;
        }
        snprintf(source, sizeof(source), "%s%s%s", layer_source(v[i].layer),
                 v[i].partner ? ", partner " : "", v[i].partner ? v[i].partner : "");
        if (arr) {
            json_t *j = json_object();

            json_object_set_new(j, "list", json_string(v[i].list));
            json_object_set_new(j, "source", json_string(layer_source(v[i].layer)));
            json_object_set_new(j, "partner", v[i].partner ? json_string(v[i].partner) : json_null());
            json_object_set_new(j, "entries", rc < 0 ? json_null() : json_integer((json_int_t)k));
            json_object_set_new(j, "file", json_string(path));
            if (rc < 0)
                json_object_set_new(j, "error", json_string(err.msg));
            json_array_append_new(arr, j);
        } else if (rc < 0)
            printf("%-28s %7s  %-28s %s\n", v[i].list, "broken", source, shown(&b, path));
        else
            printf("%-28s %7zu  %-28s %s\n", v[i].list, k, source, shown(&b, path));
    }
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    }
    edi_buf_dispose(&b);
    map_code_files_free(v, n);
    return status;
}

/* Which ways the lookup answers with this very entry (and not one before
 * it): "both", "in", "out" or "none". */
static const char *effective(struct map_codes *c, const char *list, const char *partner,
                             const struct map_code_entry *e)
{
    struct edi_err err;
    int rc, in = 0, out = 0;

    if (e->direction[0] != 'o')
        in = map_codes_lookup(c, list, partner, "in", e->from, &rc, &err) == e->to;
    if (e->direction[0] != 'i')
        out = map_codes_lookup(c, list, partner, "out", e->to, &rc, &err) == e->from;
    return in && out ? "both" : in ? "in" : out ? "out" : "none";
}

/* What a table row says of an entry a lookup does not (always) reach. */
static const char *overridden(const char *used, const char *direction)
{
    if (strcmp(used, "none") == 0)
        return "  (overridden)";
    if (strcmp(used, direction) == 0)
        return "";
    return strcmp(used, "in") == 0 ? "  (overridden outbound)" : "  (overridden inbound)";
}

/* `wharf map codes LIST`: the entries of every file that applies, in the
 * order a lookup reads them. */
static int codes_show(struct map_codes *c, const struct codes_args *a)
{
    static const enum map_codes_layer order[] = {MAP_CODES_LOCAL_PARTNER, MAP_CODES_LOCAL, MAP_CODES_PARTNER,
                                                 MAP_CODES_BASE};
    const char *list = a->pos[0];
    json_t *root = NULL, *arr = NULL;
    struct edi_buf b1, b2;
    struct edi_err err;
    size_t l, i, files = 0, wf = 4, wt = 2;
    int pass;

    /* two passes: the widths, then the rows */
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1 && files == 0)
            break;
        if (pass == 1 && a->json) {
            root = json_object();
            arr = json_array();
            json_object_set_new(root, "list", json_string(list));
            json_object_set_new(root, "partner", a->partner ? json_string(a->partner) : json_null());
        } else if (pass == 1) {
            printf("%-*s  %-*s  %-9s  %s\n", (int)wf, "FROM", (int)wt, "TO", "DIRECTION", "SOURCE");
        }
        edi_buf_init(&b1, 0);
        edi_buf_init(&b2, 0);
        for (l = 0; l < sizeof(order) / sizeof(order[0]); l++) {
            const struct map_code_entry *e;
            char path[4600], source[160];
            size_t n;
            int rc, own = order[l] == MAP_CODES_LOCAL_PARTNER || order[l] == MAP_CODES_PARTNER;

            if (own && a->partner == NULL)
                continue;
            edi_err_clear(&err);
            rc = map_codes_entries(&e, &n, c, order[l], own ? a->partner : NULL, list, &err);
            if (rc == EDI_ENOTFOUND)
                continue;
            if (rc < 0) {
                gw_errorf("map codes: %s", err.msg);
                edi_buf_dispose(&b1);
                edi_buf_dispose(&b2);
                json_decref(root);
                json_decref(arr);
                return GW_EXIT_USAGE;
            }
            files += pass == 0;
            map_codes_path(path, sizeof(path), c, order[l], own ? a->partner : NULL, list, NULL);
            snprintf(source, sizeof(source), "%s%s%s", layer_source(order[l]), own ? ", partner " : "",
                     own ? a->partner : "");
            for (i = 0; i < n; i++) {
                const char *used = effective(c, list, a->partner, &e[i]);

                if (pass == 0) {
                    size_t f = strlen(shown(&b1, e[i].from)), t = strlen(shown(&b2, e[i].to));

                    wf = f > wf && f <= 40 ? f : wf;
                    wt = t > wt && t <= 40 ? t : wt;
                } else if (arr) {
                    json_t *j = json_object();

                    json_object_set_new(j, "from", json_string(e[i].from));
                    json_object_set_new(j, "to", json_string(e[i].to));
                    json_object_set_new(j, "direction", json_string(e[i].direction));
                    json_object_set_new(j, "source", json_string(layer_source(order[l])));
                    json_object_set_new(j, "partner", own ? json_string(a->partner) : json_null());
                    json_object_set_new(j, "file", json_string(path));
                    /* which ways a lookup gets this entry: not an earlier one */
                    json_object_set_new(j, "used", json_string(used));
                    json_array_append_new(arr, j);
                } else {
                    printf("%-*s  %-*s  %-9s  %s%s\n", (int)wf, shown(&b1, e[i].from), (int)wt,
                           shown(&b2, e[i].to), e[i].direction, source, overridden(used, e[i].direction));
                }
            }
        }
        edi_buf_dispose(&b1);
        edi_buf_dispose(&b2);
    }
    if (root) {
        json_object_set_new(root, "entries", arr);
        json_dumpf(root, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(root);
    }
    if (files == 0) {
        char inst[4600], own[4600];

        map_codes_path(inst, sizeof(inst), c, MAP_CODES_BASE, NULL, list, NULL);
        if (map_codes_local_dir(c) &&
            map_codes_path(own, sizeof(own), c, MAP_CODES_LOCAL, NULL, list, NULL) == 0)
            gw_errorf("map codes: no code list '%s' (no %s, no %s)", list, own, inst);
        else
            gw_errorf("map codes: no code list '%s' (no %s; a workspace's own lists need -w DIR)", list, inst);
        return GW_EXIT_REJECTED;
    }
    return GW_EXIT_OK;
}

/* mkdir -p of the folders under ws a list file goes in, none a link. */
static int make_dirs(const char *ws, const char *file)
{
    char path[4600];
    size_t base = strlen(ws) + 1, i;
    struct stat st;

    snprintf(path, sizeof(path), "%s", file);
    for (i = base; path[i]; i++) {
        if (path[i] != '/')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 &&
            (errno != EEXIST || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))) {
            gw_errorf("map codes: cannot make the folder %s: %s", path,
                      errno == EEXIST ? "something that is not a folder is in the way" : strerror(errno));
            return GW_EXIT_USAGE;
        }
        path[i] = '/';
    }
    return 0;
}

/* The list file's new text in place, whole or not at all: a temporary
 * name, fsync, rename, the folder synced. No text: the file goes. */
static int codes_write(const char *ws, const char *file, const struct edi_buf *text)
{
    char dir[4600], tmp[4800];
    const char *slash = strrchr(file, '/');
    struct edi_err err;
    int rc;

    if ((rc = make_dirs(ws, file)) != 0)
        return rc;
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
    if (text->n == 0) {
        if (unlink(file) != 0 && errno != ENOENT) {
            gw_errorf("map codes: cannot remove %s: %s", file, strerror(errno));
            return GW_EXIT_USAGE;
        }
    } else {
        gw_temp_path(tmp, sizeof(tmp), dir, slash + 1, (long)getpid());
        edi_err_clear(&err);
        if (gw_write_synced(tmp, text->p, text->n, &err) < 0) {
            gw_errorf("map codes: %s", err.msg);
            return GW_EXIT_USAGE;
        }
        if (rename(tmp, file) != 0) {
            gw_errorf("map codes: cannot write %s: %s", file, strerror(errno));
            unlink(tmp);
            return GW_EXIT_USAGE;
        }
    }
    if (gw_sync_dir(dir) != 0) {
        gw_errorf("map codes: cannot sync %s: %s", dir, strerror(errno));
        return GW_EXIT_USAGE;
    }
    return 0;
}

/* delete FROM found nothing in the workspace: when an installed file has
 * FROM, says that it is not the workspace's to delete and how to override
 * it, and returns 1. */
static int say_installed(struct map_codes *c, const struct codes_args *a)
{
    const char *list = a->pos[0], *from = a->pos[2];
    const struct map_code_entry *e;
    char file[4600];
    size_t n, i;
    int l;

    for (l = a->partner ? MAP_CODES_PARTNER : MAP_CODES_BASE; l <= MAP_CODES_BASE; l++) {
        const char *p = l == MAP_CODES_PARTNER ? a->partner : NULL;

        if (map_codes_entries(&e, &n, c, (enum map_codes_layer)l, p, list, NULL) < 0)
            continue;
        for (i = 0; i < n; i++) {
            if (strcmp(e[i].from, from) != 0)
                continue;
            map_codes_path(file, sizeof(file), c, (enum map_codes_layer)l, p, list, NULL);
            gw_errorf("map codes: '%s' -> '%s' of code list '%s' is installed (%s), not the workspace's: it "
                      "cannot be deleted; override it with `wharf map codes %s set %s VALUE%s%s`",
                      from, e[i].to, list, file, list, from, a->partner ? " --partner " : "",
                      a->partner ? a->partner : "");
            return 1;
        }
    }
    return 0;
}

/* `wharf map codes LIST set FROM TO` and `... delete FROM`. */
static int codes_change(struct map_codes *c, const struct codes_args *a, int set)
{
    struct gw_ctx ctx;
    struct map_codes_change ch;
    struct map_codes_edited res;
    struct edi_buf text;
    struct edi_err err;
    char header[600], file[4600], subject[300], detail[2400];
    const char *list = a->pos[0], *from = a->pos[2], *to = set ? a->pos[3] : NULL;
    int rc;

    if ((rc = gw_cli_ctx_open(&ctx, map_codes_local_dir(c))) != 0)
        return rc;
    /* a file no partner's run reads would be a silent no-op */
    if (a->partner && gw_config_partner(ctx.cfg, a->partner) == NULL) {
        gw_errorf("map codes: no partner '%s' in %s", a->partner, ctx.cfg->path);
        gw_ctx_close(&ctx);
        return GW_EXIT_REJECTED;
    }
    snprintf(header, sizeof(header),
             " %s%s%s: this workspace's own entries, looked at before the\n"
             "     installed list of that name, entry by entry. `wharf map codes %s`\n"
             "     shows them; `wharf map codes %s set FROM TO` and `... delete FROM`\n"
             "     change them. ",
             list, a->partner ? ", partner " : "", a->partner ? a->partner : "", list, list);
    memset(&ch, 0, sizeof(ch));
    ch.list = list;
    ch.partner = a->partner;
    ch.from = from;
    ch.to = to;
    ch.direction = a->direction;
    ch.header = header;
    edi_buf_init(&text, 0);
    edi_err_clear(&err);
    if ((rc = map_codes_edit(&text, &res, c, &ch, &err)) < 0) {
        int found = 0;

        if (rc == EDI_ENOTFOUND)
            found = say_installed(c, a);
        if (!found)
            gw_errorf("map codes: %s", err.msg);
        edi_buf_dispose(&text);
        gw_ctx_close(&ctx);
        return rc == EDI_ESYNTAX ? GW_EXIT_USAGE : gw_cli_exit(rc);
    }
    map_codes_path(file, sizeof(file), c, a->partner ? MAP_CODES_LOCAL_PARTNER : MAP_CODES_LOCAL, a->partner, list,
                   NULL);
    if ((rc = codes_write(map_codes_local_dir(c), file, &text)) == 0) {
        struct edi_buf b;

        edi_buf_init(&b, 0);
        if (set && res.was)
            printf("code list %s: %s -> %s (was %s), in %s\n", list, from, to, shown(&b, res.was), file);
        else if (set)
            printf("code list %s: %s -> %s added to %s\n", list, from, to, file);
        else
            printf("code list %s: %s deleted (%zu entr%s) from %s%s\n", list, from, res.matched,
                   res.matched == 1 ? "y" : "ies", file, res.left ? "" : ", now empty and removed");
        snprintf(subject, sizeof(subject), "codelist %s%s%s", list, a->partner ? ", partner " : "",
                 a->partner ? a->partner : "");
        if (set)
            snprintf(detail, sizeof(detail), "%s -> %s (%s)%s%s", from, to, a->direction ? a->direction : "both",
                     res.was ? ", was " : "", res.was ? res.was : "");
        else
            snprintf(detail, sizeof(detail), "%s (%s): %zu deleted", from, a->direction ? a->direction : "any",
                     res.matched);
        edi_err_clear(&err);
        if (gw_store_audit(ctx.store, "cli", set ? "codelist-set" : "codelist-delete", subject, detail, gw_now(),
                           &err) < 0)
            gw_errorf("map codes: not in the audit: %s", err.msg);
        edi_buf_dispose(&b);
    }
    free(res.was);
    edi_buf_dispose(&text);
    gw_ctx_close(&ctx);
    return rc;
}

static int cmd_codes(int argc, char **argv)
{
    struct codes_args a;
    struct map_codes *c;
    struct edi_err err;
    const char *ws = NULL;
    int rc, change = 0;

    if ((rc = codes_parse(&a, argc, argv)) != 0)
        return rc;
    if (a.npos >= 2) {
        change = strcmp(a.pos[1], "set") == 0 ? 1 : strcmp(a.pos[1], "delete") == 0 ? 2 : 0;
        if (change == 0) {
            gw_errorf("map codes: '%s' is not set or delete", a.pos[1]);
            return codes_usage();
        }
        if (a.npos != (change == 1 ? 4 : 3))
            return codes_usage();
        if (a.json) {
            gw_errorf("map codes: --json is for listing only");
            return GW_EXIT_USAGE;
        }
    }
    edi_err_clear(&err);
    if ((a.npos && map_codes_check_name("code-list name", a.pos[0], &err) < 0) ||
        (a.partner && map_codes_check_name("partner", a.partner, &err) < 0)) {
        gw_errorf("map codes: %s", err.msg);
        return GW_EXIT_USAGE;
    }
    if (change && (map_codes_check_value("FROM", a.pos[2], &err) < 0 ||
                   (change == 1 && map_codes_check_value("TO", a.pos[3], &err) < 0))) {
        gw_errorf("map codes: %s", err.msg);
        return GW_EXIT_USAGE;
    }
    if (a.direction && strcmp(a.direction, "in") != 0 && strcmp(a.direction, "out") != 0 &&
        strcmp(a.direction, "both") != 0) {
        gw_errorf("map codes: --direction '%s' is not in, out or both", a.direction);
        return GW_EXIT_USAGE;
    }
    if (a.direction && !change) {
        gw_errorf("map codes: --direction is for set and delete");
        return GW_EXIT_USAGE;
    }
    if (change)
        ws = gw_workspace(a.workspace);     /* gw_cli_ctx_open says when it is none */
    else if ((rc = map_workspace(&ws, a.workspace, "map codes")) != 0)
        return rc;
    map_codes_new(&c, gw_mappings_dir());
    if (ws)
        map_codes_set_local_dir(c, ws);
    if (change)
        rc = codes_change(c, &a, change == 1);
    else if (a.npos == 0)
        rc = codes_overview(c, &a);
    else
        rc = codes_show(c, &a);
    map_codes_free(c);
    return rc;
}

int gw_cmd_map(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"run", cmd_run}, {"test", cmd_test}, {"check", cmd_check}, {"list", cmd_list}, {"codes", cmd_codes},
    };
    size_t i;

    if (argc < 2) {
        gw_help("map");
        return GW_EXIT_USAGE;
    }
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    gw_errorf("unknown command 'map %s'; try `wharf help map`", argv[1]);
    return GW_EXIT_USAGE;
}
