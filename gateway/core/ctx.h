/*
 * ctx.h — what one run of the gateway works with: the configuration, the
 * store, the guides and maps, the clock, the log and the stop flag; the
 * counts a pass reports; the log itself. Every flow, transport and ERP
 * connector takes a struct gw_ctx.
 */
#ifndef WHARF_CORE_CTX_H
#define WHARF_CORE_CTX_H

#include "gateway/core/config.h"
#include "gateway/store/store.h"

#include <stdio.h>
#include <time.h>

/* What one run of the gateway works with. */
struct gw_ctx {
    struct gw_config *cfg;
    struct gw_store *store;
    struct edi_guides *guides;   /* borrowed from maps (map_engine_guides) */
    struct map_engine *maps;
    time_t now;
    FILE *log;               /* one line per event */
    volatile int *stop;      /* set by SIGTERM: finish the current file, then stop */
    struct gw_erp_log *erp_log;  /* the ERP change log of the inbound file being processed (erp.h) */
    /* the inbound flow's map workers (flow/mappool.h), started at the
     * first file that has orders to map, stopped by gw_ctx_close */
    void *map_pool;
    void (*map_pool_free)(void *pool);
};

/* What a pass did, for its summary line. */
struct gw_stats {
    unsigned files, duplicates, quarantined;
    unsigned sets, accepted, rejected;
    unsigned orders_created, orders_updated, duplicate_ship_ids;
    unsigned acks_queued, shipments_queued, invoices_queued, invoices_held, sent, send_failures;
    unsigned errors;
    /* seconds (WHARF_STAGES=1 prints them at the end of `wharf run --once`;
     * make bench): the inbound files' validation, 997 and documents; their
     * orders (parse, map, store: the map workers' part overlaps), of which
     * storing on the flow's thread and the map's CPU on every thread; the
     * commits with their ERP change logs */
    double t_check, t_orders, t_store, t_map_cpu, t_commit;
};

/* Opens everything a workspace needs (config, store, guides, maps, with
 * the workspace's own code lists before the installed ones). */
int gw_ctx_open(struct gw_ctx *c, const char *workspace, const char *schemas_dir,
                const char *mappings_dir, struct edi_err *err);
void gw_ctx_close(struct gw_ctx *c);

/* One log line, "TIME LEVEL message", in one write (two processes' lines
 * never interleave); values from outside (file names, EDI values) are
 * escaped, so none can forge a line or reach a terminal raw. */
void gw_log(struct gw_ctx *c, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* <log format="json">: each line one JSON object (gw_log_json_line). A
 * context with a configuration follows its <log format>; one without (the
 * HTTP listeners' threads) follows this process-wide switch, which the
 * daemon sets from its configuration. */
void gw_log_set_json(int on);
/* One JSON log line: {"time":...,"level":...,"partner":...,"document":...,
 * "event":...} and '\n'; partner and document null when NULL. */
void gw_log_json_line(struct edi_buf *out, time_t t, const char *level, const char *partner,
                      const char *document, const char *event);
/* Appends s (n bytes) as a JSON string, quotes included: control
 * characters as \n, \r, \t or \u00XX, quote and backslash escaped,
 * bytes that are not UTF-8 as U+FFFD, so any input is one valid string. */
void gw_json_str(struct edi_buf *out, const char *s, size_t n);
/* The length of the well-formed UTF-8 character at p (shortest form, no
 * surrogates), 0 when there is none there. */
size_t gw_utf8_len(const unsigned char *p, size_t n);

/* SPEC: issue 18 — for the gateway's bulk work (`wharf run`, `wharf
 * serve`), before anything else: when the process allocates with mimalloc
 * (the release build), its memory comes in 2 MB pages (transparent huge
 * pages, asked for with madvise): MIMALLOC_LARGE_OS_PAGES=1 is set and the
 * program executed again with argv (mimalloc reads its options when it
 * loads), unless MIMALLOC_LARGE_OS_PAGES is set already (=0: not).
 * 10,000 POs end to end: 28,000 page faults fewer and 10 to 15 % less CPU
 * (fewer TLB misses), for 15 MB more peak RSS; the daemon keeps what it
 * took at its peak (such pages are not given back). Nothing with another
 * allocator. */
void gw_alloc_bulk(char **argv);

#endif
