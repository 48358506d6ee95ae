/* WordPiece (BERT): lower-case, strip accents (the first code point of each character's
 * canonical decomposition, combining marks dropped), split on whitespace and around
 * punctuation and CJK ideographs, then take the longest vocabulary match from the left,
 * the word prefixed with U+2581. A word with an unmatched remainder is [UNK]. */
#include <string.h>

#include "tokenizer/session.h"
#include "tokenizer/utf8.h"

static bool is_cjk_ideograph(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

static bool wpm_word(tok_session *s, const uint8_t *w, size_t n, tok_ids *out) {
    const nuri_tokenizer *t = s->t;
    size_t before = out->n;
    for (size_t i = 0; i < n;) {
        size_t hi = i + t->max_token_len + 1;
        if (hi > n) hi = n;
        bool found = false;
        for (size_t j = hi; j > i; j--) {
            int32_t id = tok_strmap_get(&t->text_to_id, (const char *)w + i, j - i);
            if (id >= 0) {
                if (!tok_ids_push(out, id)) return false;
                i = j;
                found = true;
                break;
            }
        }
        if (!found) {
            out->n = before;
            break;
        }
    }
    /* a vocabulary without [UNK] drops the word */
    if (out->n == before && t->unk >= 0) return tok_ids_push(out, t->unk);
    return true;
}

/* Ends the word being built in s->word[0..*wn) (after the U+2581 prefix). */
static bool flush_word(tok_session *s, size_t *wn, tok_ids *out) {
    if (*wn <= 3) return true;
    bool ok = wpm_word(s, s->word, *wn, out);
    *wn = 3;
    return ok;
}

bool tok_wpm_fragment(tok_session *s, const char *text, size_t len, tok_ids *out) {
    const nuri_tokenizer *t = s->t;
    size_t n = tok_session_decode(s, text, len);
    if (n == SIZE_MAX) return false;
    if (!tok_grow_((void **)&s->word, &s->word_cap, 3 + n * 4, 1)) return false;
    memcpy(s->word, "\xE2\x96\x81", 3);
    size_t wn = 3;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = s->cp[i];
        uint16_t fl = s->fl[i];
        if (t->wpm_strip_accents) {
            uint32_t d = tok_ucd_nfd_first(cp);
            if (d != cp) {
                cp = d;
                fl = tok_ucd_flags(&t->ucd, cp);
            }
        }
        if (fl & TOK_UCP_WHITESPACE) {
            if (!flush_word(s, &wn, out)) return false;
            continue;
        }
        if (cp == 0 || cp == 0xFFFD || (fl & TOK_UCP_CONTROL)) continue;
        if (t->wpm_strip_accents && (fl & TOK_UCP_MARK)) continue;
        uint8_t enc[4];
        size_t el = tok_utf8_encode(t->wpm_lowercase ? tok_ucd_tolower(cp) : cp, enc);
        if ((fl & TOK_UCP_PUNCT) || (cp < 0x7F && (fl & TOK_UCP_SYMBOL)) || is_cjk_ideograph(cp)) {
            if (!flush_word(s, &wn, out)) return false;
            memcpy(s->word + wn, enc, el);
            wn += el;
            if (!flush_word(s, &wn, out)) return false;
        } else {
            memcpy(s->word + wn, enc, el);
            wn += el;
        }
    }
    return flush_word(s, &wn, out);
}
