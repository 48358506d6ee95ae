/* Model loading: hyper-parameters from metadata and every weight bound by name, with
 * shapes and types checked, so the forward pass never meets a surprise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

typedef struct {
    nuri_model *m;
    const char *path;
    char arch[32];
    nuri_error *err;
} loader;

static nuri_status key_u32(loader *L, const char *suffix, bool required, uint32_t def, int *out) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", L->arch, suffix);
    uint32_t v = def;
    nuri_status st = nuri_gguf_get_u32(L->m->gguf, key, &v, L->err);
    if (st == NURI_ERR_NOT_FOUND && !required) st = NURI_OK, v = def;
    if (st) return st;
    if (v > (1u << 30))
        return nuri_fail(L->err, NURI_ERR_FORMAT, "%s: %s = %u is absurd", L->path, key, v);
    *out = (int)v;
    return NURI_OK;
}

static nuri_status key_f32(loader *L, const char *suffix, float def, float *out) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", L->arch, suffix);
    float v = def;
    nuri_status st = nuri_gguf_get_f32(L->m->gguf, key, &v, L->err);
    if (st == NURI_ERR_NOT_FOUND) st = NURI_OK, v = def;
    if (st) return st;
    if (!isfinite(v)) return nuri_fail(L->err, NURI_ERR_FORMAT, "%s: %s is not finite", L->path, key);
    *out = v;
    return NURI_OK;
}

static const nuri_gguf_tensor *find(loader *L, const char *name, bool required, nuri_status *st) {
    const nuri_gguf_tensor *t = nuri_gguf_find_tensor(L->m->gguf, name);
    if (!t && required)
        *st = nuri_fail(L->err, NURI_ERR_FORMAT, "%s: missing tensor '%s' (required by %s)", L->path,
                        name, L->arch);
    return t;
}

static nuri_status bad_shape(loader *L, const char *name, const nuri_gguf_tensor *t, int64_t a,
                             int64_t b) {
    return nuri_fail(L->err, NURI_ERR_FORMAT,
                     "%s: tensor '%s' has shape [%lld, %lld, %lld], expected [%lld, %lld]", L->path,
                     name, (long long)t->ne[0], (long long)t->ne[1], (long long)t->ne[2],
                     (long long)a, (long long)b);
}

/* Binds a matrix of n_out rows of n_in; n_out < 0 accepts any row count. */
static nuri_status matrix(loader *L, const char *name, int64_t n_in, int64_t n_out, bool required,
                          nuri_matrix *out) {
    nuri_status st = NURI_OK;
    memset(out, 0, sizeof *out);
    const nuri_gguf_tensor *t = find(L, name, required, &st);
    if (!t) return st;
    if (t->n_dims > 2 || t->ne[0] != n_in || (n_out >= 0 && t->ne[1] != n_out))
        return bad_shape(L, name, t, n_in, n_out);
    const nuri_type_info *ti = nuri_type_get(t->type);
    if (!ti->compute)
        return nuri_fail(L->err, NURI_ERR_UNSUPPORTED,
                         "%s: tensor '%s' has type %s, which nuri cannot compute with yet", L->path,
                         name, ti->name);
    out->data = t->data;
    out->type = t->type;
    out->n_in = t->ne[0];
    out->n_out = t->ne[1];
    out->row_bytes = nuri_type_row_size(t->type, t->ne[0]);
    return NURI_OK;
}

/* Binds a vector as F32: used in place when stored as F32, converted otherwise. */
static nuri_status vector(loader *L, const char *name, int64_t n, bool required, const float **out) {
    nuri_status st = NURI_OK;
    *out = NULL;
    const nuri_gguf_tensor *t = find(L, name, required, &st);
    if (!t) return st;
    if (t->ne[0] != n || t->ne[1] != 1 || t->ne[2] != 1 || t->ne[3] != 1) return bad_shape(L, name, t, n, 1);
    if (t->type == NURI_TYPE_F32 && ((uintptr_t)t->data % sizeof(float)) == 0) {
        *out = t->data;
        return NURI_OK;
    }
    float *buf = malloc((size_t)n * sizeof *buf);
    float **owned = realloc(L->m->owned, (size_t)(L->m->n_owned + 1) * sizeof *owned);
    if (!buf || !owned) {
        free(buf);
        if (owned) L->m->owned = owned;
        return nuri_fail(L->err, NURI_ERR_NOMEM, "%s: out of memory", L->path);
    }
    L->m->owned = owned;
    L->m->owned[L->m->n_owned++] = buf;
    L->m->owned_bytes += (uint64_t)n * sizeof *buf;
    nuri_error e2;
    if (nuri_dequantize(t->type, t->data, buf, n, &e2))
        return nuri_fail(L->err, NURI_ERR_UNSUPPORTED, "%s: tensor '%s': %s", L->path, name, e2.msg);
    *out = buf;
    return NURI_OK;
}

#define TRY(x)                  \
    do {                        \
        nuri_status st_ = (x);  \
        if (st_) return st_;    \
    } while (0)

static nuri_status load_hparams(loader *L) {
    nuri_model *m = L->m;
    TRY(key_u32(L, "embedding_length", true, 0, &m->n_embd));
    TRY(key_u32(L, "block_count", true, 0, &m->n_layer));
    TRY(key_u32(L, "feed_forward_length", true, 0, &m->n_ff));
    char key[128];
    snprintf(key, sizeof key, "%s.attention.head_count", L->arch);
    const nuri_gguf_kv *hc = nuri_gguf_find(m->gguf, key);
    if (hc && hc->type == NURI_GGUF_ARRAY)
        return nuri_fail(L->err, NURI_ERR_UNSUPPORTED, "%s: per-layer head counts are not supported", L->path);
    TRY(key_u32(L, "attention.head_count", true, 0, &m->n_head));
    if (m->n_embd <= 0 || m->n_layer <= 0 || m->n_head <= 0 || m->n_ff <= 0)
        return nuri_fail(L->err, NURI_ERR_FORMAT, "%s: embedding length, block count, head count and feed-forward length must be positive", L->path);
    TRY(key_u32(L, "attention.head_count_kv", false, (uint32_t)m->n_head, &m->n_head_kv));
    TRY(key_u32(L, "context_length", false, 2048, &m->n_ctx_train));
    TRY(key_u32(L, "attention.key_length", false, (uint32_t)(m->n_embd / m->n_head), &m->head_dim));
    int v_len = 0;
    TRY(key_u32(L, "attention.value_length", false, (uint32_t)m->head_dim, &v_len));
    if (v_len != m->head_dim)
        return nuri_fail(L->err, NURI_ERR_UNSUPPORTED, "%s: key length %d != value length %d", L->path, m->head_dim, v_len);
    TRY(key_u32(L, "rope.dimension_count", false, (uint32_t)m->head_dim, &m->n_rot));
    if (m->n_head_kv <= 0 || m->n_head % m->n_head_kv != 0 || m->head_dim <= 0 || m->n_rot > m->head_dim ||
        m->n_rot % 2 != 0 || m->n_ctx_train <= 0)
        return nuri_fail(L->err, NURI_ERR_FORMAT,
                         "%s: inconsistent attention shape (heads %d, kv heads %d, head dim %d, rope dims %d)",
                         L->path, m->n_head, m->n_head_kv, m->head_dim, m->n_rot);
    TRY(key_f32(L, "attention.layer_norm_rms_epsilon", 1e-5f, &m->eps));

    float base, factor = 0.0f;
    TRY(key_f32(L, "rope.freq_base", 10000.0f, &base));
    snprintf(key, sizeof key, "%s.rope.scaling.type", L->arch);
    nuri_str stype;
    if (nuri_gguf_get_str(m->gguf, key, &stype, NULL) == NURI_OK && !nuri_str_eq(stype, "none") &&
        !nuri_str_eq(stype, "linear"))
        return nuri_fail(L->err, NURI_ERR_UNSUPPORTED, "%s: rope scaling '%.*s' is not supported",
                         L->path, (int)stype.len, stype.ptr);
    TRY(key_f32(L, "rope.scaling.factor", 0.0f, &factor));
    if (factor == 0.0f) TRY(key_f32(L, "rope.scale_linear", 0.0f, &factor));
    float scale = factor == 0.0f ? 1.0f : 1.0f / factor;

    /* Sliding windows, as the reference decides them per family. */
    int pattern = 0;
    bool have_swa = false;
    if (!strcmp(L->arch, "gemma3")) {
        TRY(key_u32(L, "attention.sliding_window", false, 0, &m->n_swa));
        have_swa = m->n_swa > 0;
        pattern = 6;
    } else if (!strcmp(L->arch, "exaone4") && m->n_layer == 64) {
        /* The reference enables EXAONE 4's hybrid attention only for the 32B layout. */
        m->n_swa = 4096;
        TRY(key_u32(L, "attention.sliding_window", false, 4096, &m->n_swa));
        have_swa = m->n_swa > 0;
        pattern = 4;
    }
    float base_swa = 10000.0f;
    char pkey[128];
    snprintf(pkey, sizeof pkey, "%s.attention.sliding_window_pattern", L->arch);
    const nuri_gguf_kv *pk = nuri_gguf_find(m->gguf, pkey);
    if (have_swa) {
        /* The pattern is either a period (every pattern-th layer global) or a per-layer array. */
        if (!pk || pk->type != NURI_GGUF_ARRAY)
            TRY(key_u32(L, "attention.sliding_window_pattern", false, (uint32_t)pattern, &pattern));
        if (!strcmp(L->arch, "exaone4")) base_swa = base;
        TRY(key_f32(L, "rope.freq_base_swa", base_swa, &base_swa));
    }
    for (int il = 0; il < m->n_layer; il++) {
        nuri_layer *l = &m->layers[il];
        l->swa = have_swa && (pattern == 0 || il % pattern < pattern - 1);
        l->use_rope = strcmp(L->arch, "exaone4") != 0 || !have_swa || l->swa;
        l->rope_base = l->swa ? base_swa : base;
        l->rope_scale = l->swa ? 1.0f : scale;
    }
    if (have_swa && pk && pk->type == NURI_GGUF_ARRAY) {
        {
            if (pk->arr_len != (uint64_t)m->n_layer)
                return nuri_fail(L->err, NURI_ERR_FORMAT, "%s: %s has %llu entries for %d layers",
                                 L->path, pkey, (unsigned long long)pk->arr_len, m->n_layer);
            for (int il = 0; il < m->n_layer; il++) {
                m->layers[il].swa = nuri_gguf_arr_int(pk, (uint64_t)il) != 0;
                m->layers[il].rope_base = m->layers[il].swa ? base_swa : base;
                m->layers[il].rope_scale = m->layers[il].swa ? 1.0f : scale;
            }
        }
    }

    m->kq_scale = 1.0f / sqrtf((float)m->head_dim);
    m->q_scale = 1.0f;
    if (!strcmp(L->arch, "gemma3")) {
        /* Gemma scales the query instead of the scores (and by n_embd/n_head for 27B). */
        m->q_scale = m->n_layer == 62 ? 1.0f / sqrtf((float)(m->n_embd / m->n_head)) : m->kq_scale;
        m->kq_scale = 1.0f;
        m->embd_mul = sqrtf((float)m->n_embd);
    } else {
        m->embd_mul = 1.0f;
    }
    TRY(key_f32(L, "final_logit_softcapping", 0.0f, &m->logit_softcap));
    return NURI_OK;
}

static nuri_status load_weights(loader *L) {
    nuri_model *m = L->m;
    const nuri_arch *a = m->arch;
    nuri_status st = NURI_OK;
    const nuri_gguf_tensor *te = find(L, "token_embd.weight", true, &st);
    if (!te) return st;
    TRY(matrix(L, "token_embd.weight", m->n_embd, -1, true, &m->tok_embd));
    m->n_vocab = (int)m->tok_embd.n_out;
    if (m->tok_embd.n_out <= 0 || m->tok_embd.n_out > (1 << 24))
        return nuri_fail(L->err, NURI_ERR_FORMAT, "%s: absurd vocabulary size %lld", L->path,
                         (long long)m->tok_embd.n_out);
    TRY(vector(L, "output_norm.weight", m->n_embd, true, &m->output_norm));
    TRY(matrix(L, "output.weight", m->n_embd, m->n_vocab, false, &m->output));
    if (!m->output.data) m->output = m->tok_embd;
    const nuri_gguf_tensor *rf = nuri_gguf_find_tensor(m->gguf, "rope_freqs.weight");
    if (rf) TRY(vector(L, "rope_freqs.weight", m->n_rot / 2, true, &m->rope_freqs));

    const int64_t d = m->n_embd, q_dim = (int64_t)m->n_head * m->head_dim,
                  kv_dim = (int64_t)m->n_head_kv * m->head_dim, ff = m->n_ff;
    for (int il = 0; il < m->n_layer; il++) {
        nuri_layer *l = &m->layers[il];
        char n[96];
#define NAME(s) (snprintf(n, sizeof n, "blk.%d.%s", il, s), n)
        TRY(matrix(L, NAME("attn_q.weight"), d, q_dim, true, &l->wq));
        TRY(matrix(L, NAME("attn_k.weight"), d, kv_dim, true, &l->wk));
        TRY(matrix(L, NAME("attn_v.weight"), d, kv_dim, true, &l->wv));
        TRY(matrix(L, NAME("attn_output.weight"), q_dim, d, true, &l->wo));
        TRY(matrix(L, NAME("ffn_gate.weight"), d, ff, true, &l->w_gate));
        TRY(matrix(L, NAME("ffn_up.weight"), d, ff, true, &l->w_up));
        TRY(matrix(L, NAME("ffn_down.weight"), ff, d, true, &l->w_down));
        if (a->pre_norms) {
            TRY(vector(L, NAME("attn_norm.weight"), d, true, &l->attn_norm));
            TRY(vector(L, NAME("ffn_norm.weight"), d, true, &l->ffn_norm));
        }
        if (a->post_norms) {
            TRY(vector(L, NAME("post_attention_norm.weight"), d, true, &l->post_attn_norm));
            TRY(vector(L, NAME("post_ffw_norm.weight"), d, true, &l->post_ffn_norm));
        }
        if (a->qk_norm) {
            TRY(vector(L, NAME("attn_q_norm.weight"), m->head_dim, true, &l->q_norm));
            TRY(vector(L, NAME("attn_k_norm.weight"), m->head_dim, true, &l->k_norm));
        }
        /* Biases are required for qwen2 and accepted wherever a file carries them. */
        TRY(vector(L, NAME("attn_q.bias"), q_dim, a->qkv_bias, &l->bq));
        TRY(vector(L, NAME("attn_k.bias"), kv_dim, a->qkv_bias, &l->bk));
        TRY(vector(L, NAME("attn_v.bias"), kv_dim, a->qkv_bias, &l->bv));
#undef NAME
    }
    return NURI_OK;
}

nuri_status nuri_model_load(const char *path, nuri_model **out, nuri_error *err) {
    *out = NULL;
    nuri_model *m = calloc(1, sizeof *m);
    if (!m) return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    nuri_status st = nuri_gguf_open(path, &m->gguf, err);
    if (st) {
        free(m);
        return st;
    }
    loader L = {m, path, {0}, err};
    nuri_str arch;
    st = nuri_gguf_get_str(m->gguf, "general.architecture", &arch, err);
    if (st == NURI_ERR_NOT_FOUND)
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: missing general.architecture", path);
    if (!st && !(m->arch = nuri_arch_find(arch.ptr, arch.len)))
        st = nuri_fail(err, NURI_ERR_UNSUPPORTED,
                       "%s: unsupported architecture '%.*s' (nuri runs llama, qwen2, qwen3, exaone, exaone4, gemma3)",
                       path, (int)(arch.len > 64 ? 64 : arch.len), arch.ptr);
    if (!st) {
        snprintf(L.arch, sizeof L.arch, "%s", m->arch->name);
        uint32_t n_layer = 0;
        char key[64];
        snprintf(key, sizeof key, "%s.block_count", L.arch);
        st = nuri_gguf_get_u32(m->gguf, key, &n_layer, err);
        if (!st && (n_layer == 0 || n_layer > 4096))
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s: absurd block count %u", path, n_layer);
        if (!st && !(m->layers = calloc(n_layer, sizeof *m->layers)))
            st = nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    }
    if (!st) st = load_hparams(&L);
    if (!st) st = load_weights(&L);
    if (st) {
        nuri_model_free(m);
        return st;
    }
    *out = m;
    return NURI_OK;
}

void nuri_model_free(nuri_model *m) {
    if (!m) return;
    for (int i = 0; i < m->n_owned; i++) free(m->owned[i]);
    free(m->owned);
    free(m->layers);
    nuri_gguf_close(m->gguf);
    free(m);
}

const nuri_gguf *nuri_model_gguf(const nuri_model *m) { return m->gguf; }
const char *nuri_model_arch(const nuri_model *m) { return m->arch->name; }
int nuri_model_n_vocab(const nuri_model *m) { return m->n_vocab; }
int nuri_model_n_embd(const nuri_model *m) { return m->n_embd; }
int nuri_model_n_layer(const nuri_model *m) { return m->n_layer; }
int nuri_model_n_ctx_train(const nuri_model *m) { return m->n_ctx_train; }

uint64_t nuri_model_weight_bytes(const nuri_model *m) {
    uint64_t total = m->owned_bytes;
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(m->gguf); i++)
        total += nuri_gguf_tensor_at(m->gguf, i)->nbytes;
    return total;
}
