/* Byte-level BPE: each byte becomes the printable character GPT-2 maps it to, then the
 * lowest-ranked merge of adjacent symbols is applied until none is left (a heap of
 * candidate pairs, stale entries skipped when popped). */
#include <stdlib.h>
#include <string.h>

#include "nuri/gguf.h"
#include "tokenizer/session.h"
#include "tokenizer/utf8.h"

/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68
 * bytes for U+0100 onwards in byte order. */
static uint32_t byte_to_cp(uint8_t b) {
    if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
    uint32_t n = 0;
    for (uint32_t x = 0; x < b; x++)
        if (!((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE)) n++;
    return 256 + n;
}

static nuri_status load_merges(nuri_tokenizer *t, const nuri_gguf *g, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = nuri_gguf_get_arr(g, "tokenizer.ggml.merges", NURI_GGUF_STRING, &kv, NULL);
    if (st == NURI_ERR_NOT_FOUND)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: a gpt2 (BPE) vocabulary needs tokenizer.ggml.merges");
    if (st != NURI_OK)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.merges is not an array of strings");
    if (kv->arr_len > INT32_MAX)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: too many merges (%llu)", (unsigned long long)kv->arr_len);
    if (!tok_u64map_init(&t->merges, (size_t)kv->arr_len))
        return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    char *buf = NULL;
    size_t cap = 0;
    for (uint64_t i = 0; i < kv->arr_len; i++) {
        nuri_str m = kv->strs[i];
        /* "left right": the space is searched from the second byte, as the reference does */
        const char *sp = m.len > 1 ? memchr(m.ptr + 1, ' ', m.len - 1) : NULL;
        if (!sp) {
            free(buf);
            return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: merge %llu has no space between its two tokens",
                             (unsigned long long)i);
        }
        size_t ll = (size_t)(sp - m.ptr), rl = m.len - ll - 1;
        int32_t l = tok_strmap_get(&t->text_to_id, m.ptr, ll);
        int32_t r = tok_strmap_get(&t->text_to_id, sp + 1, rl);
        if (ll + rl > cap) {
            cap = (ll + rl) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
            }
            buf = nb;
        }
        memcpy(buf, m.ptr, ll);
        memcpy(buf + ll, sp + 1, rl);
        int32_t res = tok_strmap_get(&t->text_to_id, buf, ll + rl);
        if (l < 0 || r < 0 || res < 0) {
            free(buf);
            return nuri_fail(err, NURI_ERR_FORMAT,
                             "tokenizer: merge %llu ('%.*s') names a token that is not in the vocabulary",
                             (unsigned long long)i, (int)(m.len > 80 ? 80 : m.len), m.ptr);
        }
        bool inserted;
        uint64_t key = (uint64_t)(uint32_t)l << 32 | (uint32_t)r;
        if (!tok_u64map_add(&t->merges, key, (uint64_t)i << 32 | (uint32_t)res, &inserted)) {
            free(buf);
            return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
        }
    }
    free(buf);
    return NURI_OK;
}

nuri_status tok_bpe_prepare(nuri_tokenizer *t, const nuri_gguf *g, nuri_error *err) {
    for (int b = 0; b < 256; b++) {
        uint8_t *e = t->byte_enc[b];
        e[0] = (uint8_t)tok_utf8_encode(byte_to_cp((uint8_t)b), e + 1);
        t->byte_tok[b] = tok_strmap_get(&t->text_to_id, (const char *)e + 1, e[0]);
        for (int k = 0; k < 2; k++)
            t->byte_fallback[b][k] =
                k < e[0] ? tok_strmap_get(&t->text_to_id, (const char *)e + 1 + k, 1) : -1;
    }
    return load_merges(t, g, err);
}

/* The merge of (left id, right id): (rank << 32 | result), or TOK_NO_MERGE. */
static uint64_t merge_of(tok_session *s, uint64_t key) {
    tok_u64slot *slot = NULL;
    if (s->pairs) {
        uint64_t h = key * 0x9E3779B97F4A7C15ull;
        slot = &s->pairs[h >> (64 - TOK_PAIR_CACHE_BITS)];
        if (slot->key == key) return slot->value;
    }
    uint64_t v;
    if (!tok_u64map_get(&s->t->merges, key, &v)) v = TOK_NO_MERGE;
    if (slot) *slot = (tok_u64slot){key, v};
    return v;
}

static bool try_pair(tok_session *s, int32_t l, int32_t r) {
    if (l < 0 || r < 0) return true;
    const tok_sym *L = &s->sym[l], *R = &s->sym[r];
    if (L->id < 0 || R->id < 0) return true;
    uint64_t v = merge_of(s, (uint64_t)(uint32_t)L->id << 32 | (uint32_t)R->id);
    if (v == TOK_NO_MERGE) return true;
    tok_pair p = {0, (int32_t)(v >> 32), l, r, L->len + R->len, (int32_t)(uint32_t)v};
    return tok_heap_push(s, p, false);
}

/* One word (its UTF-8 bytes) to ids. */
static bool bpe_word(tok_session *s, const uint8_t *w, size_t n, tok_ids *out) {
    const nuri_tokenizer *t = s->t;
    if (t->ignore_merges) {
        /* a word that is a token as a whole is taken as it is */
        if (!tok_grow_((void **)&s->buf, &s->buf_cap, n * 2, 1)) return false;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *e = t->byte_enc[w[i]];
            memcpy(s->buf + m, e + 1, e[0]);
            m += e[0];
        }
        int32_t id = tok_strmap_get(&t->text_to_id, (const char *)s->buf, m);
        if (id >= 0) return tok_ids_push(out, id);
    }
    if (!tok_session_reserve_sym(s, n)) return false;
    for (size_t i = 0; i < n; i++) {
        tok_sym *y = &s->sym[i];
        y->id = t->byte_tok[w[i]];
        y->prev = (int32_t)i - 1;
        y->next = i + 1 < n ? (int32_t)i + 1 : -1;
        y->start = (uint32_t)i;
        y->len = 1;
    }
    s->heap_n = 0;
    for (size_t i = 1; i < n; i++)
        if (!try_pair(s, (int32_t)i - 1, (int32_t)i)) return false;
    while (s->heap_n) {
        tok_pair p = tok_heap_pop(s, false);
        tok_sym *L = &s->sym[p.left], *R = &s->sym[p.right];
        if (L->len == 0 || R->len == 0 || L->len + R->len != p.size) continue;
        L->id = p.result;
        L->len += R->len;
        R->len = 0;
        L->next = R->next;
        if (R->next >= 0) s->sym[R->next].prev = p.left;
        if (!try_pair(s, L->prev, p.left) || !try_pair(s, p.left, L->next)) return false;
    }
    if (!tok_ids_reserve(out, n * 2)) return false;
    for (int32_t i = 0; i >= 0; i = s->sym[i].next) {
        const tok_sym *y = &s->sym[i];
        if (y->id >= 0) {
            out->v[out->n++] = y->id;
        } else {
            /* a byte whose character is no token: its raw bytes, where those are tokens */
            for (int k = 0; k < 2; k++)
                if (t->byte_fallback[w[y->start]][k] >= 0)
                    out->v[out->n++] = t->byte_fallback[w[y->start]][k];
        }
    }
    return true;
}

bool tok_bpe_fragment(tok_session *s, const char *text, size_t len, tok_ids *out) {
    /* the pair cache pays for its 1 MiB only on long texts (a failed allocation just
     * leaves it out) */
    if (!s->pairs && len >= 4096) {
        s->pairs = malloc(sizeof *s->pairs << TOK_PAIR_CACHE_BITS);
        if (s->pairs)
            for (size_t i = 0; i < (size_t)1 << TOK_PAIR_CACHE_BITS; i++) s->pairs[i].key = UINT64_MAX;
    }
    size_t n = tok_session_decode(s, text, len);
    if (n == SIZE_MAX) return false;
    if (!tok_pretokenize(s->t->pre_kind, s->cp, s->fl, n, &s->words, &s->tmp)) return false;
    size_t start = 0;
    for (size_t wi = 0; wi < s->words.n; wi++) {
        size_t wn = s->words.v[wi];
        /* the word as the reference rebuilds it: its code points encoded again */
        if (!tok_grow_((void **)&s->word, &s->word_cap, wn * 4, 1)) return false;
        size_t m = 0;
        for (size_t k = 0; k < wn; k++) m += tok_utf8_encode(s->cp[start + k], s->word + m);
        start += wn;
        size_t n_ids;
        const int32_t *hit = tok_wcache_get(&s->cache, s->word, m, &n_ids);
        if (hit) {
            if (n_ids) {
                if (!tok_ids_reserve(out, n_ids)) return false;
                memcpy(out->v + out->n, hit, n_ids * sizeof *hit);
                out->n += n_ids;
            }
            continue;
        }
        size_t before = out->n;
        if (!bpe_word(s, s->word, m, out)) return false;
        if (out->n > before) tok_wcache_put(&s->cache, s->word, m, out->v + before, out->n - before);
        else tok_wcache_put(&s->cache, s->word, m, NULL, 0);
    }
    return true;
}
