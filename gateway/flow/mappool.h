/*
 * mappool.h — the inbound flow's map workers (issue 18): threads that each
 * own a map engine and run jobs handed to them; the caller waits for each
 * job in the order it chose, so whatever it does with the results (the
 * store, the log) stays on its own thread in that order.
 *
 * A job reads only what it was given and its worker's engine: never the
 * store, the log or a transport.
 */
#ifndef WHARF_MAPPOOL_H
#define WHARF_MAPPOOL_H

#include "edi/edi.h"
#include "mappings/map.h"

struct gw_map_pool;

struct gw_map_job {
    /* runs on a worker with the worker's engine */
    void (*run)(struct gw_map_job *j, struct map_engine *e);
    /* the pool's */
    struct gw_map_job *next;
    int done;
};

/* The sets a file may have mapped ahead of the store: a fixed window,
 * whatever the number of workers, so the store's calls are the same. */
#define GW_MAP_WINDOW 32

/* Online processors, at most 8: the default number of workers. */
unsigned gw_map_workers_default(void);

/* workers threads, each with an engine like e (map_engine_new_like). */
int gw_map_pool_new(struct gw_map_pool **out, unsigned workers, const struct map_engine *e,
                    struct edi_err *err);
void gw_map_pool_free(struct gw_map_pool *p);
unsigned gw_map_pool_workers(const struct gw_map_pool *p);

/* j runs on worker to (modulo the number of workers), soon: a worker's
 * jobs start in the order they are submitted. Choosing the worker lets a
 * caller have what a worker allocated freed by that worker: a block freed
 * by another thread than the one that allocated it costs more than
 * mapping a small PO's worth of it (issue 18). */
void gw_map_pool_submit(struct gw_map_pool *p, unsigned to, struct gw_map_job *j);
/* Returns when j has run. */
void gw_map_pool_wait(struct gw_map_pool *p, struct gw_map_job *j);

#endif
