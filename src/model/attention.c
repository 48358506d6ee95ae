/* Attention against the KV cache, as the reference computes it without flash attention:
 * with an F16 cache the query is rounded to F16 for Q.K and the softmax weights are
 * rounded to F16 before they multiply V. */
#include <string.h>

#include "model/ctx.h"

typedef struct {
    nuri_ctx *c;
    int il, pos0, n;
    const float *q;
    float *out;
} attn_job;

static void attn_task(void *arg, int ith, int nth) {
    attn_job *j = arg;
    nuri_ctx *c = j->c;
    const nuri_model *m = c->m;
    const nuri_kernels *k = c->k;
    const int hd = m->head_dim, group = m->n_head / m->n_head_kv;
    const int64_t q_dim = (int64_t)m->n_head * hd, kv_dim = (int64_t)m->n_head_kv * hd;
    const size_t layer_off = (size_t)j->il * (size_t)c->n_ctx * (size_t)kv_dim;
    float *scores = c->scores + (size_t)ith * (size_t)c->n_ctx;
    uint16_t *q16 = c->q16 + (size_t)ith * (size_t)hd;
    const nuri_layer *l = &m->layers[j->il];
    long long lo, hi;
    nuri_split((long long)j->n * m->n_head, ith, nth, 1, &lo, &hi);
    for (long long item = lo; item < hi; item++) {
        const int t = (int)(item / m->n_head), h = (int)(item % m->n_head), kvh = h / group;
        const int pos = j->pos0 + t;
        int first = 0;
        if (l->swa && pos - m->n_swa + 1 > 0) first = pos - m->n_swa + 1;
        const float *qv = j->q + (size_t)t * q_dim + (size_t)h * hd;
        float *ov = j->out + (size_t)t * q_dim + (size_t)h * hd;
        const int n_keys = pos - first + 1;
        if (!c->kv_f32) {
            k->from_float[NURI_TYPE_F16](qv, q16, hd);
            const uint16_t *kc = (const uint16_t *)c->k_cache + layer_off + (size_t)kvh * hd;
            for (int p = first; p <= pos; p++) {
                float s;
                k->vec_dot[NURI_TYPE_F16](hd, kc + (size_t)p * kv_dim, q16, &s);
                scores[p - first] = s * m->kq_scale;
            }
        } else {
            const float *kc = (const float *)c->k_cache + layer_off + (size_t)kvh * hd;
            for (int p = first; p <= pos; p++) {
                float s;
                k->vec_dot[NURI_TYPE_F32](hd, kc + (size_t)p * kv_dim, qv, &s);
                scores[p - first] = s * m->kq_scale;
            }
        }
        k->softmax(n_keys, scores);
        memset(ov, 0, (size_t)hd * sizeof *ov);
        if (!c->kv_f32) {
            const uint16_t *vc = (const uint16_t *)c->v_cache + layer_off + (size_t)kvh * hd;
            for (int p = first; p <= pos; p++) {
                float w = nuri_fp16_to_fp32(nuri_fp32_to_fp16(scores[p - first]));
                k->axpy_f16(hd, w, vc + (size_t)p * kv_dim, ov);
            }
        } else {
            const float *vc = (const float *)c->v_cache + layer_off + (size_t)kvh * hd;
            for (int p = first; p <= pos; p++) {
                const float w = scores[p - first], *vr = vc + (size_t)p * kv_dim;
                for (int i = 0; i < hd; i++) ov[i] += w * vr[i];
            }
        }
    }
}

void nuri_attention(nuri_ctx *c, int il, int pos0, int n, const float *q, float *out) {
    attn_job j = {c, il, pos0, n, q, out};
    nuri_pool_run(c->pool, attn_task, &j);
}
