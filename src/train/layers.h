/* The layers of the decoder, forward and backward, over plain row-major arrays. Backward
 * functions either overwrite their outputs or add to them, as each says; all of them
 * give the same bits for any thread count. */
#ifndef NURI_TRAIN_LAYERS_H
#define NURI_TRAIN_LAYERS_H

#include "train/internal.h"

/* x[r] = E[tok[r]] for n rows of d. */
void tr_embed_fwd(int n, int d, const float *E, const int32_t *tok, float *x);
/* dE[tok[r]] += dx[r], rows in order. */
void tr_embed_bwd(const tr_exec *ex, int n, int d, const int32_t *tok, const float *dx, float *dE);

/* y = x / sqrt(mean(x^2) + eps) * w, per row; rstd[r] = the row's 1/sqrt(...). */
void tr_rmsnorm_fwd(const tr_exec *ex, int n, int d, const float *x, const float *w, float eps,
                    float *y, float *rstd);
/* dx += dL/dx, dw += dL/dw. */
void tr_rmsnorm_bwd(const tr_exec *ex, int n, int d, const float *x, const float *w,
                    const float *rstd, const float *dy, float *dx, float *dw);

/* cos/sin for positions [0, T) and head_dim/2 pairs, as nuri's (and the reference's)
 * forward computes them: the angle advances by repeated float multiplication. */
void tr_rope_table(int T, int hd, float base, float *cs);
/* Rotates pairs (x[2i], x[2i+1]) of each of n_heads heads in n rows, row r being at
 * position r % T; inverse rotates back (the backward pass of a rotation). */
void tr_rope(const tr_exec *ex, int n, int T, int n_heads, int hd, const float *cs, float *x,
             bool inverse);

/* a = silu(g) * u. */
void tr_swiglu_fwd(const tr_exec *ex, size_t n, const float *g, const float *u, float *a);
/* dg, du = gradients through a = silu(g) * u (overwritten; da may alias dg). */
void tr_swiglu_bwd(const tr_exec *ex, size_t n, const float *g, const float *u, const float *da,
                   float *dg, float *du);

/* Causal attention of B sequences of T rows: q is [B*T, H*hd], k and v [B*T, Hkv*hd],
 * query head h reading key/value head h / (H/Hkv). p (B*H*T*T) keeps the softmax
 * weights, o ([B*T, H*hd]) the output. Scores are scaled by 1/sqrt(hd). */
void tr_attn_fwd(const tr_exec *ex, int B, int T, int H, int Hkv, int hd, const float *q,
                 const float *k, const float *v, float *p, float *o);
/* Overwrites dq, dk, dv. Needs T*T floats of per-thread scratch. */
void tr_attn_bwd(const tr_exec *ex, int B, int T, int H, int Hkv, int hd, const float *q,
                 const float *k, const float *v, const float *p, const float *d_o, float *dq,
                 float *dk, float *dv);

/* Per row: loss[r] = logsumexp(logits[r]) - logits[r][tgt[r]]. With grad, logits[r] is
 * replaced by scale * (softmax(logits[r]) - onehot(tgt[r])). */
void tr_xent(const tr_exec *ex, int n, int V, float *logits, const int32_t *tgt, float scale,
             bool grad, double *loss);

#endif
