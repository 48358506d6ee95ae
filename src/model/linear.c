/* Matrix products with the reference's numerics: activations are first converted to the
 * weight type's dot-product type (Q8_0, Q8_1, Q8_K, F16, BF16 or F32), once per input
 * even when several matrices read it, then rows of W are split across threads. */
#include <string.h>

#include "model/ctx.h"

typedef struct {
    nuri_ctx *c;
    const float *x;
    int n;
    int64_t n_in;
    nuri_type vt;
    size_t xrow;
} convert_job;

static void convert_task(void *arg, int ith, int nth) {
    convert_job *j = arg;
    long long lo, hi;
    nuri_split(j->n, ith, nth, 1, &lo, &hi);
    nuri_from_float_fn f = j->c->k->from_float[j->vt];
    for (long long t = lo; t < hi; t++)
        f(j->x + t * j->n_in, (char *)j->c->xq + t * j->xrow, j->n_in);
}

typedef struct {
    nuri_ctx *c;
    const nuri_matrix *const *ws;
    int n_w;
    float *const *outs;
    int n;
    size_t xrow;
    int64_t total_rows;
} dot_job;

/* Rows of all matrices are numbered as one range so threads stay balanced. */
static void dot_task(void *arg, int ith, int nth) {
    dot_job *j = arg;
    const nuri_kernels *k = j->c->k;
    long long lo, hi;
    nuri_split(j->total_rows, ith, nth, 16, &lo, &hi);
    int64_t base = 0;
    for (int wi = 0; wi < j->n_w && lo < hi; wi++) {
        const nuri_matrix *w = j->ws[wi];
        int64_t r0 = lo - base, r1 = hi - base;
        if (r0 < 0) r0 = 0;
        if (r1 > w->n_out) r1 = w->n_out;
        if (r0 < r1) {
            if (k->mat_dot) {
                k->mat_dot(w->type, w->n_in, w->data, w->row_bytes, r0, r1, j->c->xq, j->xrow, j->n,
                           j->outs[wi], w->n_out);
            } else {
                nuri_vec_dot_fn dot = k->vec_dot[w->type];
                for (int t = 0; t < j->n; t++)
                    for (int64_t r = r0; r < r1; r++)
                        dot(w->n_in, (const char *)w->data + r * w->row_bytes,
                            (const char *)j->c->xq + t * j->xrow, &j->outs[wi][t * w->n_out + r]);
            }
        }
        base += w->n_out;
    }
}

void nuri_linear_multi(nuri_ctx *c, const nuri_matrix *const *ws, int n_w, const float *x, int n,
                       float *const *outs) {
    /* Matrices sharing an input usually share a dot type (Q4_K_M mixes Q4_K and Q6_K,
     * both Q8_K): convert once per distinct type. */
    bool handled[8] = {false};
    for (int i = 0; i < n_w && i < 8; i++) {
        if (handled[i]) continue;
        nuri_type vt = nuri_type_get(ws[i]->type)->vec_dot_type;
        const nuri_matrix *group[8];
        float *gouts[8];
        int ng = 0;
        int64_t total = 0;
        for (int j = i; j < n_w && j < 8; j++)
            if (!handled[j] && nuri_type_get(ws[j]->type)->vec_dot_type == vt) {
                handled[j] = true;
                group[ng] = ws[j];
                gouts[ng++] = outs[j];
                total += ws[j]->n_out;
            }
        convert_job cj = {c, x, n, ws[i]->n_in, vt, nuri_type_row_size(vt, ws[i]->n_in)};
        nuri_pool_run(c->pool, convert_task, &cj);
        dot_job dj = {c, group, ng, gouts, n, cj.xrow, total};
        nuri_pool_run(c->pool, dot_task, &dj);
    }
}

void nuri_linear(nuri_ctx *c, const nuri_matrix *w, const float *x, int n, float *out) {
    const nuri_matrix *ws[1] = {w};
    float *outs[1] = {out};
    nuri_linear_multi(c, ws, 1, x, n, outs);
}
