/* nuri: the generation loop shared by run, chat, the server and eval: feed a prompt,
 * then sample, stream and stop. */
#ifndef NURI_GENERATE_H
#define NURI_GENERATE_H

#include <signal.h>

#include "nuri/model.h"
#include "nuri/sample.h"
#include "nuri/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    NURI_STOP_LENGTH,  /* n_predict tokens generated */
    NURI_STOP_EOG,     /* an end-of-generation token */
    NURI_STOP_CALLER,  /* on_token returned false, or *cancel was set */
    NURI_STOP_CONTEXT, /* the context is full */
} nuri_stop_reason;

typedef struct {
    int n_predict;            /* maximum new tokens */
    bool ignore_eog;          /* keep going past end-of-generation tokens */
    nuri_sampler_params sampling;
    /* Called for every generated token with the text that became complete (may be
     * empty while a UTF-8 sequence is incomplete; always valid UTF-8). Return false to
     * stop. A last call with id -1 carries text still held when generation ends.
     * NULL: no callback. */
    bool (*on_token)(void *user, int32_t id, const char *text, size_t len);
    void *user;
    /* Set to non-zero (e.g. from a signal handler) to stop before the next token. */
    const volatile sig_atomic_t *cancel;
} nuri_gen_params;

typedef struct {
    int n_prompt, n_generated;
    double prompt_ms, gen_ms;
    nuri_stop_reason stop;
} nuri_gen_result;

nuri_gen_params nuri_gen_default_params(void);

/* Appends prompt to the context (which may already hold earlier turns) and generates.
 * tok may be NULL (no text, no end-of-generation detection). */
nuri_status nuri_generate(nuri_ctx *c, const nuri_tokenizer *tok, const int32_t *prompt,
                          size_t n_prompt, const nuri_gen_params *p, nuri_gen_result *res,
                          nuri_error *err);

/* Monotonic milliseconds, for timing. */
double nuri_now_ms(void);

#ifdef __cplusplus
}
#endif
#endif
