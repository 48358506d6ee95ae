/* nuri: tokenizers that reproduce the reference implementation's token ids.
 *
 * A tokenizer is built from a GGUF file's tokenizer.* metadata: byte-level BPE
 * ("gpt2", with the pre-tokenizer named by tokenizer.ggml.pre), SentencePiece
 * ("llama": scores, byte fallback, space prefix) and WordPiece ("bert"). It is
 * immutable once loaded: every function below may be called from several threads at
 * once (a streaming detokenizer belongs to one thread).
 *
 * Text out of nuri_detokenize and the streaming detokenizer is always valid UTF-8:
 * bytes that can never form a character become U+FFFD. */
#ifndef NURI_TOKENIZER_H
#define NURI_TOKENIZER_H

#include <stdbool.h>

#include "nuri/base.h"
#include "nuri/gguf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nuri_tokenizer nuri_tokenizer;

typedef enum {
    NURI_TOK_SPM, /* SentencePiece (tokenizer.ggml.model = "llama") */
    NURI_TOK_BPE, /* byte-level BPE ("gpt2") */
    NURI_TOK_WPM, /* WordPiece ("bert") */
} nuri_tok_kind;

/* Token attributes (bit set), as the reference derives them from token_type. */
enum {
    NURI_TOKEN_ATTR_UNDEFINED = 0,
    NURI_TOKEN_ATTR_UNKNOWN = 1 << 0,
    NURI_TOKEN_ATTR_UNUSED = 1 << 1,
    NURI_TOKEN_ATTR_NORMAL = 1 << 2,
    NURI_TOKEN_ATTR_CONTROL = 1 << 3,
    NURI_TOKEN_ATTR_USER_DEFINED = 1 << 4,
    NURI_TOKEN_ATTR_BYTE = 1 << 5,
    NURI_TOKEN_ATTR_LSTRIP = 1 << 7,
    NURI_TOKEN_ATTR_RSTRIP = 1 << 8,
};

/* Builds the tokenizer of g. Everything it needs is copied: g may be closed afterwards.
 * Fails with NURI_ERR_FORMAT on inconsistent metadata (array lengths, merges naming
 * unknown tokens, bad types) and NURI_ERR_UNSUPPORTED on an unknown model or
 * pre-tokenizer. */
nuri_status nuri_tokenizer_load(const nuri_gguf *g, nuri_tokenizer **out, nuri_error *err);
void nuri_tokenizer_free(nuri_tokenizer *tok);

nuri_tok_kind nuri_tokenizer_kind(const nuri_tokenizer *tok);
/* tokenizer.ggml.model and tokenizer.ggml.pre ("" when absent). */
const char *nuri_tokenizer_model(const nuri_tokenizer *tok);
const char *nuri_tokenizer_pre(const nuri_tokenizer *tok);
int32_t nuri_tokenizer_n_vocab(const nuri_tokenizer *tok);

/* Special ids, -1 when the vocabulary has none. */
int32_t nuri_token_bos(const nuri_tokenizer *tok);
int32_t nuri_token_eos(const nuri_tokenizer *tok);
int32_t nuri_token_eot(const nuri_tokenizer *tok);
int32_t nuri_token_unk(const nuri_tokenizer *tok);
int32_t nuri_token_sep(const nuri_tokenizer *tok);
int32_t nuri_token_pad(const nuri_tokenizer *tok);
/* Whether add_special puts BOS in front / EOS at the end. */
bool nuri_tokenizer_add_bos(const nuri_tokenizer *tok);
bool nuri_tokenizer_add_eos(const nuri_tokenizer *tok);
/* End of generation: EOS, EOT and the tokens the reference recognizes by their text
 * (<|im_end|>, <|eot_id|>, <end_of_turn>, <|endoftext|>, ...). */
bool nuri_token_is_eog(const nuri_tokenizer *tok, int32_t id);
uint32_t nuri_token_attr(const nuri_tokenizer *tok, int32_t id);
/* The vocabulary entry of id (not NUL-terminated; NULL and *len 0 when out of range). */
const char *nuri_token_text(const nuri_tokenizer *tok, int32_t id, size_t *len);
/* The bytes id stands for: byte-level decoding, SentencePiece's U+2581 as a space, a
 * byte token as its byte. Control and unknown tokens give their text when special, else
 * nothing. May be part of a UTF-8 sequence. */
const char *nuri_token_piece(const nuri_tokenizer *tok, int32_t id, bool special, size_t *len);
/* The id whose vocabulary text is exactly text, or -1. */
int32_t nuri_token_lookup(const nuri_tokenizer *tok, const char *text, size_t len);

/* Text to ids, as the reference does. add_special adds BOS/EOS (CLS/SEP for WordPiece)
 * as the metadata asks; parse_special turns control-token text in the input into those
 * tokens (user-defined tokens always are). Any bytes are accepted: invalid UTF-8 is
 * tokenized the way the reference does it. *ids is malloc'd (free it); it may be
 * non-NULL with *n == 0. */
nuri_status nuri_tokenize(const nuri_tokenizer *tok, const char *text, size_t len,
                          bool add_special, bool parse_special, int32_t **ids, size_t *n,
                          nuri_error *err);

/* Ids to text, as the reference does (leading-space removal for SentencePiece, the
 * clean-up of spaces before punctuation where the vocabulary asks for it), then made
 * valid UTF-8. remove_special drops a leading BOS / trailing EOS that add_special would
 * add; unparse_special renders control tokens as their text. *out is malloc'd and
 * NUL-terminated. */
nuri_status nuri_detokenize(const nuri_tokenizer *tok, const int32_t *ids, size_t n,
                            bool remove_special, bool unparse_special, char **out,
                            size_t *len, nuri_error *err);

/* Streaming detokenization: push ids one at a time and get back only complete UTF-8
 * characters; an incomplete sequence is held until the next id completes it, and bytes
 * that can never form a character come out as U+FFFD. */
typedef struct nuri_detok nuri_detok;

nuri_status nuri_detok_new(const nuri_tokenizer *tok, bool special, nuri_detok **out,
                           nuri_error *err);
void nuri_detok_free(nuri_detok *d);
/* out, len: the text now ready (valid until the next call on d). Fails with
 * NURI_ERR_INVALID_ARG on an id outside the vocabulary. */
nuri_status nuri_detok_push(nuri_detok *d, int32_t id, const char **out, size_t *len,
                            nuri_error *err);
/* Ends the stream: what is still held comes out (an incomplete sequence as U+FFFD). */
void nuri_detok_flush(nuri_detok *d, const char **out, size_t *len);
/* Bytes currently held back. */
size_t nuri_detok_pending(const nuri_detok *d);

/* Strict UTF-8 check (no overlong forms, surrogates or code points above U+10FFFF).
 * On false, *bad_offset (if not NULL) is the offset of the first invalid byte. */
bool nuri_utf8_valid(const char *s, size_t len, size_t *bad_offset);

#ifdef __cplusplus
}
#endif
#endif
