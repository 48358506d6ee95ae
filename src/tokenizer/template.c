/* The public chat-template API over the Jinja interpreter: input validation, the
 * variables the reference passes, and the number kinds cJSON forgets. */
#include "nuri/template.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/jinja.h"

struct nuri_template {
    jarena arena; /* tokens, AST and constants */
    jlist body;
};

nuri_status nuri_template_parse(const char *src, size_t len, nuri_template **out, nuri_error *err) {
    *out = NULL;
    if (!src) return nuri_fail(err, NURI_ERR_INVALID_ARG, "template: no source");
    size_t bad = jutf8_check(src, len);
    if (bad < len) return nuri_fail(err, NURI_ERR_FORMAT, "template: invalid UTF-8 at byte %zu", bad);
    nuri_template *t = calloc(1, sizeof *t);
    if (!t) return nuri_fail(err, NURI_ERR_NOMEM, "template: out of memory");
    t->arena.limit = JINJA_MAX_MEMORY;
    jtoks toks;
    nuri_status st = jinja_lex(&t->arena, src, len, &toks, err);
    if (!st) st = jinja_parse(&t->arena, &toks, &t->body, err);
    if (st) {
        nuri_template_free(t);
        return st;
    }
    *out = t;
    return NURI_OK;
}

void nuri_template_free(nuri_template *t) {
    if (!t) return;
    ja_free_all(&t->arena);
    free(t);
}

static nuri_status set_str(jctx *c, const char *name, const char *s) {
    if (!s) s = "";
    size_t n = strlen(s);
    if (!jutf8_valid(s, n)) return nuri_fail(c->err, NURI_ERR_FORMAT, "%s is not valid UTF-8", name);
    jv *v = jv_str(c, s, n);
    if (!v || !jscope_set(c, c->root, name, v)) return c->st;
    return NURI_OK;
}

/* Renders with messages (and vars) already converted; consumes nothing. */
static nuri_status run(const nuri_template *t, jctx *c, jv *messages, jv *vars, const nuri_template_opts *opts,
                       char **out, size_t *out_len) {
    static const nuri_template_opts none = {0};
    if (!opts) opts = &none;
    if (vars)
        for (size_t k = 0; k < vars->d.n; k++) {
            const jv *key = vars->d.p[k].k;
            if (key->t == JV_STR && !jscope_set(c, c->root, key->s.p, vars->d.p[k].v)) return c->st;
        }
    nuri_status st;
    if ((st = set_str(c, "bos_token", opts->bos_token)) || (st = set_str(c, "eos_token", opts->eos_token))) return st;
    jv *raise = jv_new(c, JV_FUNC);
    if (!raise) return c->st;
    raise->fn = JF_RAISE;
    if (!jscope_set(c, c->root, "messages", messages) ||
        !jscope_set(c, c->root, "add_generation_prompt", jv_bool(c, opts->add_generation_prompt)) ||
        !jscope_set(c, c->root, "raise_exception", raise))
        return c->st;
    return jinja_run(c, &t->body, out, out_len);
}

static nuri_status check_messages(nuri_error *err, const jv *m) {
    if (m->t != JV_LIST) return nuri_fail(err, NURI_ERR_INVALID_ARG, "messages: expected a JSON array of messages");
    return NURI_OK;
}

nuri_status nuri_template_apply(const nuri_template *t, const struct cJSON *messages, const nuri_template_opts *opts,
                                char **out, size_t *out_len, nuri_error *err) {
    *out = NULL;
    if (!t || !messages) return nuri_fail(err, NURI_ERR_INVALID_ARG, "template: missing template or messages");
    jarena a = {.limit = JINJA_MAX_MEMORY};
    jctx c;
    nuri_status st;
    if (!jctx_init(&c, &a, err)) {
        st = c.st ? c.st : nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    jv *m = jv_from_cjson(&c, messages), *vars = NULL;
    if (!m) {
        st = c.st;
        goto done;
    }
    if ((st = check_messages(err, m))) goto done;
    if (opts && opts->vars) {
        if (!cJSON_IsObject(opts->vars)) {
            st = nuri_fail(err, NURI_ERR_INVALID_ARG, "template: vars must be a JSON object");
            goto done;
        }
        if (!(vars = jv_from_cjson(&c, opts->vars))) {
            st = c.st;
            goto done;
        }
    }
    st = run(t, &c, m, vars, opts, out, out_len);
done:
    ja_free_all(&a);
    return st;
}

/* For each number in the JSON text, in order: 1 if written as an integer. *has_nul is
 * set when a string holds \u0000, which cJSON would cut the string at. */
static uint8_t *number_kinds(const char *s, size_t n, size_t *count, bool *has_nul) {
    size_t cap = 16, k = 0;
    uint8_t *v = malloc(cap);
    if (!v) return NULL;
    size_t i = 0;
    *has_nul = false;
    while (i < n) {
        char ch = s[i];
        if (ch == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\') {
                    if (i + 5 < n && !memcmp(s + i + 1, "u0000", 5)) *has_nul = true;
                    i++;
                }
            i++;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            bool is_int = true;
            while (i < n && strchr("+-0123456789.eE", s[i])) {
                if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') is_int = false;
                i++;
            }
            if (k == cap) {
                uint8_t *nv = realloc(v, cap *= 2);
                if (!nv) {
                    free(v);
                    return NULL;
                }
                v = nv;
            }
            v[k++] = is_int;
        } else {
            i++;
        }
    }
    *count = k;
    return v;
}

nuri_status nuri_template_apply_json(const nuri_template *t, const char *json, size_t len,
                                     const nuri_template_opts *opts, char **out, size_t *out_len, nuri_error *err) {
    *out = NULL;
    if (!t || !json) return nuri_fail(err, NURI_ERR_INVALID_ARG, "template: missing template or messages");
    size_t bad = jutf8_check(json, len);
    if (bad < len) return nuri_fail(err, NURI_ERR_FORMAT, "messages: invalid UTF-8 at byte %zu", bad);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (!root) {
        size_t at = end && end >= json ? (size_t)(end - json) : 0;
        return nuri_fail(err, NURI_ERR_FORMAT, "messages: malformed JSON near byte %zu", at);
    }
    /* only whitespace may follow the value */
    for (const char *p = end; p && p < json + len; p++)
        if (!strchr(" \t\r\n", *p)) {
            cJSON_Delete(root);
            return nuri_fail(err, NURI_ERR_FORMAT, "messages: malformed JSON: extra data at byte %zu", (size_t)(p - json));
        }
    size_t nkinds = 0;
    bool has_nul = false;
    uint8_t *kinds = number_kinds(json, len, &nkinds, &has_nul);
    if (kinds && has_nul) {
        free(kinds);
        cJSON_Delete(root);
        return nuri_fail(err, NURI_ERR_UNSUPPORTED, "messages: NUL characters (\\u0000) in strings are not supported");
    }
    jarena a = {.limit = JINJA_MAX_MEMORY};
    jctx c;
    nuri_status st;
    if (!kinds || !jctx_init(&c, &a, err)) {
        st = kinds && c.st ? c.st : nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    jv *v = jv_from_cjson_kinds(&c, root, kinds, nkinds), *m = v, *vars = NULL;
    if (!v) {
        st = c.st;
        goto done;
    }
    if (v->t == JV_DICT) {
        m = jv_dict_get_str(v, "messages");
        if (!m) {
            st = nuri_fail(err, NURI_ERR_INVALID_ARG, "messages: the JSON object has no \"messages\"");
            goto done;
        }
        vars = v;
    }
    if ((st = check_messages(err, m))) goto done;
    if (opts && opts->vars) {
        jv *extra = cJSON_IsObject(opts->vars) ? jv_from_cjson(&c, opts->vars) : NULL;
        if (!extra) {
            st = c.st ? c.st : nuri_fail(err, NURI_ERR_INVALID_ARG, "template: vars must be a JSON object");
            goto done;
        }
        if (vars)
            for (size_t k = 0; k < extra->d.n; k++)
                if (!jv_dict_set(&c, vars, extra->d.p[k].k, extra->d.p[k].v)) {
                    st = c.st;
                    goto done;
                }
        if (!vars) vars = extra;
    }
    st = run(t, &c, m, vars, opts, out, out_len);
done:
    ja_free_all(&a);
    free(kinds);
    cJSON_Delete(root);
    return st;
}

nuri_status nuri_template_render(const char *template_src, const char *messages_json, const char *bos, const char *eos,
                                 bool add_generation_prompt, char **out, nuri_error *err) {
    *out = NULL;
    if (!template_src || !messages_json) return nuri_fail(err, NURI_ERR_INVALID_ARG, "template: missing argument");
    nuri_template *t;
    nuri_status st = nuri_template_parse(template_src, strlen(template_src), &t, err);
    if (st) return st;
    nuri_template_opts o = {.bos_token = bos, .eos_token = eos, .add_generation_prompt = add_generation_prompt};
    st = nuri_template_apply_json(t, messages_json, strlen(messages_json), &o, out, NULL, err);
    nuri_template_free(t);
    return st;
}
