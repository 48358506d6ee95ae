/* nuri: a private, OpenAI-compatible HTTP server over one loaded model.
 *
 * The server borrows a loaded model and its tokenizer (both read-only and shared) and
 * runs n_parallel slots, each with its own context (KV cache and thread pool). Requests
 * wait in a bounded queue for a free slot. It listens on 127.0.0.1 unless told
 * otherwise, and refuses any non-loopback address unless an API key is set. It never
 * opens an outbound connection. docs/serve.md lists the routes and every limit. */
#ifndef NURI_SERVE_H
#define NURI_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "nuri/model.h"
#include "nuri/sample.h"
#include "nuri/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nuri_server nuri_server;

typedef struct {
    const char *host;        /* numeric IPv4/IPv6 address or "localhost"; default 127.0.0.1 */
    int port;                /* 0: any free port (nuri_serve_port tells which) */
    const char *api_key;     /* NULL or "": no authentication (loopback only) */
    const char *cors_origin; /* NULL: no CORS headers, preflights refused */
    const char *audit_log;   /* NULL: none; else a file opened for appending */
    bool log_prompts;        /* the audit log includes prompt text */
    const char *model_id;    /* the id /v1/models reports (the model file's name) */
    const char *chat_template; /* template source; NULL: the model's tokenizer.chat_template */

    int n_parallel;      /* slots (concurrent generations) */
    int n_threads;       /* threads per slot */
    int n_ctx;           /* context per slot; 0: the model's, at most 4096 */
    bool kv_f32;
    int queue_size;      /* requests that may wait for a slot; more get 503 */
    size_t max_body;     /* bytes of request body; more get 413 */
    int max_prompt;      /* tokens of prompt; 0: the context size */
    int n_predict;       /* max_tokens when a request gives none */
    int max_tokens;      /* the most max_tokens a request may ask for; 0: the context size */
    int timeout_s;       /* connection inactivity and request-upload limit */
    int max_connections; /* open connections at once */
    nuri_sampler_params sampling; /* defaults for parameters a request leaves out */
    bool fixed_seed;     /* a request without a seed uses sampling.seed (else a random one) */

    /* Test aid: answer every chat/completion with this text (tokenized and streamed one
     * token per mock_delay_ms) instead of running the model. */
    const char *mock_reply;
    int mock_delay_ms;
} nuri_serve_params;

nuri_serve_params nuri_serve_default_params(void);

/* Starts listening and serving on background threads. model and tok must outlive the
 * server. Fails with NURI_ERR_INVALID_ARG for a non-loopback host without an API key,
 * NURI_ERR_IO when the address cannot be bound or the audit log opened. */
nuri_status nuri_serve_start(const nuri_model *model, const nuri_tokenizer *tok,
                             const nuri_serve_params *p, nuri_server **out, nuri_error *err);
/* The port actually bound. */
int nuri_serve_port(const nuri_server *s);
/* Stops accepting, cancels running generations, closes connections, frees s. */
void nuri_serve_stop(nuri_server *s);

/* Whether host names a loopback address (127.0.0.0/8, ::1, "localhost"). */
bool nuri_serve_host_is_loopback(const char *host);

#ifdef __cplusplus
}
#endif
#endif
