/* The BPE merge loop over distinct words with counts.
 *
 * Each word is a sequence of token ids (bytes at first). For every adjacent pair the
 * trainer keeps its count (summed over the words, times their counts) and the list of
 * words it occurs in. A max-heap holds (count, pair) entries; counts that went down since
 * an entry was pushed are corrected when it surfaces (lazy deletion). Merging the top
 * pair rewrites only the words on its list and adjusts the counts of the pairs around
 * each occurrence, so a merge costs the occurrences it touches, not a pass over the
 * corpus. Ties between equal counts go to the smaller (left id, right id): the result is
 * a pure function of the words and counts. */
#include <stdlib.h>

#include "datapipe/bpe.h"

typedef struct {
    uint64_t key;   /* left << 32 | right */
    int64_t count;
    uint32_t *pos;  /* words containing the pair (may repeat or be stale) */
    uint32_t n, cap;
} bpe_pair;

typedef struct {
    int64_t count;
    uint64_t key;
} heap_ent;

typedef struct {
    bpe_words *w;
    uint32_t *sym;      /* symbols of all words, each word at w->off[i] */
    uint32_t *sym_len;  /* current symbols per word */
    uint32_t *stamp;    /* last merge that visited the word */
    bpe_pair *pairs;
    size_t n_pairs, pairs_cap;
    uint32_t *map;      /* key hash -> pair index + 1 */
    size_t map_cap;
    heap_ent *heap;
    size_t heap_n, heap_cap;
    uint32_t *touched;  /* pairs whose count went up during this merge */
    size_t n_touched, touched_cap;
    uint32_t *touch_stamp;
    size_t touch_cap;
    bool oom;
} bpe_state;

static inline size_t key_slot(uint64_t key, size_t cap) { return dp_mix64(key) & (cap - 1); }

static bool map_grow(bpe_state *s) {
    size_t nc = s->map_cap ? s->map_cap * 2 : 1 << 16;
    uint32_t *m = calloc(nc, sizeof *m);
    if (!m) return false;
    for (size_t i = 0; i < s->n_pairs; i++) {
        size_t j = key_slot(s->pairs[i].key, nc);
        while (m[j]) j = (j + 1) & (nc - 1);
        m[j] = (uint32_t)i + 1;
    }
    free(s->map);
    s->map = m;
    s->map_cap = nc;
    return true;
}

/* Index of the pair, created with count 0 when create; UINT32_MAX when absent or out of
 * memory (then s->oom). */
static uint32_t pair_get(bpe_state *s, uint64_t key, bool create) {
    if (create && (s->n_pairs + 1) * 2 > s->map_cap && !map_grow(s)) {
        s->oom = true;
        return UINT32_MAX;
    }
    size_t j = key_slot(key, s->map_cap);
    for (; s->map[j]; j = (j + 1) & (s->map_cap - 1))
        if (s->pairs[s->map[j] - 1].key == key) return s->map[j] - 1;
    if (!create) return UINT32_MAX;
    if (s->n_pairs == s->pairs_cap) {
        size_t nc = s->pairs_cap ? s->pairs_cap * 2 : 1 << 16;
        bpe_pair *p = realloc(s->pairs, nc * sizeof *p);
        uint32_t *ts = p ? realloc(s->touch_stamp, nc * sizeof *ts) : NULL;
        if (p) s->pairs = p;
        if (!ts) {
            s->oom = true;
            return UINT32_MAX;
        }
        s->touch_stamp = ts;
        s->pairs_cap = nc;
    }
    uint32_t idx = (uint32_t)s->n_pairs++;
    s->pairs[idx] = (bpe_pair){.key = key};
    s->touch_stamp[idx] = UINT32_MAX;
    s->map[j] = idx + 1;
    return idx;
}

static void pos_push(bpe_state *s, bpe_pair *p, uint32_t word) {
    if (p->n && p->pos[p->n - 1] == word) return;
    if (p->n == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 4;
        uint32_t *v = realloc(p->pos, nc * sizeof *v);
        if (!v) {
            s->oom = true;
            return;
        }
        p->pos = v;
        p->cap = nc;
    }
    p->pos[p->n++] = word;
}

static inline bool heap_before(const heap_ent *a, const heap_ent *b) {
    return a->count != b->count ? a->count > b->count : a->key < b->key;
}

static void heap_push(bpe_state *s, heap_ent e) {
    if (s->heap_n == s->heap_cap) {
        size_t nc = s->heap_cap ? s->heap_cap * 2 : 1 << 16;
        heap_ent *h = realloc(s->heap, nc * sizeof *h);
        if (!h) {
            s->oom = true;
            return;
        }
        s->heap = h;
        s->heap_cap = nc;
    }
    size_t i = s->heap_n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_before(&e, &s->heap[parent])) break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = e;
}

static heap_ent heap_pop(bpe_state *s) {
    heap_ent top = s->heap[0], last = s->heap[--s->heap_n];
    size_t n = s->heap_n, i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n) break;
        size_t m = l + 1 < n && heap_before(&s->heap[l + 1], &s->heap[l]) ? l + 1 : l;
        if (!heap_before(&s->heap[m], &last)) break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (n) s->heap[i] = last;
    return top;
}

static inline uint64_t key_of(uint32_t a, uint32_t b) { return (uint64_t)a << 32 | b; }

static void pair_add(bpe_state *s, uint32_t a, uint32_t b, int64_t c, uint32_t word, uint32_t merge) {
    uint32_t i = pair_get(s, key_of(a, b), true);
    if (i == UINT32_MAX) return;
    bpe_pair *p = &s->pairs[i];
    p->count += c;
    pos_push(s, p, word);
    if (s->touch_stamp[i] != merge) {
        s->touch_stamp[i] = merge;
        if (!tok_grow_((void **)&s->touched, &s->touched_cap, s->n_touched + 1, sizeof *s->touched)) {
            s->oom = true;
            return;
        }
        s->touched[s->n_touched++] = i;
    }
}

static void pair_sub(bpe_state *s, uint32_t a, uint32_t b, int64_t c) {
    uint32_t i = pair_get(s, key_of(a, b), false);
    if (i != UINT32_MAX) s->pairs[i].count -= c;
}

/* Replaces every (a, b) in word by z, left to right, and updates the neighbours' pairs. */
static void merge_word(bpe_state *s, uint32_t word, uint32_t a, uint32_t b, uint32_t z, uint32_t merge) {
    uint32_t *y = s->sym + s->w->off[word];
    uint32_t len = s->sym_len[word], out = 0;
    int64_t c = s->w->count[word];
    for (uint32_t i = 0; i < len;) {
        if (i + 1 < len && y[i] == a && y[i + 1] == b) {
            if (out) {
                pair_sub(s, y[out - 1], a, c);
                pair_add(s, y[out - 1], z, c, word, merge);
            }
            if (i + 2 < len) {
                pair_sub(s, b, y[i + 2], c);
                pair_add(s, z, y[i + 2], c, word, merge);
            }
            pair_sub(s, a, b, c);
            y[out++] = z;
            i += 2;
        } else {
            y[out++] = y[i++];
        }
    }
    s->sym_len[word] = out;
}

/* ---- the learned vocabulary ---- */

static bool vocab_add(bpe_vocab *v, const uint8_t *t, size_t n) {
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 1024;
        uint64_t *o = realloc(v->off, nc * sizeof *o);
        if (o) v->off = o;
        uint32_t *l = o ? realloc(v->len, nc * sizeof *l) : NULL;
        if (!l) return false;
        v->len = l;
        v->cap = nc;
    }
    if (!tok_grow_((void **)&v->text, &v->text_cap, v->text_n + n, 1)) return false;
    memcpy(v->text + v->text_n, t, n);
    v->off[v->n] = v->text_n;
    v->len[v->n] = (uint32_t)n;
    v->text_n += n;
    v->n++;
    return true;
}

void bpe_vocab_free(bpe_vocab *v) {
    free(v->text);
    free(v->off);
    free(v->len);
    free(v->merge_a);
    free(v->merge_b);
    memset(v, 0, sizeof *v);
}

/* Token id of the bytes t, or -1 (a small map over the learned tokens). */
typedef struct {
    uint32_t *slots; /* id + 1 */
    size_t cap;
} tok_index;

static int32_t index_find(const tok_index *ix, const bpe_vocab *v, const uint8_t *t, size_t n, size_t *slot) {
    size_t j = dp_hash64(t, n, 7) & (ix->cap - 1);
    for (; ix->slots[j]; j = (j + 1) & (ix->cap - 1)) {
        uint32_t id = ix->slots[j] - 1;
        if (v->len[id] == n && !memcmp(v->text + v->off[id], t, n)) return (int32_t)id;
    }
    *slot = j;
    return -1;
}

nuri_status bpe_learn(bpe_words *w, uint32_t max_tokens, uint32_t min_frequency,
                      int (*progress)(void *, const nuri_bpe_progress *), void *user, bpe_vocab *v,
                      nuri_error *err) {
    memset(v, 0, sizeof *v);
    bpe_state s = {.w = w};
    tok_index ix = {0};
    nuri_status st = NURI_OK;
    uint8_t *buf = NULL;
    size_t buf_cap = 0;
    ix.cap = 1;
    while (ix.cap < (size_t)max_tokens * 2 + 512) ix.cap *= 2;
    ix.slots = calloc(ix.cap, sizeof *ix.slots);
    s.sym = malloc((w->bytes_n ? w->bytes_n : 1) * sizeof *s.sym);
    s.sym_len = malloc((w->n ? w->n : 1) * sizeof *s.sym_len);
    s.stamp = malloc((w->n ? w->n : 1) * sizeof *s.stamp);
    if (!ix.slots || !s.sym || !s.sym_len || !s.stamp) goto oom;
    for (int b = 0; b < 256; b++) {
        uint8_t byte = (uint8_t)b;
        size_t slot = 0;
        index_find(&ix, v, &byte, 1, &slot);
        if (!vocab_add(v, &byte, 1)) goto oom;
        ix.slots[slot] = (uint32_t)b + 1;
    }
    /* every word starts as its bytes */
    for (size_t i = 0; i < w->n; i++) {
        for (uint32_t k = 0; k < w->len[i]; k++) s.sym[w->off[i] + k] = w->bytes[w->off[i] + k];
        s.sym_len[i] = w->len[i];
        s.stamp[i] = UINT32_MAX;
        for (uint32_t k = 0; k + 1 < w->len[i]; k++)
            pair_add(&s, s.sym[w->off[i] + k], s.sym[w->off[i] + k + 1], w->count[i], (uint32_t)i, 0);
        if (s.oom) goto oom;
    }
    for (size_t i = 0; i < s.n_pairs; i++) heap_push(&s, (heap_ent){s.pairs[i].count, s.pairs[i].key});
    s.n_touched = 0;
    if (s.oom) goto oom;

    uint32_t merge = 0;
    while (v->n < max_tokens && s.heap_n) {
        heap_ent top = heap_pop(&s);
        uint32_t pi = pair_get(&s, top.key, false);
        int64_t now = s.pairs[pi].count;
        if (now != top.count) {
            /* went down: requeue at its true count; went up: a newer entry exists */
            if (now < top.count && now > 0) heap_push(&s, (heap_ent){now, top.key});
            if (s.oom) goto oom;
            continue;
        }
        if (now < (int64_t)(min_frequency ? min_frequency : 1)) break;
        uint32_t a = (uint32_t)(top.key >> 32), b = (uint32_t)top.key;
        size_t la = v->len[a], lb = v->len[b];
        if (!tok_grow_((void **)&buf, &buf_cap, la + lb, 1)) goto oom;
        memcpy(buf, v->text + v->off[a], la);
        memcpy(buf + la, v->text + v->off[b], lb);
        size_t slot = 0;
        int32_t z = index_find(&ix, v, buf, la + lb, &slot);
        if (z < 0) {
            /* the same bytes can arise from two different splits: one token for both */
            if (!vocab_add(v, buf, la + lb)) goto oom;
            z = (int32_t)v->n - 1;
            ix.slots[slot] = (uint32_t)z + 1;
        }
        if (!tok_grow_((void **)&v->merge_a, &v->merges_cap, v->n_merges + 1, sizeof *v->merge_a)) goto oom;
        int32_t *mb = realloc(v->merge_b, v->merges_cap * sizeof *mb);
        if (!mb) goto oom;
        v->merge_b = mb;
        v->merge_a[v->n_merges] = (int32_t)a;
        v->merge_b[v->n_merges] = (int32_t)b;
        v->n_merges++;
        merge++;
        /* detach the word list: merging adds pairs (the array may move) but never (a, b) */
        uint32_t *pos = s.pairs[pi].pos, npos = s.pairs[pi].n;
        s.pairs[pi].pos = NULL;
        s.pairs[pi].n = s.pairs[pi].cap = 0;
        s.n_touched = 0;
        for (uint32_t k = 0; k < npos; k++) {
            uint32_t word = pos[k];
            if (s.stamp[word] == merge) continue;
            s.stamp[word] = merge;
            merge_word(&s, word, a, b, (uint32_t)z, merge);
        }
        free(pos);
        for (size_t k = 0; k < s.n_touched; k++) {
            bpe_pair *p = &s.pairs[s.touched[k]];
            if (p->count > 0) heap_push(&s, (heap_ent){p->count, p->key});
        }
        if (s.oom) goto oom;
        if (progress && (merge % 256 == 0 || v->n == max_tokens)) {
            nuri_bpe_progress pr = {.merges_done = merge, .merges_total = max_tokens - 256,
                                    .words = w->total, .unique_words = w->n, .phase = "merge"};
            if (progress(user, &pr)) {
                st = nuri_fail(err, NURI_ERR_INTERRUPTED, "stopped");
                goto done;
            }
        }
    }
    goto done;
oom:
    st = nuri_fail(err, NURI_ERR_NOMEM, "BPE training: out of memory");
done:
    for (size_t i = 0; i < s.n_pairs; i++) free(s.pairs[i].pos);
    free(s.pairs);
    free(s.map);
    free(s.heap);
    free(s.touched);
    free(s.touch_stamp);
    free(s.sym);
    free(s.sym_len);
    free(s.stamp);
    free(ix.slots);
    free(buf);
    if (st) bpe_vocab_free(v);
    return st;
}
