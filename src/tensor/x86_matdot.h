/* Internal: tiled dot products for x86 (AVX2, or AVX-512 with VNNI), included once by
 * each ISA's kernel file. A tile is R weight rows times T activation rows: each weight
 * block is unpacked once and used for T tokens, each activation block loaded once and
 * used for R rows. vec_dot is the 1x1 tile.
 *
 * Integer sums are exact. Every weight block becomes an unsigned byte operand u and,
 * where its values are u - bias, the activation's sum times bias is subtracted (folded
 * into the accumulator's starting value with VNNI). Without VNNI, signed 8-bit weights
 * (Q8_0, IQ4_NL) use the sign trick |w| * (x * sign w) so pair sums stay in int16. */
#ifndef NURI_TENSOR_X86_MATDOT_H
#define NURI_TENSOR_X86_MATDOT_H

#include "tensor/blocks.h"
#include "tensor/kernels_impl.h"
#include "tensor/x86_simd.h"

#if !defined(TILE_R) || !defined(TILE_T) || TILE_R > 4 || TILE_T > 4
#error "define TILE_R and TILE_T (1..4) before including x86_matdot.h"
#endif

/* ---- 32-element block types against Q8_0 / Q8_1 ---- */

enum { Q32_Q4_0, Q32_Q4_1, Q32_Q5_0, Q32_Q5_1, Q32_Q8_0, Q32_IQ4_NL };

NURI_INLINE size_t q32_wbytes(int k) {
    switch (k) {
    case Q32_Q4_1: return sizeof(blk_q4_1);
    case Q32_Q5_0: return sizeof(blk_q5_0);
    case Q32_Q5_1: return sizeof(blk_q5_1);
    case Q32_Q8_0: return sizeof(blk_q8_0);
    default: return sizeof(blk_q4_0);
    }
}

/* Q4_1 and Q5_1 carry a min m: their dot adds m * s of the Q8_1 activation block. */
NURI_INLINE int q32_has_min(int k) { return k == Q32_Q4_1 || k == Q32_Q5_1; }

NURI_INLINE int q32_sign_trick(int k) { return !NURI_VNNI && (k == Q32_Q8_0 || k == Q32_IQ4_NL); }

/* log2 of the bias subtracted from u, or -1 for none. */
NURI_INLINE int q32_bias_shift(int k) {
    switch (k) {
    case Q32_Q4_0: return 3;
    case Q32_Q5_0: return 4;
    case Q32_Q8_0:
    case Q32_IQ4_NL: return NURI_VNNI ? 7 : -1;
    default: return -1;
    }
}

NURI_INLINE __m256i q32_signed_to_operand(int k, __m256i w, __m256i *sg) {
    if (q32_sign_trick(k)) {
        *sg = w;
        return _mm256_abs_epi8(w);
    }
    return _mm256_xor_si256(w, _mm256_set1_epi8((char)0x80)); /* w + 128 */
}

NURI_INLINE void q32_unpack(int k, const uint8_t *b, __m256i *u, __m256i *sg, float *d, float *m) {
    const __m256i b4 = _mm256_set1_epi8(0x10);
    *d = h2f(ld16(b));
    switch (k) {
    case Q32_Q4_0: *u = nibbles32(b + 2); break;
    case Q32_Q4_1:
        *m = h2f(ld16(b + 2));
        *u = nibbles32(b + 4);
        break;
    case Q32_Q5_0: *u = _mm256_or_si256(nibbles32(b + 6), _mm256_and_si256(bits_to_bytes(ld32(b + 2)), b4)); break;
    case Q32_Q5_1:
        *m = h2f(ld16(b + 2));
        *u = _mm256_or_si256(nibbles32(b + 8), _mm256_and_si256(bits_to_bytes(ld32(b + 4)), b4));
        break;
    case Q32_Q8_0: *u = q32_signed_to_operand(k, loadu256(b + 2), sg); break;
    default: {
        const __m256i levels = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)iq4nl_levels));
        *u = q32_signed_to_operand(k, _mm256_shuffle_epi8(levels, nibbles32(b + 2)), sg);
    }
    }
}

NURI_INLINE void q32_tile(int k, int R, int T, int64_t nb, const uint8_t *w, size_t wrb,
                          const uint8_t *x, size_t xrb, float *out, int64_t ld) {
    const size_t wbs = q32_wbytes(k);
    const int mn = q32_has_min(k);
    const size_t xbs = mn ? sizeof(blk_q8_1) : sizeof(blk_q8_0), xqs = mn ? 4 : 2;
    const int bs = q32_bias_shift(k);
    __m256 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m256i xv[4], xb[4];
        __m256 dx[4], xs[4];
        for (int t = 0; t < T; t++) {
            const uint8_t *xp = x + (size_t)t * xrb + (size_t)b * xbs;
            xv[t] = loadu256(xp + xqs);
            dx[t] = _mm256_set1_ps(h2f(ld16(xp)));
            /* m*s spread over 8 lanes: the horizontal sum gives it back exactly. */
            if (mn) xs[t] = _mm256_set1_ps(h2f(ld16(xp + 2)) * 0.125f);
            if (bs >= 0) {
                const __m256i s = _mm256_sll_epi32(dot_us(_mm256_set1_epi8(1), xv[t]), _mm_cvtsi32_si128(bs));
                xb[t] = NURI_VNNI ? _mm256_sub_epi32(_mm256_setzero_si256(), s) : s;
            }
        }
        for (int r = 0; r < R; r++) {
            __m256i u, sg = _mm256_setzero_si256();
            float dwf, mwf = 0.0f;
            q32_unpack(k, w + (size_t)r * wrb + (size_t)b * wbs, &u, &sg, &dwf, &mwf);
            const __m256 dw = _mm256_set1_ps(dwf), mw = _mm256_set1_ps(mwf);
            for (int t = 0; t < T; t++) {
                __m256i dot;
                if (NURI_VNNI) {
                    dot = dot_us_acc(bs >= 0 ? xb[t] : _mm256_setzero_si256(), u, xv[t]);
                } else if (q32_sign_trick(k)) {
                    dot = dot_us(u, _mm256_sign_epi8(xv[t], sg));
                } else {
                    dot = dot_us(u, xv[t]);
                    if (bs >= 0) dot = _mm256_sub_epi32(dot, xb[t]);
                }
                acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(dw, dx[t]), acc[r][t]);
                if (mn) acc[r][t] = _mm256_fmadd_ps(mw, xs[t], acc[r][t]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) out[(int64_t)t * ld + r] = hsum_ps(acc[r][t]);
}

/* One token against many rows (generation): the activation's per-block terms (scale,
 * bias times sum, min term) are computed once per chunk of blocks instead of per row,
 * and rows are read one after another as a single stream. */
#define GEMV_CHUNK 256

NURI_INLINE void q32_gemv(int k, int64_t nb, const uint8_t *w, size_t wrb, int64_t nrows,
                          const uint8_t *x, float *out) {
    const size_t wbs = q32_wbytes(k);
    const int mn = q32_has_min(k);
    const size_t xbs = mn ? sizeof(blk_q8_1) : sizeof(blk_q8_0), xqs = mn ? 4 : 2;
    const int bs = q32_bias_shift(k);
    for (int64_t c0 = 0; c0 < nb; c0 += GEMV_CHUNK) {
        const int cn = (int)(nb - c0 < GEMV_CHUNK ? nb - c0 : GEMV_CHUNK);
        int32_t xb[GEMV_CHUNK];
        float dx[GEMV_CHUNK], xs[GEMV_CHUNK];
        for (int b = 0; b < cn; b++) {
            const uint8_t *xp = x + (size_t)(c0 + b) * xbs;
            dx[b] = h2f(ld16(xp));
            xs[b] = mn ? h2f(ld16(xp + 2)) : 0.0f;
            xb[b] = bs >= 0 ? hsum_epi32(dot_us(_mm256_set1_epi8(1), loadu256(xp + xqs))) * (1 << bs) : 0;
        }
        for (int64_t r = 0; r < nrows; r++) {
            const uint8_t *wr = w + (size_t)r * wrb + (size_t)c0 * wbs;
            const uint8_t *xr = x + (size_t)c0 * xbs;
            __m256 acc = _mm256_setzero_ps();
            float macc = 0.0f;
            for (int b = 0; b < cn; b++) {
                __m256i u, sg = _mm256_setzero_si256();
                float dw, mw = 0.0f;
                q32_unpack(k, wr + (size_t)b * wbs, &u, &sg, &dw, &mw);
                const __m256i xv = loadu256(xr + (size_t)b * xbs + xqs);
                __m256i dot;
                if (NURI_VNNI) {
                    dot = dot_us_acc(_mm256_castsi128_si256(_mm_cvtsi32_si128(-xb[b])), u, xv);
                } else if (q32_sign_trick(k)) {
                    dot = dot_us(u, _mm256_sign_epi8(xv, sg));
                } else {
                    dot = dot_us(u, xv);
                    if (bs >= 0) dot = _mm256_sub_epi32(dot, _mm256_castsi128_si256(_mm_cvtsi32_si128(xb[b])));
                }
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(dw * dx[b]), acc);
                if (mn) macc += mw * xs[b];
            }
            const float v = hsum_ps(acc) + macc;
            out[r] = c0 ? out[r] + v : v;
        }
    }
}

/* ---- K-quants against Q8_K ----
 * Every K type is  d * sum_g sc_g * sum(u*x) - dmin * sum_g mn_g * bsum_g  with unsigned
 * quants u, int scales per pair-product lane and int multipliers of the 16 group sums. */

enum { KQ_Q2, KQ_Q3, KQ_Q4, KQ_Q5, KQ_Q6 };

typedef struct {
    __m256i u[8];  /* quants 32k..32k+31 as unsigned bytes */
    __m256i sc[8]; /* int16 scale of each int16 lane of maddubs(u[k], x) */
    __m256i mn;    /* int16 multiplier of each of the 16 bsums */
    float d, dmin;
} kq_unpacked;

NURI_INLINE size_t kq_wbytes(int k) {
    switch (k) {
    case KQ_Q2: return sizeof(blk_q2_k);
    case KQ_Q3: return sizeof(blk_q3_k);
    case KQ_Q4: return sizeof(blk_q4_k);
    case KQ_Q5: return sizeof(blk_q5_k);
    default: return sizeof(blk_q6_k);
    }
}

/* Scale vector for 32 quants spanning groups of 16 g0 (lanes 0-7) and g1 (lanes 8-15). */
NURI_INLINE __m256i sc_pair(int g0, int g1) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi16((short)g0)), _mm_set1_epi16((short)g1), 1);
}

NURI_INLINE __m256i srl16(__m256i v, int n) { return _mm256_srl_epi16(v, _mm_cvtsi32_si128(n)); }

NURI_INLINE void kq_unpack(int k, const uint8_t *b, kq_unpacked *o) {
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    int16_t mn[16];
    switch (k) {
    case KQ_Q2: {
        const blk_q2_k *q = (const blk_q2_k *)b;
        o->d = h2f(q->d);
        o->dmin = h2f(q->dmin);
        for (int h = 0; h < 2; h++) {
            const __m256i v = loadu256(q->qs + 32 * h);
            for (int s = 0; s < 4; s++) o->u[4 * h + s] = _mm256_and_si256(srl16(v, 2 * s), m3);
        }
        for (int j = 0; j < 8; j++) o->sc[j] = sc_pair(q->scales[2 * j] & 0xF, q->scales[2 * j + 1] & 0xF);
        for (int g = 0; g < 16; g++) mn[g] = (int16_t)(q->scales[g] >> 4);
        break;
    }
    case KQ_Q3: {
        const blk_q3_k *q = (const blk_q3_k *)b;
        o->d = o->dmin = h2f(q->d);
        const __m256i hm = loadu256(q->hmask);
        for (int h = 0; h < 2; h++) {
            const __m256i v = loadu256(q->qs + 32 * h);
            for (int s = 0; s < 4; s++) {
                const int j = 4 * h + s;
                const __m256i hb = _mm256_slli_epi16(_mm256_and_si256(srl16(hm, j), one), 2);
                o->u[j] = _mm256_or_si256(_mm256_and_si256(srl16(v, 2 * s), m3), hb);
            }
        }
        int8_t sc[16];
        q3k_scales(q->scales, sc);
        for (int j = 0; j < 8; j++) o->sc[j] = sc_pair(sc[2 * j], sc[2 * j + 1]);
        for (int g = 0; g < 16; g++) mn[g] = (int16_t)(4 * sc[g]); /* u = value + 4 */
        break;
    }
    case KQ_Q4:
    case KQ_Q5: {
        /* Same header layout: d, dmin, scales[12]; Q5_K then has qh[32] before qs. */
        const uint8_t *scales = b + 4;
        const uint8_t *qs = b + (k == KQ_Q4 ? 16 : 48);
        o->d = h2f(ld16(b));
        o->dmin = h2f(ld16(b + 2));
        const __m256i qh = k == KQ_Q5 ? loadu256(b + 16) : _mm256_setzero_si256();
        for (int p = 0; p < 4; p++) {
            const __m256i v = loadu256(qs + 32 * p);
            o->u[2 * p] = _mm256_and_si256(v, m4);
            o->u[2 * p + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            if (k == KQ_Q5) {
                for (int e = 0; e < 2; e++) {
                    const int j = 2 * p + e;
                    const __m256i hb = _mm256_slli_epi16(_mm256_and_si256(srl16(qh, j), one), 4);
                    o->u[j] = _mm256_or_si256(o->u[j], hb);
                }
            }
        }
        for (int j = 0; j < 8; j++) {
            uint8_t sc, m;
            kq_scale_min(scales, j, &sc, &m);
            o->sc[j] = _mm256_set1_epi16((short)sc);
            mn[2 * j] = mn[2 * j + 1] = (int16_t)m;
        }
        break;
    }
    default: {
        const blk_q6_k *q = (const blk_q6_k *)b;
        o->d = o->dmin = h2f(q->d);
        const __m256i m30 = _mm256_set1_epi8(0x30);
        for (int h = 0; h < 2; h++) {
            const __m256i l0 = loadu256(q->ql + 64 * h), l1 = loadu256(q->ql + 64 * h + 32);
            const __m256i hi = loadu256(q->qh + 32 * h);
            __m256i *u = o->u + 4 * h;
            u[0] = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(hi, 4), m30));
            u[1] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hi, 2), m30));
            u[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(hi, m30));
            u[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                   _mm256_and_si256(_mm256_srli_epi16(hi, 2), m30));
        }
        for (int j = 0; j < 8; j++) o->sc[j] = sc_pair(q->scales[2 * j], q->scales[2 * j + 1]);
        for (int g = 0; g < 16; g++) mn[g] = (int16_t)(32 * q->scales[g]); /* u = value + 32 */
    }
    }
    o->mn = _mm256_loadu_si256((const __m256i *)mn);
}

NURI_INLINE void kq_tile(int k, int R, int T, int64_t nb, const uint8_t *w, size_t wrb,
                         const uint8_t *x, size_t xrb, float *out, int64_t ld) {
    const size_t wbs = kq_wbytes(k);
    /* Q3_K and Q6_K have one scale: the correction joins the integer sum. */
    const int same_d = k == KQ_Q3 || k == KQ_Q6;
    __m256 acc[4][4];
    kq_unpacked U[4];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        for (int r = 0; r < R; r++) kq_unpack(k, w + (size_t)r * wrb + (size_t)b * wbs, &U[r]);
        const uint8_t *xp[4];
        float dx[4];
        for (int t = 0; t < T; t++) {
            xp[t] = x + (size_t)t * xrb + (size_t)b * sizeof(blk_q8_k);
            memcpy(&dx[t], xp[t], sizeof(float));
        }
        for (int r = 0; r < R; r++) {
            __m256i is[4];
            for (int t = 0; t < T; t++) is[t] = _mm256_setzero_si256();
            for (int j = 0; j < 8; j++) {
                const __m256i u = U[r].u[j], sc = U[r].sc[j];
                for (int t = 0; t < T; t++) {
                    const __m256i p = _mm256_maddubs_epi16(u, loadu256(xp[t] + 4 + 32 * j));
                    is[t] = madd16_acc(is[t], p, sc);
                }
            }
            for (int t = 0; t < T; t++) {
                const __m256i corr = _mm256_madd_epi16(U[r].mn, loadu256(xp[t] + 260));
                if (same_d) {
                    const __m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(is[t], corr));
                    acc[r][t] = _mm256_fmadd_ps(v, _mm256_set1_ps(U[r].d * dx[t]), acc[r][t]);
                } else {
                    acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is[t]), _mm256_set1_ps(U[r].d * dx[t]), acc[r][t]);
                    acc[r][t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(corr), _mm256_set1_ps(U[r].dmin * dx[t]), acc[r][t]);
                }
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) out[(int64_t)t * ld + r] = hsum_ps(acc[r][t]);
}

#include "tensor/x86_kdot.h"

/* ---- float types (F32, F16, BF16) against the same type ---- */

enum { FT_F32, FT_F16, FT_BF16 };

NURI_INLINE __m256 ft_load8(int k, const uint8_t *p) {
    switch (k) {
    case FT_F32: return _mm256_loadu_ps((const float *)p);
    case FT_F16: return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
    default:
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
    }
}

NURI_INLINE float ft_get(int k, const uint8_t *p, int64_t i) {
    switch (k) {
    case FT_F32: {
        float f;
        memcpy(&f, p + 4 * i, 4);
        return f;
    }
    case FT_F16: return h2f(ld16(p + 2 * i));
    default: return nuri_bf16_to_fp32(ld16(p + 2 * i));
    }
}

#ifdef __AVX512F__
/* With AVX-512 the float tiles run 16 lanes wide. */
#define FT_W 16
typedef __m512 ftvec;
NURI_INLINE ftvec ft_load(int k, const uint8_t *p) {
    switch (k) {
    case FT_F32: return _mm512_loadu_ps((const float *)p);
    case FT_F16: return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
    default:
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
    }
}
NURI_INLINE ftvec ft_zero(void) { return _mm512_setzero_ps(); }
NURI_INLINE ftvec ft_fma(ftvec a, ftvec b, ftvec c) { return _mm512_fmadd_ps(a, b, c); }
NURI_INLINE float ft_hsum(ftvec v) {
    return hsum_ps(_mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
}
#else
#define FT_W 8
typedef __m256 ftvec;
NURI_INLINE ftvec ft_load(int k, const uint8_t *p) { return ft_load8(k, p); }
NURI_INLINE ftvec ft_zero(void) { return _mm256_setzero_ps(); }
NURI_INLINE ftvec ft_fma(ftvec a, ftvec b, ftvec c) { return _mm256_fmadd_ps(a, b, c); }
NURI_INLINE float ft_hsum(ftvec v) { return hsum_ps(v); }
#endif

NURI_INLINE void ft_tile(int k, int R, int T, int64_t n, const uint8_t *w, size_t wrb,
                         const uint8_t *x, size_t xrb, float *out, int64_t ld) {
    const int es = k == FT_F32 ? 4 : 2;
    ftvec acc[4][4];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc[r][t] = ft_zero();
    int64_t i = 0;
    for (; i + FT_W <= n; i += FT_W) {
        ftvec xv[4];
        for (int t = 0; t < T; t++) xv[t] = ft_load(k, x + (size_t)t * xrb + (size_t)i * es);
        for (int r = 0; r < R; r++) {
            const ftvec wv = ft_load(k, w + (size_t)r * wrb + (size_t)i * es);
            for (int t = 0; t < T; t++) acc[r][t] = ft_fma(wv, xv[t], acc[r][t]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) {
            float s = ft_hsum(acc[r][t]);
            for (int64_t j = i; j < n; j++)
                s += ft_get(k, w + (size_t)r * wrb, j) * ft_get(k, x + (size_t)t * xrb, j);
            out[(int64_t)t * ld + r] = s;
        }
}

/* ---- drivers ---- */

enum { FAM_Q32, FAM_KQ, FAM_FT };

NURI_INLINE void any_tile(int fam, int k, int R, int T, int64_t n, const uint8_t *w, size_t wrb,
                          const uint8_t *x, size_t xrb, float *out, int64_t ld) {
    if (fam == FAM_Q32) q32_tile(k, R, T, n / QK32, w, wrb, x, xrb, out, ld);
    else if (fam == FAM_KQ && T == 1) {
        /* One token shares nothing across rows: stream each row through registers. */
        for (int r = 0; r < R; r++) out[r] = kd_row(k, n / QKK, w + (size_t)r * wrb, x);
    } else if (fam == FAM_KQ) kq_tile(k, R, T, n / QKK, w, wrb, x, xrb, out, ld);
    else ft_tile(k, R, T, n, w, wrb, x, xrb, out, ld);
}

/* Rows go in chunks that stay in L2 while every token tile passes over them. */
#define CHUNK_BYTES (192 * 1024)

NURI_INLINE void tiled_run(int fam, int k, int64_t n, const uint8_t *w, size_t wrb, int64_t r0,
                           int64_t r1, const uint8_t *x, size_t xrb, int64_t n_tok, float *out,
                           int64_t ld) {
    int64_t chunk = (int64_t)(CHUNK_BYTES / (wrb ? wrb : 1));
    chunk = chunk < TILE_R ? TILE_R : chunk - chunk % TILE_R;
    for (int64_t rc = r0; rc < r1; rc += chunk) {
        const int64_t re = rc + chunk < r1 ? rc + chunk : r1;
        int64_t t = 0;
        for (; t + TILE_T <= n_tok; t += TILE_T) {
            const uint8_t *xt = x + (size_t)t * xrb;
            int64_t r = rc;
            for (; r + TILE_R <= re; r += TILE_R)
                any_tile(fam, k, TILE_R, TILE_T, n, w + (size_t)r * wrb, wrb, xt, xrb, out + t * ld + r, ld);
            for (; r < re; r++) any_tile(fam, k, 1, TILE_T, n, w + (size_t)r * wrb, wrb, xt, xrb, out + t * ld + r, ld);
        }
        /* Single tokens read rows one after another: one sequential stream from memory. */
        for (; t < n_tok; t++) {
            const uint8_t *xt = x + (size_t)t * xrb;
            if (fam == FAM_Q32) {
                q32_gemv(k, n / QK32, w + (size_t)rc * wrb, wrb, re - rc, xt, out + t * ld + rc);
                continue;
            }
            for (int64_t r = rc; r < re; r++) any_tile(fam, k, 1, 1, n, w + (size_t)r * wrb, wrb, xt, xrb, out + t * ld + r, ld);
        }
    }
}

#define X86_RUN(fam, k) \
    tiled_run(fam, k, n, (const uint8_t *)w, wrb, r0, r1, (const uint8_t *)x, xrb, n_tok, out, ld)

static void x86_mat_dot(nuri_type wt, int64_t n, const void *w, size_t wrb, int64_t r0, int64_t r1,
                        const void *x, size_t xrb, int64_t n_tok, float *out, int64_t ld) {
    if (n <= 0) { /* empty dot products */
        for (int64_t t = 0; t < n_tok; t++)
            for (int64_t r = r0; r < r1; r++) out[t * ld + r] = 0.0f;
        return;
    }
    switch (wt) {
    case NURI_TYPE_Q4_0: X86_RUN(FAM_Q32, Q32_Q4_0); break;
    case NURI_TYPE_Q4_1: X86_RUN(FAM_Q32, Q32_Q4_1); break;
    case NURI_TYPE_Q5_0: X86_RUN(FAM_Q32, Q32_Q5_0); break;
    case NURI_TYPE_Q5_1: X86_RUN(FAM_Q32, Q32_Q5_1); break;
    case NURI_TYPE_Q8_0: X86_RUN(FAM_Q32, Q32_Q8_0); break;
    case NURI_TYPE_IQ4_NL: X86_RUN(FAM_Q32, Q32_IQ4_NL); break;
    case NURI_TYPE_Q2_K: X86_RUN(FAM_KQ, KQ_Q2); break;
    case NURI_TYPE_Q3_K: X86_RUN(FAM_KQ, KQ_Q3); break;
    case NURI_TYPE_Q4_K: X86_RUN(FAM_KQ, KQ_Q4); break;
    case NURI_TYPE_Q5_K: X86_RUN(FAM_KQ, KQ_Q5); break;
    case NURI_TYPE_Q6_K: X86_RUN(FAM_KQ, KQ_Q6); break;
    case NURI_TYPE_F32: X86_RUN(FAM_FT, FT_F32); break;
    case NURI_TYPE_F16: X86_RUN(FAM_FT, FT_F16); break;
    case NURI_TYPE_BF16: X86_RUN(FAM_FT, FT_BF16); break;
    default: break; /* not a compute type: nothing to do */
    }
}

#define X86_VEC_DOT(name, fam, k)                                                          \
    static void name(int64_t n, const void *w, const void *x, float *out) {               \
        any_tile(fam, k, 1, 1, n, (const uint8_t *)w, 0, (const uint8_t *)x, 0, out, 0); \
    }

X86_VEC_DOT(x86_dot_q4_0, FAM_Q32, Q32_Q4_0)
X86_VEC_DOT(x86_dot_q4_1, FAM_Q32, Q32_Q4_1)
X86_VEC_DOT(x86_dot_q5_0, FAM_Q32, Q32_Q5_0)
X86_VEC_DOT(x86_dot_q5_1, FAM_Q32, Q32_Q5_1)
X86_VEC_DOT(x86_dot_q8_0, FAM_Q32, Q32_Q8_0)
X86_VEC_DOT(x86_dot_iq4_nl, FAM_Q32, Q32_IQ4_NL)
X86_VEC_DOT(x86_dot_q2_k, FAM_KQ, KQ_Q2)
X86_VEC_DOT(x86_dot_q3_k, FAM_KQ, KQ_Q3)
X86_VEC_DOT(x86_dot_q4_k, FAM_KQ, KQ_Q4)
X86_VEC_DOT(x86_dot_q5_k, FAM_KQ, KQ_Q5)
X86_VEC_DOT(x86_dot_q6_k, FAM_KQ, KQ_Q6)
X86_VEC_DOT(x86_dot_f32, FAM_FT, FT_F32)
X86_VEC_DOT(x86_dot_f16, FAM_FT, FT_F16)
X86_VEC_DOT(x86_dot_bf16, FAM_FT, FT_BF16)

#endif
