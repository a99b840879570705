/*
 * fileio.h — file I/O every room shares: a file is written under a
 * temporary name, synced and renamed (a reader sees all of it or none), a
 * kept copy is never overwritten (unique names), and a file being written
 * by someone else is known by its name.
 */
#ifndef WHARF_CORE_FILEIO_H
#define WHARF_CORE_FILEIO_H

#include "edi/edi.h"

#include <stddef.h>

/* 1 when a file name says the file is still being written (".name",
 * "name.tmp", ".part", ".filepart", "~" ...): such files are not taken. */
int gw_temp_name(const char *name);

/* The temporary name process pid writes dir/name under before renaming it
 * into place: a dot in front and .tmp behind (gw_temp_name: no reader
 * takes it), the pid inside, so two senders never share one and a dead
 * sender's is known. */
void gw_temp_path(char *out, size_t cap, const char *dir, const char *name, long pid);

/* Writes a file by temporary name (PATH.tmp), fsync and rename. */
int gw_write_file(const char *path, const void *p, size_t n, struct edi_err *err);

/* path opened for writing and emptied, never through a link, mode 0600
 * whatever the umask or an old file's mode (what wharf writes may hold
 * personal data): its descriptor, or -1 and errno. */
int gw_open_private(const char *path);
/* All n bytes to fd, through short writes and EINTR: 0, or -1 and errno. */
int gw_write_all(int fd, const void *p, size_t n);
/* Writes bytes to tmp (never through a link, mode 0600) and syncs them;
 * on failure tmp is removed. */
int gw_write_synced(const char *tmp, const void *p, size_t n, struct edi_err *err);

/* fsync of a folder, so a rename in it survives a crash. -1 and errno on
 * failure. */
int gw_sync_dir(const char *dir);

/* Renames from to dir/base without ever replacing a file: base, else
 * base.1, base.2 ...; the final path goes to out. -1 and errno on failure. */
int gw_rename_unique(char *out, size_t cap, const char *from, const char *dir, const char *base);

/* Writes data under dir/base, a name no other file has (base, base.1 ...),
 * by temporary name, fsync and rename; the final path goes to final. */
int gw_write_unique(char *final, size_t cap, const char *dir, const char *base, const void *data,
                    size_t n, struct edi_err *err);

#endif
