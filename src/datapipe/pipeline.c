/* nuri_data_run: sources -> documents -> clean -> filter -> redact -> dedup -> split ->
 * canaries -> train.txt, val.txt, canaries.jsonl, manifest.json (written last, each
 * file atomically). Everything kept is held in memory until the end, so a failure at any
 * point leaves the output directory as it was. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/file.h"
#include "datapipe/run.h"
#include "text/normalize.h"
#include "text/sha256.h"

void nuri_data_config_default(nuri_data_config *c) {
    memset(c, 0, sizeof *c);
    c->val_fraction = 0.01;
    c->seed = 1;
    c->min_chars = 4;
    c->min_hangul = 0.5;
    c->pii_types = NURI_PII_ALL;
    c->dedup = true;
    c->near_dedup = true;
    c->near_threshold = 0.8;
    c->shingle = 5;
    c->canary_repeats = 10;
}

typedef struct {
    uint64_t *v;
    size_t n, cap;
} u64s;

static bool u64s_push(u64s *a, uint64_t x) {
    if (a->n == a->cap) {
        size_t c = a->cap ? a->cap * 2 : 1024;
        uint64_t *v = realloc(a->v, c * sizeof *v);
        if (!v) return false;
        a->v = v;
        a->cap = c;
    }
    a->v[a->n++] = x;
    return true;
}

typedef struct {
    const nuri_data_config *cfg;
    dp_run_record rec;
    dp_dedup *dedup;
    dp_source *cur;
    text_buf clean;
    text_buf train, val; /* kept documents, each ending in '\n' */
    u64s train_starts;   /* offset of each train document */
    nuri_status st;
    nuri_error *err;
    uint64_t bytes_before; /* of the sources before the current one */
    uint64_t bytes_total;
    uint64_t cur_raw;      /* raw bytes of the current source's documents so far */
    size_t src_index;
    bool stopped;
} dp_state;

static int report(dp_state *s, bool done) {
    if (!s->cfg->progress) return 0;
    nuri_data_progress p = {
        .source = s->src_index,
        .n_sources = s->rec.n_src,
        .path = s->cur ? s->cur->path : NULL,
        .bytes_done = s->bytes_before + (s->cur && s->cur_raw < s->cur->bytes ? s->cur_raw : 0),
        .bytes_total = s->bytes_total,
        .docs_in = s->rec.sum.docs_in,
        .docs_kept = s->rec.sum.docs_kept,
        .done = done,
    };
    return s->cfg->progress(s->cfg->user, &p);
}

static size_t count_chars(const char *t, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((uint8_t)t[i] & 0xC0) != 0x80;
    return c;
}

static void drop(dp_state *s, nuri_drop_reason r, size_t raw_len) {
    s->cur->dropped[r]++;
    s->cur->bytes_dropped += raw_len;
    s->rec.sum.dropped[r]++;
}

/* One raw document of the current source. */
static int on_doc(void *user, const char *doc, size_t len) {
    dp_state *s = user;
    const nuri_data_config *c = s->cfg;
    dp_source *src = s->cur;
    src->docs_in++;
    s->cur_raw += len + 1;
    if (!src->exclude) s->rec.sum.docs_in++;
    if (!src->exclude && s->rec.sum.docs_in % 50000 == 0 && report(s, false)) {
        s->st = nuri_fail(s->err, NURI_ERR_INTERRUPTED, "stopped");
        return 1;
    }
    s->clean.n = 0;
    nuri_status st = text_clean(doc, len, &s->clean, &src->chars_changed, s->err);
    if (st) {
        s->st = st;
        return 1;
    }
    const char *text = s->clean.p ? s->clean.p : "";
    size_t n = s->clean.n;
    if (!n) {
        if (!src->exclude) drop(s, NURI_DROP_EMPTY, len);
        return 0;
    }
    /* redaction before the filters: an e-mail address must not make a Korean sentence
     * look English, and its placeholder's letters do not count either */
    char *red = NULL;
    uint64_t found[NURI_PII_TYPE_COUNT] = {0};
    if (c->pii_types) {
        size_t rn;
        st = nuri_pii_redact(text, n, c->pii_types, &red, &rn, found, s->err);
        if (st) {
            s->st = st;
            return 1;
        }
        text = red;
        n = rn;
    }
    if (!src->exclude) {
        size_t hangul, letters, placeholder = 0;
        text_hangul_share(text, n, &hangul, &letters);
        for (int t = 0; t < NURI_PII_TYPE_COUNT; t++)
            placeholder += found[t] * (strlen(nuri_pii_placeholder((nuri_pii_type)t)) - 2);
        letters -= placeholder < letters ? placeholder : letters;
        nuri_drop_reason why = NURI_DROP_REASON_COUNT;
        if (count_chars(text, n) < c->min_chars) why = NURI_DROP_SHORT;
        else if (!letters || (double)hangul < c->min_hangul * (double)letters) why = NURI_DROP_NOT_KOREAN;
        if (why != NURI_DROP_REASON_COUNT) {
            free(red);
            drop(s, why, len);
            return 0;
        }
    }
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++) src->pii[t] += found[t];
    bool ok;
    dp_verdict v = dp_dedup_add(s->dedup, text, n, src->exclude, &ok);
    if (!ok) {
        free(red);
        s->st = nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory (deduplication tables)");
        return 1;
    }
    if (src->exclude) {
        free(red);
        return 0;
    }
    if (v != DP_NEW) {
        free(red);
        drop(s, v == DP_DUP ? NURI_DROP_DUPLICATE : v == DP_NEAR ? NURI_DROP_NEAR_DUPLICATE : NURI_DROP_EXCLUDED, len);
        return 0;
    }
    /* the split depends on the text and the seed only, not on the order */
    uint64_t h = dp_hash64(text, n, c->seed ^ 0x53504C4954ull);
    bool val = (double)(h >> 11) * 0x1.0p-53 < c->val_fraction;
    text_buf *out = val ? &s->val : &s->train;
    if (!val && !u64s_push(&s->train_starts, s->train.n)) s->train.oom = true;
    text_buf_add(out, text, n);
    text_buf_addc(out, '\n');
    free(red);
    if (out->oom) {
        s->st = nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory (%zu MB of kept text)", (s->train.n + s->val.n) >> 20);
        return 1;
    }
    src->docs_kept++;
    src->bytes_kept += n + 1;
    s->rec.sum.docs_kept++;
    if (val) {
        src->val_docs++;
        s->rec.sum.val_docs++;
        s->rec.sum.val_bytes += n + 1;
    } else {
        src->train_docs++;
        s->rec.sum.train_docs++;
        s->rec.sum.train_bytes += n + 1;
    }
    return 0;
}

static nuri_status read_source(dp_state *s, dp_source *src, dp_provenance *prov) {
    nuri_mapping map;
    nuri_status st = nuri_map_file(src->path, &map, s->err);
    if (st) return st;
    const char *text = map.data;
    src->bytes = map.size;
    text_sha256_hex(text, map.size, src->sha256);
    size_t bad;
    if (!text_utf8_valid(text, map.size, &bad)) {
        nuri_unmap_file(&map);
        return nuri_fail(s->err, NURI_ERR_FORMAT, "%s: invalid UTF-8 at byte %zu", src->path, bad);
    }
    if (!src->exclude) {
        const char *table = NULL;
        src->license = dp_provenance_license(prov, src->path, &table);
        if (src->license) src->license_from = table;
        else if (s->cfg->license && (src->license = strdup(s->cfg->license))) src->license_from = "--license";
        s->rec.sum.bytes_in += map.size;
    }
    s->cur = src;
    s->cur_raw = 0;
    /* a UTF-8 byte order mark is not text */
    size_t skip = map.size >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    st = dp_read(src->format, src->path, text + skip, map.size - skip, s->cfg->csv_columns, on_doc, s, s->err);
    nuri_unmap_file(&map);
    if (!st) st = s->st;
    if (!st && src->docs_in == 0)
        st = nuri_fail(s->err, NURI_ERR_FORMAT, "%s: no documents in this file (read as %s)", src->path,
                       nuri_data_format_name(src->format));
    return st;
}

/* ---- canaries ---- */

typedef struct {
    uint64_t pos;   /* before train document pos */
    uint32_t which; /* canary */
} dp_slot;

static int slot_order(const void *a, const void *b) {
    const dp_slot *x = a, *y = b;
    if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
    return x->which < y->which ? -1 : x->which > y->which;
}

/* Builds the final train text with the canaries inserted at seeded random positions. */
static nuri_status plant(dp_state *s, text_buf *final) {
    const nuri_data_config *c = s->cfg;
    uint64_t rng = c->seed ^ 0x43414E415259ull;
    size_t nc = c->canaries, reps = c->canary_repeats;
    dp_planted *cs = calloc(nc, sizeof *cs);
    dp_slot *slots = malloc(nc * reps * sizeof *slots);
    s->rec.canaries = cs;
    if (!cs || !slots) {
        free(slots);
        return nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nc; i++) {
        for (int tries = 0;; tries++) {
            if (!dp_canary_make(&rng, &cs[i].c)) {
                free(slots);
                return nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory");
            }
            bool dup = false;
            for (size_t k = 0; k < i && !dup; k++) dup = !strcmp(cs[k].c.prefix, cs[i].c.prefix);
            if (!dup) break;
            dp_canary_free(&cs[i].c);
            if (tries > 1000) {
                free(slots);
                return nuri_fail(s->err, NURI_ERR_INVALID_ARG, "too many canaries (%zu): no unique prefix left", nc);
            }
        }
        s->rec.n_canaries = i + 1;
        cs[i].lines = calloc(reps, sizeof *cs[i].lines);
        if (!cs[i].lines) {
            free(slots);
            return nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory");
        }
        for (size_t r = 0; r < reps; r++)
            slots[i * reps + r] = (dp_slot){dp_rand_below(&rng, s->train_starts.n + 1), (uint32_t)i};
    }
    qsort(slots, nc * reps, sizeof *slots, slot_order);
    size_t k = 0;
    uint64_t line = 0;
    for (size_t d = 0; d <= s->train_starts.n; d++) {
        for (; k < nc * reps && slots[k].pos == d; k++) {
            dp_planted *p = &cs[slots[k].which];
            text_buf_add(final, p->c.text, strlen(p->c.text));
            text_buf_addc(final, '\n');
            p->lines[p->n_lines++] = ++line;
        }
        if (d == s->train_starts.n) break;
        size_t from = s->train_starts.v[d];
        size_t to = d + 1 < s->train_starts.n ? s->train_starts.v[d + 1] : s->train.n;
        text_buf_add(final, s->train.p + from, to - from);
        line++;
    }
    free(slots);
    s->rec.sum.canaries = (uint32_t)nc;
    return final->oom ? nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory") : NURI_OK;
}

/* ---- output ---- */

static nuri_status write_file(const char *dir, dp_output *o, const char *data, size_t n, nuri_error *err) {
    size_t pl = strlen(dir) + strlen(o->name) + 2;
    char *path = malloc(pl);
    if (!path) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    snprintf(path, pl, "%s/%s", dir, o->name);
    nuri_atomic_file af;
    nuri_status st = nuri_atomic_open(&af, path, err);
    if (!st) {
        if (n && fwrite(data, 1, n, af.f) != n) {
            st = nuri_fail(err, NURI_ERR_IO, "%s: write failed: %s", path, strerror(errno));
            nuri_atomic_abort(&af);
        } else {
            st = nuri_atomic_commit(&af, err);
        }
    }
    text_sha256_hex(data, n, o->sha256);
    o->bytes = n;
    free(path);
    return st;
}

static nuri_status make_dir(const char *dir, nuri_error *err) {
    char *p = strdup(dir);
    if (!p) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    for (char *q = p + 1;; q++) {
        bool end = !*q;
        if (*q == '/' || end) {
            *q = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                nuri_status st = nuri_fail(err, NURI_ERR_IO, "%s: cannot create directory: %s", p, strerror(errno));
                free(p);
                return st;
            }
            if (end) break;
            *q = '/';
        }
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return nuri_fail(err, NURI_ERR_IO, "%s: not a directory", dir);
    return NURI_OK;
}

static nuri_status write_outputs(dp_state *s, const text_buf *train) {
    const char *dir = s->cfg->out_dir;
    nuri_status st = make_dir(dir, s->err);
    if (st) return st;
    s->rec.train = (dp_output){.name = "train.txt", .docs = s->rec.sum.train_docs + s->rec.n_canaries * s->cfg->canary_repeats};
    s->rec.val = (dp_output){.name = "val.txt", .docs = s->rec.sum.val_docs};
    if ((st = write_file(dir, &s->rec.train, train->p ? train->p : "", train->n, s->err))) return st;
    if ((st = write_file(dir, &s->rec.val, s->val.p ? s->val.p : "", s->val.n, s->err))) return st;
    if (s->rec.n_canaries) {
        text_buf lines = {0};
        for (size_t i = 0; i < s->rec.n_canaries; i++) {
            char *l = dp_canary_json(&s->rec, i);
            if (!l) lines.oom = true;
            else text_buf_add(&lines, l, strlen(l));
            free(l);
        }
        s->rec.canary_file = (dp_output){.name = "canaries.jsonl", .docs = s->rec.n_canaries};
        st = lines.oom ? nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory")
                       : write_file(dir, &s->rec.canary_file, lines.p, lines.n, s->err);
        text_buf_free(&lines);
        if (st) return st;
    }
    char *json = dp_manifest_json(&s->rec);
    if (!json) return nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory");
    size_t jl = strlen(json);
    char *nl = realloc(json, jl + 2);
    if (!nl) {
        free(json);
        return nuri_fail(s->err, NURI_ERR_NOMEM, "out of memory");
    }
    nl[jl] = '\n';
    dp_output m = {.name = "manifest.json"};
    st = write_file(dir, &m, nl, jl + 1, s->err);
    free(nl);
    return st;
}

static nuri_status check_config(const nuri_data_config *c, nuri_error *err) {
    if (!c->n_sources) return nuri_fail(err, NURI_ERR_INVALID_ARG, "no source files");
    if (!c->out_dir || !*c->out_dir) return nuri_fail(err, NURI_ERR_INVALID_ARG, "no output directory");
    if (!(c->val_fraction >= 0 && c->val_fraction < 1))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "validation fraction %g is outside [0, 1)", c->val_fraction);
    if (!(c->min_hangul >= 0 && c->min_hangul <= 1))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "Hangul share %g is outside [0, 1]", c->min_hangul);
    if (!(c->near_threshold > 0 && c->near_threshold <= 1))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "near-duplicate threshold %g is outside (0, 1]", c->near_threshold);
    if (c->shingle < 1 || c->shingle > 64)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "shingle size %u is outside [1, 64]", c->shingle);
    if (c->canaries > 100000) return nuri_fail(err, NURI_ERR_INVALID_ARG, "at most 100000 canaries");
    if (c->canaries && (c->canary_repeats < 1 || c->canary_repeats > 1000))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "canary repeats %u is outside [1, 1000]", c->canary_repeats);
    return NURI_OK;
}

nuri_status nuri_data_run(const nuri_data_config *cfg, nuri_data_summary *sum, nuri_error *err) {
    if (sum) memset(sum, 0, sizeof *sum);
    nuri_status st = check_config(cfg, err);
    if (st) return st;
    dp_state s = {.cfg = cfg, .err = err};
    s.rec.cfg = cfg;
    dp_files ex = {0}, in = {0};
    dp_provenance *prov = dp_provenance_new(cfg->provenance);
    text_buf final = {0};
    s.dedup = dp_dedup_new(cfg->shingle, cfg->near_threshold, cfg->dedup, cfg->near_dedup);
    if (!prov || !s.dedup) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = dp_expand_sources(cfg->excludes, cfg->n_excludes, &ex, err))) goto done;
    if ((st = dp_expand_sources(cfg->sources, cfg->n_sources, &in, err))) goto done;
    s.rec.n_src = ex.n + in.n;
    s.rec.src = calloc(s.rec.n_src, sizeof *s.rec.src);
    if (!s.rec.src) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < s.rec.n_src; i++) {
        const dp_file *f = i < ex.n ? &ex.v[i] : &in.v[i - ex.n];
        s.rec.src[i].path = f->path;
        s.rec.src[i].format = f->format;
        s.rec.src[i].exclude = i < ex.n;
        struct stat fs;
        if (stat(f->path, &fs) == 0) s.bytes_total += (uint64_t)fs.st_size;
    }
    /* excludes first: their documents must be in the tables before any source is read */
    for (size_t i = 0; i < s.rec.n_src; i++) {
        s.src_index = i;
        if ((st = read_source(&s, &s.rec.src[i], prov))) goto done;
        s.bytes_before += s.rec.src[i].bytes;
        s.cur_raw = 0;
        for (int t = 0; t < NURI_PII_TYPE_COUNT; t++)
            if (!s.rec.src[i].exclude) s.rec.sum.pii[t] += s.rec.src[i].pii[t];
        if (report(&s, false)) {
            st = nuri_fail(err, NURI_ERR_INTERRUPTED, "stopped");
            goto done;
        }
    }
    if (!s.rec.sum.docs_kept) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "no document was kept (%llu read; see the reasons with a smaller "
                       "--min-chars or --min-hangul)", (unsigned long long)s.rec.sum.docs_in);
        goto done;
    }
    const text_buf *train = &s.train;
    if (cfg->canaries) {
        if ((st = plant(&s, &final))) goto done;
        train = &final;
    }
    if ((st = write_outputs(&s, train))) goto done;
    s.cur = NULL;
    report(&s, true);
    if (sum) *sum = s.rec.sum;
done:
    for (size_t i = 0; i < s.rec.n_src; i++) free(s.rec.src[i].license);
    free(s.rec.src);
    for (size_t i = 0; i < s.rec.n_canaries; i++) {
        dp_canary_free(&s.rec.canaries[i].c);
        free(s.rec.canaries[i].lines);
    }
    free(s.rec.canaries);
    dp_files_free(&ex);
    dp_files_free(&in);
    dp_provenance_free(prov);
    dp_dedup_free(s.dedup);
    text_buf_free(&s.clean);
    text_buf_free(&s.train);
    text_buf_free(&s.val);
    text_buf_free(&final);
    free(s.train_starts.v);
    return st;
}
