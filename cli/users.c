/*
 * users.c — `wharf users add|passwd|remove|list|token`: who may use the
 * HTTP API (gateway/api/api.h). A password comes in on standard input,
 * one line, never on the command line; the store keeps its argon2id hash
 * (gateway/secret/pw.h). An API token is printed once, when it is made:
 * the store keeps only its digest.
 */
#include "cli/cli.h"
#include "gateway/core/config.h"
#include "gateway/secret/pw.h"
#include "gateway/secret/vault.h"
#include "gateway/store/store.h"

#include <jansson.h>

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int usage(void)
{
    gw_errorf("users: usage: wharf users add NAME --role viewer|operator | passwd NAME | remove NAME | "
              "list [--json] | token NAME [-w DIR]; see `wharf help users`");
    return GW_EXIT_USAGE;
}

/* 1 when name may be a user's: 1 to 64 letters, digits, '.', '_', '-', '@'. */
static int name_ok(const char *name)
{
    size_t i, n = strlen(name);

    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++) {
        char ch = name[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-' || ch == '@'))
            return 0;
    }
    return 1;
}

/* The password on standard input (one line; not echoed on a terminal),
 * checked and hashed into hash. 0, or the exit status after saying why. */
static int read_password(char *hash, const char *sub)
{
    struct gw_secret *pw = NULL;
    struct termios old, quiet;
    struct edi_err err;
    int tty = isatty(STDIN_FILENO), rc;

    edi_err_clear(&err);
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fprintf(stderr, "password: ");
        fflush(stderr);
    } else
        tty = 0;
    rc = gw_secret_read(&pw, STDIN_FILENO, 1, &err);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (rc == EDI_ESYNTAX) {
        gw_errorf("users %s: the password is empty: give it on standard input, one line", sub);
        return GW_EXIT_USAGE;
    }
    if (rc < 0) {
        gw_errorf("users %s: %s", sub, err.msg);
        return GW_EXIT_USAGE;
    }
    if ((rc = gw_pw_check(pw->p, pw->n, &err)) == 0)
        rc = gw_pw_hash(hash, pw->p, pw->n, &err);
    gw_secret_free(pw);
    if (rc < 0) {
        gw_errorf("users %s: %s; nothing was changed", sub, err.msg);
        return rc == EDI_ESYNTAX ? GW_EXIT_USAGE : GW_EXIT_TEMPFAIL;
    }
    return 0;
}

int gw_cmd_users(int argc, char **argv)
{
    const char *workspace = NULL, *role = NULL, *name = NULL, *sub;
    struct gw_config *cfg = NULL;
    struct gw_store *s = NULL;
    struct gw_user *u = NULL;
    struct edi_err err;
    char hash[GW_PWHASH_MAX];
    int i, json = 0, rc;

    if (argc < 2)
        return usage();
    sub = argv[1];
    if (strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "remove") && strcmp(sub, "list") &&
        strcmp(sub, "token"))
        return usage();
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];

        if ((strcmp(a, "-w") == 0 || strcmp(a, "--workspace") == 0) && i + 1 < argc)
            workspace = argv[++i];
        else if (strcmp(a, "--role") == 0 && i + 1 < argc && strcmp(sub, "add") == 0)
            role = argv[++i];
        else if (strcmp(a, "--json") == 0 && strcmp(sub, "list") == 0)
            json = 1;
        else if (a[0] == '-' && a[1] != '\0') {
            gw_errorf("users %s: unknown option '%.*s' (or it needs a value); see `wharf help users`", sub,
                      (int)strcspn(a, "="), a);
            return GW_EXIT_USAGE;
        } else if (name == NULL && strcmp(sub, "list") != 0)
            name = a;
        else {
            gw_errorf("users %s: '%s' is extra", sub, a);
            return GW_EXIT_USAGE;
        }
    }
    if (strcmp(sub, "list") != 0 && name == NULL) {
        gw_errorf("users %s: which user? see `wharf help users`", sub);
        return GW_EXIT_USAGE;
    }
    if (name && !name_ok(name)) {
        gw_errorf("users %s: '%s' is not a user name: 1 to 64 letters, digits, '.', '_', '-' or '@'", sub, name);
        return GW_EXIT_USAGE;
    }
    if (strcmp(sub, "add") == 0 && (role == NULL || (strcmp(role, "viewer") && strcmp(role, "operator")))) {
        gw_errorf("users add: --role %s%s%sis one of: viewer, operator", role ? "'" : "", role ? role : "",
                  role ? "' is not one of: viewer, operator; it " : "");
        return GW_EXIT_USAGE;
    }
    /* the password first: a refused one costs no store */
    if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) && (rc = read_password(hash, sub)) != 0)
        return rc;
    if ((rc = gw_cli_open_ws(&cfg, &s, gw_workspace(workspace))) != 0)
        return rc;
    edi_err_clear(&err);
    time_t now = gw_now();

    if (strcmp(sub, "add") == 0) {
        if ((rc = gw_store_user_add(s, name, role, hash, now, &err)) == 0)
            printf("user %s added (%s)\n", name, role);
    } else if (strcmp(sub, "list") == 0) {
        size_t n = 0, k;

        if ((rc = gw_store_users(&u, &n, s, &err)) == 0) {
            json_t *a = json_array();

            for (k = 0; k < n; k++) {
                char t[32];

                if (json) {
                    json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "name", u[k].name, "role",
                                                       u[k].role, "created", (json_int_t)u[k].created,
                                                       "updated", (json_int_t)u[k].updated));
                    continue;
                }
                if (k == 0)
                    printf("%-24s %-9s %s\n", "name", "role", "updated");
                gw_cli_when(t, sizeof(t), u[k].updated);
                printf("%-24s %-9s %s\n", u[k].name, u[k].role, t);
            }
            if (json) {
                json_dumpf(a, stdout, JSON_INDENT(2));
                fputc('\n', stdout);
            } else if (n == 0)
                printf("no users (`wharf users add NAME --role viewer|operator`)\n");
            json_decref(a);
            gw_users_free(u, n);
            u = NULL;
        }
    } else if ((rc = gw_store_user_get(&u, s, name, &err)) == 0) {
        if (strcmp(sub, "passwd") == 0) {
            if ((rc = gw_store_user_passwd(s, u->id, hash, now, &err)) == 0)
                printf("user %s: password changed; their sessions ended\n", name);
        } else if (strcmp(sub, "remove") == 0) {
            if ((rc = gw_store_user_delete(s, u->id, &err)) == 0)
                printf("user %s removed, with their tokens and sessions\n", name);
        } else {
            char token[GW_TOKEN_HEX], digest[GW_DIGEST_HEX];

            gw_pw_token(token);
            gw_pw_digest(digest, token, strlen(token));
            if ((rc = gw_store_token_add(s, u->id, digest, now, &err)) == 0) {
                /* shown this once: the store keeps only its digest */
                printf("%s\n", token);
                fprintf(stderr, "wharf: a new API token for %s (%s), shown once: send it as "
                                "'Authorization: Bearer TOKEN'\n", name, u->role);
            }
        }
    }
    gw_users_free(u, 1);
    gw_store_close(s);
    gw_config_free(cfg);
    if (rc < 0) {
        gw_errorf("users %s: %s", sub, err.msg);
        return rc == EDI_ENOTFOUND || rc == EDI_ESYNTAX ? GW_EXIT_REJECTED : GW_EXIT_TEMPFAIL;
    }
    return GW_EXIT_OK;
}
