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
/* Floats of packing scratch one thread needs (the A block, 16 floats of slack that vector
 * packing may overwrite, the B panel). */
#define TR_PACK_A_FLOATS ((size_t)TR_MC * TR_KC + 16)
#define TR_PACK_FLOATS (TR_PACK_A_FLOATS + (size_t)TR_KC * TR_NC)

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

typedef struct {
    /* c[i*ldc + j] = (acc ? c : 0) + sum_p a[p*TR_MR + i] * b[p*TR_NR + j], a full tile. */
    void (*tile)(int kc, const float *a, const float *b, float *c, int ldc, bool acc);
    /* dst[p*TR_MR + i] = a[i*lda + p]: a full panel of TR_MR rows, kc deep; may write
     * 16 floats past the panel. */
    void (*pack_a)(const float *a, size_t lda, int kc, float *dst);
    /* dst[p*TR_NR + j] = b[j*ldb + p]: a full panel of TR_NR rows of B^T, kc deep. */
    void (*pack_bt)(const float *b, size_t ldb, int kc, float *dst);
} tr_gemm_kernels;
typedef const tr_gemm_kernels *tr_ukernel_fn;

extern const tr_gemm_kernels tr_gemm_scalar;
extern const tr_gemm_kernels tr_gemm_avx2;
/* The fastest kernels this CPU runs. */
tr_ukernel_fn tr_ukernel_best(void);

/* One thread; pack: TR_PACK_FLOATS floats. */
void tr_gemm_serial(const tr_gemm_op *g, tr_ukernel_fn uk, float *pack);
/* Split over the pool's threads; packs: TR_PACK_FLOATS floats per thread. */
void tr_gemm(nuri_pool *pool, const tr_gemm_op *g, tr_ukernel_fn uk, float *packs);

#endif
