#include "tokenizer/session.h"

#include <stdlib.h>
#include <string.h>

#include "tokenizer/utf8.h"

tok_session *tok_session_new(const nuri_tokenizer *t) {
    tok_session *s = calloc(1, sizeof *s);
    if (s) s->t = t;
    return s;
}

void tok_session_free(tok_session *s) {
    if (!s) return;
    free(s->cp);
    free(s->fl);
    free(s->words.v);
    free(s->tmp.v);
    free(s->buf);
    free(s->word);
    free(s->sym);
    free(s->heap);
    tok_wcache_free(&s->cache);
    free(s);
}

bool tok_session_reserve_cp(tok_session *s, size_t n) {
    if (n <= s->cp_cap) return true;
    size_t c = s->cp_cap ? s->cp_cap : 256;
    while (c < n) c *= 2;
    uint32_t *cp = realloc(s->cp, c * sizeof *cp);
    if (!cp) return false;
    s->cp = cp;
    uint16_t *fl = realloc(s->fl, c * sizeof *fl);
    if (!fl) return false;
    s->fl = fl;
    s->cp_cap = c;
    return true;
}

bool tok_session_reserve_buf(tok_session *s, size_t n) {
    return tok_grow_((void **)&s->buf, &s->buf_cap, n, 1);
}

bool tok_session_reserve_sym(tok_session *s, size_t n) {
    return tok_grow_((void **)&s->sym, &s->sym_cap, n, sizeof *s->sym);
}

size_t tok_session_decode(tok_session *s, const char *text, size_t len) {
    if (!tok_session_reserve_cp(s, len + 1)) return SIZE_MAX;
    const uint8_t *u = (const uint8_t *)text;
    size_t off = 0, n = 0;
    while (off < len) {
        uint32_t cp = u[off] < 0x80 ? u[off++] : tok_utf8_decode_lenient(u, len, &off);
        s->cp[n] = cp;
        s->fl[n] = tok_ucd_flags(&s->t->ucd, cp);
        n++;
    }
    return n;
}

static inline bool pair_before(const tok_pair *a, const tok_pair *b, bool by_score) {
    if (by_score) {
        if (a->score != b->score) return a->score > b->score;
    } else if (a->rank != b->rank) {
        return a->rank < b->rank;
    }
    return a->left < b->left;
}

bool tok_heap_push(tok_session *s, tok_pair p, bool by_score) {
    if (!tok_grow_((void **)&s->heap, &s->heap_cap, s->heap_n + 1, sizeof *s->heap)) return false;
    size_t i = s->heap_n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pair_before(&p, &s->heap[parent], by_score)) break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = p;
    return true;
}

tok_pair tok_heap_pop(tok_session *s, bool by_score) {
    tok_pair top = s->heap[0];
    tok_pair last = s->heap[--s->heap_n];
    size_t n = s->heap_n, i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n) break;
        size_t m = l;
        if (l + 1 < n && pair_before(&s->heap[l + 1], &s->heap[l], by_score)) m = l + 1;
        if (!pair_before(&s->heap[m], &last, by_score)) break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (n) s->heap[i] = last;
    return top;
}

/* ---- word cache ---- */

#define WCACHE_MAX_BYTES ((size_t)64 << 20) /* stop caching past this much memory */

static size_t wc_find(const tok_wcache *c, const uint8_t *w, size_t n, uint64_t h) {
    size_t i = (size_t)h & (c->cap - 1);
    while (c->key_len[i] != UINT32_MAX) {
        if (c->hash[i] == h && c->key_len[i] == n && memcmp(c->keys + c->key_off[i], w, n) == 0)
            return i;
        i = (i + 1) & (c->cap - 1);
    }
    return i;
}

const int32_t *tok_wcache_get(const tok_wcache *c, const uint8_t *w, size_t n, size_t *n_ids) {
    if (!c->cap) return NULL;
    size_t i = wc_find(c, w, n, tok_hash_bytes(w, n));
    if (c->key_len[i] == UINT32_MAX) return NULL;
    *n_ids = c->ids_len[i];
    return c->ids + c->ids_off[i];
}

static bool wc_grow(tok_wcache *c) {
    size_t ncap = c->cap ? c->cap * 2 : 4096;
    tok_wcache n = *c;
    n.cap = ncap;
    n.hash = malloc(ncap * sizeof *n.hash);
    n.key_off = malloc(ncap * sizeof *n.key_off);
    n.key_len = malloc(ncap * sizeof *n.key_len);
    n.ids_off = malloc(ncap * sizeof *n.ids_off);
    n.ids_len = malloc(ncap * sizeof *n.ids_len);
    if (!n.hash || !n.key_off || !n.key_len || !n.ids_off || !n.ids_len) {
        free(n.hash); free(n.key_off); free(n.key_len); free(n.ids_off); free(n.ids_len);
        return false;
    }
    for (size_t i = 0; i < ncap; i++) n.key_len[i] = UINT32_MAX;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->key_len[i] == UINT32_MAX) continue;
        size_t j = (size_t)c->hash[i] & (ncap - 1);
        while (n.key_len[j] != UINT32_MAX) j = (j + 1) & (ncap - 1);
        n.hash[j] = c->hash[i];
        n.key_off[j] = c->key_off[i];
        n.key_len[j] = c->key_len[i];
        n.ids_off[j] = c->ids_off[i];
        n.ids_len[j] = c->ids_len[i];
    }
    free(c->hash); free(c->key_off); free(c->key_len); free(c->ids_off); free(c->ids_len);
    *c = n;
    return true;
}

void tok_wcache_put(tok_wcache *c, const uint8_t *w, size_t n, const int32_t *ids, size_t n_ids) {
    /* The cache only saves time: when it is full or memory is short, it stays as it is. */
    if (n > 256 || c->keys_n + n + (c->ids_n + n_ids) * 4 + c->cap * 32 > WCACHE_MAX_BYTES) return;
    if ((c->count + 1) * 2 > c->cap && !wc_grow(c)) return;
    if (!tok_grow_((void **)&c->keys, &c->keys_cap, c->keys_n + n, 1)) return;
    if (!tok_grow_((void **)&c->ids, &c->ids_cap, c->ids_n + n_ids, sizeof *c->ids)) return;
    uint64_t h = tok_hash_bytes(w, n);
    size_t i = wc_find(c, w, n, h);
    if (c->key_len[i] != UINT32_MAX) return;
    memcpy(c->keys + c->keys_n, w, n);
    memcpy(c->ids + c->ids_n, ids, n_ids * sizeof *ids);
    c->hash[i] = h;
    c->key_off[i] = (uint32_t)c->keys_n;
    c->key_len[i] = (uint32_t)n;
    c->ids_off[i] = (uint32_t)c->ids_n;
    c->ids_len[i] = (uint32_t)n_ids;
    c->keys_n += n;
    c->ids_n += n_ids;
    c->count++;
}

void tok_wcache_free(tok_wcache *c) {
    free(c->hash); free(c->key_off); free(c->key_len); free(c->ids_off); free(c->ids_len);
    free(c->keys);
    free(c->ids);
    memset(c, 0, sizeof *c);
}
