/* SentencePiece (BPE by score): the text, spaces written as U+2581, is cut into UTF-8
 * characters; the adjacent pair whose concatenation is the best-scored token is merged
 * until no pair is a token. What is left and no token becomes byte tokens. */
#include <string.h>

#include "tokenizer/session.h"
#include "tokenizer/utf8.h"

static bool try_bigram(tok_session *s, const uint8_t *text, int32_t l, int32_t r) {
    if (l < 0 || r < 0) return true;
    const tok_sym *L = &s->sym[l], *R = &s->sym[r];
    uint32_t size = L->len + R->len;
    int32_t id = tok_strmap_get(&s->t->text_to_id, (const char *)text + L->start, size);
    if (id < 0) return true;
    tok_pair p = {s->t->scores[id], 0, l, r, size, id};
    return tok_heap_push(s, p, true);
}

bool tok_spm_fragment(tok_session *s, const char *frag, size_t len, bool space_prefix, tok_ids *out) {
    const nuri_tokenizer *t = s->t;
    /* the escaped text: each space becomes the 3 bytes of U+2581 */
    if (!tok_session_reserve_buf(s, len * 3 + 3)) return false;
    uint8_t *text = s->buf;
    size_t n = 0;
    if (space_prefix) {
        memcpy(text, "\xE2\x96\x81", 3);
        n = 3;
    }
    for (size_t i = 0; i < len; i++) {
        if (frag[i] == ' ') {
            memcpy(text + n, "\xE2\x96\x81", 3);
            n += 3;
        } else {
            text[n++] = (uint8_t)frag[i];
        }
    }
    if (n == 0) return true;
    if (!tok_session_reserve_sym(s, n)) return false;
    size_t ns = 0;
    for (size_t off = 0; off < n;) {
        /* characters by their lead byte alone, as the reference cuts them */
        size_t cl = tok_utf8_len(text[off]);
        if (cl > n - off) cl = n - off;
        tok_sym *y = &s->sym[ns];
        y->start = (uint32_t)off;
        y->len = (uint32_t)cl;
        y->prev = (int32_t)ns - 1;
        off += cl;
        y->next = off < n ? (int32_t)ns + 1 : -1;
        y->id = -1;
        ns++;
    }
    s->heap_n = 0;
    for (size_t i = 1; i < ns; i++)
        if (!try_bigram(s, text, (int32_t)i - 1, (int32_t)i)) return false;
    while (s->heap_n) {
        tok_pair p = tok_heap_pop(s, true);
        tok_sym *L = &s->sym[p.left], *R = &s->sym[p.right];
        if (L->len == 0 || R->len == 0 || L->len + R->len != p.size) continue;
        L->len += R->len;
        R->len = 0;
        L->next = R->next;
        if (R->next >= 0) s->sym[R->next].prev = p.left;
        if (!try_bigram(s, text, L->prev, p.left) || !try_bigram(s, text, p.left, L->next))
            return false;
    }
    for (int32_t i = 0; i >= 0; i = s->sym[i].next) {
        const tok_sym *y = &s->sym[i];
        int32_t id = tok_strmap_get(&t->text_to_id, (const char *)text + y->start, y->len);
        if (id >= 0) {
            if (!tok_ids_push(out, id)) return false;
            continue;
        }
        /* byte fallback; a vocabulary without the byte's token gives <unk> there */
        for (uint32_t k = 0; k < y->len; k++) {
            int32_t b = t->spm_byte[text[y->start + k]];
            if (b < 0) b = t->unk;
            if (b >= 0 && !tok_ids_push(out, b)) return false;
        }
    }
    return true;
}
