/* Gradient checks of every training layer against central finite differences, the
 * matrix product against a float64 triple loop, and the whole model's gradients (tied
 * and untied, grouped-query heads) against finite differences of its loss; plus the
 * promise that the thread count does not change a single bit. */
#include "test.h"
#include "train/layers.h"

static tr_rng rng;

static void fill(float *x, size_t n, double scale) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(tr_rng_normal(&rng) * scale);
}

static double dot(const float *a, const float *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* ||num - ana|| / max(||num||, tiny): the usual relative error of a gradient check. */
static double rel_err(const double *num, const float *ana, size_t n) {
    double d = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++) {
        d += (num[i] - ana[i]) * (num[i] - ana[i]);
        s += num[i] * num[i];
    }
    return sqrt(d) / (sqrt(s) > 1e-12 ? sqrt(s) : 1e-12);
}

typedef struct {
    nuri_pool *pool;
    tr_exec ex;
} exec_box;

static void exec_new(exec_box *b, int threads, size_t scratch) {
    nuri_error err;
    memset(b, 0, sizeof *b);
    if (nuri_pool_new(threads, &b->pool, &err)) abort();
    b->ex.pool = b->pool;
    b->ex.n_threads = threads;
    b->ex.uk = tr_ukernel_best();
    b->ex.packs = malloc((size_t)threads * TR_PACK_FLOATS * sizeof(float));
    b->ex.scratch_per_thread = scratch;
    b->ex.scratch = malloc((size_t)threads * scratch * sizeof(float) + 4);
}

static void exec_free(exec_box *b) {
    free(b->ex.packs);
    free(b->ex.scratch);
    nuri_pool_free(b->pool);
}

/* A scalar objective of a layer: L(inputs) = sum(output * R). The function computes the
 * output from the current inputs; the check perturbs every element of x. */
typedef double (*objective_fn)(void *ctx);

static void fd_grad(objective_fn f, void *ctx, float *x, size_t n, float eps, double *out) {
    for (size_t i = 0; i < n; i++) {
        const float keep = x[i];
        x[i] = keep + eps;
        const double lp = f(ctx);
        x[i] = keep - eps;
        const double lm = f(ctx);
        x[i] = keep;
        out[i] = (lp - lm) / (2.0 * (double)eps);
    }
}

static void check_grad(const char *what, objective_fn f, void *ctx, float *x, size_t n,
                       const float *ana, float eps, double tol) {
    double *num = malloc(n * sizeof *num);
    fd_grad(f, ctx, x, n, eps, num);
    const double e = rel_err(num, ana, n);
    CHECKF(e < tol, "%s: relative gradient error %.3g (tolerance %.3g)", what, e, tol);
    free(num);
}

/* ---- matrix products ---- */
static void test_gemm(const tr_exec *ex) {
    const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {6, 16, 256}, {13, 33, 300}, {100, 70, 257}, {5, 1100, 20}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        for (int mode = 0; mode < 8; mode++) {
            const bool ta = mode & 1, tb = mode & 2, acc = mode & 4;
            float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
            float *c = malloc(sizeof(float) * m * (n + 3)), *c0 = malloc(sizeof(float) * m * (n + 3));
            fill(a, (size_t)m * k, 1.0);
            fill(b, (size_t)k * n, 1.0);
            fill(c, (size_t)m * (n + 3), 1.0);
            memcpy(c0, c, sizeof(float) * m * (n + 3));
            const int lda = ta ? m : k, ldb = tb ? k : n, ldc = n + 3;
            tr_gemm_op g = {m, n, k, a, lda, ta, b, ldb, tb, c, ldc, acc};
            tr_matmul(ex, &g);
            double worst = 0.0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double want = acc ? c0[i * ldc + j] : 0.0;
                    for (int p = 0; p < k; p++)
                        want += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                    const double e = fabs(want - c[i * ldc + j]) / (sqrt((double)k) + 1.0);
                    if (e > worst) worst = e;
                }
            bool pad_ok = true;
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++) pad_ok &= c[i * ldc + j] == c0[i * ldc + j];
            CHECKF(worst < 1e-5, "gemm %dx%dx%d ta=%d tb=%d acc=%d: error %.3g", m, n, k, ta, tb, acc, worst);
            CHECKF(pad_ok, "gemm %dx%dx%d wrote outside its columns", m, n, k);
            free(a);
            free(b);
            free(c);
            free(c0);
        }
    }
}

/* ---- embedding ---- */
typedef struct {
    const tr_exec *ex;
    int n, d, V;
    int32_t *tok;
    float *E, *x, *R;
} embed_ctx;

static double embed_obj(void *p) {
    embed_ctx *c = p;
    tr_embed_fwd(c->n, c->d, c->E, c->tok, c->x);
    return dot(c->x, c->R, (size_t)c->n * c->d);
}

static void test_embedding(const tr_exec *ex) {
    embed_ctx c = {ex, 9, 20, 7, NULL, NULL, NULL, NULL};
    c.tok = malloc(sizeof(int32_t) * c.n);
    for (int i = 0; i < c.n; i++) c.tok[i] = (int32_t)tr_rng_below(&rng, 5); /* repeats, unused rows */
    c.E = malloc(sizeof(float) * c.V * c.d);
    c.x = malloc(sizeof(float) * c.n * c.d);
    c.R = malloc(sizeof(float) * c.n * c.d);
    float *dE = calloc((size_t)c.V * c.d, sizeof(float));
    fill(c.E, (size_t)c.V * c.d, 1.0);
    fill(c.R, (size_t)c.n * c.d, 1.0);
    tr_embed_bwd(ex, c.n, c.d, c.tok, c.R, dE);
    check_grad("embedding dE", embed_obj, &c, c.E, (size_t)c.V * c.d, dE, 1e-2f, 1e-4);
    free(c.tok);
    free(c.E);
    free(c.x);
    free(c.R);
    free(dE);
}

/* ---- rmsnorm ---- */
typedef struct {
    const tr_exec *ex;
    int n, d;
    float *x, *w, *y, *rstd, *R;
} norm_ctx;

static double norm_obj(void *p) {
    norm_ctx *c = p;
    tr_rmsnorm_fwd(c->ex, c->n, c->d, c->x, c->w, 1e-5f, c->y, c->rstd);
    return dot(c->y, c->R, (size_t)c->n * c->d);
}

static void test_rmsnorm(const tr_exec *ex) {
    norm_ctx c = {ex, 11, 40, NULL, NULL, NULL, NULL, NULL};
    const size_t nd = (size_t)c.n * c.d;
    c.x = malloc(sizeof(float) * nd);
    c.w = malloc(sizeof(float) * c.d);
    c.y = malloc(sizeof(float) * nd);
    c.rstd = malloc(sizeof(float) * c.n);
    c.R = malloc(sizeof(float) * nd);
    float *dx = malloc(sizeof(float) * nd), *dw = malloc(sizeof(float) * c.d);
    fill(c.x, nd, 1.0);
    fill(c.w, c.d, 1.0);
    fill(c.R, nd, 1.0);
    norm_obj(&c);
    /* Start dx/dw from a known value: the backward adds to them. */
    for (size_t i = 0; i < nd; i++) dx[i] = 0.5f;
    for (int i = 0; i < c.d; i++) dw[i] = 0.5f;
    tr_rmsnorm_bwd(ex, c.n, c.d, c.x, c.w, c.rstd, c.R, dx, dw);
    for (size_t i = 0; i < nd; i++) dx[i] -= 0.5f;
    for (int i = 0; i < c.d; i++) dw[i] -= 0.5f;
    check_grad("rmsnorm dx", norm_obj, &c, c.x, nd, dx, 1e-2f, 2e-3);
    check_grad("rmsnorm dw", norm_obj, &c, c.w, c.d, dw, 1e-2f, 2e-3);
    free(c.x);
    free(c.w);
    free(c.y);
    free(c.rstd);
    free(c.R);
    free(dx);
    free(dw);
}

/* ---- linear layer Y = X W^T, as forward.c calls the products ---- */
typedef struct {
    const tr_exec *ex;
    int n, in, out;
    float *x, *w, *y, *R;
} lin_ctx;

static double lin_obj(void *p) {
    lin_ctx *c = p;
    tr_gemm_op g = {c->n, c->out, c->in, c->x, c->in, false, c->w, c->in, true, c->y, c->out, false};
    tr_matmul(c->ex, &g);
    return dot(c->y, c->R, (size_t)c->n * c->out);
}

static void test_linear(const tr_exec *ex) {
    lin_ctx c = {ex, 13, 24, 19, NULL, NULL, NULL, NULL};
    c.x = malloc(sizeof(float) * c.n * c.in);
    c.w = malloc(sizeof(float) * c.out * c.in);
    c.y = malloc(sizeof(float) * c.n * c.out);
    c.R = malloc(sizeof(float) * c.n * c.out);
    float *dx = malloc(sizeof(float) * c.n * c.in), *dw = calloc((size_t)c.out * c.in, sizeof(float));
    fill(c.x, (size_t)c.n * c.in, 1.0);
    fill(c.w, (size_t)c.out * c.in, 1.0);
    fill(c.R, (size_t)c.n * c.out, 1.0);
    tr_gemm_op gx = {c.n, c.in, c.out, c.R, c.out, false, c.w, c.in, false, dx, c.in, false};
    tr_matmul(ex, &gx);
    tr_gemm_op gw = {c.out, c.in, c.n, c.R, c.out, true, c.x, c.in, false, dw, c.in, true};
    tr_matmul(ex, &gw);
    check_grad("matmul dX", lin_obj, &c, c.x, (size_t)c.n * c.in, dx, 1e-2f, 1e-4);
    check_grad("matmul dW", lin_obj, &c, c.w, (size_t)c.out * c.in, dw, 1e-2f, 1e-4);
    free(c.x);
    free(c.w);
    free(c.y);
    free(c.R);
    free(dx);
    free(dw);
}

/* ---- rope ---- */
typedef struct {
    const tr_exec *ex;
    int n, T, heads, hd;
    float *cs, *x, *y, *R;
} rope_ctx;

static double rope_obj(void *p) {
    rope_ctx *c = p;
    const size_t nn = (size_t)c->n * c->heads * c->hd;
    memcpy(c->y, c->x, nn * sizeof(float));
    tr_rope(c->ex, c->n, c->T, c->heads, c->hd, c->cs, c->y, false);
    return dot(c->y, c->R, nn);
}

static void test_rope(const tr_exec *ex) {
    rope_ctx c = {ex, 10, 5, 3, 8, NULL, NULL, NULL, NULL};
    const size_t nn = (size_t)c.n * c.heads * c.hd;
    c.cs = malloc(sizeof(float) * c.T * c.hd);
    c.x = malloc(sizeof(float) * nn);
    c.y = malloc(sizeof(float) * nn);
    c.R = malloc(sizeof(float) * nn);
    float *dx = malloc(sizeof(float) * nn);
    tr_rope_table(c.T, c.hd, 10000.0f, c.cs);
    fill(c.x, nn, 1.0);
    fill(c.R, nn, 1.0);
    memcpy(dx, c.R, nn * sizeof(float));
    tr_rope(ex, c.n, c.T, c.heads, c.hd, c.cs, dx, true);
    check_grad("rope dx", rope_obj, &c, c.x, nn, dx, 1e-2f, 1e-4);
    /* Position 0 is not rotated; row 1 (position 1) rotates pair 0 by exactly 1 radian. */
    memcpy(c.y, c.x, nn * sizeof(float));
    tr_rope(ex, c.n, c.T, c.heads, c.hd, c.cs, c.y, false);
    CHECK(memcmp(c.y, c.x, sizeof(float) * c.heads * c.hd) == 0);
    const float *x1 = c.x + c.heads * c.hd, *y1 = c.y + c.heads * c.hd;
    CHECK(fabs(y1[0] - (x1[0] * cos(1.0) - x1[1] * sin(1.0))) < 1e-6);
    free(c.cs);
    free(c.x);
    free(c.y);
    free(c.R);
    free(dx);
}

/* ---- swiglu ---- */
typedef struct {
    const tr_exec *ex;
    size_t n;
    float *g, *u, *a, *R;
} swiglu_ctx;

static double swiglu_obj(void *p) {
    swiglu_ctx *c = p;
    tr_swiglu_fwd(c->ex, c->n, c->g, c->u, c->a);
    return dot(c->a, c->R, c->n);
}

static void test_swiglu(const tr_exec *ex) {
    swiglu_ctx c = {ex, 300, NULL, NULL, NULL, NULL};
    c.g = malloc(sizeof(float) * c.n);
    c.u = malloc(sizeof(float) * c.n);
    c.a = malloc(sizeof(float) * c.n);
    c.R = malloc(sizeof(float) * c.n);
    float *dg = malloc(sizeof(float) * c.n), *du = malloc(sizeof(float) * c.n);
    fill(c.g, c.n, 2.0);
    fill(c.u, c.n, 1.0);
    fill(c.R, c.n, 1.0);
    tr_swiglu_bwd(ex, c.n, c.g, c.u, c.R, dg, du);
    check_grad("swiglu dg", swiglu_obj, &c, c.g, c.n, dg, 1e-2f, 1e-3);
    check_grad("swiglu du", swiglu_obj, &c, c.u, c.n, du, 1e-2f, 1e-4);
    free(c.g);
    free(c.u);
    free(c.a);
    free(c.R);
    free(dg);
    free(du);
}

/* ---- attention (grouped-query, causal) ---- */
typedef struct {
    const tr_exec *ex;
    int B, T, H, Hkv, hd;
    float *q, *k, *v, *p, *o, *R;
} attn_ctx;

static double attn_obj(void *arg) {
    attn_ctx *c = arg;
    tr_attn_fwd(c->ex, c->B, c->T, c->H, c->Hkv, c->hd, c->q, c->k, c->v, c->p, c->o);
    return dot(c->o, c->R, (size_t)c->B * c->T * c->H * c->hd);
}

static void test_attention(const tr_exec *ex, int B, int T, int H, int Hkv, int hd) {
    attn_ctx c = {ex, B, T, H, Hkv, hd, NULL, NULL, NULL, NULL, NULL, NULL};
    const size_t nq = (size_t)c.B * c.T * c.H * c.hd, nkv = (size_t)c.B * c.T * c.Hkv * c.hd;
    c.q = malloc(sizeof(float) * nq);
    c.k = malloc(sizeof(float) * nkv);
    c.v = malloc(sizeof(float) * nkv);
    c.p = malloc(sizeof(float) * c.B * c.H * c.T * c.T);
    c.o = malloc(sizeof(float) * nq);
    c.R = malloc(sizeof(float) * nq);
    float *dq = malloc(sizeof(float) * nq), *dk = malloc(sizeof(float) * nkv), *dv = malloc(sizeof(float) * nkv);
    fill(c.q, nq, 1.0);
    fill(c.k, nkv, 1.0);
    fill(c.v, nkv, 1.0);
    fill(c.R, nq, 1.0);
    attn_obj(&c);
    tr_attn_bwd(ex, c.B, c.T, c.H, c.Hkv, c.hd, c.q, c.k, c.v, c.p, c.R, dq, dk, dv);
    char what[64];
    snprintf(what, sizeof what, "attention T=%d %d/%d heads dq", T, H, Hkv);
    check_grad(what, attn_obj, &c, c.q, nq, dq, 1e-2f, 2e-3);
    snprintf(what, sizeof what, "attention T=%d %d/%d heads dk", T, H, Hkv);
    check_grad(what, attn_obj, &c, c.k, nkv, dk, 1e-2f, 2e-3);
    snprintf(what, sizeof what, "attention T=%d %d/%d heads dv", T, H, Hkv);
    check_grad(what, attn_obj, &c, c.v, nkv, dv, 1e-2f, 2e-3);

    /* Causality: changing the last position's key and value leaves every earlier
     * output bit for bit as it was, and the softmax rows sum to one. */
    float *o0 = malloc(sizeof(float) * nq);
    attn_obj(&c);
    memcpy(o0, c.o, sizeof(float) * nq);
    for (int b = 0; b < c.B; b++)
        for (int i = 0; i < c.Hkv * c.hd; i++) {
            c.k[((size_t)b * c.T + c.T - 1) * c.Hkv * c.hd + i] += 3.0f;
            c.v[((size_t)b * c.T + c.T - 1) * c.Hkv * c.hd + i] -= 3.0f;
        }
    attn_obj(&c);
    bool same = true, changed = false;
    for (int b = 0; b < c.B; b++)
        for (int t = 0; t < c.T; t++)
            for (int i = 0; i < c.H * c.hd; i++) {
                const size_t at = ((size_t)b * c.T + t) * c.H * c.hd + i;
                if (t < c.T - 1) same &= c.o[at] == o0[at];
                else changed |= c.o[at] != o0[at];
            }
    CHECKF(same && changed, "attention %d/%d heads: a later key changed an earlier output", H, Hkv);
    double worst = 0.0;
    for (int r = 0; r < c.B * c.H * c.T; r++) {
        double s = 0.0;
        for (int j = 0; j < c.T; j++) s += c.p[(size_t)r * c.T + j];
        if (fabs(s - 1.0) > worst) worst = fabs(s - 1.0);
    }
    CHECK(worst < 1e-5);
    free(o0);
    free(c.q);
    free(c.k);
    free(c.v);
    free(c.p);
    free(c.o);
    free(c.R);
    free(dq);
    free(dk);
    free(dv);
}

/* ---- cross-entropy ---- */
typedef struct {
    const tr_exec *ex;
    int n, V;
    float *logits, *work;
    int32_t *tgt;
    double *loss;
} xent_ctx;

static double xent_obj(void *p) {
    xent_ctx *c = p;
    memcpy(c->work, c->logits, sizeof(float) * c->n * c->V);
    tr_xent(c->ex, c->n, c->V, c->work, c->tgt, 1.0f, false, c->loss);
    double s = 0.0;
    for (int r = 0; r < c->n; r++) s += c->loss[r];
    return s / c->n;
}

static void test_xent(const tr_exec *ex) {
    xent_ctx c = {ex, 6, 50, NULL, NULL, NULL, NULL};
    c.logits = malloc(sizeof(float) * c.n * c.V);
    c.work = malloc(sizeof(float) * c.n * c.V);
    c.tgt = malloc(sizeof(int32_t) * c.n);
    c.loss = malloc(sizeof(double) * c.n);
    fill(c.logits, (size_t)c.n * c.V, 3.0);
    for (int r = 0; r < c.n; r++) c.tgt[r] = (int32_t)tr_rng_below(&rng, (uint64_t)c.V);
    float *d = malloc(sizeof(float) * c.n * c.V);
    memcpy(d, c.logits, sizeof(float) * c.n * c.V);
    tr_xent(ex, c.n, c.V, d, c.tgt, 1.0f / c.n, true, c.loss);
    /* The loss of uniform logits is log V. */
    double row0 = c.loss[0];
    check_grad("cross-entropy dlogits", xent_obj, &c, c.logits, (size_t)c.n * c.V, d, 1e-2f, 1e-3);
    CHECK(isfinite(row0) && row0 > 0);
    for (int i = 0; i < c.V; i++) c.work[i] = 0.25f;
    tr_xent(ex, 1, c.V, c.work, c.tgt, 1.0f, false, c.loss);
    CHECK(fabs(c.loss[0] - log((double)c.V)) < 1e-6);
    free(c.logits);
    free(c.work);
    free(c.tgt);
    free(c.loss);
    free(d);
}

/* ---- the whole model ---- */
static void test_model(bool tied, int heads, int kv_heads) {
    nuri_train_config cfg;
    nuri_train_config_default(&cfg);
    cfg.vocab = 23;
    cfg.dim = 16;
    cfg.layers = 2;
    cfg.heads = heads;
    cfg.kv_heads = kv_heads;
    cfg.ffn = 24;
    cfg.context = 6;
    cfg.batch = 2;
    cfg.tied = tied;
    cfg.init_std = 0.25f; /* large weights: gradients well above float noise */
    cfg.seed = 7;
    nuri_error err;
    nuri_trainer *t1 = NULL, *t3 = NULL;
    CHECK_OK(nuri_trainer_new(&cfg, 1, &t1, &err), &err);
    CHECK_OK(nuri_trainer_new(&cfg, 3, &t3, &err), &err);
    if (!t1 || !t3) return;
    uint32_t tok[2 * 7];
    for (int i = 0; i < 14; i++) tok[i] = (uint32_t)tr_rng_below(&rng, 20);
    double loss1, loss3;
    nuri_trainer_zero_grads(t1);
    nuri_trainer_zero_grads(t3);
    CHECK_OK(nuri_trainer_forward_backward(t1, tok, 2, true, 1.0f, &loss1, &err), &err);
    CHECK_OK(nuri_trainer_forward_backward(t3, tok, 2, true, 1.0f, &loss3, &err), &err);
    const uint64_t P = nuri_train_n_params(&cfg);
    float *p = nuri_trainer_params(t1), *g = nuri_trainer_grads(t1);
    CHECKF(loss1 == loss3 && memcmp(g, nuri_trainer_grads(t3), P * sizeof(float)) == 0,
           "1 and 3 threads give different gradients (tied %d)", tied);
    double *gcopy = malloc(P * sizeof(double)), worst_all = 0.0;
    for (uint64_t i = 0; i < P; i++) gcopy[i] = g[i];
    /* Every tensor: its largest-gradient elements and a few random ones. */
    for (int ti = 0; ti < nuri_trainer_n_tensors(t1); ti++) {
        const nuri_train_tensor *x = nuri_trainer_tensor(t1, ti);
        uint64_t pick[6];
        uint64_t best = x->off;
        for (uint64_t e = x->off; e < x->off + x->n; e++)
            if (fabs(gcopy[e]) > fabs(gcopy[best])) best = e;
        pick[0] = best;
        for (int k = 1; k < 6; k++) pick[k] = x->off + tr_rng_below(&rng, x->n);
        double worst = 0.0;
        for (int k = 0; k < 6; k++) {
            const uint64_t e = pick[k];
            /* Richardson extrapolation of two central differences cancels the h^2 term. */
            const float keep = p[e];
            double d[2];
            for (int h = 0; h < 2; h++) {
                const float eps = h ? 1e-2f : 2e-2f;
                double lp, lm;
                p[e] = keep + eps;
                nuri_trainer_forward_backward(t1, tok, 2, false, 1.0f, &lp, &err);
                p[e] = keep - eps;
                nuri_trainer_forward_backward(t1, tok, 2, false, 1.0f, &lm, &err);
                p[e] = keep;
                d[h] = (lp - lm) / (2.0 * (double)eps);
            }
            const double num = (4.0 * d[1] - d[0]) / 3.0;
            const double e_abs = fabs(num - gcopy[e]), allowed = 2e-3 * fabs(gcopy[best]) + 1e-5;
            if (e_abs / allowed > worst) worst = e_abs / allowed;
            CHECKF(e_abs <= allowed, "model (tied %d, %d/%d heads) %s[%llu]: analytic %.6g, numeric %.6g", tied,
                   heads, kv_heads, x->name, (unsigned long long)(e - x->off), gcopy[e], num);
        }
        CHECKF(fabs(gcopy[best]) > 1e-4, "%s: gradient vanishes", x->name);
        if (worst > worst_all) worst_all = worst;
    }
    printf("model (tied %d, %d/%d heads): worst finite-difference error %.2f of the allowed\n", tied, heads,
           kv_heads, worst_all);
    free(gcopy);
    nuri_trainer_free(t1);
    nuri_trainer_free(t3);
}

int main(void) {
    tr_rng_seed(&rng, 12345, 0);
    exec_box one, three;
    exec_new(&one, 1, 70 * 70);
    exec_new(&three, 3, 70 * 70);
    test_gemm(&one.ex);
    test_gemm(&three.ex);
    /* The portable kernels too, whatever this CPU runs by default. */
    one.ex.uk = three.ex.uk = &tr_gemm_scalar;
    test_gemm(&one.ex);
    test_gemm(&three.ex);
    one.ex.uk = three.ex.uk = tr_ukernel_best();
    for (int i = 0; i < 2; i++) {
        const tr_exec *ex = i ? &three.ex : &one.ex;
        test_embedding(ex);
        test_rmsnorm(ex);
        test_linear(ex);
        test_rope(ex);
        test_swiglu(ex);
        test_attention(ex, 2, 7, 4, 4, 8);
        test_attention(ex, 2, 7, 4, 2, 8);
        test_attention(ex, 2, 7, 6, 1, 8);
        test_attention(ex, 1, 70, 2, 1, 4); /* two blocks of query rows */
        test_xent(ex);
    }
    exec_free(&one);
    exec_free(&three);
    test_model(true, 4, 2);
    test_model(false, 2, 2);
    test_model(false, 4, 1);
    return test_done("test_train_grad");
}
