/* A growable byte buffer for the text utilities; failures are sticky (oom) so a series
 * of appends is checked once. */
#ifndef NURI_TEXT_BUF_H
#define NURI_TEXT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} text_buf;

static inline bool text_buf_reserve(text_buf *b, size_t extra) {
    if (b->oom) return false;
    if (b->n + extra + 1 <= b->cap) return true;
    size_t c = b->cap ? b->cap : 256;
    while (c < b->n + extra + 1) c *= 2;
    char *p = realloc(b->p, c);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = c;
    return true;
}

static inline void text_buf_add(text_buf *b, const void *s, size_t n) {
    if (!text_buf_reserve(b, n)) return;
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static inline void text_buf_addc(text_buf *b, char c) {
    if (!text_buf_reserve(b, 1)) return;
    b->p[b->n++] = c;
    b->p[b->n] = 0;
}

static inline void text_buf_free(text_buf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

#endif
