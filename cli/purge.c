/*
 * cli_purge.c — `wharf purge --before DATE [--dry-run]`: the command around
 * gw_purge (purge.c), apart from it so that the daemon's library (sched.c
 * calls gw_purge_due) does not pull in the CLI's helpers.
 */
#include "cli/cli.h"
#include "gateway/flow/purge.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- wharf purge ---------------------------------------------------------------------- */

int gw_cmd_purge(int argc, char **argv)
{
    const char *ws = NULL, *date = NULL;
    int dry_run = 0, i, rc;
    struct gw_ctx c;
    struct gw_purge_stats st;
    struct edi_err err;
    struct tm tm;
    char *end;
    time_t before;

    for (i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--workspace") == 0) && i + 1 < argc)
            ws = argv[++i];
        else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc)
            date = argv[++i];
        else if (strcmp(argv[i], "--dry-run") == 0)
            dry_run = 1;
        else {
            gw_errorf("purge: '%s' is not an option here; see `wharf help purge`", argv[i]);
            return GW_EXIT_USAGE;
        }
    }
    if (date == NULL) {
        gw_errorf("purge: --before DATE is required (YYYY-MM-DD); see `wharf help purge`");
        return GW_EXIT_USAGE;
    }
    /* a date that does not exist (2025-02-30) is refused, not moved */
    memset(&tm, 0, sizeof(tm));
    if (!edi_iso_date_ok(date, strlen(date)) || (end = strptime(date, "%Y-%m-%d", &tm)) == NULL ||
        *end != '\0') {
        gw_errorf("purge: --before '%s' is not a date like 2025-01-31", date);
        return GW_EXIT_USAGE;
    }
    before = timegm(&tm);
    if ((rc = gw_cli_ctx_open(&c, gw_workspace(ws))) != 0)
        return rc;
    edi_err_clear(&err);
    rc = gw_purge(&st, &c, before, dry_run, stdout, &err);
    if (rc < 0)
        gw_errorf("purge: %s", err.msg);
    else
        printf("%s %u order%s, %u inbound file%s in the store, %u file%s%s\n",
               dry_run ? "would purge" : "purged", st.orders, st.orders == 1 ? "" : "s", st.raws,
               st.raws == 1 ? "" : "s", st.files, st.files == 1 ? "" : "s",
               dry_run ? " (dry run: nothing changed)" : "");
    gw_ctx_close(&c);
    if (rc == EDI_EAGAIN)
        return GW_EXIT_TEMPFAIL;
    return rc < 0 ? GW_EXIT_USAGE : GW_EXIT_OK;
}
