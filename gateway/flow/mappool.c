/*
 * mappool.c — map workers (mappool.h): one queue under one mutex, jobs
 * taken first in, first out; each worker creates its engine on its own
 * thread (an engine's per-thread state, like the SP-API model cache, is
 * that thread's) and frees it there.
 */
#include "gateway/flow/mappool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct worker {
    struct gw_map_pool *p;
    pthread_t th;
    int started;
};

struct gw_map_pool {
    const struct map_engine *like;
    pthread_mutex_t mu;
    pthread_cond_t work;      /* a job queued, or stop */
    pthread_cond_t done;      /* a job done, or a worker ready */
    struct gw_map_job *head, *tail;
    int stop;
    unsigned nready, nfailed;
    struct edi_err why;       /* the first worker that could not start */
    struct worker *w;
    unsigned n;
};

unsigned gw_map_workers_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct gw_map_pool *p = w->p;
    struct map_engine *e = NULL;
    struct edi_err err;

    edi_err_clear(&err);
    map_engine_new_like(&e, p->like, &err);
    pthread_mutex_lock(&p->mu);
    if (e == NULL && p->nfailed++ == 0)
        p->why = err;
    p->nready++;
    pthread_cond_broadcast(&p->done);
    while (e != NULL) {
        struct gw_map_job *j;

        while (p->head == NULL && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->head == NULL)
            break;
        j = p->head;
        p->head = j->next;
        if (p->head == NULL)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->run(j, e);
        pthread_mutex_lock(&p->mu);
        j->done = 1;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    map_engine_free(e);
    return NULL;
}

int gw_map_pool_new(struct gw_map_pool **out, unsigned workers, const struct map_engine *e,
                    struct edi_err *err)
{
    struct gw_map_pool *p = edi_xcalloc(1, sizeof(*p));
    unsigned i;

    *out = NULL;
    p->like = e;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    edi_err_clear(&p->why);
    p->w = edi_xcalloc(workers, sizeof(*p->w));
    for (i = 0; i < workers; i++) {
        p->w[i].p = p;
        if (pthread_create(&p->w[i].th, NULL, worker_main, &p->w[i]) != 0)
            break;
        p->w[i].started = 1;
        p->n++;
    }
    pthread_mutex_lock(&p->mu);
    while (p->nready < p->n)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (p->n < workers || p->nfailed) {
        int rc = p->nfailed ? edi_fail(err, p->why.rc, "map worker: %s", p->why.msg)
                            : edi_fail(err, EDI_ERR, "cannot start %u map worker threads", workers);

        gw_map_pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void gw_map_pool_free(struct gw_map_pool *p)
{
    unsigned i;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->n; i++)
        if (p->w[i].started)
            pthread_join(p->w[i].th, NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->w);
    free(p);
}

unsigned gw_map_pool_workers(const struct gw_map_pool *p)
{
    return p ? p->n : 0;
}

void gw_map_pool_submit(struct gw_map_pool *p, struct gw_map_job *j)
{
    j->next = NULL;
    j->done = 0;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

void gw_map_pool_wait(struct gw_map_pool *p, struct gw_map_job *j)
{
    pthread_mutex_lock(&p->mu);
    while (!j->done)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
