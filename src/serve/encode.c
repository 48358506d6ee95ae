/* SHA-256 (shared with the data pipeline) and base64 as RFC 4648. */
#include "serve/encode.h"

#include "text/sha256.h"

#include <string.h>

/* One SHA-256 in the project: the text layer's (src/text/sha256.c). */
void serve_sha256(const void *data, size_t len, uint8_t out[32]) {
    text_sha256 c;
    text_sha256_init(&c);
    text_sha256_update(&c, data, len);
    text_sha256_final(&c, out);
}

void serve_base64(const void *data, size_t len, char *out) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = data;
    size_t i = 0, o = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < len ? abc[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = 0;
}
