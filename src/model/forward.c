/* The transformer forward pass shared by every supported architecture, driven by the
 * flags of nuri_arch, plus the context that owns its buffers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/ctx.h"

nuri_ctx_params nuri_ctx_default_params(void) {
    nuri_ctx_params p = {0, 0, 0, false, -1};
    return p;
}

static void *alloc_floats(size_t n, bool *ok) {
    void *p = calloc(n ? n : 1, sizeof(float));
    if (!p) *ok = false;
    return p;
}

nuri_status nuri_ctx_new(const nuri_model *m, const nuri_ctx_params *p, nuri_ctx **out,
                         nuri_error *err) {
    *out = NULL;
    nuri_ctx_params d = p ? *p : nuri_ctx_default_params();
    if (d.n_threads < 0 || d.n_ctx < 0 || d.n_batch < 0)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "negative thread count, context or batch size");
    if (d.n_threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        d.n_threads = n > 0 ? (int)n : 1;
    }
    if (d.n_ctx == 0) d.n_ctx = m->n_ctx_train < 4096 ? m->n_ctx_train : 4096;
    if (d.n_ctx > (1 << 20)) return nuri_fail(err, NURI_ERR_INVALID_ARG, "context %d is too large", d.n_ctx);
    if (d.n_batch == 0) d.n_batch = 512;
    if (d.n_batch > d.n_ctx) d.n_batch = d.n_ctx;
    const nuri_kernels *k;
    if (d.isa < 0) {
        k = nuri_kernels_best();
    } else {
        if (d.isa > NURI_ISA_AVX512 || !nuri_cpu_has((nuri_isa)d.isa) || !nuri_kernels_for((nuri_isa)d.isa))
            return nuri_fail(err, NURI_ERR_UNSUPPORTED, "this CPU or build cannot run %s kernels",
                             nuri_isa_name((nuri_isa)d.isa));
        k = nuri_kernels_for((nuri_isa)d.isa);
    }
    nuri_ctx *c = calloc(1, sizeof *c);
    if (!c) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    c->m = m;
    c->k = k;
    c->n_ctx = d.n_ctx;
    c->n_batch = d.n_batch;
    c->kv_f32 = d.kv_f32;
    c->kv_elt = d.kv_f32 ? 4 : 2;
    nuri_status st = nuri_pool_new(d.n_threads, &c->pool, err);
    if (st) {
        free(c);
        return st;
    }
    const size_t nb = (size_t)d.n_batch, hd = (size_t)m->head_dim;
    const size_t q_dim = (size_t)m->n_head * hd, kv_dim = (size_t)m->n_head_kv * hd;
    size_t max_in = (size_t)m->n_embd;
    if ((size_t)m->n_ff > max_in) max_in = (size_t)m->n_ff;
    if (q_dim > max_in) max_in = q_dim;
    const size_t kv_elems = (size_t)m->n_layer * (size_t)d.n_ctx * kv_dim;
    bool ok = true;
    c->k_cache = calloc(kv_elems ? kv_elems : 1, c->kv_elt);
    c->v_cache = calloc(kv_elems ? kv_elems : 1, c->kv_elt);
    if (!c->k_cache || !c->v_cache) ok = false;
    c->x = alloc_floats(nb * (size_t)m->n_embd, &ok);
    c->h = alloc_floats(nb * (size_t)m->n_embd, &ok);
    c->o = alloc_floats(nb * (size_t)m->n_embd, &ok);
    c->logit_rows = alloc_floats(nb * (size_t)m->n_embd, &ok);
    c->q = alloc_floats(nb * q_dim, &ok);
    c->att = alloc_floats(nb * q_dim, &ok);
    c->kk = alloc_floats(nb * kv_dim, &ok);
    c->vv = alloc_floats(nb * kv_dim, &ok);
    c->g = alloc_floats(nb * (size_t)m->n_ff, &ok);
    c->u = alloc_floats(nb * (size_t)m->n_ff, &ok);
    c->xq_bytes = nb * max_in * sizeof(float); /* F32 is the widest dot type */
    c->xq = malloc(c->xq_bytes);
    if (!c->xq) ok = false;
    c->rope_cs = alloc_floats(nb * (size_t)m->n_rot, &ok);
    c->scores = alloc_floats((size_t)d.n_threads * (size_t)d.n_ctx, &ok);
    c->q16 = calloc((size_t)d.n_threads * hd, sizeof(uint16_t));
    if (!c->q16) ok = false;
    if (!ok) {
        nuri_ctx_free(c);
        return nuri_fail(err, NURI_ERR_NOMEM,
                         "out of memory for a %d-token context (KV cache %.1f MiB); try a smaller -c",
                         d.n_ctx, 2.0 * (double)kv_elems * (double)(d.kv_f32 ? 4 : 2) / 1048576.0);
    }
    *out = c;
    return NURI_OK;
}

void nuri_ctx_free(nuri_ctx *c) {
    if (!c) return;
    nuri_pool_free(c->pool);
    free(c->k_cache);
    free(c->v_cache);
    free(c->x);
    free(c->h);
    free(c->o);
    free(c->logit_rows);
    free(c->q);
    free(c->att);
    free(c->kk);
    free(c->vv);
    free(c->g);
    free(c->u);
    free(c->xq);
    free(c->rope_cs);
    free(c->scores);
    free(c->q16);
    free(c);
}

const nuri_model *nuri_ctx_model(const nuri_ctx *c) { return c->m; }
int nuri_ctx_n_ctx(const nuri_ctx *c) { return c->n_ctx; }
int nuri_ctx_n_past(const nuri_ctx *c) { return c->n_past; }
const nuri_kernels *nuri_ctx_kernels(const nuri_ctx *c) { return c->k; }

void nuri_ctx_truncate(nuri_ctx *c, int n) {
    if (n >= 0 && n < c->n_past) c->n_past = n;
}

/* cos/sin for each position and rotated pair, computed as the reference does: the
 * angle advances by repeated multiplication, divided by llama3 frequency factors. */
static void rope_table(const nuri_model *m, const nuri_layer *l, int pos0, int n, float *cs) {
    const float theta_scale = powf(l->rope_base, -2.0f / (float)m->n_rot);
    for (int t = 0; t < n; t++) {
        float theta = (float)(pos0 + t);
        float *row = cs + (size_t)t * m->n_rot;
        for (int i = 0; i < m->n_rot; i += 2) {
            const float ff = m->rope_freqs ? m->rope_freqs[i / 2] : 1.0f;
            const float angle = l->rope_scale * (theta / ff);
            row[i] = cosf(angle);
            row[i + 1] = sinf(angle);
            theta *= theta_scale;
        }
    }
}

static void rope_apply(const nuri_model *m, const float *cs, float *x, int n_heads, int n) {
    const int hd = m->head_dim, half = m->n_rot / 2;
    for (int t = 0; t < n; t++) {
        const float *row = cs + (size_t)t * m->n_rot;
        for (int h = 0; h < n_heads; h++) {
            float *v = x + ((size_t)t * n_heads + h) * hd;
            for (int i = 0; i < m->n_rot; i += 2) {
                const float c = row[i], s = row[i + 1];
                float *a = m->arch->rope_neox ? &v[i / 2] : &v[i];
                float *b = m->arch->rope_neox ? &v[i / 2 + half] : &v[i + 1];
                const float x0 = *a, x1 = *b;
                *a = x0 * c - x1 * s;
                *b = x0 * s + x1 * c;
            }
        }
    }
}

static void norm_rows(const nuri_kernels *k, const float *x, const float *w, int rows, int64_t n,
                      float eps, float *y) {
    for (int r = 0; r < rows; r++) k->rms_norm(n, x + (size_t)r * n, w, eps, y + (size_t)r * n);
}

static void add_bias(float *x, const float *b, int rows, int64_t n) {
    if (!b) return;
    for (int r = 0; r < rows; r++)
        for (int64_t i = 0; i < n; i++) x[(size_t)r * n + i] += b[i];
}

static void store_kv(nuri_ctx *c, int il, int pos0, int n) {
    const nuri_model *m = c->m;
    const size_t kv_dim = (size_t)m->n_head_kv * m->head_dim;
    for (int t = 0; t < n; t++) {
        const size_t off = ((size_t)il * c->n_ctx + (size_t)(pos0 + t)) * kv_dim;
        const float *ks = c->kk + (size_t)t * kv_dim, *vs = c->vv + (size_t)t * kv_dim;
        if (c->kv_f32) {
            memcpy((float *)c->k_cache + off, ks, kv_dim * sizeof(float));
            memcpy((float *)c->v_cache + off, vs, kv_dim * sizeof(float));
        } else {
            c->k->from_float[NURI_TYPE_F16](ks, (uint16_t *)c->k_cache + off, (int64_t)kv_dim);
            c->k->from_float[NURI_TYPE_F16](vs, (uint16_t *)c->v_cache + off, (int64_t)kv_dim);
        }
    }
}

static void layer_forward(nuri_ctx *c, int il, int pos0, int n) {
    const nuri_model *m = c->m;
    const nuri_kernels *k = c->k;
    const nuri_layer *l = &m->layers[il];
    const int64_t d = m->n_embd, hd = m->head_dim;
    const int64_t q_dim = (int64_t)m->n_head * hd, kv_dim = (int64_t)m->n_head_kv * hd;

    const float *in = c->x;
    if (l->attn_norm) {
        norm_rows(k, c->x, l->attn_norm, n, d, m->eps, c->h);
        in = c->h;
    }
    const nuri_matrix *qkv[3] = {&l->wq, &l->wk, &l->wv};
    float *qkv_out[3] = {c->q, c->kk, c->vv};
    nuri_linear_multi(c, qkv, 3, in, n, qkv_out);
    add_bias(c->q, l->bq, n, q_dim);
    add_bias(c->kk, l->bk, n, kv_dim);
    add_bias(c->vv, l->bv, n, kv_dim);
    if (l->q_norm) norm_rows(k, c->q, l->q_norm, n * m->n_head, hd, m->eps, c->q);
    if (l->k_norm) norm_rows(k, c->kk, l->k_norm, n * m->n_head_kv, hd, m->eps, c->kk);
    if (l->use_rope && m->n_rot > 0) {
        rope_table(m, l, pos0, n, c->rope_cs);
        rope_apply(m, c->rope_cs, c->q, m->n_head, n);
        rope_apply(m, c->rope_cs, c->kk, m->n_head_kv, n);
    }
    if (m->q_scale != 1.0f) k->scale(n * q_dim, m->q_scale, c->q);
    store_kv(c, il, pos0, n);
    nuri_attention(c, il, pos0, n, c->q, c->att);
    nuri_linear(c, &l->wo, c->att, n, c->o);
    if (l->post_attn_norm) norm_rows(k, c->o, l->post_attn_norm, n, d, m->eps, c->o);
    k->add(n * d, c->o, c->x);

    in = c->x;
    if (l->ffn_norm) {
        norm_rows(k, c->x, l->ffn_norm, n, d, m->eps, c->h);
        in = c->h;
    }
    const nuri_matrix *gu[2] = {&l->w_gate, &l->w_up};
    float *gu_out[2] = {c->g, c->u};
    nuri_linear_multi(c, gu, 2, in, n, gu_out);
    if (m->arch->act == NURI_ACT_GELU) k->gelu_mul(n * m->n_ff, c->g, c->u);
    else k->silu_mul(n * m->n_ff, c->g, c->u);
    nuri_linear(c, &l->w_down, c->g, n, c->o);
    if (l->post_ffn_norm) norm_rows(k, c->o, l->post_ffn_norm, n, d, m->eps, c->o);
    k->add(n * d, c->o, c->x);
}

static nuri_status embed(nuri_ctx *c, const int32_t *tokens, int n) {
    const nuri_model *m = c->m;
    for (int t = 0; t < n; t++) {
        const char *row = (const char *)m->tok_embd.data + (size_t)tokens[t] * m->tok_embd.row_bytes;
        c->k->to_float[m->tok_embd.type](row, c->x + (size_t)t * m->n_embd, m->n_embd);
    }
    if (m->embd_mul != 1.0f) c->k->scale((int64_t)n * m->n_embd, m->embd_mul, c->x);
    return NURI_OK;
}

nuri_status nuri_decode(nuri_ctx *c, const nuri_batch *b, nuri_error *err) {
    const nuri_model *m = c->m;
    if (b->n_tokens <= 0) return nuri_fail(err, NURI_ERR_INVALID_ARG, "empty batch");
    if (b->n_tokens > c->n_ctx - c->n_past)
        return nuri_fail(err, NURI_ERR_INVALID_ARG,
                         "context full: %d tokens in the cache plus %d new exceed the context of %d",
                         c->n_past, b->n_tokens, c->n_ctx);
    for (int i = 0; i < b->n_tokens; i++)
        if (b->tokens[i] < 0 || b->tokens[i] >= m->n_vocab)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "token id %d at position %d is outside the vocabulary [0, %d)",
                             b->tokens[i], i, m->n_vocab);
    for (int start = 0; start < b->n_tokens; start += c->n_batch) {
        int n = b->n_tokens - start < c->n_batch ? b->n_tokens - start : c->n_batch;
        const bool last_chunk = start + n == b->n_tokens;
        embed(c, b->tokens + start, n);
        for (int il = 0; il < m->n_layer; il++) layer_forward(c, il, c->n_past, n);
        c->n_past += n;

        /* Final norm only for the rows someone asked for. */
        int r0 = n, rows = 0;
        if (b->hidden || (b->logits && b->logits_all)) {
            r0 = 0;
            rows = n;
        } else if (b->logits && last_chunk) {
            r0 = n - 1;
            rows = 1;
        }
        if (rows == 0) continue;
        norm_rows(c->k, c->x + (size_t)r0 * m->n_embd, m->output_norm, rows, m->n_embd, m->eps,
                  c->logit_rows);
        if (b->hidden)
            memcpy(b->hidden + (size_t)start * m->n_embd, c->logit_rows,
                   (size_t)n * m->n_embd * sizeof(float));
        if (!b->logits) continue;
        float *dst;
        const float *src = c->logit_rows;
        int out_rows = rows;
        if (b->logits_all) {
            dst = b->logits + (size_t)start * m->n_vocab;
        } else {
            if (!last_chunk) continue;
            dst = b->logits;
            src = c->logit_rows + (size_t)(rows - 1) * m->n_embd;
            out_rows = 1;
        }
        nuri_linear(c, &m->output, src, out_rows, dst);
        if (m->logit_softcap > 0.0f) {
            const float cap = m->logit_softcap;
            for (size_t i = 0; i < (size_t)out_rows * m->n_vocab; i++) dst[i] = cap * tanhf(dst[i] / cap);
        }
    }
    return NURI_OK;
}
