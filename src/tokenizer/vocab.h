/* The tokenizer object: a vocabulary read from GGUF metadata plus what each algorithm
 * precomputes from it. Shared by the files of src/tokenizer/; immutable after load. */
#ifndef NURI_TOKENIZER_VOCAB_H
#define NURI_TOKENIZER_VOCAB_H

#include "nuri/tokenizer.h"
#include "tokenizer/pretok.h"
#include "tokenizer/strmap.h"
#include "tokenizer/ucd.h"
#include "tokenizer/vec.h"

/* Internal attribute bit: the token ends generation. */
#define TOK_ATTR_EOG (1u << 16)

typedef struct {
    uint32_t off, len;
} tok_span;

/* A byte trie over the special tokens' texts, for partitioning input. */
typedef struct {
    tok_u64map edges;  /* (node << 8 | byte) -> child node */
    int32_t *terminal; /* node -> index into special[] ending there, or -1 */
    size_t n_nodes;
    uint8_t first[32]; /* bitmap of first bytes */
} tok_trie;

struct nuri_tokenizer {
    nuri_tok_kind kind;
    tok_pre_kind pre_kind;
    char *model, *pre;
    int32_t n_vocab;

    char *text;       /* all token texts, back to back */
    tok_span *tokens; /* id -> its text in `text` */
    float *scores;
    uint32_t *attr;
    tok_strmap text_to_id;
    uint32_t max_token_len;

    /* BPE: (left id << 32 | right id) -> (rank << 32 | result id) */
    tok_u64map merges;
    int32_t byte_tok[256];       /* id of the byte-level character of each byte, or -1 */
    int32_t byte_fallback[256][2]; /* ids of the raw UTF-8 bytes of that character, or -1 */
    uint8_t byte_enc[256][3];    /* [0]: length, then the UTF-8 of the byte-level character */

    /* SentencePiece: <0xXX> (or the byte itself) for each byte, or -1 */
    int32_t spm_byte[256];

    int32_t bos, eos, eot, eom, unk, sep, pad, mask;
    bool add_bos, add_eos, add_sep, add_space_prefix;
    bool clean_spaces, ignore_merges;
    bool wpm_lowercase, wpm_strip_accents;

    /* special tokens (control, user-defined, unknown), longest first */
    int32_t *special;
    size_t n_special;
    tok_trie trie;

    /* token_to_piece(id, special = true), precomputed */
    char *piece_text;
    tok_span *pieces;

    tok_ucd ucd;
};

static inline bool tok_valid_id(const nuri_tokenizer *t, int32_t id) {
    return id >= 0 && id < t->n_vocab;
}

static inline const char *tok_text(const nuri_tokenizer *t, int32_t id) {
    return t->text + t->tokens[id].off;
}

/* Fills the BPE tables (merges, byte maps); called by the loader. */
nuri_status tok_bpe_prepare(nuri_tokenizer *t, const nuri_gguf *g, nuri_error *err);
/* Special ids, end-of-generation set (vocab_special.c); strip attributes by model name,
 * after the special-token list exists. */
void tok_setup_specials(nuri_tokenizer *t, const nuri_gguf *g);
void tok_setup_strip_attrs(nuri_tokenizer *t, const nuri_gguf *g);
/* Builds the special-token list and trie. */
nuri_status tok_special_prepare(nuri_tokenizer *t, nuri_error *err);
void tok_special_free(nuri_tokenizer *t);
/* Builds the piece cache. */
nuri_status tok_pieces_prepare(nuri_tokenizer *t, nuri_error *err);

/* A piece of input after special-token partitioning: raw text or one token. */
typedef struct {
    size_t off, len; /* raw text (token < 0) */
    int32_t token;
} tok_fragment;

typedef struct {
    tok_fragment *v;
    size_t n, cap;
} tok_fragments;

/* Splits text into raw fragments and special tokens as the reference does
 * (longest token first; control/unknown tokens only when parse_special). */
bool tok_partition(const nuri_tokenizer *t, const char *text, size_t len, bool parse_special,
                   tok_fragments *out);

/* Scratch of one nuri_tokenize call (reused across fragments and words). */
typedef struct tok_session tok_session;
tok_session *tok_session_new(const nuri_tokenizer *t);
void tok_session_free(tok_session *s);

bool tok_bpe_fragment(tok_session *s, const char *text, size_t len, tok_ids *out);
bool tok_spm_fragment(tok_session *s, const char *text, size_t len, bool space_prefix, tok_ids *out);
bool tok_wpm_fragment(tok_session *s, const char *text, size_t len, tok_ids *out);

#endif
