/*
 * cli_ship.c — `wharf ship FILE | --floor-denial PO`, `wharf labels
 * SHIPMENT_ID [--zpl]` and `wharf shipments list|show`. The work is
 * ship.c; this file reads arguments and prints.
 */
#include "cli/cli.h"
#include "gateway/flow/inbound.h"
#include "gateway/flow/ship.h"
#include "gateway/flow/status.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_cmd_ship(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct gw_ship_summary sum;
    struct gw_stats st;
    struct edi_findings why;
    struct edi_err err;
    char *data = NULL;
    size_t n = 0, i;
    int rc;

    if ((rc = gw_cli_parse(&o, argc, argv, "ship", GW_OPT_FLOOR_DENIAL)) != 0)
        return rc;
    if ((o.arg == NULL) == (o.floor_denial == NULL)) {
        gw_errorf("ship: usage: wharf ship FILE [-w DIR] | wharf ship --floor-denial PO [-w DIR]");
        return GW_EXIT_USAGE;
    }
    edi_err_clear(&err);
    if (o.arg && edi_read_file(&data, &n, o.arg, &err) < 0) {
        gw_errorf("ship: %s", err.msg);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0) {
        free(data);
        return rc;
    }
    edi_findings_init(&why, 500);
    if (o.arg) {
        const char *base = strrchr(o.arg, '/');

        rc = gw_ship_packlist(&sum, &c, base ? base + 1 : o.arg, data, n, &why, &err);
    } else {
        rc = gw_ship_floor_denial(&sum, &c, o.floor_denial, &why, &err);
    }
    free(data);
    if (rc == EDI_ESYNTAX) {
        for (i = 0; i < why.n; i++)
            fprintf(stderr, "wharf: ship: %s: %s\n", why.v[i].code, why.v[i].msg);
        if (why.dropped)
            fprintf(stderr, "wharf: ship: and %zu more\n", why.dropped);
        fprintf(stderr, "wharf: ship: refused; nothing was queued\n");
        rc = GW_EXIT_REJECTED;
    } else if (rc < 0) {
        gw_errorf("ship: %s", err.msg);
        /* not the input's fault: recorded like a failed run */
        gw_cli_record_failure(&c, "ship", NULL, err.msg);
        rc = rc == EDI_EAGAIN ? GW_EXIT_TEMPFAIL : rc == EDI_ERR ? GW_EXIT_INTERNAL : GW_EXIT_USAGE;
    } else {
        memset(&st, 0, sizeof(st));
        for (i = 0; i < sum.n; i++)
            printf("ship notice %s queued\n", sum.ids[i]);
        if (gw_flush_outbox(&st, &c, &err) < 0)
            gw_errorf("ship: the outbox: %s (it is sent on the next run)", err.msg);
        printf("%zu ship notices queued, %u messages sent\n", sum.n, st.sent);
        rc = GW_EXIT_OK;
    }
    edi_findings_dispose(&why);
    gw_ctx_close(&c);
    return rc;
}

int gw_cmd_labels(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct edi_buf out;
    struct edi_err err;
    int rc;

    if ((rc = gw_cli_parse(&o, argc, argv, "labels", GW_OPT_ZPL)) != 0)
        return rc;
    if (o.arg == NULL) {
        gw_errorf("labels: usage: wharf labels SHIPMENT_ID [--zpl] [-w DIR]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_buf_init(&out, 0);
    edi_err_clear(&err);
    rc = gw_ship_labels(&out, &c, o.arg, o.zpl, &err);
    if (rc == 0)
        fwrite(out.p, 1, out.n, stdout);
    else
        gw_errorf("labels: %s", err.msg);
    edi_buf_dispose(&out);
    gw_ctx_close(&c);
    return rc == 0 ? GW_EXIT_OK : rc == EDI_ENOTFOUND || rc == EDI_ESYNTAX ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
}


int gw_cmd_shipments(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct edi_err err;
    int rc, list = argc >= 2 && strcmp(argv[1], "list") == 0;

    if (argc < 2 || (!list && strcmp(argv[1], "show") != 0)) {
        gw_errorf("shipments: usage: wharf shipments list [--json] [--state S] [--partner P] | show ID [--json]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "shipments", 0)) != 0)
        return rc;
    if (list && (rc = gw_cli_check_choice("shipments list", "--state", o.state, gw_shipment_states)) != 0)
        return rc;
    if (!list && o.arg == NULL) {
        gw_errorf("shipments show: which shipment id?");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    if (list) {
        struct gw_shipment **v = NULL;
        size_t n = 0, i;

        if ((rc = gw_store_list_shipments(&v, &n, c.store, o.state, o.partner, &err)) == 0) {
            json_t *a = o.json ? json_array() : NULL;

            if (!o.json)
                printf("%-10s %-24s %3s %-12s %-10s %-8s %s\n", "PARTNER", "SHIPMENT", "V", "STATE",
                       "WAREHOUSE", "SHIP-TO", "CREATED");
            for (i = 0; i < n; i++) {
                char when[32];

                gw_cli_when(when, sizeof(when), v[i]->created);
                if (o.json)
                    json_array_append_new(a, gw_shipment_json(v[i], 0));
                else
                    printf("%-10s %-24s %3d %-12s %-10s %-8s %s\n", v[i]->partner, v[i]->shipment_id,
                           v[i]->version, v[i]->state, v[i]->warehouse ? v[i]->warehouse : "-",
                           v[i]->ship_to ? v[i]->ship_to : "-", when);
            }
            if (o.json) {
                char *t = json_dumps(a, JSON_INDENT(2));

                puts(t);
                free(t);
                json_decref(a);
            }
        }
        gw_shipments_free(v, n);
    } else {
        struct gw_shipment *s = NULL;

        if ((rc = gw_store_get_shipment(&s, c.store, o.partner, o.arg, 0, &err)) == EDI_ENOTFOUND)
            rc = edi_fail(&err, EDI_ENOTFOUND, "no shipment %s", o.arg);
        if (rc == 0 && o.json) {
            json_t *j = gw_shipment_json(s, 1);
            char *t = json_dumps(j, JSON_INDENT(2));

            puts(t);
            free(t);
            json_decref(j);
        } else if (rc == 0) {
            char when[32];

            gw_cli_when(when, sizeof(when), s->created);
            printf("shipment %s (version %d) for %s: %s, from %s%s%s, queued %s\n", s->shipment_id,
                   s->version, s->partner, s->state, s->warehouse ? s->warehouse : "-",
                   s->ship_to ? " to " : "", s->ship_to ? s->ship_to : "", when);
            fputs(s->canonical, stdout);
        }
        gw_shipment_free(s);
    }
    if (rc < 0)
        gw_errorf("shipments: %s", err.msg);
    gw_ctx_close(&c);
    return rc == 0 ? GW_EXIT_OK : rc == EDI_ENOTFOUND ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
}
