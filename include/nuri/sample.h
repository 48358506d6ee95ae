/* nuri: choosing the next token from logits. The chain is the reference's default
 * order: penalties, top-k, top-p, min-p, temperature, then a draw from the remaining
 * distribution (or argmax when the temperature is 0). The random state lives in the
 * sampler, so the same seed and inputs give the same tokens. */
#ifndef NURI_SAMPLE_H
#define NURI_SAMPLE_H

#include "nuri/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    float temperature;       /* <= 0: greedy */
    int top_k;               /* 0: off */
    float top_p;             /* 1: off */
    float min_p;             /* 0: off */
    float repeat_penalty;    /* 1: off; divides positive / multiplies negative logits */
    int repeat_last_n;       /* how many recent tokens the penalties look at */
    float presence_penalty;  /* OpenAI-style: minus this once a token appeared */
    float frequency_penalty; /* minus this times the token's count */
    uint64_t seed;
} nuri_sampler_params;

typedef struct nuri_sampler nuri_sampler;

/* Greedy, with the reference's defaults for the other knobs (top-k 40, top-p 0.95,
 * min-p 0.05, repeat penalty 1, last 64 tokens, seed 0). */
nuri_sampler_params nuri_sampler_default_params(void);
/* Checks every parameter's range (NURI_ERR_INVALID_ARG naming it). */
nuri_status nuri_sampler_validate(const nuri_sampler_params *p, nuri_error *err);
nuri_status nuri_sampler_new(const nuri_sampler_params *p, int n_vocab, nuri_sampler **out,
                             nuri_error *err);
void nuri_sampler_free(nuri_sampler *s);
/* Picks a token from n_vocab logits (which it may modify). */
int32_t nuri_sample(nuri_sampler *s, float *logits);
/* Records a token (prompt or generated) for the penalties. */
void nuri_sampler_accept(nuri_sampler *s, int32_t id);
void nuri_sampler_reset(nuri_sampler *s);

#ifdef __cplusplus
}
#endif
#endif
