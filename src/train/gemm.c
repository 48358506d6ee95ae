/* Blocked matrix product with packed panels (the usual three-level blocking: a KC x NC
 * panel of B, an MC x KC block of A, an MR x NR register tile), portable scalar kernel. */
#include "train/gemm.h"

#include <stdatomic.h>
#include <string.h>

#include "nuri/tensor.h"

static void tile_scalar(int kc, const float *a, const float *b, float *c, int ldc, bool acc) {
    float t[TR_MR][TR_NR];
    memset(t, 0, sizeof t);
    for (int p = 0; p < kc; p++, a += TR_MR, b += TR_NR)
        for (int i = 0; i < TR_MR; i++)
            for (int j = 0; j < TR_NR; j++) t[i][j] += a[i] * b[j];
    for (int i = 0; i < TR_MR; i++)
        for (int j = 0; j < TR_NR; j++) c[(size_t)i * ldc + j] = (acc ? c[(size_t)i * ldc + j] : 0.0f) + t[i][j];
}

static void pack_a_scalar(const float *a, size_t lda, int kc, float *dst) {
    for (int p = 0; p < kc; p++)
        for (int i = 0; i < TR_MR; i++) dst[p * TR_MR + i] = a[(size_t)i * lda + p];
}

static void pack_bt_scalar(const float *b, size_t ldb, int kc, float *dst) {
    for (int p = 0; p < kc; p++)
        for (int j = 0; j < TR_NR; j++) dst[p * TR_NR + j] = b[(size_t)j * ldb + p];
}

const tr_gemm_kernels tr_gemm_scalar = {tile_scalar, pack_a_scalar, pack_bt_scalar};

tr_ukernel_fn tr_ukernel_best(void) {
#if defined(__x86_64__)
    if (nuri_cpu_has(NURI_ISA_AVX2)) return &tr_gemm_avx2;
#endif
    return &tr_gemm_scalar;
}

/* Rows [i0, i0+mc) x depth [p0, p0+kc) of op(A) as MR-row panels, zero-padded. */
static void pack_a(const tr_gemm_op *g, tr_ukernel_fn uk, int i0, int mc, int p0, int kc, float *dst) {
    for (int ir = 0; ir < mc; ir += TR_MR) {
        const int mr = mc - ir < TR_MR ? mc - ir : TR_MR;
        if (!g->ta) {
            /* Six row streams read together, the panel written in order. */
            const float *src[TR_MR];
            for (int i = 0; i < TR_MR; i++) src[i] = g->a + (size_t)(i0 + ir + (i < mr ? i : 0)) * g->lda + p0;
            if (mr == TR_MR) {
                uk->pack_a(src[0], (size_t)g->lda, kc, dst);
            } else {
                for (int p = 0; p < kc; p++)
                    for (int i = 0; i < TR_MR; i++) dst[p * TR_MR + i] = i < mr ? src[i][p] : 0.0f;
            }
        } else {
            for (int p = 0; p < kc; p++) {
                const float *src = g->a + (size_t)(p0 + p) * g->lda + i0 + ir;
                for (int i = 0; i < TR_MR; i++) dst[p * TR_MR + i] = i < mr ? src[i] : 0.0f;
            }
        }
        dst += (size_t)kc * TR_MR;
    }
}

/* Depth [p0, p0+kc) x columns [j0, j0+nc) of op(B) as NR-column panels, zero-padded. */
static void pack_b(const tr_gemm_op *g, tr_ukernel_fn uk, int p0, int kc, int j0, int nc, float *dst) {
    for (int jr = 0; jr < nc; jr += TR_NR) {
        const int nr = nc - jr < TR_NR ? nc - jr : TR_NR;
        if (!g->tb) {
            for (int p = 0; p < kc; p++) {
                const float *src = g->b + (size_t)(p0 + p) * g->ldb + j0 + jr;
                float *d = dst + (size_t)p * TR_NR;
                if (nr == TR_NR) {
                    memcpy(d, src, TR_NR * sizeof(float));
                } else {
                    for (int j = 0; j < TR_NR; j++) d[j] = j < nr ? src[j] : 0.0f;
                }
            }
        } else {
            const float *src[TR_NR];
            for (int j = 0; j < TR_NR; j++) src[j] = g->b + (size_t)(j0 + jr + (j < nr ? j : 0)) * g->ldb + p0;
            if (nr == TR_NR) {
                uk->pack_bt(src[0], (size_t)g->ldb, kc, dst);
            } else {
                for (int p = 0; p < kc; p++)
                    for (int j = 0; j < TR_NR; j++) dst[p * TR_NR + j] = j < nr ? src[j][p] : 0.0f;
            }
        }
        dst += (size_t)kc * TR_NR;
    }
}

void tr_gemm_serial(const tr_gemm_op *g, tr_ukernel_fn uk, float *pack) {
    if (g->m <= 0 || g->n <= 0) return;
    if (g->k <= 0) {
        if (!g->acc)
            for (int i = 0; i < g->m; i++) memset(g->c + (size_t)i * g->ldc, 0, (size_t)g->n * sizeof(float));
        return;
    }
    float *ap = pack, *bp = pack + TR_PACK_A_FLOATS;
    float edge[TR_MR * TR_NR];
    for (int j0 = 0; j0 < g->n; j0 += TR_NC) {
        const int nc = g->n - j0 < TR_NC ? g->n - j0 : TR_NC;
        for (int p0 = 0; p0 < g->k; p0 += TR_KC) {
            const int kc = g->k - p0 < TR_KC ? g->k - p0 : TR_KC;
            const bool acc = g->acc || p0 > 0;
            pack_b(g, uk, p0, kc, j0, nc, bp);
            for (int i0 = 0; i0 < g->m; i0 += TR_MC) {
                const int mc = g->m - i0 < TR_MC ? g->m - i0 : TR_MC;
                pack_a(g, uk, i0, mc, p0, kc, ap);
                for (int jr = 0; jr < nc; jr += TR_NR) {
                    const int nr = nc - jr < TR_NR ? nc - jr : TR_NR;
                    const float *b = bp + (size_t)jr * kc;
                    for (int ir = 0; ir < mc; ir += TR_MR) {
                        const int mr = mc - ir < TR_MR ? mc - ir : TR_MR;
                        const float *a = ap + (size_t)ir * kc;
                        float *c = g->c + (size_t)(i0 + ir) * g->ldc + j0 + jr;
                        if (mr == TR_MR && nr == TR_NR) {
                            uk->tile(kc, a, b, c, g->ldc, acc);
                        } else {
                            /* Partial tile: same arithmetic through a full scratch tile. */
                            uk->tile(kc, a, b, edge, TR_NR, false);
                            for (int i = 0; i < mr; i++)
                                for (int j = 0; j < nr; j++)
                                    c[(size_t)i * g->ldc + j] =
                                        (acc ? c[(size_t)i * g->ldc + j] : 0.0f) + edge[i * TR_NR + j];
                        }
                    }
                }
            }
        }
    }
}

/* Threads take chunks of columns (or rows) from a shared counter rather than a fixed
 * share: on a busy machine a descheduled thread then holds up only its current chunk.
 * Which thread computes a chunk changes no bit of it. */
typedef struct {
    const tr_gemm_op *g;
    tr_ukernel_fn uk;
    float *packs;
    bool split_cols;
    long long total, chunk;
    atomic_llong next;
} gemm_job;

static void gemm_task(void *arg, int ith, int nth) {
    (void)nth;
    gemm_job *j = arg;
    for (;;) {
        const long long lo = atomic_fetch_add(&j->next, j->chunk);
        if (lo >= j->total) return;
        const long long hi = lo + j->chunk < j->total ? lo + j->chunk : j->total;
        tr_gemm_op sub = *j->g;
        if (j->split_cols) {
            sub.n = (int)(hi - lo);
            if (sub.tb) sub.b += (size_t)lo * sub.ldb;
            else sub.b += lo;
            sub.c += lo;
        } else {
            sub.m = (int)(hi - lo);
            if (sub.ta) sub.a += lo;
            else sub.a += (size_t)lo * sub.lda;
            sub.c += (size_t)lo * sub.ldc;
        }
        tr_gemm_serial(&sub, j->uk, j->packs + (size_t)ith * TR_PACK_FLOATS);
    }
}

void tr_gemm(nuri_pool *pool, const tr_gemm_op *g, tr_ukernel_fn uk, float *packs) {
    const int nth = pool ? nuri_pool_size(pool) : 1;
    if (nth <= 1 || (long long)g->m * g->n * g->k < 32768) {
        tr_gemm_serial(g, uk, packs);
        return;
    }
    /* Split the wider side, in whole register tiles, about four chunks per thread (each
     * chunk packs the other operand again, so not many more). */
    gemm_job j;
    j.g = g;
    j.uk = uk;
    j.packs = packs;
    j.split_cols = (long long)g->n * TR_MR >= (long long)g->m * TR_NR;
    j.total = j.split_cols ? g->n : g->m;
    const int align = j.split_cols ? TR_NR : TR_MR;
    const long long units = (j.total + align - 1) / align;
    long long per = (units + 4LL * nth - 1) / (4LL * nth);
    if (per < 1) per = 1;
    j.chunk = per * align;
    atomic_init(&j.next, 0);
    nuri_pool_run(pool, gemm_task, &j);
}
