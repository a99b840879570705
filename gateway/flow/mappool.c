/*
 * mappool.c — map workers (mappool.h): a queue per worker under one mutex,
 * jobs taken first in, first out; each worker creates its engine on its
 * own thread (an engine's per-thread state, like the SP-API model cache, is
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
    pthread_cond_t work;            /* a job queued here, or stop */
    struct gw_map_job *head, *tail;
};

struct gw_map_pool {
    const struct map_engine *like;
    pthread_mutex_t mu;
    pthread_cond_t done;      /* a job done, or a worker ready */
    int stop;
    unsigned nready, nfailed;
    struct edi_err why;       /* the first worker that could not start */
    struct worker *w;
    unsigned n, cap;          /* started, made */
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

        while (w->head == NULL && !p->stop)
            pthread_cond_wait(&w->work, &p->mu);
        if (w->head == NULL)
            break;
        j = w->head;
        w->head = j->next;
        if (w->head == NULL)
            w->tail = NULL;
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
    pthread_cond_init(&p->done, NULL);
    edi_err_clear(&p->why);
    p->w = edi_xcalloc(workers, sizeof(*p->w));
    p->cap = workers;
    for (i = 0; i < workers; i++)
        pthread_cond_init(&p->w[i].work, NULL);
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
    for (i = 0; i < p->n; i++)
        pthread_cond_broadcast(&p->w[i].work);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->n; i++)
        if (p->w[i].started)
            pthread_join(p->w[i].th, NULL);
    /* every condition was made, also those of threads that did not start */
    for (i = 0; i < p->cap; i++)
        pthread_cond_destroy(&p->w[i].work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->w);
    free(p);
}

unsigned gw_map_pool_workers(const struct gw_map_pool *p)
{
    return p ? p->n : 0;
}

void gw_map_pool_submit(struct gw_map_pool *p, unsigned to, struct gw_map_job *j)
{
    struct worker *w = &p->w[to % p->n];

    j->next = NULL;
    j->done = 0;
    pthread_mutex_lock(&p->mu);
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&p->mu);
}

void gw_map_pool_wait(struct gw_map_pool *p, struct gw_map_job *j)
{
    pthread_mutex_lock(&p->mu);
    while (!j->done)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
