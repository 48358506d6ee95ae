/* What the model loader produces and the forward pass consumes. */
#ifndef NURI_MODEL_INTERNAL_H
#define NURI_MODEL_INTERNAL_H

#include "nuri/model.h"

/* A weight matrix of n_out rows, each n_in elements of `type` (GGUF shape [n_in, n_out]). */
typedef struct {
    const void *data;
    nuri_type type;
    int64_t n_in, n_out;
    size_t row_bytes;
} nuri_matrix;

typedef enum { NURI_ACT_SILU, NURI_ACT_GELU } nuri_act;

typedef struct {
    nuri_matrix wq, wk, wv, wo, w_gate, w_up, w_down;
    /* F32 vectors; NULL when the architecture has no such tensor. */
    const float *attn_norm, *ffn_norm, *q_norm, *k_norm, *post_attn_norm, *post_ffn_norm;
    const float *bq, *bk, *bv;
    bool swa;        /* sliding-window (local) attention layer */
    bool use_rope;   /* EXAONE 4 global layers have no positional encoding */
    float rope_base; /* per layer: Gemma 3 local layers use another base */
    float rope_scale;
} nuri_layer;

/* Per-architecture choices, set once by the loader from the architecture name. */
typedef struct {
    const char *name;
    bool rope_neox;      /* rotate (x[i], x[i + n_rot/2]) instead of (x[2i], x[2i+1]) */
    bool qkv_bias;       /* qwen2 */
    bool qk_norm;        /* qwen3, exaone4, gemma3 */
    bool pre_norms;      /* attn_norm / ffn_norm before the blocks (all but exaone4) */
    bool post_norms;     /* attn_post_norm / ffn_post_norm after the blocks */
    bool embd_scale;     /* gemma: embeddings times sqrt(n_embd) */
    nuri_act act;
} nuri_arch;

struct nuri_model {
    nuri_gguf *gguf;
    const nuri_arch *arch;
    int n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_rot, n_ctx_train;
    int n_swa;           /* sliding window in tokens (0: none) */
    float eps;
    float q_scale;       /* applied to Q before attention (gemma3), else 1 */
    float kq_scale;      /* applied to Q.K inside the softmax */
    float logit_softcap; /* 0: none */
    float embd_mul;      /* 1 or sqrt(n_embd) */
    const float *rope_freqs; /* n_rot/2 frequency divisors (llama3 scaling), or NULL */
    nuri_matrix tok_embd, output;
    const float *output_norm;
    nuri_layer *layers;
    float **owned;       /* vectors converted to F32 at load */
    int n_owned;
    uint64_t owned_bytes;
};

const nuri_arch *nuri_arch_find(const char *name, size_t len);

#endif
