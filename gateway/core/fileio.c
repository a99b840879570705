/*
 * fileio.c — writing files so that a crash never leaves half of one (see
 * fileio.h): temporary name, fsync, rename, and the folder's sync.
 */
#include "gateway/core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int gw_temp_name(const char *name)
{
    static const char *const suffixes[] = {".tmp", ".part", ".partial", ".filepart", ".crdownload",
                                           ".swp", "~"};
    size_t n = strlen(name), i;

    /* SPEC: issue 12 — files still being written by the usual conventions
     * (a dot in front, a temporary suffix) are not taken */
    if (name[0] == '.' || (name[0] == '~' && name[1] == '$'))
        return 1;
    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t k = strlen(suffixes[i]);

        if (n > k && strcasecmp(name + n - k, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

void gw_temp_path(char *out, size_t cap, const char *dir, const char *name, long pid)
{
    snprintf(out, cap, "%s/.%s.wharf-%ld.tmp", dir, name, pid);
}

int gw_write_file(const char *path, const void *p, size_t n, struct edi_err *err)
{
    char tmp[4200];
    int rc;

    if (edi_fmt(tmp, sizeof(tmp), err, "%s.tmp", path) < 0)
        return edi_fail(err, EDI_EIO, "cannot write %.200s...: the path is too long", path);
    if ((rc = gw_write_synced(tmp, p, n, err)) < 0)
        return rc;
    if (rename(tmp, path) != 0) {
        int e = errno;

        unlink(tmp);
        return edi_fail(err, EDI_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

/* Renames from to dir/base without ever replacing a file: base, else
 * base.1, base.2 ... (a kept copy is never overwritten, whatever the clock
 * says). The final path goes to out. */
int gw_rename_unique(char *out, size_t cap, const char *from, const char *dir, const char *base)
{
    int k;

    for (k = 0; k < 10000; k++) {
        int len = k ? snprintf(out, cap, "%s/%s.%d", dir, base, k) : snprintf(out, cap, "%s/%s", dir, base);

        if (len < 0 || (size_t)len >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (renameat2(AT_FDCWD, from, AT_FDCWD, out, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EINVAL || errno == ENOSYS) {
            /* a file system without RENAME_NOREPLACE: link refuses to replace */
            if (link(from, out) == 0)
                return unlink(from);
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

/* Writes data under dir/base, a name no other file has (base, base.1 ...),
 * by temporary name, fsync and rename; the final path goes to final. */
int gw_write_unique(char *final, size_t cap, const char *dir, const char *base, const void *data,
                        size_t n, struct edi_err *err)
{
    char tmp[4400];
    int rc;

    if (snprintf(tmp, sizeof(tmp), "%s/.%ld.%.500s.tmp", dir, (long)getpid(), base) >= (int)sizeof(tmp))
        return edi_fail(err, EDI_EIO, "path too long in %s", dir);
    if ((rc = gw_write_file(tmp, data, n, err)) < 0)
        return rc;
    if (gw_rename_unique(final, cap, tmp, dir, base) != 0) {
        rc = edi_fail(err, EDI_EIO, "cannot keep %s in %s: %s", base, dir, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return 0;
}

int gw_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

    if (fd < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

int gw_open_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd >= 0 && fchmod(fd, 0600) != 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int gw_write_all(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p = (const char *)p + w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes bytes to tmp (never through a link) and syncs them. Mode 0600
 * whatever the umask or an old tmp's mode: what wharf writes may hold a DF
 * consumer's name, address and phone (personal data, DESIGN.md). */
int gw_write_synced(const char *tmp, const void *p, size_t n, struct edi_err *err)
{
    int fd = gw_open_private(tmp);

    if (fd < 0)
        return edi_fail(err, EDI_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (gw_write_all(fd, p, n) != 0)
        goto fail;
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    return 0;
fail:
    {
        int e = errno ? errno : EIO;

        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return edi_fail(err, EDI_EIO, "cannot write %s: %s", tmp, strerror(e));
    }
}
