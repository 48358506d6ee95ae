/* SHA-256 (FIPS 180-4), for the data manifest's file digests: a small incremental
 * implementation so nuri needs no crypto library. */
#ifndef NURI_TEXT_SHA256_H
#define NURI_TEXT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t total; /* bytes so far */
    uint8_t buf[64];
    size_t fill;
} text_sha256;

void text_sha256_init(text_sha256 *c);
void text_sha256_update(text_sha256 *c, const void *data, size_t n);
void text_sha256_final(text_sha256 *c, uint8_t digest[32]);
/* One call: the 64 lowercase hex digits and a NUL into hex[65]. */
void text_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
