/* Single-precision matrix products for training: C (+)= op(A) op(B), row-major, with
 * either operand transposed through its packing. Each element of C is summed over k in
 * blocks of TR_KC in increasing order, and threads only ever split rows or columns of C,
 * so the result does not depend on the thread count. */
#ifndef NURI_TRAIN_GEMM_H
#define NURI_TRAIN_GEMM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/pool.h"

#define TR_MR 6
#define TR_NR 16
#define TR_KC 256
#define TR_MC 96
#define TR_NC 1024
/* Floats of packing scratch one thread needs. */
#define TR_PACK_FLOATS ((size_t)TR_MC * TR_KC + (size_t)TR_KC * TR_NC)

typedef struct {
    int m, n, k;
    const float *a;
    int lda;
    bool ta; /* op(A)[i][p] = ta ? a[p*lda + i] : a[i*lda + p] */
    const float *b;
    int ldb;
    bool tb; /* op(B)[p][j] = tb ? b[j*ldb + p] : b[p*ldb + j] */
    float *c;
    int ldc;
    bool acc; /* C += op(A) op(B); else C = op(A) op(B) */
} tr_gemm_op;

/* c[i*ldc + j] = (acc ? c : 0) + sum_p a[p*TR_MR + i] * b[p*TR_NR + j] for a full tile. */
typedef void (*tr_ukernel_fn)(int kc, const float *a, const float *b, float *c, int ldc, bool acc);

void tr_ukernel_scalar(int kc, const float *a, const float *b, float *c, int ldc, bool acc);
void tr_ukernel_avx2(int kc, const float *a, const float *b, float *c, int ldc, bool acc);
/* The fastest kernel this CPU runs. */
tr_ukernel_fn tr_ukernel_best(void);

/* One thread; pack: TR_PACK_FLOATS floats. */
void tr_gemm_serial(const tr_gemm_op *g, tr_ukernel_fn uk, float *pack);
/* Split over the pool's threads; packs: TR_PACK_FLOATS floats per thread. */
void tr_gemm(nuri_pool *pool, const tr_gemm_op *g, tr_ukernel_fn uk, float *packs);

#endif
