/* Scalar quantization (from_float).
 *
 * Activations: the reference's CPU backend on x86 quantizes Q8_0/Q8_1 with
 * d = amax/127, multiplier 127/amax and round-half-even (its AVX code), and Q8_K with
 * its reference code (multiplier -127/max, round-half-even). Matching that bit for bit
 * is what lets our integer dot products reproduce the reference's logits.
 * Weights: the reference's *_ref quantizers, for writing files. */
#include <float.h>
#include <math.h>

#include "nuri/tensor.h"
#include "tensor/blocks.h"
#include "tensor/kernels_impl.h"

#define FP16(x) nuri_fp32_to_fp16(x)

/* Round half to even for |v| < 2^22 under the default rounding mode: adding 1.5*2^23
 * leaves the integer part in the low mantissa bits. */
static inline int round_even(float v) {
    const float t = v + 12582912.0f;
    int32_t i;
    memcpy(&i, &t, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

void nuri_quant_f32(const float *src, void *dst, int64_t n) { memcpy(dst, src, (size_t)n * sizeof(float)); }

void nuri_quant_f16(const float *src, void *dst, int64_t n) {
    uint16_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = FP16(src[i]);
}

void nuri_quant_bf16(const float *src, void *dst, int64_t n) {
    uint16_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = nuri_fp32_to_bf16(src[i]);
}

/* Shared by Q8_0 and Q8_1: returns the float scale d and the sum of the quants. */
static float q8_block(const float *x, int8_t *qs, int *sum) {
    float amax = 0.0f;
    for (int j = 0; j < QK32; j++) {
        const float ax = fabsf(x[j]);
        amax = amax > ax ? amax : ax;
    }
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int s = 0;
    for (int j = 0; j < QK32; j++) {
        qs[j] = (int8_t)round_even(x[j] * id);
        s += qs[j];
    }
    *sum = s;
    return d;
}

void nuri_quant_q8_0(const float *src, void *dst, int64_t n) {
    blk_q8_0 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum;
        y[i].d = FP16(q8_block(src + i * QK32, y[i].qs, &sum));
    }
}

void nuri_quant_q8_1(const float *src, void *dst, int64_t n) {
    blk_q8_1 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        int sum;
        const float d = q8_block(src + i * QK32, y[i].qs, &sum);
        y[i].d = FP16(d);
        y[i].s = FP16(d * (float)sum);
    }
}

void nuri_quant_q8_k(const float *src, void *dst, int64_t n) {
    blk_q8_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float *x = src + i * QKK;
        /* The first element of largest magnitude keeps its sign: it maps to -127. */
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < QKK; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < QKK; j++) {
            const int v = round_even(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; g++) {
            int s = 0;
            for (int l = 0; l < 16; l++) s += y[i].qs[16 * g + l];
            y[i].bsums[g] = (int16_t)s;
        }
        y[i].d = 1.0f / iscale;
    }
}

void nuri_quant_q8_0_ref(const float *src, void *dst, int64_t n) {
    blk_q8_0 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        const float *x = src + i * QK32;
        float amax = 0.0f;
        for (int j = 0; j < QK32; j++) {
            const float ax = fabsf(x[j]);
            amax = amax > ax ? amax : ax;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = FP16(d);
        for (int j = 0; j < QK32; j++) y[i].qs[j] = (int8_t)roundf(x[j] * id);
    }
}

/* The value of largest magnitude (the first one on ties), with its sign. */
static float signed_absmax(const float *x, int n) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    return max;
}

static void min_max(const float *x, int n, float *mn, float *mx) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int j = 0; j < n; j++) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

static inline int imin(int a, int b) { return a < b ? a : b; }

void nuri_quant_q4_0_ref(const float *src, void *dst, int64_t n) {
    blk_q4_0 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        const float *x = src + i * QK32;
        const float d = signed_absmax(x, QK32) / -8;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = FP16(d);
        for (int j = 0; j < 16; j++) {
            const float x0 = x[j] * id, x1 = x[j + 16] * id; /* two steps: no fused multiply-add */
            const int a = imin(15, (int8_t)(x0 + 8.5f));
            const int b = imin(15, (int8_t)(x1 + 8.5f));
            y[i].qs[j] = (uint8_t)(a | (b << 4));
        }
    }
}

void nuri_quant_q4_1_ref(const float *src, void *dst, int64_t n) {
    blk_q4_1 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        const float *x = src + i * QK32;
        float mn, mx;
        min_max(x, QK32, &mn, &mx);
        const float d = (mx - mn) / 15;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = FP16(d);
        y[i].m = FP16(mn);
        for (int j = 0; j < 16; j++) {
            const float x0 = (x[j] - mn) * id, x1 = (x[j + 16] - mn) * id;
            const int a = imin(15, (int8_t)(x0 + 0.5f));
            const int b = imin(15, (int8_t)(x1 + 0.5f));
            y[i].qs[j] = (uint8_t)(a | (b << 4));
        }
    }
}

void nuri_quant_q5_0_ref(const float *src, void *dst, int64_t n) {
    blk_q5_0 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        const float *x = src + i * QK32;
        const float d = signed_absmax(x, QK32) / -16;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = FP16(d);
        uint32_t qh = 0;
        for (int j = 0; j < 16; j++) {
            const float x0 = x[j] * id, x1 = x[j + 16] * id;
            const int a = imin(31, (int8_t)(x0 + 16.5f));
            const int b = imin(31, (int8_t)(x1 + 16.5f));
            y[i].qs[j] = (uint8_t)((a & 0xF) | ((b & 0xF) << 4));
            qh |= (uint32_t)((a >> 4) & 1) << j;
            qh |= (uint32_t)((b >> 4) & 1) << (j + 16);
        }
        memcpy(y[i].qh, &qh, 4);
    }
}

void nuri_quant_q5_1_ref(const float *src, void *dst, int64_t n) {
    blk_q5_1 *y = dst;
    for (int64_t i = 0; i < n / QK32; i++) {
        const float *x = src + i * QK32;
        float mn, mx;
        min_max(x, QK32, &mn, &mx);
        const float d = (mx - mn) / 31;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = FP16(d);
        y[i].m = FP16(mn);
        uint32_t qh = 0;
        for (int j = 0; j < 16; j++) {
            const float x0 = (x[j] - mn) * id, x1 = (x[j + 16] - mn) * id;
            const int a = (uint8_t)(x0 + 0.5f);
            const int b = (uint8_t)(x1 + 0.5f);
            y[i].qs[j] = (uint8_t)((a & 0xF) | ((b & 0xF) << 4));
            qh |= (uint32_t)((a >> 4) & 1) << j;
            qh |= (uint32_t)((b >> 4) & 1) << (j + 16);
        }
        memcpy(y[i].qh, &qh, 4);
    }
}
