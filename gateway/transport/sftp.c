/*
 * sftp.c — the transport kind "sftp" (transport.h): a partner's SFTP
 * server, in Amazon's layout (research/erp-as2.md 4.5): the partner leaves
 * files in one folder (inbound) and takes ours from another (outbound).
 *
 *   poll     lists inbound and downloads each regular file whole, in name
 *            order; a file is deleted on the server (or moved to archive)
 *            only once its bytes are committed in the store — never
 *            before. A transfer cut short returns nothing and the file
 *            stays on the server: the next poll downloads it again from
 *            the start (an EDI file is small: restarted, not resumed).
 *            A file that the server is still writing: settle-seconds and
 *            incomplete-seconds as for a spool folder, by the server's
 *            modification time and by content (no IEA yet: left there;
 *            still none after incomplete-seconds: quarantined here and
 *            removed there). Names starting with '.' and the usual
 *            temporary names are left alone.
 *   send     uploads to outbound/.NAME.part, then renames it NAME (sftp.h:
 *            a NAME there from a send not recorded is replaced). A crash
 *            between leaves the .part, which the next send of the message
 *            overwrites; the flush's claims make one sender at a time.
 *   settle   a quarantined message is copied to the local quarantine/
 *            with its reason (the server's copy is gone already).
 *
 * The private key is the partner's secret sftp-private-key in the vault.
 * libssh2 reads keys from files only, so while the connection is open it
 * is in WORKSPACE/.sftp-key-PID-XXXXXX/key (folder 0700, file 0600,
 * removed at close; a folder whose process is gone is removed by the next
 * open). It is never in argv, a log or a message.
 */
#include "gateway/transport/transport.h"

#include "gateway/core/digest.h"
#include "gateway/core/fileio.h"
#include "gateway/net/sftp.h"
#include "gateway/secret/vault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_SECRET "sftp-private-key"
#define KEY_DIR_PREFIX ".sftp-key-"

struct gw_transport {
    struct gw_ctx *c;
    const struct gw_partner *p;
    struct gw_sftp *sftp;
    char keydir[4200], keyfile[4300];
    char key_type[64];
};

/* ---- the key file ---------------------------------------------------------------------------- */

/* Removes the key file and its folder, overwriting the key first. */
static void drop_key_dir(const char *dir)
{
    char path[4300];
    struct stat sb;
    int fd;

    if (edi_fmt(path, sizeof(path), NULL, "%s/key", dir) == 0) {
        if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
            if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
                static const char zeros[4096];
                off_t left = sb.st_size;

                while (left > 0) {
                    ssize_t w = write(fd, zeros, left > (off_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left);

                    if (w <= 0)
                        break;
                    left -= w;
                }
            }
            close(fd);
        }
        unlink(path);
    }
    rmdir(dir);
}

/* Key folders of processes that are gone (killed while connected). */
static void sweep_key_dirs(const char *ws)
{
    DIR *d = opendir(ws);
    struct dirent *e;
    size_t pl = strlen(KEY_DIR_PREFIX);

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4200];
        long pid = 0;
        const char *q;

        if (strncmp(e->d_name, KEY_DIR_PREFIX, pl) != 0)
            continue;
        for (q = e->d_name + pl; *q >= '0' && *q <= '9' && pid < 100000000; q++)
            pid = pid * 10 + (*q - '0');
        if (*q != '-' || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        if (edi_fmt(path, sizeof(path), NULL, "%s/%s", ws, e->d_name) == 0)
            drop_key_dir(path);
    }
    closedir(d);
}

/* The partner's key from the vault into a private file for libssh2. */
static int write_key(struct gw_transport *t, struct edi_err *err)
{
    const struct gw_partner *p = t->p;
    struct gw_vault *v = NULL;
    struct gw_secret *key = NULL;
    char kpath[4096];
    int rc, fd = -1, locked;

    if ((rc = gw_vault_key_path(kpath, sizeof(kpath), t->c->cfg->workspace, err)) < 0 ||
        (rc = gw_vault_open(&v, t->c->store, kpath, err)) < 0)
        return rc;
    rc = gw_vault_get(v, p->id, KEY_SECRET, &key, err);
    gw_vault_close(v);
    if (rc == EDI_ENOTFOUND)
        return edi_fail(err, EDI_ECONFIG, "partner %s: no %s in the vault: `wharf secrets set %s %s < KEYFILE` "
                        "(OpenSSH or PEM, ed25519 or RSA, no passphrase)", p->id, KEY_SECRET, p->id, KEY_SECRET);
    if (rc < 0)
        return rc;
    locked = gw_sftp_key_type(t->key_type, sizeof(t->key_type), key->p, key->n);
    if (locked) {
        gw_secret_free(key);
        return edi_fail(err, EDI_ECONFIG, "partner %s: the %s has a passphrase: store it without one "
                        "(ssh-keygen -p -N '' -f KEYFILE on a copy): the vault protects it", p->id, KEY_SECRET);
    }
    if (strstr(key->p, "-----BEGIN ") == NULL) {
        gw_secret_free(key);
        return edi_fail(err, EDI_ECONFIG, "partner %s: the %s is not a private key file (OpenSSH or PEM)", p->id,
                        KEY_SECRET);
    }
    sweep_key_dirs(t->c->cfg->workspace);
    if (edi_fmt(t->keydir, sizeof(t->keydir), err, "%s/" KEY_DIR_PREFIX "%ld-XXXXXX", t->c->cfg->workspace,
                (long)getpid()) < 0 ||
        mkdtemp(t->keydir) == NULL) {
        rc = edi_fail(err, EDI_EIO, "cannot make a private folder for the SFTP key in %s: %s",
                      t->c->cfg->workspace, strerror(errno));
        t->keydir[0] = '\0';
        gw_secret_free(key);
        return rc;
    }
    snprintf(t->keyfile, sizeof(t->keyfile), "%s/key", t->keydir);
    rc = 0;
    if ((fd = open(t->keyfile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
        write(fd, key->p, key->n) != (ssize_t)key->n ||
        /* the vault keeps no trailing newline; a PEM reader wants one */
        (key->n > 0 && key->p[key->n - 1] != '\n' && write(fd, "\n", 1) != 1))
        rc = edi_fail(err, EDI_EIO, "cannot write the SFTP key to %s: %s", t->keyfile, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = edi_fail(err, EDI_EIO, "cannot write the SFTP key to %s: %s", t->keyfile, strerror(errno));
    gw_secret_free(key);
    return rc;
}

/* ---- poll ------------------------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct gw_sftp_entry *)a)->name, ((const struct gw_sftp_entry *)b)->name);
}

/* The server's copy of a file that is in the store (or kept here) goes:
 * moved to archive under TIMESTAMP-NAME, or deleted. A failure leaves it,
 * and the next poll finds it again: a duplicate of what is stored. */
static void put_away(struct gw_transport *t, const char *name)
{
    const struct gw_sftp_conf *sf = &t->p->sftp;
    struct edi_err e;
    int rc;

    edi_err_clear(&e);
    if (sf->archive) {
        char when[32], to[600];
        struct tm tm;
        time_t now = time(NULL);

        gmtime_r(&now, &tm);
        strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
        if (edi_fmt(to, sizeof(to), &e, "%s-%s", when, name) < 0)
            rc = e.rc;
        else
            rc = gw_sftp_rename(t->sftp, sf->inbound, name, sf->archive, to, &e);
    } else {
        rc = gw_sftp_remove(t->sftp, sf->inbound, name, &e);
    }
    if (rc < 0 && rc != EDI_ENOTFOUND)
        gw_log(t->c, "error", "%s %s: stored, but not %s on the server: %s (the next poll finds it again, "
               "a duplicate)", t->p->id, name, sf->archive ? "archived" : "deleted", e.msg);
}

/* One file: downloaded, checked complete, landed in the store, put away
 * on the server. 0 (landed, left for later, or gone meanwhile), or the
 * error that stops the poll (the connection, the store). */
static int poll_one(struct gw_transport *t, struct gw_stats *st, const struct gw_sftp_entry *f, struct edi_err *err)
{
    struct gw_ctx *c = t->c;
    const struct gw_partner *p = t->p;
    char *data = NULL, sha[65];
    size_t n;
    time_t mtime, age;
    int64_t id;
    int rc, dup, pending;

    if ((rc = gw_sftp_get(&data, &n, &mtime, t->sftp, p->sftp.inbound, f->name, err)) < 0) {
        if (rc == EDI_ENOTFOUND)
            return 0;   /* taken meanwhile */
        if (rc == EDI_ELIMIT) {
            gw_log(c, "error", "%s %s: %s: left on the server", p->id, f->name, err->msg);
            st->errors++;
            return 0;
        }
        return rc;
    }
    age = mtime > 0 ? time(NULL) - mtime : 0;
    /* a file modified a moment ago may still be growing */
    if (p->settle_seconds > 0 && mtime > 0 && age < p->settle_seconds) {
        free(data);
        return 0;
    }
    if (gw_transport_incomplete(data, n)) {
        char reason[600];

        if (age < p->incomplete_seconds) {
            /* SPEC: issue 12 — a file still being written is not taken */
            gw_log(c, "info", "%s %s: incomplete (no IEA yet, %lds old): left on the server for a later poll",
                   p->id, f->name, (long)age);
            free(data);
            return 0;
        }
        snprintf(reason, sizeof(reason), "%.200s: still incomplete after %lds (no IEA, or empty): quarantined "
                 "(transport incomplete-seconds=%d) and removed from the server; ask the partner to send it again\n",
                 f->name, (long)age, p->incomplete_seconds);
        gw_transport_keep_local(c, p, f->name, data, n, reason);
        free(data);
        st->quarantined++;
        gw_log(c, "warn", "%s %s: quarantined: incomplete after %lds", p->id, f->name, (long)age);
        put_away(t, f->name);
        return 0;
    }
    if ((rc = gw_sha256_hex(sha, data, n, err)) == 0)
        rc = gw_store_receive_raw(&id, &dup, &pending, c->store, p->id, f->name, sha, data, n, c->now, err);
    free(data);
    if (rc < 0) {
        /* nothing landed: the file stays on the server */
        st->errors++;
        gw_log(c, "error", "%s %s: %s (the file stays on the server)", p->id, f->name, err->msg);
        return rc;
    }
    if (dup && !pending) {
        gw_log(c, "warn", "%s %s: the same bytes were received before (raw #%lld): not processed again",
               p->id, f->name, (long long)id);
        st->files++;
        st->duplicates++;
    }
    /* SPEC: issue 16 — nothing deleted on the server before it is stored:
     * the raw row is committed */
    put_away(t, f->name);
    return 0;
}

static int sftp_poll(struct gw_transport *t, struct gw_stats *st, struct edi_err *err)
{
    struct gw_sftp_entry *v = NULL;
    size_t n = 0, i;
    int rc, frc = 0;
    struct edi_err first;

    edi_err_clear(&first);
    if ((rc = gw_sftp_list(&v, &n, t->sftp, t->p->sftp.inbound, err)) < 0)
        return rc;
    if (n > 1)
        qsort(v, n, sizeof(*v), by_name);
    for (i = 0; i < n && !(t->c->stop && *t->c->stop); i++) {
        struct edi_err e;

        /* regular files only; the partner's (and anyone's) temporary
         * names are left alone */
        if (v[i].type != '-' || v[i].name[0] == '.' || gw_temp_name(v[i].name))
            continue;
        edi_err_clear(&e);
        if ((rc = poll_one(t, st, &v[i], &e)) < 0) {
            if (frc == 0) {
                first = e;
                frc = rc;
            }
            /* the connection is gone, or the key refused: the rest waits */
            if (rc == EDI_EAGAIN || rc == EDI_ECONFIG)
                break;
        }
    }
    gw_sftp_entries_free(v, n);
    if (frc < 0)
        *err = first;
    return frc;
}

/* A quarantined message is kept here too, where the operator looks. */
static void sftp_settle(struct gw_transport *t, int64_t raw_id, const char *verdict, const char *reason)
{
    gw_transport_settle_local(t->c, t->p, raw_id, verdict, reason);
}

static void sftp_keep(struct gw_transport *t, const char *name, const void *bytes, size_t n, const char *why)
{
    gw_transport_keep_local(t->c, t->p, name, bytes, n, why);
}

/* ---- send ------------------------------------------------------------------------------------ */

static int sftp_send(struct gw_transport *t, const struct gw_outbox_item *it, struct gw_receipt *r,
                     struct edi_err *err)
{
    int rc;

    memset(r, 0, sizeof(*r));
    if (it->name == NULL || it->name[0] == '\0' || it->name[0] == '.' || strchr(it->name, '/'))
        return edi_fail(err, EDI_ECONFIG, "the message has no file name that stays in its folder");
    if ((rc = gw_sftp_put(t->sftp, t->p->sftp.outbound, it->name, it->bytes, it->n, err)) < 0)
        return rc;
    snprintf(r->id, sizeof(r->id), "%s", it->name);
    return 0;
}

/* What a dead sender left is outbound/.NAME.part, the name every sender of
 * NAME uploads to: the send that follows truncates and replaces it, so
 * nothing is done here (and no connection opened for it). */
static void sftp_abandoned(struct gw_transport *t, const struct gw_outbox_item *it, long pid)
{
    (void)t;
    (void)it;
    (void)pid;
}

/* ---- open and close -------------------------------------------------------------------------- */

static void sftp_close(struct gw_transport *t)
{
    if (t == NULL)
        return;
    gw_sftp_free(t->sftp);
    if (t->keydir[0])
        drop_key_dir(t->keydir);
    free(t);
}

static int sftp_open(struct gw_transport **out, struct gw_ctx *c, const struct gw_partner *p, struct edi_err *err)
{
    struct gw_transport *t = edi_xcalloc(1, sizeof(*t));
    struct gw_sftp_opts o;
    int rc;

    *out = NULL;
    t->c = c;
    t->p = p;
    if ((rc = write_key(t, err)) < 0) {
        sftp_close(t);
        return rc;
    }
    memset(&o, 0, sizeof(o));
    o.host = p->sftp.host;
    o.port = p->sftp.port;
    o.user = p->sftp.user;
    o.key_file = t->keyfile;
    o.known_hosts = p->sftp.known_hosts;
    o.key_type = t->key_type;
    o.timeout_ms = (long)p->sftp.timeout * 1000;
    o.low_speed_seconds = p->sftp.timeout < 30 ? p->sftp.timeout : 30;
    o.connect_timeout_ms = (p->sftp.timeout < 15 ? p->sftp.timeout : 15) * 1000L;
    if ((rc = gw_sftp_new(&t->sftp, c, &o, err)) < 0) {
        sftp_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

const struct gw_transport_type gw_transport_sftp = {
    .name = "sftp",
    .open = sftp_open,
    .poll = sftp_poll,
    .settle = sftp_settle,
    .keep = sftp_keep,
    .send = sftp_send,
    .abandoned = sftp_abandoned,
    .status = NULL,
    .close = sftp_close,
};
