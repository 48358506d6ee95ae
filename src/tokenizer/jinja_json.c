/* JSON in and out. In: cJSON trees become template values (objects keep their key order;
 * a repeated key keeps its first position and last value, as Python's json does). Out:
 * Jinja2's tojson, i.e. json.dumps(value, sort_keys=True[, indent=N]) with ensure_ascii
 * and the HTML-safe escapes of <, >, & and '. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tokenizer/jinja.h"

static jv *from(jctx *c, const cJSON *j, const uint8_t *kinds, size_t nkinds, size_t *ki, int depth) {
    if (depth > JINJA_MAX_VALUE_DEPTH) return jfail(c, NURI_ERR_UNSUPPORTED, "JSON nested too deeply");
    if (cJSON_IsNull(j)) return c->none;
    if (cJSON_IsTrue(j)) return c->vtrue;
    if (cJSON_IsFalse(j)) return c->vfalse;
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        /* kinds[i]: 1 when the i-th number in the text was written as an integer */
        bool as_int;
        if (kinds && *ki < nkinds)
            as_int = kinds[(*ki)++] != 0;
        else
            as_int = d == floor(d) && fabs(d) < 9007199254740992.0;
        if (!as_int) return jv_float(c, d);
        /* cJSON holds numbers as doubles: beyond 2^53 the integer read may not be the one written */
        if (fabs(d) >= 9007199254740992.0)
            return jfail(c, NURI_ERR_UNSUPPORTED, "messages: integer %.17g too large (up to 2^53 - 1 is read exactly)", d);
        return jv_int(c, (int64_t)d);
    }
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring ? j->valuestring : "";
        size_t n = strlen(s);
        if (!jutf8_valid(s, n)) return jfail(c, NURI_ERR_FORMAT, "messages: a string is not valid UTF-8");
        return jv_str(c, s, n);
    }
    if (cJSON_IsArray(j)) {
        size_t n = 0;
        for (const cJSON *e = j->child; e; e = e->next) n++;
        jv *l = jv_list(c, n, false);
        if (!l) return NULL;
        size_t k = 0;
        for (const cJSON *e = j->child; e; e = e->next)
            if (!(l->l.v[k++] = from(c, e, kinds, nkinds, ki, depth + 1))) return NULL;
        return l;
    }
    if (cJSON_IsObject(j)) {
        jv *d = jv_dict(c, 4);
        if (!d) return NULL;
        for (const cJSON *e = j->child; e; e = e->next) {
            const char *k = e->string ? e->string : "";
            size_t kn = strlen(k);
            if (!jutf8_valid(k, kn)) return jfail(c, NURI_ERR_FORMAT, "messages: a key is not valid UTF-8");
            jv *key = jv_str(c, k, kn), *val = key ? from(c, e, kinds, nkinds, ki, depth + 1) : NULL;
            if (!val || !jv_dict_set(c, d, key, val)) return NULL;
        }
        return d;
    }
    return jfail(c, NURI_ERR_UNSUPPORTED, "messages: unsupported JSON value");
}

jv *jv_from_cjson_kinds(jctx *c, const struct cJSON *j, const uint8_t *kinds, size_t nkinds) {
    size_t ki = 0;
    return from(c, j, kinds, nkinds, &ki, 0);
}

jv *jv_from_cjson(jctx *c, const struct cJSON *j) { return jv_from_cjson_kinds(c, j, NULL, 0); }

static bool put_json_str(jbuf *b, const char *s, size_t n) {
    jb_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        uint32_t cp = jutf8_next(s, n, &i);
        switch (cp) {
        case '"': jb_puts(b, "\\\""); continue;
        case '\\': jb_puts(b, "\\\\"); continue;
        case '\n': jb_puts(b, "\\n"); continue;
        case '\r': jb_puts(b, "\\r"); continue;
        case '\t': jb_puts(b, "\\t"); continue;
        case '\b': jb_puts(b, "\\b"); continue;
        case '\f': jb_puts(b, "\\f"); continue;
        /* htmlsafe_json_dumps */
        case '<': jb_puts(b, "\\u003c"); continue;
        case '>': jb_puts(b, "\\u003e"); continue;
        case '&': jb_puts(b, "\\u0026"); continue;
        case '\'': jb_puts(b, "\\u0027"); continue;
        default: break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            jb_putc(b, (char)cp);
        } else if (cp < 0x10000) {
            jb_printf(b, "\\u%04x", (unsigned)cp);
        } else {
            uint32_t v = cp - 0x10000;
            jb_printf(b, "\\u%04x\\u%04x", (unsigned)(0xD800 | (v >> 10)), (unsigned)(0xDC00 | (v & 0x3FF)));
        }
    }
    return jb_putc(b, '"');
}

static void newline(jbuf *b, int indent, int level) {
    jb_putc(b, '\n');
    for (int k = 0; k < indent * level; k++) jb_putc(b, ' ');
}

static bool dump(jctx *c, jbuf *b, const jv *v, int indent, int level);

/* Keys as json.dumps writes them, with sort_keys: all strings or all numbers. */
static bool dump_dict(jctx *c, jbuf *b, const jv *v, int indent, int level) {
    size_t n = v->d.n;
    if (n == 0) return jb_puts(b, "{}");
    size_t *order = ja_alloc(c->a, n * sizeof *order);
    if (!order) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
    for (size_t k = 0; k < n; k++) order[k] = k;
    /* insertion sort: dicts in prompts are small */
    for (size_t k = 1; k < n; k++) {
        size_t x = order[k], j = k;
        while (j > 0) {
            int r;
            if (!jv_cmp(c, v->d.p[order[j - 1]].k, v->d.p[x].k, &r)) return false;
            if (r <= 0) break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    jb_putc(b, '{');
    for (size_t k = 0; k < n; k++) {
        const jv *key = v->d.p[order[k]].k;
        if (k) jb_putc(b, ',');
        if (indent >= 0)
            newline(b, indent, level + 1);
        else if (k)
            jb_putc(b, ' ');
        if (key->t == JV_STR) {
            put_json_str(b, key->s.p, key->s.n);
        } else if (key->t == JV_INT || key->t == JV_FLOAT || key->t == JV_BOOL || key->t == JV_NONE) {
            jbuf kb;
            jb_init(&kb, c->a);
            if (!dump(c, &kb, key, -1, 0)) return false;
            put_json_str(b, kb.p ? kb.p : "", kb.n);
        } else {
            jfail(c, NURI_ERR_INVALID_ARG, "keys must be str, int, float, bool or None, not %s", jv_type_name(key));
            return false;
        }
        jb_puts(b, ": ");
        if (!dump(c, b, v->d.p[order[k]].v, indent, level + 1)) return false;
    }
    if (indent >= 0) newline(b, indent, level);
    return jb_putc(b, '}');
}

static bool dump(jctx *c, jbuf *b, const jv *v, int indent, int level) {
    if (level > JINJA_MAX_VALUE_DEPTH) return jfail(c, NURI_ERR_INVALID_ARG, "value nested too deeply for tojson"), false;
    char num[32];
    switch (v->t) {
    case JV_NONE: return jb_puts(b, "null");
    case JV_BOOL: return jb_puts(b, v->b ? "true" : "false");
    case JV_INT: return jb_printf(b, "%lld", (long long)v->i);
    case JV_FLOAT:
        if (isnan(v->f)) return jb_puts(b, "NaN");
        if (isinf(v->f)) return jb_puts(b, v->f < 0 ? "-Infinity" : "Infinity");
        jpy_float_repr(v->f, num);
        return jb_puts(b, num);
    case JV_STR: return put_json_str(b, v->s.p, v->s.n);
    case JV_LIST:
        if (v->l.kind != JL_LIST) break;
        if (v->l.n == 0) return jb_puts(b, "[]");
        jb_putc(b, '[');
        for (size_t k = 0; k < v->l.n; k++) {
            if (k) jb_putc(b, ',');
            if (indent >= 0)
                newline(b, indent, level + 1);
            else if (k)
                jb_putc(b, ' ');
            if (!dump(c, b, v->l.v[k], indent, level + 1)) return false;
        }
        if (indent >= 0) newline(b, indent, level);
        return jb_putc(b, ']');
    case JV_DICT: return dump_dict(c, b, v, indent, level);
    default: break;
    }
    jfail(c, NURI_ERR_INVALID_ARG, "Object of type %s is not JSON serializable", jv_type_name(v));
    return false;
}

bool jv_tojson(jctx *c, jbuf *b, const jv *v, int indent) { return dump(c, b, v, indent, 0) && !b->failed; }
