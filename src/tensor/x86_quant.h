/* Internal: x86 activation quantizers, bit-identical to the scalar ones in quantize.c
 * (same float products, round-half-even, same scale arithmetic). */
#ifndef NURI_TENSOR_X86_QUANT_H
#define NURI_TENSOR_X86_QUANT_H

#include "tensor/blocks.h"
#include "tensor/kernels_impl.h"
#include "tensor/x86_simd.h"

NURI_INLINE __m256 abs_ps(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

NURI_INLINE float hmax_ps(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

NURI_INLINE __m256i round_epi32(__m256 v) {
    return _mm256_cvtps_epi32(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/* Four vectors of 8 int32 (each within int8 range) to 32 int8 in order. */
NURI_INLINE __m256i pack_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    return _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* One block of 32: quants to qs, returns d; *sum gets the sum of the quants. */
NURI_INLINE float x86_q8_block(const float *x, int8_t *qs, int *sum) {
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int i = 0; i < 4; i++) {
        v[i] = _mm256_loadu_ps(x + 8 * i);
        amax = _mm256_max_ps(amax, abs_ps(v[i]));
    }
    const float m = hmax_ps(amax);
    const float d = m / 127.0f;
    const __m256 id = _mm256_set1_ps(m != 0.0f ? 127.0f / m : 0.0f);
    __m256i q[4];
    for (int i = 0; i < 4; i++) q[i] = round_epi32(_mm256_mul_ps(v[i], id));
    *sum = hsum_epi32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
    _mm256_storeu_si256((__m256i *)qs, pack_i8(q[0], q[1], q[2], q[3]));
    return d;
}

static void x86_quant_q8_0(const float *src, void *dst, int64_t n) {
    blk_q8_0 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum;
        y[i].d = _cvtss_sh(x86_q8_block(src + i * QK32, y[i].qs, &sum), _MM_FROUND_TO_NEAREST_INT);
    }
}

static void x86_quant_q8_1(const float *src, void *dst, int64_t n) {
    blk_q8_1 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum;
        const float d = x86_q8_block(src + i * QK32, y[i].qs, &sum);
        y[i].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        y[i].s = _cvtss_sh(d * (float)sum, _MM_FROUND_TO_NEAREST_INT);
    }
}

static void x86_quant_q8_k(const float *src, void *dst, int64_t n) {
    blk_q8_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float *x = src + i * QKK;
        __m256 amax = _mm256_setzero_ps();
        for (int j = 0; j < QKK; j += 8) amax = _mm256_max_ps(amax, abs_ps(_mm256_loadu_ps(x + j)));
        const float m = hmax_ps(amax);
        if (m == 0.0f) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        /* The first element of that magnitude gives the sign, as in the scalar code. */
        float max = 0.0f;
        const __m256 mv = _mm256_set1_ps(m);
        for (int j = 0; j < QKK; j += 8) {
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(abs_ps(_mm256_loadu_ps(x + j)), mv, _CMP_EQ_OQ));
            if (hit) {
                max = x[j + __builtin_ctz((unsigned)hit)];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m256 is = _mm256_set1_ps(iscale);
        const __m256i lim = _mm256_set1_epi32(127);
        for (int j = 0; j < QKK; j += 32) {
            __m256i q[4];
            for (int e = 0; e < 4; e++)
                q[e] = _mm256_min_epi32(round_epi32(_mm256_mul_ps(is, _mm256_loadu_ps(x + j + 8 * e))), lim);
            const __m256i p = pack_i8(q[0], q[1], q[2], q[3]);
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), p);
            /* Sums of 16: pairs of bytes, then pairs of int16, within each 128-bit half. */
            const __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), p), _mm256_set1_epi16(1));
            const int16_t s0 = (int16_t)hsum_epi32(_mm256_blend_epi32(s, _mm256_setzero_si256(), 0xF0));
            const int16_t s1 = (int16_t)hsum_epi32(_mm256_blend_epi32(s, _mm256_setzero_si256(), 0x0F));
            y[i].bsums[j / 16] = s0;
            y[i].bsums[j / 16 + 1] = s1;
        }
        y[i].d = 1.0f / iscale;
    }
}

static void x86_quant_f16(const float *src, void *dst, int64_t n) {
    uint16_t *d = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(d + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) d[i] = nuri_fp32_to_fp16(src[i]);
}

static void x86_quant_bf16(const float *src, void *dst, int64_t n) {
    uint16_t *d = dst;
    int64_t i = 0;
    const __m256i absmask = _mm256_set1_epi32(0x7fffffff), inf = _mm256_set1_epi32(0x7f800000);
    for (; i + 8 <= n; i += 8) {
        const __m256i u = _mm256_loadu_si256((const __m256i *)(src + i));
        const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
        const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff))), 16);
        const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, absmask), inf);
        const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(64));
        const __m256i r = _mm256_blendv_epi8(rounded, quiet, nan);
        /* 8 values below 2^16 in int32 lanes: pack to uint16 in order. */
        const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
        _mm_storeu_si128((__m128i *)(d + i), _mm256_castsi256_si128(p));
    }
    for (; i < n; i++) d[i] = nuri_fp32_to_bf16(src[i]);
}

#endif
