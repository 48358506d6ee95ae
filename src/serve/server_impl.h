/* What the server's files share: the server object, the per-request state, and the
 * helpers that answer a request (JSON, errors, streams). */
#ifndef NURI_SERVE_SERVER_IMPL_H
#define NURI_SERVE_SERVER_IMPL_H

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stdatomic.h>

#include "nuri/serve.h"
#include "nuri/template.h"
#include "serve/audit.h"
#include "serve/metrics.h"
#include "serve/request.h"
#include "serve/sched.h"

struct nuri_server {
    nuri_serve_params p; /* strings below are the server's own copies */
    char *host, *api_key, *cors_origin, *model_id, *mock_reply;
    const nuri_model *model;
    const nuri_tokenizer *tok;
    nuri_template *tmpl;      /* NULL: the model has no chat template */
    char *bos, *eos;          /* token texts the template gets */
    serve_sched *sched;
    serve_metrics metrics;
    serve_audit audit;
    struct MHD_Daemon *daemon;
    int listen_fd, port;
    int n_ctx, max_prompt, max_tokens;
    long long created;        /* unix time the server started, for /v1/models */
    char *page_csp;           /* the page's Content-Security-Policy */
    atomic_bool stopping;
};

typedef struct {
    nuri_server *srv;
    serve_route route;
    char method[16];
    char *path;
    char client[64];
    int fd;               /* the connection's socket, to notice a client gone */
    double t0;            /* nuri_now_ms() at arrival */
    char *body;
    size_t len, cap;
    bool too_big;
    int status;           /* the status answered (0: none yet) */
    serve_job *job;       /* generation or embedding, if any */
    int n_prompt;         /* -1: not a generation */
    char *prompt_log;     /* for the audit log with --log-prompts */
    bool aborted;
} serve_req;

/* Answers: each queues a response on the connection and records the status. */
enum MHD_Result serve_reply(struct MHD_Connection *c, serve_req *r, int status, char *body, size_t len,
                            const char *content_type);
enum MHD_Result serve_reply_json(struct MHD_Connection *c, serve_req *r, int status, cJSON *json);
enum MHD_Result serve_reply_error(struct MHD_Connection *c, serve_req *r, const serve_error *e);
/* Security and CORS headers every response carries. */
void serve_add_common_headers(nuri_server *s, struct MHD_Response *resp);

/* Waits until the job ends, the client goes away (the job is then cancelled) or the
 * server stops. True when the job ended. */
bool serve_wait_job(serve_req *r, serve_job *j);
/* Whether the peer closed its end of the connection. */
bool serve_client_gone(int fd);
/* A fresh id suffix (hex) and random seeds, from the kernel's generator. */
void serve_random_hex(char *out, size_t n_hex);
uint64_t serve_random_seed(void);

/* Routes. */
enum MHD_Result serve_route_chat(struct MHD_Connection *c, serve_req *r, const cJSON *body);
enum MHD_Result serve_route_completions(struct MHD_Connection *c, serve_req *r, const cJSON *body);
enum MHD_Result serve_route_embeddings(struct MHD_Connection *c, serve_req *r, const cJSON *body);
enum MHD_Result serve_route_tokenize(struct MHD_Connection *c, serve_req *r, const cJSON *body);
enum MHD_Result serve_route_detokenize(struct MHD_Connection *c, serve_req *r, const cJSON *body);
enum MHD_Result serve_route_template(struct MHD_Connection *c, serve_req *r, const cJSON *body);
enum MHD_Result serve_route_models(struct MHD_Connection *c, serve_req *r);
enum MHD_Result serve_route_metrics(struct MHD_Connection *c, serve_req *r);
enum MHD_Result serve_route_page(struct MHD_Connection *c, serve_req *r);

/* Renders messages with the chat template (BOS/EOS texts, generation prompt). */
bool serve_render_chat(nuri_server *s, const cJSON *messages, char **prompt, size_t *len, serve_error *e);

/* The embedded web page (generated at build time from src/serve/page/index.html). */
extern const unsigned char nuri_serve_page[];
extern const size_t nuri_serve_page_len;

#endif
