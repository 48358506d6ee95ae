/* The inference context: KV cache, scratch buffers and the thread pool. */
#ifndef NURI_MODEL_CTX_H
#define NURI_MODEL_CTX_H

#include "base/pool.h"
#include "model/internal.h"

struct nuri_ctx {
    const nuri_model *m;
    const nuri_kernels *k;
    nuri_pool *pool;
    int n_ctx, n_batch, n_past;
    bool kv_f32;
    size_t kv_elt;  /* bytes per cached element: 2 (F16) or 4 */
    void *k_cache;  /* [layer][pos][n_head_kv * head_dim] */
    void *v_cache;
    /* Scratch for one batch of up to n_batch tokens. */
    float *x, *h, *q, *kk, *vv, *att, *g, *u, *o;
    void *xq;       /* activations converted to a weight's dot-product type */
    size_t xq_bytes;
    float *rope_cs; /* [n_batch][n_rot]: cos, sin pairs */
    float *scores;  /* [n_threads][n_ctx] */
    uint16_t *q16;  /* [n_threads][head_dim]: the query rounded to F16 */
    float *logit_rows; /* final normed hidden rows that need logits */
};

/* out[t][r] = W[r] . x[t] for n tokens, x holding n rows of W->n_in floats. */
void nuri_linear(nuri_ctx *c, const nuri_matrix *w, const float *x, int n, float *out);
/* The same for several matrices that share their input (q, k, v; gate, up). */
void nuri_linear_multi(nuri_ctx *c, const nuri_matrix *const *ws, int n_w, const float *x, int n,
                       float *const *outs);
/* Causal (optionally sliding-window) attention of n queries at positions pos0.. against
 * the cache of layer il, which already holds their keys and values. */
void nuri_attention(nuri_ctx *c, int il, int pos0, int n, const float *q, float *out);

#endif
