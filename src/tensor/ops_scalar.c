/* Scalar element-wise operations, following the reference's f32 CPU operators. */
#include <math.h>

#include "nuri/tensor.h"
#include "tensor/kernels_impl.h"

void nuri_op_rms_norm(int64_t n, const float *x, const float *w, float eps, float *y) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    if (w) {
        for (int64_t i = 0; i < n; i++) {
            const float t = x[i] * scale;
            y[i] = t * w[i];
        }
    } else {
        for (int64_t i = 0; i < n; i++) y[i] = x[i] * scale;
    }
}

void nuri_op_add(int64_t n, const float *x, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}

void nuri_op_scale(int64_t n, float s, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] *= s;
}

void nuri_op_silu_mul(int64_t n, float *g, const float *u) {
    for (int64_t i = 0; i < n; i++) {
        const float v = g[i] / (1.0f + expf(-g[i]));
        g[i] = v * u[i];
    }
}

/* The reference's CPU backend evaluates f32 GELU through a table indexed by the input
 * rounded to half, holding half-rounded results, and passes |x| >= 10 through. */
float nuri_gelu_ref(float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    const float h = nuri_fp16_to_fp32(nuri_fp32_to_fp16(x));
    /* One rounding per operation, in the reference's order (no fused multiply-add). */
    const float ah = 0.044715f * h;
    const float ahh = ah * h;
    const float inner = 0.79788456080286535587989211986876f * h * (1.0f + ahh);
    return nuri_fp16_to_fp32(nuri_fp32_to_fp16(0.5f * h * (1.0f + tanhf(inner))));
}

void nuri_op_gelu_mul(int64_t n, float *g, const float *u) {
    for (int64_t i = 0; i < n; i++) g[i] = nuri_gelu_ref(g[i]) * u[i];
}

void nuri_op_softmax(int64_t n, float *x) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += (double)x[i];
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

void nuri_op_axpy_f16(int64_t n, float a, const uint16_t *x, float *y) {
    for (int64_t i = 0; i < n; i++) {
        const float p = a * nuri_fp16_to_fp32(x[i]);
        y[i] += p;
    }
}
