/* What the training files share: the config key table, the trainer and its buffers. */
#ifndef NURI_TRAIN_INTERNAL_H
#define NURI_TRAIN_INTERNAL_H

#include "base/pool.h"
#include "nuri/train.h"
#include "train/gemm.h"

typedef enum { TR_INT, TR_FLOAT, TR_DOUBLE, TR_BOOL, TR_U64 } tr_kind;

typedef struct {
    const char *name;
    tr_kind kind;
    size_t off;
    double lo, hi;
    bool must_match; /* a checkpoint only resumes under the same value */
} tr_key;

extern const tr_key tr_keys[];
extern const int tr_n_keys;
const tr_key *tr_key_find(const char *name);
void tr_key_format(const tr_key *k, const nuri_train_config *c, char *buf, size_t n);
/* Parses key=value text in place (comments and blank lines allowed). */
nuri_status nuri_train_config_parse(nuri_train_config *c, char *text, const char *name,
                                    nuri_error *err);

/* Everything the layer functions need to run: threads, the matrix kernel and scratch. */
typedef struct {
    nuri_pool *pool;
    int n_threads;
    tr_ukernel_fn uk;
    float *packs;   /* TR_PACK_FLOATS per thread */
    float *scratch; /* scratch_per_thread floats per thread */
    size_t scratch_per_thread;
} tr_exec;

/* Pointers to one layer's tensors inside the parameter (or gradient) array. */
typedef struct {
    float *attn_norm, *wq, *wk, *wv, *wo, *ffn_norm, *w_gate, *w_up, *w_down;
} tr_layer_ptrs;

/* Activations one layer keeps from forward for backward. */
typedef struct {
    float *x_in, *rstd1, *h1, *q, *k, *v, *p, *o, *x_mid, *rstd2, *h2, *g, *u;
} tr_layer_acts;

/* Rows of logits computed at once: bounds the memory of the output layer. */
#define TR_LOGIT_ROWS 256
/* Gradients per partial sum of the global norm (fixed: the sum's order is too). */
#define TR_NORM_CHUNK 8192

struct nuri_trainer {
    nuri_train_config cfg;
    tr_exec ex;
    int n_tensors;
    nuri_train_tensor *tensors;
    uint64_t n_params;
    float *params, *grads, *m, *v;
    int step;
    /* data position: windows [0, index) of epoch `epoch`'s permutation are consumed */
    uint64_t epoch, index;
    uint64_t tokens_seen;

    /* one micro-batch of batch x context tokens */
    int n_rows;
    float *rope_cs;        /* context x head_dim: cos, sin per position and pair */
    tr_layer_acts *acts;   /* per layer */
    float *x;              /* running residual stream, then the final residual */
    float *rstd_f, *hf, *logits;
    double *loss_rows;
    float *dx, *dh, *dq, *dk, *dv, *d_o, *da, *du, *a;
    int32_t *in_tok, *tgt_tok;
    double *norm_parts;    /* one partial sum of squares per TR_NORM_CHUNK gradients */
    uint32_t *perm;        /* window order of the current epoch */
    uint64_t n_perm;
    uint32_t *batch_tok;   /* batch x (context + 1) ids of the current micro-batch */
    size_t act_floats;
    float *act_block;      /* owns every activation buffer above */
};

/* Parameter layout and pointers. */
nuri_status tr_layout(const nuri_train_config *c, nuri_train_tensor **tensors, int *n,
                      uint64_t *n_params, nuri_error *err);
tr_layer_ptrs tr_layer(const nuri_trainer *t, float *base, int il);
float *tr_tensor_ptr(const nuri_trainer *t, float *base, const char *name);
/* Floats of activations and scratch for one micro-batch. */
size_t tr_act_floats(const nuri_train_config *c);
size_t tr_scratch_floats(const nuri_train_config *c);

/* Runs fn(ctx, ith, nth) on every thread of ex. */
void tr_parallel(const tr_exec *ex, nuri_task_fn fn, void *ctx);
void tr_matmul(const tr_exec *ex, const tr_gemm_op *g);

/* Deterministic random numbers: splitmix64 for seeding, xoshiro256** for streams. */
typedef struct {
    uint64_t s[4];
} tr_rng;
void tr_rng_seed(tr_rng *r, uint64_t seed, uint64_t stream);
uint64_t tr_rng_next(tr_rng *r);
/* Uniform in [0, n). */
uint64_t tr_rng_below(tr_rng *r, uint64_t n);
double tr_rng_normal(tr_rng *r);

/* Word-wise 64-bit checksum of a byte range, chained through h. */
uint64_t tr_hash(uint64_t h, const void *data, size_t n);

#endif
