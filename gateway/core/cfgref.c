/*
 * cfgref.c — the daemon's configuration shared with its listener's threads
 * (cfgref.h).
 */
#include "gateway/core/cfgref.h"

int gw_cfg_ref_init(struct gw_cfg_ref *r, struct edi_err *err)
{
    r->cfg = NULL;
    if (pthread_rwlock_init(&r->lock, NULL) != 0)
        return edi_fail(err, EDI_ERR, "the configuration's lock could not be made");
    return 0;
}

void gw_cfg_ref_dispose(struct gw_cfg_ref *r)
{
    pthread_rwlock_destroy(&r->lock);
}

void gw_cfg_ref_set(struct gw_cfg_ref *r, const struct gw_config *cfg)
{
    pthread_rwlock_wrlock(&r->lock);
    r->cfg = cfg;
    pthread_rwlock_unlock(&r->lock);
}

const struct gw_config *gw_cfg_ref_hold(struct gw_cfg_ref *r)
{
    pthread_rwlock_rdlock(&r->lock);
    return r->cfg;
}

void gw_cfg_ref_release(struct gw_cfg_ref *r)
{
    pthread_rwlock_unlock(&r->lock);
}
