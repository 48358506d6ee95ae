/* The BPE trainer's parts: word counting (pre-tokenized training text) and the merge
 * loop. */
#ifndef NURI_DATAPIPE_BPE_H
#define NURI_DATAPIPE_BPE_H

#include "datapipe/internal.h"
#include "tokenizer/pretok.h"

/* Distinct pre-tokenized words (their UTF-8 bytes) with their counts. */
typedef struct {
    uint8_t *bytes; /* all words back to back */
    size_t bytes_n, bytes_cap;
    uint64_t *off;  /* word i is bytes[off[i] .. off[i] + len[i]) */
    uint32_t *len;
    uint32_t *count;
    uint64_t *hash;
    size_t n, cap;
    uint32_t *slots; /* hash table: word index + 1, 0 empty */
    size_t slots_cap;
    uint64_t total;  /* words counted, repeats included */
} bpe_words;

typedef struct bpe_counter bpe_counter;

/* A counter pre-tokenizing text the way nuri's tokenizer does for kind. */
nuri_status bpe_counter_new(tok_pre_kind kind, bpe_counter **out, nuri_error *err);
void bpe_counter_free(bpe_counter *c);
/* Counts the words of one line (valid UTF-8, no line break). False when out of memory. */
bool bpe_count_line(bpe_counter *c, const char *s, size_t n);
bpe_words *bpe_counter_words(bpe_counter *c);
void bpe_words_free(bpe_words *w);

/* Learned tokens: ids 0..255 are the bytes; every merge adds at most one token. */
typedef struct {
    uint8_t *text;  /* token bytes (raw, not byte-level encoded), back to back */
    size_t text_n, text_cap;
    uint64_t *off;
    uint32_t *len;
    size_t n, cap;
    int32_t *merge_a, *merge_b; /* merge i joins tokens a and b */
    size_t n_merges, merges_cap;
} bpe_vocab;

/* Learns merges on w until the vocabulary holds max_tokens tokens or no pair is seen
 * min_frequency times. progress may be NULL. */
nuri_status bpe_learn(bpe_words *w, uint32_t max_tokens, uint32_t min_frequency,
                      int (*progress)(void *, const nuri_bpe_progress *), void *user, bpe_vocab *v,
                      nuri_error *err);
void bpe_vocab_free(bpe_vocab *v);

#endif
