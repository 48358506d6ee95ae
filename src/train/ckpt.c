/* Checkpoints: header, the configuration as text, weights and AdamW moments, and a
 * checksum of everything before it, written through a temporary file that is fsynced
 * and renamed, so the file at the path is always a whole checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "train/internal.h"

#define CKPT_MAGIC "NURICKPT"
#define CKPT_VERSION 1u
#define CKPT_HEADER 56u

typedef struct {
    uint32_t version, config_len;
    uint64_t n_params;
    int64_t step;
    uint64_t epoch, index, tokens_seen;
} ckpt_header;

static void put_header(unsigned char *h, const ckpt_header *x) {
    memcpy(h, CKPT_MAGIC, 8);
    memcpy(h + 8, &x->version, 4);
    memcpy(h + 12, &x->config_len, 4);
    memcpy(h + 16, &x->n_params, 8);
    memcpy(h + 24, &x->step, 8);
    memcpy(h + 32, &x->epoch, 8);
    memcpy(h + 40, &x->index, 8);
    memcpy(h + 48, &x->tokens_seen, 8);
}

static bool put(nuri_atomic_file *af, uint64_t *hash, const void *p, size_t n) {
    *hash = tr_hash(*hash, p, n);
    return fwrite(p, 1, n, af->f) == n;
}

nuri_status nuri_trainer_save(const nuri_trainer *t, const char *path, nuri_error *err) {
    char *cfg = nuri_train_config_format(&t->cfg);
    if (!cfg) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    ckpt_header x = {CKPT_VERSION, (uint32_t)strlen(cfg), t->n_params, t->step, t->epoch, t->index, t->tokens_seen};
    unsigned char h[CKPT_HEADER];
    put_header(h, &x);
    nuri_atomic_file af;
    nuri_status st = nuri_atomic_open(&af, path, err);
    if (st) {
        free(cfg);
        return st;
    }
    uint64_t hash = 0;
    const size_t P = t->n_params * sizeof(float);
    bool ok = put(&af, &hash, h, sizeof h) && put(&af, &hash, cfg, x.config_len) &&
              put(&af, &hash, t->params, P) && put(&af, &hash, t->m, P) && put(&af, &hash, t->v, P);
    ok = ok && fwrite(&hash, 8, 1, af.f) == 1;
    free(cfg);
    if (!ok) {
        nuri_atomic_abort(&af);
        return nuri_fail(err, NURI_ERR_IO, "%s: write failed", path);
    }
    return nuri_atomic_commit(&af, err);
}

/* Maps and validates a checkpoint; on success *map holds it and cfg its configuration. */
static nuri_status open_ckpt(const char *path, nuri_mapping *map, ckpt_header *x,
                             nuri_train_config *cfg, nuri_error *err) {
    nuri_status st = nuri_map_file(path, map, err);
    if (st) return st;
    const unsigned char *p = map->data;
    if (map->size < CKPT_HEADER + 8 || memcmp(p, CKPT_MAGIC, 8) != 0) {
        nuri_unmap_file(map);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: not a nuri checkpoint", path);
    }
    memcpy(&x->version, p + 8, 4);
    memcpy(&x->config_len, p + 12, 4);
    memcpy(&x->n_params, p + 16, 8);
    memcpy(&x->step, p + 24, 8);
    memcpy(&x->epoch, p + 32, 8);
    memcpy(&x->index, p + 40, 8);
    memcpy(&x->tokens_seen, p + 48, 8);
    const char *why = NULL;
    if (x->version != CKPT_VERSION) why = "unknown checkpoint version";
    else if (x->n_params > (map->size / 12) || x->config_len > map->size ||
             map->size != CKPT_HEADER + (uint64_t)x->config_len + 12 * x->n_params + 8)
        why = "the file size does not match its header (truncated or damaged)";
    else {
        uint64_t want;
        memcpy(&want, p + map->size - 8, 8);
        /* Chained over the same pieces as written (the hash works word by word). */
        const size_t P = x->n_params * sizeof(float);
        const unsigned char *a = p + CKPT_HEADER + x->config_len;
        uint64_t h = tr_hash(tr_hash(0, p, CKPT_HEADER), p + CKPT_HEADER, x->config_len);
        h = tr_hash(tr_hash(tr_hash(h, a, P), a + P, P), a + 2 * P, P);
        if (h != want) why = "checksum mismatch (damaged)";
    }
    if (!why) {
        char *text = malloc((size_t)x->config_len + 1);
        if (!text) {
            nuri_unmap_file(map);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        memcpy(text, p + CKPT_HEADER, x->config_len);
        text[x->config_len] = 0;
        nuri_train_config_default(cfg);
        nuri_error e2;
        if (nuri_train_config_parse(cfg, text, path, &e2) || nuri_train_config_check(cfg, &e2) ||
            nuri_train_n_params(cfg) != x->n_params || x->step < 0 || x->step > cfg->steps)
            why = "its configuration is inconsistent";
        free(text);
    }
    if (why) {
        nuri_unmap_file(map);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: %s", path, why);
    }
    return NURI_OK;
}

nuri_status nuri_checkpoint_info(const char *path, nuri_train_config *cfg, int *step,
                                 nuri_error *err) {
    nuri_mapping map;
    ckpt_header x = {0};
    nuri_status st = open_ckpt(path, &map, &x, cfg, err);
    if (st) return st;
    if (step) *step = (int)x.step;
    nuri_unmap_file(&map);
    return NURI_OK;
}

nuri_status nuri_trainer_load(nuri_trainer *t, const char *path, nuri_error *err) {
    nuri_mapping map;
    ckpt_header x = {0};
    nuri_train_config cfg;
    nuri_status st = open_ckpt(path, &map, &x, &cfg, err);
    if (st) return st;
    for (int i = 0; i < tr_n_keys; i++) {
        const tr_key *k = &tr_keys[i];
        if (!k->must_match) continue;
        char a[48], b[48];
        tr_key_format(k, &cfg, a, sizeof a);
        tr_key_format(k, &t->cfg, b, sizeof b);
        if (strcmp(a, b) != 0) {
            nuri_unmap_file(&map);
            return nuri_fail(err, NURI_ERR_INVALID_ARG,
                             "%s: checkpoint of another configuration: it has %s = %s, this run %s = %s",
                             path, k->name, a, k->name, b);
        }
    }
    const unsigned char *p = (const unsigned char *)map.data + CKPT_HEADER + x.config_len;
    const size_t P = t->n_params * sizeof(float);
    memcpy(t->params, p, P);
    memcpy(t->m, p + P, P);
    memcpy(t->v, p + 2 * P, P);
    t->step = (int)x.step;
    t->epoch = x.epoch;
    t->index = x.index;
    t->tokens_seen = x.tokens_seen;
    t->n_perm = 0; /* the sampler rebuilds the epoch's order */
    nuri_unmap_file(&map);
    return NURI_OK;
}
