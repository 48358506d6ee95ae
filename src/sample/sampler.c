#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/sample.h"

typedef struct {
    int32_t id;
    float logit;
    float p;
} cand;

struct nuri_sampler {
    nuri_sampler_params p;
    int n_vocab;
    uint64_t rng[4];
    int32_t *recent; /* ring of the last repeat_last_n tokens */
    int n_recent, head;
    int *counts;     /* scratch for penalties */
    cand *cands;
};

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** */
static uint64_t next_u64(uint64_t *s) {
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static double uniform(uint64_t *s) { return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0); }

nuri_sampler_params nuri_sampler_default_params(void) {
    nuri_sampler_params p = {0.0f, 40, 0.95f, 0.05f, 1.0f, 64, 0.0f, 0.0f, 0};
    return p;
}

nuri_status nuri_sampler_validate(const nuri_sampler_params *p, nuri_error *err) {
    if (!(p->temperature >= 0.0f) || p->temperature > 100.0f)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "temperature %g is outside [0, 100]", p->temperature);
    if (p->top_k < 0) return nuri_fail(err, NURI_ERR_INVALID_ARG, "top-k %d is negative", p->top_k);
    if (!(p->top_p > 0.0f && p->top_p <= 1.0f))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "top-p %g is outside (0, 1]", p->top_p);
    if (!(p->min_p >= 0.0f && p->min_p <= 1.0f))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "min-p %g is outside [0, 1]", p->min_p);
    if (!(p->repeat_penalty > 0.0f && p->repeat_penalty <= 10.0f))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "repeat penalty %g is outside (0, 10]", p->repeat_penalty);
    if (p->repeat_last_n < 0 || p->repeat_last_n > (1 << 20))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "repeat window %d is out of range", p->repeat_last_n);
    if (!(fabsf(p->presence_penalty) <= 2.0f) || !(fabsf(p->frequency_penalty) <= 2.0f))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "presence and frequency penalties must be within [-2, 2]");
    return NURI_OK;
}

void nuri_sampler_reset(nuri_sampler *s) {
    uint64_t x = s->p.seed;
    for (int i = 0; i < 4; i++) s->rng[i] = splitmix64(&x);
    s->n_recent = s->head = 0;
}

nuri_status nuri_sampler_new(const nuri_sampler_params *p, int n_vocab, nuri_sampler **out,
                             nuri_error *err) {
    *out = NULL;
    nuri_status st = nuri_sampler_validate(p, err);
    if (st) return st;
    if (n_vocab <= 0) return nuri_fail(err, NURI_ERR_INVALID_ARG, "vocabulary size %d", n_vocab);
    nuri_sampler *s = calloc(1, sizeof *s);
    if (!s) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    s->p = *p;
    s->n_vocab = n_vocab;
    s->recent = malloc(sizeof(int32_t) * (size_t)(p->repeat_last_n ? p->repeat_last_n : 1));
    s->counts = calloc((size_t)n_vocab, sizeof(int));
    s->cands = malloc(sizeof(cand) * (size_t)n_vocab);
    if (!s->recent || !s->counts || !s->cands) {
        nuri_sampler_free(s);
        return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    nuri_sampler_reset(s);
    *out = s;
    return NURI_OK;
}

void nuri_sampler_free(nuri_sampler *s) {
    if (!s) return;
    free(s->recent);
    free(s->counts);
    free(s->cands);
    free(s);
}

void nuri_sampler_accept(nuri_sampler *s, int32_t id) {
    if (s->p.repeat_last_n == 0 || id < 0 || id >= s->n_vocab) return;
    s->recent[s->head] = id;
    s->head = (s->head + 1) % s->p.repeat_last_n;
    if (s->n_recent < s->p.repeat_last_n) s->n_recent++;
}

static void apply_penalties(nuri_sampler *s, float *logits) {
    const nuri_sampler_params *p = &s->p;
    if (s->n_recent == 0 ||
        (p->repeat_penalty == 1.0f && p->presence_penalty == 0.0f && p->frequency_penalty == 0.0f))
        return;
    for (int i = 0; i < s->n_recent; i++) s->counts[s->recent[i]]++;
    for (int i = 0; i < s->n_recent; i++) {
        int32_t id = s->recent[i];
        int c = s->counts[id];
        if (c == 0) continue; /* already handled */
        float *l = &logits[id];
        *l = *l > 0 ? *l / p->repeat_penalty : *l * p->repeat_penalty;
        *l -= (float)c * p->frequency_penalty + p->presence_penalty;
        s->counts[id] = 0;
    }
}

static int by_logit_desc(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->logit != y->logit) return x->logit < y->logit ? 1 : -1;
    return x->id - y->id; /* ties broken by id, so the order is deterministic */
}

int32_t nuri_sample(nuri_sampler *s, float *logits) {
    const nuri_sampler_params *p = &s->p;
    apply_penalties(s, logits);
    int best = 0;
    for (int v = 1; v < s->n_vocab; v++)
        if (logits[v] > logits[best]) best = v;
    if (p->temperature <= 0.0f) return best;

    /* Candidates worth sorting: with top-k, the k best; otherwise everything within a
     * logit distance at which the probability ratio is below 1e-12 (nothing a draw
     * could pick). */
    const float floor = logits[best] - 28.0f * (p->temperature > 1.0f ? p->temperature : 1.0f);
    int n = 0;
    for (int v = 0; v < s->n_vocab; v++)
        if (logits[v] >= floor) s->cands[n++] = (cand){v, logits[v], 0.0f};
    qsort(s->cands, (size_t)n, sizeof(cand), by_logit_desc);
    if (p->top_k > 0 && n > p->top_k) n = p->top_k;

    /* top-p and min-p on the untempered distribution, as the reference orders them. */
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += s->cands[i].p = expf(s->cands[i].logit - s->cands[0].logit);
    if (p->top_p < 1.0f) {
        double acc = 0.0;
        for (int i = 0; i < n; i++) {
            acc += s->cands[i].p / sum;
            if (acc >= p->top_p) {
                n = i + 1;
                break;
            }
        }
    }
    if (p->min_p > 0.0f) {
        int keep = 1;
        while (keep < n && s->cands[keep].p >= p->min_p) keep++; /* p is relative to the best */
        n = keep;
    }
    sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += s->cands[i].p = expf((s->cands[i].logit - s->cands[0].logit) / p->temperature);
    double r = uniform(s->rng) * sum;
    for (int i = 0; i < n; i++) {
        r -= s->cands[i].p;
        if (r < 0) return s->cands[i].id;
    }
    return s->cands[n - 1].id;
}
