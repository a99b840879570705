/*
 * erp.c — `wharf erp status|retry|check|connect`: the operator's side of
 * the API ERP connectors (gateway/erp/): what each one still has to take,
 * what it refused and why, a message sent again after a fix, a connection
 * checked, and the OAuth authorization-code flow that puts the tokens in
 * the vault.
 */
#include "cli/cli.h"
#include "gateway/core/ctx.h"
#include "gateway/erp/erp.h"
#include "gateway/erp/hooks.h"
#include "gateway/flow/status.h"
#include "gateway/secret/vault.h"
#include "gateway/store/store.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct args {
    const char *workspace, *redirect, *url;
    int json, remove, new_token;
    const char *pos[3];
    int npos;
};

static int usage(void)
{
    gw_errorf("erp: usage: wharf erp status [ID] [--json] | retry MESSAGE | check ID | connect ID "
              "[--redirect-uri URI] | webhooks ID (--url https://PUBLIC-BASE [--new-token] | --remove) [--json] "
              "[-w DIR]; see `wharf help erp`");
    return GW_EXIT_USAGE;
}

static int parse(struct args *a, int argc, char **argv)
{
    int i;

    memset(a, 0, sizeof(*a));
    for (i = 1; i < argc; i++) {
        const char *s = argv[i];

        if ((strcmp(s, "-w") == 0 || strcmp(s, "--workspace") == 0) && i + 1 < argc)
            a->workspace = argv[++i];
        else if (strcmp(s, "--redirect-uri") == 0 && i + 1 < argc)
            a->redirect = argv[++i];
        else if (strcmp(s, "--url") == 0 && i + 1 < argc)
            a->url = argv[++i];
        else if (strcmp(s, "--remove") == 0)
            a->remove = 1;
        else if (strcmp(s, "--new-token") == 0)
            a->new_token = 1;
        else if (strcmp(s, "--json") == 0)
            a->json = 1;
        else if (s[0] == '-' && s[1] != '\0') {
            gw_errorf("erp: unknown option '%.*s'; see `wharf help erp`", (int)strcspn(s, "="), s);
            return GW_EXIT_USAGE;
        } else if (a->npos < 3) {
            a->pos[a->npos++] = s;
        } else {
            return usage();
        }
    }
    a->workspace = gw_workspace(a->workspace);
    return 0;
}

static int cmd_status(struct gw_ctx *c, const struct args *a)
{
    const char *only = a->npos > 1 ? a->pos[1] : NULL;
    size_t i, k, held = 0;
    int rc = GW_EXIT_OK;

    if (only && gw_config_erp(c->cfg, only) == NULL) {
        gw_errorf("erp status: wharf.xml has no <erp id=\"%s\">", only);
        return GW_EXIT_USAGE;
    }
    if (a->json) {
        json_t *root = NULL;
        struct edi_err err;

        edi_err_clear(&err);
        if (gw_erp_status_json(&root, &held, c, only, &err) < 0) {
            gw_errorf("erp status: %s", err.msg);
            return GW_EXIT_USAGE;
        }
        json_dumpf(root, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(root);
        return GW_EXIT_OK;  /* as before: --json says what is held, it does not exit 1 for it */
    }
    if (c->cfg->nerps == 0)
        printf("no API ERP in %s: the file exchange (erp/out, erp/in) is the ERP link; see `wharf help erp`\n",
               c->cfg->path);
    for (i = 0; i < c->cfg->nerps; i++) {
        const struct gw_erp_conf *ec = &c->cfg->erps[i];
        struct gw_outbox_row *v = NULL;
        struct edi_err err;
        char prefix[96];
        size_t n = 0, counts[4] = {0};
        static const char *const names[4] = {"done", "pending", "failing", "held"};

        if (only && strcmp(only, ec->id) != 0)
            continue;
        snprintf(prefix, sizeof(prefix), "%s%s", GW_OUTBOX_ERP_API, ec->id);
        edi_err_clear(&err);
        if (gw_store_outbox_list(&v, &n, c->store, prefix, &err) < 0) {
            gw_errorf("erp status: %s", err.msg);
            return GW_EXIT_USAGE;
        }
        for (k = 0; k < n; k++)
            for (size_t s = 0; s < 4; s++)
                counts[s] += strcmp(gw_erp_message_state(&v[k]), names[s]) == 0;
        printf("%s (%s): %zu done, %zu pending, %zu failing, %zu held\n", ec->id, ec->kind, counts[0], counts[1],
               counts[2], counts[3]);
        for (k = 0; k < n; k++) {
            const char *st = gw_erp_message_state(&v[k]);
            char when[32];

            if (strcmp(st, "done") == 0)
                continue;
            gw_cli_when(when, sizeof(when), strcmp(st, "held") == 0 ? v[k].created : v[k].next_try);
            printf("  %-8s #%lld %s  %s %s", st, (long long)v[k].id, v[k].name ? v[k].name : "",
                   strcmp(st, "held") == 0 ? "queued" : "next try", when);
            if (v[k].attempts)
                printf(" (%d attempt%s)", v[k].attempts, v[k].attempts == 1 ? "" : "s");
            printf("\n");
            if (v[k].last_error)
                printf("           %s\n", v[k].last_error);
            if (strcmp(st, "held") == 0)
                rc = GW_EXIT_REJECTED;
        }
        if (counts[3])
            printf("  after fixing what a held message says (`wharf map codes` for a cross-reference): "
                   "`wharf erp retry #ID`\n");
        gw_outbox_rows_free(v, n);
    }
    return rc;
}

/* MESSAGE: #ID (or ID), or a message name (order:amazon-rp:PO), every
 * unsent message of that name. */
static int cmd_retry(struct gw_ctx *c, const struct args *a)
{
    const char *m = a->pos[1];
    struct gw_outbox_row *v = NULL;
    struct edi_err err;
    size_t n = 0, k, again = 0;
    char *end;
    long long id;

    if (m == NULL)
        return usage();
    edi_err_clear(&err);
    id = strtoll(m[0] == '#' ? m + 1 : m, &end, 10);
    if (*end == '\0' && end != (m[0] == '#' ? m + 1 : m)) {
        if (gw_store_outbox_retry(c->store, (int64_t)id, c->now, &err) < 0) {
            gw_errorf("erp retry: %s", err.msg);
            return err.rc == EDI_ENOTFOUND ? GW_EXIT_REJECTED : GW_EXIT_USAGE;
        }
        again = 1;
    } else {
        if (gw_store_outbox_list(&v, &n, c->store, GW_OUTBOX_ERP_API, &err) < 0) {
            gw_errorf("erp retry: %s", err.msg);
            return GW_EXIT_USAGE;
        }
        for (k = 0; k < n; k++)
            if (v[k].name && strcmp(v[k].name, m) == 0 && v[k].sent_at == 0 &&
                gw_store_outbox_retry(c->store, v[k].id, c->now, &err) == 0)
                again++;
        gw_outbox_rows_free(v, n);
        if (again == 0) {
            gw_errorf("erp retry: no unsent ERP message '%s' (see `wharf erp status`)", m);
            return GW_EXIT_REJECTED;
        }
    }
    gw_store_audit(c->store, "cli", "erp retry", m, NULL, c->now, &err);
    printf("%zu message%s due again: the next run pushes %s\n", again, again == 1 ? "" : "s",
           again == 1 ? "it" : "them");
    return GW_EXIT_OK;
}

static int open_erp(const struct gw_erp_type **t, struct gw_erp **e, struct gw_ctx *c, const char *id,
                    const char *cmd)
{
    struct edi_err err;
    char okind[96];

    if (id == NULL)
        return usage();
    if (gw_config_erp(c->cfg, id) == NULL) {
        gw_errorf("erp %s: wharf.xml has no <erp id=\"%s\">", cmd, id);
        return GW_EXIT_USAGE;
    }
    snprintf(okind, sizeof(okind), "%s%s", GW_OUTBOX_ERP_API, id);
    edi_err_clear(&err);
    if (gw_erp_open_outbox(t, e, c, okind, &err) < 0) {
        gw_errorf("erp %s: %s", cmd, err.msg);
        return gw_cli_exit(err.rc);
    }
    return 0;
}

static int cmd_check(struct gw_ctx *c, const struct args *a)
{
    const struct gw_erp_type *t;
    struct gw_erp *e;
    struct edi_buf report;
    struct edi_err err;
    int rc;

    if ((rc = open_erp(&t, &e, c, a->pos[1], "check")) != 0)
        return rc;
    edi_buf_init(&report, 0);
    edi_err_clear(&err);
    rc = t->check(e, &report, &err);
    fputs(edi_buf_cstr(&report), stdout);
    edi_buf_dispose(&report);
    t->close(e);
    if (rc < 0) {
        printf("not working: %s\n", err.msg);
        return gw_cli_exit(rc);
    }
    printf("working\n");
    return GW_EXIT_OK;
}

/* The value of name= in a redirected URL's query, in out. */
static void query_value(char *out, size_t cap, const char *url, const char *name)
{
    const char *q = strchr(url, '?'), *p;
    size_t n = strlen(name), i = 0;

    out[0] = '\0';
    for (p = q ? q + 1 : NULL; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            for (p += n + 1; *p && *p != '&' && *p != '#' && i + 1 < cap; p++) {
                if (*p == '%' && p[1] && p[2]) {
                    char hex[3] = {p[1], p[2], 0};

                    out[i++] = (char)strtol(hex, NULL, 16);
                    p += 2;
                } else {
                    out[i++] = *p == '+' ? ' ' : *p;
                }
            }
            out[i] = '\0';
            return;
        }
    }
}

static int cmd_connect(struct gw_ctx *c, const struct args *a)
{
    const char *redirect = a->redirect ? a->redirect : "https://localhost/wharf/callback";
    const struct gw_erp_type *t;
    struct gw_erp *e;
    struct edi_buf url;
    struct edi_err err;
    char line[8192], code[4096], realm[128], state[40], got_state[128];
    unsigned char rnd[16];
    FILE *ur;
    size_t i;
    int rc;

    if ((rc = open_erp(&t, &e, c, a->pos[1], "connect")) != 0)
        return rc;
    /* state ties the answer to this question (RFC 6749 10.12) */
    if ((ur = fopen("/dev/urandom", "rb")) == NULL || fread(rnd, 1, sizeof(rnd), ur) != sizeof(rnd)) {
        if (ur)
            fclose(ur);
        t->close(e);
        gw_errorf("erp connect: no random state");
        return GW_EXIT_INTERNAL;
    }
    fclose(ur);
    for (i = 0; i < sizeof(rnd); i++)
        snprintf(state + 2 * i, 3, "%02x", rnd[i]);
    edi_buf_init(&url, 0);
    edi_err_clear(&err);
    if ((rc = t->authorize(e, redirect, state, &url, &err)) < 0) {
        t->close(e);
        edi_buf_dispose(&url);
        gw_errorf("erp connect: %s", err.msg);
        return gw_cli_exit(rc);
    }
    fprintf(stderr,
            "1. Open this address in a browser and allow wharf access:\n\n  %s\n\n"
            "2. The browser then goes to %s?code=...: paste that whole address\n"
            "   (or the code alone) here and press Enter:\n",
            edi_buf_cstr(&url), redirect);
    edi_buf_dispose(&url);
    if (fgets(line, sizeof(line), stdin) == NULL) {
        t->close(e);
        gw_errorf("erp connect: no answer on standard input");
        return GW_EXIT_USAGE;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (strchr(line, '?')) {
        query_value(code, sizeof(code), line, "code");
        query_value(realm, sizeof(realm), line, "realmId");
        query_value(got_state, sizeof(got_state), line, "state");
        if (got_state[0] && strcmp(got_state, state) != 0) {
            t->close(e);
            explicit_bzero(line, sizeof(line));
            gw_errorf("erp connect: that address answers another request (its state differs): start again");
            return GW_EXIT_REJECTED;
        }
    } else {
        snprintf(code, sizeof(code), "%.4000s", line);
        realm[0] = '\0';
    }
    explicit_bzero(line, sizeof(line));
    if (code[0] == '\0') {
        t->close(e);
        gw_errorf("erp connect: no code in what was pasted");
        return GW_EXIT_REJECTED;
    }
    rc = t->connect(e, code, redirect, realm, &err);
    explicit_bzero(code, sizeof(code));
    t->close(e);
    if (rc < 0) {
        gw_errorf("erp connect: %s", err.msg);
        return gw_cli_exit(rc);
    }
    gw_store_audit(c->store, "cli", "erp connect", a->pos[1], NULL, c->now, &err);
    printf("connected: the tokens are sealed in the vault; `wharf erp check %s` tries them\n", a->pos[1]);
    return GW_EXIT_OK;
}

/* Every copy of token in s redacted (an ERP's error may echo the URL). */
static void scrub(char *s, const char *token)
{
    char *p;

    while (token && *token && (p = strstr(s, token)) != NULL)
        memset(p, '*', strlen(token));
}

/* BASE: https://HOST[:PORT][/PATH], or http:// to a loopback host (tests,
 * a TLS proxy on this host); no query, no fragment, no user. */
static int base_ok(const char *b)
{
    const char *host = strncmp(b, "https://", 8) == 0 ? b + 8 : strncmp(b, "http://", 7) == 0 ? b + 7 : NULL;

    if (host == NULL || *host == '\0' || *host == '/' || strpbrk(b, "?#@ \t\r\n\"\\") != NULL)
        return 0;
    if (b[4] == 's')
        return 1;
    return strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) == 0 || strncmp(host, "[::1]", 5) == 0;
}

static int cmd_webhooks(struct gw_ctx *c, const struct args *a)
{
    const char *id = a->pos[1];
    const struct gw_erp_type *t;
    struct gw_erp *e;
    struct gw_vault *v = NULL;
    struct gw_secret *tok = NULL;
    struct edi_buf url, shown, report;
    struct edi_err err;
    char key[4200], *line, *save = NULL;
    json_t *list = json_array();
    size_t n;
    int rc;

    if (id == NULL || (a->url == NULL) == !a->remove || (a->remove && a->new_token)) {
        json_decref(list);
        return usage();
    }
    if (gw_config_erp(c->cfg, id) && !gw_hooks_takes(gw_config_erp(c->cfg, id))) {
        gw_errorf("erp webhooks: wharf takes no webhooks from %s (%s): its pulls run at their schedule",
                  gw_config_erp(c->cfg, id)->kind, id);
        json_decref(list);
        return GW_EXIT_USAGE;
    }
    if (a->url && !base_ok(a->url)) {
        gw_errorf("erp webhooks: --url '%s' is not https://HOST[:PORT][/PATH], the address at which the ERP "
                  "reaches `wharf serve` (http:// only to this host)", a->url);
        json_decref(list);
        return GW_EXIT_USAGE;
    }
    if ((rc = open_erp(&t, &e, c, id, "webhooks")) != 0) {
        json_decref(list);
        return rc;
    }
    edi_buf_init(&url, 0);
    edi_buf_init(&shown, 0);
    edi_buf_init(&report, 0);
    edi_err_clear(&err);
    if (!a->remove) {
        /* the token: the vault's, made when there is none (or --new-token) */
        if ((rc = gw_vault_key_path(key, sizeof(key), c->cfg->workspace, &err)) < 0 ||
            (rc = gw_vault_open(&v, c->store, key, &err)) < 0 ||
            (rc = gw_hooks_token(&tok, v, id, 1, a->new_token, c->now, &err)) < 0)
            goto out;
        for (n = strlen(a->url); n > 0 && a->url[n - 1] == '/'; n--)
            ;
        edi_buf_printf(&url, "%.*s%s%s/", (int)n, a->url, GW_HOOKS_PREFIX, id);
        edi_buf_puts(&shown, edi_buf_cstr(&url));
        edi_buf_printf(&url, "%s", tok->p);
        edi_buf_printf(&shown, "%.4s…", tok->p);
    }
    rc = t->webhooks(e, a->remove ? "" : edi_buf_cstr(&url), a->remove, &report, &err);
out:
    scrub(err.msg, tok ? tok->p : NULL);
    if (url.p)
        explicit_bzero(url.p, url.cap);
    edi_buf_dispose(&url);
    gw_secret_free(tok);
    gw_vault_close(v);
    t->close(e);
    for (line = strtok_r(report.p ? report.p : (char *)"", "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char act[16] = "", ev[96] = "", wid[32] = "";
        const char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

        if (sp1 == NULL || sp2 == NULL)
            continue;
        snprintf(act, sizeof(act), "%.*s", (int)(sp1 - line), line);
        snprintf(ev, sizeof(ev), "%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
        snprintf(wid, sizeof(wid), "%s", sp2 + 1);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "action", act, "event", ev, "webhook", wid));
        if (!a->json)
            printf("%-10s %-34s (webhook %s)\n", act, ev, wid);
    }
    if (rc == 0 && a->json) {
        json_t *root = json_pack("{s:s, s:s?, s:o}", "erp", id, "url", a->remove ? NULL : edi_buf_cstr(&shown),
                                 "webhooks", list);

        json_dumpf(root, stdout, JSON_INDENT(2));
        printf("\n");
        json_decref(root);
        list = NULL;
    } else if (rc == 0) {
        if (a->remove)
            printf("%s: no webhooks of wharf's left; its pulls run at their schedule\n", id);
        else
            printf("%s: the ERP calls %s (the token is in the vault; `wharf serve` must be reachable there)\n",
                   id, edi_buf_cstr(&shown));
    }
    json_decref(list);
    edi_buf_dispose(&shown);
    edi_buf_dispose(&report);
    if (rc < 0) {
        gw_errorf("erp webhooks: %s", err.msg);
        return gw_cli_exit(rc);
    }
    gw_store_audit(c->store, "cli", a->remove ? "erp webhooks remove" : "erp webhooks", id, NULL, c->now, &err);
    return GW_EXIT_OK;
}

int gw_cmd_erp(int argc, char **argv)
{
    struct args a;
    struct gw_ctx c;
    int rc;

    if ((rc = parse(&a, argc, argv)) != 0)
        return rc;
    if (a.npos == 0)
        return usage();
    if (strcmp(a.pos[0], "status") != 0 && strcmp(a.pos[0], "retry") != 0 && strcmp(a.pos[0], "check") != 0 &&
        strcmp(a.pos[0], "connect") != 0 && strcmp(a.pos[0], "webhooks") != 0)
        return usage();
    if ((rc = gw_cli_ctx_open(&c, a.workspace)) != 0)
        return rc;
    if (strcmp(a.pos[0], "status") == 0)
        rc = cmd_status(&c, &a);
    else if (strcmp(a.pos[0], "retry") == 0)
        rc = cmd_retry(&c, &a);
    else if (strcmp(a.pos[0], "check") == 0)
        rc = cmd_check(&c, &a);
    else if (strcmp(a.pos[0], "webhooks") == 0)
        rc = cmd_webhooks(&c, &a);
    else
        rc = cmd_connect(&c, &a);
    gw_ctx_close(&c);
    return rc;
}
