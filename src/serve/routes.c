/* The routes that need no slot: models, metrics, the page, tokenize, detokenize and
 * apply-template (the tokenizer and template are shared and thread-safe). */
#include <stdlib.h>
#include <string.h>

#include "serve/server_impl.h"

enum MHD_Result serve_route_models(struct MHD_Connection *c, serve_req *r) {
    nuri_server *s = r->srv;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "object", "list");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", s->model_id);
    cJSON_AddStringToObject(m, "object", "model");
    cJSON_AddNumberToObject(m, "created", (double)s->created);
    cJSON_AddStringToObject(m, "owned_by", "nuri");
    cJSON *meta = cJSON_AddObjectToObject(m, "meta");
    cJSON_AddStringToObject(meta, "architecture", nuri_model_arch(s->model));
    cJSON_AddNumberToObject(meta, "n_vocab", nuri_model_n_vocab(s->model));
    cJSON_AddNumberToObject(meta, "n_embd", nuri_model_n_embd(s->model));
    cJSON_AddNumberToObject(meta, "n_ctx_train", nuri_model_n_ctx_train(s->model));
    cJSON_AddNumberToObject(meta, "n_ctx", s->n_ctx);
    cJSON_AddNumberToObject(meta, "n_parallel", s->p.n_parallel);
    cJSON_AddBoolToObject(meta, "chat_template", s->tmpl != NULL);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "data"), m);
    return serve_reply_json(c, r, 200, root);
}

enum MHD_Result serve_route_metrics(struct MHD_Connection *c, serve_req *r) {
    nuri_server *s = r->srv;
    int queued, busy, slots, conns = 0;
    serve_sched_stats(s->sched, &queued, &busy, &slots);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    if (di) conns = (int)di->num_connections;
    char *text = serve_metrics_text(&s->metrics, queued, busy, slots, conns);
    if (!text) return MHD_NO;
    return serve_reply(c, r, 200, text, strlen(text), "text/plain; version=0.0.4; charset=utf-8");
}

enum MHD_Result serve_route_page(struct MHD_Connection *c, serve_req *r) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(nuri_serve_page_len, (void *)nuri_serve_page, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    serve_add_common_headers(r->srv, resp);
    MHD_add_response_header(resp, "Content-Security-Policy", r->srv->page_csp);
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    r->status = 200;
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static cJSON *piece_json(const char *p, size_t len) {
    if (nuri_utf8_valid(p, len, NULL)) {
        char *s = malloc(len + 1);
        if (!s) return NULL;
        memcpy(s, p, len);
        s[len] = 0;
        cJSON *v = cJSON_CreateString(s);
        free(s);
        return v;
    }
    /* as the reference's server: bytes that are not UTF-8 by themselves, as numbers */
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < len; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((unsigned char)p[i]));
    return a;
}

enum MHD_Result serve_route_tokenize(struct MHD_Connection *c, serve_req *r, const cJSON *body) {
    nuri_server *s = r->srv;
    serve_error e = {0};
    bool ok, add_special = false, parse_special = true, with_pieces = false;
    const cJSON *content = serve_opt_string(body, "content", &e, &ok);
    if (!ok || !serve_opt_bool(body, "add_special", &add_special, &e) ||
        !serve_opt_bool(body, "parse_special", &parse_special, &e) ||
        !serve_opt_bool(body, "with_pieces", &with_pieces, &e))
        return serve_reply_error(c, r, &e);
    if (!content) {
        serve_error_set(&e, 400, "content", "missing_required_parameter", "'content' is required (a string)");
        return serve_reply_error(c, r, &e);
    }
    int32_t *ids = NULL;
    size_t n = 0;
    nuri_error err;
    if (nuri_tokenize(s->tok, content->valuestring, strlen(content->valuestring), add_special, parse_special, &ids,
                      &n, &err)) {
        serve_error_set(&e, 400, "content", NULL, "%s", err.msg);
        return serve_reply_error(c, r, &e);
    }
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "tokens");
    for (size_t i = 0; i < n; i++) {
        if (!with_pieces) {
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(ids[i]));
            continue;
        }
        size_t len = 0;
        const char *p = nuri_token_piece(s->tok, ids[i], true, &len);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", ids[i]);
        cJSON_AddItemToObject(o, "piece", piece_json(p ? p : "", p ? len : 0));
        cJSON_AddItemToArray(arr, o);
    }
    free(ids);
    return serve_reply_json(c, r, 200, root);
}

/* Pieces joined as the reference's server does, then made valid UTF-8 for JSON (a byte
 * that starts no character becomes U+FFFD). */
enum MHD_Result serve_route_detokenize(struct MHD_Connection *c, serve_req *r, const cJSON *body) {
    nuri_server *s = r->srv;
    serve_error e = {0};
    int32_t *ids = NULL;
    size_t n = 0;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "tokens");
    if (!t || cJSON_IsNull(t)) {
        serve_error_set(&e, 400, "tokens", "missing_required_parameter", "'tokens' is required (an array of ids)");
        return serve_reply_error(c, r, &e);
    }
    if (!serve_parse_ids(t, "tokens", nuri_tokenizer_n_vocab(s->tok), &ids, &n, &e)) return serve_reply_error(c, r, &e);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        nuri_token_piece(s->tok, ids[i], true, &len);
        total += len;
    }
    char *raw = malloc(total + 1), *fixed = malloc(3 * total + 1);
    if (!raw || !fixed) {
        free(raw);
        free(fixed);
        free(ids);
        return MHD_NO;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *p = nuri_token_piece(s->tok, ids[i], true, &len);
        if (p && len) memcpy(raw + o, p, len);
        o += p ? len : 0;
    }
    free(ids);
    size_t in = 0, w = 0;
    while (in < o) {
        size_t bad;
        if (nuri_utf8_valid(raw + in, o - in, &bad)) bad = o - in;
        memcpy(fixed + w, raw + in, bad);
        w += bad;
        in += bad;
        if (in < o) {
            memcpy(fixed + w, "\xEF\xBF\xBD", 3);
            w += 3;
            in++;
        }
    }
    fixed[w] = 0;
    free(raw);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "content", fixed);
    free(fixed);
    return serve_reply_json(c, r, 200, root);
}

bool serve_render_chat(nuri_server *s, const cJSON *messages, char **prompt, size_t *len, serve_error *e) {
    if (!s->tmpl) {
        serve_error_set(e, 400, "messages", "no_chat_template",
                        "the model has no chat template (start the server with --chat-template NAME)");
        return false;
    }
    nuri_template_opts o = {s->bos, s->eos, true, NULL};
    nuri_error err;
    nuri_status st = nuri_template_apply(s->tmpl, messages, &o, prompt, len, &err);
    if (st == NURI_OK) return true;
    /* an error the template raised (e.g. roles out of order) is the request's fault */
    if (st == NURI_ERR_INVALID_ARG) serve_error_set(e, 400, "messages", "template_error", "chat template: %s", err.msg);
    else serve_error_set(e, 500, NULL, "template_error", "chat template: %s", err.msg);
    return false;
}

enum MHD_Result serve_route_template(struct MHD_Connection *c, serve_req *r, const cJSON *body) {
    serve_error e = {0};
    cJSON *msgs = serve_parse_messages(body, &e);
    if (!msgs) return serve_reply_error(c, r, &e);
    char *prompt = NULL;
    size_t len = 0;
    bool ok = serve_render_chat(r->srv, msgs, &prompt, &len, &e);
    cJSON_Delete(msgs);
    if (!ok) return serve_reply_error(c, r, &e);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "prompt", prompt);
    free(prompt);
    return serve_reply_json(c, r, 200, root);
}
