/* Jinja2's tests (`x is defined`, `x is string`, `n is divisibleby 3`, ...). */
#include <string.h>

#include "tokenizer/jinja.h"

/* Every builtin test name of Jinja2 3.1; all are implemented. */
static const char *const test_names[] = {
    "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "escaped", "even",
    "false", "filter", "float", "ge", ">=", "greaterthan", "gt", ">", "in", "integer",
    "iterable", "le", "<=", "lessthan", "lt", "<", "lower", "mapping", "ne", "!=", "none",
    "number", "odd", "sameas", "sequence", "string", "test", "true", "undefined", "upper", NULL};

int jinja_test_id(const char *name) {
    for (int i = 0; test_names[i]; i++)
        if (!strcmp(test_names[i], name)) return i;
    return -1;
}

static jv *one_arg(jctx *c, jvargs *a, const char *name) {
    if (a->npos + a->nkw != 1) {
        jfail(c, NURI_ERR_INVALID_ARG, "test '%s' takes exactly one argument", name);
        return NULL;
    }
    return a->npos ? a->pos[0] : a->kwv[0];
}

static bool compare(jctx *c, jv *x, jv *y, const char *name, bool *out) {
    int r;
    if (!jv_cmp(c, x, y, &r)) return false;
    if (r == 2) {
        *out = false;
        return true;
    }
    if (!strcmp(name, "lt") || !strcmp(name, "lessthan") || !strcmp(name, "<")) *out = r < 0;
    else if (!strcmp(name, "le") || !strcmp(name, "<=")) *out = r <= 0;
    else if (!strcmp(name, "gt") || !strcmp(name, "greaterthan") || !strcmp(name, ">")) *out = r > 0;
    else *out = r >= 0;
    return true;
}

static bool str_case(jctx *c, jv *v, bool lower, bool *out) {
    jv *s = jv_stringify(c, v);
    if (!s) return false;
    bool cased = false;
    jv *other = jinja_case(c, s, lower ? CASE_UPPER : CASE_LOWER), *same = jinja_case(c, s, lower ? CASE_LOWER : CASE_UPPER);
    if (!other || !same) return false;
    /* islower(): some cased character and no uppercase one */
    cased = !(other->s.n == s->s.n && !memcmp(other->s.p, s->s.p, s->s.n));
    *out = cased && same->s.n == s->s.n && !memcmp(same->s.p, s->s.p, s->s.n);
    return true;
}

bool jinja_test(jctx *c, int id, const char *name, jv *v, jvargs *a, bool *out) {
    if (id < 0) {
        jfail(c, NURI_ERR_FORMAT, "No test named '%s'.", name);
        return false;
    }
    const char *t = test_names[id];
    jv *x;
    if (!strcmp(t, "defined")) *out = v->t != JV_UNDEF;
    else if (!strcmp(t, "undefined")) *out = v->t == JV_UNDEF;
    else if (!strcmp(t, "none")) *out = v->t == JV_NONE;
    else if (!strcmp(t, "boolean")) *out = v->t == JV_BOOL;
    else if (!strcmp(t, "false")) *out = v->t == JV_BOOL && !v->b;
    else if (!strcmp(t, "true")) *out = v->t == JV_BOOL && v->b;
    else if (!strcmp(t, "integer")) *out = v->t == JV_INT;
    else if (!strcmp(t, "float")) *out = v->t == JV_FLOAT;
    else if (!strcmp(t, "number")) *out = v->t == JV_INT || v->t == JV_FLOAT || v->t == JV_BOOL;
    else if (!strcmp(t, "string")) *out = v->t == JV_STR;
    else if (!strcmp(t, "mapping")) *out = v->t == JV_DICT;
    else if (!strcmp(t, "iterable")) *out = jv_is_iterable(v);
    else if (!strcmp(t, "sequence")) *out = v->t == JV_STR || jv_is_seq(v) || v->t == JV_DICT || v->t == JV_UNDEF;
    else if (!strcmp(t, "callable"))
        *out = v->t == JV_MACRO || v->t == JV_FUNC || v->t == JV_METHOD || v->t == JV_UNDEF;
    else if (!strcmp(t, "escaped")) *out = v->t == JV_STR && v->s.markup;
    else if (!strcmp(t, "lower") || !strcmp(t, "upper")) return str_case(c, v, t[0] == 'l', out);
    else if (!strcmp(t, "filter") || !strcmp(t, "test"))
        *out = v->t == JV_STR && (t[0] == 'f' ? jinja_filter_known(v->s.p) : jinja_test_id(v->s.p) >= 0);
    else if (!strcmp(t, "odd") || !strcmp(t, "even")) {
        jv *two = jv_int(c, 2), *m = two ? jv_binop(c, OP_MOD, v, two) : NULL;
        if (!m) return false;
        *out = jv_eq(m, t[0] == 'o' ? c->vtrue : c->vfalse);
    } else {
        if (!(x = one_arg(c, a, t))) return false;
        if (!strcmp(t, "divisibleby")) {
            jv *m = jv_binop(c, OP_MOD, v, x);
            if (!m) return false;
            *out = jv_eq(m, c->vfalse);
        } else if (!strcmp(t, "eq") || !strcmp(t, "equalto") || !strcmp(t, "==")) *out = jv_eq(v, x);
        else if (!strcmp(t, "ne") || !strcmp(t, "!=")) *out = !jv_eq(v, x);
        else if (!strcmp(t, "in")) return jv_contains(c, x, v, out);
        else if (!strcmp(t, "sameas"))
            *out = v == x || (v->t == x->t && (v->t == JV_NONE || (v->t == JV_BOOL && v->b == x->b) ||
                                               (v->t == JV_INT && v->i == x->i && v->i >= -5 && v->i <= 256)));
        else return compare(c, v, x, t, out);
    }
    return true;
}
