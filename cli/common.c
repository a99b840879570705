/*
 * common.c — what every wharf command shares (cli.h): messages, the clock,
 * the schemas, mappings and workspace folders, option parsing, exit
 * statuses and opening a workspace.
 */
#include "cli/cli.h"
#include "edi/text.h"
#include "gateway/flow/sched.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef WHARF_SCHEMAS
#define WHARF_SCHEMAS "/usr/share/wharf/schemas"
#endif
#ifndef WHARF_MAPPINGS
#define WHARF_MAPPINGS "/usr/share/wharf/mappings"
#endif
#ifndef WHARF_CONSOLE
#define WHARF_CONSOLE "/usr/share/wharf/console"
#endif

/* The installed data folder NAME beside the running binary:
 * BIN/../share/wharf/NAME, when it is a folder, else NULL. This is how an
 * installed wharf (PREFIX/bin/wharf) finds PREFIX/share/wharf whatever
 * PREFIX was, and a DESTDIR tree works where it lies. A binary in the
 * build tree (build/wharf) has no build/share/wharf and falls back to the
 * checkout's folders the Makefile builds in. */
const char *gw_installed_dir(const char *name)
{
    static char buf[4][PATH_MAX];
    static int used;
    char exe[PATH_MAX], *slash;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    struct stat st;
    char *out;
    int k;

    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    for (k = 0; k < 2; k++) {   /* BIN/wharf -> BIN -> its parent */
        if ((slash = strrchr(exe, '/')) == NULL)
            return NULL;
        *slash = '\0';
    }
    out = buf[used % 4];
    if ((size_t)snprintf(out, PATH_MAX, "%s/share/wharf/%s", exe, name) >= PATH_MAX)
        return NULL;
    if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode))
        return NULL;
    used++;
    return out;
}

/* env, else the installed folder beside the binary, else the built-in one */
static const char *data_dir(const char *env, const char *name, const char *builtin, const char **cache)
{
    const char *v = getenv(env);

    if (v && *v)
        return v;
    if (*cache == NULL) {
        const char *in = gw_installed_dir(name);

        *cache = in ? in : builtin;
    }
    return *cache;
}

const char *gw_mappings_dir(void)
{
    static const char *cache;

    return data_dir("WHARF_MAPPINGS", "mappings", WHARF_MAPPINGS, &cache);
}

const char *gw_console_dir(void)
{
    static const char *cache;

    return data_dir("WHARF_CONSOLE", "console", WHARF_CONSOLE, &cache);
}

void gw_errorf(const char *fmt, ...)
{
    va_list ap;
    struct edi_buf line;

    edi_buf_init(&line, 0);
    edi_buf_puts(&line, "wharf: ");
    /* one line, whatever the message carries from outside */
    va_start(ap, fmt);
    edi_escape_vline(&line, fmt, ap);
    va_end(ap);
    fwrite(line.p, 1, line.n, stderr);
    edi_buf_dispose(&line);
}

time_t gw_now(void)
{
    const char *v = getenv("WHARF_NOW");
    struct tm tm;
    char *end;

    if (v == NULL || *v == '\0')
        return time(NULL);
    memset(&tm, 0, sizeof(tm));
    end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || (*end != '\0' && strcmp(end, "Z") != 0)) {
        gw_errorf("WHARF_NOW '%s' is not a UTC time like 2025-01-01T00:00:00Z", v);
        exit(GW_EXIT_USAGE);
    }
    return timegm(&tm);
}

const char *gw_schemas_dir(void)
{
    static const char *cache;

    return data_dir("WHARF_SCHEMAS", "schemas", WHARF_SCHEMAS, &cache);
}

const char *gw_workspace(const char *opt)
{
    const char *v;

    if (opt && *opt)
        return opt;
    v = getenv("WHARF_WORKSPACE");
    return v && *v ? v : ".";
}

int gw_cli_parse(struct gw_cli_opts *o, int argc, char **argv, const char *cmd, int extras)
{
    static const struct {
        const char *name;
        int extra;                /* 0: every command's */
        size_t off;               /* the const char * it sets */
    } valued[] = {
        {"--state", 0, offsetof(struct gw_cli_opts, state)},
        {"--partner", 0, offsetof(struct gw_cli_opts, partner)},
        {"--limit", 0, offsetof(struct gw_cli_opts, limit)},
        {"--floor-denial", GW_OPT_FLOOR_DENIAL, offsetof(struct gw_cli_opts, floor_denial)},
        {"--kind", GW_OPT_KIND, offsetof(struct gw_cli_opts, kind)},
        {"--about", GW_OPT_ABOUT, offsetof(struct gw_cli_opts, about)},
        {"--http", GW_OPT_HTTP, offsetof(struct gw_cli_opts, http)},
    };
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc; i++) {
        const char *s = argv[i];
        size_t k;

        for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
            if (strcmp(s, valued[k].name) == 0 && (valued[k].extra == 0 || (extras & valued[k].extra)))
                break;
        if (k < sizeof(valued) / sizeof(valued[0])) {
            if (i + 1 >= argc) {
                gw_errorf("%s: %s needs a value; see `wharf help %s`", cmd, s, cmd);
                return GW_EXIT_USAGE;
            }
            *(const char **)((char *)o + valued[k].off) = argv[++i];
        } else if ((strcmp(s, "-w") == 0 || strcmp(s, "--workspace") == 0) && i + 1 < argc)
            o->workspace = argv[++i];
        else if (strcmp(s, "--json") == 0)
            o->json = 1;
        else if (strcmp(s, "--once") == 0)
            o->once = 1;
        else if (strcmp(s, "--zpl") == 0 && (extras & GW_OPT_ZPL))
            o->zpl = 1;
        else if (s[0] == '-' && s[1] != '\0') {
            gw_errorf("%s: unknown option '%s'; see `wharf help %s`", cmd, s, cmd);
            return GW_EXIT_USAGE;
        } else if (o->arg == NULL)
            o->arg = s;
        else {
            gw_errorf("%s: '%s' is extra", cmd, s);
            return GW_EXIT_USAGE;
        }
    }
    o->workspace = gw_workspace(o->workspace);
    return 0;
}

const char *const gw_order_states[] = {GW_ORDER_PENDING, GW_ORDER_APPROVED, GW_ORDER_ACKNOWLEDGED,
                                       GW_ORDER_PARTIALLY_SHIPPED, GW_ORDER_SHIPPED, GW_ORDER_INVOICED,
                                       GW_ORDER_CLOSED, GW_ORDER_CANCELLED, GW_ORDER_REJECTED, NULL};
const char *const gw_invoice_states[] = {GW_INV_HELD, GW_INV_QUEUED, GW_INV_SENT, GW_INV_ACCEPTED,
                                         GW_INV_REJECTED, GW_INV_PAID, GW_INV_IN_PROGRESS,
                                         GW_INV_PARTIALLY_PAID, GW_INV_DEDUCTED, GW_INV_PARTIALLY_DEDUCTED,
                                         NULL};
const char *const gw_shipment_states[] = {"queued", "replaced", "floor-denial", NULL};
/* inbound: accepted, rejected, duplicate-ship-id; outbound: queued, sent,
 * then accepted or rejected by the partner's 997/999 */
const char *const gw_document_states[] = {"accepted", "rejected", "duplicate-ship-id", "queued", "sent", NULL};
const char *const gw_run_states[] = {"running", "done", "failed", NULL};

int gw_cli_check_choice(const char *cmd, const char *opt, const char *value, const char *const *valid)
{
    char list[400];
    size_t i, used = 0;

    if (value == NULL)
        return 0;
    for (i = 0; valid[i]; i++)
        if (strcmp(value, valid[i]) == 0)
            return 0;
    list[0] = '\0';
    for (i = 0; valid[i] && used < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", valid[i]);
    gw_errorf("%s: %s '%s' is not one of: %s", cmd, opt, value, list);
    return GW_EXIT_USAGE;
}

int gw_cli_exit(int rc)
{
    switch (rc) {
    case EDI_OK:
        return GW_EXIT_OK;
    case EDI_ESYNTAX:
    case EDI_ELIMIT:
    case EDI_ENOTFOUND:
        return GW_EXIT_REJECTED;
    case EDI_ECONFIG:
        return GW_EXIT_USAGE;
    case EDI_EAGAIN:
        return GW_EXIT_TEMPFAIL;
    default:
        return GW_EXIT_INTERNAL;
    }
}

void gw_cli_record_failure(struct gw_ctx *c, const char *job, const char *counts, const char *why)
{
    struct edi_err re;

    edi_err_clear(&re);
    if (gw_sched_record_failure(c, NULL, job, c->now, counts, why, &re) < 0)
        gw_errorf("the failed run is not recorded: %s", re.msg);
}

void gw_cli_when(char *buf, size_t cap, time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M", &tm);
}

int gw_cli_ctx_open(struct gw_ctx *c, const char *workspace)
{
    struct edi_err err;
    int rc;

    memset(c, 0, sizeof(*c));
    edi_err_clear(&err);
    c->now = gw_now();
    c->log = stderr;
    if ((rc = gw_ctx_open(c, workspace, gw_schemas_dir(), gw_mappings_dir(), &err)) < 0) {
        if (rc == EDI_ENOTFOUND)
            gw_errorf("%s is not a wharf workspace (no wharf.xml): create one with `wharf init %s`",
                      workspace, workspace);
        else
            gw_errorf("%s", err.msg);
        return rc == EDI_EAGAIN ? GW_EXIT_TEMPFAIL : GW_EXIT_USAGE;
    }
    return 0;
}

int gw_cli_open_ws(struct gw_config **cfg, struct gw_store **s, const char *ws)
{
    struct edi_err err;
    int rc;

    *cfg = NULL;
    *s = NULL;
    edi_err_clear(&err);
    if ((rc = gw_config_load(cfg, ws, gw_schemas_dir(), gw_mappings_dir(), &err)) < 0) {
        if (rc == EDI_ENOTFOUND)
            gw_errorf("%s is not a wharf workspace (no wharf.xml): create one with `wharf init %s`", ws, ws);
        else
            gw_errorf("%s", err.msg);
        return rc == EDI_EAGAIN ? GW_EXIT_TEMPFAIL : GW_EXIT_USAGE;
    }
    if ((rc = gw_store_open(s, (*cfg)->store_path, &err)) < 0) {
        gw_errorf("%s", err.msg);
        gw_config_free(*cfg);
        *cfg = NULL;
        return rc == EDI_EAGAIN ? GW_EXIT_TEMPFAIL : GW_EXIT_USAGE;
    }
    return 0;
}
