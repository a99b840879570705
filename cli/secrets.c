/*
 * secrets.c — `wharf secrets set|list|rotate|delete`: the operator's side of
 * the secrets vault (gateway/secret/vault.h). A value comes in on standard
 * input only (never the command line, which other users see and shells
 * keep), and no command prints one: there is no command that reads a value
 * back; the gateway reads them where it needs them.
 *
 * Partner ids are wharf.xml's, an API ERP's <erp id> for its secrets, plus
 * "erp" for the file exchange's.
 * The sealing, the key file and rotation are vault.c's.
 */
#include "cli/cli.h"
#include "gateway/core/config.h"
#include "gateway/secret/vault.h"
#include "gateway/store/store.h"

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* The partner id of the ERP's secrets (wharf.xml has one ERP, no id). */
#define ERP_PARTNER "erp"

struct args {
    const char *workspace;
    int json;
    const char *pos[3];
    int npos;
};

static int usage(const char *sub)
{
    gw_errorf("secrets%s%s: usage: wharf secrets set PARTNER NAME | list [PARTNER] [--json] | rotate | "
              "delete PARTNER NAME [-w DIR]; see `wharf help secrets`",
              sub ? " " : "", sub ? sub : "");
    return GW_EXIT_USAGE;
}

/* -w DIR, --json and up to 3 words. An unknown option is named up to any
 * '=' only: `--value=...` must not echo the value. */
static int parse(struct args *a, int argc, char **argv, const char *sub)
{
    int i;

    memset(a, 0, sizeof(*a));
    for (i = 0; i < argc; i++) {
        const char *s = argv[i];

        if ((strcmp(s, "-w") == 0 || strcmp(s, "--workspace") == 0) && i + 1 < argc)
            a->workspace = argv[++i];
        else if (strcmp(s, "--json") == 0)
            a->json = 1;
        else if (s[0] == '-' && s[1] != '\0') {
            gw_errorf("secrets %s: unknown option '%.*s'; see `wharf help secrets`", sub, (int)strcspn(s, "="), s);
            return GW_EXIT_USAGE;
        } else {
            if (a->npos < 3)
                a->pos[a->npos] = s;
            a->npos++;          /* too many: the caller says so, without echoing them */
        }
    }
    a->workspace = gw_workspace(a->workspace);
    return 0;
}

/* The vault. A workspace made before the vault has no key: while no
 * secret is kept, `set` (create 1) makes one; the others say so (*none 1
 * when that is all that is wrong). */
static int open_vault(struct gw_vault **v, int *none, struct gw_store *s, const char *ws, int create)
{
    char key[4096];
    struct edi_err err;
    struct stat st;
    int64_t n = 0;
    int rc, lo, hi, created = 0;

    *v = NULL;
    *none = 0;
    edi_err_clear(&err);
    if (gw_vault_key_path(key, sizeof(key), ws, &err) < 0) {
        gw_errorf("secrets: %s", err.msg);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_vault_open(v, s, key, &err)) == 0)
        return 0;
    if (rc == EDI_ECONFIG && lstat(key, &st) != 0 && errno == ENOENT &&
        gw_store_secret_versions(&lo, &hi, &n, s, NULL) == 0 && n == 0) {
        if (!create) {
            *none = 1;
            return GW_EXIT_USAGE;
        }
        if ((rc = gw_vault_create_key(key, &created, &err)) == 0 && (rc = gw_vault_open(v, s, key, &err)) == 0) {
            if (created)
                fprintf(stderr, "wharf: secrets: created the master key %s (0600): back it up apart from the "
                                "store; without it no secret opens\n",
                        key);
            return 0;
        }
    }
    gw_errorf("secrets: %s", err.msg);
    return gw_cli_exit(rc);
}

/* PARTNER must be one of wharf.xml's, or "erp". */
static int partner_known(const struct gw_config *cfg, const char *id)
{
    char list[400];
    size_t i, used = 0;

    if (strcmp(id, ERP_PARTNER) == 0 || gw_config_partner(cfg, id) != NULL || gw_config_erp(cfg, id) != NULL)
        return 0;
    list[0] = '\0';
    for (i = 0; i < cfg->npartners && used < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s, ", cfg->partners[i].id);
    for (i = 0; i < cfg->nerps && used < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s, ", cfg->erps[i].id);
    gw_errorf("secrets set: no partner '%s' in %s (partners: %s" ERP_PARTNER " for the ERP's secrets)", id, cfg->path,
              list);
    return GW_EXIT_REJECTED;
}

/* The value from standard input; a terminal is asked for one line, not
 * echoed. */
static int read_value(struct gw_secret **out, const char *partner, const char *name)
{
    struct termios old, quiet;
    struct edi_err err;
    int tty = isatty(STDIN_FILENO), rc;

    edi_err_clear(&err);
    if (tty) {
        if (tcgetattr(STDIN_FILENO, &old) != 0)
            tty = 0;
        else {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
            fprintf(stderr, "value of %s of %s (not shown; Enter ends it): ", name, partner);
            fflush(stderr);
        }
    }
    rc = gw_secret_read(out, STDIN_FILENO, tty, &err);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (rc < 0) {
        if (rc == EDI_ESYNTAX)
            gw_errorf("secrets set: the value on standard input is empty; nothing was set "
                      "(printf %%s \"$VALUE\" | wharf secrets set %s %s)",
                      partner, name);
        else
            gw_errorf("secrets set: %s; nothing was set", err.msg);
        return gw_cli_exit(rc);
    }
    return 0;
}

static void audit(struct gw_store *s, const char *action, const char *partner, const char *name, const char *detail)
{
    char subject[300];
    struct edi_err err;

    snprintf(subject, sizeof(subject), "%s %s", partner ? partner : "*", name ? name : "*");
    edi_err_clear(&err);
    if (gw_store_audit(s, "cli", action, subject, detail, gw_now(), &err) < 0)
        gw_errorf("secrets: not in the audit: %s", err.msg);
}

static int cmd_set(struct gw_store *s, const struct gw_config *cfg, const struct args *a, const char *ws)
{
    struct gw_vault *v = NULL;
    struct gw_secret *val = NULL;
    struct edi_err err;
    int rc, none;

    if ((rc = partner_known(cfg, a->pos[1])) != 0)
        return rc;
    if ((rc = read_value(&val, a->pos[1], a->pos[2])) != 0)
        return rc;
    if ((rc = open_vault(&v, &none, s, ws, 1)) != 0)
        goto out;
    edi_err_clear(&err);
    if ((rc = gw_vault_set(v, a->pos[1], a->pos[2], val->p, val->n, gw_now(), &err)) < 0) {
        gw_errorf("secrets set: %s", err.msg);
        rc = gw_cli_exit(rc);
        goto out;
    }
    audit(s, "secret-set", a->pos[1], a->pos[2], NULL);
    printf("secret %s of %s set\n", a->pos[2], a->pos[1]);
out:
    gw_secret_free(val);
    gw_vault_close(v);
    return rc;
}

static int cmd_list(struct gw_store *s, const struct args *a, const char *ws)
{
    struct gw_vault *v = NULL;
    struct gw_secret_info *l = NULL;
    struct edi_err err;
    size_t n = 0, i;
    int rc, none;

    if ((rc = open_vault(&v, &none, s, ws, 0)) != 0 && !none)
        return rc;
    edi_err_clear(&err);
    /* no key and no secret: an empty list */
    if (v != NULL && (rc = gw_vault_list(v, a->npos > 1 ? a->pos[1] : NULL, &l, &n, &err)) < 0) {
        gw_errorf("secrets list: %s", err.msg);
        gw_vault_close(v);
        return gw_cli_exit(rc);
    }
    if (a->json) {
        json_t *arr = json_array();

        for (i = 0; i < n; i++) {
            json_t *j = json_object();

            json_object_set_new(j, "partner", json_string(l[i].partner));
            json_object_set_new(j, "name", json_string(l[i].name));
            json_object_set_new(j, "key_version", json_integer(l[i].key_version));
            json_object_set_new(j, "created", json_integer((json_int_t)l[i].created));
            json_object_set_new(j, "updated", json_integer((json_int_t)l[i].updated));
            json_array_append_new(arr, j);
        }
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
    } else {
        printf("%-16s %-32s %-4s %-16s  %s\n", "partner", "name", "key", "created", "updated");
        for (i = 0; i < n; i++) {
            char c[32], u[32];

            gw_cli_when(c, sizeof(c), l[i].created);
            gw_cli_when(u, sizeof(u), l[i].updated);
            printf("%-16s %-32s %-4d %-16s  %s\n", l[i].partner, l[i].name, l[i].key_version, c, u);
        }
    }
    gw_secret_info_free(l, n);
    gw_vault_close(v);
    return GW_EXIT_OK;
}

static int cmd_rotate(struct gw_store *s, const char *ws)
{
    struct gw_vault *v = NULL;
    struct edi_err err;
    char detail[64];
    size_t n = 0;
    int rc, none;

    if ((rc = open_vault(&v, &none, s, ws, 0)) != 0) {
        if (none)
            gw_errorf("secrets rotate: no master key and no secrets yet: nothing to rotate "
                      "(`wharf secrets set` creates the key)");
        return rc;
    }
    edi_err_clear(&err);
    if ((rc = gw_vault_rotate(&n, v, gw_now(), &err)) < 0) {
        gw_errorf("secrets rotate: %s", err.msg);
        gw_vault_close(v);
        return gw_cli_exit(rc);
    }
    snprintf(detail, sizeof(detail), "%zu re-sealed", n);
    audit(s, "secrets-rotate", NULL, NULL, detail);
    printf("rotated the master key: %zu secret%s re-sealed\n", n, n == 1 ? "" : "s");
    gw_vault_close(v);
    return GW_EXIT_OK;
}

static int cmd_delete(struct gw_store *s, const struct args *a, const char *ws)
{
    struct gw_vault *v = NULL;
    struct edi_err err;
    int rc, none;

    if ((rc = open_vault(&v, &none, s, ws, 0)) != 0) {
        if (none) {
            gw_errorf("secrets delete: no secret %s of %s (no secrets at all)", a->pos[2], a->pos[1]);
            return GW_EXIT_REJECTED;
        }
        return rc;
    }
    edi_err_clear(&err);
    if ((rc = gw_vault_delete(v, a->pos[1], a->pos[2], &err)) < 0) {
        gw_errorf("secrets delete: %s", err.msg);
        gw_vault_close(v);
        return gw_cli_exit(rc);
    }
    audit(s, "secret-delete", a->pos[1], a->pos[2], NULL);
    printf("secret %s of %s deleted\n", a->pos[2], a->pos[1]);
    gw_vault_close(v);
    return GW_EXIT_OK;
}

int gw_cmd_secrets(int argc, char **argv)
{
    struct gw_config *cfg = NULL;
    struct gw_store *s = NULL;
    struct args a;
    const char *sub;
    int rc, want_min, want_max;

    if (argc < 2)
        return usage(NULL);
    sub = argv[1];
    if (strcmp(sub, "set") == 0 || strcmp(sub, "delete") == 0)
        want_min = want_max = 3;
    else if (strcmp(sub, "list") == 0)
        want_min = 1, want_max = 2;
    else if (strcmp(sub, "rotate") == 0)
        want_min = want_max = 1;
    else {
        gw_errorf("secrets: unknown subcommand '%s'; see `wharf help secrets`", sub);
        return GW_EXIT_USAGE;
    }
    if ((rc = parse(&a, argc - 1, argv + 1, sub)) != 0)
        return rc;
    if (a.npos < want_min || a.npos > want_max) {
        /* never the extra words: a value typed on the command line */
        if (strcmp(sub, "set") == 0 && a.npos > want_max)
            gw_errorf("secrets set: takes PARTNER NAME only: the value is read from standard input, never "
                      "from the command line (printf %%s \"$VALUE\" | wharf secrets set PARTNER NAME)");
        else
            usage(sub);
        return GW_EXIT_USAGE;
    }
    if (a.json && strcmp(sub, "list") != 0) {
        gw_errorf("secrets %s: --json is for list only", sub);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_cli_open_ws(&cfg, &s, a.workspace)) != 0)
        return rc;
    if (strcmp(sub, "set") == 0)
        rc = cmd_set(s, cfg, &a, a.workspace);
    else if (strcmp(sub, "list") == 0)
        rc = cmd_list(s, &a, a.workspace);
    else if (strcmp(sub, "rotate") == 0)
        rc = cmd_rotate(s, a.workspace);
    else
        rc = cmd_delete(s, &a, a.workspace);
    gw_store_close(s);
    gw_config_free(cfg);
    return rc;
}
