/* UTF-8 for the tokenizers: the reference's lenient decoder (which the token ids depend
 * on), a strict decoder for output, and encoding. */
#ifndef NURI_TOKENIZER_UTF8_H
#define NURI_TOKENIZER_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOK_REPLACEMENT 0xFFFDu

/* Sequence length the reference assumes from a lead byte alone (1 for continuation
 * bytes and ASCII, 2/3/4 from the high nibble). */
static inline size_t tok_utf8_len(uint8_t b) {
    static const uint8_t lookup[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lookup[b >> 4];
}

/* Decodes one code point at s[*off] (< n) the way the reference does: only the lead
 * byte's pattern and the continuation bytes are checked (overlong forms and surrogates
 * pass); anything else is U+FFFD for one byte. Values above U+10FFFF, which the
 * reference cannot encode back, are also U+FFFD for one byte. */
uint32_t tok_utf8_decode_lenient(const uint8_t *s, size_t n, size_t *off);

/* Strict decoding of the sequence at s[0..n): returns its length and sets *cp when it
 * is a complete valid character; returns 0 when s is a valid but incomplete prefix
 * (more bytes could complete it); returns -k when the first k >= 1 bytes can never be
 * part of a character (the maximal invalid subpart, to replace with one U+FFFD). */
int tok_utf8_decode_strict(const uint8_t *s, size_t n, uint32_t *cp);

/* Writes cp (<= 0x10FFFF) as UTF-8 into out (4 bytes of room); returns the length. */
size_t tok_utf8_encode(uint32_t cp, uint8_t *out);

/* Appends s[0..n) to a growable buffer, invalid sequences replaced by U+FFFD (EF BF BD);
 * an incomplete sequence at the end is replaced too. Returns false when out of memory. */
bool tok_utf8_sanitize_append(const uint8_t *s, size_t n, char **buf, size_t *len, size_t *cap);

#endif
