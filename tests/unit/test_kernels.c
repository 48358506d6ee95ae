/* Kernel tables: every AVX2 / AVX-512 entry against the scalar reference on random data
 * (exact for conversions and activation quantizers, tight tolerance where float sums
 * are reordered), mat_dot tiling against vec_dot, conversion rules, quantizer round trips. */
#include <math.h>
#include <stdint.h>

#include "nuri/tensor.h"
#include "test.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng_u64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static float rng_f(void) { return (float)((double)(rng_u64() >> 11) * 0x1p-52 - 1.0); }

static void fill_floats(float *x, int64_t n, float scale) {
    for (int64_t i = 0; i < n; i++) x[i] = rng_f() * scale;
    /* Heavy tails and exact zeros, as real activations have. */
    for (int64_t i = 0; i < n; i += 37) x[i] *= 9.0f;
    for (int64_t i = 5; i < n; i += 101) x[i] = 0.0f;
}

static uint16_t rand_half(float lo, float hi) {
    return nuri_fp32_to_fp16(lo + (hi - lo) * (rng_f() * 0.5f + 0.5f));
}

/* Random but valid weight rows: random quant bytes, scale fields set to sane halves
 * (random bytes there would be NaN or huge). Float types from random floats. */
static void fill_weights(nuri_type t, void *dst, int64_t n) {
    const nuri_type_info *ti = nuri_type_get((uint32_t)t);
    uint8_t *b = dst;
    const size_t bytes = nuri_type_row_size(t, n);
    for (size_t i = 0; i < bytes; i++) b[i] = (uint8_t)rng_u64();
    if (t == NURI_TYPE_F32 || t == NURI_TYPE_F16 || t == NURI_TYPE_BF16) {
        float *tmp = malloc((size_t)n * sizeof(float));
        fill_floats(tmp, n, 0.5f);
        nuri_kernels_for(NURI_ISA_SCALAR)->from_float[t](tmp, dst, n);
        free(tmp);
        return;
    }
    const int64_t nb = n / ti->block_size;
    for (int64_t i = 0; i < nb; i++) {
        uint8_t *blk = b + (size_t)i * ti->type_size;
        uint16_t h[2] = {rand_half(0.001f, 0.02f), rand_half(0.0005f, 0.01f)};
        switch (t) {
        case NURI_TYPE_Q4_1:
        case NURI_TYPE_Q5_1:
            h[1] = rand_half(-0.2f, 0.2f); /* the min is signed */
            memcpy(blk, h, 4);
            break;
        case NURI_TYPE_Q4_K:
        case NURI_TYPE_Q5_K: memcpy(blk, h, 4); break;
        case NURI_TYPE_Q2_K: memcpy(blk + 80, h, 4); break;
        case NURI_TYPE_Q3_K: memcpy(blk + 108, h, 2); break;
        case NURI_TYPE_Q6_K: memcpy(blk + 208, h, 2); break;
        default: memcpy(blk, h, 2); break; /* Q4_0, Q5_0, Q8_0, IQ4_NL */
        }
    }
}

static const nuri_type compute_types[] = {
    NURI_TYPE_F32,  NURI_TYPE_F16,  NURI_TYPE_BF16, NURI_TYPE_Q8_0, NURI_TYPE_Q4_0,
    NURI_TYPE_Q4_1, NURI_TYPE_Q5_0, NURI_TYPE_Q5_1, NURI_TYPE_IQ4_NL, NURI_TYPE_Q2_K,
    NURI_TYPE_Q3_K, NURI_TYPE_Q4_K, NURI_TYPE_Q5_K, NURI_TYPE_Q6_K,
};
#define N_COMPUTE (sizeof compute_types / sizeof compute_types[0])

static const nuri_type act_types[] = {NURI_TYPE_F32, NURI_TYPE_F16, NURI_TYPE_BF16,
                                      NURI_TYPE_Q8_0, NURI_TYPE_Q8_1, NURI_TYPE_Q8_K};

/* Scale for a dot's tolerance: sum of |w_i x_i| over the dequantized rows. */
static double abs_dot(nuri_type wt, int64_t n, const void *w, const void *x) {
    const nuri_kernels *s = nuri_kernels_for(NURI_ISA_SCALAR);
    nuri_type xt = nuri_type_get((uint32_t)wt)->vec_dot_type;
    float *a = malloc((size_t)n * sizeof(float)), *b = malloc((size_t)n * sizeof(float));
    s->to_float[wt](w, a, n);
    s->to_float[xt](x, b, n);
    double r = 0;
    for (int64_t i = 0; i < n; i++) r += fabs((double)a[i] * (double)b[i]);
    free(a);
    free(b);
    return r;
}

/* ---- conversions ---- */

static double half_value(uint16_t h) { return (double)nuri_fp16_to_fp32(h); }

static void test_fp16_rules(void) {
    /* Every half survives the round trip through float. */
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        const float f = nuri_fp16_to_fp32((uint16_t)h);
        const uint16_t back = nuri_fp32_to_fp16(f);
        if (isnan(f)) {
            if ((back & 0x7c00) != 0x7c00 || !(back & 0x3ff) || (back & 0x8000) != (h & 0x8000)) bad++;
        } else if (back != h) {
            bad++;
        }
    }
    CHECKF(bad == 0, "%d halves did not round-trip", bad);
    CHECK(nuri_fp16_to_fp32(0x3c00) == 1.0f);
    CHECK(nuri_fp16_to_fp32(0x0001) == 0x1p-24f);
    CHECK(nuri_fp16_to_fp32(0x7bff) == 65504.0f);
    CHECK(nuri_fp16_to_fp32(0xfc00) == -INFINITY);
    CHECK(nuri_fp32_to_fp16(65519.0f) == 0x7bff);
    CHECK(nuri_fp32_to_fp16(65520.0f) == 0x7c00);
    CHECK(nuri_fp32_to_fp16(0x1p-25f) == 0x0000);              /* tie to even (zero) */
    CHECK(nuri_fp32_to_fp16(0x1.8p-24f) == 0x0002);            /* 1.5 ulp: tie to even */
    CHECK(nuri_fp32_to_fp16(1.0f + 0x1p-11f) == 0x3c00);       /* tie to even */
    CHECK(nuri_fp32_to_fp16(1.0f + 0x1.8p-10f) == 0x3c02);     /* 1.5 ulp: up to even */
    CHECK(nuri_fp32_to_fp16(-0.0f) == 0x8000);
    CHECK(nuri_fp32_to_fp16(NAN) == 0x7e00);
    CHECK(nuri_fp32_to_fp16(-NAN) == 0xfe00);

    /* Random floats round to a nearest half, ties to even: check against the
     * neighbours of the result, in double. */
    bad = 0;
    for (int i = 0; i < 2000000; i++) {
        uint32_t u = (uint32_t)rng_u64();
        /* Mostly the half range: exponents around 2^-26 .. 2^17. */
        u = (u & 0x807fffffu) | ((uint32_t)(101 + (rng_u64() % 44)) << 23);
        float f;
        memcpy(&f, &u, 4);
        const uint16_t h = nuri_fp32_to_fp16(f);
        const double v = fabs((double)f);
        const uint16_t m = h & 0x7fff;
        if (m >= 0x7c00) {
            if (v < 65520.0) bad++;
            continue;
        }
        const double e = fabs(v - half_value(m));
        const double up = m < 0x7bff ? fabs(v - half_value((uint16_t)(m + 1))) : INFINITY;
        const double dn = m > 0 ? fabs(v - half_value((uint16_t)(m - 1))) : INFINITY;
        if (e > up || e > dn || (e == up && (m & 1)) || (e == dn && (m & 1))) bad++;
        if ((h & 0x8000) != ((u >> 16) & 0x8000)) bad++;
    }
    CHECKF(bad == 0, "%d floats rounded to a wrong half", bad);
}

static void test_bf16_rules(void) {
    int bad = 0;
    for (int i = 0; i < 1000000; i++) {
        const uint32_t u = (uint32_t)rng_u64();
        float f;
        memcpy(&f, &u, 4);
        const uint16_t b = nuri_fp32_to_bf16(f);
        if (isnan(f)) {
            if (!isnan(nuri_bf16_to_fp32(b)) || (b & 0x40) == 0) bad++;
            continue;
        }
        /* Nearest of truncation and the next bfloat16 up in magnitude, ties to even. */
        const uint16_t lo = (uint16_t)(u >> 16), hi = (uint16_t)(lo + 1);
        const uint32_t rem = u & 0xffff;
        const uint16_t want = rem > 0x8000 ? hi : rem < 0x8000 ? lo : ((lo & 1) ? hi : lo);
        if (b != want) bad++;
    }
    CHECKF(bad == 0, "%d floats rounded to a wrong bfloat16", bad);
    CHECK(nuri_bf16_to_fp32(0x3f80) == 1.0f);
    CHECK(nuri_fp32_to_bf16(INFINITY) == 0x7f80);
}

/* ---- SIMD tables against scalar ---- */

static void test_from_float(const nuri_kernels *k, const nuri_kernels *s) {
    const int64_t n = 256 * 9;
    float *x = malloc((size_t)n * sizeof(float));
    uint8_t *a = malloc((size_t)n * 4), *b = malloc((size_t)n * 4);
    for (int rep = 0; rep < 20; rep++) {
        fill_floats(x, n, rep % 3 == 0 ? 1e-3f : rep % 3 == 1 ? 3.0f : 500.0f);
        if (rep == 1) memset(x, 0, 256 * sizeof(float)); /* an all-zero block */
        if (rep == 2)
            for (int i = 0; i < 64; i++) x[i] = (i & 1) ? 0.75f : -0.75f; /* ties of |max| */
        for (size_t i = 0; i < sizeof act_types / sizeof act_types[0]; i++) {
            const nuri_type t = act_types[i];
            const size_t bytes = nuri_type_row_size(t, n);
            memset(a, 0xAB, bytes);
            memset(b, 0xCD, bytes);
            s->from_float[t](x, a, n);
            k->from_float[t](x, b, n);
            CHECKF(memcmp(a, b, bytes) == 0, "%s from_float %s differs from scalar (rep %d)",
                   nuri_isa_name(k->isa), nuri_type_get(t)->name, rep);
        }
    }
    /* Odd lengths for the plain types (vector body plus tail). */
    for (int64_t m = 1; m < 40; m += 3) {
        const nuri_type plain[] = {NURI_TYPE_F16, NURI_TYPE_BF16, NURI_TYPE_F32};
        for (int i = 0; i < 3; i++) {
            s->from_float[plain[i]](x, a, m);
            k->from_float[plain[i]](x, b, m);
            CHECKF(memcmp(a, b, nuri_type_row_size(plain[i], m)) == 0, "%s from_float %s n=%lld",
                   nuri_isa_name(k->isa), nuri_type_get(plain[i])->name, (long long)m);
        }
    }
    free(x);
    free(a);
    free(b);
}

static void test_vec_dot(const nuri_kernels *k, const nuri_kernels *s) {
    const int64_t n = 256 * 8;
    float *xf = malloc((size_t)n * sizeof(float));
    uint8_t *w = malloc((size_t)n * 4), *x = malloc((size_t)n * 4);
    for (size_t ti = 0; ti < N_COMPUTE; ti++) {
        const nuri_type t = compute_types[ti];
        const nuri_type xt = nuri_type_get((uint32_t)t)->vec_dot_type;
        CHECKF(k->vec_dot[t] != NULL, "%s lacks vec_dot %s", nuri_isa_name(k->isa), nuri_type_get(t)->name);
        if (!k->vec_dot[t]) continue;
        double worst = 0;
        for (int rep = 0; rep < 30; rep++) {
            const int64_t len = (rep % 3 == 0) ? n : (rep % 3 == 1) ? 256 : 512;
            fill_weights(t, w, len);
            fill_floats(xf, len, rep % 2 ? 1.0f : 40.0f);
            s->from_float[xt](xf, x, len);
            float ra = 0, rb = 0;
            s->vec_dot[t](len, w, x, &ra);
            k->vec_dot[t](len, w, x, &rb);
            const double scale = abs_dot(t, len, w, x);
            const double err = fabs((double)ra - (double)rb) / (scale + 1e-30);
            worst = err > worst ? err : worst;
        }
        CHECKF(worst < 2e-6, "%s vec_dot %s: relative error %.3g", nuri_isa_name(k->isa),
               nuri_type_get(t)->name, worst);
    }
    /* Float types at lengths that are not a multiple of the vector width. */
    const nuri_type ft[] = {NURI_TYPE_F32, NURI_TYPE_F16, NURI_TYPE_BF16};
    for (int i = 0; i < 3; i++) {
        for (int64_t len = 1; len < 50; len += 7) {
            fill_weights(ft[i], w, len);
            fill_floats(xf, len, 1.0f);
            s->from_float[ft[i]](xf, x, len);
            float ra = 0, rb = 0;
            s->vec_dot[ft[i]](len, w, x, &ra);
            k->vec_dot[ft[i]](len, w, x, &rb);
            CHECKF(fabs(ra - rb) <= 1e-5 * (abs_dot(ft[i], len, w, x) + 1e-30), "%s vec_dot %s n=%lld: %g vs %g",
                   nuri_isa_name(k->isa), nuri_type_get(ft[i])->name, (long long)len, ra, rb);
        }
    }
    free(xf);
    free(w);
    free(x);
}

/* The scalar dots against the float dot of the dequantized rows: the integer
 * formulation must compute the same sum (Q4_1/Q5_1 use the activation's half-rounded
 * d*sum, so they get a looser bound). */
static void test_dot_vs_dequant(const nuri_kernels *s) {
    const int64_t n = 1024;
    float *xf = malloc(n * 4), *a = malloc(n * 4), *b = malloc(n * 4);
    uint8_t *w = malloc(n * 4), *x = malloc(n * 4);
    for (size_t ti = 0; ti < N_COMPUTE; ti++) {
        const nuri_type t = compute_types[ti];
        const nuri_type xt = nuri_type_get((uint32_t)t)->vec_dot_type;
        const double tol = (t == NURI_TYPE_Q4_1 || t == NURI_TYPE_Q5_1) ? 2e-3 : 2e-6;
        double worst = 0;
        for (int rep = 0; rep < 20; rep++) {
            fill_weights(t, w, n);
            fill_floats(xf, n, 3.0f);
            s->from_float[xt](xf, x, n);
            s->to_float[t](w, a, n);
            s->to_float[xt](x, b, n);
            double want = 0, scale = 0;
            for (int64_t i = 0; i < n; i++) {
                want += (double)a[i] * (double)b[i];
                scale += fabs((double)a[i] * (double)b[i]);
            }
            float got = 0;
            s->vec_dot[t](n, w, x, &got);
            const double err = fabs(got - want) / (scale + 1e-30);
            worst = err > worst ? err : worst;
        }
        CHECKF(worst < tol, "scalar vec_dot %s vs dequantized: relative error %.3g", nuri_type_get(t)->name, worst);
    }
    free(xf);
    free(a);
    free(b);
    free(w);
    free(x);
}

/* mat_dot of every table against its scalar vec_dot, over odd row ranges and token
 * counts (every tile shape and tail, batches of 16 tokens and their remainders, more
 * than one K chunk), with a sentinel around the written range. */
static void mat_dot_case(const nuri_kernels *k, const nuri_kernels *s, nuri_type t, int64_t n,
                         const int64_t (*ranges)[3], int nranges) {
    const int64_t rows = 23, ntok = 37, ld = 29;
    const nuri_type xt = nuri_type_get((uint32_t)t)->vec_dot_type;
    const size_t wrb = nuri_type_row_size(t, n), xrb = nuri_type_row_size(xt, n) + 4;
    float *xf = malloc((size_t)(n * ntok) * sizeof(float));
    float *out = malloc((size_t)(ld * ntok) * sizeof(float));
    float *want = malloc((size_t)(ld * ntok) * sizeof(float));
    double *scale = malloc((size_t)(ld * ntok) * sizeof(double));
    uint8_t *w = malloc(wrb * (size_t)rows), *x = malloc(xrb * (size_t)ntok);
    for (int64_t r = 0; r < rows; r++) fill_weights(t, w + (size_t)r * wrb, n);
    fill_floats(xf, n * ntok, 2.0f);
    for (int64_t i = 0; i < ntok; i++) s->from_float[xt](xf + i * n, x + (size_t)i * xrb, n);
    for (int64_t tk = 0; tk < ntok; tk++)
        for (int64_t r = 0; r < rows; r++) {
            s->vec_dot[t](n, w + (size_t)r * wrb, x + (size_t)tk * xrb, &want[tk * ld + r]);
            scale[tk * ld + r] = abs_dot(t, n, w + (size_t)r * wrb, x + (size_t)tk * xrb);
        }
    int bad = 0, sentinel = 0;
    for (int q = 0; q < nranges; q++) {
        const int64_t r0 = ranges[q][0], r1 = ranges[q][1], nt = ranges[q][2];
        for (int64_t i = 0; i < ld * ntok; i++) out[i] = -12345.0f;
        k->mat_dot(t, n, w, wrb, r0, r1, x, xrb, nt, out, ld);
        for (int64_t tk = 0; tk < ntok; tk++)
            for (int64_t r = 0; r < ld; r++) {
                const float got = out[tk * ld + r];
                if (tk >= nt || r < r0 || r >= r1) {
                    if (got != -12345.0f) sentinel++;
                    continue;
                }
                if (fabs((double)got - (double)want[tk * ld + r]) > 2e-6 * scale[tk * ld + r] + 1e-30) bad++;
            }
    }
    CHECKF(bad == 0, "%s mat_dot %s n=%lld: %d results differ from vec_dot", nuri_isa_name(k->isa),
           nuri_type_get(t)->name, (long long)n, bad);
    CHECKF(sentinel == 0, "%s mat_dot %s n=%lld: %d writes outside the range", nuri_isa_name(k->isa),
           nuri_type_get(t)->name, (long long)n, sentinel);
    free(xf);
    free(out);
    free(want);
    free(scale);
    free(w);
    free(x);
}

static void test_mat_dot(const nuri_kernels *k, const nuri_kernels *s) {
    const int64_t ranges[][3] = {{0, 23, 37}, {3, 17, 5}, {5, 6, 1}, {2, 22, 1}, {0, 4, 4}, {1, 20, 16}, {0, 9, 33}};
    const int64_t big[][3] = {{0, 23, 37}};
    for (size_t ti = 0; ti < N_COMPUTE; ti++) {
        mat_dot_case(k, s, compute_types[ti], 512, ranges, (int)(sizeof ranges / sizeof ranges[0]));
        /* Longer than one K chunk of the batched kernel (2048). */
        mat_dot_case(k, s, compute_types[ti], 2304, big, 1);
    }
}

static int close_rel(float a, float b, float rel, float abs_tol) {
    return fabsf(a - b) <= rel * fabsf(b) + abs_tol;
}

static void test_ops(const nuri_kernels *k, const nuri_kernels *s) {
    const int64_t lens[] = {1, 7, 8, 33, 256, 1000};
    const char *isa = nuri_isa_name(k->isa);
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        const int64_t n = lens[li];
        float *x = malloc((size_t)n * 4), *w = malloc((size_t)n * 4), *a = malloc((size_t)n * 4),
              *b = malloc((size_t)n * 4), *u = malloc((size_t)n * 4);
        uint16_t *h = malloc((size_t)n * 2);
        fill_floats(x, n, 4.0f);
        fill_floats(w, n, 1.0f);
        fill_floats(u, n, 2.0f);
        int bad;

        s->rms_norm(n, x, w, 1e-5f, a);
        k->rms_norm(n, x, w, 1e-5f, b);
        bad = 0;
        for (int64_t i = 0; i < n; i++) bad += !close_rel(b[i], a[i], 1e-6f, 0);
        s->rms_norm(n, x, NULL, 1e-6f, a);
        k->rms_norm(n, x, NULL, 1e-6f, b);
        for (int64_t i = 0; i < n; i++) bad += !close_rel(b[i], a[i], 1e-6f, 0);
        CHECKF(bad == 0, "%s rms_norm n=%lld: %d differ", isa, (long long)n, bad);

        memcpy(a, w, (size_t)n * 4);
        memcpy(b, w, (size_t)n * 4);
        s->add(n, x, a);
        k->add(n, x, b);
        s->scale(n, 0.37f, a);
        k->scale(n, 0.37f, b);
        CHECKF(memcmp(a, b, (size_t)n * 4) == 0, "%s add/scale n=%lld differ", isa, (long long)n);

        for (int64_t i = 0; i < n; i++) a[i] = b[i] = x[i] * 5.0f; /* silu over a wide range */
        s->silu_mul(n, a, u);
        k->silu_mul(n, b, u);
        bad = 0;
        for (int64_t i = 0; i < n; i++) bad += !close_rel(b[i], a[i], 4e-7f, 1e-30f);
        CHECKF(bad == 0, "%s silu_mul n=%lld: %d differ", isa, (long long)n, bad);

        memcpy(a, x, (size_t)n * 4);
        memcpy(b, x, (size_t)n * 4);
        s->gelu_mul(n, a, u);
        k->gelu_mul(n, b, u);
        CHECKF(memcmp(a, b, (size_t)n * 4) == 0, "%s gelu_mul n=%lld differ", isa, (long long)n);

        for (int64_t i = 0; i < n; i++) a[i] = b[i] = x[i] * 8.0f;
        s->softmax(n, a);
        k->softmax(n, b);
        bad = 0;
        double total = 0;
        for (int64_t i = 0; i < n; i++) {
            bad += !close_rel(b[i], a[i], 1e-6f, 1e-30f);
            total += b[i];
        }
        CHECKF(bad == 0, "%s softmax n=%lld: %d differ", isa, (long long)n, bad);
        CHECKF(fabs(total - 1.0) < 1e-5, "%s softmax n=%lld sums to %g", isa, (long long)n, total);

        s->from_float[NURI_TYPE_F16](u, h, n);
        memcpy(a, w, (size_t)n * 4);
        memcpy(b, w, (size_t)n * 4);
        s->axpy_f16(n, -0.3f, h, a);
        k->axpy_f16(n, -0.3f, h, b);
        bad = 0;
        for (int64_t i = 0; i < n; i++) bad += !close_rel(b[i], a[i], 1e-6f, 1e-7f);
        CHECKF(bad == 0, "%s axpy_f16 n=%lld: %d differ", isa, (long long)n, bad);

        free(x);
        free(w);
        free(a);
        free(b);
        free(u);
        free(h);
    }
}

static void test_table(const nuri_kernels *k, const nuri_kernels *s) {
    for (size_t ti = 0; ti < N_COMPUTE; ti++) {
        const nuri_type t = compute_types[ti];
        CHECKF(k->to_float[t] != NULL, "%s lacks to_float %s", nuri_isa_name(k->isa), nuri_type_get(t)->name);
        if (!k->to_float[t]) continue;
        const int64_t n = 512;
        uint8_t *w = malloc(nuri_type_row_size(t, n));
        float *a = malloc(n * 4), *b = malloc(n * 4);
        fill_weights(t, w, n);
        s->to_float[t](w, a, n);
        k->to_float[t](w, b, n);
        CHECKF(memcmp(a, b, n * 4) == 0, "%s to_float %s differs", nuri_isa_name(k->isa), nuri_type_get(t)->name);
        free(w);
        free(a);
        free(b);
    }
    CHECK(k->rms_norm && k->add && k->scale && k->silu_mul && k->gelu_mul && k->softmax && k->axpy_f16 && k->mat_dot);
}

/* ---- quantizer round trips ---- */

static void test_roundtrip(void) {
    const int64_t n = 256 * 4;
    float *x = malloc(n * 4), *y = malloc(n * 4);
    uint8_t *q = malloc(n * 4);
    nuri_error err;
    const nuri_type types[] = {NURI_TYPE_F32, NURI_TYPE_F16, NURI_TYPE_BF16, NURI_TYPE_Q8_0, NURI_TYPE_Q8_1,
                               NURI_TYPE_Q8_K, NURI_TYPE_Q4_0, NURI_TYPE_Q4_1, NURI_TYPE_Q5_0, NURI_TYPE_Q5_1,
                               NURI_TYPE_Q2_K, NURI_TYPE_Q3_K, NURI_TYPE_Q4_K, NURI_TYPE_Q5_K, NURI_TYPE_Q6_K};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const nuri_type t = types[i];
        const int64_t bs = nuri_type_get((uint32_t)t)->block_size;
        fill_floats(x, n, 1.5f);
        CHECK_OK(nuri_quantize(t, x, q, n, &err), &err);
        CHECK_OK(nuri_dequantize(t, q, y, n, &err), &err);
        int bad = 0;
        for (int64_t b0 = 0; b0 < n; b0 += bs) {
            float mn = INFINITY, mx = -INFINITY, amax = 0;
            for (int64_t j = b0; j < b0 + bs; j++) {
                mn = fminf(mn, x[j]);
                mx = fmaxf(mx, x[j]);
                amax = fmaxf(amax, fabsf(x[j]));
            }
            /* Half a quantization step, plus the rounding of the stored scale. */
            float step;
            switch (t) {
            case NURI_TYPE_F32: step = 0; break;
            case NURI_TYPE_F16: step = amax * 0x1p-10f; break;
            case NURI_TYPE_BF16: step = amax * 0x1p-7f; break;
            /* Levels -8..7 of amax/8 (-16..15 of amax/16): the end opposite the
             * maximum is clipped, a full step off. */
            case NURI_TYPE_Q4_0: step = amax / 4; break;
            case NURI_TYPE_Q5_0: step = amax / 8; break;
            case NURI_TYPE_Q4_1: step = (mx - mn) / 15; break;
            case NURI_TYPE_Q5_1: step = (mx - mn) / 31; break;
            /* Sub-block scales are themselves quantized: allow a full step over the range. */
            case NURI_TYPE_Q4_K: step = 2 * (fmaxf(mx, 0) - fminf(mn, 0)) / 15; break;
            case NURI_TYPE_Q5_K: step = 2 * (fmaxf(mx, 0) - fminf(mn, 0)) / 31; break;
            case NURI_TYPE_Q6_K: step = 2 * amax / 32; break;
            case NURI_TYPE_Q3_K: step = 2 * amax / 4; break;
            case NURI_TYPE_Q2_K: step = 2 * (fmaxf(mx, 0) - fminf(mn, 0)) / 3; break;
            default: step = amax / 127; break;
            }
            const float tol = 0.5f * step * 1.002f + amax * 0x1p-10f;
            for (int64_t j = b0; j < b0 + bs; j++)
                if (fabsf(x[j] - y[j]) > tol) bad++;
        }
        CHECKF(bad == 0, "round trip %s: %d values off by more than half a step", nuri_type_get(t)->name, bad);
    }
    /* Q8_K keeps exact group sums. */
    nuri_kernels_for(NURI_ISA_SCALAR)->from_float[NURI_TYPE_Q8_K](x, q, 256);
    int sums_ok = 1;
    for (int g = 0; g < 16; g++) {
        int s = 0;
        for (int l = 0; l < 16; l++) s += (int8_t)q[4 + 16 * g + l];
        int16_t stored;
        memcpy(&stored, q + 260 + 2 * g, 2);
        sums_ok &= s == stored;
    }
    CHECK(sums_ok);
    /* Errors are values. */
    CHECK(nuri_quantize(NURI_TYPE_Q4_0, x, q, 33, &err) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_quantize(NURI_TYPE_IQ2_XXS, x, q, 256, &err) == NURI_ERR_UNSUPPORTED);
    CHECK(nuri_dequantize(NURI_TYPE_IQ2_XXS, q, y, 256, &err) == NURI_ERR_UNSUPPORTED);
    CHECK(nuri_dequantize((nuri_type)99, q, y, 256, &err) == NURI_ERR_INVALID_ARG);
    free(x);
    free(y);
    free(q);
}

int main(void) {
    const nuri_kernels *s = nuri_kernels_for(NURI_ISA_SCALAR);
    CHECK(s != NULL && s->isa == NURI_ISA_SCALAR);
    CHECK(nuri_cpu_has(NURI_ISA_SCALAR));
    test_fp16_rules();
    test_bf16_rules();
    test_roundtrip();
    test_table(s, s);
    test_dot_vs_dequant(s);
    test_mat_dot(s, s);

    const nuri_isa isas[] = {NURI_ISA_AVX2, NURI_ISA_AVX512};
    for (size_t i = 0; i < 2; i++) {
        const nuri_kernels *k = nuri_kernels_for(isas[i]);
        if (!k) {
            printf("skipping %s: not in this build\n", nuri_isa_name(isas[i]));
            continue;
        }
        if (!nuri_cpu_has(isas[i])) {
            printf("skipping %s: this CPU lacks it\n", nuri_isa_name(isas[i]));
            continue;
        }
        CHECK(k->isa == isas[i]);
        test_table(k, s);
        test_from_float(k, s);
        test_vec_dot(k, s);
        test_mat_dot(k, s);
        test_ops(k, s);
        printf("%s: tested against scalar\n", nuri_isa_name(isas[i]));
    }
    const nuri_kernels *best = nuri_kernels_best();
    CHECK(best != NULL && nuri_cpu_has(best->isa));
    printf("best: %s\n", nuri_isa_name(best->isa));
    return test_done("test_kernels");
}
