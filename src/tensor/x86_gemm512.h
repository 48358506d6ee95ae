/* Internal: the AVX-512 VNNI matrix kernel for 16 tokens at a time (prompt processing).
 *
 * The activations of 16 tokens are repacked (on the stack, a K-chunk at a time) so that
 * 64 bytes hold 4 consecutive quants of each of the 16 tokens; one vpdpbusd then takes
 * 4 weight bytes (broadcast) times those 64 bytes into 16 per-token int32 sums. A
 * micro-kernel runs 8 weight rows against the 16 tokens: each weight byte is loaded
 * once per 16 tokens and each activation byte once per 8 rows.
 *
 * Weights are unpacked to unsigned bytes u with value u - bias (or a separate min term
 * for Q4_1/Q5_1 and the K types with mins); the bias times the activation's group sums
 * starts each integer accumulator. Integer sums are exact; scales are applied in float
 * per block (per super-block for the K types, whose sub-scales are applied in int32). */
#ifndef NURI_TENSOR_X86_GEMM512_H
#define NURI_TENSOR_X86_GEMM512_H

#include "tensor/x86_matdot.h"

#define G_TOK 16 /* tokens per tile: the 16 int32 lanes of a zmm */
#define G_ROWS 8 /* weight rows per micro-kernel */
#define G_KC 2048 /* elements per K chunk (a multiple of 256) */

/* ---- activation repacking ---- */

typedef struct {
    int8_t q[G_KC / 32][8][G_TOK][4]; /* block, group of 4, token, quant */
    float d[G_KC / 32][G_TOK];
    int32_t sum[G_KC / 32][G_TOK];  /* sum of the block's quants */
    float s[G_KC / 32][G_TOK];      /* Q8_1: the s field (d * sum) */
} xpack32;

typedef struct {
    int8_t q[G_KC / 256][64][G_TOK][4];
    int32_t bsum[G_KC / 256][16][G_TOK]; /* sums of groups of 16 */
    float d[G_KC / 256][G_TOK];
} xpackk;

/* Copies 4-byte groups of one token's row into column t of the packed layout. */
NURI_INLINE void scatter_groups(const uint8_t *src, int ngroups, int8_t (*dst)[G_TOK][4], int t) {
    for (int g = 0; g < ngroups; g++) memcpy(dst[g][t], src + 4 * g, 4);
}

static void pack32(const uint8_t *x, size_t xrb, int64_t b0, int nb, int q81, xpack32 *p) {
    const size_t xbs = q81 ? sizeof(blk_q8_1) : sizeof(blk_q8_0), xqs = q81 ? 4 : 2;
    for (int t = 0; t < G_TOK; t++) {
        const uint8_t *row = x + (size_t)t * xrb + (size_t)b0 * xbs;
        for (int b = 0; b < nb; b++) {
            const uint8_t *blk = row + (size_t)b * xbs;
            scatter_groups(blk + xqs, 8, p->q[b], t);
            p->d[b][t] = h2f(ld16(blk));
            if (q81) p->s[b][t] = h2f(ld16(blk + 2));
            const __m256i v = loadu256(blk + xqs);
            p->sum[b][t] = hsum_epi32(dot_us(_mm256_set1_epi8(1), v));
        }
    }
}

static void packk(const uint8_t *x, size_t xrb, int64_t b0, int nb, xpackk *p) {
    for (int t = 0; t < G_TOK; t++) {
        const uint8_t *row = x + (size_t)t * xrb + (size_t)b0 * sizeof(blk_q8_k);
        for (int b = 0; b < nb; b++) {
            const blk_q8_k *blk = (const blk_q8_k *)(row + (size_t)b * sizeof(blk_q8_k));
            scatter_groups((const uint8_t *)blk->qs, 64, p->q[b], t);
            for (int g = 0; g < 16; g++) p->bsum[b][g][t] = blk->bsums[g];
            p->d[b][t] = blk->d;
        }
    }
}

/* ---- results ---- */

/* Writes (or adds) 16 token results of one row: out[t*ld]. */
NURI_INLINE void put16(float *out, int64_t ld, __m512 v, int add) {
    float tmp[G_TOK];
    _mm512_storeu_ps(tmp, v);
    for (int t = 0; t < G_TOK; t++) out[t * ld] = add ? out[t * ld] + tmp[t] : tmp[t];
}

NURI_INLINE __m512i bcast4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

/* ---- 32-element block types ---- */

NURI_INLINE void g32_micro(int k, int R, int nb, const uint8_t *w, size_t wrb, const xpack32 *p,
                           float *out, int64_t ld, int add) {
    const size_t wbs = q32_wbytes(k);
    const int mn = q32_has_min(k);
    const int bs = q32_bias_shift(k);
    __m512 acc[G_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        _Alignas(32) uint8_t wq[G_ROWS][32];
        float dw[G_ROWS], mw[G_ROWS];
        for (int r = 0; r < R; r++) {
            __m256i u, sg;
            mw[r] = 0.0f;
            q32_unpack(k, w + (size_t)r * wrb + (size_t)b * wbs, &u, &sg, &dw[r], &mw[r]);
            _mm256_store_si256((__m256i *)wq[r], u);
        }
        __m512i init = _mm512_setzero_si512();
        if (bs >= 0)
            init = _mm512_sub_epi32(_mm512_setzero_si512(),
                                    _mm512_sll_epi32(_mm512_loadu_si512(p->sum[b]), _mm_cvtsi32_si128(bs)));
        __m512i ia[G_ROWS];
        for (int r = 0; r < R; r++) ia[r] = init;
        for (int g = 0; g < 8; g++) {
            const __m512i codes = _mm512_loadu_si512(p->q[b][g]);
            for (int r = 0; r < R; r++) ia[r] = _mm512_dpbusd_epi32(ia[r], bcast4(wq[r] + 4 * g), codes);
        }
        const __m512 dx = _mm512_loadu_ps(p->d[b]);
        for (int r = 0; r < R; r++) {
            acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ia[r]), _mm512_mul_ps(_mm512_set1_ps(dw[r]), dx), acc[r]);
            if (mn) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(mw[r]), _mm512_loadu_ps(p->s[b]), acc[r]);
        }
    }
    for (int r = 0; r < R; r++) put16(out + r, ld, acc[r], add);
}

/* ---- K-quants ---- */

typedef struct {
    _Alignas(32) uint8_t u[256];
    int32_t sc[16]; /* per sub-block (of 32 for Q4_K/Q5_K, else of 16) */
    int32_t mn[16]; /* Q2_K/Q4_K/Q5_K: min per sub-block */
    float d, dmin;
} gk_row;

NURI_INLINE int gk_sub(int k) { return (k == KQ_Q4 || k == KQ_Q5) ? 32 : 16; }
NURI_INLINE int gk_has_min(int k) { return k == KQ_Q2 || k == KQ_Q4 || k == KQ_Q5; }
NURI_INLINE int gk_bias(int k) { return k == KQ_Q6 ? 32 : k == KQ_Q3 ? 4 : 0; }

NURI_INLINE void gk_unpack(int k, const uint8_t *b, gk_row *o) {
    kq_unpacked U;
    kq_unpack(k, b, &U);
    for (int j = 0; j < 8; j++) _mm256_store_si256((__m256i *)(o->u + 32 * j), U.u[j]);
    o->d = U.d;
    o->dmin = U.dmin;
    switch (k) {
    case KQ_Q2: {
        const blk_q2_k *q = (const blk_q2_k *)b;
        for (int g = 0; g < 16; g++) {
            o->sc[g] = q->scales[g] & 0xF;
            o->mn[g] = q->scales[g] >> 4;
        }
        break;
    }
    case KQ_Q3: {
        int8_t sc[16];
        q3k_scales(((const blk_q3_k *)b)->scales, sc);
        for (int g = 0; g < 16; g++) o->sc[g] = sc[g];
        break;
    }
    case KQ_Q4:
    case KQ_Q5:
        for (int j = 0; j < 8; j++) {
            uint8_t sc, m;
            kq_scale_min(b + 4, j, &sc, &m);
            o->sc[j] = sc;
            o->mn[j] = m;
        }
        break;
    default:
        for (int g = 0; g < 16; g++) o->sc[g] = ((const blk_q6_k *)b)->scales[g];
    }
}

NURI_INLINE void gk_micro(int k, int R, int nb, const uint8_t *w, size_t wrb, const xpackk *p,
                          float *out, int64_t ld, int add) {
    const size_t wbs = kq_wbytes(k);
    const int sub = gk_sub(k), nsub = 256 / sub, has_min = gk_has_min(k), bias = gk_bias(k);
    __m512 acc[G_ROWS];
    for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        gk_row U[G_ROWS];
        for (int r = 0; r < R; r++) gk_unpack(k, w + (size_t)r * wrb + (size_t)b * wbs, &U[r]);
        __m512i s1[G_ROWS], s2[G_ROWS];
        for (int r = 0; r < R; r++) s1[r] = s2[r] = _mm512_setzero_si512();
        for (int j = 0; j < nsub; j++) {
            /* Group sums of this sub-block (one or two groups of 16). */
            __m512i gs = _mm512_loadu_si512(p->bsum[b][j * sub / 16]);
            if (sub == 32) gs = _mm512_add_epi32(gs, _mm512_loadu_si512(p->bsum[b][2 * j + 1]));
            const __m512i init = bias ? _mm512_mullo_epi32(gs, _mm512_set1_epi32(-bias)) : _mm512_setzero_si512();
            __m512i ia[G_ROWS];
            for (int r = 0; r < R; r++) ia[r] = init;
            for (int g = j * sub / 4; g < (j + 1) * sub / 4; g++) {
                const __m512i codes = _mm512_loadu_si512(p->q[b][g]);
                for (int r = 0; r < R; r++) ia[r] = _mm512_dpbusd_epi32(ia[r], bcast4(U[r].u + 4 * g), codes);
            }
            for (int r = 0; r < R; r++) {
                s1[r] = _mm512_add_epi32(s1[r], _mm512_mullo_epi32(ia[r], _mm512_set1_epi32(U[r].sc[j])));
                if (has_min) s2[r] = _mm512_add_epi32(s2[r], _mm512_mullo_epi32(gs, _mm512_set1_epi32(U[r].mn[j])));
            }
        }
        const __m512 dx = _mm512_loadu_ps(p->d[b]);
        for (int r = 0; r < R; r++) {
            __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(s1[r]), _mm512_set1_ps(U[r].d));
            if (has_min) f = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(s2[r]), _mm512_set1_ps(U[r].dmin), f);
            acc[r] = _mm512_fmadd_ps(f, dx, acc[r]);
        }
    }
    for (int r = 0; r < R; r++) put16(out + r, ld, acc[r], add);
}

/* ---- driver ---- */

/* Runs tokens [0, n16) (a multiple of 16) for rows [r0, r1); the caller does the rest. */
NURI_INLINE void gemm_run(int fam, int k, int64_t n, const uint8_t *w, size_t wrb, int64_t r0,
                          int64_t r1, const uint8_t *x, size_t xrb, int64_t n16, float *out,
                          int64_t ld) {
    const int bsz = fam == FAM_Q32 ? 32 : 256;
    const size_t wbs = fam == FAM_Q32 ? q32_wbytes(k) : kq_wbytes(k);
    const int64_t nblk = n / bsz;
    for (int64_t t0 = 0; t0 < n16; t0 += G_TOK) {
        for (int64_t c0 = 0; c0 < nblk; c0 += G_KC / bsz) {
            const int nb = (int)(nblk - c0 < G_KC / bsz ? nblk - c0 : G_KC / bsz);
            const int add = c0 > 0;
            const uint8_t *xt = x + (size_t)t0 * xrb;
            float *ot = out + t0 * ld;
            if (fam == FAM_Q32) {
                xpack32 p;
                pack32(xt, xrb, c0, nb, q32_has_min(k), &p);
                int64_t r = r0;
                for (; r + G_ROWS <= r1; r += G_ROWS)
                    g32_micro(k, G_ROWS, nb, w + (size_t)r * wrb + (size_t)c0 * wbs, wrb, &p, ot + r, ld, add);
                for (; r < r1; r++) g32_micro(k, 1, nb, w + (size_t)r * wrb + (size_t)c0 * wbs, wrb, &p, ot + r, ld, add);
            } else {
                xpackk p;
                packk(xt, xrb, c0, nb, &p);
                int64_t r = r0;
                for (; r + G_ROWS <= r1; r += G_ROWS)
                    gk_micro(k, G_ROWS, nb, w + (size_t)r * wrb + (size_t)c0 * wbs, wrb, &p, ot + r, ld, add);
                for (; r < r1; r++) gk_micro(k, 1, nb, w + (size_t)r * wrb + (size_t)c0 * wbs, wrb, &p, ot + r, ld, add);
            }
        }
    }
}

#define GEMM_CASE(T, fam, kk)                                                                    \
    case T:                                                                                      \
        gemm_run(fam, kk, n, (const uint8_t *)w, wrb, r0, r1, (const uint8_t *)x, xrb, n16, out, ld); \
        break;

/* 16-token tiles through the repacked kernel, the remaining tokens through the tiles of
 * x86_matdot.h; float types always through the latter. */
static void x86_mat_dot_512(nuri_type wt, int64_t n, const void *w, size_t wrb, int64_t r0, int64_t r1,
                            const void *x, size_t xrb, int64_t n_tok, float *out, int64_t ld) {
    int64_t n16 = n > 0 ? n_tok - n_tok % G_TOK : 0;
    if (n16 > 0) switch (wt) {
        GEMM_CASE(NURI_TYPE_Q4_0, FAM_Q32, Q32_Q4_0)
        GEMM_CASE(NURI_TYPE_Q4_1, FAM_Q32, Q32_Q4_1)
        GEMM_CASE(NURI_TYPE_Q5_0, FAM_Q32, Q32_Q5_0)
        GEMM_CASE(NURI_TYPE_Q5_1, FAM_Q32, Q32_Q5_1)
        GEMM_CASE(NURI_TYPE_Q8_0, FAM_Q32, Q32_Q8_0)
        GEMM_CASE(NURI_TYPE_IQ4_NL, FAM_Q32, Q32_IQ4_NL)
        GEMM_CASE(NURI_TYPE_Q2_K, FAM_KQ, KQ_Q2)
        GEMM_CASE(NURI_TYPE_Q3_K, FAM_KQ, KQ_Q3)
        GEMM_CASE(NURI_TYPE_Q4_K, FAM_KQ, KQ_Q4)
        GEMM_CASE(NURI_TYPE_Q5_K, FAM_KQ, KQ_Q5)
        GEMM_CASE(NURI_TYPE_Q6_K, FAM_KQ, KQ_Q6)
    default: n16 = 0;
    }
    if (n16 < n_tok)
        x86_mat_dot(wt, n, w, wrb, r0, r1, (const uint8_t *)x + (size_t)n16 * xrb, xrb, n_tok - n16,
                    out + n16 * ld, ld);
}

#endif
