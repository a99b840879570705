/*
 * cli_invoice.c — `wharf invoice run|submit` and `wharf invoices
 * list|show|paid`. The work is invoice.c; this file reads arguments and
 * prints tables or JSON.
 */
#include "cli/cli.h"
#include "gateway/flow/inbound.h"
#include "gateway/flow/invoice.h"
#include "gateway/flow/status.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw_cmd_invoice(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct gw_stats st;
    struct edi_err err;
    int rc, run = argc >= 2 && strcmp(argv[1], "run") == 0;

    if (argc < 2 || (!run && strcmp(argv[1], "submit") != 0)) {
        gw_errorf("invoice: usage: wharf invoice run [-w DIR] | wharf invoice submit FILE [-w DIR]");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "invoice", 0)) != 0)
        return rc;
    if (!run && o.arg == NULL) {
        gw_errorf("invoice submit: which file? usage: wharf invoice submit FILE");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    memset(&st, 0, sizeof(st));
    if (run) {
        struct gw_invoice_summary sum;

        const struct gw_partner *only = o.partner ? gw_config_partner(c.cfg, o.partner) : NULL;

        if (o.partner && only == NULL) {
            gw_errorf("invoice run: no partner %s", o.partner);
            gw_ctx_close(&c);
            return GW_EXIT_USAGE;
        }
        rc = gw_invoice_run(&sum, &c, only, &err);
        if (rc == 0)
            rc = gw_flush_outbox(&st, &c, &err);
        if (rc < 0)
            gw_errorf("invoice run: %s", err.msg);
        printf("%u invoices queued, %u held, %u released from hold, %u orders waiting to ship in full, "
               "%u replaced ship notices with nothing new to bill; %u messages sent\n",
               sum.queued, sum.held, sum.released, sum.waiting, sum.covered, st.sent);
        if (rc < 0) {
            /* a run that failed is recorded, so `wharf runs list` and
             * `wharf status` show it, and the exit says what to do */
            char counts[96];

            snprintf(counts, sizeof(counts), "invoices=%u held=%u sent=%u", sum.queued + sum.released, sum.held,
                     st.sent);
            gw_cli_record_failure(&c, "invoice-run", counts, err.msg);
        }
        rc = gw_cli_exit(rc);
    } else {
        struct edi_findings why;
        char number[64], *data = NULL;
        size_t n = 0, i;

        edi_findings_init(&why, 200);
        if (edi_read_file(&data, &n, o.arg, &err) < 0) {
            gw_errorf("invoice submit: %s", err.msg);
            rc = GW_EXIT_USAGE;
        } else if ((rc = gw_invoice_submit(number, &c, data, n, &why, &err)) == EDI_ESYNTAX) {
            for (i = 0; i < why.n; i++)
                fprintf(stderr, "wharf: invoice submit: %s: %s\n", why.v[i].code, why.v[i].msg);
            fprintf(stderr, "wharf: invoice submit: refused; nothing was kept\n");
            rc = GW_EXIT_REJECTED;
        } else if (rc < 0) {
            gw_errorf("invoice submit: %s", err.msg);
            rc = GW_EXIT_USAGE;
        } else {
            struct gw_invoice *v = NULL;

            if (gw_store_get_invoice(&v, c.store, NULL, number, 0, &err) == 0)
                printf("invoice %s %s%s%s", number, v->state, v->findings && *v->findings ? ":\n" : "\n",
                       v->findings ? v->findings : "");
            gw_invoice_free(v);
            gw_flush_outbox(&st, &c, &err);
            rc = GW_EXIT_OK;
        }
        free(data);
        edi_findings_dispose(&why);
    }
    gw_ctx_close(&c);
    return rc;
}


/* Prints text's lines, each indented. */
static void print_lines(const char *indent, const char *text)
{
    const char *p = text, *e;

    for (; p && *p; p = *e ? e + 1 : e) {
        e = strchr(p, '\n');
        if (e == NULL)
            e = p + strlen(p);
        printf("%s%.*s\n", indent, (int)(e - p), p);
    }
}

static int invoices_list(struct gw_ctx *c, const struct gw_cli_opts *o, struct edi_err *err)
{
    struct gw_invoice **v = NULL;
    size_t n = 0, i;
    int rc;

    if ((rc = gw_store_list_invoices(&v, &n, c->store, o->state, o->partner, err)) < 0)
        return rc;
    if (o->json) {
        json_t *a = json_array();
        char *t;

        for (i = 0; i < n; i++)
            json_array_append_new(a, gw_invoice_json(v[i]));
        t = json_dumps(a, JSON_INDENT(2));
        puts(t);
        free(t);
        json_decref(a);
    } else {
        printf("%-10s %-20s %-9s %12s  %-24s %s\n", "PARTNER", "INVOICE", "STATE", "TOTAL", "PO", "UPDATED");
        for (i = 0; i < n; i++) {
            char when[32];

            gw_cli_when(when, sizeof(when), v[i]->updated);
            printf("%-10s %-20s %-9s %12s  %-24s %s\n", v[i]->partner, v[i]->number, v[i]->state,
                   v[i]->total ? v[i]->total : "", v[i]->po_numbers ? v[i]->po_numbers : "", when);
            if (strcmp(v[i]->state, "held") == 0 && v[i]->findings)
                print_lines("    ", v[i]->findings);
            else if (v[i]->amazon_detail)
                /* Amazon's summary; the variance lines are `show`'s */
                printf("    %.*s\n", (int)strcspn(v[i]->amazon_detail, "\n"), v[i]->amazon_detail);
        }
    }
    gw_invoices_free(v, n);
    return 0;
}

static int invoices_show(struct gw_ctx *c, const struct gw_cli_opts *o, struct edi_err *err)
{
    struct gw_invoice *v = NULL;
    struct gw_history *h = NULL;
    size_t nh = 0, i;
    int rc;

    if ((rc = gw_store_get_invoice(&v, c->store, o->partner, o->arg, 0, err)) == EDI_ENOTFOUND)
        return edi_fail(err, EDI_ENOTFOUND, "no invoice %s", o->arg);
    if (rc < 0)
        return rc;
    if ((rc = gw_store_invoice_history(&h, &nh, c->store, v->id, err)) == 0) {
        if (o->json) {
            json_t *j = gw_invoice_json(v), *a = json_array();
            char *t;

            for (i = 0; i < nh; i++)
                json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "at", (json_int_t)h[i].at, "state",
                                                   h[i].state, "what", h[i].what));
            json_object_set_new(j, "history", a);
            json_object_set_new(j, "canonical", json_string(v->canonical));
            t = json_dumps(j, JSON_INDENT(2));
            puts(t);
            free(t);
            json_decref(j);
        } else {
            printf("invoice %s for %s (%s): %s, total %s %s\n", v->number, v->partner,
                   v->po_numbers ? v->po_numbers : "", v->state, v->total ? v->total : "",
                   v->currency ? v->currency : "");
            if (v->findings && *v->findings)
                printf("held because:\n%s", v->findings);
            if (v->amazon_status) {
                printf("Amazon (Finances API): %s\n", v->amazon_status);
                print_lines("  ", v->amazon_detail);
            }
            printf("history:\n");
            for (i = 0; i < nh; i++) {
                char when[32];

                gw_cli_when(when, sizeof(when), h[i].at);
                printf("  %s  %-9s %s\n", when, h[i].state, h[i].what);
            }
        }
    }
    gw_history_free(h, nh);
    gw_invoice_free(v);
    return rc;
}

int gw_cmd_invoices(int argc, char **argv)
{
    struct gw_cli_opts o;
    struct gw_ctx c;
    struct edi_err err;
    const char *sub = argc >= 2 ? argv[1] : "";
    int rc;

    if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "paid") != 0) {
        gw_errorf("invoices: usage: wharf invoices list [--json] [--state S] [--partner P] | show NUMBER [--json] | paid NUMBER");
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_parse(&o, argc - 1, argv + 1, "invoices", 0)) != 0)
        return rc;
    if (strcmp(sub, "list") == 0 &&
        (rc = gw_cli_check_choice("invoices list", "--state", o.state, gw_invoice_states)) != 0)
        return rc;
    if (strcmp(sub, "list") != 0 && o.arg == NULL) {
        gw_errorf("invoices %s: which invoice number?", sub);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_ctx_open(&c, o.workspace)) != 0)
        return rc;
    edi_err_clear(&err);
    if (strcmp(sub, "list") == 0)
        rc = invoices_list(&c, &o, &err);
    else if (strcmp(sub, "show") == 0)
        rc = invoices_show(&c, &o, &err);
    else if ((rc = gw_invoice_paid(&c, o.arg, "marked paid by an operator", &err)) == 0)
        printf("invoice %s paid\n", o.arg);
    if (rc < 0)
        gw_errorf("invoices: %s", err.msg);
    gw_ctx_close(&c);
    return rc == 0 ? GW_EXIT_OK : rc == EDI_ENOTFOUND || rc == EDI_ESYNTAX ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
}
