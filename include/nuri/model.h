/* nuri: load a GGUF model and run its forward pass on the CPU.
 *
 * A nuri_model holds the mapped weights and hyper-parameters and is read-only after
 * loading, so several contexts (one per conversation or server slot) may share it. A
 * nuri_ctx owns a KV cache, scratch buffers and a thread pool. */
#ifndef NURI_MODEL_H
#define NURI_MODEL_H

#include "nuri/base.h"
#include "nuri/gguf.h"
#include "nuri/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nuri_model nuri_model;
typedef struct nuri_ctx nuri_ctx;

/* Architectures nuri runs (general.architecture): llama, qwen2, qwen3, exaone, exaone4,
 * gemma3. Anything else is NURI_ERR_UNSUPPORTED naming the file and the architecture. */
nuri_status nuri_model_load(const char *path, nuri_model **out, nuri_error *err);
void nuri_model_free(nuri_model *m);

const nuri_gguf *nuri_model_gguf(const nuri_model *m);
const char *nuri_model_arch(const nuri_model *m);
int nuri_model_n_vocab(const nuri_model *m);
int nuri_model_n_embd(const nuri_model *m);
int nuri_model_n_layer(const nuri_model *m);
int nuri_model_n_ctx_train(const nuri_model *m);
/* Bytes of weights (as stored) and of the buffers the model allocated itself. */
uint64_t nuri_model_weight_bytes(const nuri_model *m);

typedef struct {
    int n_threads; /* 0: all cores */
    int n_ctx;     /* 0: the model's training context, at most 4096 */
    int n_batch;   /* tokens per internal forward step; 0: 512 */
    bool kv_f32;   /* keep the KV cache in F32 instead of F16 (the reference's default) */
    int isa;       /* -1: best this CPU runs; else a nuri_isa to force */
} nuri_ctx_params;

nuri_ctx_params nuri_ctx_default_params(void);
nuri_status nuri_ctx_new(const nuri_model *m, const nuri_ctx_params *p, nuri_ctx **out,
                         nuri_error *err);
void nuri_ctx_free(nuri_ctx *c);

const nuri_model *nuri_ctx_model(const nuri_ctx *c);
int nuri_ctx_n_ctx(const nuri_ctx *c);
/* Tokens currently in the KV cache. */
int nuri_ctx_n_past(const nuri_ctx *c);
/* Forgets cache entries from position n on (n <= n_past), so a shared prefix can be
 * reused for several continuations. */
void nuri_ctx_truncate(nuri_ctx *c, int n);
const nuri_kernels *nuri_ctx_kernels(const nuri_ctx *c);

typedef struct {
    const int32_t *tokens;
    int n_tokens;
    float *logits;   /* NULL, or room for (logits_all ? n_tokens : 1) x n_vocab floats */
    bool logits_all; /* logits for every token instead of the last one only */
    float *hidden;   /* NULL, or n_tokens x n_embd: the final normalized hidden states */
} nuri_batch;

/* Appends the batch's tokens at positions n_past.. and computes what it asks for. A
 * token id outside the vocabulary or a full context is NURI_ERR_INVALID_ARG. */
nuri_status nuri_decode(nuri_ctx *c, const nuri_batch *b, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
