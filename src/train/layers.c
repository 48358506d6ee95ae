/* Forward and backward of each layer. Parallel loops split rows (or, for reductions
 * over rows, columns), so no sum ever depends on how work was divided. */
#include "train/layers.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

void tr_parallel(const tr_exec *ex, nuri_task_fn fn, void *ctx) {
    if (!ex->pool || ex->n_threads <= 1) fn(ctx, 0, 1);
    else nuri_pool_run(ex->pool, fn, ctx);
}

void tr_matmul(const tr_exec *ex, const tr_gemm_op *g) {
    tr_gemm(ex->n_threads > 1 ? ex->pool : NULL, g, ex->uk, ex->packs);
}

void tr_embed_fwd(int n, int d, const float *E, const int32_t *tok, float *x) {
    for (int r = 0; r < n; r++) memcpy(x + (size_t)r * d, E + (size_t)tok[r] * d, (size_t)d * sizeof(float));
}

typedef struct {
    int n, d;
    const int32_t *tok;
    const float *dx;
    float *dE;
} embed_job;

static void embed_bwd_task(void *arg, int ith, int nth) {
    const embed_job *j = arg;
    long long lo, hi;
    nuri_split(j->d, ith, nth, 16, &lo, &hi);
    for (int r = 0; r < j->n; r++) {
        const float *src = j->dx + (size_t)r * j->d;
        float *dst = j->dE + (size_t)j->tok[r] * j->d;
        for (long long c = lo; c < hi; c++) dst[c] += src[c];
    }
}

void tr_embed_bwd(const tr_exec *ex, int n, int d, const int32_t *tok, const float *dx, float *dE) {
    embed_job j = {n, d, tok, dx, dE};
    tr_parallel(ex, embed_bwd_task, &j);
}

typedef struct {
    int n, d;
    const float *x, *w, *rstd, *dy;
    float eps, *y, *r, *dx, *dw;
} norm_job;

static void norm_fwd_task(void *arg, int ith, int nth) {
    const norm_job *j = arg;
    long long lo, hi;
    nuri_split(j->n, ith, nth, 1, &lo, &hi);
    for (long long r = lo; r < hi; r++) {
        const float *x = j->x + (size_t)r * j->d;
        float *y = j->y + (size_t)r * j->d;
        double ss = 0.0;
        for (int i = 0; i < j->d; i++) ss += (double)x[i] * x[i];
        const float rs = (float)(1.0 / sqrt(ss / j->d + (double)j->eps));
        j->r[r] = rs;
        for (int i = 0; i < j->d; i++) y[i] = x[i] * rs * j->w[i];
    }
}

void tr_rmsnorm_fwd(const tr_exec *ex, int n, int d, const float *x, const float *w, float eps,
                    float *y, float *rstd) {
    norm_job j = {n, d, x, w, NULL, NULL, eps, y, rstd, NULL, NULL};
    tr_parallel(ex, norm_fwd_task, &j);
}

/* With g = dy * w:  dx = rstd * g - x * rstd^3 * mean(g * x). */
static void norm_bwd_rows(void *arg, int ith, int nth) {
    const norm_job *j = arg;
    long long lo, hi;
    nuri_split(j->n, ith, nth, 1, &lo, &hi);
    for (long long r = lo; r < hi; r++) {
        const float *x = j->x + (size_t)r * j->d, *dy = j->dy + (size_t)r * j->d;
        float *dx = j->dx + (size_t)r * j->d;
        const double rs = j->rstd[r];
        double dot = 0.0;
        for (int i = 0; i < j->d; i++) dot += (double)dy[i] * j->w[i] * x[i];
        const double c = rs * rs * rs * dot / j->d;
        for (int i = 0; i < j->d; i++) dx[i] += (float)(rs * dy[i] * j->w[i] - c * x[i]);
    }
}

static void norm_bwd_cols(void *arg, int ith, int nth) {
    const norm_job *j = arg;
    long long lo, hi;
    nuri_split(j->d, ith, nth, 16, &lo, &hi);
    if (lo >= hi) return;
    double acc[16];
    for (long long c0 = lo; c0 < hi; c0 += 16) {
        const int w = (int)(hi - c0 < 16 ? hi - c0 : 16);
        memset(acc, 0, sizeof acc);
        for (int r = 0; r < j->n; r++) {
            const float *x = j->x + (size_t)r * j->d + c0, *dy = j->dy + (size_t)r * j->d + c0;
            const double rs = j->rstd[r];
            for (int i = 0; i < w; i++) acc[i] += (double)dy[i] * x[i] * rs;
        }
        for (int i = 0; i < w; i++) j->dw[c0 + i] += (float)acc[i];
    }
}

void tr_rmsnorm_bwd(const tr_exec *ex, int n, int d, const float *x, const float *w,
                    const float *rstd, const float *dy, float *dx, float *dw) {
    norm_job j = {n, d, x, w, rstd, dy, 0.0f, NULL, NULL, dx, dw};
    tr_parallel(ex, norm_bwd_rows, &j);
    tr_parallel(ex, norm_bwd_cols, &j);
}

void tr_rope_table(int T, int hd, float base, float *cs) {
    const float theta_scale = powf(base, -2.0f / (float)hd);
    for (int t = 0; t < T; t++) {
        float theta = (float)t;
        float *row = cs + (size_t)t * hd;
        for (int i = 0; i < hd; i += 2) {
            row[i] = cosf(theta);
            row[i + 1] = sinf(theta);
            theta *= theta_scale;
        }
    }
}

typedef struct {
    int n, T, heads, hd;
    const float *cs;
    float *x;
    bool inverse;
} rope_job;

static void rope_task(void *arg, int ith, int nth) {
    const rope_job *j = arg;
    long long lo, hi;
    nuri_split(j->n, ith, nth, 1, &lo, &hi);
    const float sign = j->inverse ? -1.0f : 1.0f;
    for (long long r = lo; r < hi; r++) {
        const float *cs = j->cs + (size_t)(r % j->T) * j->hd;
        for (int h = 0; h < j->heads; h++) {
            float *v = j->x + ((size_t)r * j->heads + h) * j->hd;
            for (int i = 0; i < j->hd; i += 2) {
                const float c = cs[i], s = sign * cs[i + 1], x0 = v[i], x1 = v[i + 1];
                v[i] = x0 * c - x1 * s;
                v[i + 1] = x0 * s + x1 * c;
            }
        }
    }
}

void tr_rope(const tr_exec *ex, int n, int T, int n_heads, int hd, const float *cs, float *x,
             bool inverse) {
    rope_job j = {n, T, n_heads, hd, cs, x, inverse};
    tr_parallel(ex, rope_task, &j);
}

typedef struct {
    size_t n;
    const float *g, *u, *da;
    float *a, *dg, *du;
} swiglu_job;

static void swiglu_fwd_task(void *arg, int ith, int nth) {
    const swiglu_job *j = arg;
    long long lo, hi;
    nuri_split((long long)j->n, ith, nth, 64, &lo, &hi);
    for (long long i = lo; i < hi; i++) {
        const float g = j->g[i];
        j->a[i] = g / (1.0f + expf(-g)) * j->u[i];
    }
}

static void swiglu_bwd_task(void *arg, int ith, int nth) {
    const swiglu_job *j = arg;
    long long lo, hi;
    nuri_split((long long)j->n, ith, nth, 64, &lo, &hi);
    for (long long i = lo; i < hi; i++) {
        const float g = j->g[i], u = j->u[i], da = j->da[i];
        const float s = 1.0f / (1.0f + expf(-g));
        const float silu = g * s;
        j->dg[i] = da * u * (s * (1.0f + g * (1.0f - s)));
        j->du[i] = da * silu;
    }
}

void tr_swiglu_fwd(const tr_exec *ex, size_t n, const float *g, const float *u, float *a) {
    swiglu_job j = {n, g, u, NULL, a, NULL, NULL};
    tr_parallel(ex, swiglu_fwd_task, &j);
}

void tr_swiglu_bwd(const tr_exec *ex, size_t n, const float *g, const float *u, const float *da,
                   float *dg, float *du) {
    swiglu_job j = {n, g, u, da, NULL, dg, du};
    tr_parallel(ex, swiglu_bwd_task, &j);
}

typedef struct {
    const tr_exec *ex;
    int B, T, H, Hkv, hd;
    const float *q, *k, *v, *pc, *d_o;
    float *p, *o, *dq, *dk, *dv;
    atomic_llong next; /* items are taken one at a time (see gemm.c) */
} attn_job;

/* Query rows go in blocks of ATT_ROWS: a block only reads the keys up to its last row, so
 * the masked upper triangle is mostly never computed. */
#define ATT_ROWS 64

static void attn_fwd_task(void *arg, int ith, int nth) {
    const attn_job *j = arg;
    const int T = j->T, hd = j->hd, group = j->H / j->Hkv;
    const int qd = j->H * hd, kvd = j->Hkv * hd;
    const float scale = 1.0f / sqrtf((float)hd);
    float *pack = j->ex->packs + (size_t)ith * TR_PACK_FLOATS;
    (void)nth;
    for (long long item; (item = atomic_fetch_add(&((attn_job *)arg)->next, 1)) < (long long)j->B * j->H;) {
        const int b = (int)(item / j->H), h = (int)(item % j->H), kvh = h / group;
        const float *qb = j->q + (size_t)b * T * qd + (size_t)h * hd;
        const float *kb = j->k + (size_t)b * T * kvd + (size_t)kvh * hd;
        const float *vb = j->v + (size_t)b * T * kvd + (size_t)kvh * hd;
        float *p = j->p + (size_t)item * T * T;
        float *ob = j->o + (size_t)b * T * qd + (size_t)h * hd;
        for (int i0 = 0; i0 < T; i0 += ATT_ROWS) {
            const int rows = T - i0 < ATT_ROWS ? T - i0 : ATT_ROWS, keys = i0 + rows;
            float *pr = p + (size_t)i0 * T;
            tr_gemm_op s = {rows, keys, hd, qb + (size_t)i0 * qd, qd, false, kb, kvd, true, pr, T, false};
            tr_gemm_serial(&s, j->ex->uk, pack);
            for (int r = 0; r < rows; r++) {
                const int i = i0 + r;
                float *row = pr + (size_t)r * T;
                float mx = -INFINITY;
                for (int c = 0; c <= i; c++) {
                    row[c] *= scale;
                    if (row[c] > mx) mx = row[c];
                }
                double sum = 0.0;
                for (int c = 0; c <= i; c++) {
                    row[c] = expf(row[c] - mx);
                    sum += row[c];
                }
                const float inv = (float)(1.0 / sum);
                for (int c = 0; c <= i; c++) row[c] *= inv;
                for (int c = i + 1; c < T; c++) row[c] = 0.0f;
            }
            tr_gemm_op out = {rows, hd, keys, pr, T, false, vb, kvd, false, ob + (size_t)i0 * qd, qd, false};
            tr_gemm_serial(&out, j->ex->uk, pack);
        }
    }
}

void tr_attn_fwd(const tr_exec *ex, int B, int T, int H, int Hkv, int hd, const float *q,
                 const float *k, const float *v, float *p, float *o) {
    attn_job j = {ex, B, T, H, Hkv, hd, q, k, v, NULL, NULL, p, o, NULL, NULL, NULL, 0};
    atomic_init(&j.next, 0);
    tr_parallel(ex, attn_fwd_task, &j);
}

/* Per (sequence, key/value head): the query heads of its group in order, so dk and dv
 * sum over the group the same way every time. Blocks skip what the mask zeroes: query
 * rows read keys up to their block's end; key rows are reached by queries from their
 * block's start on. */
static void attn_bwd_task(void *arg, int ith, int nth) {
    const attn_job *j = arg;
    const int T = j->T, hd = j->hd, group = j->H / j->Hkv;
    const int qd = j->H * hd, kvd = j->Hkv * hd;
    const float scale = 1.0f / sqrtf((float)hd);
    float *pack = j->ex->packs + (size_t)ith * TR_PACK_FLOATS;
    float *ds = j->ex->scratch + (size_t)ith * j->ex->scratch_per_thread;
    (void)nth;
    for (long long item; (item = atomic_fetch_add(&((attn_job *)arg)->next, 1)) < (long long)j->B * j->Hkv;) {
        const int b = (int)(item / j->Hkv), kvh = (int)(item % j->Hkv);
        const float *kb = j->k + (size_t)b * T * kvd + (size_t)kvh * hd;
        const float *vb = j->v + (size_t)b * T * kvd + (size_t)kvh * hd;
        float *dkb = j->dk + (size_t)b * T * kvd + (size_t)kvh * hd;
        float *dvb = j->dv + (size_t)b * T * kvd + (size_t)kvh * hd;
        for (int gi = 0; gi < group; gi++) {
            const int h = kvh * group + gi;
            const float *p = j->pc + ((size_t)b * j->H + h) * T * T;
            const float *qb = j->q + (size_t)b * T * qd + (size_t)h * hd;
            const float *dob = j->d_o + (size_t)b * T * qd + (size_t)h * hd;
            float *dqb = j->dq + (size_t)b * T * qd + (size_t)h * hd;
            for (int i0 = 0; i0 < T; i0 += ATT_ROWS) {
                const int rows = T - i0 < ATT_ROWS ? T - i0 : ATT_ROWS, keys = i0 + rows;
                float *dr = ds + (size_t)i0 * T;
                tr_gemm_op dp = {rows, keys, hd, dob + (size_t)i0 * qd, qd, false, vb, kvd, true, dr, T, false};
                tr_gemm_serial(&dp, j->ex->uk, pack);
                for (int r = 0; r < rows; r++) {
                    const int i = i0 + r;
                    float *row = dr + (size_t)r * T;
                    const float *prow = p + (size_t)i * T;
                    double dot = 0.0;
                    for (int c = 0; c <= i; c++) dot += (double)row[c] * prow[c];
                    const float fd = (float)dot;
                    for (int c = 0; c <= i; c++) row[c] = prow[c] * (row[c] - fd) * scale;
                    for (int c = i + 1; c < T; c++) row[c] = 0.0f;
                }
                tr_gemm_op dq = {rows, hd, keys, dr, T, false, kb, kvd, false, dqb + (size_t)i0 * qd, qd, false};
                tr_gemm_serial(&dq, j->ex->uk, pack);
            }
            for (int j0 = 0; j0 < T; j0 += ATT_ROWS) {
                const int keys = T - j0 < ATT_ROWS ? T - j0 : ATT_ROWS, rows = T - j0;
                const size_t at = (size_t)j0 * T + j0;
                tr_gemm_op dv = {keys, hd, rows, p + at, T, true, dob + (size_t)j0 * qd, qd, false,
                                 dvb + (size_t)j0 * kvd, kvd, gi > 0};
                tr_gemm_serial(&dv, j->ex->uk, pack);
                tr_gemm_op dk = {keys, hd, rows, ds + at, T, true, qb + (size_t)j0 * qd, qd, false,
                                 dkb + (size_t)j0 * kvd, kvd, gi > 0};
                tr_gemm_serial(&dk, j->ex->uk, pack);
            }
        }
    }
}

void tr_attn_bwd(const tr_exec *ex, int B, int T, int H, int Hkv, int hd, const float *q,
                 const float *k, const float *v, const float *p, const float *d_o, float *dq,
                 float *dk, float *dv) {
    attn_job j = {ex, B, T, H, Hkv, hd, q, k, v, p, d_o, NULL, NULL, dq, dk, dv, 0};
    atomic_init(&j.next, 0);
    tr_parallel(ex, attn_bwd_task, &j);
}

typedef struct {
    int n, V;
    float *logits;
    const int32_t *tgt;
    float scale;
    bool grad;
    double *loss;
} xent_job;

static void xent_task(void *arg, int ith, int nth) {
    const xent_job *j = arg;
    long long lo, hi;
    nuri_split(j->n, ith, nth, 1, &lo, &hi);
    for (long long r = lo; r < hi; r++) {
        float *row = j->logits + (size_t)r * j->V;
        float mx = -INFINITY;
        for (int c = 0; c < j->V; c++)
            if (row[c] > mx) mx = row[c];
        const int t = j->tgt[r];
        const float target = row[t];
        double sum = 0.0;
        if (!j->grad) {
            for (int c = 0; c < j->V; c++) sum += expf(row[c] - mx);
            j->loss[r] = (double)mx + log(sum) - (double)target;
            continue;
        }
        for (int c = 0; c < j->V; c++) {
            row[c] = expf(row[c] - mx);
            sum += row[c];
        }
        j->loss[r] = (double)mx + log(sum) - (double)target;
        const float k = (float)((double)j->scale / sum);
        for (int c = 0; c < j->V; c++) row[c] *= k;
        row[t] -= j->scale;
    }
}

void tr_xent(const tr_exec *ex, int n, int V, float *logits, const int32_t *tgt, float scale,
             bool grad, double *loss) {
    xent_job j = {n, V, logits, tgt, scale, grad, loss};
    tr_parallel(ex, xent_task, &j);
}
