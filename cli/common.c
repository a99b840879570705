/*
 * common.c — what every wharf command shares (cli.h): the workspace folder,
 * option parsing and opening a workspace. Messages, the clock and the data
 * folders are in base.c, which the wharf front links too.
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
