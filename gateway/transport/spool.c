/*
 * spool.c — the spool-folder transport (transport.h), kind "files": a
 * partner drops files in inbound/ and takes ours from outbound/; what was
 * received is kept in archive/, what was refused in quarantine/ with a
 * NAME.reason beside it.
 *
 * A poll claims each complete file by renaming it into
 * inbound/.claimed/PID/ (whoever renames first owns it), lands its bytes
 * in the store and holds the file until the flow settles it; close puts
 * back what was not settled, so a file whose processing failed stays in
 * inbound/ for the next pass. Files are read only when regular and never
 * through a link.
 */
#include "gateway/transport/transport.h"
#include "gateway/core/digest.h"
#include "gateway/core/fileio.h"
#include "edi/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A file claimed by a poll, held until the flow settles it. */
struct held {
    int64_t raw_id;
    char *name;            /* its name in inbound/ */
    char *claimed;         /* its path in the claim folder */
};

struct gw_transport {
    struct gw_ctx *c;
    const struct gw_partner *p;
    int lockfd;            /* the claim folder's flock, -1 before the first claim */
    char claimdir[4400];
    struct held *held;
    size_t nheld;
};

/* ---- archive and quarantine ---------------------------------------------------------------- */

/* Moves a processed file to archive/ or quarantine/ under a time-stamped,
 * unique name; the final path goes to final (may be NULL). */
static void move_to(struct gw_ctx *c, const char *from, const char *dir, const char *name,
                    const char *suffix, char *final, size_t cap)
{
    char to[4400], base[600];
    char when[32];
    struct tm tm;

    gmtime_r(&c->now, &tm);
    strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
    mkdir(dir, 0700);
    snprintf(base, sizeof(base), "%s-%.500s%s", when, name, suffix);
    if (gw_rename_unique(to, sizeof(to), from, dir, base) != 0) {
        gw_log(c, "error", "cannot move %s to %s: %s", from, dir, strerror(errno));
        return;
    }
    /* a partner's file keeps the mode it came with: the kept copy is ours */
    chmod(to, 0600);
    if (final && edi_fmt(final, cap, NULL, "%s", to) < 0)
        gw_log(c, "error", "moved %s to %s, but its path is too long to note", from, to);
}

/* A whole inbound file to quarantine/ under a unique name, with its
 * reason beside it in NAME.reason. */
static void quarantine_file(struct gw_ctx *c, const struct gw_partner *p, const char *claimed,
                            const char *name, const char *reason, size_t n)
{
    char final[4800];
    struct edi_err e;

    final[0] = '\0';
    move_to(c, claimed, p->quarantine, name, "", final, sizeof(final));
    if (final[0] && edi_fmt(final + strlen(final), sizeof(final) - strlen(final), &e, ".reason") == 0 &&
        gw_write_file(final, reason, n, &e) < 0)
        gw_log(c, "error", "%s %s: %s", p->id, name, e.msg);
}

/* ---- claims ---------------------------------------------------------------------------------- */

/* A process claims a file by renaming it into inbound/.claimed/PID/, a
 * folder it holds an exclusive flock on while it works: a pass that finds
 * a claim folder it can lock knows its owner is gone (killed, crashed) and
 * puts the files back in inbound/, so no file is ever stranded there. */
static int claim_dir(int *lockfd, char *dir, size_t cap, const char *inbound, struct edi_err *err)
{
    char top[4300];

    if (edi_fmt(top, sizeof(top), err, "%s/.claimed", inbound) < 0)
        return EDI_EIO;
    mkdir(top, 0700);
    if (snprintf(dir, cap, "%s/%ld", top, (long)getpid()) >= (int)cap)
        return edi_fail(err, EDI_EIO, "path too long: %s", top);
    mkdir(dir, 0700);
    if ((*lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return edi_fail(err, EDI_EIO, "cannot open %s: %s", dir, strerror(errno));
    if (flock(*lockfd, LOCK_EX) != 0) {
        close(*lockfd);
        *lockfd = -1;
        return edi_fail(err, EDI_EIO, "cannot lock %s: %s", dir, strerror(errno));
    }
    return 0;
}

/* Puts back the files of every claim folder whose owner is gone, and files
 * an older wharf left directly in .claimed/. */
static void recover_claims(struct gw_ctx *c, const struct gw_partner *p)
{
    char top[4300], sub[4600], from[4900], to[4400];
    DIR *d, *s;
    struct dirent *e, *f;

    if (edi_fmt(top, sizeof(top), NULL, "%s/.claimed", p->inbound) < 0 || (d = opendir(top)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        int fd;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (edi_fmt(sub, sizeof(sub), NULL, "%s/%s", top, e->d_name) < 0 || lstat(sub, &sb) != 0)
            continue;
        if (!S_ISDIR(sb.st_mode)) {
            if (gw_rename_unique(to, sizeof(to), sub, p->inbound, e->d_name) == 0)
                gw_log(c, "warn", "%s %s: put back in inbound/ from an interrupted run", p->id, e->d_name);
            continue;
        }
        if ((fd = open(sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);   /* its owner is at work */
            continue;
        }
        if ((s = opendir(sub)) != NULL) {
            while ((f = readdir(s)) != NULL) {
                if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
                    continue;
                if (edi_fmt(from, sizeof(from), NULL, "%s/%s", sub, f->d_name) < 0)
                    continue;
                if (gw_rename_unique(to, sizeof(to), from, p->inbound, f->d_name) == 0)
                    gw_log(c, "warn", "%s %s: put back in inbound/ from an interrupted run", p->id,
                           f->d_name);
                else
                    gw_log(c, "error", "%s %s: cannot put back in inbound/: %s", p->id, f->d_name,
                           strerror(errno));
            }
            closedir(s);
        }
        /* an empty folder of a process that is gone */
        if (atoi(e->d_name) != (int)getpid())
            rmdir(sub);
        close(fd);
    }
    closedir(d);
}

static void on_envelope(void *ctx, const struct edi_finding *fd, const struct edi_where *w)
{
    (void)w;
    if (strcmp(fd->code, "iea-missing") == 0)
        *(int *)ctx = 1;
}

static int blank(char ch)
{
    return ch == ' ' || ch == '\r' || ch == '\n' || ch == '\t';
}

/* The common case, without a parse: the file's last segment is an IEA
 * (its terminator is the last byte but blanks). */
static int ends_with_iea(const char *data, size_t n)
{
    size_t end = n, k;

    while (end > 0 && blank(data[end - 1]))
        end--;
    if (end < 4)
        return 0;
    for (k = end - 1; k > 0 && data[k - 1] != data[end - 1]; k--)
        ;
    while (k < end && blank(data[k]))
        k++;
    return end - k > 3 && memcmp(data + k, "IEA", 3) == 0;
}

/* Only a file that does not end in an IEA costs an envelope parse. */
int gw_transport_incomplete(const char *data, size_t n)
{
    struct edi_check_opts o;
    struct edi_check_stats cs;
    struct edi_err e;
    size_t i = 0;
    int missing = 0;

    while (i < n && blank(data[i]))
        i++;
    if (i == n)
        return 1;
    if (ends_with_iea(data, n))
        return 0;
    /* an ISA shorter than its 106 bytes is broken rather than growing (a
     * writer's first piece is larger): it gets its TA1 now */
    memset(&o, 0, sizeof(o));
    o.envelope_only = 1;
    o.report = on_envelope;
    o.ctx = &missing;
    if (edi_check_mem(&cs, data, n, &o, &e) < 0)
        return 0;
    return missing;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Puts a claimed file back in inbound/ under its name (or a unique one):
 * it is tried again next time. */
static void put_back(struct gw_transport *t, const char *claimed, const char *name)
{
    char back[4400];

    if (gw_rename_unique(back, sizeof(back), claimed, t->p->inbound, name) != 0)
        gw_log(t->c, "error", "%s %s: cannot put back in inbound/: %s (a later pass recovers it)",
               t->p->id, name, strerror(errno));
}

/* ---- the transport --------------------------------------------------------------------------- */

static int spool_open(struct gw_transport **out, struct gw_ctx *c, const struct gw_partner *p,
                      struct edi_err *err)
{
    struct gw_transport *t = edi_xcalloc(1, sizeof(*t));

    (void)err;
    t->c = c;
    t->p = p;
    t->lockfd = -1;
    *out = t;
    return 0;
}

/* One file: claimed, read, checked complete, landed in the store (or put
 * back, or quarantined when it can never be a message). 0, or the
 * store's error (the file is back in inbound/). */
static int poll_one(struct gw_transport *t, struct gw_stats *st, const char *name, struct edi_err *err)
{
    struct gw_ctx *c = t->c;
    const struct gw_partner *p = t->p;
    char path[4400], claimed[4800], sha[65];
    char *data = NULL;
    size_t n;
    int64_t id;
    int rc, dup, pending;

    if (edi_fmt(path, sizeof(path), err, "%s/%s", p->inbound, name) < 0 ||
        edi_fmt(claimed, sizeof(claimed), err, "%s/%s", t->claimdir, name) < 0)
        return 0;   /* not claimed: it stays where it is */
    /* claim: a rename is atomic; whoever renames first owns the file */
    if (rename(path, claimed) != 0)
        return errno == ENOENT ? 0 : edi_fail(err, EDI_EIO, "cannot claim %s: %s", path, strerror(errno));
    if ((rc = edi_read_regular(&data, &n, claimed, err)) < 0) {
        if (rc == EDI_ESYNTAX) {
            /* a link or a device: kept for the operator, never read */
            char reason[600];

            snprintf(reason, sizeof(reason), "%.500s\n", err->msg);
            quarantine_file(c, p, claimed, name, reason, strlen(reason));
            st->quarantined++;
            gw_log(c, "warn", "%s %s: quarantined: %s", p->id, name, err->msg);
            return 0;
        }
        put_back(t, claimed, name);
        return rc;
    }
    if (gw_transport_incomplete(data, n)) {
        struct stat sb;
        time_t age = stat(claimed, &sb) == 0 ? time(NULL) - sb.st_mtime : 0;
        char reason[600];

        free(data);
        if (age < p->incomplete_seconds) {
            /* SPEC: issue 12 — a file still being written is not taken: it goes
             * back to inbound/ for a later pass */
            gw_log(c, "info", "%s %s: incomplete (no IEA yet, %lds old): left for a later pass", p->id,
                   name, (long)age);
            put_back(t, claimed, name);
            return 0;
        }
        snprintf(reason, sizeof(reason), "%.200s: still incomplete after %lds (no IEA, or empty): "
                 "quarantined (transport incomplete-seconds=%d); drop the complete file again\n",
                 name, (long)age, p->incomplete_seconds);
        quarantine_file(c, p, claimed, name, reason, strlen(reason));
        st->quarantined++;
        gw_log(c, "warn", "%s %s: quarantined: incomplete after %lds", p->id, name, (long)age);
        return 0;
    }
    if ((rc = gw_sha256_hex(sha, data, n, err)) == 0)
        rc = gw_store_receive_raw(&id, &dup, &pending, c->store, p->id, name, sha, data, n, c->now, err);
    free(data);
    if (rc < 0) {
        /* a full disk, a locked store: nothing landed, the file goes back */
        st->errors++;
        gw_log(c, "error", "%s %s: %s (the file stays in inbound/)", p->id, name, err->msg);
        put_back(t, claimed, name);
        return rc;
    }
    if (dup && !pending) {
        gw_log(c, "warn", "%s %s: the same bytes were received before (raw #%lld): not processed again",
               p->id, name, (long long)id);
        st->files++;
        st->duplicates++;
        move_to(c, claimed, p->archive, name, ".duplicate", NULL, 0);
        return 0;
    }
    /* new, or the same bytes as a message not processed yet (an earlier
     * pass was interrupted): held until the flow settles that message */
    t->held = edi_xrealloc(t->held, (t->nheld + 1) * sizeof(*t->held));
    t->held[t->nheld].raw_id = id;
    t->held[t->nheld].name = edi_xstrdup(name);
    t->held[t->nheld].claimed = edi_xstrdup(claimed);
    t->nheld++;
    return 0;
}

/* Files in name order; a file that fails goes back to inbound/ and the
 * next one is tried. err is the first failure's. */
static int spool_poll(struct gw_transport *t, struct gw_stats *st, struct edi_err *err)
{
    struct gw_ctx *c = t->c;
    const struct gw_partner *p = t->p;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (p->inbound == NULL)
        return 0;
    recover_claims(c, p);
    if ((d = opendir(p->inbound)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4400];
        struct stat sb;

        if (e->d_name[0] == '.' || gw_temp_name(e->d_name))
            continue;
        /* lstat: a link is claimed and quarantined, never followed */
        if (edi_fmt(path, sizeof(path), NULL, "%s/%s", p->inbound, e->d_name) < 0 ||
            lstat(path, &sb) != 0 || S_ISDIR(sb.st_mode))
            continue;
        /* a file modified a moment ago may still be growing */
        if (p->settle_seconds > 0 && time(NULL) - sb.st_mtime < p->settle_seconds)
            continue;
        names = edi_xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = edi_xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), by_name);
    if (n > 0 && t->lockfd < 0 && (rc = claim_dir(&t->lockfd, t->claimdir, sizeof(t->claimdir), p->inbound, err)) < 0)
        n = 0;
    for (i = 0; i < n; i++) {
        struct edi_err e2;

        edi_err_clear(&e2);
        if (!(c->stop && *c->stop) && poll_one(t, st, names[i], &e2) < 0) {
            if (rc == 0)
                *err = e2;
            rc = e2.rc;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static void spool_settle(struct gw_transport *t, int64_t raw_id, const char *verdict, const char *reason)
{
    size_t i;

    for (i = 0; i < t->nheld; i++) {
        struct held *h = &t->held[i];

        if (h->raw_id != raw_id || h->claimed == NULL)
            continue;
        if (strcmp(verdict, GW_VERDICT_QUARANTINED) == 0)
            quarantine_file(t->c, t->p, h->claimed, h->name, reason ? reason : "", reason ? strlen(reason) : 0);
        else
            move_to(t->c, h->claimed, t->p->archive, h->name,
                    strcmp(verdict, GW_VERDICT_DUPLICATE) == 0 ? ".duplicate" : "", NULL, 0);
        free(h->claimed);
        h->claimed = NULL;
    }
}

/* A refused part of a message to quarantine/ under a unique name (the
 * same file name and set control number again, from a partner that
 * restarts its numbers, never replaces a kept one), why in NAME.reason. */
void gw_transport_keep_local(struct gw_ctx *c, const struct gw_partner *p, const char *name, const void *bytes,
                             size_t n, const char *why)
{
    char path[4400], rpath[4500];
    struct edi_err e;

    mkdir(p->quarantine, 0700);
    if (gw_write_unique(path, sizeof(path), p->quarantine, name, bytes, n, &e) == 0) {
        snprintf(rpath, sizeof(rpath), "%s.reason", path);
        if (gw_write_file(rpath, why, strlen(why), &e) < 0)
            gw_log(c, "error", "%s %s: %s", p->id, name, e.msg);
    } else {
        gw_log(c, "error", "%s %s: %s", p->id, name, e.msg);
    }
}

void gw_transport_settle_local(struct gw_ctx *c, const struct gw_partner *p, int64_t raw_id,
                               const char *verdict, const char *reason)
{
    struct gw_raw *r = NULL;
    struct edi_err e;

    if (verdict == NULL || strcmp(verdict, GW_VERDICT_QUARANTINED) != 0)
        return;
    if (gw_store_get_raw(&r, c->store, raw_id, &e) < 0) {
        gw_log(c, "error", "%s: message %lld quarantined, not copied to quarantine/: %s", p->id,
               (long long)raw_id, e.msg);
        return;
    }
    gw_transport_keep_local(c, p, r->name ? r->name : "message", r->bytes, r->n, reason ? reason : "");
    gw_raw_free(r);
}

static void spool_keep(struct gw_transport *t, const char *name, const void *bytes, size_t n, const char *why)
{
    gw_transport_keep_local(t->c, t->p, name, bytes, n, why);
}


/* One message to outbound/NAME: written under a temporary name and
 * synced, renamed, the folder synced. A crash before the rename leaves
 * only the temporary file (whoever takes the claim over removes it); a
 * crash after leaves the file and an unsent message, written again under
 * the same name with the same bytes, so the partner sees one file, whole. */
static int spool_send(struct gw_transport *t, const struct gw_outbox_item *it, struct gw_receipt *r,
                      struct edi_err *err)
{
    const char *dir = t->p->outbound;
    char tmp[4600], path[4400];
    int rc;

    memset(r, 0, sizeof(*r));
    if (dir == NULL)
        return edi_fail(err, EDI_ECONFIG, "the partner has no outbound folder");
    if (it->name == NULL || it->name[0] == '\0' || it->name[0] == '.' || strchr(it->name, '/'))
        return edi_fail(err, EDI_ECONFIG, "the message has no file name that stays in its folder");
    mkdir(dir, 0700);
    if (edi_fmt(path, sizeof(path), err, "%s/%s", dir, it->name) < 0)
        return EDI_ECONFIG;
    gw_temp_path(tmp, sizeof(tmp), dir, it->name, (long)getpid());
    if ((rc = gw_write_synced(tmp, it->bytes, it->n, err)) < 0)
        return rc;
    if (rename(tmp, path) != 0) {
        rc = edi_fail(err, EDI_EIO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    if (gw_sync_dir(dir) != 0)
        /* the file is there: the message stays unsent, and is written
         * again (same name, same bytes) */
        return edi_fail(err, EDI_EIO, "cannot sync %s: %s", dir, strerror(errno));
    snprintf(r->id, sizeof(r->id), "%s", it->name);
    return 0;
}

static void spool_abandoned(struct gw_transport *t, const struct gw_outbox_item *it, long pid)
{
    char tmp[4600];

    if (t->p->outbound == NULL || it->name == NULL || strchr(it->name, '/'))
        return;
    gw_temp_path(tmp, sizeof(tmp), t->p->outbound, it->name, pid);
    unlink(tmp);
}

/* A file in outbound/ is waiting; gone, the partner took it. */

/* Files: a message sent is "waiting" while its file is in outbound/ and
 * "picked-up" once whatever fetches from there took it. The send asks for
 * no receipt (a file written is delivered): this is for a caller who wants
 * to know. */
static int spool_status(struct gw_transport *t, const struct gw_receipt_row *r, struct gw_said *out,
                        struct edi_err *err)
{
    char path[4400];
    struct stat sb;
    const char *name = r->receipt && *r->receipt ? r->receipt : r->name;

    memset(out, 0, sizeof(*out));
    if (t->p->outbound == NULL || name == NULL || strchr(name, '/') ||
        edi_fmt(path, sizeof(path), err, "%s/%s", t->p->outbound, name) < 0)
        return edi_fail(err, EDI_ENOTFOUND, "no such message: %s", name ? name : "(none)");
    snprintf(out->status, sizeof(out->status), "%s", lstat(path, &sb) == 0 ? "waiting" : "picked-up");
    return 0;
}

static void spool_close(struct gw_transport *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nheld; i++) {
        /* not settled (the flow failed on it, or stopped): back to
         * inbound/, where the next pass finds it again */
        if (t->held[i].claimed)
            put_back(t, t->held[i].claimed, t->held[i].name);
        free(t->held[i].claimed);
        free(t->held[i].name);
    }
    free(t->held);
    if (t->lockfd >= 0)
        close(t->lockfd);
    free(t);
}

const struct gw_transport_type gw_transport_spool = {
    .name = "files",
    .open = spool_open,
    .poll = spool_poll,
    .settle = spool_settle,
    .keep = spool_keep,
    .send = spool_send,
    .abandoned = spool_abandoned,
    .status = spool_status,
    .close = spool_close,
};
