#include "base/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* Spin iterations before a worker sleeps: long enough to cover the gap between two
 * jobs of one forward pass, short enough not to burn a core while idle. Spinners yield
 * now and then so that an oversubscribed machine still makes progress. */
#define SPIN_ITERS 20000
#define YIELD_EVERY 256

typedef struct {
    nuri_pool *pool;
    int ith;
    pthread_t thread;
} worker;

struct nuri_pool {
    int n;
    worker *workers;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    atomic_uint generation;
    atomic_int pending;
    atomic_bool stop;
    nuri_task_fn fn;
    void *ctx;
};

static void *worker_main(void *arg) {
    worker *w = arg;
    nuri_pool *p = w->pool;
    /* Generation 0 is the state at creation: reading the live counter here instead could
     * skip a job published before this thread got scheduled. */
    unsigned seen = 0;
    for (;;) {
        unsigned gen;
        int spins = 0;
        while ((gen = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen &&
               spins < SPIN_ITERS) {
            CPU_RELAX();
            if (++spins % YIELD_EVERY == 0) sched_yield();
        }
        if (gen == seen) {
            pthread_mutex_lock(&p->mu);
            while ((gen = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen)
                pthread_cond_wait(&p->wake, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        seen = gen;
        if (atomic_load_explicit(&p->stop, memory_order_acquire)) return NULL;
        p->fn(p->ctx, w->ith, p->n);
        atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel);
    }
}

nuri_status nuri_pool_new(int n_threads, nuri_pool **out, nuri_error *err) {
    *out = NULL;
    if (n_threads < 1 || n_threads > 1024)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "thread count %d is outside [1, 1024]", n_threads);
    nuri_pool *p = calloc(1, sizeof *p);
    if (!p) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    p->n = n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    atomic_init(&p->generation, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->stop, false);
    if (n_threads > 1) {
        p->workers = calloc((size_t)n_threads, sizeof *p->workers);
        if (!p->workers) {
            nuri_pool_free(p);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        for (int i = 1; i < n_threads; i++) {
            p->workers[i].pool = p;
            p->workers[i].ith = i;
            if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
                p->n = i; /* only join the ones that started */
                nuri_pool_free(p);
                return nuri_fail(err, NURI_ERR_NOMEM, "cannot start thread %d of %d", i, n_threads);
            }
        }
    }
    *out = p;
    return NURI_OK;
}

int nuri_pool_size(const nuri_pool *pool) { return pool->n; }

static void publish(nuri_pool *p) {
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_acq_rel);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

void nuri_pool_run(nuri_pool *p, nuri_task_fn fn, void *ctx) {
    if (p->n == 1) {
        fn(ctx, 0, 1);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    atomic_store_explicit(&p->pending, p->n - 1, memory_order_release);
    publish(p);
    fn(ctx, 0, p->n);
    for (unsigned spins = 1; atomic_load_explicit(&p->pending, memory_order_acquire) > 0; spins++) {
        CPU_RELAX();
        if (spins % YIELD_EVERY == 0) sched_yield();
    }
}

void nuri_pool_free(nuri_pool *p) {
    if (!p) return;
    if (p->workers) {
        atomic_store_explicit(&p->stop, true, memory_order_release);
        publish(p);
        for (int i = 1; i < p->n; i++) pthread_join(p->workers[i].thread, NULL);
        free(p->workers);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    free(p);
}
