/* Unicode character data for the pre-tokenizers, from utf8proc: the general category
 * folded into the flags the reference's patterns test (\p{L}, \p{N}, \p{P}, ...), its
 * White_Space set, simple lowercase and the first code point of the NFD form. */
#ifndef NURI_TOKENIZER_UCD_H
#define NURI_TOKENIZER_UCD_H

#include <stdint.h>

#include "nuri/base.h"

enum {
    TOK_UCP_UNDEFINED = 0x0001, /* unassigned (Cn) or outside Unicode */
    TOK_UCP_NUMBER = 0x0002,    /* \p{N} */
    TOK_UCP_LETTER = 0x0004,    /* \p{L} */
    TOK_UCP_SEPARATOR = 0x0008, /* \p{Z} */
    TOK_UCP_MARK = 0x0010,      /* \p{M} */
    TOK_UCP_PUNCT = 0x0020,     /* \p{P} */
    TOK_UCP_SYMBOL = 0x0040,    /* \p{S} */
    TOK_UCP_CONTROL = 0x0080,   /* \p{C}: Cc, Cf, Co, Cs */
    TOK_UCP_WHITESPACE = 0x0100,/* \s: the White_Space property */
};

/* Flags of the Basic Multilingual Plane precomputed (128 KiB), the rest from utf8proc. */
typedef struct {
    uint16_t *bmp;
} tok_ucd;

nuri_status tok_ucd_init(tok_ucd *u, nuri_error *err);
void tok_ucd_free(tok_ucd *u);
uint16_t tok_ucd_flags_slow(uint32_t cp);

static inline uint16_t tok_ucd_flags(const tok_ucd *u, uint32_t cp) {
    return cp < 0x10000 ? u->bmp[cp] : tok_ucd_flags_slow(cp);
}

uint32_t tok_ucd_tolower(uint32_t cp);
/* The first code point of cp's canonical decomposition (cp itself when it has none). */
uint32_t tok_ucd_nfd_first(uint32_t cp);

#endif
