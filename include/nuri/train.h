/* nuri: training a Llama-architecture decoder from token shards, on the CPU.
 *
 * The model is what nuri's forward pass runs for general.architecture "llama": token
 * embedding, per layer RMSNorm -> attention (RoPE on adjacent pairs, grouped-query heads,
 * causal) -> residual, RMSNorm -> SwiGLU feed-forward -> residual, a final RMSNorm and an
 * output matrix (or the embedding reused, "tied"). Weights, gradients and AdamW moments
 * are float32. Every reduction runs in a fixed order that does not depend on the number of
 * threads, so a run is a function of its configuration, its data and the machine's
 * instruction set (FMA or not) alone.
 *
 * Formats (config, token shards, checkpoints) are described in docs/train.md. */
#ifndef NURI_TRAIN_H
#define NURI_TRAIN_H

#include <signal.h>
#include <stdbool.h>

#include "nuri/base.h"
#include "nuri/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* architecture */
    int vocab, dim, layers, heads, kv_heads, ffn, context;
    bool tied;          /* output matrix = token embedding */
    float rope_base;    /* 10000 */
    float norm_eps;     /* 1e-5 */
    float init_std;     /* 0.02; output projections of each block get init_std/sqrt(2*layers) */
    /* optimization */
    int batch;          /* sequences of `context` tokens per micro-batch */
    int accum;          /* micro-batches per optimizer step */
    int steps;          /* optimizer steps in the whole run */
    int warmup;         /* linear warm-up steps */
    float lr;           /* peak learning rate */
    float lr_min_ratio; /* cosine decays to lr * lr_min_ratio at the last step */
    float weight_decay; /* decoupled (AdamW), on matrices and the embedding only */
    float beta1, beta2, adam_eps;
    float clip;         /* global gradient norm limit; 0: none */
    uint64_t seed;
    /* bookkeeping (free to change between a run and its resume) */
    int eval_interval;  /* steps between validation losses; 0: never */
    int eval_batches;   /* micro-batches of validation data per evaluation */
    int ckpt_interval;  /* steps between checkpoints; 0: only at the end */
    double max_memory_gb; /* refuse configurations estimated above this; 0: physical RAM */
} nuri_train_config;

void nuri_train_config_default(nuri_train_config *c);
/* Sets one key ("dim", "lr", ...; '-' and '_' are the same). Unknown keys and values
 * that do not parse or are out of range are NURI_ERR_INVALID_ARG naming the key. */
nuri_status nuri_train_config_set(nuri_train_config *c, const char *key, const char *value,
                                  nuri_error *err);
/* Reads a key=value file ('#' starts a comment, blank lines ignored). */
nuri_status nuri_train_config_load(nuri_train_config *c, const char *path, nuri_error *err);
/* Cross-field checks (heads divide dim, kv_heads divide heads, even head size, ...). */
nuri_status nuri_train_config_check(const nuri_train_config *c, nuri_error *err);
/* The configuration as key=value lines (malloc'd, NUL-terminated). */
char *nuri_train_config_format(const nuri_train_config *c);
/* Number of trainable floats. */
uint64_t nuri_train_n_params(const nuri_train_config *c);
/* Bytes a trainer with this configuration allocates (weights, gradients, moments,
 * activations, scratch), computed before anything is allocated. */
uint64_t nuri_train_memory_estimate(const nuri_train_config *c, int n_threads);
/* Forward-and-backward FLOPs per trained token (6 per weight plus attention). */
double nuri_train_flops_per_token(const nuri_train_config *c);

/* ---- token shards: "NURITOK1" header + little-endian uint32 ids ---- */
typedef struct nuri_shard nuri_shard;
/* Maps and validates path: header, size, every id < the header's vocab; empty files and
 * shards without a single token are NURI_ERR_FORMAT. */
nuri_status nuri_shard_open(const char *path, nuri_shard **out, nuri_error *err);
void nuri_shard_close(nuri_shard *s);
uint64_t nuri_shard_n_tokens(const nuri_shard *s);
uint32_t nuri_shard_vocab(const nuri_shard *s);
const uint32_t *nuri_shard_tokens(const nuri_shard *s);
/* Writes ids (each < vocab) as a shard, atomically. */
nuri_status nuri_shard_write(const char *path, uint32_t vocab, const uint32_t *ids, uint64_t n,
                             nuri_error *err);
/* Tokenizes a UTF-8 text file with the tokenizer of a GGUF file and writes a shard: each
 * non-empty line is a document, tokenized with the tokenizer's BOS (when it adds one)
 * and followed by its EOS. Empty input and invalid UTF-8 are NURI_ERR_FORMAT naming the
 * byte offset; nothing is written then. */
nuri_status nuri_shard_from_text(const char *tokenizer_gguf, const char *text_path,
                                 const char *out_path, uint64_t *n_tokens, uint64_t *n_docs,
                                 nuri_error *err);

/* ---- the trainer ---- */
typedef struct nuri_trainer nuri_trainer;

/* Checks the configuration and the memory estimate, then allocates and initializes the
 * weights from cfg->seed. n_threads 0: all cores. */
nuri_status nuri_trainer_new(const nuri_train_config *cfg, int n_threads, nuri_trainer **out,
                             nuri_error *err);
void nuri_trainer_free(nuri_trainer *t);
const nuri_train_config *nuri_trainer_config(const nuri_trainer *t);

/* The parameters, in one array; tensor i is named name and occupies n floats at off,
 * shape ne (GGUF order: ne[0] the row length). */
typedef struct {
    char name[48];
    uint64_t off, n;
    int n_dims;
    int64_t ne[2];
    bool decay; /* takes weight decay */
} nuri_train_tensor;
int nuri_trainer_n_tensors(const nuri_trainer *t);
const nuri_train_tensor *nuri_trainer_tensor(const nuri_trainer *t, int i);
float *nuri_trainer_params(nuri_trainer *t);
float *nuri_trainer_grads(nuri_trainer *t);

/* Mean next-token cross-entropy over n_seq sequences of context+1 tokens each
 * (inputs tokens[0..context), targets tokens[1..context]). With grads, adds
 * d(loss * grad_scale)/d(params) to the gradients (clear them with zero_grads). */
nuri_status nuri_trainer_forward_backward(nuri_trainer *t, const uint32_t *tokens, int n_seq,
                                          bool grads, float grad_scale, double *loss,
                                          nuri_error *err);
void nuri_trainer_zero_grads(nuri_trainer *t);
/* The learning rate of optimizer step `step` (0-based): linear warm-up over `warmup`
 * steps, then cosine decay to lr * lr_min_ratio at step steps-1. */
float nuri_train_lr(const nuri_train_config *c, int step);
/* Clips the gradients to the global norm cfg->clip and applies one AdamW update with
 * the learning rate of the current step; advances the step. *grad_norm: the norm
 * before clipping. */
void nuri_trainer_opt_step(nuri_trainer *t, double *grad_norm, float *lr);
int nuri_trainer_step(const nuri_trainer *t);

/* ---- the training loop ---- */
typedef struct {
    int step, steps;
    double loss;      /* mean training loss of this step */
    double val_loss;  /* NAN unless this step evaluated */
    double grad_norm;
    float lr;
    double tokens_per_s; /* since this process started or resumed */
    double eta_s;
    double elapsed_s;
    double cpu_s;        /* CPU time of the whole process (all threads) since it started */
} nuri_train_progress;

typedef struct {
    const nuri_shard *train;
    const nuri_shard *val;        /* NULL: no validation */
    const char *checkpoint;       /* NULL: none written */
    /* Called after every step; a non-zero return stops the run (a checkpoint is written). */
    int (*progress)(void *user, const nuri_train_progress *p);
    void *user;
    volatile sig_atomic_t *stop;  /* set asynchronously (SIGINT): checkpoint and stop */
} nuri_train_run_params;

/* Trains from the trainer's current step to cfg->steps, sampling context+1-token
 * windows of the training shard in a seeded random order (a new permutation each epoch),
 * writing checkpoints atomically every ckpt_interval steps and at the end.
 * NURI_ERR_INTERRUPTED when stopped early (the checkpoint is then up to date). */
nuri_status nuri_train_run(nuri_trainer *t, const nuri_train_run_params *p, nuri_error *err);
/* Whether a shard can feed this trainer: same vocabulary size, at least context+1 tokens. */
nuri_status nuri_trainer_check_shard(const nuri_trainer *t, const nuri_shard *s, const char *what,
                                     nuri_error *err);
/* Mean loss over the first eval_batches micro-batches of a shard's windows. */
nuri_status nuri_trainer_eval(nuri_trainer *t, const nuri_shard *s, double *loss,
                              nuri_error *err);

/* ---- checkpoints ---- */
/* Writes weights, AdamW moments, step and data position atomically (temporary file,
 * fsync, rename); a crash leaves the previous checkpoint or none, never a partial one. */
nuri_status nuri_trainer_save(const nuri_trainer *t, const char *path, nuri_error *err);
/* Restores a checkpoint into t. A file of another configuration (architecture or
 * optimization settings) is NURI_ERR_INVALID_ARG naming the first differing key; a
 * damaged one is NURI_ERR_FORMAT. t is unchanged on failure. */
nuri_status nuri_trainer_load(nuri_trainer *t, const char *path, nuri_error *err);
/* Reads only the configuration and step stored in a checkpoint (and checks the file). */
nuri_status nuri_checkpoint_info(const char *path, nuri_train_config *cfg, int *step,
                                 nuri_error *err);

/* ---- export ---- */
/* What the exported file says about itself (general.*); NULL fields are left out, except
 * the name, which defaults to "nuri-train". */
typedef struct {
    const char *name;        /* general.name */
    const char *license;     /* general.license, an SPDX identifier */
    const char *source_url;  /* general.source.url: where data and training are published */
    const char *chat_template; /* tokenizer.chat_template (Jinja), replacing the tokenizer's */
} nuri_export_meta;

/* Writes the weights as a GGUF "llama" model with the tokenizer.* metadata of
 * tokenizer_gguf (its vocabulary size must be cfg->vocab). Matrices are stored as `type`
 * (F32, F16, BF16, Q8_0, Q4_0, ... whatever nuri_quantize writes; a matrix whose rows do
 * not divide into its blocks stays F32); norm vectors are F32. meta may be NULL. */
nuri_status nuri_trainer_export(const nuri_trainer *t, const char *tokenizer_gguf, nuri_type type,
                                const nuri_export_meta *meta, const char *path, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
