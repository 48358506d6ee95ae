/* Internal: the kernel table of one x86 ISA, built from the shared x86 headers.
 * The including file defines X86_TABLE_NAME and X86_TABLE_ISA (and may define
 * X86_MAT_DOT to replace the matrix kernel). Minor entries (the
 * dequantizers, weight quantizers, GELU) are the scalar ones. */
#ifndef NURI_TENSOR_X86_TABLE_H
#define NURI_TENSOR_X86_TABLE_H

#include "tensor/x86_matdot.h"
#include "tensor/x86_ops.h"
#include "tensor/x86_quant.h"

#ifndef X86_MAT_DOT
#define X86_MAT_DOT x86_mat_dot
#endif

const nuri_kernels X86_TABLE_NAME = {
    .isa = X86_TABLE_ISA,
    .vec_dot =
        {
            [NURI_TYPE_F32] = x86_dot_f32,
            [NURI_TYPE_F16] = x86_dot_f16,
            [NURI_TYPE_BF16] = x86_dot_bf16,
            [NURI_TYPE_Q8_0] = x86_dot_q8_0,
            [NURI_TYPE_Q4_0] = x86_dot_q4_0,
            [NURI_TYPE_Q4_1] = x86_dot_q4_1,
            [NURI_TYPE_Q5_0] = x86_dot_q5_0,
            [NURI_TYPE_Q5_1] = x86_dot_q5_1,
            [NURI_TYPE_IQ4_NL] = x86_dot_iq4_nl,
            [NURI_TYPE_Q2_K] = x86_dot_q2_k,
            [NURI_TYPE_Q3_K] = x86_dot_q3_k,
            [NURI_TYPE_Q4_K] = x86_dot_q4_k,
            [NURI_TYPE_Q5_K] = x86_dot_q5_k,
            [NURI_TYPE_Q6_K] = x86_dot_q6_k,
        },
    .from_float =
        {
            [NURI_TYPE_F32] = nuri_quant_f32,
            [NURI_TYPE_F16] = x86_quant_f16,
            [NURI_TYPE_BF16] = x86_quant_bf16,
            [NURI_TYPE_Q8_0] = x86_quant_q8_0,
            [NURI_TYPE_Q8_1] = x86_quant_q8_1,
            [NURI_TYPE_Q8_K] = x86_quant_q8_k,
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
    .rms_norm = x86_rms_norm,
    .add = x86_add,
    .scale = x86_scale,
    .silu_mul = x86_silu_mul,
    .gelu_mul = nuri_op_gelu_mul,
    .softmax = x86_softmax,
    .axpy_f16 = x86_axpy_f16,
    .mat_dot = X86_MAT_DOT,
};

#endif
