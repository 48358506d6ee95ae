/* The trainer: parameter layout, memory estimate, initialization and buffers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "train/layers.h"

#define ADD(nm, nd, e0, e1, dec)                                            \
    do {                                                                    \
        if (out) {                                                          \
            nuri_train_tensor *x = &out[count];                             \
            snprintf(x->name, sizeof x->name, "%s", nm);                    \
            x->off = total;                                                 \
            x->n = (uint64_t)(e0) * (uint64_t)(e1);                         \
            x->n_dims = nd;                                                 \
            x->ne[0] = e0;                                                  \
            x->ne[1] = e1;                                                  \
            x->decay = dec;                                                 \
        }                                                                   \
        total += (uint64_t)(e0) * (uint64_t)(e1);                           \
        count++;                                                            \
    } while (0)

/* Fills out (when not NULL) with the tensors in file order; returns their count. */
static int layout(const nuri_train_config *c, nuri_train_tensor *out, uint64_t *n_params) {
    const int64_t d = c->dim, hd = c->dim / c->heads, qd = (int64_t)c->heads * hd,
                  kvd = (int64_t)c->kv_heads * hd, ff = c->ffn, V = c->vocab;
    uint64_t total = 0;
    int count = 0;
    char nm[48];
    ADD("token_embd.weight", 2, d, V, true);
    for (int il = 0; il < c->layers; il++) {
#define L(s) (snprintf(nm, sizeof nm, "blk.%d.%s", il, s), nm)
        ADD(L("attn_norm.weight"), 1, d, 1, false);
        ADD(L("attn_q.weight"), 2, d, qd, true);
        ADD(L("attn_k.weight"), 2, d, kvd, true);
        ADD(L("attn_v.weight"), 2, d, kvd, true);
        ADD(L("attn_output.weight"), 2, qd, d, true);
        ADD(L("ffn_norm.weight"), 1, d, 1, false);
        ADD(L("ffn_gate.weight"), 2, d, ff, true);
        ADD(L("ffn_up.weight"), 2, d, ff, true);
        ADD(L("ffn_down.weight"), 2, ff, d, true);
#undef L
    }
    ADD("output_norm.weight", 1, d, 1, false);
    if (!c->tied) ADD("output.weight", 2, d, V, true);
    *n_params = total;
    return count;
}

nuri_status tr_layout(const nuri_train_config *c, nuri_train_tensor **tensors, int *n,
                      uint64_t *n_params, nuri_error *err) {
    *n = layout(c, NULL, n_params);
    *tensors = calloc((size_t)*n, sizeof **tensors);
    if (!*tensors) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    layout(c, *tensors, n_params);
    return NURI_OK;
}

uint64_t nuri_train_n_params(const nuri_train_config *c) {
    uint64_t n;
    layout(c, NULL, &n);
    return n;
}

/* Per layer: x_in, h1, x_mid, h2 (N x d), q, o (N x qd), k, v (N x kvd), g, u (N x ff),
 * two rstd rows and the attention weights (B x H x T x T). */
static size_t layer_act_floats(const nuri_train_config *c) {
    const size_t N = (size_t)c->batch * c->context, d = c->dim, hd = d / c->heads;
    const size_t qd = (size_t)c->heads * hd, kvd = (size_t)c->kv_heads * hd, ff = c->ffn;
    return N * (4 * d + 2 * qd + 2 * kvd + 2 * ff + 2) + (size_t)c->batch * c->heads * c->context * c->context;
}

size_t tr_act_floats(const nuri_train_config *c) {
    const size_t N = (size_t)c->batch * c->context, d = c->dim, hd = d / c->heads;
    const size_t qd = (size_t)c->heads * hd, kvd = (size_t)c->kv_heads * hd, ff = c->ffn;
    return layer_act_floats(c) * c->layers + (size_t)c->context * hd /* rope */ +
           N * (d + 1 + d) /* x, rstd_f, hf */ + (size_t)TR_LOGIT_ROWS * c->vocab +
           N * (2 * d + 2 * qd + 2 * kvd + 3 * ff) /* dx dh dq d_o dk dv da du a */;
}

size_t tr_scratch_floats(const nuri_train_config *c) { return (size_t)c->context * c->context; }

static int threads_or_cores(int n) {
    if (n > 0) return n;
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

uint64_t nuri_train_memory_estimate(const nuri_train_config *c, int n_threads) {
    n_threads = threads_or_cores(n_threads);
    const uint64_t P = nuri_train_n_params(c), N = (uint64_t)c->batch * c->context;
    uint64_t floats = 4 * P + tr_act_floats(c) +
                      (uint64_t)n_threads * (TR_PACK_FLOATS + tr_scratch_floats(c)) + P / 8192 + 1;
    return floats * 4 + N * (8 + 8) /* loss rows, token ids */ + 2 * N * 4 /* batch tokens */;
}

double nuri_train_flops_per_token(const nuri_train_config *c) {
    /* 6 per weight used in a matrix product (forward 2, backward 4) plus the attention
     * products (QK^T and PV: 2 * 2 * T * dim forward per layer, causal masking not
     * subtracted, as is customary), times 3 for forward + backward. */
    const double d = c->dim, hd = d / c->heads, qd = c->heads * hd, kvd = c->kv_heads * hd;
    const double per_layer = d * qd + 2 * d * kvd + qd * d + 3 * d * c->ffn;
    const double matmul = per_layer * c->layers + (double)c->vocab * d;
    return 6.0 * matmul + 3.0 * 4.0 * c->layers * (double)c->context * qd;
}

static uint64_t phys_bytes(void) {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

tr_layer_ptrs tr_layer(const nuri_trainer *t, float *base, int il) {
    const nuri_train_tensor *x = &t->tensors[1 + 9 * il];
    tr_layer_ptrs p = {base + x[0].off, base + x[1].off, base + x[2].off,
                       base + x[3].off, base + x[4].off, base + x[5].off,
                       base + x[6].off, base + x[7].off, base + x[8].off};
    return p;
}

float *tr_tensor_ptr(const nuri_trainer *t, float *base, const char *name) {
    for (int i = 0; i < t->n_tensors; i++)
        if (!strcmp(t->tensors[i].name, name)) return base + t->tensors[i].off;
    return NULL;
}

static void init_weights(nuri_trainer *t) {
    const nuri_train_config *c = &t->cfg;
    const double out_std = c->init_std / sqrt(2.0 * c->layers);
    for (int i = 0; i < t->n_tensors; i++) {
        const nuri_train_tensor *x = &t->tensors[i];
        float *p = t->params + x->off;
        if (x->n_dims == 1) {
            for (uint64_t e = 0; e < x->n; e++) p[e] = 1.0f;
            continue;
        }
        const bool proj = strstr(x->name, "attn_output") || strstr(x->name, "ffn_down");
        const double std = proj ? out_std : c->init_std;
        tr_rng r;
        tr_rng_seed(&r, c->seed, (uint64_t)i);
        for (uint64_t e = 0; e < x->n; e++) p[e] = (float)(tr_rng_normal(&r) * std);
    }
}

static float *take(nuri_trainer *t, size_t *used, size_t n) {
    float *p = t->act_block + *used;
    *used += n;
    return p;
}

static void carve_activations(nuri_trainer *t) {
    const nuri_train_config *c = &t->cfg;
    const size_t N = (size_t)t->n_rows, d = c->dim, hd = d / c->heads;
    const size_t qd = (size_t)c->heads * hd, kvd = (size_t)c->kv_heads * hd, ff = c->ffn;
    size_t u = 0;
    for (int il = 0; il < c->layers; il++) {
        tr_layer_acts *a = &t->acts[il];
        a->x_in = take(t, &u, N * d);
        a->rstd1 = take(t, &u, N);
        a->h1 = take(t, &u, N * d);
        a->q = take(t, &u, N * qd);
        a->k = take(t, &u, N * kvd);
        a->v = take(t, &u, N * kvd);
        a->p = take(t, &u, (size_t)c->batch * c->heads * c->context * c->context);
        a->o = take(t, &u, N * qd);
        a->x_mid = take(t, &u, N * d);
        a->rstd2 = take(t, &u, N);
        a->h2 = take(t, &u, N * d);
        a->g = take(t, &u, N * ff);
        a->u = take(t, &u, N * ff);
    }
    t->rope_cs = take(t, &u, (size_t)c->context * hd);
    t->x = take(t, &u, N * d);
    t->rstd_f = take(t, &u, N);
    t->hf = take(t, &u, N * d);
    t->logits = take(t, &u, (size_t)TR_LOGIT_ROWS * c->vocab);
    t->dx = take(t, &u, N * d);
    t->dh = take(t, &u, N * d);
    t->dq = take(t, &u, N * qd);
    t->d_o = take(t, &u, N * qd);
    t->dk = take(t, &u, N * kvd);
    t->dv = take(t, &u, N * kvd);
    t->da = take(t, &u, N * ff);
    t->du = take(t, &u, N * ff);
    t->a = take(t, &u, N * ff);
}

nuri_status nuri_trainer_new(const nuri_train_config *cfg, int n_threads, nuri_trainer **out,
                             nuri_error *err) {
    *out = NULL;
    nuri_status st = nuri_train_config_check(cfg, err);
    if (st) return st;
    n_threads = threads_or_cores(n_threads);
    const double need = (double)nuri_train_memory_estimate(cfg, n_threads);
    const double limit = cfg->max_memory_gb > 0 ? cfg->max_memory_gb * 1073741824.0 : (double)phys_bytes();
    if (limit > 0 && need > limit)
        return nuri_fail(err, NURI_ERR_NOMEM,
                         "this configuration needs about %.2f GiB (%llu parameters; weights, gradients, "
                         "AdamW moments and activations for batch %d x context %d) but the limit is %.2f GiB%s",
                         need / 1073741824.0, (unsigned long long)nuri_train_n_params(cfg), cfg->batch,
                         cfg->context, limit / 1073741824.0,
                         cfg->max_memory_gb > 0 ? " (max_memory_gb)" : " (physical memory)");
    nuri_trainer *t = calloc(1, sizeof *t);
    if (!t) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    t->cfg = *cfg;
    t->n_rows = cfg->batch * cfg->context;
    if ((st = tr_layout(cfg, &t->tensors, &t->n_tensors, &t->n_params, err))) goto fail;
    if ((st = nuri_pool_new(n_threads, &t->ex.pool, err))) goto fail;
    t->ex.n_threads = n_threads;
    t->ex.uk = tr_ukernel_best();
    t->ex.scratch_per_thread = tr_scratch_floats(cfg);
    const size_t P = t->n_params;
    t->params = calloc(P, sizeof(float));
    t->grads = calloc(P, sizeof(float));
    t->m = calloc(P, sizeof(float));
    t->v = calloc(P, sizeof(float));
    t->ex.packs = malloc((size_t)n_threads * TR_PACK_FLOATS * sizeof(float));
    t->ex.scratch = malloc((size_t)n_threads * t->ex.scratch_per_thread * sizeof(float));
    t->act_floats = tr_act_floats(cfg);
    t->act_block = calloc(t->act_floats, sizeof(float));
    t->acts = calloc((size_t)cfg->layers, sizeof *t->acts);
    t->loss_rows = calloc((size_t)t->n_rows, sizeof(double));
    t->in_tok = calloc((size_t)t->n_rows, sizeof(int32_t));
    t->tgt_tok = calloc((size_t)t->n_rows, sizeof(int32_t));
    t->norm_parts = calloc(P / TR_NORM_CHUNK + 1, sizeof(double));
    t->batch_tok = calloc((size_t)cfg->batch * ((size_t)cfg->context + 1), sizeof(uint32_t));
    if (!t->params || !t->grads || !t->m || !t->v || !t->ex.packs || !t->ex.scratch || !t->act_block ||
        !t->acts || !t->loss_rows || !t->in_tok || !t->tgt_tok || !t->norm_parts ||
        !t->batch_tok) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory for %llu parameters and their activations",
                       (unsigned long long)P);
        goto fail;
    }
    carve_activations(t);
    tr_rope_table(cfg->context, cfg->dim / cfg->heads, cfg->rope_base, t->rope_cs);
    init_weights(t);
    *out = t;
    return NURI_OK;
fail:
    nuri_trainer_free(t);
    return st;
}

void nuri_trainer_free(nuri_trainer *t) {
    if (!t) return;
    nuri_pool_free(t->ex.pool);
    free(t->tensors);
    free(t->params);
    free(t->grads);
    free(t->m);
    free(t->v);
    free(t->ex.packs);
    free(t->ex.scratch);
    free(t->act_block);
    free(t->acts);
    free(t->loss_rows);
    free(t->in_tok);
    free(t->tgt_tok);
    free(t->norm_parts);
    free(t->perm);
    free(t->batch_tok);
    free(t);
}

const nuri_train_config *nuri_trainer_config(const nuri_trainer *t) { return &t->cfg; }
int nuri_trainer_n_tensors(const nuri_trainer *t) { return t->n_tensors; }
const nuri_train_tensor *nuri_trainer_tensor(const nuri_trainer *t, int i) {
    return i >= 0 && i < t->n_tensors ? &t->tensors[i] : NULL;
}
float *nuri_trainer_params(nuri_trainer *t) { return t->params; }
float *nuri_trainer_grads(nuri_trainer *t) { return t->grads; }
int nuri_trainer_step(const nuri_trainer *t) { return t->step; }

void nuri_trainer_zero_grads(nuri_trainer *t) { memset(t->grads, 0, t->n_params * sizeof(float)); }
