/*
 * reprocess.c — `wharf reprocess ID` and `wharf quarantine list`: the
 * quarantined inbound files and running one through the inbound flow again
 * after a fix (gateway/flow/reprocess.h), as the API does.
 */
#include "cli/cli.h"
#include "gateway/flow/reprocess.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* #ID or ID: the row id, 0 when it is none. */
static int64_t file_id(const char *s)
{
    char *end;
    long long v;

    if (s == NULL)
        return 0;
    if (s[0] == '#')
        s++;
    if (s[0] < '0' || s[0] > '9')
        return 0;
    v = strtoll(s, &end, 10);
    return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

int gw_cmd_reprocess(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_reprocessed r;
    struct gw_ctx c;
    struct edi_err err;
    int64_t id;
    size_t i;
    int rc;

    if ((rc = gw_cli_parse(&o, argc, argv, "reprocess", 0)) != 0)
        return rc;
    if ((id = file_id(o.arg)) == 0) {
        gw_errorf("reprocess: which file? `wharf reprocess ID`, ID a quarantined file's number as "
                  "`wharf quarantine list` shows it");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    rc = gw_reprocess(&r, &c, id, "cli", &err);
    if (rc < 0) {
        gw_errorf("reprocess: %s", err.msg);
        rc = rc == EDI_ESYNTAX || rc == EDI_ENOTFOUND ? GW_EXIT_REJECTED
             : rc == EDI_EAGAIN                       ? GW_EXIT_TEMPFAIL
                                                      : GW_EXIT_USAGE;
    } else {
        if (o.json) {
            json_t *j = gw_reprocessed_json(&r);

            json_dumpf(j, stdout, JSON_INDENT(2));
            printf("\n");
            json_decref(j);
        } else {
            printf("file #%lld reprocessed as #%lld: %s", (long long)r.of, (long long)r.id, r.verdict);
            for (i = 0; i < r.ndocs; i++)
                printf("%s%lld", i ? ", " : ", documents ", (long long)r.docs[i]);
            printf("\n");
            if (r.reason)
                printf("  %s", r.reason);
        }
        /* a file quarantined again, or a duplicate, was not taken in */
        rc = strcmp(r.verdict, "archived") == 0 ? GW_EXIT_OK : GW_EXIT_REJECTED;
    }
    gw_reprocessed_dispose(&r);
    gw_ctx_close(&c);
    return rc;
}

static int quarantine_list(const struct gw_cli_opts *o)
{
    struct gw_config *cfg = NULL;
    struct gw_store *s = NULL;
    struct gw_quarantined *v = NULL;
    struct edi_err err;
    size_t n = 0, i, max = 50;
    int rc;

    if (o->limit && ((max = strtoul(o->limit, NULL, 10)) == 0 || o->limit[0] < '0' || o->limit[0] > '9')) {
        gw_errorf("quarantine list: --limit is a number from 1");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_open_ws(&cfg, &s, o->workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    if (gw_store_quarantine_page(&v, &n, s, o->partner, 0, max, &err) < 0) {
        gw_errorf("quarantine list: %s", err.msg);
        rc = GW_EXIT_USAGE;
    } else if (o->json) {
        json_t *j = json_object(), *arr = json_array();

        for (i = 0; i < n; i++)
            json_array_append_new(arr, gw_quarantined_json(s, &v[i]));
        json_object_set_new(j, "files", arr);
        json_dumpf(j, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(j);
    } else {
        for (i = 0; i < n; i++) {
            char when[32];
            const char *r = v[i].reason ? v[i].reason : "";

            gw_cli_when(when, sizeof(when), v[i].received);
            printf("#%lld  %s  %s  %s  %lld bytes", (long long)v[i].id, v[i].partner,
                   v[i].name ? v[i].name : "(unnamed)", when, (long long)v[i].size);
            if (v[i].again)
                printf("  reprocessed as #%lld (%s)", (long long)v[i].again,
                       v[i].again_verdict ? v[i].again_verdict : "received");
            printf("\n");
            /* the reason, one line each, indented */
            while (*r) {
                size_t k = strcspn(r, "\n");

                printf("    %.*s\n", (int)k, r);
                r += k;
                if (*r)
                    r++;
            }
        }
        if (n == 0)
            printf("no quarantined files\n");
        else
            printf("after fixing what a file's reason says: `wharf reprocess ID`\n");
    }
    gw_quarantined_free(v, n);
    gw_store_close(s);
    gw_config_free(cfg);
    return rc;
}

int gw_cmd_quarantine(int argc, char **argv)
{
    struct gw_cli_opts o;
    int rc;

    if (argc < 2 || strcmp(argv[1], "list") != 0) {
        gw_errorf("quarantine: usage: wharf quarantine list [--partner P] [--limit N] [--json]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "quarantine", 0)) != 0)
        return rc;
    if (o.arg) {
        gw_errorf("quarantine list: '%s' is extra", o.arg);
        return GW_EXIT_USAGE;
    }
    return quarantine_list(&o);
}
