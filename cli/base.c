/*
 * base.c — the part of what every command shares (cli.h) that needs libc
 * and the EDI core only, so that the wharf front (front.c) links it as the
 * full program does: messages, the clock, the schemas, mappings and console
 * folders.
 */
#include "cli/cli.h"
#include "edi/text.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef WHARF_SCHEMAS
#define WHARF_SCHEMAS "/usr/share/wharf/schemas"
#endif
#ifndef WHARF_MAPPINGS
#define WHARF_MAPPINGS "/usr/share/wharf/mappings"
#endif
#ifndef WHARF_CONSOLE
#define WHARF_CONSOLE "/usr/share/wharf/console"
#endif

int gw_exe_dir(char *dir, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", dir, cap > 0 ? cap - 1 : 0);
    char *slash;

    if (n <= 0)
        return -1;
    dir[n] = '\0';
    if ((slash = strrchr(dir, '/')) == NULL)
        return -1;
    *slash = '\0';
    return 0;
}

/* The installed data folder NAME beside the running binary:
 * BIN/../share/wharf/NAME, when it is a folder, else NULL. This is how an
 * installed wharf (PREFIX/bin/wharf, PREFIX/libexec/wharf-core) finds
 * PREFIX/share/wharf whatever PREFIX was, and a DESTDIR tree works where it
 * lies. A binary in the build tree (build/wharf) has no build/share/wharf
 * and falls back to the checkout's folders the Makefile builds in. */
const char *gw_installed_dir(const char *name)
{
    static char buf[4][PATH_MAX];
    static int used;
    char exe[PATH_MAX], *slash;
    struct stat st;
    char *out;

    /* BIN -> its parent */
    if (gw_exe_dir(exe, sizeof(exe)) < 0 || (slash = strrchr(exe, '/')) == NULL)
        return NULL;
    *slash = '\0';
    out = buf[used % 4];
    if ((size_t)snprintf(out, PATH_MAX, "%s/share/wharf/%s", exe, name) >= PATH_MAX)
        return NULL;
    if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode))
        return NULL;
    used++;
    return out;
}

/* env, else the installed folder beside the binary, else the built-in one */
static const char *data_dir(const char *env, const char *name, const char *builtin, const char **cache)
{
    const char *v = getenv(env);

    if (v && *v)
        return v;
    if (*cache == NULL) {
        const char *in = gw_installed_dir(name);

        *cache = in ? in : builtin;
    }
    return *cache;
}

const char *gw_mappings_dir(void)
{
    static const char *cache;

    return data_dir("WHARF_MAPPINGS", "mappings", WHARF_MAPPINGS, &cache);
}

const char *gw_console_dir(void)
{
    static const char *cache;

    return data_dir("WHARF_CONSOLE", "console", WHARF_CONSOLE, &cache);
}

void gw_errorf(const char *fmt, ...)
{
    va_list ap;
    struct edi_buf line;

    edi_buf_init(&line, 0);
    edi_buf_puts(&line, "wharf: ");
    /* one line, whatever the message carries from outside */
    va_start(ap, fmt);
    edi_escape_vline(&line, fmt, ap);
    va_end(ap);
    fwrite(line.p, 1, line.n, stderr);
    edi_buf_dispose(&line);
}

time_t gw_now(void)
{
    const char *v = getenv("WHARF_NOW");
    struct tm tm;
    char *end;

    if (v == NULL || *v == '\0')
        return time(NULL);
    memset(&tm, 0, sizeof(tm));
    end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || (*end != '\0' && strcmp(end, "Z") != 0)) {
        gw_errorf("WHARF_NOW '%s' is not a UTC time like 2025-01-01T00:00:00Z", v);
        exit(GW_EXIT_USAGE);
    }
    return timegm(&tm);
}

const char *gw_schemas_dir(void)
{
    static const char *cache;

    return data_dir("WHARF_SCHEMAS", "schemas", WHARF_SCHEMAS, &cache);
}
