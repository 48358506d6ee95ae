/* The scalar kernel table, run-time selection among tables, and the scalar-table
 * conveniences nuri_dequantize / nuri_quantize. */
#include "nuri/tensor.h"
#include "tensor/kernels_impl.h"

void nuri_mat_dot_rows(nuri_vec_dot_fn dot, int64_t n, const void *w, size_t w_row_bytes,
                       int64_t r0, int64_t r1, const void *x, size_t x_row_bytes,
                       int64_t n_tok, float *out, int64_t ld_out) {
    const char *wb = w, *xb = x;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t t = 0; t < n_tok; t++)
            dot(n, wb + (size_t)r * w_row_bytes, xb + (size_t)t * x_row_bytes, &out[t * ld_out + r]);
}

static void mat_dot_scalar(nuri_type wt, int64_t n, const void *w, size_t w_row_bytes,
                           int64_t r0, int64_t r1, const void *x, size_t x_row_bytes,
                           int64_t n_tok, float *out, int64_t ld_out) {
    nuri_mat_dot_rows(nuri_kernels_scalar_table.vec_dot[wt], n, w, w_row_bytes, r0, r1, x,
                      x_row_bytes, n_tok, out, ld_out);
}

const nuri_kernels nuri_kernels_scalar_table = {
    .isa = NURI_ISA_SCALAR,
    .vec_dot =
        {
            [NURI_TYPE_F32] = nuri_dot_f32,
            [NURI_TYPE_F16] = nuri_dot_f16,
            [NURI_TYPE_BF16] = nuri_dot_bf16,
            [NURI_TYPE_Q8_0] = nuri_dot_q8_0,
            [NURI_TYPE_Q4_0] = nuri_dot_q4_0,
            [NURI_TYPE_Q4_1] = nuri_dot_q4_1,
            [NURI_TYPE_Q5_0] = nuri_dot_q5_0,
            [NURI_TYPE_Q5_1] = nuri_dot_q5_1,
            [NURI_TYPE_IQ4_NL] = nuri_dot_iq4_nl,
            [NURI_TYPE_Q2_K] = nuri_dot_q2_k,
            [NURI_TYPE_Q3_K] = nuri_dot_q3_k,
            [NURI_TYPE_Q4_K] = nuri_dot_q4_k,
            [NURI_TYPE_Q5_K] = nuri_dot_q5_k,
            [NURI_TYPE_Q6_K] = nuri_dot_q6_k,
        },
    .from_float =
        {
            [NURI_TYPE_F32] = nuri_quant_f32,
            [NURI_TYPE_F16] = nuri_quant_f16,
            [NURI_TYPE_BF16] = nuri_quant_bf16,
            [NURI_TYPE_Q8_0] = nuri_quant_q8_0,
            [NURI_TYPE_Q8_1] = nuri_quant_q8_1,
            [NURI_TYPE_Q8_K] = nuri_quant_q8_k,
            [NURI_TYPE_Q4_0] = nuri_quant_q4_0_ref,
            [NURI_TYPE_Q4_1] = nuri_quant_q4_1_ref,
            [NURI_TYPE_Q5_0] = nuri_quant_q5_0_ref,
            [NURI_TYPE_Q5_1] = nuri_quant_q5_1_ref,
            [NURI_TYPE_Q2_K] = nuri_quant_q2_k_ref,
            [NURI_TYPE_Q3_K] = nuri_quant_q3_k_ref,
            [NURI_TYPE_Q4_K] = nuri_quant_q4_k_ref,
            [NURI_TYPE_Q5_K] = nuri_quant_q5_k_ref,
            [NURI_TYPE_Q6_K] = nuri_quant_q6_k_ref,
        },
    .to_float =
        {
            [NURI_TYPE_F32] = nuri_deq_f32,
            [NURI_TYPE_F16] = nuri_deq_f16,
            [NURI_TYPE_BF16] = nuri_deq_bf16,
            [NURI_TYPE_Q8_0] = nuri_deq_q8_0,
            [NURI_TYPE_Q8_1] = nuri_deq_q8_1,
            [NURI_TYPE_Q4_0] = nuri_deq_q4_0,
            [NURI_TYPE_Q4_1] = nuri_deq_q4_1,
            [NURI_TYPE_Q5_0] = nuri_deq_q5_0,
            [NURI_TYPE_Q5_1] = nuri_deq_q5_1,
            [NURI_TYPE_IQ4_NL] = nuri_deq_iq4_nl,
            [NURI_TYPE_Q2_K] = nuri_deq_q2_k,
            [NURI_TYPE_Q3_K] = nuri_deq_q3_k,
            [NURI_TYPE_Q4_K] = nuri_deq_q4_k,
            [NURI_TYPE_Q5_K] = nuri_deq_q5_k,
            [NURI_TYPE_Q6_K] = nuri_deq_q6_k,
            [NURI_TYPE_Q8_K] = nuri_deq_q8_k,
        },
    .rms_norm = nuri_op_rms_norm,
    .add = nuri_op_add,
    .scale = nuri_op_scale,
    .silu_mul = nuri_op_silu_mul,
    .gelu_mul = nuri_op_gelu_mul,
    .softmax = nuri_op_softmax,
    .axpy_f16 = nuri_op_axpy_f16,
    .mat_dot = mat_dot_scalar,
};

#if defined(__x86_64__) || defined(__i386__)
#define NURI_HAVE_X86 1
#include <cpuid.h>

/* F16C (leaf 1, ECX bit 29) and AVX512-VNNI (leaf 7, ECX bit 11) straight from cpuid:
 * not every compiler's __builtin_cpu_supports knows their names. The OS side (saved
 * vector state) is covered by the avx2 and avx512f checks. */
static bool cpuid_ecx_bit(unsigned leaf, unsigned bit) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(leaf, 0, &a, &b, &c, &d)) return false;
    return (c >> bit) & 1u;
}
#endif

const nuri_kernels *nuri_kernels_for(nuri_isa isa) {
    switch (isa) {
    case NURI_ISA_SCALAR: return &nuri_kernels_scalar_table;
#ifdef NURI_HAVE_X86
    case NURI_ISA_AVX2: return &nuri_kernels_avx2_table;
    case NURI_ISA_AVX512: return &nuri_kernels_avx512_table;
#endif
    default: return NULL;
    }
}

bool nuri_cpu_has(nuri_isa isa) {
#ifdef NURI_HAVE_X86
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                      cpuid_ecx_bit(1, 29) && __builtin_cpu_supports("bmi2");
    switch (isa) {
    case NURI_ISA_SCALAR: return true;
    case NURI_ISA_AVX2: return avx2;
    case NURI_ISA_AVX512:
        return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
               cpuid_ecx_bit(7, 11);
    }
    return false;
#else
    return isa == NURI_ISA_SCALAR;
#endif
}

const nuri_kernels *nuri_kernels_best(void) {
    const nuri_isa order[] = {NURI_ISA_AVX512, NURI_ISA_AVX2};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const nuri_kernels *k = nuri_kernels_for(order[i]);
        if (k && nuri_cpu_has(order[i])) return k;
    }
    return &nuri_kernels_scalar_table;
}

const char *nuri_isa_name(nuri_isa isa) {
    switch (isa) {
    case NURI_ISA_SCALAR: return "scalar";
    case NURI_ISA_AVX2: return "avx2";
    case NURI_ISA_AVX512: return "avx512";
    }
    return "unknown";
}

static nuri_status check_n(nuri_type t, int64_t n, const char *what, nuri_error *err) {
    const nuri_type_info *ti = nuri_type_get((uint32_t)t);
    if (!ti) return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: unknown tensor type %d", what, (int)t);
    if (n < 0 || n % ti->block_size != 0)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s %s: %lld elements is not a multiple of %lld",
                         what, ti->name, (long long)n, (long long)ti->block_size);
    return NURI_OK;
}

nuri_status nuri_dequantize(nuri_type t, const void *src, float *dst, int64_t n, nuri_error *err) {
    nuri_status st = check_n(t, n, "dequantize", err);
    if (st) return st;
    nuri_to_float_fn f = nuri_kernels_scalar_table.to_float[t];
    if (!f) return nuri_fail(err, NURI_ERR_UNSUPPORTED, "dequantize: type %s is not supported", nuri_type_get((uint32_t)t)->name);
    f(src, dst, n);
    return NURI_OK;
}

nuri_status nuri_quantize(nuri_type t, const float *src, void *dst, int64_t n, nuri_error *err) {
    nuri_status st = check_n(t, n, "quantize", err);
    if (st) return st;
    /* Weights are written with the reference's file quantizer, not the activation one. */
    nuri_from_float_fn f = t == NURI_TYPE_Q8_0 ? nuri_quant_q8_0_ref : nuri_kernels_scalar_table.from_float[t];
    if (!f) return nuri_fail(err, NURI_ERR_UNSUPPORTED, "quantize: type %s is not supported", nuri_type_get((uint32_t)t)->name);
    f(src, dst, n);
    return NURI_OK;
}
