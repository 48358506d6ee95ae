/* Growable arrays of token ids and lengths for the tokenizers. */
#ifndef NURI_TOKENIZER_VEC_H
#define NURI_TOKENIZER_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    int32_t *v;
    size_t n, cap;
} tok_ids;

typedef struct {
    uint32_t *v;
    size_t n, cap;
} tok_u32s;

static inline bool tok_grow_(void **v, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *nv = realloc(*v, c * elem);
    if (!nv) return false;
    *v = nv;
    *cap = c;
    return true;
}

static inline bool tok_ids_reserve(tok_ids *a, size_t extra) {
    return tok_grow_((void **)&a->v, &a->cap, a->n + extra, sizeof *a->v);
}

static inline bool tok_ids_push(tok_ids *a, int32_t x) {
    if (a->n == a->cap && !tok_ids_reserve(a, 1)) return false;
    a->v[a->n++] = x;
    return true;
}

static inline bool tok_u32s_push(tok_u32s *a, uint32_t x) {
    if (a->n == a->cap && !tok_grow_((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v)) return false;
    a->v[a->n++] = x;
    return true;
}

#endif
