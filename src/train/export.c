/* Export of the trained weights as a GGUF "llama" model that nuri and the reference load:
 * the architecture's metadata, the tokenizer's metadata copied from a tokenizer GGUF,
 * matrices in the requested type and norm vectors in F32. */
#include <stdlib.h>
#include <string.h>

#include "nuri/gguf.h"
#include "nuri/tensor.h"
#include "train/internal.h"

/* llama_ftype values the reference records in general.file_type. */
static int file_type_of(nuri_type t) {
    switch (t) {
    case NURI_TYPE_F32: return 0;
    case NURI_TYPE_F16: return 1;
    case NURI_TYPE_Q4_0: return 2;
    case NURI_TYPE_Q4_1: return 3;
    case NURI_TYPE_Q8_0: return 7;
    case NURI_TYPE_Q5_0: return 8;
    case NURI_TYPE_Q5_1: return 9;
    case NURI_TYPE_Q6_K: return 18;
    case NURI_TYPE_BF16: return 32;
    default: return -1;
    }
}

static nuri_status copy_tokenizer(nuri_gguf_writer *w, const char *path, int vocab, nuri_error *err) {
    nuri_gguf *g;
    nuri_status st = nuri_gguf_open(path, &g, err);
    if (st) return st;
    const nuri_gguf_kv *toks = NULL;
    if (nuri_gguf_get_arr(g, "tokenizer.ggml.tokens", NURI_GGUF_STRING, &toks, NULL) != NURI_OK) {
        nuri_gguf_close(g);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: no tokenizer.ggml.tokens: not a tokenizer", path);
    }
    const uint64_t n_tok = toks->arr_len;
    if (n_tok != (uint64_t)vocab) {
        nuri_gguf_close(g);
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: the tokenizer has %llu tokens but the model has vocab = %d",
                         path, (unsigned long long)n_tok, vocab);
    }
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g) && !st; i++) {
        const nuri_gguf_kv *kv = nuri_gguf_kv_at(g, i);
        if (kv->key.len > 10 && memcmp(kv->key.ptr, "tokenizer.", 10) == 0) {
            st = nuri_gguf_set_kv(w, kv);
            if (st) nuri_fail(err, st, "%s: cannot copy a tokenizer key", path);
        }
    }
    nuri_gguf_close(g);
    return st;
}

static nuri_status add_tensor(nuri_gguf_writer *w, const nuri_train_tensor *x, const float *data,
                              nuri_type type, nuri_error *err) {
    const nuri_type_info *ti = nuri_type_get(type);
    if (x->n_dims == 1 || type == NURI_TYPE_F32 || x->ne[0] % ti->block_size != 0)
        return nuri_gguf_add_tensor(w, x->name, NURI_TYPE_F32, (uint32_t)x->n_dims, x->ne, data, err);
    const size_t row = nuri_type_row_size(type, x->ne[0]);
    void *buf = malloc(row * (size_t)x->ne[1]);
    if (!buf) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    nuri_status st = NURI_OK;
    for (int64_t r = 0; r < x->ne[1] && !st; r++)
        st = nuri_quantize(type, data + r * x->ne[0], (char *)buf + (size_t)r * row, x->ne[0], err);
    if (!st) st = nuri_gguf_add_tensor(w, x->name, type, 2, x->ne, buf, err);
    free(buf);
    return st;
}

nuri_status nuri_trainer_export(const nuri_trainer *t, const char *tokenizer_gguf, nuri_type type,
                                const nuri_export_meta *meta, const char *path, nuri_error *err) {
    const nuri_train_config *c = &t->cfg;
    const nuri_type_info *ti = nuri_type_get(type);
    if (!ti || !ti->compute)
        return nuri_fail(err, NURI_ERR_UNSUPPORTED, "cannot export weights as type %u", (unsigned)type);
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    if (!w) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    const int hd = c->dim / c->heads;
    nuri_status st = NURI_OK;
    const int ft = file_type_of(type);
    const char *name = meta && meta->name && *meta->name ? meta->name : "nuri-train";
    const char *license = meta && meta->license && *meta->license ? meta->license : NULL;
    const char *url = meta && meta->source_url && *meta->source_url ? meta->source_url : NULL;
    if (nuri_gguf_set_str(w, "general.architecture", "llama") ||
        nuri_gguf_set_str(w, "general.name", name) ||
        (license && nuri_gguf_set_str(w, "general.license", license)) ||
        (url && nuri_gguf_set_str(w, "general.source.url", url)) ||
        (ft >= 0 && nuri_gguf_set_u32(w, "general.file_type", (uint32_t)ft)) ||
        nuri_gguf_set_u32(w, "llama.vocab_size", (uint32_t)c->vocab) ||
        nuri_gguf_set_u32(w, "llama.context_length", (uint32_t)c->context) ||
        nuri_gguf_set_u32(w, "llama.embedding_length", (uint32_t)c->dim) ||
        nuri_gguf_set_u32(w, "llama.block_count", (uint32_t)c->layers) ||
        nuri_gguf_set_u32(w, "llama.feed_forward_length", (uint32_t)c->ffn) ||
        nuri_gguf_set_u32(w, "llama.attention.head_count", (uint32_t)c->heads) ||
        nuri_gguf_set_u32(w, "llama.attention.head_count_kv", (uint32_t)c->kv_heads) ||
        nuri_gguf_set_u32(w, "llama.rope.dimension_count", (uint32_t)hd) ||
        nuri_gguf_set_f32(w, "llama.rope.freq_base", c->rope_base) ||
        nuri_gguf_set_f32(w, "llama.attention.layer_norm_rms_epsilon", c->norm_eps))
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (!st) st = copy_tokenizer(w, tokenizer_gguf, c->vocab, err);
    if (!st && meta && meta->chat_template && nuri_gguf_set_str(w, "tokenizer.chat_template", meta->chat_template))
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    for (int i = 0; i < t->n_tensors && !st; i++)
        st = add_tensor(w, &t->tensors[i], t->params + t->tensors[i].off, type, err);
    if (!st) st = nuri_gguf_writer_save(w, path, 32, err);
    nuri_gguf_writer_free(w);
    return st;
}
