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
    free(s->pairs);
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
#define WCACHE_MAX_WORDS ((size_t)1 << 17)

static size_t wc_find(const tok_wcache *c, const uint8_t *w, size_t n, uint64_t h) {
    size_t i = (size_t)h & (c->cap - 1);
    for (;;) {
        const tok_wslot *s = &c->slots[i];
        if (s->key_len == UINT32_MAX) return i;
        if (s->hash == h && s->key_len == n && memcmp(c->keys + s->key_off, w, n) == 0) return i;
        i = (i + 1) & (c->cap - 1);
    }
}

const int32_t *tok_wcache_get(const tok_wcache *c, const uint8_t *w, size_t n, size_t *n_ids) {
    if (!c->cap) return NULL;
    const tok_wslot *s = &c->slots[wc_find(c, w, n, tok_hash_bytes(w, n))];
    if (s->key_len == UINT32_MAX) return NULL;
    static const int32_t none[1] = {0};
    *n_ids = s->ids_len;
    return s->ids_len ? c->ids + s->ids_off : none;
}

static bool wc_grow(tok_wcache *c) {
    size_t ncap = c->cap ? c->cap * 2 : 4096;
    tok_wslot *ns = malloc(ncap * sizeof *ns);
    if (!ns) return false;
    for (size_t i = 0; i < ncap; i++) ns[i].key_len = UINT32_MAX;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].key_len == UINT32_MAX) continue;
        size_t j = (size_t)c->slots[i].hash & (ncap - 1);
        while (ns[j].key_len != UINT32_MAX) j = (j + 1) & (ncap - 1);
        ns[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = ns;
    c->cap = ncap;
    return true;
}

void tok_wcache_put(tok_wcache *c, const uint8_t *w, size_t n, const int32_t *ids, size_t n_ids) {
    /* The cache only saves time: when it is full or memory is short, it stays as it is. */
    if (n > 256 || c->count >= WCACHE_MAX_WORDS || c->keys_n + n + (c->ids_n + n_ids) * 4 + c->cap * sizeof *c->slots > WCACHE_MAX_BYTES) return;
    if ((c->count + 1) * 2 > c->cap && !wc_grow(c)) return;
    if (!tok_grow_((void **)&c->keys, &c->keys_cap, c->keys_n + n, 1)) return;
    if (!tok_grow_((void **)&c->ids, &c->ids_cap, c->ids_n + n_ids, sizeof *c->ids)) return;
    uint64_t h = tok_hash_bytes(w, n);
    tok_wslot *s = &c->slots[wc_find(c, w, n, h)];
    if (s->key_len != UINT32_MAX) return;
    memcpy(c->keys + c->keys_n, w, n);
    if (n_ids) memcpy(c->ids + c->ids_n, ids, n_ids * sizeof *ids);
    *s = (tok_wslot){h, (uint32_t)c->keys_n, (uint32_t)n, (uint32_t)c->ids_n, (uint32_t)n_ids};
    c->keys_n += n;
    c->ids_n += n_ids;
    c->count++;
}

void tok_wcache_free(tok_wcache *c) {
    free(c->slots);
    free(c->keys);
    free(c->ids);
    memset(c, 0, sizeof *c);
}
