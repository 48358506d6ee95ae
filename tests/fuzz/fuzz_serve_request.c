/* Fuzz target: the server's request parsing. The first byte picks the route's parser,
 * the rest is the request body. Whatever the bytes, parsing must end in either a valid
 * request or an error whose JSON is well formed; a parsed chat request must render with
 * a chat template, and its stop strings must never show up in streamed text. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/template.h"
#include "serve/request.h"
#include "serve/textbuf.h"

static void check_error(const serve_error *e) {
    if (e->status < 400 || e->status > 599 || !e->message[0]) abort();
    char *s = serve_error_json(e);
    cJSON *j = s ? cJSON_Parse(s) : NULL;
    if (!j || !cJSON_IsObject(cJSON_GetObjectItem(j, "error"))) abort();
    cJSON_Delete(j);
    free(s);
}

/* Streams text through a textbuf with the request's stop strings, in pieces. */
static void check_stops(const serve_gen_request *q, const char *text) {
    serve_textbuf t;
    serve_textbuf_init(&t, q->stop, q->n_stop);
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += 3) {
        if (!serve_textbuf_push(&t, text + i, n - i < 3 ? n - i : 3)) break;
        if (t.visible > t.len) abort();
    }
    if (!t.stopped) serve_textbuf_finish(&t);
    for (int k = 0; k < q->n_stop && t.buf; k++)
        if (strstr(t.buf, q->stop[k])) abort(); /* nothing past a stop string is kept */
    serve_textbuf_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const int which = data[0] % 6;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    serve_error e;
    memset(&e, 0, sizeof e);
    cJSON *root = serve_parse_object(body, len, &e);
    if (!root) {
        check_error(&e);
        return 0;
    }
    serve_limits lim = {4096, nuri_sampler_default_params()};
    serve_gen_request q;
    serve_embed_request er;
    if (which == 0) {
        if (serve_parse_chat(root, &lim, &q, &e)) {
            nuri_template *t = NULL;
            const char *src = nuri_template_builtin("chatml");
            if (nuri_template_parse(src, strlen(src), &t, NULL) == NURI_OK) {
                nuri_template_opts o = {"<s>", "</s>", true, NULL};
                char *out = NULL;
                if (nuri_template_apply(t, q.messages, &o, &out, NULL, NULL) == NURI_OK) check_stops(&q, out);
                free(out);
                nuri_template_free(t);
            }
            if (nuri_sampler_validate(&q.sampling, NULL) != NURI_OK) abort();
            serve_gen_request_free(&q);
        } else {
            check_error(&e);
        }
    } else if (which == 1) {
        if (serve_parse_completion(root, &lim, &q, &e)) {
            if (!q.prompt && !q.n_prompt_ids) abort();
            if (q.prompt) check_stops(&q, q.prompt);
            if (q.max_tokens != -1 && (q.max_tokens < 1 || q.max_tokens > lim.max_tokens)) abort();
            serve_gen_request_free(&q);
        } else {
            check_error(&e);
        }
    } else if (which == 2) {
        if (serve_parse_embeddings(root, &er, &e)) {
            for (size_t i = 0; i < er.n; i++)
                if (!er.text[i] == !er.ids[i]) abort();
            serve_embed_request_free(&er);
        } else {
            check_error(&e);
        }
    } else if (which == 3) {
        cJSON *m = serve_parse_messages(root, &e);
        if (m) cJSON_Delete(m);
        else check_error(&e);
    } else if (which == 4) {
        int32_t *ids = NULL;
        size_t n = 0;
        if (serve_parse_ids(cJSON_GetObjectItem(root, "tokens"), "tokens", 50000, &ids, &n, &e)) {
            for (size_t i = 0; i < n; i++)
                if (ids[i] < 0 || ids[i] >= 50000) abort();
            free(ids);
        } else {
            check_error(&e);
        }
    } else {
        bool b = false, ok;
        serve_opt_bool(root, "add_special", &b, &e);
        serve_opt_string(root, "content", &e, &ok);
    }
    cJSON_Delete(root);
    return 0;
}
