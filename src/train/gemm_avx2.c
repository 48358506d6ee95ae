/* The 6x16 register tile with AVX2 FMA: twelve accumulators, two B vectors, one
 * broadcast of A per row. */
#include "train/gemm.h"

#include <immintrin.h>

static void tile_avx2(int kc, const float *a, const float *b, float *c, int ldc, bool acc) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++, a += TR_MR, b += TR_NR) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 x = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(x, b0, c00);
        c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(x, b0, c10);
        c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(x, b0, c20);
        c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(x, b0, c30);
        c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(x, b0, c40);
        c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a + 5);
        c50 = _mm256_fmadd_ps(x, b0, c50);
        c51 = _mm256_fmadd_ps(x, b1, c51);
    }
    __m256 r[TR_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int i = 0; i < TR_MR; i++) {
        float *row = c + (size_t)i * ldc;
        if (acc) {
            r[i][0] = _mm256_add_ps(_mm256_loadu_ps(row), r[i][0]);
            r[i][1] = _mm256_add_ps(_mm256_loadu_ps(row + 8), r[i][1]);
        }
        _mm256_storeu_ps(row, r[i][0]);
        _mm256_storeu_ps(row + 8, r[i][1]);
    }
}

/* Transposes r[0..7] (rows) into columns, in place. */
static inline void transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* Six rows, eight columns at a time: each transposed column is stored as eight floats
 * at a stride of six, the next store overwriting the two extra (hence the slack). */
static void pack_a_avx2(const float *a, size_t lda, int kc, float *dst) {
    int p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 r[8];
        for (int i = 0; i < TR_MR; i++) r[i] = _mm256_loadu_ps(a + (size_t)i * lda + p);
        r[6] = r[7] = _mm256_setzero_ps();
        transpose8(r);
        for (int k = 0; k < 8; k++) _mm256_storeu_ps(dst + (size_t)(p + k) * TR_MR, r[k]);
    }
    for (; p < kc; p++)
        for (int i = 0; i < TR_MR; i++) dst[p * TR_MR + i] = a[(size_t)i * lda + p];
}

static void pack_bt_avx2(const float *b, size_t ldb, int kc, float *dst) {
    int p = 0;
    for (; p + 8 <= kc; p += 8)
        for (int half = 0; half < 2; half++) {
            __m256 r[8];
            for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_ps(b + (size_t)(half * 8 + j) * ldb + p);
            transpose8(r);
            for (int k = 0; k < 8; k++) _mm256_storeu_ps(dst + (size_t)(p + k) * TR_NR + half * 8, r[k]);
        }
    for (; p < kc; p++)
        for (int j = 0; j < TR_NR; j++) dst[p * TR_NR + j] = b[(size_t)j * ldb + p];
}

const tr_gemm_kernels tr_gemm_avx2 = {tile_avx2, pack_a_avx2, pack_bt_avx2};
