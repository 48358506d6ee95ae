/* The whole model's forward pass and its backward pass over one micro-batch. */
#include <math.h>
#include <string.h>

#include "train/layers.h"

/* C (+)= A op(B) with A [m x k] row-major: the shape of every linear layer here. */
static void mm(const tr_exec *ex, int m, int n, int k, const float *a, int lda, const float *b,
               int ldb, bool tb, float *c, int ldc, bool acc) {
    tr_gemm_op g = {m, n, k, a, lda, false, b, ldb, tb, c, ldc, acc};
    tr_matmul(ex, &g);
}

/* dW [out x in] += dY^T X over N rows. */
static void mm_wgrad(const tr_exec *ex, int out, int in, int N, const float *dy, const float *x,
                     float *dw) {
    tr_gemm_op g = {out, in, N, dy, out, true, x, in, false, dw, in, true};
    tr_matmul(ex, &g);
}

static void forward_layer(nuri_trainer *t, int il, int B) {
    const nuri_train_config *c = &t->cfg;
    const tr_exec *ex = &t->ex;
    const int N = B * c->context, d = c->dim, hd = d / c->heads, qd = c->heads * hd,
              kvd = c->kv_heads * hd, ff = c->ffn;
    tr_layer_ptrs w = tr_layer(t, t->params, il);
    tr_layer_acts *a = &t->acts[il];
    memcpy(a->x_in, t->x, (size_t)N * d * sizeof(float));
    tr_rmsnorm_fwd(ex, N, d, a->x_in, w.attn_norm, c->norm_eps, a->h1, a->rstd1);
    mm(ex, N, qd, d, a->h1, d, w.wq, d, true, a->q, qd, false);
    mm(ex, N, kvd, d, a->h1, d, w.wk, d, true, a->k, kvd, false);
    mm(ex, N, kvd, d, a->h1, d, w.wv, d, true, a->v, kvd, false);
    tr_rope(ex, N, c->context, c->heads, hd, t->rope_cs, a->q, false);
    tr_rope(ex, N, c->context, c->kv_heads, hd, t->rope_cs, a->k, false);
    tr_attn_fwd(ex, B, c->context, c->heads, c->kv_heads, hd, a->q, a->k, a->v, a->p, a->o);
    mm(ex, N, d, qd, a->o, qd, w.wo, qd, true, t->x, d, true);
    memcpy(a->x_mid, t->x, (size_t)N * d * sizeof(float));
    tr_rmsnorm_fwd(ex, N, d, a->x_mid, w.ffn_norm, c->norm_eps, a->h2, a->rstd2);
    mm(ex, N, ff, d, a->h2, d, w.w_gate, d, true, a->g, ff, false);
    mm(ex, N, ff, d, a->h2, d, w.w_up, d, true, a->u, ff, false);
    tr_swiglu_fwd(ex, (size_t)N * ff, a->g, a->u, t->a);
    mm(ex, N, d, ff, t->a, ff, w.w_down, ff, true, t->x, d, true);
}

/* On entry t->dx holds dL/d(output of layer il); on exit dL/d(its input). */
static void backward_layer(nuri_trainer *t, int il, int B) {
    const nuri_train_config *c = &t->cfg;
    const tr_exec *ex = &t->ex;
    const int N = B * c->context, d = c->dim, hd = d / c->heads, qd = c->heads * hd,
              kvd = c->kv_heads * hd, ff = c->ffn;
    tr_layer_ptrs w = tr_layer(t, t->params, il), gw = tr_layer(t, t->grads, il);
    tr_layer_acts *a = &t->acts[il];

    tr_swiglu_fwd(ex, (size_t)N * ff, a->g, a->u, t->a);
    mm_wgrad(ex, d, ff, N, t->dx, t->a, gw.w_down);
    mm(ex, N, ff, d, t->dx, d, w.w_down, ff, false, t->da, ff, false);
    tr_swiglu_bwd(ex, (size_t)N * ff, a->g, a->u, t->da, t->da, t->du);
    mm_wgrad(ex, ff, d, N, t->da, a->h2, gw.w_gate);
    mm_wgrad(ex, ff, d, N, t->du, a->h2, gw.w_up);
    mm(ex, N, d, ff, t->da, ff, w.w_gate, d, false, t->dh, d, false);
    mm(ex, N, d, ff, t->du, ff, w.w_up, d, false, t->dh, d, true);
    tr_rmsnorm_bwd(ex, N, d, a->x_mid, w.ffn_norm, a->rstd2, t->dh, t->dx, gw.ffn_norm);

    mm_wgrad(ex, d, qd, N, t->dx, a->o, gw.wo);
    mm(ex, N, qd, d, t->dx, d, w.wo, qd, false, t->d_o, qd, false);
    tr_attn_bwd(ex, B, c->context, c->heads, c->kv_heads, hd, a->q, a->k, a->v, a->p, t->d_o, t->dq,
                t->dk, t->dv);
    tr_rope(ex, N, c->context, c->heads, hd, t->rope_cs, t->dq, true);
    tr_rope(ex, N, c->context, c->kv_heads, hd, t->rope_cs, t->dk, true);
    mm_wgrad(ex, qd, d, N, t->dq, a->h1, gw.wq);
    mm_wgrad(ex, kvd, d, N, t->dk, a->h1, gw.wk);
    mm_wgrad(ex, kvd, d, N, t->dv, a->h1, gw.wv);
    mm(ex, N, d, qd, t->dq, qd, w.wq, d, false, t->dh, d, false);
    mm(ex, N, d, kvd, t->dk, kvd, w.wk, d, false, t->dh, d, true);
    mm(ex, N, d, kvd, t->dv, kvd, w.wv, d, false, t->dh, d, true);
    tr_rmsnorm_bwd(ex, N, d, a->x_in, w.attn_norm, a->rstd1, t->dh, t->dx, gw.attn_norm);
}

nuri_status nuri_trainer_forward_backward(nuri_trainer *t, const uint32_t *tokens, int n_seq,
                                          bool grads, float grad_scale, double *loss,
                                          nuri_error *err) {
    const nuri_train_config *c = &t->cfg;
    const tr_exec *ex = &t->ex;
    if (n_seq < 1 || n_seq > c->batch)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "%d sequences in a micro-batch of at most %d", n_seq, c->batch);
    const int T = c->context, N = n_seq * T, d = c->dim, V = c->vocab;
    for (int b = 0; b < n_seq; b++)
        for (int i = 0; i <= T; i++) {
            const uint32_t id = tokens[(size_t)b * (T + 1) + i];
            if (id >= (uint32_t)V)
                return nuri_fail(err, NURI_ERR_INVALID_ARG, "token id %u is outside the vocabulary [0, %d)", id, V);
            if (i < T) t->in_tok[b * T + i] = (int32_t)id;
            if (i > 0) t->tgt_tok[b * T + i - 1] = (int32_t)id;
        }
    float *E = t->params, *Wout = c->tied ? E : tr_tensor_ptr(t, t->params, "output.weight");
    float *gE = t->grads, *gWout = c->tied ? gE : tr_tensor_ptr(t, t->grads, "output.weight");
    const float *out_norm = tr_tensor_ptr(t, t->params, "output_norm.weight");
    float *g_out_norm = tr_tensor_ptr(t, t->grads, "output_norm.weight");

    tr_embed_fwd(N, d, E, t->in_tok, t->x);
    for (int il = 0; il < c->layers; il++) forward_layer(t, il, n_seq);
    tr_rmsnorm_fwd(ex, N, d, t->x, out_norm, c->norm_eps, t->hf, t->rstd_f);

    /* The output layer and the loss, a slice of rows at a time, backward included, so
     * the logits never exist for the whole batch. */
    const float scale = grad_scale / (float)N;
    for (int r0 = 0; r0 < N; r0 += TR_LOGIT_ROWS) {
        const int rows = N - r0 < TR_LOGIT_ROWS ? N - r0 : TR_LOGIT_ROWS;
        const float *h = t->hf + (size_t)r0 * d;
        mm(ex, rows, V, d, h, d, Wout, d, true, t->logits, V, false);
        tr_xent(ex, rows, V, t->logits, t->tgt_tok + r0, scale, grads, t->loss_rows + r0);
        if (!grads) continue;
        mm(ex, rows, d, V, t->logits, V, Wout, d, false, t->dh + (size_t)r0 * d, d, false);
        mm_wgrad(ex, V, d, rows, t->logits, h, gWout);
    }
    double sum = 0.0;
    for (int r = 0; r < N; r++) sum += t->loss_rows[r];
    *loss = sum / N;
    if (!grads) return NURI_OK;

    memset(t->dx, 0, (size_t)N * d * sizeof(float));
    tr_rmsnorm_bwd(ex, N, d, t->x, out_norm, t->rstd_f, t->dh, t->dx, g_out_norm);
    for (int il = c->layers - 1; il >= 0; il--) backward_layer(t, il, n_seq);
    tr_embed_bwd(ex, N, d, t->in_tok, t->dx, gE);
    return NURI_OK;
}
