/* Small encoders the server needs: SHA-256 (the page's Content-Security-Policy hashes
 * its inline script and style) and base64 (those hashes, and embeddings sent as
 * "base64"). */
#ifndef NURI_SERVE_ENCODE_H
#define NURI_SERVE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

void serve_sha256(const void *data, size_t len, uint8_t out[32]);
/* Standard base64 with padding into out (room for 4 * ((len + 2) / 3) + 1 bytes). */
void serve_base64(const void *data, size_t len, char *out);

#endif
