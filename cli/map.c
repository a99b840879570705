/*
 * cli_map.c — `wharf map run|test|check|list`: the map engine from the
 * command line, for mapping specialists. The engine is mappings/.
 */
#include "cli/cli.h"
#include "mappings/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_engine(struct map_engine **e)
{
    struct edi_err err;

    edi_err_clear(&err);
    if (map_engine_new(e, gw_mappings_dir(), gw_schemas_dir(), &err) < 0) {
        gw_errorf("%s", err.msg);
        return GW_EXIT_USAGE;
    }
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
    const char *name = NULL, *input = NULL, *partner = NULL;
    struct map_param params[64];
    size_t nparams = 0, i;
    int as_xml = 0, rc;
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
        else if (strcmp(s, "--partner") == 0 && i + 1 < (size_t)argc)
            partner = argv[++i];
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
        gw_errorf("map run: usage: wharf map run NAME|FILE INPUT [--partner P] [--param k=v]... [--xml]");
        return GW_EXIT_USAGE;
    }
    if ((rc = open_engine(&e)) != 0)
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
    const char *dir = NULL;
    int update = 0, rc, i;
    struct map_engine *e;
    struct map_test_stats st;
    struct edi_err err;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--update") == 0)
            update = 1;
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
    if ((rc = open_engine(&e)) != 0)
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
    if ((rc = open_engine(&e)) != 0)
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

    if ((rc = open_engine(&e)) != 0)
        return rc;
    n = map_list(maps, 256, e);
    for (i = 0; i < n && i < 256; i++)
        printf("%-36s %4s -> %-4s  %s\n", maps[i]->name, fmt[maps[i]->in], fmt[maps[i]->out],
               maps[i]->doc ? maps[i]->doc : "");
    map_engine_free(e);
    return GW_EXIT_OK;
}

int gw_cmd_map(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"run", cmd_run}, {"test", cmd_test}, {"check", cmd_check}, {"list", cmd_list},
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
