/* Scalar dequantization (to_float). Each value is computed with the same float
 * operations, in the same order, as the reference, so results are bit-identical. */
#include "nuri/tensor.h"
#include "tensor/blocks.h"
#include "tensor/kernels_impl.h"

#define H(x) nuri_fp16_to_fp32(x)

/* a*b+c as two roundings, as the reference; a separate statement keeps compilers that
 * contract within an expression (clang's default) from fusing it. */
static inline float mul_add(float a, float b, float c) {
    const float p = a * b;
    return p + c;
}
static inline float mul_sub(float a, float b, float c) {
    const float p = a * b;
    return p - c;
}

void nuri_deq_f32(const void *src, float *dst, int64_t n) { memcpy(dst, src, (size_t)n * sizeof(float)); }

void nuri_deq_f16(const void *src, float *dst, int64_t n) {
    const uint16_t *s = src;
    for (int64_t i = 0; i < n; i++) dst[i] = H(s[i]);
}

void nuri_deq_bf16(const void *src, float *dst, int64_t n) {
    const uint16_t *s = src;
    for (int64_t i = 0; i < n; i++) dst[i] = nuri_bf16_to_fp32(s[i]);
}

void nuri_deq_q4_0(const void *src, float *y, int64_t n) {
    const blk_q4_0 *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d);
        for (int j = 0; j < 16; j++) {
            y[j] = (float)((b[i].qs[j] & 0xF) - 8) * d;
            y[j + 16] = (float)((b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void nuri_deq_q4_1(const void *src, float *y, int64_t n) {
    const blk_q4_1 *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d), m = H(b[i].m);
        for (int j = 0; j < 16; j++) {
            y[j] = mul_add((float)(b[i].qs[j] & 0xF), d, m);
            y[j + 16] = mul_add((float)(b[i].qs[j] >> 4), d, m);
        }
    }
}

static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

void nuri_deq_q5_0(const void *src, float *y, int64_t n) {
    const blk_q5_0 *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d);
        const uint32_t qh = load_u32(b[i].qh);
        for (int j = 0; j < 16; j++) {
            const int lo = (int)((b[i].qs[j] & 0xF) | (((qh >> j) & 1u) << 4));
            const int hi = (int)((b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
            y[j] = (float)(lo - 16) * d;
            y[j + 16] = (float)(hi - 16) * d;
        }
    }
}

void nuri_deq_q5_1(const void *src, float *y, int64_t n) {
    const blk_q5_1 *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d), m = H(b[i].m);
        const uint32_t qh = load_u32(b[i].qh);
        for (int j = 0; j < 16; j++) {
            const int lo = (int)((b[i].qs[j] & 0xF) | (((qh >> j) & 1u) << 4));
            const int hi = (int)((b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
            y[j] = mul_add((float)lo, d, m);
            y[j + 16] = mul_add((float)hi, d, m);
        }
    }
}

void nuri_deq_q8_0(const void *src, float *y, int64_t n) {
    const blk_q8_0 *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d);
        for (int j = 0; j < QK32; j++) y[j] = (float)b[i].qs[j] * d;
    }
}

void nuri_deq_q8_1(const void *src, float *y, int64_t n) {
    const blk_q8_1 *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d);
        for (int j = 0; j < QK32; j++) y[j] = (float)b[i].qs[j] * d;
    }
}

void nuri_deq_iq4_nl(const void *src, float *y, int64_t n) {
    const blk_iq4_nl *b = src;
    for (int64_t i = 0; i < n / QK32; i++, y += QK32) {
        const float d = H(b[i].d);
        for (int j = 0; j < 16; j++) {
            y[j] = d * (float)iq4nl_levels[b[i].qs[j] & 0xF];
            y[j + 16] = d * (float)iq4nl_levels[b[i].qs[j] >> 4];
        }
    }
}

void nuri_deq_q2_k(const void *src, float *y, int64_t n) {
    const blk_q2_k *b = src;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float d = H(b[i].d), dmin = H(b[i].dmin);
        int is = 0;
        for (int half = 0; half < 2; half++) {
            const uint8_t *q = b[i].qs + 32 * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++) {
                    const uint8_t sc = b[i].scales[is++];
                    const float dl = d * (float)(sc & 0xF), ml = dmin * (float)(sc >> 4);
                    for (int l = 0; l < 16; l++)
                        *y++ = mul_sub(dl, (float)((q[16 * part + l] >> shift) & 3), ml);
                }
            }
        }
    }
}

void nuri_deq_q3_k(const void *src, float *y, int64_t n) {
    const blk_q3_k *b = src;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float d = H(b[i].d);
        int8_t sc[16];
        q3k_scales(b[i].scales, sc);
        int is = 0;
        uint8_t m = 1;
        for (int half = 0; half < 2; half++) {
            const uint8_t *q = b[i].qs + 32 * half;
            for (int shift = 0; shift < 8; shift += 2, m = (uint8_t)(m << 1)) {
                for (int part = 0; part < 2; part++) {
                    const float dl = d * (float)sc[is++];
                    for (int l = 16 * part; l < 16 * part + 16; l++) {
                        const int v = ((q[l] >> shift) & 3) - ((b[i].hmask[l] & m) ? 0 : 4);
                        *y++ = dl * (float)v;
                    }
                }
            }
        }
    }
}

void nuri_deq_q4_k(const void *src, float *y, int64_t n) {
    const blk_q4_k *b = src;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float d = H(b[i].d), dmin = H(b[i].dmin);
        const uint8_t *q = b[i].qs;
        for (int j = 0; j < 8; j += 2, q += 32) {
            uint8_t sc, mn;
            kq_scale_min(b[i].scales, j, &sc, &mn);
            const float d1 = d * (float)sc, m1 = dmin * (float)mn;
            kq_scale_min(b[i].scales, j + 1, &sc, &mn);
            const float d2 = d * (float)sc, m2 = dmin * (float)mn;
            for (int l = 0; l < 32; l++) *y++ = mul_sub(d1, (float)(q[l] & 0xF), m1);
            for (int l = 0; l < 32; l++) *y++ = mul_sub(d2, (float)(q[l] >> 4), m2);
        }
    }
}

void nuri_deq_q5_k(const void *src, float *y, int64_t n) {
    const blk_q5_k *b = src;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float d = H(b[i].d), dmin = H(b[i].dmin);
        const uint8_t *ql = b[i].qs, *qh = b[i].qh;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < 8; j += 2, ql += 32) {
            uint8_t sc, mn;
            kq_scale_min(b[i].scales, j, &sc, &mn);
            const float d1 = d * (float)sc, m1 = dmin * (float)mn;
            kq_scale_min(b[i].scales, j + 1, &sc, &mn);
            const float d2 = d * (float)sc, m2 = dmin * (float)mn;
            for (int l = 0; l < 32; l++) *y++ = mul_sub(d1, (float)((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)), m1);
            for (int l = 0; l < 32; l++) *y++ = mul_sub(d2, (float)((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)), m2);
            u1 = (uint8_t)(u1 << 2);
            u2 = (uint8_t)(u2 << 2);
        }
    }
}

void nuri_deq_q6_k(const void *src, float *y, int64_t n) {
    const blk_q6_k *b = src;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float d = H(b[i].d);
        const uint8_t *ql = b[i].ql, *qh = b[i].qh;
        const int8_t *sc = b[i].scales;
        for (int half = 0; half < 2; half++, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

void nuri_deq_q8_k(const void *src, float *y, int64_t n) {
    const blk_q8_k *b = src;
    for (int64_t i = 0; i < n / QKK; i++, y += QKK)
        for (int j = 0; j < QKK; j++) y[j] = b[i].d * (float)b[i].qs[j];
}
