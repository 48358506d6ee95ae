/* The learning-rate schedule, global-norm clipping and AdamW (decoupled weight decay),
 * with PyTorch's formulas. */
#include <math.h>

#include "train/internal.h"

float nuri_train_lr(const nuri_train_config *c, int step) {
    if (step < c->warmup) return (float)((double)c->lr * (step + 1) / c->warmup);
    const int span = c->steps - 1 - c->warmup;
    double progress = span > 0 ? (double)(step - c->warmup) / span : 1.0;
    if (progress > 1.0) progress = 1.0;
    const double r = c->lr_min_ratio;
    return (float)(c->lr * (r + (1.0 - r) * 0.5 * (1.0 + cos(M_PI * progress))));
}

typedef struct {
    nuri_trainer *t;
    float clip_coef, lr, wd_mul;
    float b1, b2, one_b1, one_b2, eps, step_size, inv_sqrt_bc2;
} opt_job;

static void norm_task(void *arg, int ith, int nth) {
    const opt_job *j = arg;
    const nuri_trainer *t = j->t;
    const long long chunks = (long long)(t->n_params + TR_NORM_CHUNK - 1) / TR_NORM_CHUNK;
    long long lo, hi;
    nuri_split(chunks, ith, nth, 1, &lo, &hi);
    for (long long ci = lo; ci < hi; ci++) {
        const uint64_t e0 = (uint64_t)ci * TR_NORM_CHUNK;
        const uint64_t e1 = e0 + TR_NORM_CHUNK < t->n_params ? e0 + TR_NORM_CHUNK : t->n_params;
        double s = 0.0;
        for (uint64_t e = e0; e < e1; e++) s += (double)t->grads[e] * t->grads[e];
        t->norm_parts[ci] = s;
    }
}

static void adam_range(const opt_job *j, uint64_t lo, uint64_t hi, bool decay) {
    const nuri_trainer *t = j->t;
    float *p = t->params, *g = t->grads, *m = t->m, *v = t->v;
    for (uint64_t e = lo; e < hi; e++) {
        const float gr = g[e] * j->clip_coef;
        if (decay) p[e] *= j->wd_mul;
        m[e] = j->b1 * m[e] + j->one_b1 * gr;
        v[e] = j->b2 * v[e] + j->one_b2 * gr * gr;
        const float denom = sqrtf(v[e]) * j->inv_sqrt_bc2 + j->eps;
        p[e] -= j->step_size * (m[e] / denom);
    }
}

static void adam_task(void *arg, int ith, int nth) {
    const opt_job *j = arg;
    const nuri_trainer *t = j->t;
    long long lo, hi;
    nuri_split((long long)t->n_params, ith, nth, 64, &lo, &hi);
    for (int i = 0; i < t->n_tensors; i++) {
        const nuri_train_tensor *x = &t->tensors[i];
        const uint64_t a = x->off > (uint64_t)lo ? x->off : (uint64_t)lo;
        const uint64_t b = x->off + x->n < (uint64_t)hi ? x->off + x->n : (uint64_t)hi;
        if (a < b) adam_range(j, a, b, x->decay);
    }
}

void nuri_trainer_opt_step(nuri_trainer *t, double *grad_norm, float *lr_out) {
    const nuri_train_config *c = &t->cfg;
    opt_job j = {0};
    j.t = t;
    tr_parallel(&t->ex, norm_task, &j);
    const uint64_t chunks = (t->n_params + TR_NORM_CHUNK - 1) / TR_NORM_CHUNK;
    double ss = 0.0;
    for (uint64_t ci = 0; ci < chunks; ci++) ss += t->norm_parts[ci];
    const double norm = sqrt(ss);
    j.clip_coef = 1.0f;
    if (c->clip > 0 && norm + 1e-6 > c->clip) {
        const float coef = (float)(c->clip / (norm + 1e-6));
        if (coef < 1.0f) j.clip_coef = coef;
    }
    const float lr = nuri_train_lr(c, t->step);
    const int n = t->step + 1;
    const double bc1 = 1.0 - pow(c->beta1, n), bc2 = 1.0 - pow(c->beta2, n);
    j.lr = lr;
    j.wd_mul = 1.0f - lr * c->weight_decay;
    j.b1 = c->beta1;
    j.b2 = c->beta2;
    j.one_b1 = 1.0f - c->beta1;
    j.one_b2 = 1.0f - c->beta2;
    j.eps = c->adam_eps;
    j.step_size = (float)(lr / bc1);
    j.inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    tr_parallel(&t->ex, adam_task, &j);
    t->step++;
    if (grad_norm) *grad_norm = norm;
    if (lr_out) *lr_out = lr;
}
