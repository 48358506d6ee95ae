/* A persistent thread pool. nuri_pool_run(fn) calls fn(ctx, i, n) once for every thread
 * index i in [0, n), the caller being thread 0, and returns when all have finished.
 * Workers spin briefly between jobs (a forward pass issues hundreds of small jobs per
 * token) and then sleep on a condition variable. */
#ifndef NURI_BASE_POOL_H
#define NURI_BASE_POOL_H

#include "nuri/base.h"

typedef struct nuri_pool nuri_pool;
typedef void (*nuri_task_fn)(void *ctx, int ith, int nth);

nuri_status nuri_pool_new(int n_threads, nuri_pool **out, nuri_error *err);
void nuri_pool_free(nuri_pool *pool);
int nuri_pool_size(const nuri_pool *pool);
void nuri_pool_run(nuri_pool *pool, nuri_task_fn fn, void *ctx);

/* The half-open range of n items that thread ith of nth handles, in chunks of `align`. */
static inline void nuri_split(long long n, int ith, int nth, long long align, long long *lo,
                              long long *hi) {
    long long chunks = (n + align - 1) / align;
    long long per = chunks / nth, extra = chunks % nth;
    long long c0 = ith * per + (ith < extra ? ith : extra);
    long long c1 = c0 + per + (ith < extra ? 1 : 0);
    *lo = c0 * align < n ? c0 * align : n;
    *hi = c1 * align < n ? c1 * align : n;
}

#endif
