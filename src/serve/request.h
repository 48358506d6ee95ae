/* Parsing and validating request bodies of the server's JSON routes, with no model and
 * no network: every malformed, mistyped or out-of-range field becomes a serve_error
 * that the route answers in OpenAI's error shape. Kept pure so it can be fuzzed. */
#ifndef NURI_SERVE_REQUEST_H
#define NURI_SERVE_REQUEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nuri/sample.h"

#define SERVE_MAX_STOP 4        /* as OpenAI */
#define SERVE_MAX_STOP_LEN 256  /* bytes per stop string */
#define SERVE_MAX_INPUTS 256    /* embedding inputs per request */

typedef struct {
    int status;          /* HTTP status */
    const char *type;    /* OpenAI error type: invalid_request_error, ... */
    char param[64];      /* offending parameter, "" when none */
    const char *code;    /* NULL or a short machine-readable code */
    char message[512];
} serve_error;

void serve_error_set(serve_error *e, int status, const char *param, const char *code,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* {"error": {"message", "type", "param", "code"}} as malloc'd JSON text. */
char *serve_error_json(const serve_error *e);

/* Limits the parser needs: generation bounds and the defaults a request overrides. */
typedef struct {
    int max_tokens;               /* max_tokens above this is out of range */
    nuri_sampler_params sampling; /* defaults */
} serve_limits;

/* A chat or text completion request. */
typedef struct {
    cJSON *messages;   /* chat: array of {role, content-as-string} (owned) */
    char *prompt;      /* completion: prompt text (owned), or NULL when prompt_ids */
    int32_t *prompt_ids;
    size_t n_prompt_ids;
    bool stream, include_usage;
    int max_tokens;    /* -1: not given */
    nuri_sampler_params sampling;
    bool random_seed;  /* no seed given (or negative): the server picks one */
    bool cache_prompt; /* reuse a slot's cached prefix (default; as llama.cpp's server) */
    char *stop[SERVE_MAX_STOP];
    int n_stop;
} serve_gen_request;

/* An embeddings request: inputs as text or as token ids. */
typedef struct {
    size_t n;
    char **text;       /* n entries, NULL where ids[i] is used */
    int32_t **ids;
    size_t *n_ids;
    bool base64;       /* encoding_format "base64" */
} serve_embed_request;

/* Parses JSON text that must be valid UTF-8 and hold an object. NULL on error. */
cJSON *serve_parse_object(const char *body, size_t len, serve_error *e);

bool serve_parse_chat(const cJSON *root, const serve_limits *lim, serve_gen_request *out, serve_error *e);
bool serve_parse_completion(const cJSON *root, const serve_limits *lim, serve_gen_request *out,
                            serve_error *e);
void serve_gen_request_free(serve_gen_request *r);

bool serve_parse_embeddings(const cJSON *root, serve_embed_request *out, serve_error *e);
void serve_embed_request_free(serve_embed_request *r);

/* "messages" of a chat or apply-template request, normalized (content parts joined):
 * a new array, or NULL with e set. */
cJSON *serve_parse_messages(const cJSON *root, serve_error *e);

/* Token id arrays ("tokens" of /detokenize, a prompt of ids): each an integer in
 * [0, n_vocab). */
bool serve_parse_ids(const cJSON *arr, const char *param, int n_vocab, int32_t **ids, size_t *n,
                     serve_error *e);

/* An optional field of a given JSON type; false (e set) when present with another type. */
bool serve_opt_bool(const cJSON *root, const char *key, bool *out, serve_error *e);
const cJSON *serve_opt_string(const cJSON *root, const char *key, serve_error *e, bool *ok);

#endif
