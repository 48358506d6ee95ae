/* Internal: the scalar kernels every table may reuse, and the three tables. */
#ifndef NURI_TENSOR_KERNELS_IMPL_H
#define NURI_TENSOR_KERNELS_IMPL_H

#include "nuri/tensor.h"

/* to_float, scalar (the reference: same float operations in the same order). */
void nuri_deq_f32(const void *src, float *dst, int64_t n);
void nuri_deq_f16(const void *src, float *dst, int64_t n);
void nuri_deq_bf16(const void *src, float *dst, int64_t n);
void nuri_deq_q4_0(const void *src, float *dst, int64_t n);
void nuri_deq_q4_1(const void *src, float *dst, int64_t n);
void nuri_deq_q5_0(const void *src, float *dst, int64_t n);
void nuri_deq_q5_1(const void *src, float *dst, int64_t n);
void nuri_deq_q8_0(const void *src, float *dst, int64_t n);
void nuri_deq_q8_1(const void *src, float *dst, int64_t n);
void nuri_deq_iq4_nl(const void *src, float *dst, int64_t n);
void nuri_deq_q2_k(const void *src, float *dst, int64_t n);
void nuri_deq_q3_k(const void *src, float *dst, int64_t n);
void nuri_deq_q4_k(const void *src, float *dst, int64_t n);
void nuri_deq_q5_k(const void *src, float *dst, int64_t n);
void nuri_deq_q6_k(const void *src, float *dst, int64_t n);
void nuri_deq_q8_k(const void *src, float *dst, int64_t n);

/* from_float, scalar. The activation quantizers (q8_0, q8_1, q8_k) follow what the
 * reference's CPU backend runs on x86; the weight quantizers follow its *_ref code. */
void nuri_quant_f32(const float *src, void *dst, int64_t n);
void nuri_quant_f16(const float *src, void *dst, int64_t n);
void nuri_quant_bf16(const float *src, void *dst, int64_t n);
void nuri_quant_q8_0(const float *src, void *dst, int64_t n);
void nuri_quant_q8_1(const float *src, void *dst, int64_t n);
void nuri_quant_q8_k(const float *src, void *dst, int64_t n);
void nuri_quant_q8_0_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q4_0_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q4_1_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q5_0_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q5_1_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q2_k_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q3_k_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q4_k_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q5_k_ref(const float *src, void *dst, int64_t n);
void nuri_quant_q6_k_ref(const float *src, void *dst, int64_t n);

/* vec_dot, scalar. */
void nuri_dot_f32(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_f16(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_bf16(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q8_0(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q4_0(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q4_1(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q5_0(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q5_1(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_iq4_nl(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q2_k(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q3_k(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q4_k(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q5_k(int64_t n, const void *w, const void *x, float *out);
void nuri_dot_q6_k(int64_t n, const void *w, const void *x, float *out);

/* Element-wise operations, scalar. */
void nuri_op_rms_norm(int64_t n, const float *x, const float *w, float eps, float *y);
void nuri_op_add(int64_t n, const float *x, float *y);
void nuri_op_scale(int64_t n, float s, float *y);
void nuri_op_silu_mul(int64_t n, float *g, const float *u);
void nuri_op_gelu_mul(int64_t n, float *g, const float *u);
void nuri_op_softmax(int64_t n, float *x);
void nuri_op_axpy_f16(int64_t n, float a, const uint16_t *x, float *y);
/* The reference's f32 GELU: x rounded to half, gelu_tanh of that, rounded to half. */
float nuri_gelu_ref(float x);

/* mat_dot over any vec_dot: row by row (the scalar table's, and the fallback of the
 * SIMD tables for types without a tiled kernel). */
void nuri_mat_dot_rows(nuri_vec_dot_fn dot, int64_t n, const void *w, size_t w_row_bytes,
                       int64_t r0, int64_t r1, const void *x, size_t x_row_bytes,
                       int64_t n_tok, float *out, int64_t ld_out);

extern const nuri_kernels nuri_kernels_scalar_table;
extern const nuri_kernels nuri_kernels_avx2_table;
extern const nuri_kernels nuri_kernels_avx512_table;

#endif
