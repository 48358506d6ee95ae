/* Values: constructors, dicts, and Python's truthiness, equality and ordering. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tokenizer/jinja.h"

void *jfail(jctx *c, nuri_status st, const char *fmt, ...) {
    if (c->st != NURI_OK) return NULL;
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->st = nuri_fail(c->err, st, "template line %d: %s", c->line, msg);
    return NULL;
}

jv *jv_new(jctx *c, jv_type t) {
    jv *v = ja_alloc(c->a, sizeof *v);
    if (!v) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    v->t = t;
    return v;
}

jv *jv_int(jctx *c, int64_t i) {
    jv *v = jv_new(c, JV_INT);
    if (v) v->i = i;
    return v;
}

jv *jv_float(jctx *c, double f) {
    jv *v = jv_new(c, JV_FLOAT);
    if (v) v->f = f;
    return v;
}

jv *jv_bool(jctx *c, bool b) { return b ? c->vtrue : c->vfalse; }

jv *jv_str_nocopy(jctx *c, const char *p, size_t n) {
    jv *v = jv_new(c, JV_STR);
    if (!v) return NULL;
    v->s.p = p;
    v->s.n = n;
    return v;
}

jv *jv_str(jctx *c, const char *p, size_t n) {
    char *q = ja_strndup(c->a, p, n);
    if (!q) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    return jv_str_nocopy(c, q, n);
}

jv *jv_list(jctx *c, size_t n, bool tuple) {
    jv *v = jv_new(c, JV_LIST);
    if (!v) return NULL;
    if (n > SIZE_MAX / sizeof(jv *) / 2) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    v->l.v = ja_alloc(c->a, (n ? n : 1) * sizeof(jv *));
    if (!v->l.v) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    v->l.n = n;
    v->l.tuple = tuple;
    return v;
}

jv *jv_dict(jctx *c, size_t cap) {
    jv *v = jv_new(c, JV_DICT);
    if (!v) return NULL;
    if (cap) {
        v->d.p = ja_alloc(c->a, cap * sizeof(jv_pair));
        if (!v->d.p) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        v->d.cap = cap;
    }
    return v;
}

static bool hashable(const jv *k) {
    if (k->t == JV_LIST) {
        if (!k->l.tuple) return false;
        for (size_t i = 0; i < k->l.n; i++)
            if (!hashable(k->l.v[i])) return false;
        return true;
    }
    return k->t != JV_DICT;
}

bool jv_dict_set(jctx *c, jv *d, jv *k, jv *v) {
    if (!hashable(k)) {
        jfail(c, NURI_ERR_INVALID_ARG, "unhashable type: '%s'", jv_type_name(k));
        return false;
    }
    for (size_t i = 0; i < d->d.n; i++)
        if (jv_eq(d->d.p[i].k, k)) {
            d->d.p[i].v = v;
            return true;
        }
    if (d->d.n == d->d.cap) {
        size_t cap = d->d.cap ? d->d.cap * 2 : 4;
        jv_pair *p = ja_alloc(c->a, cap * sizeof *p);
        if (!p) {
            jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
            return false;
        }
        if (d->d.n) memcpy(p, d->d.p, d->d.n * sizeof *p);
        d->d.p = p;
        d->d.cap = cap;
    }
    d->d.p[d->d.n].k = k;
    d->d.p[d->d.n].v = v;
    d->d.n++;
    return true;
}

jv *jv_dict_get(const jv *d, const jv *k) {
    for (size_t i = 0; i < d->d.n; i++)
        if (jv_eq(d->d.p[i].k, k)) return d->d.p[i].v;
    return NULL;
}

jv *jv_dict_get_str(const jv *d, const char *k) {
    size_t n = strlen(k);
    for (size_t i = 0; i < d->d.n; i++) {
        const jv *key = d->d.p[i].k;
        if (key->t == JV_STR && key->s.n == n && !memcmp(key->s.p, k, n)) return d->d.p[i].v;
    }
    return NULL;
}

jv *jv_undef(jctx *c, const char *fmt, ...) {
    jv *v = jv_new(c, JV_UNDEF);
    if (!v) return NULL;
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    v->undef_hint = ja_strndup(c->a, msg, strlen(msg));
    if (!v->undef_hint) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    return v;
}

const char *jv_type_name(const jv *v) {
    switch (v->t) {
    case JV_UNDEF: return "Undefined";
    case JV_NONE: return "NoneType";
    case JV_BOOL: return "bool";
    case JV_INT: return "int";
    case JV_FLOAT: return "float";
    case JV_STR: return v->s.markup ? "Markup" : "str";
    case JV_LIST: {
        static const char *const names[] = {"list", "generator", "list_reverseiterator", "dict_items", "dict_keys",
                                            "dict_values"};
        return v->l.kind == JL_LIST ? (v->l.tuple ? "tuple" : "list") : names[v->l.kind];
    }
    case JV_DICT: return "dict";
    case JV_NS: return "Namespace";
    case JV_MACRO: return "Macro";
    case JV_FUNC: return "function";
    case JV_METHOD: return "builtin_function_or_method";
    case JV_LOOP: return "LoopContext";
    }
    return "object";
}

bool jv_truthy(const jv *v) {
    switch (v->t) {
    case JV_UNDEF:
    case JV_NONE: return false;
    case JV_BOOL: return v->b;
    case JV_INT: return v->i != 0;
    case JV_FLOAT: return v->f != 0;
    case JV_STR: return v->s.n != 0;
    case JV_LIST: return v->l.kind == JL_GEN || v->l.kind == JL_REVITER || v->l.n != 0;
    case JV_DICT: return v->d.n != 0;
    default: return true;
    }
}

static bool is_num(const jv *v) { return v->t == JV_BOOL || v->t == JV_INT || v->t == JV_FLOAT; }

static double num_f(const jv *v) { return v->t == JV_FLOAT ? v->f : v->t == JV_INT ? (double)v->i : (double)v->b; }

static int64_t num_i(const jv *v) { return v->t == JV_INT ? v->i : (int64_t)v->b; }

static bool eq_rec(const jv *a, const jv *b, int depth);

/* Deeper than Python's recursion limit allows, values compare unequal instead of
 * exhausting the stack. */
bool jv_eq(const jv *a, const jv *b) { return eq_rec(a, b, 0); }

static bool eq_rec(const jv *a, const jv *b, int depth) {
    if (depth > JINJA_MAX_VALUE_DEPTH) return false;
    if (is_num(a) && is_num(b)) {
        if (a->t == JV_FLOAT || b->t == JV_FLOAT) return num_f(a) == num_f(b);
        return num_i(a) == num_i(b);
    }
    if (a->t != b->t) return false;
    switch (a->t) {
    case JV_UNDEF:
    case JV_NONE: return true;
    case JV_STR: return a->s.n == b->s.n && !memcmp(a->s.p, b->s.p, a->s.n);
    case JV_LIST:
        if (a->l.kind != JL_LIST || b->l.kind != JL_LIST) return a == b;
        if (a->l.tuple != b->l.tuple || a->l.n != b->l.n) return false;
        for (size_t i = 0; i < a->l.n; i++)
            if (a->l.v[i] != b->l.v[i] && !eq_rec(a->l.v[i], b->l.v[i], depth + 1)) return false;
        return true;
    case JV_DICT:
        if (a->d.n != b->d.n) return false;
        for (size_t i = 0; i < a->d.n; i++) {
            jv *o = jv_dict_get(b, a->d.p[i].k);
            if (!o || (o != a->d.p[i].v && !eq_rec(a->d.p[i].v, o, depth + 1))) return false;
        }
        return true;
    case JV_FUNC: return a->fn == b->fn;
    case JV_METHOD: return a->meth.self == b->meth.self && !strcmp(a->meth.name, b->meth.name);
    default: return a == b;
    }
}

static bool cmp_rec(jctx *c, const jv *a, const jv *b, int *out, int depth);

bool jv_cmp(jctx *c, const jv *a, const jv *b, int *out) { return cmp_rec(c, a, b, out, 0); }

static bool cmp_rec(jctx *c, const jv *a, const jv *b, int *out, int depth) {
    if (depth > JINJA_MAX_VALUE_DEPTH) {
        jfail(c, NURI_ERR_INVALID_ARG, "values nested too deeply to compare");
        return false;
    }
    if (is_num(a) && is_num(b)) {
        if (a->t == JV_FLOAT || b->t == JV_FLOAT) {
            double x = num_f(a), y = num_f(b);
            if (isnan(x) || isnan(y)) {
                *out = 2; /* unordered: every comparison but != is false */
                return true;
            }
            *out = x < y ? -1 : x > y;
        } else {
            int64_t x = num_i(a), y = num_i(b);
            *out = x < y ? -1 : x > y;
        }
        return true;
    }
    if (a->t == JV_STR && b->t == JV_STR) {
        size_t n = a->s.n < b->s.n ? a->s.n : b->s.n;
        int r = memcmp(a->s.p, b->s.p, n);
        *out = r < 0 ? -1 : r > 0 ? 1 : a->s.n < b->s.n ? -1 : a->s.n > b->s.n;
        return true;
    }
    if (jv_is_seq(a) && jv_is_seq(b) && a->l.tuple == b->l.tuple) {
        size_t n = a->l.n < b->l.n ? a->l.n : b->l.n;
        for (size_t i = 0; i < n; i++)
            if (!eq_rec(a->l.v[i], b->l.v[i], depth + 1)) return cmp_rec(c, a->l.v[i], b->l.v[i], out, depth + 1);
        *out = a->l.n < b->l.n ? -1 : a->l.n > b->l.n;
        return true;
    }
    if (a->t == JV_UNDEF || b->t == JV_UNDEF) {
        jfail(c, NURI_ERR_INVALID_ARG, "%s", (a->t == JV_UNDEF ? a : b)->undef_hint ? (a->t == JV_UNDEF ? a : b)->undef_hint : "undefined value");
        return false;
    }
    jfail(c, NURI_ERR_INVALID_ARG, "'<' not supported between instances of '%s' and '%s'", jv_type_name(a),
          jv_type_name(b));
    return false;
}
