/* Special tokens in the input. The reference takes the special tokens longest first
 * and, for each, cuts every occurrence out of the text that is still raw, left to right;
 * a token with lstrip/rstrip also swallows the whitespace beside it. Here every
 * occurrence is found in one pass over a byte trie, then accepted in that same order
 * when its bytes are all still raw, which gives the same fragments. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/vocab.h"

#define SPECIAL_ATTRS (NURI_TOKEN_ATTR_CONTROL | NURI_TOKEN_ATTR_USER_DEFINED | NURI_TOKEN_ATTR_UNKNOWN)

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool trie_child(const tok_trie *tr, size_t node, uint8_t byte, size_t *child) {
    uint64_t v;
    if (!tok_u64map_get(&tr->edges, (uint64_t)node << 8 | byte, &v)) return false;
    *child = (size_t)v;
    return true;
}

nuri_status tok_special_prepare(nuri_tokenizer *t, nuri_error *err) {
    size_t n = 0, total = 0;
    for (int32_t id = 0; id < t->n_vocab; id++)
        if (t->attr[id] & SPECIAL_ATTRS) {
            n++;
            total += t->tokens[id].len;
        }
    t->n_special = n;
    t->special = malloc((n ? n : 1) * sizeof *t->special);
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    tok_trie *tr = &t->trie;
    tr->terminal = malloc((total + 1) * sizeof *tr->terminal);
    if (!t->special || !keys || !tr->terminal || !tok_u64map_init(&tr->edges, total + 1)) {
        free(keys);
        return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    }
    /* longest first; among equal lengths the lower id first */
    size_t k = 0;
    for (int32_t id = 0; id < t->n_vocab; id++)
        if (t->attr[id] & SPECIAL_ATTRS)
            keys[k++] = (uint64_t)(UINT32_MAX - t->tokens[id].len) << 32 | (uint32_t)id;
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n; i++) t->special[i] = (int32_t)(uint32_t)keys[i];
    free(keys);

    tr->n_nodes = 1;
    tr->terminal[0] = -1;
    memset(tr->first, 0, sizeof tr->first);
    for (size_t i = 0; i < n; i++) {
        int32_t id = t->special[i];
        const uint8_t *s = (const uint8_t *)tok_text(t, id);
        uint32_t len = t->tokens[id].len;
        if (len == 0) continue;
        tr->first[s[0] >> 3] |= (uint8_t)(1u << (s[0] & 7));
        size_t node = 0;
        for (uint32_t j = 0; j < len; j++) {
            size_t child;
            if (!trie_child(tr, node, s[j], &child)) {
                child = tr->n_nodes++;
                tr->terminal[child] = -1;
                bool ins;
                if (!tok_u64map_add(&tr->edges, (uint64_t)node << 8 | s[j], child, &ins))
                    return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
            }
            node = child;
        }
        if (tr->terminal[node] < 0) tr->terminal[node] = (int32_t)i;
    }
    return NURI_OK;
}

void tok_special_free(nuri_tokenizer *t) {
    free(t->special);
    t->special = NULL;
    free(t->trie.terminal);
    t->trie.terminal = NULL;
    tok_u64map_free(&t->trie.edges);
}

static bool frag_push(tok_fragments *f, size_t off, size_t len, int32_t token) {
    if (!tok_grow_((void **)&f->v, &f->cap, f->n + 1, sizeof *f->v)) return false;
    f->v[f->n++] = (tok_fragment){off, len, token};
    return true;
}

static inline bool c_isspace(uint8_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0D); }

enum { RAW = 0, TAKEN = 1, STRIPPED = 2 };

bool tok_partition(const nuri_tokenizer *t, const char *text, size_t len, bool parse_special,
                   tok_fragments *out) {
    out->n = 0;
    if (len == 0) return true;
    const tok_trie *tr = &t->trie;
    const uint8_t *u = (const uint8_t *)text;
    uint64_t *occ = NULL; /* (priority << 32 | start) */
    size_t n_occ = 0, occ_cap = 0;
    for (size_t i = 0; i < len; i++) {
        if (!(tr->first[u[i] >> 3] & (1u << (u[i] & 7)))) continue;
        size_t node = 0;
        for (size_t j = i; j < len; j++) {
            if (!trie_child(tr, node, u[j], &node)) break;
            int32_t k = tr->terminal[node];
            if (k < 0) continue;
            uint32_t attr = t->attr[t->special[k]];
            if (!parse_special && (attr & (NURI_TOKEN_ATTR_CONTROL | NURI_TOKEN_ATTR_UNKNOWN))) continue;
            if (!tok_grow_((void **)&occ, &occ_cap, n_occ + 1, sizeof *occ)) {
                free(occ);
                return false;
            }
            occ[n_occ++] = (uint64_t)k << 32 | (uint32_t)i;
        }
    }
    if (n_occ == 0) return frag_push(out, 0, len, -1);

    qsort(occ, n_occ, sizeof *occ, cmp_u64);
    uint8_t *mark = calloc(len, 1);
    uint64_t *taken = malloc(n_occ * sizeof *taken); /* (start << 32 | priority) */
    if (!mark || !taken) {
        free(occ);
        free(mark);
        free(taken);
        return false;
    }
    size_t n_taken = 0;
    for (size_t o = 0; o < n_occ; o++) {
        size_t k = (size_t)(occ[o] >> 32), s = (uint32_t)occ[o];
        int32_t id = t->special[k];
        size_t e = s + t->tokens[id].len;
        bool raw = true;
        for (size_t i = s; i < e && raw; i++) raw = mark[i] == RAW;
        if (!raw) continue;
        memset(mark + s, TAKEN, e - s);
        taken[n_taken++] = (uint64_t)s << 32 | k;
        if (t->attr[id] & NURI_TOKEN_ATTR_LSTRIP)
            for (size_t i = s; i > 0 && mark[i - 1] == RAW && c_isspace(u[i - 1]); i--) mark[i - 1] = STRIPPED;
        if (t->attr[id] & NURI_TOKEN_ATTR_RSTRIP)
            for (size_t i = e; i < len && mark[i] == RAW && c_isspace(u[i]); i++) mark[i] = STRIPPED;
    }
    free(occ);
    qsort(taken, n_taken, sizeof *taken, cmp_u64);
    bool ok = true;
    size_t pos = 0;
    for (size_t x = 0; x <= n_taken && ok; x++) {
        size_t end = x < n_taken ? (size_t)(taken[x] >> 32) : len;
        /* the raw text before this token (stripped whitespace excluded) */
        size_t a = pos;
        while (a < end && mark[a] != RAW) a++;
        size_t b = end;
        while (b > a && mark[b - 1] != RAW) b--;
        if (b > a) ok = frag_push(out, a, b - a, -1);
        if (x < n_taken && ok) {
            int32_t id = t->special[(uint32_t)taken[x]];
            ok = frag_push(out, 0, 0, id);
            pos = end + t->tokens[id].len;
        }
    }
    free(mark);
    free(taken);
    return ok;
}
