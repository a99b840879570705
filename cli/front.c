/*
 * front.c — the wharf front: the program a command line names (PREFIX/bin/
 * wharf, build/wharf). It links libc, jansson and the EDI core only, so it
 * starts in about the time of a program that links nothing; the full
 * program, wharf-core, links libxml2, libxslt, OpenSSL, SQLite and the
 * rest, whose loading alone costs several times that.
 *
 * The front runs `wharf version`, `wharf edi validate` and `wharf edi ack`
 * itself, on regular files, when the guide cache holds every guide and code
 * list the files need (edi_guides_new_cached): the same code as the core's (edi.c, base.c,
 * edi/), so the same output and exit status. It runs the command with its
 * output held back (both streams, in the order they were written) and
 * writes it at the end; if the registry missed something, that output is
 * thrown away unseen and the core runs the command instead, and fills the
 * cache for the next time. Every other command goes straight to the core:
 * execv, same process, same arguments, same environment.
 *
 * The core is wharf-core beside the front (the build tree), else
 * ../libexec/wharf-core (an install, Makefile).
 */
#include "cli/cli.h"
#include "edi/edi.h"
#include "edi/guide.h"
#include "gateway/core/fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *gw_cli_prog = "wharf";

static char **front_argv;

/* ---- the core ---------------------------------------------------------------- */

/* Executes the core with the front's arguments; returns only on failure,
 * after a message, with the exit status. */
static int run_core(void)
{
    static const char *const places[] = {"wharf-core", "../libexec/wharf-core"};
    char exe[PATH_MAX], path[PATH_MAX + 32];
    size_t i;

    fflush(NULL);
    if (gw_exe_dir(exe, sizeof(exe)) < 0) {
        gw_errorf("cannot find the program's core: /proc/self/exe: %s", strerror(errno));
        return GW_EXIT_INTERNAL;
    }
    for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", exe, places[i]);
        if (access(path, X_OK) == 0) {
            execv(path, front_argv);
            gw_errorf("cannot run the program's core %s: %s", path, strerror(errno));
            return GW_EXIT_INTERNAL;
        }
    }
    gw_errorf("cannot find the program's core: no %s/wharf-core or %s/../libexec/wharf-core "
              "(install wharf again)", exe, exe);
    return GW_EXIT_INTERNAL;
}

/* What edi.c calls that the front leaves to the core. */
int gw_edi_guides(struct edi_guides **out, const char *schema_dir, struct edi_err *err)
{
    return edi_guides_new_cached(out, schema_dir, err);
}

int gw_edi_to_xml(int argc, char **argv)
{
    return run_core();
}

int gw_edi_from_xml(int argc, char **argv)
{
    return run_core();
}

int gw_help(const char *topic)
{
    return run_core();
}

/* ---- output held back ---------------------------------------------------------- */

/* Everything written to stdout and stderr while a command runs, in order:
 * runs of bytes, each with its stream. */
struct held {
    struct edi_buf bytes;
    struct run {
        int fd;
        size_t off, n;
    } *runs;
    size_t nruns, cap;
};

struct stream {
    struct held *h;
    int fd;
};

static ssize_t held_write(void *cookie, const char *p, size_t n)
{
    struct stream *s = cookie;
    struct held *h = s->h;

    if (h->nruns && h->runs[h->nruns - 1].fd == s->fd) {
        h->runs[h->nruns - 1].n += n;
    } else {
        if (h->nruns == h->cap) {
            h->cap = h->cap ? h->cap * 2 : 16;
            h->runs = edi_xrealloc(h->runs, h->cap * sizeof(*h->runs));
        }
        h->runs[h->nruns].fd = s->fd;
        h->runs[h->nruns].off = h->bytes.n;
        h->runs[h->nruns].n = n;
        h->nruns++;
    }
    edi_buf_put(&h->bytes, p, n);   /* no maximum: it grows or aborts */
    return (ssize_t)n;
}

/* The output held while a command runs, for replay(): a command may end
 * the process with exit() (gw_now on a bad WHARF_NOW), and what it wrote
 * before is its message. */
static struct held *holding;

/* Writes what was held, in order; a stream that is gone loses what
 * follows, as the core's would. At exit too (atexit): a command that ends
 * the process with exit() says why in what it wrote. */
static void replay(void)
{
    struct held *h = holding;
    size_t i;

    if (h == NULL)
        return;
    holding = NULL;
    for (i = 0; i < h->nruns; i++)
        (void)gw_write_all(h->runs[i].fd, h->bytes.p + h->runs[i].off, h->runs[i].n);
}

/* Runs the edi command with its output held; GW_EXIT_CORE when the core
 * must run it instead (nothing was written then). */
static int held_edi(int argc, char **argv)
{
    static cookie_io_functions_t io = {NULL, held_write, NULL, NULL};
    struct held h;
    struct stream out = {&h, 1}, err = {&h, 2};
    FILE *real_out = stdout, *real_err = stderr, *fo, *fe;
    int rc;

    memset(&h, 0, sizeof(h));
    edi_buf_init(&h.bytes, 0);
    fo = fopencookie(&out, "w", io);
    fe = fopencookie(&err, "w", io);
    if (fo == NULL || fe == NULL) {
        if (fo)
            fclose(fo);
        if (fe)
            fclose(fe);
        return GW_EXIT_CORE;
    }
    /* unbuffered: each write is a run, so the two streams keep their order */
    setvbuf(fo, NULL, _IONBF, 0);
    setvbuf(fe, NULL, _IONBF, 0);
    /* glibc's standard streams are variables a program may set */
    stdout = fo;
    stderr = fe;
    holding = &h;
    atexit(replay);
    rc = gw_cmd_edi(argc, argv);
    stdout = real_out;
    stderr = real_err;
    fclose(fo);
    fclose(fe);
    if (rc == GW_EXIT_CORE)
        holding = NULL;
    replay();
    free(h.runs);
    edi_buf_dispose(&h.bytes);
    return rc;
}

/* 1 when every FILE of the edi command (argv[2..]) is a regular file, or
 * none at all: a file the front reads is read again by the core if the
 * front hands over, and standard input, a pipe (<(zcat ...)) or a FIFO
 * read once is gone. A FILE that is not there is the front's to report. */
static int files_rereadable(int argc, char **argv)
{
    struct stat st;
    int i, w;

    for (i = 3; i < argc; i += w ? w : 1)
        if ((w = gw_edi_arg_width(argc, argv, i)) == 0 &&
            (strcmp(argv[i], "-") == 0 || (stat(argv[i], &st) == 0 && !S_ISREG(st.st_mode))))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    front_argv = argv;
    if (argc > 0 && argv[0] && argv[0][0] != '\0')
        gw_cli_prog = argv[0];
    /* as the core does (main.c): what wharf creates is the owner's only */
    umask(077);
    if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        puts("wharf " WHARF_VERSION);
        return GW_EXIT_OK;
    }
    if (argc >= 3 && strcmp(argv[1], "edi") == 0 &&
        (strcmp(argv[2], "validate") == 0 || strcmp(argv[2], "ack") == 0) &&
        files_rereadable(argc, argv)) {
        int rc = held_edi(argc - 1, argv + 1);

        if (rc != GW_EXIT_CORE)
            return rc;
    }
    return run_core();
}
