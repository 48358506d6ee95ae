/* Hash maps for the tokenizers, open addressing with linear probing:
 * - tok_strmap: byte string -> int32 (token text -> id), keys owned by the caller;
 * - tok_u64map: 64-bit key -> 64-bit value (token pair -> merge rank and result).
 * Neither removes; both grow when 1/2 full. */
#ifndef NURI_TOKENIZER_STRMAP_H
#define NURI_TOKENIZER_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t tok_hash_bytes(const void *p, size_t n) {
    /* FNV-1a over 8-byte words, then a final mix: fast for the short keys of a vocab */
    const uint8_t *s = p;
    uint64_t h = 0xcbf29ce484222325ull ^ (n * 0x9E3779B97F4A7C15ull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)s[i] << (8 * i);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return h;
}

typedef struct {
    const char *key;
    uint32_t len;
    int32_t value; /* -1: empty slot */
    uint64_t hash;
} tok_strmap_slot;

typedef struct {
    tok_strmap_slot *slots;
    size_t cap; /* power of two */
    size_t count;
} tok_strmap;

bool tok_strmap_init(tok_strmap *m, size_t expected);
void tok_strmap_free(tok_strmap *m);
/* Inserts or replaces (the key must stay alive as long as the map). */
bool tok_strmap_put(tok_strmap *m, const char *key, size_t len, int32_t value);
/* The value, or -1. */
int32_t tok_strmap_get(const tok_strmap *m, const char *key, size_t len);
int32_t tok_strmap_get_h(const tok_strmap *m, const char *key, size_t len, uint64_t hash);

typedef struct {
    uint64_t key; /* UINT64_MAX: empty */
    uint64_t value;
} tok_u64slot;

/* Keys must not be UINT64_MAX. Key and value side by side: one cache miss a probe. */
typedef struct {
    tok_u64slot *slots;
    size_t cap;
    size_t count;
} tok_u64map;

bool tok_u64map_init(tok_u64map *m, size_t expected);
void tok_u64map_free(tok_u64map *m);
/* Inserts only when the key is new (the first value wins); *inserted says which. */
bool tok_u64map_add(tok_u64map *m, uint64_t key, uint64_t value, bool *inserted);
bool tok_u64map_get(const tok_u64map *m, uint64_t key, uint64_t *value);

#endif
