/* Pre-tokenizers of byte-level BPE: split a fragment's code points into the words BPE
 * then merges, exactly as the reference's pattern lists for each tokenizer.ggml.pre do.
 * Each family is a fixed sequence of passes; a pass splits every current segment into
 * its pattern's matches and the gaps between them. Hand-written matchers stand in for
 * the patterns (the reference runs some through std::regex, whose leftmost-first
 * semantics they follow). */
#ifndef NURI_TOKENIZER_PRETOK_H
#define NURI_TOKENIZER_PRETOK_H

#include <stdbool.h>

#include "tokenizer/ucd.h"
#include "tokenizer/vec.h"

typedef enum {
    TOK_PRE_DEFAULT,        /* the reference's fallback list (tokenizer.ggml.pre absent) */
    TOK_PRE_GPT2,           /* gpt-2, mpt, exaone4, ... */
    TOK_PRE_LLAMA3,         /* llama-bpe (Llama 3) */
    TOK_PRE_QWEN2,          /* qwen2 */
    TOK_PRE_DEEPSEEK_LLM,   /* deepseek-llm */
    TOK_PRE_DEEPSEEK_CODER, /* deepseek-coder */
    TOK_PRE_FALCON,         /* falcon */
    TOK_PRE_STARCODER,      /* starcoder, refact, smollm, exaone, ... */
} tok_pre_kind;

/* Splits cp[0..n) (with flags fl) into words; their lengths in code points replace the
 * contents of *words (tmp is scratch). False when out of memory. */
bool tok_pretokenize(tok_pre_kind kind, const uint32_t *cp, const uint16_t *fl, size_t n,
                     tok_u32s *words, tok_u32s *tmp);

#endif
