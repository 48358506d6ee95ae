/* The byte layouts of GGUF's quantized blocks, exactly as the files store them.
 *
 * Halves are uint16_t, so block pointers need 2-byte alignment (Q8_K 4-byte); GGUF
 * data sections are 32-byte aligned and every block size is even, so tensor rows are. */
#ifndef NURI_TENSOR_BLOCKS_H
#define NURI_TENSOR_BLOCKS_H

#include <stdint.h>
#include <string.h>

#define QK32 32  /* elements in a Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q8_1/IQ4_NL block */
#define QKK 256  /* elements in a K-quant super-block */

typedef struct { uint16_t d; uint8_t qs[16]; } blk_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[16]; } blk_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } blk_q5_0;
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; } blk_q5_1;
typedef struct { uint16_t d; int8_t qs[32]; } blk_q8_0;
/* s holds d * sum(qs), so a dot with an offset format needs no pass over qs. */
typedef struct { uint16_t d, s; int8_t qs[32]; } blk_q8_1;
typedef struct { uint16_t d; uint8_t qs[16]; } blk_iq4_nl;

/* 16 groups of 16: 4-bit scale (low) and 4-bit min (high) per group, 2-bit quants. */
typedef struct { uint8_t scales[16]; uint8_t qs[64]; uint16_t d, dmin; } blk_q2_k;
/* 16 groups of 16: 6-bit signed scales (bias 32) packed in 12 bytes; 2 low bits in qs,
 * the third bit in hmask (set means +0, clear means -4). */
typedef struct { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } blk_q3_k;
/* 8 groups of 32: 6-bit scales and mins packed in 12 bytes. */
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } blk_q4_k;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } blk_q5_k;
/* 16 groups of 16 with int8 scales; 4 low bits in ql, 2 high bits in qh, bias 32. */
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } blk_q6_k;
/* The activation format of the K types: float scale, sums of each group of 16. */
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } blk_q8_k;

_Static_assert(sizeof(blk_q4_0) == 18, "q4_0");
_Static_assert(sizeof(blk_q4_1) == 20, "q4_1");
_Static_assert(sizeof(blk_q5_0) == 22, "q5_0");
_Static_assert(sizeof(blk_q5_1) == 24, "q5_1");
_Static_assert(sizeof(blk_q8_0) == 34, "q8_0");
_Static_assert(sizeof(blk_q8_1) == 36, "q8_1");
_Static_assert(sizeof(blk_iq4_nl) == 18, "iq4_nl");
_Static_assert(sizeof(blk_q2_k) == 84, "q2_k");
_Static_assert(sizeof(blk_q3_k) == 110, "q3_k");
_Static_assert(sizeof(blk_q4_k) == 144, "q4_k");
_Static_assert(sizeof(blk_q5_k) == 176, "q5_k");
_Static_assert(sizeof(blk_q6_k) == 210, "q6_k");
_Static_assert(sizeof(blk_q8_k) == 292, "q8_k");

/* The 16 levels of IQ4_NL (a format constant). */
static const int8_t iq4nl_levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                        1,    13,   25,  38,  53,  69,  89,  113};

/* Unpacks the 12-byte 6-bit scale/min field of Q4_K and Q5_K: group j < 8. */
static inline void kq_scale_min(const uint8_t *s, int j, uint8_t *sc, uint8_t *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (uint8_t)((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
        *mn = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

/* Unpacks Q3_K's 16 6-bit scales to signed values (bias removed). */
static inline void q3k_scales(const uint8_t *s, int8_t out[16]) {
    for (int j = 0; j < 16; j++) {
        int lo = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
        int hi = (s[8 + (j & 3)] >> (2 * (j >> 2))) & 3;
        out[j] = (int8_t)((lo | (hi << 4)) - 32);
    }
}

#endif
