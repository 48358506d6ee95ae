/* Word counting for the BPE trainer: each line is decoded and split by nuri's own
 * pre-tokenizer (the one the reference runs for tokenizer.ggml.pre), so the words merges
 * are learned on are exactly the words the tokenizer will later see. */
#include <stdlib.h>

#include "datapipe/bpe.h"
#include "tokenizer/ucd.h"
#include "tokenizer/utf8.h"

struct bpe_counter {
    tok_pre_kind kind;
    tok_ucd ucd;
    uint32_t *cp;
    uint16_t *fl;
    size_t *at; /* byte offset of each code point, and of the end */
    size_t cap;
    tok_u32s words, tmp;
    bpe_words w;
};

nuri_status bpe_counter_new(tok_pre_kind kind, bpe_counter **out, nuri_error *err) {
    bpe_counter *c = calloc(1, sizeof *c);
    if (!c) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    nuri_status st = tok_ucd_init(&c->ucd, err);
    if (st) {
        free(c);
        return st;
    }
    c->kind = kind;
    *out = c;
    return NURI_OK;
}

void bpe_words_free(bpe_words *w) {
    free(w->bytes);
    free(w->off);
    free(w->len);
    free(w->count);
    free(w->hash);
    free(w->slots);
    memset(w, 0, sizeof *w);
}

void bpe_counter_free(bpe_counter *c) {
    if (!c) return;
    tok_ucd_free(&c->ucd);
    free(c->cp);
    free(c->fl);
    free(c->at);
    free(c->words.v);
    free(c->tmp.v);
    bpe_words_free(&c->w);
    free(c);
}

bpe_words *bpe_counter_words(bpe_counter *c) { return &c->w; }

static bool slots_grow(bpe_words *w) {
    size_t nc = w->slots_cap ? w->slots_cap * 2 : 1 << 16;
    uint32_t *s = calloc(nc, sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < w->n; i++) {
        size_t j = w->hash[i] & (nc - 1);
        while (s[j]) j = (j + 1) & (nc - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(w->slots);
    w->slots = s;
    w->slots_cap = nc;
    return true;
}

static bool add_word(bpe_words *w, const uint8_t *b, size_t n) {
    if ((w->n + 1) * 2 > w->slots_cap && !slots_grow(w)) return false;
    uint64_t h = dp_hash64(b, n, 0x574F5244ull);
    size_t j = h & (w->slots_cap - 1);
    for (; w->slots[j]; j = (j + 1) & (w->slots_cap - 1)) {
        uint32_t i = w->slots[j] - 1;
        if (w->hash[i] == h && w->len[i] == n && !memcmp(w->bytes + w->off[i], b, n)) {
            if (w->count[i] < UINT32_MAX) w->count[i]++;
            w->total++;
            return true;
        }
    }
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 1 << 14;
        uint64_t *o = realloc(w->off, nc * sizeof *o);
        if (o) w->off = o;
        uint32_t *l = o ? realloc(w->len, nc * sizeof *l) : NULL;
        if (l) w->len = l;
        uint32_t *c = l ? realloc(w->count, nc * sizeof *c) : NULL;
        if (c) w->count = c;
        uint64_t *hh = c ? realloc(w->hash, nc * sizeof *hh) : NULL;
        if (!hh) return false;
        w->hash = hh;
        w->cap = nc;
    }
    if (!tok_grow_((void **)&w->bytes, &w->bytes_cap, w->bytes_n + n, 1)) return false;
    memcpy(w->bytes + w->bytes_n, b, n);
    w->off[w->n] = w->bytes_n;
    w->len[w->n] = (uint32_t)n;
    w->count[w->n] = 1;
    w->hash[w->n] = h;
    w->bytes_n += n;
    w->slots[j] = (uint32_t)w->n + 1;
    w->n++;
    w->total++;
    return true;
}

bool bpe_count_line(bpe_counter *c, const char *s, size_t n) {
    if (n + 1 > c->cap) {
        size_t nc = (n + 1) * 2;
        uint32_t *cp = realloc(c->cp, nc * sizeof *cp);
        if (cp) c->cp = cp;
        uint16_t *fl = cp ? realloc(c->fl, nc * sizeof *fl) : NULL;
        if (fl) c->fl = fl;
        size_t *at = fl ? realloc(c->at, nc * sizeof *at) : NULL;
        if (!at) return false;
        c->at = at;
        c->cap = nc;
    }
    const uint8_t *u = (const uint8_t *)s;
    size_t off = 0, m = 0;
    while (off < n) {
        c->at[m] = off;
        uint32_t cp = u[off] < 0x80 ? u[off++] : tok_utf8_decode_lenient(u, n, &off);
        c->cp[m] = cp;
        c->fl[m] = tok_ucd_flags(&c->ucd, cp);
        m++;
    }
    c->at[m] = n;
    if (!tok_pretokenize(c->kind, c->cp, c->fl, m, &c->words, &c->tmp)) return false;
    size_t pos = 0;
    for (size_t i = 0; i < c->words.n; i++) {
        size_t len = c->words.v[i];
        size_t from = c->at[pos], to = c->at[pos + len];
        if (to > from && !add_word(&c->w, u + from, to - from)) return false;
        pos += len;
    }
    return true;
}
