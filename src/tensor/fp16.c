/* IEEE binary16 and bfloat16 conversions, bit-exact with the reference's scalar code:
 * round to nearest even, NaN becomes a quiet NaN that keeps its sign. */
#include <string.h>

#include "nuri/tensor.h"

static inline uint32_t f2u(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float u2f(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

uint16_t nuri_fp32_to_fp16(float f) {
    const uint32_t x = f2u(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00u);
    /* 65520 is the midpoint between 65504 (odd mantissa) and 2^16: ties go to infinity. */
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);
    if (ax < 0x38800000u) {
        /* Below 2^-14 the result is a subnormal half (unit 2^-24), or zero. */
        const int e = (int)(ax >> 23);
        if (e < 102) return (uint16_t)sign; /* below 2^-25: rounds to zero */
        const uint32_t mant = (ax & 0x7fffffu) | 0x800000u;
        const int shift = 126 - e; /* 14..24 */
        uint32_t q = mant >> shift;
        const uint32_t rem = mant & ((1u << shift) - 1u), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1u))) q++;
        return (uint16_t)(sign | q); /* a carry into 0x400 is the smallest normal: right */
    }
    uint32_t h = (ax >> 13) - (112u << 10); /* exponent rebias 127 -> 15 */
    const uint32_t rem = ax & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++; /* a carry may reach inf: right */
    return (uint16_t)(sign | h);
}

float nuri_fp16_to_fp32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0) {
        const float v = (float)m * 0x1p-24f; /* exact: m < 2^10 */
        return u2f(f2u(v) | sign);
    }
    if (e == 31) return u2f(sign | 0x7f800000u | (m << 13));
    return u2f(sign | ((e + 112u) << 23) | (m << 13));
}

uint16_t nuri_fp32_to_bf16(float f) {
    const uint32_t u = f2u(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64u); /* quiet NaN */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

float nuri_bf16_to_fp32(uint16_t h) { return u2f((uint32_t)h << 16); }
