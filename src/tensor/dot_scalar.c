/* Scalar dot products of a weight row with an activation row in its vec_dot type.
 * Quantized types sum integer products inside each block (exact), then scale in float,
 * as the reference does; only the float accumulation order may differ from it. */
#include "nuri/tensor.h"
#include "tensor/blocks.h"
#include "tensor/kernels_impl.h"

#define H(x) nuri_fp16_to_fp32(x)

void nuri_dot_f32(int64_t n, const void *w, const void *x, float *out) {
    const float *a = w, *b = x;
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)(a[i] * b[i]);
    *out = (float)s;
}

void nuri_dot_f16(int64_t n, const void *w, const void *x, float *out) {
    const uint16_t *a = w, *b = x;
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)(H(a[i]) * H(b[i]));
    *out = (float)s;
}

void nuri_dot_bf16(int64_t n, const void *w, const void *x, float *out) {
    const uint16_t *a = w, *b = x;
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += (double)(nuri_bf16_to_fp32(a[i]) * nuri_bf16_to_fp32(b[i]));
    *out = (float)s;
}

void nuri_dot_q8_0(int64_t n, const void *w, const void *x, float *out) {
    const blk_q8_0 *a = w, *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum = 0;
        for (int j = 0; j < QK32; j++) sum += a[i].qs[j] * b[i].qs[j];
        s += (float)sum * (H(a[i].d) * H(b[i].d));
    }
    *out = s;
}

void nuri_dot_q4_0(int64_t n, const void *w, const void *x, float *out) {
    const blk_q4_0 *a = w;
    const blk_q8_0 *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            sum += ((a[i].qs[j] & 0xF) - 8) * b[i].qs[j];
            sum += ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + 16];
        }
        s += (float)sum * (H(a[i].d) * H(b[i].d));
    }
    *out = s;
}

void nuri_dot_q4_1(int64_t n, const void *w, const void *x, float *out) {
    const blk_q4_1 *a = w;
    const blk_q8_1 *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            sum += (a[i].qs[j] & 0xF) * b[i].qs[j];
            sum += (a[i].qs[j] >> 4) * b[i].qs[j + 16];
        }
        s += (H(a[i].d) * H(b[i].d)) * (float)sum + H(a[i].m) * H(b[i].s);
    }
    *out = s;
}

static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

void nuri_dot_q5_0(int64_t n, const void *w, const void *x, float *out) {
    const blk_q5_0 *a = w;
    const blk_q8_0 *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QK32; i++) {
        const uint32_t qh = load_u32(a[i].qh);
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = (int)((a[i].qs[j] & 0xF) | (((qh >> j) & 1u) << 4)) - 16;
            const int hi = (int)((a[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4)) - 16;
            sum += lo * b[i].qs[j] + hi * b[i].qs[j + 16];
        }
        s += (H(a[i].d) * H(b[i].d)) * (float)sum;
    }
    *out = s;
}

void nuri_dot_q5_1(int64_t n, const void *w, const void *x, float *out) {
    const blk_q5_1 *a = w;
    const blk_q8_1 *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QK32; i++) {
        const uint32_t qh = load_u32(a[i].qh);
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = (int)((a[i].qs[j] & 0xF) | (((qh >> j) & 1u) << 4));
            const int hi = (int)((a[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
            sum += lo * b[i].qs[j] + hi * b[i].qs[j + 16];
        }
        s += (H(a[i].d) * H(b[i].d)) * (float)sum + H(a[i].m) * H(b[i].s);
    }
    *out = s;
}

void nuri_dot_iq4_nl(int64_t n, const void *w, const void *x, float *out) {
    const blk_iq4_nl *a = w;
    const blk_q8_0 *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            sum += iq4nl_levels[a[i].qs[j] & 0xF] * b[i].qs[j];
            sum += iq4nl_levels[a[i].qs[j] >> 4] * b[i].qs[j + 16];
        }
        s += (H(b[i].d) * H(a[i].d)) * (float)sum;
    }
    *out = s;
}

void nuri_dot_q2_k(int64_t n, const void *w, const void *x, float *out) {
    const blk_q2_k *a = w;
    const blk_q8_k *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QKK; i++) {
        const int8_t *q8 = b[i].qs;
        int summs = 0, isum = 0, is = 0;
        for (int g = 0; g < 16; g++) summs += b[i].bsums[g] * (a[i].scales[g] >> 4);
        for (int half = 0; half < 2; half++) {
            const uint8_t *q2 = a[i].qs + 32 * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++, q8 += 16) {
                    int g = 0;
                    for (int l = 0; l < 16; l++) g += q8[l] * ((q2[16 * part + l] >> shift) & 3);
                    isum += (a[i].scales[is++] & 0xF) * g;
                }
            }
        }
        const float dall = b[i].d * H(a[i].d), dmin = b[i].d * H(a[i].dmin);
        s += dall * (float)isum - dmin * (float)summs;
    }
    *out = s;
}

void nuri_dot_q3_k(int64_t n, const void *w, const void *x, float *out) {
    const blk_q3_k *a = w;
    const blk_q8_k *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QKK; i++) {
        int8_t sc[16];
        q3k_scales(a[i].scales, sc);
        const int8_t *q8 = b[i].qs;
        int isum = 0, is = 0;
        uint8_t m = 1;
        for (int half = 0; half < 2; half++) {
            const uint8_t *q3 = a[i].qs + 32 * half;
            for (int shift = 0; shift < 8; shift += 2, m = (uint8_t)(m << 1)) {
                for (int part = 0; part < 2; part++, q8 += 16) {
                    int g = 0;
                    for (int l = 16 * part; l < 16 * part + 16; l++) {
                        const int v = ((q3[l] >> shift) & 3) - ((a[i].hmask[l] & m) ? 0 : 4);
                        g += q8[l - 16 * part] * v;
                    }
                    isum += sc[is++] * g;
                }
            }
        }
        s += (H(a[i].d) * b[i].d) * (float)isum;
    }
    *out = s;
}

void nuri_dot_q4_k(int64_t n, const void *w, const void *x, float *out) {
    const blk_q4_k *a = w;
    const blk_q8_k *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QKK; i++) {
        const int8_t *q8 = b[i].qs;
        int isum = 0, summs = 0;
        for (int j = 0; j < 8; j++, q8 += 32) {
            uint8_t sc, mn;
            kq_scale_min(a[i].scales, j, &sc, &mn);
            const uint8_t *q = a[i].qs + 32 * (j / 2);
            const int shift = 4 * (j & 1);
            int g = 0;
            for (int l = 0; l < 32; l++) g += ((q[l] >> shift) & 0xF) * q8[l];
            isum += sc * g;
            summs += mn * (b[i].bsums[2 * j] + b[i].bsums[2 * j + 1]);
        }
        const float d = H(a[i].d) * b[i].d, dmin = H(a[i].dmin) * b[i].d;
        s += d * (float)isum - dmin * (float)summs;
    }
    *out = s;
}

void nuri_dot_q5_k(int64_t n, const void *w, const void *x, float *out) {
    const blk_q5_k *a = w;
    const blk_q8_k *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QKK; i++) {
        const int8_t *q8 = b[i].qs;
        int isum = 0, summs = 0;
        for (int j = 0; j < 8; j++, q8 += 32) {
            uint8_t sc, mn;
            kq_scale_min(a[i].scales, j, &sc, &mn);
            const uint8_t *q = a[i].qs + 32 * (j / 2);
            const int shift = 4 * (j & 1);
            int g = 0;
            for (int l = 0; l < 32; l++) {
                const int v = ((q[l] >> shift) & 0xF) | (((a[i].qh[l] >> j) & 1) << 4);
                g += v * q8[l];
            }
            isum += sc * g;
            summs += mn * (b[i].bsums[2 * j] + b[i].bsums[2 * j + 1]);
        }
        const float d = H(a[i].d) * b[i].d, dmin = H(a[i].dmin) * b[i].d;
        s += d * (float)isum - dmin * (float)summs;
    }
    *out = s;
}

void nuri_dot_q6_k(int64_t n, const void *w, const void *x, float *out) {
    const blk_q6_k *a = w;
    const blk_q8_k *b = x;
    float s = 0.0f;
    for (int64_t i = 0; i < n / QKK; i++) {
        int8_t q[QKK];
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = a[i].ql + 64 * half, *qh = a[i].qh + 32 * half;
            int8_t *o = q + 128 * half;
            for (int l = 0; l < 32; l++) {
                o[l] = (int8_t)(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                o[l + 32] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                o[l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                o[l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        int isum = 0;
        for (int g = 0; g < 16; g++) {
            int gs = 0;
            for (int l = 0; l < 16; l++) gs += q[16 * g + l] * b[i].qs[16 * g + l];
            isum += a[i].scales[g] * gs;
        }
        s += (H(a[i].d) * b[i].d) * (float)isum;
    }
    *out = s;
}
