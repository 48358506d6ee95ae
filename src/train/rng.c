/* Seeded random numbers (splitmix64 expands a seed, xoshiro256** draws) and a fast
 * checksum, both fully specified here so that runs and files are the same everywhere. */
#include <math.h>
#include <string.h>

#include "train/internal.h"

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void tr_rng_seed(tr_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xD1342543DE82EF95ull + 0x2545F4914F6CDD1Dull);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t tr_rng_next(tr_rng *r) {
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t tr_rng_below(tr_rng *r, uint64_t n) {
    /* Rejection keeps it exactly uniform. */
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = tr_rng_next(r);
    while (x >= limit);
    return x % n;
}

double tr_rng_normal(tr_rng *r) {
    /* Box-Muller with u1 in (0, 1]. */
    const double u1 = ((double)(tr_rng_next(r) >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = (double)(tr_rng_next(r) >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t tr_hash(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x100000001B3ull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    while (n--) h = (h ^ *p++) * 0x100000001B3ull;
    return h;
}
