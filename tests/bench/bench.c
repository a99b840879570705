/*
 * bench.c — `make bench`: makes its own inputs and prints figures.
 *
 *   1. 10,000 Amazon-style RP 850s in one interchange (about 5 MB):
 *      tokenize + envelope checks, full guide validation, validation + 997,
 *      each as MB/s on one core (best and median of several runs, from
 *      memory); then whole processes on the same file, best and median of
 *      3: `wharf edi validate` (CPU and wall), its start-up alone (the same
 *      command on a one-PO file, in the front and in wharf-core) and
 *      node-x12's strict parse
 *      (tests/bench/x12parse.js, when build/node holds node-x12: the
 *      independent-parser tier installs it);
 *   2. the gateway end to end, ship notices and invoices (child processes);
 *   3. HTTP requests a second through gw_http_do: 2,000 small POSTs on one
 *      kept-alive connection to a libmicrohttpd server on loopback;
 *   4. a large interchange (BENCH_BIG_MB, default 1024 MB) validated from
 *      disk by `wharf edi validate` in a child process: MB/s and peak RSS.
 *
 * `build/bench DIR edi` runs part 1 only, `build/bench DIR e2e` the end-to-end
 * figure of part 2 only.
 * Figures, not assertions: nothing here fails on a slow machine.
 */
#include "edi/check.h"
#include "gateway/net/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const skus[][3] = {
    {"012345678905", "ACME-1001", "B07DFVDRAB"}, {"084123450010", "ACME-1002", "B07DFYF5AB"},
    {"084123450027", "ACME-2001", "B01LNRIIAB"}, {"084123450034", "ACME-2002", "B01LNRIIXY"},
    {"084123450041", "ACME-3001", "B09ZZQ1234"},
};

/* One RP 850 with 4 to 8 lines (about 600 bytes); returns its length. */
static size_t po(char *buf, size_t cap, unsigned long n)
{
    size_t len = 0;
    unsigned lines = 4 + (unsigned)(n % 5), i, qty = 0, seg = 0;
    char ctl[16];

#define PUT(...) (len += (size_t)snprintf(buf + len, cap - len, __VA_ARGS__), seg++)
    snprintf(ctl, sizeof(ctl), "%04lu", n % 1000000000UL);
    PUT("ST*850*%s~\n", ctl);
    PUT("BEG*00*NE*%08lX**20240315~\n", 0x4A000000UL + n);
    PUT("REF*CR*ACME1~\n");
    PUT("FOB*CC~\n");
    PUT("CSH*Y~\n");
    PUT("DTM*064*20240320~\n");
    PUT("DTM*063*20240329~\n");
    PUT("N1*ST**92*ABE%lu~\n", n % 9 + 1);
    for (i = 0; i < lines; i++) {
        unsigned q = 6 * (1 + (unsigned)((n + i) % 8));
        const char *const *s = skus[(n + i) % 5];

        qty += q;
        PUT("PO1*%u*%u*EA*%u.%02u*PE*UP*%s*VN*%s*BP*%s~\n", i + 1, q, 5 + (unsigned)(n % 40),
            (unsigned)((n * 7 + i) % 100), s[0], s[1], s[2]);
    }
    PUT("CTT*%u*%u~\n", lines, qty);
    PUT("SE*%u*%s~\n", seg + 1, ctl);
#undef PUT
    return len;
}

/* An interchange's envelope, with control number ctl (ISA13, GS06). */
static void isa(FILE *f, unsigned ctl)
{
    fprintf(f, "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEVENDOR     "
               "*240315*0712*U*00401*%09u*0*P*>~\n", ctl);
    fprintf(f, "GS*PO*AMAZON*ACMEVENDOR*20240315*0712*%u*X*004010~\n", ctl);
}

static void trailer(FILE *f, unsigned long nsets, unsigned ctl)
{
    fprintf(f, "GE*%lu*%u~\nIEA*1*%09u~\n", nsets, ctl, ctl);
}

/* Writes an interchange of POs until it holds at least `bytes`. */
/* The same, its interchange control number ctl and its POs numbered from
 * first + 1 (files of one run must differ in both). */
static int make_file_at(const char *path, unsigned long nsets, unsigned long long bytes,
                        unsigned long *made, unsigned ctl, unsigned long first)
{
    FILE *f = fopen(path, "wb");
    char buf[2048];
    unsigned long n = 0;
    unsigned long long size = 0;

    if (f == NULL) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    isa(f, ctl);
    while ((nsets && n < nsets) || (!nsets && size < bytes)) {
        size_t len = po(buf, sizeof(buf), first + ++n);

        fwrite(buf, 1, len, f);
        size += len;
    }
    trailer(f, n, ctl);
    if (fclose(f) != 0)
        return -1;
    *made = n;
    return 0;
}

static int make_file(const char *path, unsigned long nsets, unsigned long long bytes,
                     unsigned long *made)
{
    return make_file_at(path, nsets, bytes, made, 1, 0);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The median of n times (sorted in place); v[0] is then the best. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* CPU times of `runs` checks over the buffer: best, and the median in *med. */
static double time_check(const char *data, size_t n, struct edi_guides *g, int envelope_only,
                         int with_ack, int runs, struct edi_check_stats *st, double *med)
{
    double t[16];
    int i;

    for (i = 0; i < runs; i++) {
        struct edi_check_opts o;
        struct edi_ack ack;
        struct edi_ack_opts ao;
        struct edi_ctl_counter ctr;
        struct edi_err err;
        double t0;

        memset(&o, 0, sizeof(o));
        memset(&ao, 0, sizeof(ao));
        ao.now = 1735689600;
        edi_ctl_counter_init(&ctr, &ao.ctl, 1);
        edi_ack_init(&ack, &ao);
        o.guides = g;
        o.envelope_only = envelope_only;
        o.ack = with_ack ? &ack : NULL;
        t0 = cpu_s();
        if (edi_check_mem(st, data, n, &o, &err) < 0) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        t[i] = cpu_s() - t0;
        edi_ack_dispose(&ack);
    }
    *med = median(t, runs);
    return t[0];
}

/* Runs argv in a child; returns its CPU seconds and peak RSS (MB). */
static int run_child(double *cpu, double *rss_mb, double *wall, char *const argv[])
{
    struct rusage ru;
    int status;
    double w0 = now_s();
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stdout) == NULL || freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *wall = now_s() - w0;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    *rss_mb = (double)ru.ru_maxrss / 1024.0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The bench's HTTP server: 202 and a small JSON body to every request,
 * once its body is read. */
static enum MHD_Result accepted(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *ndata, void **req)
{
    static const char body[] = "{\"transactionId\":\"bench\"}";
    static int started;
    struct MHD_Response *r;
    enum MHD_Result ok;

    if (*req == NULL) {
        *req = &started;
        return MHD_YES;
    }
    if (*ndata) {
        *ndata = 0;
        return MHD_YES;
    }
    r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "x-amzn-RequestId", "bench");
    ok = MHD_queue_response(conn, 202, r);
    MHD_destroy_response(r);
    return ok;
}

/* Requests a second through the HTTP client, one connection kept alive. */
static void bench_http(unsigned long n)
{
    static const char json[] = "{\"feedType\":\"POST_ORDER_ACKNOWLEDGEMENT_DATA\",\"marketplaceIds\":[\"ATVPDKIKX0DER\"]}";
    struct sockaddr_in sa = {.sin_family = AF_INET};
    struct MHD_Daemon *d;
    struct gw_http *h;
    struct edi_err err;
    char url[128];
    unsigned long i, ok = 0;
    double w0, c0;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setenv("no_proxy", "127.0.0.1", 1);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, accepted, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    if (d == NULL || gw_http_new(&h, NULL, NULL, &err) < 0) {
        fprintf(stderr, "bench: no HTTP server or client\n");
        if (d)
            MHD_stop_daemon(d);
        return;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/feeds/2021-06-30/feeds",
             MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    w0 = now_s();
    c0 = cpu_s();
    for (i = 0; i < n; i++) {
        struct gw_http_req rq = {.method = "POST", .url = url, .body = json, .nbody = sizeof(json) - 1};
        struct gw_http_resp rs;

        ok += gw_http_do(h, &rq, &rs, &err) == 0 && rs.status == 202;
        gw_http_resp_free(&rs);
    }
    w0 = now_s() - w0;
    c0 = cpu_s() - c0;
    gw_http_free(h);
    MHD_stop_daemon(d);
    printf("http: %lu small POSTs through gw_http_do, one kept-alive connection to a loopback server\n", n);
    printf("  requests                     %8.0f /s     (%.2f s wall, %.2f s CPU with the server, %lu answered 202)\n",
           (double)n / w0, w0, c0, ok);
}

/* A command run 3 times: best and median CPU (user + system) and wall
 * seconds; the exit status of the last run. */
struct runs3 {
    double cpu, cpu_med, wall, wall_med;
    int rc;
};

static int run3(struct runs3 *out, char *const argv[])
{
    double cpu[3], wall[3], rss;
    int i;

    for (i = 0; i < 3; i++)
        if ((out->rc = run_child(&cpu[i], &rss, &wall[i], argv)) < 0 || out->rc == 127)
            return -1;
    out->cpu_med = median(cpu, 3);
    out->cpu = cpu[0];
    out->wall_med = median(wall, 3);
    out->wall = wall[0];
    return 0;
}

/* Part 1: the EDI core on the 10,000 POs, in process and as processes. */
static int bench_edi(const char *dir, const char *wharf, const char *schemas)
{
    char small[4096], one[4096], modules[4096];
    struct edi_guides *g;
    struct edi_check_stats st;
    struct edi_err err;
    unsigned long made, made1;
    char *data;
    size_t n;
    double t, med, mb;
    struct runs3 full, start, node;
    struct stat sb;

    snprintf(small, sizeof(small), "%s/po-10000.edi", dir);
    snprintf(one, sizeof(one), "%s/po-1.edi", dir);
    if (make_file(small, 10000, 0, &made) < 0 || make_file(one, 1, 0, &made1) < 0)
        return -1;
    if (edi_guides_new(&g, schemas, &err) < 0 || edi_read_file(&data, &n, small, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return -1;
    }
    mb = (double)n / 1e6;
    printf("input: %lu Amazon RP 850s, %.1f MB (%s); in process, CPU time, best and median\n", made,
           mb, small);
    t = time_check(data, n, g, 1, 0, 7, &st, &med);
    printf("  tokenize + envelope checks   %8.1f MB/s   (median %.1f MB/s; %.3f s, %llu sets)\n",
           mb / t, mb / med, t, (unsigned long long)st.sets);
    t = time_check(data, n, g, 0, 0, 7, &st, &med);
    printf("  full guide validation        %8.1f MB/s   (median %.1f MB/s; %.3f s, %llu accepted, %llu findings)\n",
           mb / t, mb / med, t, (unsigned long long)st.accepted, (unsigned long long)st.findings);
    t = time_check(data, n, g, 0, 1, 7, &st, &med);
    printf("  validation + 997             %8.1f MB/s   (median %.1f MB/s; %.3f s, %.0f POs/s)\n",
           mb / t, mb / med, t, (double)st.sets / t);
    free(data);
    edi_guides_free(g);

    printf("whole processes on the same file, best and median of 3 (CPU = user + system)\n");
    {
        char *args[] = {(char *)wharf, "edi", "validate", small, NULL};
        char *args1[] = {(char *)wharf, "edi", "validate", one, NULL};

        if (run3(&full, args) < 0 || run3(&start, args1) < 0) {
            fprintf(stderr, "bench: cannot run %s\n", wharf);
            return -1;
        }
    }
    printf("  wharf edi validate           %8.1f MB/s   (%.1f ms CPU, median %.1f; %.1f ms wall, median %.1f; exit %d)\n",
           mb / full.cpu, full.cpu * 1e3, full.cpu_med * 1e3, full.wall * 1e3, full.wall_med * 1e3,
           full.rc);
    printf("  start-up (a one-PO file)     %8.1f ms     (CPU, median %.1f; %.1f ms wall, median %.1f)\n",
           start.cpu * 1e3, start.cpu_med * 1e3, start.wall * 1e3, start.wall_med * 1e3);
    {
        /* the same in the full program, which the front executes when the
         * guide cache lacks something and for every other command */
        char core[4096];
        const char *slash = strrchr(wharf, '/');
        struct runs3 cstart;

        snprintf(core, sizeof(core), "%.*swharf-core", slash ? (int)(slash - wharf + 1) : 0, wharf);
        {
            char *args[] = {core, "edi", "validate", one, NULL};

            if (run3(&cstart, args) == 0)
                printf("  the same in wharf-core       %8.1f ms     (CPU, median %.1f: other commands, cache misses)\n",
                       cstart.cpu * 1e3, cstart.cpu_med * 1e3);
        }
    }
    printf("  without start-up             %8.1f MB/s\n", mb / (full.cpu - start.cpu));
    snprintf(modules, sizeof(modules), "build/node/node_modules");
    if (stat("build/node/node_modules/node-x12/package.json", &sb) == 0 &&
        system("command -v node > /dev/null") == 0) {
        char *args[] = {"/usr/bin/env", "node", "tests/bench/x12parse.js", modules, small, NULL};

        if (run3(&node, args) == 0 && node.rc == 0)
            printf("  node-x12 strict parse        %8.1f MB/s   (%.0f ms CPU, median %.0f; %.0f ms wall): wharf %.0fx faster (CPU), %.0fx (wall)\n",
                   mb / node.cpu, node.cpu * 1e3, node.cpu_med * 1e3, node.wall * 1e3,
                   node.cpu / full.cpu, node.wall / full.wall);
        else
            printf("  node-x12 strict parse        failed (exit %d)\n", node.rc);
    } else {
        printf("  node-x12 strict parse        skipped: no build/node/node_modules/node-x12 or no node\n"
               "                               (tests/integration/independent.sh installs it)\n");
    }
    return 0;
}

/* Part 2's first figure: the gateway end to end, best and median of 3. A
 * fresh workspace each run, the 10,000 POs dropped in, one pass (claim,
 * store, validate, 997, map, sales orders, ERP files): with the default
 * number of map workers (<inbound workers>: the online processors, at
 * most 8) in one file and in 10 files of 1,000 (10 transactions), with one
 * worker thread, and with none (workers="0": each set mapped on the flow's
 * thread). */
static int bench_e2e(const char *dir, const char *wharf)
{
    /* files: the 10,000 POs in one file, or in 10 of 1,000 (the stage
     * split below reads modes 0 and 3) */
    static const struct {
        const char *workers, *label;
        int files;
    } modes[] = {
        {NULL, "end to end (default workers)", 1},
        {NULL, "  the same in 10 files", 10},
        {"1", "  one map worker thread", 1},
        {"0", "  no worker (flow's thread)", 1},
    };
    char small[4096], ws[4200], cmd[17000], inbound[4400], tenth[10][4096];
    unsigned long made = 10000, made1k;
    struct stat sb;
    size_t k;
    int f;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    snprintf(small, sizeof(small), "%s/po-10000.edi", dir);
    if (stat(small, &sb) != 0 && make_file(small, 10000, 0, &made) < 0)
        return -1;
    for (f = 0; f < 10; f++) {
        snprintf(tenth[f], sizeof(tenth[f]), "%s/po-10000-%02d.edi", dir, f);
        if (stat(tenth[f], &sb) != 0 &&
            make_file_at(tenth[f], 1000, 0, &made1k, (unsigned)f + 1, (unsigned long)f * 1000) < 0)
            return -1;
    }
    snprintf(ws, sizeof(ws), "%s/ws", dir);
    snprintf(inbound, sizeof(inbound), "%s/partners/amazon-rp/inbound/po-10000.edi", ws);
    printf("gateway: wharf run --once on the 10,000 POs (sales orders, 997, ERP files), best and median of 3\n"
           "  (default workers here: %ld; peak RSS: the file and at most 32 sets out to the workers)\n",
           cpus < 1 ? 1 : cpus > 8 ? 8 : cpus);
    for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
        double cpu[3], wall[3], rss = 0, rss_max = 0, cpu_best, wall_best;
        int i, rc = 0;

        if (modes[k].workers)
            snprintf(cmd, sizeof(cmd),
                     "rm -rf '%s' && '%s' init '%s' > /dev/null && "
                     "sed -i 's|^  <log |  <inbound workers=\"%s\"/>\\n  <log |' '%s/wharf.xml'",
                     ws, wharf, ws, modes[k].workers, ws);
        else
            snprintf(cmd, sizeof(cmd), "rm -rf '%s' && '%s' init '%s' > /dev/null", ws, wharf, ws);
        for (i = 0; i < 3; i++) {
            char *args[] = {(char *)wharf, "run", "--once", "-w", ws, NULL};

            int dropped = system(cmd) == 0;

            if (modes[k].files == 1) {
                dropped = dropped && link(small, inbound) == 0;
            } else {
                for (f = 0; f < 10 && dropped; f++) {
                    char to[4600];

                    snprintf(to, sizeof(to), "%s/partners/amazon-rp/inbound/%s", ws, strrchr(tenth[f], '/') + 1);
                    dropped = link(tenth[f], to) == 0;
                }
            }
            if (!dropped || (rc = run_child(&cpu[i], &rss, &wall[i], args)) < 0) {
                fprintf(stderr, "bench: cannot run %s end to end\n", wharf);
                return -1;
            }
            if (rss > rss_max)
                rss_max = rss;
        }
        median(cpu, 3);
        median(wall, 3);
        cpu_best = cpu[0];
        wall_best = wall[0];
        printf("  %-28s %8.0f POs/s   (%.2f s wall, median %.2f; %.2f s CPU, median %.2f; %.1f MB peak RSS, exit %d)\n",
               modes[k].label, (double)made / wall_best, wall_best, wall[1], cpu_best, cpu[1], rss_max, rc);
    }
    /* the stage split: one more run of each kind with WHARF_STAGES=1 (wall
     * seconds on the flow's thread; the map's CPU on whatever thread) */
    printf("  stage split (one more run each; WHARF_STAGES=1):\n");
    for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k += 3) {
        static char sh[40000];
        char line[1024];
        FILE *pf;

        if (modes[k].workers)
            snprintf(sh, sizeof(sh),
                     "rm -rf '%s' && '%s' init '%s' > /dev/null && "
                     "sed -i 's|^  <log |  <inbound workers=\"%s\"/>\\n  <log |' '%s/wharf.xml' && "
                     "ln '%s' '%s' && WHARF_STAGES=1 '%s' run --once -w '%s' 2>&1 > /dev/null | grep '^stages:'",
                     ws, wharf, ws, modes[k].workers, ws, small, inbound, wharf, ws);
        else
            snprintf(sh, sizeof(sh),
                     "rm -rf '%s' && '%s' init '%s' > /dev/null && ln '%s' '%s' && "
                     "WHARF_STAGES=1 '%s' run --once -w '%s' 2>&1 > /dev/null | grep '^stages:'",
                     ws, wharf, ws, small, inbound, wharf, ws);
        if ((pf = popen(sh, "r")) == NULL)
            continue;
        while (fgets(line, sizeof(line), pf))
            printf("    %s: %s", modes[k].workers ? "no worker" : "default workers", line + 8);
        pclose(pf);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench-data";
    const char *wharf = getenv("WHARF_BIN") ? getenv("WHARF_BIN") : "build/wharf";
    const char *bigmb = getenv("BENCH_BIG_MB");
    const char *schemas = getenv("WHARF_SCHEMAS") ? getenv("WHARF_SCHEMAS") : WHARF_SCHEMAS;
    unsigned long long big = (bigmb ? strtoull(bigmb, NULL, 10) : 1024) << 20;
    char small[4096], large[4096];
    unsigned long made;
    double t;

    mkdir(dir, 0755);
    if (argc > 2 && strcmp(argv[2], "e2e") == 0)
        return bench_e2e(dir, wharf) < 0;
    snprintf(small, sizeof(small), "%s/po-10000.edi", dir);
    snprintf(large, sizeof(large), "%s/big.edi", dir);
    if (bench_edi(dir, wharf, schemas) < 0)
        return 1;
    if (argc > 2 && strcmp(argv[2], "edi") == 0)
        return 0;

    if (bench_e2e(dir, wharf) < 0)
        return 1;

    /* ship confirmations and invoices: 1,000 POs acknowledged on arrival,
     * one packing list shipping every line in its own carton (SSCCs from
     * the store, one ASN per fulfilment centre), then the invoice run */
    {
        char ws[1024], cmd[8800], inbound[1200], pack[1200], po1k[1200];
        double cpu = 0, rss = 0, wall = 0;
        unsigned long i, rows = 0, made1k = 0;
        int rc;
        FILE *f;

        snprintf(ws, sizeof(ws), "%s/ws-ship", dir);
        snprintf(po1k, sizeof(po1k), "%s/po-1000.edi", dir);
        snprintf(pack, sizeof(pack), "%s/pack-1000.csv", dir);
        snprintf(cmd, sizeof(cmd),
                 "rm -rf '%s' && '%s' init '%s' > /dev/null && "
                 "sed -i 's|<acknowledge mode=\"manual\"|<acknowledge mode=\"auto-all\"|' '%s/wharf.xml'",
                 ws, wharf, ws, ws);
        snprintf(inbound, sizeof(inbound), "%s/partners/amazon-rp/inbound/po-1000.edi", ws);
        if (make_file(po1k, 1000, 0, &made1k) == 0 && system(cmd) == 0 && link(po1k, inbound) == 0 &&
            (f = fopen(pack, "w")) != NULL) {
            char *run[] = {(char *)wharf, "run", "--once", "-w", ws, NULL};
            char *ship[] = {(char *)wharf, "ship", pack, "-w", ws, NULL};
            char *inv[] = {(char *)wharf, "invoice", "run", "-w", ws, NULL};

            /* the same POs make_file wrote: po(n) for n = 1 .. 1000 */
            fprintf(f, "po_number,line_no,quantity,carton_id,warehouse,ship_date,carrier_scac,bol\n");
            for (i = 1; i <= made1k; i++) {
                unsigned lines = 4 + (unsigned)(i % 5), k;

                for (k = 0; k < lines; k++, rows++)
                    fprintf(f, "%08lX,%u,%u,C%lu-%u,NJ1,2024-03-18,ODFL,BOL%lu\n", 0x4A000000UL + i, k + 1,
                            6 * (1 + (unsigned)((i + k) % 8)), i, k + 1, i % 9 + 1);
            }
            fclose(f);
            rc = run_child(&cpu, &rss, &wall, run);
            printf("ship and invoice: %lu POs acknowledged on arrival (run --once: %.1f s CPU, exit %d)\n",
                   made1k, cpu, rc);
            rc = run_child(&cpu, &rss, &wall, ship);
            printf("  wharf ship, %lu cartons      %8.0f cartons/s (%.1f s CPU, %.1f s wall, %.1f MB peak RSS, exit %d)\n",
                   rows, (double)rows / cpu, cpu, wall, rss, rc);
            rc = run_child(&cpu, &rss, &wall, inv);
            printf("  wharf invoice run            %8.0f invoices/s (%.1f s CPU, %.1f s wall, %.1f MB peak RSS, exit %d)\n",
                   (double)made1k / cpu, cpu, wall, rss, rc);
        }
    }

    bench_http(2000);

    if (big == 0)
        return 0;
    {
        double t0 = now_s();
        struct stat sb;
        pid_t pid;
        int status;
        struct rusage ru;
        double w0;

        if (stat(large, &sb) != 0 || (unsigned long long)sb.st_size < big) {
            if (make_file(large, 0, big, &made) < 0)
                return 1;
            printf("made %s (%.0f MB) in %.1f s\n", large, (double)big / 1048576.0, now_s() - t0);
            stat(large, &sb);
        }
        w0 = now_s();
        fflush(stdout);   /* the child must not print our buffer again */
        pid = fork();
        if (pid == 0) {
            int fd = open("/dev/null", 0);

            (void)fd;
            if (freopen("/dev/null", "w", stdout) == NULL)
                _exit(2);
            execl(wharf, wharf, "edi", "validate", large, (char *)NULL);
            _exit(127);
        }
        if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
            fprintf(stderr, "bench: cannot run %s\n", wharf);
            return 1;
        }
        t = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        printf("input: %.0f MB interchange (%s)\n", (double)sb.st_size / 1048576.0, large);
        printf("  wharf edi validate           %8.1f MB/s   (%.1f s CPU, %.1f s wall, exit %d)\n",
               (double)sb.st_size / 1e6 / t, t, now_s() - w0,
               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        printf("  peak RSS                     %8.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    }
    return 0;
}
