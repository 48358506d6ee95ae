/* The reference's file quantizers for Q2_K ... Q6_K (its *_ref code, which its
 * quantize tool runs without an importance matrix), reproduced bit for bit: the same
 * searches over scales with the same float operations in the same order.
 *
 * Products that are then added go through mul(), a separate function, so a compiler
 * that contracts within one expression (clang's default) cannot fuse them into one
 * rounding; GCC does not contract in ISO C mode. */
#include <math.h>

#include "nuri/tensor.h"
#include "tensor/blocks.h"
#include "tensor/kernels_impl.h"

#define FP16(x) nuri_fp32_to_fp16(x)
#define F32(h) nuri_fp16_to_fp32(h)

/* Rounds half to even (|v| < 2^22), as the reference's nearest_int. */
static inline int nearest(float v) {
    const float t = v + 12582912.0f;
    int32_t i;
    memcpy(&i, &t, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static inline float mul(float a, float b) { return a * b; }

/* Weighted error of one value: absolute (mad) or squared. */
static inline float werr(float w, float diff, int mad) { return mul(w, mad ? fabsf(diff) : mul(diff, diff)); }

/* Scale and min for n values in levels 0..nmax, minimizing the weighted error over a
 * sweep of nstep+1 trial scales around nmax/(max-min); *neg_min gets -min. */
static float fit_scale_min(int n, int nmax, const float *x, const float *w, uint8_t *L, float *neg_min,
                           float rmin, float rdelta, int nstep, int mad) {
    uint8_t aux[32];
    float min = x[0], max = x[0], sum_w = w[0], sum_x = mul(sum_w, x[0]);
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += mul(w[i], x[i]);
    }
    if (min > 0) min = 0;
    if (max == min) {
        memset(L, 0, (size_t)n);
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best = 0;
    for (int i = 0; i < n; i++) {
        L[i] = (uint8_t)clampi(nearest(mul(iscale, x[i] - min)), 0, nmax);
        best += werr(w[i], mul(scale, L[i]) + min - x[i], mad);
    }
    for (int is = 0; is <= nstep; is++) {
        iscale = (rmin + mul(rdelta, (float)is) + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            const int l = clampi(nearest(mul(iscale, x[i] - min)), 0, nmax);
            aux[i] = (uint8_t)l;
            const float wl = mul(w[i], (float)l);
            sum_l += wl;
            sum_l2 += mul(wl, (float)l);
            sum_xl += mul(wl, x[i]);
        }
        const float D = mul(sum_w, sum_l2) - mul(sum_l, sum_l);
        if (D > 0) {
            float this_scale = (mul(sum_w, sum_xl) - mul(sum_x, sum_l)) / D;
            float this_min = (mul(sum_l2, sum_x) - mul(sum_l, sum_xl)) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float err = 0;
            for (int i = 0; i < n; i++) {
                err += werr(w[i], mul(this_scale, aux[i]) + this_min - x[i], mad);
            }
            if (err < best) {
                memcpy(L, aux, (size_t)n);
                best = err;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *neg_min = -min;
    return scale;
}

/* Shared by Q4_K (nmax 15) and Q5_K (nmax 31): fills the 12-byte scale field, d and
 * dmin, and the level of each of the 256 values. */
static void kq_scales_levels(const float *x, int nmax, float rmin, int nstep, uint8_t scales12[12],
                             uint16_t *d, uint16_t *dmin, uint8_t L[256]) {
    float sc[8], mn[8], w[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; j++) {
        const float *xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; l++) sum_x2 += mul(xs[l], xs[l]);
        const float av_x = sqrtf(sum_x2 / 32);
        for (int l = 0; l < 32; l++) w[l] = av_x + fabsf(xs[l]);
        sc[j] = fit_scale_min(32, nmax, xs, w, L + 32 * j, &mn[j], rmin, 0.1f, nstep, 0);
        if (sc[j] > max_scale) max_scale = sc[j];
        if (mn[j] > max_min) max_min = mn[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    memset(scales12, 0, 12);
    for (int j = 0; j < 8; j++) {
        /* The reference stores through uint8_t before clamping to 63. */
        uint8_t ls = (uint8_t)nearest(mul(inv_scale, sc[j]));
        uint8_t lm = (uint8_t)nearest(mul(inv_min, mn[j]));
        ls = ls < 63 ? ls : 63;
        lm = lm < 63 ? lm : 63;
        if (j < 4) {
            scales12[j] = ls;
            scales12[j + 4] = lm;
        } else {
            scales12[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
            scales12[j - 4] |= (uint8_t)((ls >> 4) << 6);
            scales12[j] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    *d = FP16(max_scale / 63.f);
    *dmin = FP16(max_min / 63.f);
    for (int j = 0; j < 8; j++) {
        uint8_t s, m;
        kq_scale_min(scales12, j, &s, &m);
        const float dj = mul(F32(*d), (float)s);
        if (dj == 0.0f) continue;
        const float dm = mul(F32(*dmin), (float)m);
        for (int l = 0; l < 32; l++) L[32 * j + l] = (uint8_t)clampi(nearest((x[32 * j + l] + dm) / dj), 0, nmax);
    }
}

void nuri_quant_q4_k_ref(const float *src, void *dst, int64_t n) {
    blk_q4_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        uint8_t L[256];
        kq_scales_levels(src + i * QKK, 15, -1.0f, 20, y[i].scales, &y[i].d, &y[i].dmin, L);
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 32; l++) y[i].qs[32 * p + l] = (uint8_t)(L[64 * p + l] | (L[64 * p + 32 + l] << 4));
    }
}

void nuri_quant_q5_k_ref(const float *src, void *dst, int64_t n) {
    blk_q5_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        uint8_t L[256];
        kq_scales_levels(src + i * QKK, 31, -0.5f, 15, y[i].scales, &y[i].d, &y[i].dmin, L);
        memset(y[i].qh, 0, sizeof y[i].qh);
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 32; l++) {
                const int a = L[64 * p + l], b = L[64 * p + 32 + l];
                y[i].qs[32 * p + l] = (uint8_t)((a & 0xF) | ((b & 0xF) << 4));
                y[i].qh[l] |= (uint8_t)(((a >> 4) << (2 * p)) | ((b >> 4) << (2 * p + 1)));
            }
    }
}

/* Signed levels -nmax..nmax-1 for 16 values, rmse_type 1 of the reference: weights x^2
 * and a sweep of 18 trial scales; returns the scale, L gets level + nmax. */
static float fit_scale_signed(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        const float ax = fabsf(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < 1e-15f) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        const int l = clampi(nearest(mul(iscale, x[i])), -nmax, nmax - 1);
        L[i] = (int8_t)(l + nmax);
        const float w = mul(x[i], x[i]);
        sumlx += mul(mul(w, x[i]), (float)l);
        suml2 += mul(mul(w, (float)l), (float)l);
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = mul(scale, sumlx);
    for (int is = -9; is <= 9; is++) {
        if (is == 0) continue;
        iscale = -(nmax + mul(0.1f, (float)is)) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; i++) {
            const int l = clampi(nearest(mul(iscale, x[i])), -nmax, nmax - 1);
            const float w = mul(x[i], x[i]);
            sumlx += mul(mul(w, x[i]), (float)l);
            suml2 += mul(mul(w, (float)l), (float)l);
        }
        if (suml2 > 0 && mul(sumlx, sumlx) > mul(best, suml2)) {
            for (int i = 0; i < n; i++) L[i] = (int8_t)(nmax + clampi(nearest(mul(iscale, x[i])), -nmax, nmax - 1));
            scale = sumlx / suml2;
            best = mul(scale, sumlx);
        }
    }
    return scale;
}

void nuri_quant_q6_k_ref(const float *src, void *dst, int64_t n) {
    blk_q6_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float *x = src + i * QKK;
        int8_t L[256];
        float sc[16], max_scale = 0, max_abs = 0;
        for (int g = 0; g < 16; g++) {
            sc[g] = fit_scale_signed(16, 32, x + 16 * g, L + 16 * g);
            if (fabsf(sc[g]) > max_abs) {
                max_abs = fabsf(sc[g]);
                max_scale = sc[g];
            }
        }
        memset(&y[i], 0, sizeof y[i]);
        if (max_abs < 1e-15f) continue;
        const float iscale = -128.f / max_scale;
        y[i].d = FP16(1 / iscale);
        for (int g = 0; g < 16; g++) {
            const int v = nearest(mul(iscale, sc[g]));
            y[i].scales[g] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; g++) {
            const float d = mul(F32(y[i].d), (float)y[i].scales[g]);
            if (d == 0.0f) continue;
            for (int l = 0; l < 16; l++) L[16 * g + l] = (int8_t)(clampi(nearest(x[16 * g + l] / d), -32, 31) + 32);
        }
        for (int h = 0; h < 2; h++) {
            const int8_t *Lh = L + 128 * h;
            uint8_t *ql = y[i].ql + 64 * h, *qh = y[i].qh + 32 * h;
            for (int l = 0; l < 32; l++) {
                ql[l] = (uint8_t)((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
                ql[l + 32] = (uint8_t)((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
                qh[l] = (uint8_t)((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                                  ((Lh[l + 96] >> 4) << 6));
            }
        }
    }
}

/* Packs 256 two-bit levels: byte l of each 32-byte half holds elements l, l+32, l+64,
 * l+96 of that half's 128. */
static void pack2(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            const uint8_t *p = L + 128 * h + l;
            qs[32 * h + l] = (uint8_t)(p[0] | (p[32] << 2) | (p[64] << 4) | (p[96] << 6));
        }
}

void nuri_quant_q2_k_ref(const float *src, void *dst, int64_t n) {
    blk_q2_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float *x = src + i * QKK;
        uint8_t L[256];
        float sc[16], mn[16], w[16], max_scale = 0, max_min = 0;
        for (int g = 0; g < 16; g++) {
            for (int l = 0; l < 16; l++) w[l] = fabsf(x[16 * g + l]);
            sc[g] = fit_scale_min(16, 3, x + 16 * g, w, L + 16 * g, &mn[g], -0.5f, 0.1f, 15, 1);
            if (sc[g] > max_scale) max_scale = sc[g];
            if (mn[g] > max_min) max_min = mn[g];
        }
        memset(y[i].scales, 0, sizeof y[i].scales);
        y[i].d = y[i].dmin = 0;
        if (max_scale > 0) {
            const float is = 15.f / max_scale;
            for (int g = 0; g < 16; g++) y[i].scales[g] = (uint8_t)nearest(mul(is, sc[g]));
            y[i].d = FP16(max_scale / 15.f);
        }
        if (max_min > 0) {
            const float is = 15.f / max_min;
            for (int g = 0; g < 16; g++) y[i].scales[g] |= (uint8_t)(nearest(mul(is, mn[g])) << 4);
            y[i].dmin = FP16(max_min / 15.f);
        }
        for (int g = 0; g < 16; g++) {
            const float d = mul(F32(y[i].d), (float)(y[i].scales[g] & 0xF));
            if (d == 0.0f) continue;
            const float dm = mul(F32(y[i].dmin), (float)(y[i].scales[g] >> 4));
            for (int l = 0; l < 16; l++) L[16 * g + l] = (uint8_t)clampi(nearest((x[16 * g + l] + dm) / d), 0, 3);
        }
        pack2(L, y[i].qs);
    }
}

/* Levels -nmax..nmax-1 for n values by coordinate descent on the x^2-weighted error
 * (the reference's make_q3_quants with rmse); L gets level + nmax. */
static float fit_scale_q3(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        const float ax = fabsf(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < 1e-15f) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    const float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        const int l = clampi(nearest(mul(iscale, x[i])), -nmax, nmax - 1);
        L[i] = (int8_t)l;
        const float w = mul(x[i], x[i]);
        sumlx += mul(mul(w, x[i]), (float)l);
        suml2 += mul(mul(w, (float)l), (float)l);
    }
    for (int itry = 0; itry < 5; itry++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            const float w = mul(x[i], x[i]);
            float slx = sumlx - mul(mul(w, x[i]), (float)L[i]);
            if (slx > 0) {
                float sl2 = suml2 - mul(mul(w, (float)L[i]), (float)L[i]);
                const int nl = clampi(nearest(mul(x[i], sl2) / slx), -nmax, nmax - 1);
                if (nl != L[i]) {
                    slx += mul(mul(w, x[i]), (float)nl);
                    sl2 += mul(mul(w, (float)nl), (float)nl);
                    if (sl2 > 0 && mul(mul(slx, slx), suml2) > mul(mul(sumlx, sumlx), sl2)) {
                        L[i] = (int8_t)nl;
                        sumlx = slx;
                        suml2 = sl2;
                        changed++;
                    }
                }
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; i++) L[i] = (int8_t)(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

void nuri_quant_q3_k_ref(const float *src, void *dst, int64_t n) {
    blk_q3_k *y = dst;
    for (int64_t i = 0; i < n / QKK; i++) {
        const float *x = src + i * QKK;
        int8_t L[256];
        float sc[16], max_scale = 0, amax = 0;
        for (int g = 0; g < 16; g++) {
            sc[g] = fit_scale_q3(16, 4, x + 16 * g, L + 16 * g);
            if (fabsf(sc[g]) > amax) {
                amax = fabsf(sc[g]);
                max_scale = sc[g];
            }
        }
        memset(y[i].scales, 0, sizeof y[i].scales);
        y[i].d = 0;
        if (max_scale != 0.0f) {
            const float iscale = -32.f / max_scale;
            for (int g = 0; g < 16; g++) {
                const int l = clampi((int8_t)nearest(mul(iscale, sc[g])), -32, 31) + 32;
                if (g < 8) y[i].scales[g] = (uint8_t)(l & 0xF);
                else y[i].scales[g - 8] |= (uint8_t)((l & 0xF) << 4);
                y[i].scales[8 + g % 4] |= (uint8_t)((l >> 4) << (2 * (g / 4)));
            }
            y[i].d = FP16(1 / iscale);
        }
        int8_t s8[16];
        q3k_scales(y[i].scales, s8);
        for (int g = 0; g < 16; g++) {
            const float d = mul(F32(y[i].d), (float)s8[g]);
            if (d == 0.0f) continue;
            for (int l = 0; l < 16; l++) L[16 * g + l] = (int8_t)(clampi(nearest(x[16 * g + l] / d), -4, 3) + 4);
        }
        /* The third bit of element j goes to bit j/32 of hmask[j%32]. */
        memset(y[i].hmask, 0, sizeof y[i].hmask);
        uint8_t low[256];
        for (int j = 0; j < 256; j++) {
            int v = L[j];
            if (v > 3) {
                y[i].hmask[j % 32] |= (uint8_t)(1u << (j / 32));
                v -= 4;
            }
            low[j] = (uint8_t)v;
        }
        pack2(low, y[i].qs);
    }
}
