/* Internal: one K-quant weight row against one Q8_K activation row (generation, where
 * nothing is shared between tokens): each super-block is unpacked in registers, its
 * scales picked per 32 quants with byte shuffles, so the row streams from memory once. */
#ifndef NURI_TENSOR_X86_KDOT_H
#define NURI_TENSOR_X86_KDOT_H

#include "tensor/blocks.h"
#include "tensor/x86_simd.h"

/* int16 scales for the 32 quants of chunk c when scales are per 16 quants: words 2c and
 * 2c+1 of s (16 int16; lo = s with its low half in both lanes, hi = its high half). */
NURI_INLINE __m256i sc16_pair(__m256i lo, __m256i hi, int c) {
    const int a = (2 * c) & 7, b = (2 * c + 1) & 7;
    const __m256i idx = _mm256_setr_epi8((char)(2 * a), (char)(2 * a + 1), (char)(2 * a), (char)(2 * a + 1),
                                         (char)(2 * a), (char)(2 * a + 1), (char)(2 * a), (char)(2 * a + 1),
                                         (char)(2 * a), (char)(2 * a + 1), (char)(2 * a), (char)(2 * a + 1),
                                         (char)(2 * a), (char)(2 * a + 1), (char)(2 * a), (char)(2 * a + 1),
                                         (char)(2 * b), (char)(2 * b + 1), (char)(2 * b), (char)(2 * b + 1),
                                         (char)(2 * b), (char)(2 * b + 1), (char)(2 * b), (char)(2 * b + 1),
                                         (char)(2 * b), (char)(2 * b + 1), (char)(2 * b), (char)(2 * b + 1),
                                         (char)(2 * b), (char)(2 * b + 1), (char)(2 * b), (char)(2 * b + 1));
    return _mm256_shuffle_epi8(c < 4 ? lo : hi, idx);
}

/* Word c of s8 (8 int16 in both lanes) in every lane: the scale of chunk c when scales
 * are per 32 quants. */
NURI_INLINE __m256i sc32(__m256i s8, int c) {
    return _mm256_shuffle_epi8(s8, _mm256_set1_epi16((short)((2 * c) | ((2 * c + 1) << 8))));
}

NURI_INLINE __m256i lo_half_both(__m256i v) { return _mm256_permute4x64_epi64(v, 0x44); }
NURI_INLINE __m256i hi_half_both(__m256i v) { return _mm256_permute4x64_epi64(v, 0xEE); }

/* Accumulates isum (int32 lanes) over the 8 chunks; u(c) yields chunk c's quants. */
#define KD_CHUNKS(UEXPR, SCEXPR)                                                          \
    for (int c = 0; c < 8; c++) {                                                         \
        const __m256i u_ = (UEXPR);                                                       \
        const __m256i p_ = _mm256_maddubs_epi16(u_, loadu256(y->qs + 32 * c));            \
        is = madd16_acc(is, p_, (SCEXPR));                                                \
    }

NURI_INLINE __m256 kd_superblock(int k, const uint8_t *b, const blk_q8_k *y, __m256 acc) {
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    const __m256i bsums = loadu256(y->bsums);
    __m256i is = _mm256_setzero_si256(), corr;
    float d, dmin;
    switch (k) {
    case KQ_Q2: {
        const blk_q2_k *q = (const blk_q2_k *)b;
        const __m256i s16 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)q->scales));
        const __m256i sc = _mm256_and_si256(s16, _mm256_set1_epi16(0xF));
        const __m256i lo = lo_half_both(sc), hi = hi_half_both(sc);
        corr = _mm256_madd_epi16(_mm256_srli_epi16(s16, 4), bsums);
        const __m256i v0 = loadu256(q->qs), v1 = loadu256(q->qs + 32);
#pragma GCC unroll 8
        KD_CHUNKS(_mm256_and_si256(srl16(c < 4 ? v0 : v1, 2 * (c & 3)), m3), sc16_pair(lo, hi, c))
        d = h2f(q->d);
        dmin = h2f(q->dmin);
        break;
    }
    case KQ_Q3: {
        const blk_q3_k *q = (const blk_q3_k *)b;
        int8_t s8[16];
        q3k_scales(q->scales, s8);
        const __m256i sc = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)s8));
        const __m256i lo = lo_half_both(sc), hi = hi_half_both(sc);
        corr = _mm256_madd_epi16(_mm256_slli_epi16(sc, 2), bsums); /* u = value + 4 */
        const __m256i v0 = loadu256(q->qs), v1 = loadu256(q->qs + 32), hm = loadu256(q->hmask);
#pragma GCC unroll 8
        KD_CHUNKS(_mm256_or_si256(_mm256_and_si256(srl16(c < 4 ? v0 : v1, 2 * (c & 3)), m3),
                                  _mm256_slli_epi16(_mm256_and_si256(srl16(hm, c), one), 2)),
                  sc16_pair(lo, hi, c))
        d = dmin = h2f(q->d);
        break;
    }
    case KQ_Q4:
    case KQ_Q5: {
        /* The 12-byte field as three words: scales 0-3 and mins 0-3 are 6-bit bytes of
         * a and b; scales/mins 4-7 take their low 4 bits from c, high 2 from a/b. */
        uint32_t a, bw, cw;
        memcpy(&a, b + 4, 4);
        memcpy(&bw, b + 8, 4);
        memcpy(&cw, b + 12, 4);
        const uint64_t sc64 = (a & 0x3f3f3f3fu) |
                              (uint64_t)((cw & 0x0f0f0f0fu) | (((a >> 6) & 0x03030303u) << 4)) << 32;
        const uint64_t mn64 = (bw & 0x3f3f3f3fu) |
                              (uint64_t)(((cw >> 4) & 0x0f0f0f0fu) | (((bw >> 6) & 0x03030303u) << 4)) << 32;
        const __m256i s8 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)sc64)));
        const __m256i m32 = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)mn64));
        corr = _mm256_mullo_epi32(_mm256_madd_epi16(bsums, _mm256_set1_epi16(1)), m32);
        const uint8_t *qs = b + (k == KQ_Q4 ? 16 : 48);
        const __m256i qh = k == KQ_Q5 ? loadu256(b + 16) : _mm256_setzero_si256();
#pragma GCC unroll 8
        KD_CHUNKS(_mm256_or_si256(_mm256_and_si256(srl16(loadu256(qs + 32 * (c / 2)), 4 * (c & 1)), m4),
                                  k == KQ_Q5 ? _mm256_slli_epi16(_mm256_and_si256(srl16(qh, c), one), 4)
                                             : _mm256_setzero_si256()),
                  sc32(s8, c))
        d = h2f(ld16(b));
        dmin = h2f(ld16(b + 2));
        break;
    }
    default: {
        const blk_q6_k *q = (const blk_q6_k *)b;
        const __m256i sc = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)q->scales));
        const __m256i lo = lo_half_both(sc), hi = hi_half_both(sc);
        corr = _mm256_madd_epi16(_mm256_slli_epi16(sc, 5), bsums); /* u = value + 32 */
        const __m256i m30 = _mm256_set1_epi8(0x30);
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            const __m256i l0 = loadu256(q->ql + 64 * h), l1 = loadu256(q->ql + 64 * h + 32);
            const __m256i hb = loadu256(q->qh + 32 * h);
            const __m256i u[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 4), m30)),
                _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 2), m30)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(hb, m30)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                _mm256_and_si256(_mm256_srli_epi16(hb, 2), m30))};
            for (int e = 0; e < 4; e++) {
                const int c = 4 * h + e;
                const __m256i p = _mm256_maddubs_epi16(u[e], loadu256(y->qs + 32 * c));
                is = madd16_acc(is, p, sc16_pair(lo, hi, c));
            }
        }
        d = dmin = h2f(q->d);
    }
    }
    if (k == KQ_Q3 || k == KQ_Q6)
        return _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(is, corr)), _mm256_set1_ps(d * y->d), acc);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is), _mm256_set1_ps(d * y->d), acc);
    return _mm256_fnmadd_ps(_mm256_cvtepi32_ps(corr), _mm256_set1_ps(dmin * y->d), acc);
}

NURI_INLINE float kd_row(int k, int64_t nb, const uint8_t *w, const uint8_t *x) {
    const size_t wbs = kq_wbytes(k);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++)
        acc = kd_superblock(k, w + (size_t)b * wbs, (const blk_q8_k *)(x + (size_t)b * sizeof(blk_q8_k)), acc);
    return hsum_ps(acc);
}

#endif
