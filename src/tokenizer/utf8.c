#include "tokenizer/utf8.h"

#include <stdlib.h>
#include <string.h>

#include "nuri/tokenizer.h"

static inline bool is_cont(uint8_t b) { return (b & 0xC0) == 0x80; }

uint32_t tok_utf8_decode_lenient(const uint8_t *s, size_t n, size_t *off) {
    size_t i = *off;
    uint8_t b0 = s[i];
    if (b0 < 0x80) {
        *off = i + 1;
        return b0;
    }
    uint32_t cp;
    size_t len;
    if (!(b0 & 0x40)) {
        goto bad; /* a continuation byte cannot start a sequence */
    } else if (!(b0 & 0x20)) {
        if (i + 1 >= n || !is_cont(s[i + 1])) goto bad;
        cp = ((uint32_t)(b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
        len = 2;
    } else if (!(b0 & 0x10)) {
        if (i + 2 >= n || !is_cont(s[i + 1]) || !is_cont(s[i + 2])) goto bad;
        cp = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
        len = 3;
    } else if (!(b0 & 0x08)) {
        if (i + 3 >= n || !is_cont(s[i + 1]) || !is_cont(s[i + 2]) || !is_cont(s[i + 3])) goto bad;
        cp = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
             ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
        if (cp > 0x10FFFF) goto bad;
        len = 4;
    } else {
        goto bad;
    }
    *off = i + len;
    return cp;
bad:
    *off = i + 1;
    return TOK_REPLACEMENT;
}

int tok_utf8_decode_strict(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t b0 = s[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    size_t len;
    uint32_t v;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        v = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        v = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;       /* no overlong forms */
        else if (b0 == 0xED) hi = 0x9F;  /* no surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        v = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        else if (b0 == 0xF4) hi = 0x8F;  /* nothing above U+10FFFF */
    } else {
        return -1;
    }
    for (size_t k = 1; k < len; k++) {
        if (k >= n) return 0;
        uint8_t b = s[k];
        uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) return -(int)k;
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return (int)len;
}

size_t tok_utf8_encode(uint32_t cp, uint8_t *out) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | ((cp >> 18) & 0x07));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static bool reserve(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    char *nb = realloc(*buf, c);
    if (!nb) return false;
    *buf = nb;
    *cap = c;
    return true;
}

bool tok_utf8_sanitize_append(const uint8_t *s, size_t n, char **buf, size_t *len, size_t *cap) {
    /* Worst case: every byte becomes a 3-byte U+FFFD. */
    if (!reserve(buf, cap, *len + 3 * n + 1)) return false;
    char *o = *buf + *len;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int r = tok_utf8_decode_strict(s + i, n - i, &cp);
        if (r > 0) {
            memcpy(o, s + i, (size_t)r);
            o += r;
            i += (size_t)r;
        } else {
            /* an incomplete tail can never be completed here */
            size_t skip = r < 0 ? (size_t)-r : n - i;
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += skip;
        }
    }
    *len = (size_t)(o - *buf);
    (*buf)[*len] = 0;
    return true;
}

bool nuri_utf8_valid(const char *s, size_t len, size_t *bad_offset) {
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int r = tok_utf8_decode_strict(u + i, len - i, &cp);
        if (r <= 0) {
            if (bad_offset) *bad_offset = i;
            return false;
        }
        i += (size_t)r;
    }
    return true;
}
