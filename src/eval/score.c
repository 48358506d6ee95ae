/* The scoring primitives: log-likelihood of continuations with a shared, cached context;
 * greedy generation with stop strings; rolling log-likelihood. The scorer mirrors the
 * tokens in the context's KV cache so the choices of one question decode their shared
 * context once, and keeps the logits of the last context position apart, so a one-token
 * continuation costs no model call at all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/pystr.h"
#include "eval/sbuf.h"
#include "nuri/eval.h"

/* Rows of logits held at once: the vocabulary can be 262k wide. */
#define LOGIT_BUDGET (32u << 20)

struct nuri_scorer {
    nuri_ctx *ctx;
    const nuri_tokenizer *tok;
    int n_vocab, n_ctx, chunk;
    int32_t *kv; /* tokens in the KV cache, as far as this scorer knows */
    int n_kv;
    float *last; /* logits at position last_pos */
    int last_pos;
    float *rows; /* chunk x n_vocab */
};

nuri_status nuri_scorer_new(nuri_ctx *ctx, const nuri_tokenizer *tok, nuri_scorer **out,
                            nuri_error *err) {
    *out = NULL;
    nuri_scorer *s = calloc(1, sizeof *s);
    if (!s) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    s->ctx = ctx;
    s->tok = tok;
    s->n_vocab = nuri_model_n_vocab(nuri_ctx_model(ctx));
    s->n_ctx = nuri_ctx_n_ctx(ctx);
    s->chunk = (int)(LOGIT_BUDGET / ((size_t)s->n_vocab * sizeof(float)));
    if (s->chunk < 1) s->chunk = 1;
    if (s->chunk > 64) s->chunk = 64;
    s->kv = malloc((size_t)s->n_ctx * sizeof *s->kv);
    s->last = malloc((size_t)s->n_vocab * sizeof *s->last);
    s->rows = malloc((size_t)s->chunk * s->n_vocab * sizeof *s->rows);
    s->last_pos = -1;
    if (!s->kv || !s->last || !s->rows) {
        nuri_scorer_free(s);
        return nuri_fail(err, NURI_ERR_NOMEM, "out of memory for the scorer's logits");
    }
    nuri_ctx_truncate(ctx, 0);
    *out = s;
    return NURI_OK;
}

void nuri_scorer_free(nuri_scorer *s) {
    if (!s) return;
    free(s->kv);
    free(s->last);
    free(s->rows);
    free(s);
}

void nuri_scorer_reset(nuri_scorer *s) {
    nuri_ctx_truncate(s->ctx, 0);
    s->n_kv = 0;
    s->last_pos = -1;
}

static void cut(nuri_scorer *s, int n) {
    if (n < s->n_kv) {
        nuri_ctx_truncate(s->ctx, n);
        s->n_kv = n;
    }
    if (s->last_pos >= n) s->last_pos = -1;
}

/* Appends toks at the cache's end; logits (NULL: none) for the last token or all. */
static nuri_status feed(nuri_scorer *s, const int32_t *toks, int n, float *logits, bool all,
                        nuri_error *err) {
    nuri_batch b = {toks, n, logits, all, NULL};
    nuri_status st = nuri_decode(s->ctx, &b, err);
    if (st) {
        nuri_scorer_reset(s);
        return st;
    }
    memcpy(s->kv + s->n_kv, toks, (size_t)n * sizeof *toks);
    s->n_kv += n;
    return NURI_OK;
}

/* Makes the cache hold exactly toks[0..n) and s->last the logits at position n - 1. The
 * context is reused only when it is exactly the one held (the choices of one question);
 * anything else is decoded from position 0 in one call, so a document's numbers never
 * depend on which document came before it (a resumed run repeats an uninterrupted one
 * bit for bit: the engine's batched and one-row kernels round differently). */
static nuri_status hold(nuri_scorer *s, const int32_t *toks, int n, nuri_error *err) {
    if (n < 1 || n > s->n_ctx)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "%d tokens do not fit the %d-token context", n, s->n_ctx);
    int p = 0;
    while (p < n && p < s->n_kv && s->kv[p] == toks[p]) p++;
    if (p == n && s->last_pos == n - 1) {
        cut(s, n);
        return NURI_OK;
    }
    cut(s, 0);
    nuri_status st = feed(s, toks, n, s->last, false, err);
    if (st) return st;
    s->last_pos = n - 1;
    return NURI_OK;
}

/* log-softmax of row at tok, and whether tok is the (first) argmax. */
static double row_logprob(const float *row, int nv, int32_t tok, bool *is_max) {
    float mx = row[0];
    int am = 0;
    for (int i = 1; i < nv; i++)
        if (row[i] > mx) {
            mx = row[i];
            am = i;
        }
    double sum = 0;
    for (int i = 0; i < nv; i++) sum += expf(row[i] - mx);
    *is_max = am == tok;
    return (double)row[tok] - mx - log(sum);
}

static int argmax(const float *row, int nv) {
    int am = 0;
    for (int i = 1; i < nv; i++)
        if (row[i] > row[am]) am = i;
    return am;
}

/* One continuation after a context of n tokens that hold() has put in place. */
static nuri_status score_one(nuri_scorer *s, int n, const int32_t *cont, int m, nuri_ll *out,
                             nuri_error *err) {
    out->ll = 0;
    out->is_greedy = true;
    out->n_tokens = m;
    if (m == 0) return NURI_OK;
    bool mx;
    for (int i = 0; i < m; i++)
        if (cont[i] < 0 || cont[i] >= s->n_vocab)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "token id %d is outside the vocabulary", cont[i]);
    out->ll = row_logprob(s->last, s->n_vocab, cont[0], &mx);
    out->is_greedy = mx;
    if (m == 1) return NURI_OK;
    cut(s, n);
    for (int i = 0; i < m - 1; i += s->chunk) {
        int c = m - 1 - i < s->chunk ? m - 1 - i : s->chunk;
        nuri_status st = feed(s, cont + i, c, s->rows, true, err);
        if (st) return st;
        for (int r = 0; r < c; r++) {
            out->ll += row_logprob(s->rows + (size_t)r * s->n_vocab, s->n_vocab, cont[i + r + 1], &mx);
            out->is_greedy = out->is_greedy && mx;
        }
    }
    return NURI_OK;
}

nuri_status nuri_score_tokens(nuri_scorer *s, const int32_t *ctx, size_t n_ctx,
                              const int32_t *const *conts, const size_t *n_conts, int n,
                              nuri_ll *out, nuri_error *err) {
    if (n_ctx == 0) return nuri_fail(err, NURI_ERR_INVALID_ARG, "an empty context has no logits to start from");
    nuri_status st = NURI_OK;
    for (int j = 0; j < n && !st; j++) {
        const int32_t *c = ctx;
        int nc = (int)n_ctx, m = (int)n_conts[j];
        if (nc + m - 1 > s->n_ctx) {
            /* lm-eval: (context + continuation)[-(n_ctx + 1):][:-1] */
            int drop = nc + m - 1 - s->n_ctx;
            if (drop >= nc) {
                st = nuri_fail(err, NURI_ERR_INVALID_ARG, "a %d-token continuation does not fit the %d-token context",
                               m, s->n_ctx);
                break;
            }
            c = ctx + drop;
            nc -= drop;
        }
        if ((st = hold(s, c, nc, err))) break;
        st = score_one(s, nc, conts[j], m, &out[j], err);
    }
    return st;
}

nuri_status nuri_eval_encode_pair(const nuri_tokenizer *tok, const char *context,
                                  const char *continuation, int32_t **ctx_ids, size_t *n_ctx,
                                  int32_t **cont_ids, size_t *n_cont, nuri_error *err) {
    *ctx_ids = *cont_ids = NULL;
    *n_ctx = *n_cont = 0;
    nuri_status st;
    if (!*context) {
        int32_t prefix = nuri_token_bos(tok) >= 0 ? nuri_token_bos(tok) : nuri_token_eos(tok);
        if (prefix < 0) return nuri_fail(err, NURI_ERR_UNSUPPORTED, "an empty context needs a BOS or EOS token");
        int32_t *c;
        size_t m;
        if ((st = nuri_tokenize(tok, continuation, strlen(continuation), false, false, &c, &m, err))) return st;
        int32_t *x = malloc(sizeof *x);
        if (!x) {
            free(c);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        if (m > 0 && c[0] == prefix) {
            memmove(c, c + 1, (m - 1) * sizeof *c);
            m--;
        }
        x[0] = prefix;
        *ctx_ids = x;
        *n_ctx = 1;
        *cont_ids = c;
        *n_cont = m;
        return NURI_OK;
    }
    size_t cl = strlen(context), keep = py_rstrip_len(context, cl), kl = strlen(continuation);
    char *whole = malloc(cl + kl + 1);
    if (!whole) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    memcpy(whole, context, cl);
    memcpy(whole + cl, continuation, kl + 1);
    int32_t *a = NULL, *w = NULL;
    size_t na = 0, nw = 0;
    st = nuri_tokenize(tok, whole, keep, true, false, &a, &na, err);
    if (!st) st = nuri_tokenize(tok, whole, cl + kl, true, false, &w, &nw, err);
    free(whole);
    if (st) {
        free(a);
        free(w);
        return st;
    }
    size_t m = nw > na ? nw - na : 0;
    memmove(w, w + (nw - m), m * sizeof *w);
    *ctx_ids = a;
    *n_ctx = na;
    *cont_ids = w;
    *n_cont = m;
    return NURI_OK;
}

nuri_status nuri_score_choices(nuri_scorer *s, const char *context, const char *const *conts,
                               int n, nuri_ll *out, nuri_error *err) {
    nuri_status st = NURI_OK;
    for (int j = 0; j < n && !st; j++) {
        int32_t *c, *k;
        size_t nc, nk;
        if ((st = nuri_eval_encode_pair(s->tok, context, conts[j], &c, &nc, &k, &nk, err))) break;
        const int32_t *kp = k;
        st = nuri_score_tokens(s, c, nc, &kp, &nk, 1, &out[j], err);
        free(c);
        free(k);
    }
    return st;
}

/* Earliest occurrence of any stop string in t[0..len), or len. */
static size_t first_stop(const char *t, size_t len, const char *const *stops, int n) {
    size_t best = len;
    for (int i = 0; i < n; i++) {
        size_t sl = strlen(stops[i]);
        if (!sl) continue;
        for (size_t p = 0; p + sl <= len && p < best; p++)
            if (!memcmp(t + p, stops[i], sl)) {
                best = p;
                break;
            }
    }
    return best;
}

nuri_status nuri_generate_until(nuri_scorer *s, const char *context, const char *const *stops,
                                int n_stops, int max_tokens, char **text, int *n_generated,
                                nuri_error *err) {
    *text = NULL;
    *n_generated = 0;
    if (max_tokens < 1 || max_tokens >= s->n_ctx)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "max_tokens %d must be in 1..%d", max_tokens, s->n_ctx - 1);
    int32_t *toks;
    size_t n;
    nuri_status st = nuri_tokenize(s->tok, context, strlen(context), true, false, &toks, &n, err);
    if (st) return st;
    if (n == 0) {
        free(toks);
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "an empty prompt");
    }
    size_t room = (size_t)(s->n_ctx - max_tokens), off = n > room ? n - room : 0;
    nuri_detok *d = NULL;
    sbuf out = {0};
    st = hold(s, toks + off, (int)(n - off), err);
    if (!st) st = nuri_detok_new(s->tok, false, &d, err);
    bool stopped = false;
    for (int i = 0; !st && i < max_tokens; i++) {
        int32_t id = argmax(s->last, s->n_vocab);
        if (nuri_token_is_eog(s->tok, id)) break;
        const char *piece;
        size_t pl;
        if ((st = nuri_detok_push(d, id, &piece, &pl, err))) break;
        sb_put(&out, piece, pl);
        (*n_generated)++;
        if (first_stop(out.data ? out.data : "", out.len, stops, n_stops) < out.len) {
            stopped = true;
            break;
        }
        if (i + 1 == max_tokens || s->n_kv + 1 > s->n_ctx) break;
        if ((st = feed(s, &id, 1, s->last, false, err))) break;
        s->last_pos = s->n_kv - 1;
    }
    if (!st && !stopped && d) {
        const char *piece;
        size_t pl;
        nuri_detok_flush(d, &piece, &pl);
        sb_put(&out, piece, pl);
    }
    nuri_detok_free(d);
    free(toks);
    if (!st && out.oom) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (st) {
        sb_free(&out);
        return st;
    }
    sb_cstr(&out);
    out.len = first_stop(out.data, out.len, stops, n_stops);
    out.data[out.len] = 0;
    *text = out.data;
    return NURI_OK;
}

nuri_status nuri_score_rolling(nuri_scorer *s, const char *text, size_t len, nuri_rolling *out,
                               nuri_error *err) {
    memset(out, 0, sizeof *out);
    int32_t prefix = nuri_token_bos(s->tok) >= 0 ? nuri_token_bos(s->tok) : nuri_token_eos(s->tok);
    if (prefix < 0) return nuri_fail(err, NURI_ERR_UNSUPPORTED, "rolling windows need a BOS or EOS token");
    int32_t *toks;
    size_t n;
    nuri_status st = nuri_tokenize(s->tok, text, len, false, false, &toks, &n, err);
    if (st) return st;
    size_t w = (size_t)s->n_ctx;
    for (size_t start = 0; start < n && !st; start += w) {
        size_t m = n - start < w ? n - start : w;
        int32_t first = start ? toks[start - 1] : prefix;
        nuri_ll r;
        if ((st = hold(s, &first, 1, err))) break;
        /* Only the continuation's own positions count: the window is cut off the one
         * context token, so the cache never holds more than n_ctx tokens. */
        st = score_one(s, 1, toks + start, (int)m, &r, err);
        out->ll += r.ll;
        out->n_tokens += (long long)m;
        out->n_windows++;
    }
    free(toks);
    return st;
}
