#include <stdlib.h>
#include <time.h>

#include "nuri/generate.h"

double nuri_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

nuri_gen_params nuri_gen_default_params(void) {
    nuri_gen_params p = {0};
    p.n_predict = 128;
    p.sampling = nuri_sampler_default_params();
    return p;
}

nuri_status nuri_generate(nuri_ctx *c, const nuri_tokenizer *tok, const int32_t *prompt,
                          size_t n_prompt, const nuri_gen_params *p, nuri_gen_result *res,
                          nuri_error *err) {
    nuri_gen_result r = {0};
    r.n_prompt = (int)n_prompt;
    if (n_prompt == 0) return nuri_fail(err, NURI_ERR_INVALID_ARG, "empty prompt");
    /* The model's vocabulary size rules (a tokenizer may list fewer entries). */
    const int n_vocab = nuri_model_n_vocab(nuri_ctx_model(c));
    nuri_sampler *s = NULL;
    nuri_detok *d = NULL;
    float *logits = NULL;
    nuri_status st = NURI_OK;
    if ((st = nuri_sampler_new(&p->sampling, n_vocab, &s, err))) goto done;
    if (tok && (st = nuri_detok_new(tok, false, &d, err))) goto done;
    if (!(logits = malloc(sizeof(float) * (size_t)n_vocab))) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_prompt; i++) nuri_sampler_accept(s, prompt[i]);
    double t0 = nuri_now_ms();
    nuri_batch b = {prompt, (int)n_prompt, logits, false, NULL};
    if ((st = nuri_decode(c, &b, err))) goto done;
    r.prompt_ms = nuri_now_ms() - t0;
    t0 = nuri_now_ms();
    r.stop = NURI_STOP_LENGTH;
    for (int i = 0; i < p->n_predict; i++) {
        if (p->cancel && *p->cancel) {
            r.stop = NURI_STOP_CALLER;
            break;
        }
        int32_t id = nuri_sample(s, logits);
        nuri_sampler_accept(s, id);
        r.n_generated++;
        bool eog = tok && !p->ignore_eog && nuri_token_is_eog(tok, id);
        const char *text = "";
        size_t len = 0;
        if (d && !eog && (st = nuri_detok_push(d, id, &text, &len, err))) goto done;
        if (eog && d) nuri_detok_flush(d, &text, &len);
        if (p->on_token && !p->on_token(p->user, id, text, len)) {
            r.stop = NURI_STOP_CALLER;
            break;
        }
        if (eog) {
            r.stop = NURI_STOP_EOG;
            break;
        }
        if (i + 1 == p->n_predict) break;
        if (nuri_ctx_n_past(c) >= nuri_ctx_n_ctx(c)) {
            r.stop = NURI_STOP_CONTEXT;
            break;
        }
        nuri_batch nb = {&id, 1, logits, false, NULL};
        if ((st = nuri_decode(c, &nb, err))) goto done;
    }
    if (d && r.stop != NURI_STOP_EOG) {
        const char *text;
        size_t len;
        nuri_detok_flush(d, &text, &len);
        if (len && p->on_token) p->on_token(p->user, -1, text, len);
    }
    r.gen_ms = nuri_now_ms() - t0;
done:
    if (res) *res = r;
    free(logits);
    nuri_detok_free(d);
    nuri_sampler_free(s);
    return st;
}
