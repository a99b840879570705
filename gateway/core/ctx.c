/*
 * ctx.c — what one run of the gateway works with (ctx.h): opening the
 * workspace (maps and guides, configuration, store) and the log.
 */
#include "gateway/core/ctx.h"
#include "edi/text.h"

#include <dlfcn.h>
#include <mimalloc.h>   /* the option's number only: mimalloc is looked up (gw_alloc_bulk) */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile int log_json;   /* the process-wide switch (gw_log_set_json) */

void gw_log_set_json(int on)
{
    __atomic_store_n(&log_json, on, __ATOMIC_RELAXED);
}

size_t gw_utf8_len(const unsigned char *p, size_t n)
{
    uint32_t cp;
    size_t k, i;

    if (n == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        k = 2, cp = p[0] & 0x1f;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        k = 3, cp = p[0] & 0x0f;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        k = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (n < k)
        return 0;
    for (i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    /* overlong forms, surrogates, past U+10FFFF */
    if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k;
}

void gw_json_str(struct edi_buf *out, const char *s, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;

    edi_buf_putc(out, '"');
    while (i < n) {
        unsigned char c = p[i];

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            edi_buf_putc(out, (char)c);
            i++;
        } else if (c == '"' || c == '\\') {
            edi_buf_putc(out, '\\');
            edi_buf_putc(out, (char)c);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            if (c == '\n')
                edi_buf_puts(out, "\\n");
            else if (c == '\r')
                edi_buf_puts(out, "\\r");
            else if (c == '\t')
                edi_buf_puts(out, "\\t");
            else
                edi_buf_printf(out, "\\u00%c%c", hx[c >> 4], hx[c & 15]);
            i++;
        } else if ((k = gw_utf8_len(p + i, n - i)) != 0) {
            /* C1 controls (U+0080..U+009F) escaped too: no terminal sees them raw */
            if (k == 2 && c == 0xc2 && p[i + 1] < 0xa0)
                edi_buf_printf(out, "\\u00%c%c", hx[p[i + 1] >> 4], hx[p[i + 1] & 15]);
            else
                edi_buf_put(out, p + i, k);
            i += k;
        } else {
            edi_buf_puts(out, "\\ufffd");
            i++;
        }
    }
    edi_buf_putc(out, '"');
}

void gw_log_json_line(struct edi_buf *out, time_t t, const char *level, const char *partner,
                      const char *document, const char *event)
{
    char when[32];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    edi_buf_printf(out, "{\"time\":\"%s\",\"level\":", when);
    gw_json_str(out, level, strlen(level));
    edi_buf_puts(out, ",\"partner\":");
    if (partner)
        gw_json_str(out, partner, strlen(partner));
    else
        edi_buf_puts(out, "null");
    edi_buf_puts(out, ",\"document\":");
    if (document)
        gw_json_str(out, document, strlen(document));
    else
        edi_buf_puts(out, "null");
    edi_buf_puts(out, ",\"event\":");
    gw_json_str(out, event, strlen(event));
    edi_buf_puts(out, "}\n");
}

/* A word of msg from *at: up to a space or a ':' (its length). */
static size_t word(const char *msg, size_t at)
{
    size_t k = at;

    while (msg[k] && msg[k] != ' ' && msg[k] != ':')
        k++;
    return k - at;
}

/* What the call sites write, "PARTNER DOCUMENT: event" or "PARTNER: event"
 * (and "erp ID: event"), split: partner when the first word is a
 * configured partner (or "erp" and a connector's id), document when the
 * second word ends with ':'; the event is what follows. Otherwise the
 * whole message is the event. */
static const char *split(const struct gw_config *cfg, const char *msg, char *partner, size_t pcap, char *doc,
                         size_t dcap)
{
    size_t n1 = word(msg, 0), at, n2, i;
    int known = 0;

    partner[0] = doc[0] = '\0';
    if (cfg == NULL || n1 == 0 || n1 >= pcap)
        return msg;
    snprintf(partner, pcap, "%.*s", (int)n1, msg);
    at = n1;
    if (gw_config_partner(cfg, partner) != NULL)
        known = 1;
    else if (strcmp(partner, "erp") == 0 && msg[n1] == ' ') {
        n2 = word(msg, n1 + 1);
        for (i = 0; i < cfg->nerps && !known; i++)
            if (strlen(cfg->erps[i].id) == n2 && strncmp(cfg->erps[i].id, msg + n1 + 1, n2) == 0 && n2 < pcap) {
                snprintf(partner, pcap, "%.*s", (int)n2, msg + n1 + 1);
                at = n1 + 1 + n2;
                known = 1;
            }
    }
    if (!known) {
        partner[0] = '\0';
        return msg;
    }
    if (msg[at] == ':')
        return msg + at + 1 + (msg[at + 1] == ' ');
    if (msg[at] == ' ' && (n2 = word(msg, at + 1)) > 0 && msg[at + 1 + n2] == ':' && n2 < dcap) {
        snprintf(doc, dcap, "%.*s", (int)n2, msg + at + 1);
        at += 1 + n2 + 1;
        return msg + at + (msg[at] == ' ');
    }
    return msg + at + (msg[at] == ' ');
}

void gw_log(struct gw_ctx *c, const char *level, const char *fmt, ...)
{
    char when[32];
    struct tm tm;
    va_list ap;
    struct edi_buf line;
    FILE *f = c->log ? c->log : stderr;
    int json = c->cfg ? c->cfg->log_json : __atomic_load_n(&log_json, __ATOMIC_RELAXED);

    edi_buf_init(&line, 0);
    if (json) {
        char msg[2048], partner[128], doc[128];
        const char *event;
        int len;

        va_start(ap, fmt);
        len = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (len < 0)
            msg[0] = '\0';
        len = (int)strlen(msg);
        while (len > 0 && msg[len - 1] == '\n')
            msg[--len] = '\0';
        event = split(c->cfg, msg, partner, sizeof(partner), doc, sizeof(doc));
        gw_log_json_line(&line, c->now, level, partner[0] ? partner : NULL, doc[0] ? doc : NULL, event);
    } else {
        gmtime_r(&c->now, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        edi_buf_printf(&line, "%s %-5s ", when, level);
        /* SPEC: issue 12 — values from outside (file names, EDI values) are in
         * the message: escaped, so none can forge a line or reach a terminal raw */
        va_start(ap, fmt);
        edi_escape_vline(&line, fmt, ap);
        va_end(ap);
    }
    /* one write per line, so lines of two processes never interleave */
    fwrite(line.p, 1, line.n, f);
    fflush(f);
    edi_buf_dispose(&line);
}

int gw_ctx_open(struct gw_ctx *c, const char *workspace, const char *schemas_dir,
                const char *mappings_dir, struct edi_err *err)
{
    int rc;

    if ((rc = map_engine_new(&c->maps, mappings_dir, schemas_dir, err)) < 0)
        return rc;
    /* the vendor's own cross-references (WORKSPACE/codelists/) come before
     * the installed lists */
    map_engine_set_workspace(c->maps, workspace && *workspace ? workspace : ".");
    /* one guide registry for validation and maps: each guide compiles once */
    c->guides = map_engine_guides(c->maps);
    if ((rc = gw_config_load_with(&c->cfg, workspace, schemas_dir, c->guides, c->maps, err)) < 0)
        goto fail;
    if ((rc = gw_store_open(&c->store, c->cfg->store_path, err)) < 0)
        goto fail;
    return 0;
fail:
    gw_ctx_close(c);
    return rc;
}

void gw_ctx_close(struct gw_ctx *c)
{
    if (c->map_pool && c->map_pool_free)
        c->map_pool_free(c->map_pool);
    c->map_pool = NULL;
    gw_store_close(c->store);
    gw_config_free(c->cfg);
    map_engine_free(c->maps);   /* and the guides it owns */
    c->store = NULL;
    c->cfg = NULL;
    c->maps = NULL;
    c->guides = NULL;
}

void gw_alloc_bulk(char **argv)
{
    void (*set)(mi_option_t, long);

    /* set: the user's choice, or this process after its exec below */
    if (getenv("MIMALLOC_LARGE_OS_PAGES"))
        return;
    /* found only when mimalloc serves the process: the builds without it
     * (sanitizers, valgrind) are not linked with it */
    *(void **)&set = dlsym(RTLD_DEFAULT, "mi_option_set");
    if (set == NULL || setenv("MIMALLOC_LARGE_OS_PAGES", "1", 1) != 0)
        return;
    /* mimalloc reads its options when it loads, and memory it has mapped
     * keeps its pages: the same program again, its options read anew. Not
     * under a preloaded library (valgrind's, a profiler's): valgrind would
     * not follow /proc/self/exe */
    if (getenv("LD_PRELOAD") == NULL)
        execv("/proc/self/exe", argv);
    /* no exec: the memory mapped from now on */
    set(mi_option_large_os_pages, 1);
}
