/* nuri: dequantization, quantization and the compute kernels over plain pointers.
 *
 * Every kernel has a portable scalar reference; AVX2 and AVX-512 variants are chosen
 * once per context by nuri_kernels_best() and tested against the scalar table. */
#ifndef NURI_TENSOR_H
#define NURI_TENSOR_H

#include "nuri/base.h"
#include "nuri/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { NURI_ISA_SCALAR = 0, NURI_ISA_AVX2 = 1, NURI_ISA_AVX512 = 2 } nuri_isa;

/* IEEE half and bfloat16 conversions (round to nearest even, as the reference). */
uint16_t nuri_fp32_to_fp16(float f);
float nuri_fp16_to_fp32(uint16_t h);
uint16_t nuri_fp32_to_bf16(float f);
float nuri_bf16_to_fp32(uint16_t h);

/* Dot product of n elements: a weight row w of type t and an activation row x already
 * converted to nuri_type_get(t)->vec_dot_type. */
typedef void (*nuri_vec_dot_fn)(int64_t n, const void *w, const void *x, float *out);
/* Converts n floats to a row of some type (n a multiple of its block size). */
typedef void (*nuri_from_float_fn)(const float *src, void *dst, int64_t n);
/* Converts a row of some type to n floats. */
typedef void (*nuri_to_float_fn)(const void *src, float *dst, int64_t n);

typedef struct {
    nuri_isa isa;
    nuri_vec_dot_fn vec_dot[NURI_TYPE_COUNT];     /* NULL where the type has no dot */
    /* Activation types F32, F16, BF16, Q8_0, Q8_1, Q8_K, bit-identical to what the
     * reference's CPU backend computes on x86 (Q8_0/Q8_1 round half to even with
     * multiplier 127/amax); also Q4_0, Q4_1, Q5_0, Q5_1, Q2_K ... Q6_K (the reference's
     * file quantizers). */
    nuri_from_float_fn from_float[NURI_TYPE_COUNT];
    nuri_to_float_fn to_float[NURI_TYPE_COUNT];     /* every compute type */

    /* Element-wise and reduction operations on float rows. */
    /* y = x / sqrt(mean(x^2) + eps) * w   (w may be NULL: no scale) */
    void (*rms_norm)(int64_t n, const float *x, const float *w, float eps, float *y);
    /* y[i] += x[i] */
    void (*add)(int64_t n, const float *x, float *y);
    /* y[i] *= s */
    void (*scale)(int64_t n, float s, float *y);
    /* g[i] = silu(g[i]) * u[i]  (SwiGLU) */
    void (*silu_mul)(int64_t n, float *g, const float *u);
    /* g[i] = gelu_tanh(g[i]) * u[i] (GeGLU), bit-identical to the reference's f32 CPU
     * GELU: input and result rounded to half (its lookup table), x <= -10 gives 0 and
     * x >= 10 passes x through. */
    void (*gelu_mul)(int64_t n, float *g, const float *u);
    /* In place softmax; returns nothing; x[i] = exp(x[i]-max)/sum. */
    void (*softmax)(int64_t n, float *x);
    /* y[i] += a * fp16_to_fp32(x[i]) ; x is fp16 */
    void (*axpy_f16)(int64_t n, float a, const uint16_t *x, float *y);

    /* Matrix product, for prompt processing and generation alike:
     *   out[t*ld_out + r] = vec_dot(n, row r of w, row t of x)  for r in [r0,r1), t in [0,n_tok)
     * w: weight rows of type wt, w_row_bytes apart (row r starts at w + r*w_row_bytes);
     * x: n_tok activation rows already converted with from_float[vec_dot_type of wt],
     * x_row_bytes apart. n must be a multiple of wt's block size. Tiles over rows and
     * tokens so each weight block is loaded once for several tokens; the caller splits
     * [0,rows) into disjoint [r0,r1) ranges across threads. Results equal vec_dot's up to
     * float summation order. Every compute type (nuri_type_get(wt)->compute) works.
     * Pure and thread-safe; uses up to about 64 KB of stack (repacked activations). */
    void (*mat_dot)(nuri_type wt, int64_t n, const void *w, size_t w_row_bytes, int64_t r0,
                    int64_t r1, const void *x, size_t x_row_bytes, int64_t n_tok, float *out,
                    int64_t ld_out);
} nuri_kernels;

/* Static tables; NULL when this build has no code for isa. The caller checks the CPU. */
const nuri_kernels *nuri_kernels_for(nuri_isa isa);
/* The best table this CPU runs (checks cpuid every call; callers keep the pointer). */
const nuri_kernels *nuri_kernels_best(void);
/* Whether this CPU can run isa. */
bool nuri_cpu_has(nuri_isa isa);
const char *nuri_isa_name(nuri_isa isa);

/* Convenience over the scalar table: dequantize n elements of type t. */
nuri_status nuri_dequantize(nuri_type t, const void *src, float *dst, int64_t n, nuri_error *err);
/* Quantizes n floats to t byte for byte as the reference writes files without an
 * importance matrix (its *_ref quantizers): F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
 * Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, plus the activation types Q8_1 and Q8_K. Other types
 * (IQ4_NL, ...) are NURI_ERR_UNSUPPORTED. */
nuri_status nuri_quantize(nuri_type t, const float *src, void *dst, int64_t n, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
