/*
 * certs.c — `wharf certs`: the AS2 certificates of each partnership
 * (transport/as2.h): ours (key in the vault, certificate in
 * WORKSPACE/certs/) and the partner's (partner-cert), each in the slots
 * current, next and old.
 *
 *   new PARTNER [--days N]       our key and self-signed certificate: current
 *                                when there is none, else next (rotation)
 *   export PARTNER [--next]      our certificate, PEM, on standard output
 *   import PARTNER FILE [--now]  the partner's certificate: current when
 *                                there is none (or --now), else next
 *   switch PARTNER ours|partner  next becomes current, current becomes old
 *   list [PARTNER] [--json]      both sides: slot, subject, fingerprint,
 *                                expiry, and a warning within 30 days
 */
#include "cli/cli.h"
#include "gateway/core/fileio.h"
#include "gateway/secret/vault.h"
#include "gateway/transport/as2.h"

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct args {
    const char *workspace;
    int json, next, now, days;
    const char *pos[3];
    int npos;
};

static int usage(void)
{
    gw_errorf("certs: usage: wharf certs new PARTNER [--days N] | export PARTNER [--next] | import PARTNER FILE "
              "[--now] | switch PARTNER ours|partner | list [PARTNER] [--json] [-w DIR]; see `wharf help certs`");
    return GW_EXIT_USAGE;
}

static int parse(struct args *a, int argc, char **argv)
{
    int i;

    memset(a, 0, sizeof(*a));
    a->days = 730;
    for (i = 0; i < argc; i++) {
        const char *s = argv[i];

        if ((strcmp(s, "-w") == 0 || strcmp(s, "--workspace") == 0) && i + 1 < argc)
            a->workspace = argv[++i];
        else if (strcmp(s, "--json") == 0)
            a->json = 1;
        else if (strcmp(s, "--next") == 0)
            a->next = 1;
        else if (strcmp(s, "--now") == 0)
            a->now = 1;
        else if (strcmp(s, "--days") == 0 && i + 1 < argc) {
            char *end;
            long d = strtol(argv[++i], &end, 10);

            if (*end != '\0' || d < 1 || d > 3650) {
                gw_errorf("certs: --days '%s' is not 1 to 3650", argv[i]);
                return GW_EXIT_USAGE;
            }
            a->days = (int)d;
        } else if (s[0] == '-' && s[1] != '\0') {
            gw_errorf("certs: unknown option '%.*s'; see `wharf help certs`", (int)strcspn(s, "="), s);
            return GW_EXIT_USAGE;
        } else if (a->npos < 3)
            a->pos[a->npos++] = s;
        else
            return usage();
    }
    a->workspace = gw_workspace(a->workspace);
    return 0;
}

static const struct gw_partner *as2_partner(const struct gw_config *cfg, const char *id)
{
    const struct gw_partner *p = gw_config_partner(cfg, id);

    if (p == NULL) {
        gw_errorf("certs: no partner '%s' in wharf.xml", id);
        return NULL;
    }
    if (strcmp(p->transport, "as2") != 0) {
        gw_errorf("certs: partner %s does not use AS2 (<transport kind=\"%s\">)", id, p->transport);
        return NULL;
    }
    return p;
}

static int open_vault(struct gw_vault **v, struct gw_store *s, const char *ws, int create)
{
    char key[4096];
    struct edi_err err;
    int created = 0, rc;

    edi_err_clear(&err);
    if ((rc = gw_vault_key_path(key, sizeof(key), ws, &err)) == 0 && create)
        rc = gw_vault_create_key(key, &created, &err);
    if (rc == 0)
        rc = gw_vault_open(v, s, key, &err);
    if (rc < 0) {
        gw_errorf("certs: the vault: %s", err.msg);
        return gw_cli_exit(rc);
    }
    return 0;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static int cmd_new(struct gw_config *cfg, struct gw_store *s, const struct args *a)
{
    const struct gw_partner *p = as2_partner(cfg, a->pos[1]);
    struct gw_vault *v = NULL;
    struct gw_secret *sec = NULL;
    struct edi_buf key, cert, both;
    struct edi_err err;
    enum gw_as2_slot slot = GW_AS2_CURRENT;
    char path[4400], dir[4200];
    int rc;

    if (p == NULL)
        return GW_EXIT_USAGE;
    if ((rc = open_vault(&v, s, cfg->workspace, 1)) != 0)
        return rc;
    edi_err_clear(&err);
    for (;; slot++) {
        if (slot > GW_AS2_NEXT) {
            gw_vault_close(v);
            gw_errorf("certs new: %s has a current and a next key already: `wharf certs switch %s ours` once the "
                      "partner has the next certificate", p->id, p->id);
            return GW_EXIT_USAGE;
        }
        rc = gw_vault_get(v, p->id, gw_as2_key_secret(slot), &sec, &err);
        if (rc == EDI_ENOTFOUND)
            break;
        gw_secret_free(sec);
        sec = NULL;
        if (rc < 0) {
            gw_vault_close(v);
            gw_errorf("certs new: %s", err.msg);
            return gw_cli_exit(rc);
        }
    }
    edi_buf_init(&key, 0);
    edi_buf_init(&cert, 0);
    edi_buf_init(&both, 0);
    edi_err_clear(&err);
    if ((rc = gw_cms_keygen(&key, &cert, p->as2.our_as2_id, 2048, a->days, gw_now(), &err)) == 0) {
        edi_buf_put(&both, key.p, key.n);
        edi_buf_put(&both, cert.p, cert.n);
        snprintf(dir, sizeof(dir), "%s/certs", cfg->workspace);
        mkdir(dir, 0755);
        if ((rc = gw_as2_cert_path(path, sizeof(path), cfg, p, 1, slot, &err)) == 0 &&
            (rc = gw_write_file(path, cert.p, cert.n, &err)) == 0)
            rc = gw_vault_set(v, p->id, gw_as2_key_secret(slot), both.p, both.n, gw_now(), &err);
    }
    /* the key's bytes are not left in freed memory */
    if (key.p)
        memset(key.p, 0, key.n);
    if (both.p)
        memset(both.p, 0, both.n);
    edi_buf_dispose(&key);
    edi_buf_dispose(&both);
    edi_buf_dispose(&cert);
    gw_vault_close(v);
    if (rc < 0) {
        gw_errorf("certs new: %s", err.msg);
        return gw_cli_exit(rc);
    }
    gw_store_audit(s, "cli", "as2-cert-new", p->id, gw_as2_slot_name(slot), gw_now(), &err);
    printf("%s: our %s AS2 key (vault secret %s) and certificate %s (CN=%s, %d days)\n", p->id,
           gw_as2_slot_name(slot), gw_as2_key_secret(slot), path, p->as2.our_as2_id, a->days);
    if (slot == GW_AS2_NEXT)
        printf("send it to the partner (wharf certs export %s --next); it decrypts already; once the partner uses "
               "it: wharf certs switch %s ours\n", p->id, p->id);
    else
        printf("send it to the partner: wharf certs export %s > %s.pem\n", p->id, p->as2.our_as2_id);
    return GW_EXIT_OK;
}

static int cmd_export(struct gw_config *cfg, const struct args *a)
{
    const struct gw_partner *p = as2_partner(cfg, a->pos[1]);
    char path[4400], *data;
    size_t n;

    if (p == NULL)
        return GW_EXIT_USAGE;
    gw_as2_cert_path(path, sizeof(path), cfg, p, 1, a->next ? GW_AS2_NEXT : GW_AS2_CURRENT, NULL);
    if (edi_read_file(&data, &n, path, NULL) < 0) {
        gw_errorf("certs export: %s has no %s certificate of ours (%s): `wharf certs new %s`", p->id,
                  a->next ? "next" : "current", path, p->id);
        return GW_EXIT_USAGE;
    }
    fwrite(data, 1, n, stdout);
    free(data);
    return GW_EXIT_OK;
}

static int cmd_import(struct gw_config *cfg, struct gw_store *s, const struct args *a)
{
    const struct gw_partner *p = as2_partner(cfg, a->pos[1]);
    struct gw_cms_cert *c = NULL;
    struct gw_cms_cert_info ci;
    struct edi_buf pem;
    struct edi_err err;
    char cur[4400], dst[4400], old[4400], *data, dir[4400];
    enum gw_as2_slot slot;
    size_t n;
    int rc;

    if (p == NULL)
        return GW_EXIT_USAGE;
    edi_err_clear(&err);
    if (edi_read_file(&data, &n, a->pos[2], &err) < 0) {
        gw_errorf("certs import: %s", err.msg);
        return GW_EXIT_USAGE;
    }
    rc = gw_cms_cert_new(&c, data, n, &err);
    free(data);
    if (rc < 0 || gw_cms_cert_info(&ci, c, &err) < 0) {
        gw_cms_cert_free(c);
        gw_errorf("certs import: %s is not a certificate (PEM or DER): %s", a->pos[2], err.msg);
        return GW_EXIT_USAGE;
    }
    gw_as2_cert_path(cur, sizeof(cur), cfg, p, 0, GW_AS2_CURRENT, NULL);
    slot = !file_exists(cur) || a->now ? GW_AS2_CURRENT : GW_AS2_NEXT;
    gw_as2_cert_path(dst, sizeof(dst), cfg, p, 0, slot, NULL);
    snprintf(dir, sizeof(dir), "%s", dst);
    if (strrchr(dir, '/'))
        *strrchr(dir, '/') = '\0';
    mkdir(dir, 0755);
    if (slot == GW_AS2_CURRENT && file_exists(cur)) {
        gw_as2_cert_path(old, sizeof(old), cfg, p, 0, GW_AS2_OLD, NULL);
        if (rename(cur, old) != 0) {
            gw_cms_cert_free(c);
            gw_errorf("certs import: cannot keep %s as %s: %s", cur, old, strerror(errno));
            return GW_EXIT_USAGE;
        }
    }
    edi_buf_init(&pem, 0);
    if ((rc = gw_cms_cert_pem(&pem, c, &err)) == 0)
        rc = gw_write_file(dst, pem.p, pem.n, &err);
    edi_buf_dispose(&pem);
    gw_cms_cert_free(c);
    if (rc < 0) {
        gw_errorf("certs import: %s", err.msg);
        return gw_cli_exit(rc);
    }
    gw_store_audit(s, "cli", "as2-cert-import", p->id, ci.sha256, gw_now(), &err);
    printf("%s: the partner's %s certificate is %s (%s, SHA-256 %s)\n", p->id, gw_as2_slot_name(slot), dst,
           ci.subject, ci.sha256);
    if (slot == GW_AS2_NEXT)
        printf("it verifies the partner's signatures already; what wharf encrypts goes to the current one until "
               "`wharf certs switch %s partner` (at the time agreed with the partner)\n", p->id);
    return GW_EXIT_OK;
}

/* next → current → old, for files and (ours) the vault's keys. */
static int cmd_switch(struct gw_config *cfg, struct gw_store *s, const struct args *a)
{
    const struct gw_partner *p = as2_partner(cfg, a->pos[1]);
    char cur[4400], next[4400], old[4400];
    struct edi_err err;
    int ours, rc;

    if (p == NULL)
        return GW_EXIT_USAGE;
    if (strcmp(a->pos[2], "ours") != 0 && strcmp(a->pos[2], "partner") != 0)
        return usage();
    ours = strcmp(a->pos[2], "ours") == 0;
    gw_as2_cert_path(cur, sizeof(cur), cfg, p, ours, GW_AS2_CURRENT, NULL);
    gw_as2_cert_path(next, sizeof(next), cfg, p, ours, GW_AS2_NEXT, NULL);
    gw_as2_cert_path(old, sizeof(old), cfg, p, ours, GW_AS2_OLD, NULL);
    if (!file_exists(next)) {
        gw_errorf("certs switch: %s has no next certificate of %s (%s): %s", p->id, ours ? "ours" : "the partner's",
                  next, ours ? "`wharf certs new` makes one" : "`wharf certs import` installs one");
        return GW_EXIT_USAGE;
    }
    edi_err_clear(&err);
    if (ours) {
        struct gw_vault *v = NULL;
        struct gw_secret *k_next = NULL, *k_cur = NULL;

        if ((rc = open_vault(&v, s, cfg->workspace, 0)) != 0)
            return rc;
        if ((rc = gw_vault_get(v, p->id, gw_as2_key_secret(GW_AS2_NEXT), &k_next, &err)) == 0) {
            rc = gw_vault_get(v, p->id, gw_as2_key_secret(GW_AS2_CURRENT), &k_cur, &err);
            if (rc == 0)
                rc = gw_vault_set(v, p->id, gw_as2_key_secret(GW_AS2_OLD), k_cur->p, k_cur->n, gw_now(), &err);
            else if (rc == EDI_ENOTFOUND)
                rc = 0;
            if (rc == 0)
                rc = gw_vault_set(v, p->id, gw_as2_key_secret(GW_AS2_CURRENT), k_next->p, k_next->n, gw_now(),
                                  &err);
            if (rc == 0)
                rc = gw_vault_delete(v, p->id, gw_as2_key_secret(GW_AS2_NEXT), &err);
        }
        gw_secret_free(k_next);
        gw_secret_free(k_cur);
        gw_vault_close(v);
        if (rc < 0) {
            gw_errorf("certs switch: %s", err.msg);
            return gw_cli_exit(rc);
        }
    }
    if ((file_exists(cur) && rename(cur, old) != 0) || rename(next, cur) != 0) {
        gw_errorf("certs switch: cannot rename the certificate files in %s: %s", cur, strerror(errno));
        return GW_EXIT_USAGE;
    }
    gw_store_audit(s, "cli", "as2-cert-switch", p->id, a->pos[2], gw_now(), &err);
    printf("%s: the next certificate of %s is current now; the one before stays accepted as old\n", p->id,
           ours ? "ours" : "the partner's");
    return GW_EXIT_OK;
}

/* One certificate's line (or JSON object); *warned 1 when it expires soon. */
static void show_cert(json_t *arr, const struct gw_partner *p, const char *side, enum gw_as2_slot slot,
                      const char *path, int *warned)
{
    char *data, exp[32];
    size_t n;
    struct gw_cms_cert *c = NULL;
    struct gw_cms_cert_info ci;
    struct edi_err err;
    struct tm tm;
    time_t now = gw_now();
    long days;
    const char *state;

    if (edi_read_file(&data, &n, path, NULL) < 0)
        return;
    edi_err_clear(&err);
    if (gw_cms_cert_new(&c, data, n, &err) < 0 || gw_cms_cert_info(&ci, c, &err) < 0) {
        free(data);
        gw_cms_cert_free(c);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "partner", p->id, "side", side, "slot",
                                                 gw_as2_slot_name(slot), "path", path, "error", "unreadable"));
        else
            printf("%-12s %-8s %-8s UNREADABLE %s\n", p->id, side, gw_as2_slot_name(slot), path);
        return;
    }
    free(data);
    gw_cms_cert_free(c);
    gmtime_r(&ci.not_after, &tm);
    strftime(exp, sizeof(exp), "%Y-%m-%d", &tm);
    days = (long)((ci.not_after - now) / 86400);
    state = ci.not_after <= now ? "expired" : now < ci.not_before ? "not-yet-valid"
            : days < GW_AS2_EXPIRY_WARN_DAYS ? "expiring" : "valid";
    if (slot != GW_AS2_OLD && strcmp(state, "valid") != 0)
        *warned = 1;
    if (arr) {
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "partner", p->id, "side", side,
                                             "slot", gw_as2_slot_name(slot), "subject", ci.subject, "sha256",
                                             ci.sha256, "expires", exp, "days_left", (json_int_t)days, "state",
                                             state));
        return;
    }
    printf("%-12s %-8s %-8s %-10s %-5ld %-14s %s  %s\n", p->id, side, gw_as2_slot_name(slot), exp, days, state,
           ci.subject, ci.sha256);
}

static int cmd_list(struct gw_config *cfg, const struct args *a)
{
    json_t *arr = a->json ? json_array() : NULL;
    size_t i;
    int s, warned = 0, any = 0;

    if (!a->json)
        printf("%-12s %-8s %-8s %-10s %-5s %-14s %s\n", "PARTNER", "SIDE", "SLOT", "EXPIRES", "DAYS", "STATE",
               "SUBJECT  SHA-256");
    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];
        char path[4400];

        if (strcmp(p->transport, "as2") != 0 || (a->npos > 1 && strcmp(p->id, a->pos[1]) != 0))
            continue;
        any = 1;
        for (s = 0; s < GW_AS2_SLOTS; s++) {
            gw_as2_cert_path(path, sizeof(path), cfg, p, 1, (enum gw_as2_slot)s, NULL);
            show_cert(arr, p, "ours", (enum gw_as2_slot)s, path, &warned);
            gw_as2_cert_path(path, sizeof(path), cfg, p, 0, (enum gw_as2_slot)s, NULL);
            show_cert(arr, p, "partner", (enum gw_as2_slot)s, path, &warned);
        }
    }
    if (a->npos > 1 && !any) {
        json_decref(arr);
        gw_errorf("certs list: no AS2 partner '%s' in wharf.xml", a->pos[1]);
        return GW_EXIT_USAGE;
    }
    if (arr) {
        char *txt = json_dumps(arr, JSON_INDENT(2));

        printf("%s\n", txt);
        free(txt);
        json_decref(arr);
    } else if (warned) {
        printf("WARNING: a certificate in use expires within %d days, has expired or is not valid yet: make the "
               "next one (wharf help certs)\n", GW_AS2_EXPIRY_WARN_DAYS);
    }
    return GW_EXIT_OK;
}

int gw_cmd_certs(int argc, char **argv)
{
    struct gw_config *cfg = NULL;
    struct gw_store *s = NULL;
    struct args a;
    const char *sub;
    int rc, want;

    if (argc < 2)
        return usage();
    if ((rc = parse(&a, argc - 1, argv + 1)) != 0)
        return rc;
    sub = a.npos > 0 ? a.pos[0] : "";
    want = strcmp(sub, "new") == 0 || strcmp(sub, "export") == 0 ? 2
           : strcmp(sub, "import") == 0 || strcmp(sub, "switch") == 0 ? 3
           : strcmp(sub, "list") == 0 ? -1 : 0;
    if (want == 0) {
        gw_errorf("certs: unknown subcommand '%s'; see `wharf help certs`", sub);
        return GW_EXIT_USAGE;
    }
    if ((want > 0 && a.npos != want) || (want < 0 && a.npos > 2))
        return usage();
    if ((rc = gw_cli_open_ws(&cfg, &s, a.workspace)) != 0)
        return rc;
    if (strcmp(sub, "new") == 0)
        rc = cmd_new(cfg, s, &a);
    else if (strcmp(sub, "export") == 0)
        rc = cmd_export(cfg, &a);
    else if (strcmp(sub, "import") == 0)
        rc = cmd_import(cfg, s, &a);
    else if (strcmp(sub, "switch") == 0)
        rc = cmd_switch(cfg, s, &a);
    else
        rc = cmd_list(cfg, &a);
    gw_store_close(s);
    gw_config_free(cfg);
    return rc;
}

