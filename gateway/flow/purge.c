/*
 * purge.c — personal data: permission warnings for `wharf status`, and
 * `wharf purge` (by hand, or once a day by <retention personal-data-days>)
 * removing DF consumers' names, addresses and messages from orders that
 * are closed. What the store keeps and how is store.c (gw_store_purge_*);
 * the daemon and `run --once` call gw_purge_due from sched.c; the command
 * is cli_purge.c.
 */
#include "gateway/erp/erp.h"
#include "gateway/flow/purge.h"
#include "gateway/docs/cdoc.h"
#include "gateway/flow/inbound.h"
#include "gateway/store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- permissions ------------------------------------------------------------------ */

static void perm_check(char ***v, size_t *n, size_t *cap, const char *path)
{
    struct stat st;
    char line[9000];
    int dir;

    if (path == NULL || lstat(path, &st) != 0 || S_ISLNK(st.st_mode) || (st.st_mode & 077) == 0)
        return;
    dir = S_ISDIR(st.st_mode);
    snprintf(line, sizeof(line), "%s is mode %04o, open to others: chmod %s %s", path,
             (unsigned)(st.st_mode & 07777), dir ? "700" : "600", path);
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *v = edi_xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[(*n)++] = edi_xstrdup(line);
}

void gw_perm_warnings(char ***out, size_t *n, const struct gw_config *cfg)
{
    char **v = NULL, side[4200];
    size_t nv = 0, cap = 0, i, k;

    perm_check(&v, &nv, &cap, cfg->workspace);
    perm_check(&v, &nv, &cap, cfg->path);
    perm_check(&v, &nv, &cap, cfg->store_path);
    snprintf(side, sizeof(side), "%s-wal", cfg->store_path);
    perm_check(&v, &nv, &cap, side);
    snprintf(side, sizeof(side), "%s-shm", cfg->store_path);
    perm_check(&v, &nv, &cap, side);
    for (i = 0; i < cfg->npartners; i++) {
        const struct gw_partner *p = &cfg->partners[i];
        const char *sub[5] = {p->spool_dir, p->inbound, p->outbound, p->archive, p->quarantine};

        for (k = 0; k < 5; k++)
            perm_check(&v, &nv, &cap, sub[k]);
    }
    perm_check(&v, &nv, &cap, cfg->erp_in);
    perm_check(&v, &nv, &cap, cfg->erp_out);
    perm_check(&v, &nv, &cap, cfg->log_dir);
    *out = v;
    *n = nv;
}

/* ---- the canonical documents ------------------------------------------------------- */

/* The elements that carry a consumer's data: DF ship-to (name, address,
 * phone), the other parties of a DF 850 (N1*LW: a second person), gift
 * messages (header and lines) and the message to the customer. */
static const char *const personal[] = {"ship-to", "party", "buying-party", "bill-to", "gift",
                                       "message-to-customer", NULL};
/* a ship notice: only its ship-to (its parties are ours and Amazon's) */
static const char *const personal_ship[] = {"ship-to", NULL};

/* ---- files --------------------------------------------------------------------------- */

static int same_bytes(const char *path, const struct gw_purge_raw *r)
{
    unsigned char buf[65536];
    size_t off = 0;
    int fd, same = 1;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return 0;
    while (same) {
        ssize_t got = read(fd, buf, sizeof(buf));

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            same = got == 0 && off == r->n;
            break;
        }
        if ((size_t)got > r->n - off || memcmp(buf, r->bytes + off, (size_t)got) != 0)
            same = 0;
        off += (size_t)got;
    }
    close(fd);
    return same;
}

static void gone(struct gw_purge_stats *st, FILE *out, const char *path, int dry_run)
{
    if (!dry_run && unlink(path) != 0)
        return;
    st->files++;
    if (out)
        fprintf(out, "  %s %s\n", dry_run ? "would delete" : "deleted", path);
}

/* Deletes the copies of r kept in dir (same bytes, any name), each with
 * its .reason. */
static void drop_copies(struct gw_purge_stats *st, FILE *out, const char *dir, const struct gw_purge_raw *r,
                        int dry_run)
{
    DIR *d;
    struct dirent *e;
    char path[8400];
    struct stat sb;

    if (dir == NULL || r->n == 0 || (d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
            continue;
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size != r->n ||
            !same_bytes(path, r))
            continue;
        gone(st, out, path, dry_run);
        if (snprintf(path, sizeof(path), "%s/%s.reason", dir, e->d_name) < (int)sizeof(path) &&
            lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            gone(st, out, path, dry_run);
    }
    closedir(d);
}

static void drop_erp(struct gw_purge_stats *st, FILE *out, const struct gw_config *cfg, const char *partner,
                     const char *kind, const char *id, int dry_run)
{
    static const char *const ext[] = {"json", "csv"};
    char name[512], path[8400];
    struct stat sb;
    size_t i;

    if (cfg->erp_out == NULL || id == NULL)
        return;
    for (i = 0; i < 2; i++) {
        /* the names the exports were given */
        if (gw_erp_name(name, sizeof(name), partner, kind, id, ext[i], NULL) < 0 ||
            edi_fmt(path, sizeof(path), NULL, "%s/%s", cfg->erp_out, name) < 0)
            continue;
        if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            gone(st, out, path, dry_run);
    }
}

/* ---- the purge ----------------------------------------------------------------------- */

static int in_set(struct gw_order **v, size_t n, int64_t id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (v[i]->id == id)
            return 1;
    return 0;
}

static int purge_one(struct gw_purge_stats *st, struct gw_ctx *c, struct gw_order *o, struct gw_order **all,
                     size_t nall, int dry_run, FILE *out, struct edi_err *err)
{
    struct tm utc;
    const struct gw_partner *p = gw_config_partner(c->cfg, o->partner);
    struct gw_purge_raw *raws = NULL;
    struct gw_shipment **sh = NULL;
    size_t nraw = 0, nsh = 0, nids = 0, i, k;
    int64_t *ids = NULL;
    char *canon = NULL, what[200];
    unsigned removed, sh_removed = 0, files0 = st->files;
    int rc;

    if ((rc = gw_store_purge_raws(&raws, &nraw, c->store, o->id, err)) < 0 ||
        (rc = gw_store_purge_shipments(&sh, &nsh, c->store, o->id, err)) < 0)
        goto out;
    removed = gw_cdoc_scrub(&canon, o->canonical, personal);
    for (i = 0; i < nsh; i++) {
        char *t = NULL;

        if (gw_cdoc_scrub(&t, sh[i]->canonical, personal_ship)) {
            sh_removed++;
            free(sh[i]->canonical);
            sh[i]->canonical = t;
        }
    }
    ids = edi_xcalloc(nraw + 1, sizeof(*ids));
    for (i = 0; i < nraw; i++) {
        /* a file with another order that stays keeps its bytes */
        for (k = 0; k < raws[i].norders; k++)
            if (!in_set(all, nall, raws[i].orders[k]))
                break;
        if (k < raws[i].norders || raws[i].n == 0)
            continue;
        ids[nids++] = raws[i].id;
    }
    if (removed == 0 && sh_removed == 0 && nids == 0)
        goto out;   /* purged before */
    if (out)
        fprintf(out, "%s %s %s (%s, last changed %s): ship-to and messages%s%s\n",
                dry_run ? "would purge" : "purged", o->partner, o->po_number, o->state,
                (strftime(what, sizeof(what), "%Y-%m-%d %H:%M", gmtime_r(&o->updated, &utc)), what),
                nids ? ", inbound 850 file" : "", sh_removed ? ", ship notice ship-to" : "");
    /* files first: a purge stopped half-way still finds them by the bytes */
    for (i = 0; i < nraw; i++) {
        for (k = 0; k < nids && ids[k] != raws[i].id; k++)
            ;
        if (k == nids || p == NULL)
            continue;
        drop_copies(st, out, p->archive, &raws[i], dry_run);
        drop_copies(st, out, p->quarantine, &raws[i], dry_run);
    }
    drop_erp(st, out, c->cfg, o->partner, NULL, o->po_number, dry_run);
    st->files += gw_erp_log_drop(c->cfg, o->partner, o->po_number, dry_run, out);
    for (i = 0; i < nsh; i++)
        drop_erp(st, out, c->cfg, o->partner, "shipment", sh[i]->shipment_id, dry_run);
    st->orders++;
    st->raws += (unsigned)nids;
    if (dry_run)
        goto out;
    if (canon) {
        free(o->canonical);
        o->canonical = canon;
        canon = NULL;
    }
    snprintf(what, sizeof(what), "personal data purged: %u element%s, %zu inbound file%s, %u other file%s",
             removed, removed == 1 ? "" : "s", nids, nids == 1 ? "" : "s", st->files - files0,
             st->files - files0 == 1 ? "" : "s");
    rc = gw_store_purge_apply(c->store, o, ids, nids, (const struct gw_shipment *const *)sh, nsh, what, c->now,
                              err);
out:
    free(canon);
    free(ids);
    gw_purge_raws_free(raws, nraw);
    gw_shipments_free(sh, nsh);
    return rc < 0 ? rc : 0;
}

int gw_purge(struct gw_purge_stats *st, struct gw_ctx *c, time_t before, int dry_run, FILE *out,
             struct edi_err *err)
{
    struct gw_order **v = NULL;
    size_t n = 0, i;
    int rc;

    memset(st, 0, sizeof(*st));
    if ((rc = gw_store_purge_orders(&v, &n, c->store, before, err)) < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++)
        rc = purge_one(st, c, v[i], v, n, dry_run, out, err);
    gw_orders_free(v, n);
    if (rc == 0 && !dry_run && st->orders)
        rc = gw_store_purge_checkpoint(c->store, err);
    return rc;
}

int gw_purge_due(struct gw_ctx *c, struct edi_err *err)
{
    struct gw_purge_stats st;
    time_t day;
    int64_t id;
    int already, rc;
    char counts[120];

    if (c->cfg->retention_days <= 0)
        return 0;
    day = c->now - c->now % 86400;
    /* the runs table's unique (partner, job, due) keeps it to once a day */
    if ((rc = gw_store_run_start(&id, &already, c->store, "*", "purge", day, c->now, err)) < 0)
        return rc;
    if (already)
        return 0;
    rc = gw_purge(&st, c, c->now - (time_t)c->cfg->retention_days * 86400, 0, NULL, err);
    snprintf(counts, sizeof(counts), "orders=%u files=%u stored=%u", st.orders, st.files, st.raws);
    if (rc == 0 && st.orders)
        gw_log(c, "info", "personal data purged (retention %d days): %s", c->cfg->retention_days, counts);
    if (rc < 0)
        gw_log(c, "error", "personal data purge: %s", err->msg);
    {
        struct edi_err e2;
        int r2;

        edi_err_clear(&e2);
        r2 = gw_store_run_end(c->store, id, rc < 0 ? "failed" : "done", counts, rc < 0 ? err->msg : NULL,
                              c->now, &e2);
        if (rc == 0 && r2 < 0) {
            *err = e2;
            rc = r2;
        }
    }
    return rc;
}
