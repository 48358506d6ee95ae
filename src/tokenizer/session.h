/* Scratch memory of one nuri_tokenize call, reused by every fragment and word, plus a
 * cache of the words already tokenized (long inputs repeat their words a lot). */
#ifndef NURI_TOKENIZER_SESSION_H
#define NURI_TOKENIZER_SESSION_H

#include "tokenizer/vocab.h"

typedef struct {
    int32_t id;         /* token of the symbol's text; -1 for a lone byte that is none */
    int32_t prev, next; /* neighbours in the word, -1 at the ends */
    uint32_t start, len;/* bytes of the word; len 0 once merged into the left neighbour */
} tok_sym;

typedef struct {
    float score;    /* SentencePiece: higher first */
    int32_t rank;   /* BPE: lower first */
    int32_t left, right;
    uint32_t size;  /* left + right length when queued: stale entries no longer match */
    int32_t result; /* BPE: the merged token */
} tok_pair;

/* word bytes -> ids of that word */
typedef struct {
    uint64_t hash;
    uint32_t key_off, key_len; /* key_len UINT32_MAX: empty */
    uint32_t ids_off, ids_len;
} tok_wslot;

typedef struct {
    tok_wslot *slots;
    size_t cap, count;
    uint8_t *keys;
    size_t keys_n, keys_cap;
    int32_t *ids;
    size_t ids_n, ids_cap;
} tok_wcache;

struct tok_session {
    const nuri_tokenizer *t;
    uint32_t *cp;
    uint16_t *fl;
    size_t cp_cap;
    tok_u32s words, tmp;
    uint8_t *buf;  /* scratch of the algorithms */
    size_t buf_cap;
    uint8_t *word; /* the word being tokenized */
    size_t word_cap;
    tok_sym *sym;
    size_t sym_cap;
    tok_pair *heap;
    size_t heap_n, heap_cap;
    tok_wcache cache;
    /* recent merge lookups (direct-mapped): the merge table itself is too large for the
     * CPU caches, while a text keeps asking about the same few thousand pairs */
    tok_u64slot *pairs;
};

#define TOK_PAIR_CACHE_BITS 16
#define TOK_NO_MERGE UINT64_MAX

bool tok_session_reserve_cp(tok_session *s, size_t n);
bool tok_session_reserve_buf(tok_session *s, size_t n);
bool tok_session_reserve_sym(tok_session *s, size_t n);
/* Decodes text the reference's way into s->cp (and flags into s->fl); returns the count
 * or SIZE_MAX when out of memory. */
size_t tok_session_decode(tok_session *s, const char *text, size_t len);

/* Pair heap ordered by (rank, left) for BPE or (-score, left) for SentencePiece. */
bool tok_heap_push(tok_session *s, tok_pair p, bool by_score);
tok_pair tok_heap_pop(tok_session *s, bool by_score);

/* Word cache: NULL when the word is not cached yet. */
const int32_t *tok_wcache_get(const tok_wcache *c, const uint8_t *w, size_t n, size_t *n_ids);
void tok_wcache_put(tok_wcache *c, const uint8_t *w, size_t n, const int32_t *ids, size_t n_ids);
void tok_wcache_free(tok_wcache *c);

#endif
