/* Internals of the data pipeline (nuri_data_run) and the BPE trainer, shared by the files
 * of src/datapipe/. */
#ifndef NURI_DATAPIPE_INTERNAL_H
#define NURI_DATAPIPE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nuri/data.h"
#include "text/buf.h"

/* ---- hashing and random numbers (fixed algorithms: outputs depend on them) ---- */

static inline uint64_t dp_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

static inline uint64_t dp_hash64(const void *p, size_t n, uint64_t seed) {
    const uint8_t *s = p;
    uint64_t h = dp_mix64(seed ^ (n * 0x9E3779B97F4A7C15ull));
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = dp_mix64(h ^ w) + 0x9E3779B97F4A7C15ull;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)s[i] << (8 * i);
    return dp_mix64(h ^ w ^ 0xA0761D6478BD642Full);
}

/* splitmix64 */
static inline uint64_t dp_rand(uint64_t *state) {
    *state += 0x9E3779B97F4A7C15ull;
    return dp_mix64(*state);
}

/* Uniform in [0, n) (n > 0), without modulo bias. */
static inline uint64_t dp_rand_below(uint64_t *state, uint64_t n) {
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t r = dp_rand(state);
        if (r < lim) return r % n;
    }
}

/* ---- source files ---- */

typedef struct {
    char *path;
    nuri_data_format format; /* resolved: never AUTO */
} dp_file;

typedef struct {
    dp_file *v;
    size_t n, cap;
} dp_files;

/* Expands "[FORMAT:]PATH" specs (directories recursively, sorted) into files. */
nuri_status dp_expand_sources(const char *const *specs, size_t n, dp_files *out, nuri_error *err);
void dp_files_free(dp_files *f);

/* ---- readers: a file's valid UTF-8 text to raw documents ---- */

/* Returns non-zero to stop reading. */
typedef int (*dp_emit_fn)(void *user, const char *doc, size_t len);

nuri_status dp_read(nuri_data_format fmt, const char *path, const char *text, size_t n,
                    const char *csv_columns, dp_emit_fn emit, void *user, nuri_error *err);
void dp_read_lines(const char *text, size_t n, bool paragraphs, dp_emit_fn emit, void *user, bool *stop,
                   text_buf *scratch);
void dp_read_wrapped(const char *text, size_t n, dp_emit_fn emit, void *user, bool *stop, text_buf *scratch);
void dp_read_markdown(const char *text, size_t n, dp_emit_fn emit, void *user, bool *stop, text_buf *scratch);
nuri_status dp_read_table(const char *path, const char *text, size_t n, bool tsv, const char *columns,
                          dp_emit_fn emit, void *user, bool *stop, nuri_error *err);

/* ---- licenses from PROVENANCE.md ---- */

typedef struct dp_provenance dp_provenance;
dp_provenance *dp_provenance_new(const char *explicit_path);
void dp_provenance_free(dp_provenance *p);
/* The license of file path (malloc'd), or NULL when no table names it; *table gets the
 * PROVENANCE.md used (borrowed, NULL when none was found). */
char *dp_provenance_license(dp_provenance *p, const char *path, const char **table);

/* ---- exact and near duplicates ---- */

typedef struct dp_dedup dp_dedup;

typedef enum { DP_NEW, DP_DUP, DP_NEAR, DP_DUP_EXCLUDED, DP_NEAR_EXCLUDED } dp_verdict;

#define DP_MINHASH 64
#define DP_BANDS 16

dp_dedup *dp_dedup_new(uint32_t shingle, double threshold, bool exact, bool near);
void dp_dedup_free(dp_dedup *d);
/* Checks text against everything added so far and, when it is new, adds it (as an
 * exclude-only entry when excluded). DP_NEW also when both checks are off. False from
 * *ok when out of memory. */
dp_verdict dp_dedup_add(dp_dedup *d, const char *text, size_t n, bool excluded, bool *ok);
/* The signature of text (DP_MINHASH values), for tests; false when out of memory. */
bool dp_minhash(const dp_dedup *d, const char *text, size_t n, uint32_t *sig);

/* ---- canaries ---- */

typedef struct {
    char *prefix, *secret, *text;
} dp_canary;

/* Makes canary i: a unique made-up Korean name and secret from *rng. */
bool dp_canary_make(uint64_t *rng, dp_canary *c);
void dp_canary_free(dp_canary *c);

#endif
