/* The pool runs each thread index exactly once per job, across many jobs. */
#include <stdatomic.h>

#include "base/pool.h"
#include "test.h"

typedef struct {
    atomic_int hits[8];
    long long sum[8];
} job;

static void task(void *ctx, int ith, int nth) {
    job *j = ctx;
    atomic_fetch_add(&j->hits[ith], 1);
    long long lo, hi;
    nuri_split(1000, ith, nth, 7, &lo, &hi);
    for (long long i = lo; i < hi; i++) j->sum[ith] += i;
}

int main(void) {
    nuri_error err;
    for (int n = 1; n <= 4; n++) {
        nuri_pool *p;
        CHECK_OK(nuri_pool_new(n, &p, &err), &err);
        CHECK(nuri_pool_size(p) == n);
        job j = {0};
        for (int rep = 0; rep < 500; rep++) nuri_pool_run(p, task, &j);
        long long total = 0;
        for (int i = 0; i < n; i++) {
            CHECKF(atomic_load(&j.hits[i]) == 500, "thread %d ran %d times", i, atomic_load(&j.hits[i]));
            total += j.sum[i];
        }
        CHECK(total == 500LL * (999 * 1000 / 2));
        nuri_pool_free(p);
    }
    CHECK(nuri_pool_new(0, &(nuri_pool *){0}, &err) == NURI_ERR_INVALID_ARG);
    /* The split covers [0, n) without gaps or overlaps, in aligned chunks. */
    for (int nth = 1; nth <= 5; nth++) {
        long long prev = 0;
        for (int ith = 0; ith < nth; ith++) {
            long long lo, hi;
            nuri_split(103, ith, nth, 16, &lo, &hi);
            CHECK(lo == prev && hi >= lo && (lo % 16 == 0 || lo == 103));
            prev = hi;
        }
        CHECK(prev == 103);
    }
    return test_done("test_pool");
}
