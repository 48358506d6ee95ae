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

static tok_u64slot *u64_alloc(size_t cap) {
    tok_u64slot *s = malloc(cap * sizeof *s);
    if (s)
        for (size_t i = 0; i < cap; i++) s[i].key = UINT64_MAX;
    return s;
}

bool tok_u64map_init(tok_u64map *m, size_t expected) {
    m->cap = cap_for(expected);
    m->count = 0;
    m->slots = u64_alloc(m->cap);
    return m->slots != NULL;
}

void tok_u64map_free(tok_u64map *m) {
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static bool u64_grow(tok_u64map *m) {
    size_t ncap = m->cap * 2;
    tok_u64slot *ns = u64_alloc(ncap);
    if (!ns) return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key == UINT64_MAX) continue;
        size_t j = mix64(m->slots[i].key) & (ncap - 1);
        while (ns[j].key != UINT64_MAX) j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return true;
}

bool tok_u64map_add(tok_u64map *m, uint64_t key, uint64_t value, bool *inserted) {
    if ((m->count + 1) * 2 > m->cap && !u64_grow(m)) return false;
    size_t j = mix64(key) & (m->cap - 1);
    while (m->slots[j].key != UINT64_MAX) {
        if (m->slots[j].key == key) {
            *inserted = false;
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].key = key;
    m->slots[j].value = value;
    m->count++;
    *inserted = true;
    return true;
}

bool tok_u64map_get(const tok_u64map *m, uint64_t key, uint64_t *value) {
    size_t j = mix64(key) & (m->cap - 1);
    for (;;) {
        uint64_t k = m->slots[j].key;
        if (k == key) {
            *value = m->slots[j].value;
            return true;
        }
        if (k == UINT64_MAX) return false;
        j = (j + 1) & (m->cap - 1);
    }
}
