/* Exact and near duplicate detection.
 *
 * Exact: a set of 64-bit hashes of the documents' text.
 * Near: MinHash over character shingles of the text with spaces removed and ASCII
 * lower-cased (so spacing and case variants meet), DP_MINHASH values per document. LSH
 * banding over the first 32 values (8 bands of 4) finds candidates: a pair with Jaccard
 * similarity J shares a band with probability 1 - (1 - J^4)^8 (0.985 at J = 0.8, 0.40 at
 * 0.5). Each candidate is then verified with all DP_MINHASH values (the share that agree
 * estimates J; 16 bits of each are kept). Documents are checked in order and only kept
 * ones are added, so the first of a group survives: deterministic for a given order. */
#include <stdlib.h>

#include "datapipe/internal.h"
#include "text/normalize.h"

#define LSH_BANDS 8
#define LSH_ROWS 4
#define MAX_CANDIDATES 64 /* per band: bounds the work for very common bands */

typedef struct {
    uint32_t key, doc; /* doc UINT32_MAX: empty */
} lsh_slot;

struct dp_dedup {
    uint32_t shingle;
    double threshold;
    bool exact, near;
    uint64_t a[DP_MINHASH], b[DP_MINHASH];
    /* exact: hash set (0 empty) with a flag per slot */
    uint64_t *ex;
    uint8_t *ex_excl;
    size_t ex_cap, ex_n;
    /* near: kept documents' signatures and flags, and the band table */
    uint16_t *sig;
    uint8_t *excl;
    uint32_t *stamp;
    size_t n_docs, docs_cap;
    lsh_slot *lsh;
    size_t lsh_cap, lsh_n;
    uint32_t query;
    /* scratch */
    text_buf norm;
    size_t *off;
    size_t off_cap;
};

dp_dedup *dp_dedup_new(uint32_t shingle, double threshold, bool exact, bool near) {
    dp_dedup *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->shingle = shingle ? shingle : 5;
    d->threshold = threshold;
    d->exact = exact;
    d->near = near;
    /* fixed permutations: a document's signature never depends on the run */
    uint64_t rng = 0x6E7572692D646564ull;
    for (int i = 0; i < DP_MINHASH; i++) {
        d->a[i] = dp_rand(&rng) | 1;
        d->b[i] = dp_rand(&rng);
    }
    return d;
}

void dp_dedup_free(dp_dedup *d) {
    if (!d) return;
    free(d->ex);
    free(d->ex_excl);
    free(d->sig);
    free(d->excl);
    free(d->stamp);
    free(d->lsh);
    text_buf_free(&d->norm);
    free(d->off);
    free(d);
}

/* ---- exact ---- */

static bool ex_grow(dp_dedup *d) {
    size_t nc = d->ex_cap ? d->ex_cap * 2 : 1 << 12;
    uint64_t *k = calloc(nc, sizeof *k);
    uint8_t *f = calloc(nc, 1);
    if (!k || !f) {
        free(k);
        free(f);
        return false;
    }
    for (size_t i = 0; i < d->ex_cap; i++) {
        if (!d->ex[i]) continue;
        size_t j = d->ex[i] & (nc - 1);
        while (k[j]) j = (j + 1) & (nc - 1);
        k[j] = d->ex[i];
        f[j] = d->ex_excl[i];
    }
    free(d->ex);
    free(d->ex_excl);
    d->ex = k;
    d->ex_excl = f;
    d->ex_cap = nc;
    return true;
}

/* Slot of h: where it is, or the empty slot where it would go. */
static size_t ex_slot(const dp_dedup *d, uint64_t h) {
    size_t j = h & (d->ex_cap - 1);
    while (d->ex[j] && d->ex[j] != h) j = (j + 1) & (d->ex_cap - 1);
    return j;
}

/* ---- near ---- */

bool dp_minhash(const dp_dedup *dc, const char *text, size_t n, uint32_t *sig) {
    dp_dedup *d = (dp_dedup *)dc; /* scratch only */
    d->norm.n = 0;
    size_t m = 0, i = 0;
    if (!text_buf_reserve(&d->norm, n)) {
        d->norm.oom = false;
        return false;
    }
    if (d->off_cap < n + 1) {
        size_t *o = realloc(d->off, (n + 1) * sizeof *o);
        if (!o) return false;
        d->off = o;
        d->off_cap = n + 1;
    }
    while (i < n) {
        size_t at = i;
        uint32_t cp = text_utf8_next(text, n, &i);
        if (cp == ' ') continue;
        d->off[m++] = d->norm.n;
        if (cp < 0x80) text_buf_addc(&d->norm, (char)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp));
        else text_buf_add(&d->norm, text + at, i - at);
    }
    d->off[m] = d->norm.n;
    for (int k = 0; k < DP_MINHASH; k++) sig[k] = UINT32_MAX;
    size_t k = d->shingle, count = m > k ? m - k + 1 : 1;
    for (size_t s = 0; s < count; s++) {
        size_t from = d->off[s], to = d->off[m > k ? s + k : m];
        uint64_t x = dp_hash64(d->norm.p + from, to - from, 0x5EEDull);
        for (int j = 0; j < DP_MINHASH; j++) {
            uint32_t v = (uint32_t)((d->a[j] * x + d->b[j]) >> 32);
            if (v < sig[j]) sig[j] = v;
        }
    }
    return true;
}

static uint32_t band_key(const uint32_t *sig, int band) {
    uint64_t h = dp_hash64(sig + band * LSH_ROWS, LSH_ROWS * sizeof *sig, (uint64_t)band + 1);
    return (uint32_t)h;
}

static bool lsh_grow(dp_dedup *d) {
    size_t nc = d->lsh_cap ? d->lsh_cap * 2 : 1 << 14;
    lsh_slot *t = malloc(nc * sizeof *t);
    if (!t) return false;
    for (size_t i = 0; i < nc; i++) t[i].doc = UINT32_MAX;
    for (size_t i = 0; i < d->lsh_cap; i++) {
        if (d->lsh[i].doc == UINT32_MAX) continue;
        size_t j = dp_mix64(d->lsh[i].key) & (nc - 1);
        while (t[j].doc != UINT32_MAX) j = (j + 1) & (nc - 1);
        t[j] = d->lsh[i];
    }
    free(d->lsh);
    d->lsh = t;
    d->lsh_cap = nc;
    return true;
}

static bool docs_grow(dp_dedup *d) {
    size_t nc = d->docs_cap ? d->docs_cap * 2 : 1 << 12;
    uint16_t *s = realloc(d->sig, nc * DP_MINHASH * sizeof *s);
    if (!s) return false;
    d->sig = s;
    uint8_t *e = realloc(d->excl, nc);
    if (!e) return false;
    d->excl = e;
    uint32_t *st = realloc(d->stamp, nc * sizeof *st);
    if (!st) return false;
    d->stamp = st;
    d->docs_cap = nc;
    return true;
}

/* The first kept document similar enough to sig, or UINT32_MAX. */
static uint32_t near_match(dp_dedup *d, const uint32_t *sig) {
    if (!d->lsh_cap) return UINT32_MAX;
    d->query++;
    int need = (int)(d->threshold * DP_MINHASH + 0.999999);
    for (int band = 0; band < LSH_BANDS; band++) {
        uint32_t key = band_key(sig, band);
        size_t j = dp_mix64(key) & (d->lsh_cap - 1);
        int seen = 0;
        for (; d->lsh[j].doc != UINT32_MAX && seen < MAX_CANDIDATES; j = (j + 1) & (d->lsh_cap - 1)) {
            if (d->lsh[j].key != key) continue;
            uint32_t doc = d->lsh[j].doc;
            seen++;
            if (d->stamp[doc] == d->query) continue;
            d->stamp[doc] = d->query;
            const uint16_t *o = d->sig + (size_t)doc * DP_MINHASH;
            int agree = 0;
            for (int k = 0; k < DP_MINHASH; k++) agree += o[k] == (uint16_t)sig[k];
            if (agree >= need) return doc;
        }
    }
    return UINT32_MAX;
}

static bool near_add(dp_dedup *d, const uint32_t *sig, bool excluded) {
    if (d->n_docs == d->docs_cap && !docs_grow(d)) return false;
    if ((d->lsh_n + LSH_BANDS) * 2 > d->lsh_cap && !lsh_grow(d)) return false;
    uint32_t doc = (uint32_t)d->n_docs++;
    for (int k = 0; k < DP_MINHASH; k++) d->sig[(size_t)doc * DP_MINHASH + k] = (uint16_t)sig[k];
    d->excl[doc] = excluded;
    d->stamp[doc] = 0;
    for (int band = 0; band < LSH_BANDS; band++) {
        uint32_t key = band_key(sig, band);
        size_t j = dp_mix64(key) & (d->lsh_cap - 1);
        while (d->lsh[j].doc != UINT32_MAX) j = (j + 1) & (d->lsh_cap - 1);
        d->lsh[j] = (lsh_slot){key, doc};
        d->lsh_n++;
    }
    return true;
}

dp_verdict dp_dedup_add(dp_dedup *d, const char *text, size_t n, bool excluded, bool *ok) {
    *ok = true;
    uint64_t h = 0;
    size_t slot = 0;
    if (d->exact) {
        if ((d->ex_n + 1) * 2 > d->ex_cap && !ex_grow(d)) {
            *ok = false;
            return DP_NEW;
        }
        h = dp_hash64(text, n, 0x45584143ull);
        if (!h) h = 1;
        slot = ex_slot(d, h);
        if (d->ex[slot]) return d->ex_excl[slot] ? DP_DUP_EXCLUDED : DP_DUP;
    }
    uint32_t sig[DP_MINHASH];
    if (d->near) {
        if (!dp_minhash(d, text, n, sig)) {
            *ok = false;
            return DP_NEW;
        }
        uint32_t m = near_match(d, sig);
        if (m != UINT32_MAX) return d->excl[m] ? DP_NEAR_EXCLUDED : DP_NEAR;
        if (!near_add(d, sig, excluded)) {
            *ok = false;
            return DP_NEW;
        }
    }
    if (d->exact) {
        d->ex[slot] = h;
        d->ex_excl[slot] = excluded;
        d->ex_n++;
    }
    return DP_NEW;
}
