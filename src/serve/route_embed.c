/* /v1/embeddings: each input is decoded in a slot, and its embedding is the mean of the
 * final normalized hidden states over its tokens, scaled to unit length. */
#include <stdlib.h>
#include <string.h>

#include "serve/encode.h"
#include "serve/server_impl.h"

enum MHD_Result serve_route_embeddings(struct MHD_Connection *c, serve_req *r, const cJSON *body) {
    nuri_server *s = r->srv;
    serve_error e = {0};
    serve_embed_request q;
    if (!serve_parse_embeddings(body, &q, &e)) return serve_reply_error(c, r, &e);
    serve_job *j = serve_job_new(JOB_EMBED);
    if (!j) {
        serve_embed_request_free(&q);
        return MHD_NO;
    }
    j->inputs = calloc(q.n, sizeof *j->inputs);
    j->n_input = calloc(q.n, sizeof *j->n_input);
    if (!j->inputs || !j->n_input) goto oom;
    j->n_inputs = q.n;
    const int n_vocab = nuri_model_n_vocab(s->model);
    int total = 0;
    for (size_t i = 0; i < q.n; i++) {
        if (q.text[i]) {
            nuri_error err;
            if (nuri_tokenize(s->tok, q.text[i], strlen(q.text[i]), true, false, &j->inputs[i], &j->n_input[i], &err)) {
                serve_error_set(&e, 500, NULL, NULL, "%s", err.msg);
                goto reply;
            }
        } else {
            for (size_t k = 0; k < q.n_ids[i]; k++)
                if (q.ids[i][k] >= n_vocab) {
                    serve_error_set(&e, 400, "input", "invalid_value", "input %zu: token %zu is not an id in [0, %d)",
                                    i, k, n_vocab);
                    goto reply;
                }
            j->inputs[i] = q.ids[i];
            j->n_input[i] = q.n_ids[i];
            q.ids[i] = NULL;
        }
        if (j->n_input[i] == 0 || j->n_input[i] > (size_t)s->max_prompt) {
            serve_error_set(&e, 400, "input", "context_length_exceeded",
                            "input %zu has %zu tokens; 1 to %d are allowed", i, j->n_input[i], s->max_prompt);
            goto reply;
        }
        total += (int)j->n_input[i];
    }
    if (!serve_sched_submit(s->sched, j)) {
        serve_error_set(&e, 503, NULL, "server_busy", "all slots are busy and the queue is full; retry later");
        goto reply;
    }
    r->job = j;
    r->n_prompt = total;
    const bool base64 = q.base64;
    serve_embed_request_free(&q);
    if (!serve_wait_job(r, j)) {
        r->status = 499;
        return MHD_NO;
    }
    if (j->failed) {
        serve_error_set(&e, 500, NULL, "embedding_failed", "%s", j->error);
        return serve_reply_error(c, r, &e);
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(root, "data");
    char *b64 = base64 ? malloc(4 * (((size_t)j->n_embd * 4 + 2) / 3) + 1) : NULL;
    for (size_t i = 0; i < j->n_inputs; i++) {
        const float *v = j->embd + i * (size_t)j->n_embd;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "object", "embedding");
        cJSON_AddNumberToObject(o, "index", (double)i);
        if (b64) {
            /* little-endian float32, as OpenAI's base64 format */
            serve_base64(v, (size_t)j->n_embd * sizeof(float), b64);
            cJSON_AddStringToObject(o, "embedding", b64);
        } else {
            cJSON *a = cJSON_AddArrayToObject(o, "embedding");
            for (int k = 0; k < j->n_embd; k++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[k]));
        }
        cJSON_AddItemToArray(data, o);
    }
    free(b64);
    cJSON_AddStringToObject(root, "model", s->model_id);
    cJSON *u = cJSON_AddObjectToObject(root, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", total);
    cJSON_AddNumberToObject(u, "total_tokens", total);
    return serve_reply_json(c, r, 200, root);
oom:
    serve_error_set(&e, 500, NULL, NULL, "out of memory");
reply:
    serve_job_release(j);
    serve_embed_request_free(&q);
    return serve_reply_error(c, r, &e);
}
