#include "tokenizer/strmap.h"

#include <stdlib.h>
#include <string.h>

static size_t cap_for(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2) cap *= 2;
    return cap;
}

bool tok_strmap_init(tok_strmap *m, size_t expected) {
    m->cap = cap_for(expected);
    m->count = 0;
    m->slots = malloc(m->cap * sizeof *m->slots);
    if (!m->slots) return false;
    for (size_t i = 0; i < m->cap; i++) m->slots[i].value = -1;
    return true;
}

void tok_strmap_free(tok_strmap *m) {
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static tok_strmap_slot *find_slot(tok_strmap_slot *slots, size_t cap, const char *key, size_t len,
                                  uint64_t h) {
    size_t i = (size_t)h & (cap - 1);
    for (;;) {
        tok_strmap_slot *s = &slots[i];
        if (s->value < 0) return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) return s;
        i = (i + 1) & (cap - 1);
    }
}

static bool grow(tok_strmap *m) {
    size_t ncap = m->cap * 2;
    tok_strmap_slot *ns = malloc(ncap * sizeof *ns);
    if (!ns) return false;
    for (size_t i = 0; i < ncap; i++) ns[i].value = -1;
    for (size_t i = 0; i < m->cap; i++) {
        tok_strmap_slot *s = &m->slots[i];
        if (s->value < 0) continue;
        *find_slot(ns, ncap, s->key, s->len, s->hash) = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return true;
}

bool tok_strmap_put(tok_strmap *m, const char *key, size_t len, int32_t value) {
    if ((m->count + 1) * 2 > m->cap && !grow(m)) return false;
    uint64_t h = tok_hash_bytes(key, len);
    tok_strmap_slot *s = find_slot(m->slots, m->cap, key, len, h);
    if (s->value < 0) m->count++;
    s->key = key;
    s->len = (uint32_t)len;
    s->hash = h;
    s->value = value;
    return true;
}

int32_t tok_strmap_get_h(const tok_strmap *m, const char *key, size_t len, uint64_t h) {
    size_t i = (size_t)h & (m->cap - 1);
    for (;;) {
        const tok_strmap_slot *s = &m->slots[i];
        if (s->value < 0) return -1;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) return s->value;
        i = (i + 1) & (m->cap - 1);
    }
}

int32_t tok_strmap_get(const tok_strmap *m, const char *key, size_t len) {
    return tok_strmap_get_h(m, key, len, tok_hash_bytes(key, len));
}

static inline size_t mix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return (size_t)k;
}

bool tok_u64map_init(tok_u64map *m, size_t expected) {
    m->cap = cap_for(expected);
    m->count = 0;
    m->keys = malloc(m->cap * sizeof *m->keys);
    m->values = malloc(m->cap * sizeof *m->values);
    m->used = calloc(m->cap, 1);
    if (!m->keys || !m->values || !m->used) {
        tok_u64map_free(m);
        return false;
    }
    return true;
}

void tok_u64map_free(tok_u64map *m) {
    free(m->keys);
    free(m->values);
    free(m->used);
    m->keys = m->values = NULL;
    m->used = NULL;
    m->cap = m->count = 0;
}

static bool u64_grow(tok_u64map *m) {
    tok_u64map n;
    n.cap = m->cap * 2;
    n.count = 0;
    n.keys = malloc(n.cap * sizeof *n.keys);
    n.values = malloc(n.cap * sizeof *n.values);
    n.used = calloc(n.cap, 1);
    if (!n.keys || !n.values || !n.used) {
        tok_u64map_free(&n);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        size_t j = mix64(m->keys[i]) & (n.cap - 1);
        while (n.used[j]) j = (j + 1) & (n.cap - 1);
        n.used[j] = 1;
        n.keys[j] = m->keys[i];
        n.values[j] = m->values[i];
        n.count++;
    }
    tok_u64map_free(m);
    *m = n;
    return true;
}

bool tok_u64map_add(tok_u64map *m, uint64_t key, uint64_t value, bool *inserted) {
    if ((m->count + 1) * 2 > m->cap && !u64_grow(m)) return false;
    size_t j = mix64(key) & (m->cap - 1);
    while (m->used[j]) {
        if (m->keys[j] == key) {
            *inserted = false;
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->used[j] = 1;
    m->keys[j] = key;
    m->values[j] = value;
    m->count++;
    *inserted = true;
    return true;
}

bool tok_u64map_get(const tok_u64map *m, uint64_t key, uint64_t *value) {
    size_t j = mix64(key) & (m->cap - 1);
    while (m->used[j]) {
        if (m->keys[j] == key) {
            *value = m->values[j];
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}
