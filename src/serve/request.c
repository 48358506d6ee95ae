/* Request bodies to validated structs. Absent and null fields take the defaults; a field
 * of the wrong type or out of range is a 400 naming it, never silently clamped. */
#include "serve/request.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/tokenizer.h"

void serve_error_set(serve_error *e, int status, const char *param, const char *code,
                     const char *fmt, ...) {
    e->status = status;
    e->type = status == 401   ? "authentication_error"
              : status == 404 ? "not_found_error"
              : status == 503 ? "unavailable_error"
              : status >= 500 ? "server_error"
                              : "invalid_request_error";
    snprintf(e->param, sizeof e->param, "%s", param ? param : "");
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

char *serve_error_json(const serve_error *e) {
    cJSON *root = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(o, "message", e->message);
    cJSON_AddStringToObject(o, "type", e->type ? e->type : "invalid_request_error");
    if (e->param[0]) cJSON_AddStringToObject(o, "param", e->param);
    else cJSON_AddNullToObject(o, "param");
    if (e->code) cJSON_AddStringToObject(o, "code", e->code);
    else cJSON_AddNullToObject(o, "code");
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

cJSON *serve_parse_object(const char *body, size_t len, serve_error *e) {
    size_t bad = 0;
    if (!nuri_utf8_valid(body, len, &bad)) {
        serve_error_set(e, 400, NULL, "invalid_utf8", "the request body is not valid UTF-8 (byte %zu)", bad);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, false);
    if (!root) {
        size_t at = end && end >= body && end <= body + len ? (size_t)(end - body) : 0;
        serve_error_set(e, 400, NULL, "invalid_json", "malformed JSON in the request body near byte %zu", at);
        return NULL;
    }
    for (const char *p = end; p && p < body + len; p++)
        if (!strchr(" \t\r\n", *p)) {
            cJSON_Delete(root);
            serve_error_set(e, 400, NULL, "invalid_json", "malformed JSON: extra data after the value at byte %zu",
                            (size_t)(p - body));
            return NULL;
        }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        serve_error_set(e, 400, NULL, "invalid_json", "the request body must be a JSON object");
        return NULL;
    }
    return root;
}

/* The field, or NULL when absent or null. */
static const cJSON *field(const cJSON *root, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    return v && !cJSON_IsNull(v) ? v : NULL;
}

bool serve_opt_bool(const cJSON *root, const char *key, bool *out, serve_error *e) {
    const cJSON *v = field(root, key);
    if (!v) return true;
    if (!cJSON_IsBool(v)) {
        serve_error_set(e, 400, key, "invalid_type", "'%s' must be a boolean", key);
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

const cJSON *serve_opt_string(const cJSON *root, const char *key, serve_error *e, bool *ok) {
    const cJSON *v = field(root, key);
    *ok = true;
    if (v && !cJSON_IsString(v)) {
        serve_error_set(e, 400, key, "invalid_type", "'%s' must be a string", key);
        *ok = false;
        return NULL;
    }
    return v;
}

static bool opt_number(const cJSON *root, const char *key, double lo, double hi, double *out, bool *given,
                       serve_error *e) {
    const cJSON *v = field(root, key);
    if (given) *given = v != NULL;
    if (!v) return true;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        serve_error_set(e, 400, key, "invalid_type", "'%s' must be a number", key);
        return false;
    }
    if (v->valuedouble < lo || v->valuedouble > hi) {
        serve_error_set(e, 400, key, "out_of_range", "'%s' is %g; it must be within [%g, %g]", key, v->valuedouble, lo,
                        hi);
        return false;
    }
    *out = v->valuedouble;
    return true;
}

static bool opt_int(const cJSON *root, const char *key, double lo, double hi, long long *out, bool *given,
                    serve_error *e) {
    const cJSON *v = field(root, key);
    if (given) *given = v != NULL;
    if (!v) return true;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || floor(v->valuedouble) != v->valuedouble) {
        serve_error_set(e, 400, key, "invalid_type", "'%s' must be an integer", key);
        return false;
    }
    if (v->valuedouble < lo || v->valuedouble > hi) {
        serve_error_set(e, 400, key, "out_of_range", "'%s' is %.0f; it must be within [%.0f, %.0f]", key,
                        v->valuedouble, lo, hi);
        return false;
    }
    *out = (long long)v->valuedouble;
    return true;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

/* Content as a string: a string, null (""), or an array of {"type":"text","text":...}
 * parts joined. Other part types (images, audio) are refused. */
static char *content_text(const cJSON *c, size_t i, serve_error *e) {
    char param[64];
    snprintf(param, sizeof param, "messages[%zu].content", i);
    if (!c || cJSON_IsNull(c)) return dup_str("");
    if (cJSON_IsString(c)) return dup_str(c->valuestring);
    if (!cJSON_IsArray(c)) {
        serve_error_set(e, 400, param, "invalid_type", "'%s' must be a string or an array of text parts", param);
        return NULL;
    }
    size_t len = 0;
    const cJSON *part;
    cJSON_ArrayForEach(part, c) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(part, "type");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, "text");
        if (!cJSON_IsObject(part) || !cJSON_IsString(type) || strcmp(type->valuestring, "text") ||
            !cJSON_IsString(text)) {
            serve_error_set(e, 400, param, "unsupported_content",
                            "'%s': only text parts ({\"type\": \"text\", \"text\": ...}) are supported", param);
            return NULL;
        }
        len += strlen(text->valuestring);
    }
    char *s = malloc(len + 1), *p = s;
    if (!s) return NULL;
    cJSON_ArrayForEach(part, c) {
        const char *t = cJSON_GetObjectItemCaseSensitive(part, "text")->valuestring;
        size_t n = strlen(t);
        memcpy(p, t, n);
        p += n;
    }
    *p = 0;
    return s;
}

cJSON *serve_parse_messages(const cJSON *root, serve_error *e) {
    static const char *const roles[] = {"system", "user", "assistant", "tool", "developer"};
    const cJSON *msgs = field(root, "messages");
    if (!msgs) {
        serve_error_set(e, 400, "messages", "missing_required_parameter", "'messages' is required");
        return NULL;
    }
    if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
        serve_error_set(e, 400, "messages", "invalid_type", "'messages' must be a non-empty array of messages");
        return NULL;
    }
    cJSON *out = cJSON_CreateArray();
    size_t i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs) {
        char param[64];
        snprintf(param, sizeof param, "messages[%zu].role", i);
        const cJSON *role = cJSON_IsObject(m) ? cJSON_GetObjectItemCaseSensitive(m, "role") : NULL;
        if (!cJSON_IsObject(m) || !cJSON_IsString(role)) {
            serve_error_set(e, 400, param, "invalid_type", "each message must be an object with a string 'role'");
            goto fail;
        }
        size_t r = 0;
        while (r < sizeof roles / sizeof roles[0] && strcmp(roles[r], role->valuestring)) r++;
        if (r == sizeof roles / sizeof roles[0]) {
            serve_error_set(e, 400, param, "invalid_value",
                            "'%s' must be one of system, user, assistant, tool, developer", param);
            goto fail;
        }
        char *text = content_text(cJSON_GetObjectItemCaseSensitive(m, "content"), i, e);
        if (!text) {
            if (!e->message[0]) serve_error_set(e, 500, NULL, NULL, "out of memory");
            goto fail;
        }
        cJSON *nm = cJSON_CreateObject();
        cJSON_AddStringToObject(nm, "role", role->valuestring);
        cJSON_AddStringToObject(nm, "content", text);
        free(text);
        cJSON_AddItemToArray(out, nm);
        i++;
    }
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}

/* The generation parameters chat and completions share. */
static bool parse_gen_common(const cJSON *root, const serve_limits *lim, serve_gen_request *r, serve_error *e) {
    r->max_tokens = -1;
    r->sampling = lim->sampling;
    r->random_seed = true;
    r->cache_prompt = true;
    bool ok;
    serve_opt_string(root, "model", e, &ok);
    if (!ok || !serve_opt_bool(root, "stream", &r->stream, e) ||
        !serve_opt_bool(root, "cache_prompt", &r->cache_prompt, e))
        return false;
    const cJSON *so = field(root, "stream_options");
    if (so) {
        if (!cJSON_IsObject(so)) {
            serve_error_set(e, 400, "stream_options", "invalid_type", "'stream_options' must be an object");
            return false;
        }
        if (!serve_opt_bool(so, "include_usage", &r->include_usage, e)) return false;
    }
    long long ll = 0;
    bool given = false;
    const double max_tok = lim->max_tokens > 0 ? lim->max_tokens : 1;
    const char *mt_key = field(root, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    if (!opt_int(root, mt_key, -1e300, 1e300, &ll, &given, e)) return false;
    if (given) {
        if (ll < 1 || ll > max_tok) {
            serve_error_set(e, 400, mt_key, "out_of_range",
                            "'%s' is %lld; it must be within [1, %.0f] (the server's limit)", mt_key, ll, max_tok);
            return false;
        }
        r->max_tokens = (int)ll;
    }
    double d;
    if (!opt_number(root, "temperature", 0, 2, &d, &given, e)) return false;
    if (given) r->sampling.temperature = (float)d;
    if (!opt_number(root, "top_p", 0, 1, &d, &given, e)) return false;
    if (given) {
        if (d == 0) r->sampling.temperature = 0; /* nothing but the best token is left */
        else r->sampling.top_p = (float)d;
    }
    if (!opt_number(root, "min_p", 0, 1, &d, &given, e)) return false;
    if (given) r->sampling.min_p = (float)d;
    if (!opt_int(root, "top_k", 0, 1 << 24, &ll, &given, e)) return false;
    if (given) r->sampling.top_k = (int)ll;
    if (!opt_number(root, "presence_penalty", -2, 2, &d, &given, e)) return false;
    if (given) r->sampling.presence_penalty = (float)d;
    if (!opt_number(root, "frequency_penalty", -2, 2, &d, &given, e)) return false;
    if (given) r->sampling.frequency_penalty = (float)d;
    if (!opt_number(root, "repeat_penalty", 0.001, 10, &d, &given, e)) return false;
    if (given) r->sampling.repeat_penalty = (float)d;
    if (!opt_int(root, "seed", -9007199254740992.0, 9007199254740992.0, &ll, &given, e)) return false;
    if (given && ll >= 0) {
        r->sampling.seed = (uint64_t)ll;
        r->random_seed = false;
    }
    if (!opt_int(root, "n", 1, 1, &ll, NULL, e)) {
        snprintf(e->message, sizeof e->message, "'n' must be 1: one choice per request");
        return false;
    }
    const cJSON *stop = field(root, "stop");
    if (stop) {
        const cJSON *one = cJSON_IsString(stop) ? stop : NULL, *s;
        if (!one && (!cJSON_IsArray(stop) || cJSON_GetArraySize(stop) > SERVE_MAX_STOP)) {
            serve_error_set(e, 400, "stop", "invalid_type", "'stop' must be a string or an array of at most %d strings",
                            SERVE_MAX_STOP);
            return false;
        }
        for (s = one ? one : stop->child; s; s = one ? NULL : s->next) {
            size_t n = cJSON_IsString(s) ? strlen(s->valuestring) : 0;
            if (!cJSON_IsString(s) || n == 0 || n > SERVE_MAX_STOP_LEN) {
                serve_error_set(e, 400, "stop", "invalid_value", "each stop sequence must be a string of 1 to %d bytes",
                                SERVE_MAX_STOP_LEN);
                return false;
            }
            if (!(r->stop[r->n_stop++] = dup_str(s->valuestring))) {
                serve_error_set(e, 500, NULL, NULL, "out of memory");
                return false;
            }
        }
    }
    /* Features nuri does not have: refused rather than silently ignored. */
    const cJSON *v;
    if ((v = field(root, "logprobs")) && !cJSON_IsFalse(v)) {
        serve_error_set(e, 400, "logprobs", "unsupported_parameter", "'logprobs' is not supported");
        return false;
    }
    if ((v = field(root, "tools")) && !(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0)) {
        serve_error_set(e, 400, "tools", "unsupported_parameter", "'tools' (function calling) is not supported");
        return false;
    }
    if ((v = field(root, "logit_bias")) && !(cJSON_IsObject(v) && !v->child)) {
        serve_error_set(e, 400, "logit_bias", "unsupported_parameter", "'logit_bias' is not supported");
        return false;
    }
    if ((v = field(root, "response_format"))) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "type");
        if (!cJSON_IsObject(v) || !cJSON_IsString(t) || strcmp(t->valuestring, "text")) {
            serve_error_set(e, 400, "response_format", "unsupported_parameter",
                            "'response_format': only {\"type\": \"text\"} is supported");
            return false;
        }
    }
    return true;
}

bool serve_parse_chat(const cJSON *root, const serve_limits *lim, serve_gen_request *out, serve_error *e) {
    memset(out, 0, sizeof *out);
    if (!parse_gen_common(root, lim, out, e)) goto fail;
    if (!(out->messages = serve_parse_messages(root, e))) goto fail;
    return true;
fail:
    serve_gen_request_free(out);
    return false;
}

bool serve_parse_ids(const cJSON *arr, const char *param, int n_vocab, int32_t **ids, size_t *n,
                     serve_error *e) {
    *ids = NULL;
    *n = 0;
    if (!cJSON_IsArray(arr)) {
        serve_error_set(e, 400, param, "invalid_type", "'%s' must be an array of token ids", param);
        return false;
    }
    size_t count = (size_t)cJSON_GetArraySize(arr);
    int32_t *v = malloc(sizeof(int32_t) * (count ? count : 1));
    if (!v) {
        serve_error_set(e, 500, NULL, NULL, "out of memory");
        return false;
    }
    size_t i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, arr) {
        if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) || floor(x->valuedouble) != x->valuedouble ||
            x->valuedouble < 0 || x->valuedouble >= n_vocab) {
            serve_error_set(e, 400, param, "invalid_value", "'%s'[%zu] is not a token id in [0, %d)", param, i, n_vocab);
            free(v);
            return false;
        }
        v[i++] = (int32_t)x->valuedouble;
    }
    *ids = v;
    *n = i;
    return true;
}

bool serve_parse_completion(const cJSON *root, const serve_limits *lim, serve_gen_request *out,
                            serve_error *e) {
    memset(out, 0, sizeof *out);
    if (!parse_gen_common(root, lim, out, e)) goto fail;
    const cJSON *v;
    if ((v = field(root, "echo")) && !cJSON_IsFalse(v)) {
        serve_error_set(e, 400, "echo", "unsupported_parameter", "'echo' is not supported");
        goto fail;
    }
    if ((v = field(root, "suffix"))) {
        serve_error_set(e, 400, "suffix", "unsupported_parameter", "'suffix' is not supported");
        goto fail;
    }
    long long ll;
    if (!opt_int(root, "best_of", 1, 1, &ll, NULL, e)) goto fail;
    const cJSON *p = field(root, "prompt");
    if (!p) {
        serve_error_set(e, 400, "prompt", "missing_required_parameter", "'prompt' is required");
        goto fail;
    }
    /* One prompt: a string, an array of token ids, or a one-element array of either. */
    if (cJSON_IsArray(p) && cJSON_GetArraySize(p) == 1 && (cJSON_IsString(p->child) || cJSON_IsArray(p->child)))
        p = p->child;
    if (cJSON_IsString(p)) {
        if (!(out->prompt = dup_str(p->valuestring))) {
            serve_error_set(e, 500, NULL, NULL, "out of memory");
            goto fail;
        }
    } else if (cJSON_IsArray(p) && cJSON_GetArraySize(p) > 0 && cJSON_IsNumber(p->child)) {
        if (!serve_parse_ids(p, "prompt", INT32_MAX, &out->prompt_ids, &out->n_prompt_ids, e)) goto fail;
    } else {
        serve_error_set(e, 400, "prompt", "invalid_type",
                        "'prompt' must be a string or a non-empty array of token ids (one prompt per request)");
        goto fail;
    }
    return true;
fail:
    serve_gen_request_free(out);
    return false;
}

void serve_gen_request_free(serve_gen_request *r) {
    cJSON_Delete(r->messages);
    free(r->prompt);
    free(r->prompt_ids);
    for (int i = 0; i < r->n_stop; i++) free(r->stop[i]);
    memset(r, 0, sizeof *r);
}

bool serve_parse_embeddings(const cJSON *root, serve_embed_request *out, serve_error *e) {
    memset(out, 0, sizeof *out);
    bool ok;
    serve_opt_string(root, "model", e, &ok);
    if (!ok) return false;
    const cJSON *fmt = serve_opt_string(root, "encoding_format", e, &ok);
    if (!ok) return false;
    if (fmt) {
        if (!strcmp(fmt->valuestring, "base64")) out->base64 = true;
        else if (strcmp(fmt->valuestring, "float")) {
            serve_error_set(e, 400, "encoding_format", "invalid_value", "'encoding_format' must be \"float\" or \"base64\"");
            return false;
        }
    }
    if (field(root, "dimensions")) {
        serve_error_set(e, 400, "dimensions", "unsupported_parameter", "'dimensions' is not supported");
        return false;
    }
    const cJSON *in = field(root, "input");
    if (!in) {
        serve_error_set(e, 400, "input", "missing_required_parameter", "'input' is required");
        return false;
    }
    /* A string, an array of token ids, or an array of strings / id arrays. */
    bool single = cJSON_IsString(in) || (cJSON_IsArray(in) && in->child && cJSON_IsNumber(in->child));
    size_t n = single ? 1 : (cJSON_IsArray(in) ? (size_t)cJSON_GetArraySize(in) : 0);
    if (n == 0 || n > SERVE_MAX_INPUTS) {
        serve_error_set(e, 400, "input", "invalid_type",
                        "'input' must be a string, an array of token ids, or an array of 1 to %d of these",
                        SERVE_MAX_INPUTS);
        return false;
    }
    out->text = calloc(n, sizeof *out->text);
    out->ids = calloc(n, sizeof *out->ids);
    out->n_ids = calloc(n, sizeof *out->n_ids);
    if (!out->text || !out->ids || !out->n_ids) {
        serve_embed_request_free(out);
        serve_error_set(e, 500, NULL, NULL, "out of memory");
        return false;
    }
    out->n = n;
    const cJSON *x = single ? in : in->child;
    for (size_t i = 0; i < n; i++, x = x->next) {
        char param[32];
        snprintf(param, sizeof param, "input[%zu]", i);
        if (cJSON_IsString(x)) {
            if (!x->valuestring[0]) {
                serve_error_set(e, 400, param, "invalid_value", "'%s' is empty", param);
                break;
            }
            out->text[i] = dup_str(x->valuestring);
        } else if (cJSON_IsArray(x) && x->child) {
            if (!serve_parse_ids(x, param, INT32_MAX, &out->ids[i], &out->n_ids[i], e)) break;
        } else {
            serve_error_set(e, 400, param, "invalid_type", "'%s' must be a non-empty string or array of token ids",
                            param);
            break;
        }
        if (!out->text[i] && !out->ids[i]) {
            if (!e->message[0]) serve_error_set(e, 500, NULL, NULL, "out of memory");
            break;
        }
        if (single) return true;
        if (i + 1 == n) return true;
    }
    serve_embed_request_free(out);
    return false;
}

void serve_embed_request_free(serve_embed_request *r) {
    for (size_t i = 0; i < r->n; i++) {
        if (r->text) free(r->text[i]);
        if (r->ids) free(r->ids[i]);
    }
    free(r->text);
    free(r->ids);
    free(r->n_ids);
    memset(r, 0, sizeof *r);
}
