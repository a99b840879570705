/*
 * cfgref.h — the configuration a running daemon works with, shared with the
 * threads of its HTTP listener (api/metrics.c, api/api.c): they read it
 * under a read lock for as long as a request uses it, and the daemon swaps
 * it at a SIGHUP reload under the write lock, which waits for the requests
 * reading it, so the old one may be freed after. A request thus never loads
 * wharf.xml itself.
 */
#ifndef WHARF_CORE_CFGREF_H
#define WHARF_CORE_CFGREF_H

#include "gateway/core/config.h"

#include <pthread.h>

struct gw_cfg_ref {
    pthread_rwlock_t lock;
    const struct gw_config *cfg;   /* borrowed; NULL: none yet */
};

int gw_cfg_ref_init(struct gw_cfg_ref *r, struct edi_err *err);
void gw_cfg_ref_dispose(struct gw_cfg_ref *r);
/* The configuration from now on (borrowed; NULL: none). Returns once no
 * request reads the one before. */
void gw_cfg_ref_set(struct gw_cfg_ref *r, const struct gw_config *cfg);
/* The configuration, read-locked until gw_cfg_ref_release (even when it
 * is NULL). */
const struct gw_config *gw_cfg_ref_hold(struct gw_cfg_ref *r);
void gw_cfg_ref_release(struct gw_cfg_ref *r);

#endif
