/* Jinja2's filters, as they behave with autoescape off: e.g. join and replace return
 * plain strings, while tojson, safe and escape return Markup. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/jinja.h"

enum {
    F_ABS, F_ATTR, F_CAPITALIZE, F_CENTER, F_COUNT, F_D, F_DEFAULT, F_DICTSORT, F_E, F_ESCAPE, F_FIRST,
    F_FLOAT, F_FORCEESCAPE, F_INDENT, F_INT, F_ITEMS, F_JOIN, F_LAST, F_LENGTH, F_LIST,
    F_LOWER, F_MAP, F_MAX, F_MIN, F_REJECT, F_REJECTATTR, F_REPLACE, F_REVERSE, F_ROUND,
    F_SAFE, F_SELECT, F_SELECTATTR, F_SORT, F_STRING, F_SUM, F_TITLE, F_TOJSON, F_TRIM,
    F_UNIQUE, F_UPPER, F_WORDCOUNT, F_COUNT_IMPLEMENTED
};

static const char *const filter_names[] = {
    "abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first",
    "float", "forceescape", "indent", "int", "items", "join", "last", "length", "list",
    "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round",
    "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim",
    "unique", "upper", "wordcount"};

/* Jinja2 builtins nuri does not implement: an error when they run. */
static const char *const unimplemented[] = {"batch", "filesizeformat", "format", "groupby", "pprint",
                                            "random", "slice", "striptags", "truncate", "urlencode", "urlize",
                                            "wordwrap", "xmlattr", NULL};

int jinja_filter_id(const char *name) {
    for (int i = 0; i < F_COUNT_IMPLEMENTED; i++)
        if (!strcmp(filter_names[i], name)) return i;
    for (int i = 0; unimplemented[i]; i++)
        if (!strcmp(unimplemented[i], name)) return -2;
    return -1;
}

bool jinja_filter_known(const char *name) { return jinja_filter_id(name) != -1; }

static jv *nomem(jctx *c) { return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"); }

static jv *undef_fail(jctx *c, jv *v) {
    return jfail(c, NURI_ERR_INVALID_ARG, "%s", v->undef_hint ? v->undef_hint : "value is undefined");
}

static jv *to_list(jctx *c, jv *v) {
    jv **items;
    size_t n;
    if (!jv_iterate(c, v, &items, &n)) return NULL;
    jv *r = jv_list(c, n, false);
    if (r && n) memcpy(r->l.v, items, n * sizeof *items);
    return r;
}

/* make_attrgetter: "a.b.0" looked up with getitem part by part. */
static jv *attr_path(jctx *c, jv *item, jv *attr, jv *def) {
    if (attr->t != JV_STR) {
        jv *r = jv_getitem(c, item, attr);
        return r && def && r->t == JV_UNDEF ? def : r;
    }
    const char *p = attr->s.p, *end = p + attr->s.n;
    while (item) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t len = dot ? (size_t)(dot - p) : (size_t)(end - p);
        bool digits = len > 0;
        for (size_t k = 0; k < len; k++)
            if (p[k] < '0' || p[k] > '9') digits = false;
        jv *key = digits && len < 18 ? jv_int(c, strtoll(p, NULL, 10)) : jv_str(c, p, len);
        if (!key) return NULL;
        item = jv_getitem(c, item, key);
        if (item && def && item->t == JV_UNDEF) item = def;
        if (!dot) break;
        p = dot + 1;
    }
    return item;
}

static jv *length(jctx *c, jv *v) {
    switch (v->t) {
    case JV_STR: return jv_int(c, (int64_t)jutf8_count(v->s.p, v->s.n));
    case JV_LIST:
        if (v->l.kind == JL_GEN || v->l.kind == JL_REVITER) break;
        return jv_int(c, (int64_t)v->l.n);
    case JV_DICT: return jv_int(c, (int64_t)v->d.n);
    case JV_UNDEF: return jv_int(c, 0);
    case JV_LOOP: return jv_int(c, (int64_t)v->loop->n);
    default: break;
    }
    return jfail(c, NURI_ERR_INVALID_ARG, "object of type '%s' has no len()", jv_type_name(v));
}

static jv *indent(jctx *c, jv *v, jvargs *a) {
    jv *s = jv_stringify(c, v);
    if (!s) return NULL;
    jv *w = jarg(a, 0, "width"), *first = jarg(a, 1, "first"), *blank = jarg(a, 2, "blank");
    jbuf ind;
    jb_init(&ind, c->a);
    if (w && w->t == JV_STR) {
        jb_put(&ind, w->s.p, w->s.n);
    } else {
        int64_t width = 4;
        if (w) {
            if (w->t != JV_INT && w->t != JV_BOOL)
                return jfail(c, NURI_ERR_INVALID_ARG, "indent: width must be an integer or a string");
            width = w->t == JV_INT ? w->i : w->b;
        }
        for (int64_t k = 0; k < width && k < 100000; k++) jb_putc(&ind, ' ');
    }
    /* s += "\n" so that splitlines keeps a trailing empty line, as Jinja2 does */
    jv *nl = jv_str(c, "\n", 1);
    jv *s2 = nl ? jv_binop(c, OP_ADD, s, nl) : NULL;
    jv *lines = s2 ? jinja_splitlines(c, s2, false) : NULL;
    if (!lines) return NULL;
    jbuf out;
    jb_init(&out, c->a);
    if (first && jv_truthy(first)) jb_put(&out, ind.p ? ind.p : "", ind.n);
    for (size_t k = 0; k < lines->l.n; k++) {
        jv *line = lines->l.v[k];
        if (k) {
            jb_putc(&out, '\n');
            if (line->s.n || (blank && jv_truthy(blank))) jb_put(&out, ind.p ? ind.p : "", ind.n);
        }
        jb_put(&out, line->s.p, line->s.n);
    }
    if (out.failed || ind.failed) return nomem(c);
    jv *r = jv_str_nocopy(c, out.p ? out.p : "", out.n);
    if (r) r->s.markup = s->s.markup;
    return r;
}

static jv *join(jctx *c, jv *v, jvargs *a) {
    jv *d = jarg(a, 0, "d"), *attr = jarg(a, 1, "attribute");
    jv **items;
    size_t n;
    if (!jv_iterate(c, v, &items, &n)) return NULL;
    jv *sep = d ? jv_stringify(c, d) : NULL;
    if (d && !sep) return NULL;
    jbuf b;
    jb_init(&b, c->a);
    for (size_t k = 0; k < n; k++) {
        jv *it = attr ? attr_path(c, items[k], attr, NULL) : items[k];
        if (!it) return NULL;
        if (k && sep) jb_put(&b, sep->s.p, sep->s.n);
        if (!jv_to_str(c, &b, it)) return c->st ? NULL : nomem(c);
    }
    if (b.failed) return nomem(c);
    return jv_str_nocopy(c, b.p ? b.p : "", b.n);
}

/* select/reject/selectattr/rejectattr */
static jv *generator(jctx *c, jv *l) {
    if (l) l->l.kind = JL_GEN;
    return l;
}

/* Jinja2's select/reject/map yield nothing for a falsy value instead of iterating it. */
static jv *select_items(jctx *c, jv *v, jvargs *a, bool attr_form, bool keep) {
    jv **items = NULL;
    size_t n = 0;
    if (jv_truthy(v) && !jv_iterate(c, v, &items, &n)) return NULL;
    size_t first = 0;
    jv *attr = NULL;
    if (attr_form) {
        if (a->npos < 1) return jfail(c, NURI_ERR_INVALID_ARG, "selectattr/rejectattr need an attribute name");
        attr = a->pos[0];
        first = 1;
    }
    int tid = -3;
    const char *tname = NULL;
    if (a->npos > first) {
        jv *t = a->pos[first];
        if (t->t != JV_STR) return jfail(c, NURI_ERR_INVALID_ARG, "test name must be a string");
        tname = t->s.p;
        tid = jinja_test_id(tname);
        if (tid < 0) return jfail(c, NURI_ERR_INVALID_ARG, "No test named '%s'.", tname);
    }
    jvargs targs = {a->npos > first ? a->pos + first + 1 : NULL, a->npos > first ? a->npos - first - 1 : 0, a->kwn,
                    a->kwv, a->nkw};
    jv *r = jv_list(c, n, false);
    if (!r) return NULL;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        jv *x = attr ? attr_path(c, items[k], attr, NULL) : items[k];
        if (!x) return NULL;
        bool ok;
        if (tid == -3)
            ok = jv_truthy(x);
        else if (!jinja_test(c, tid, tname, x, &targs, &ok))
            return NULL;
        if (ok == keep) r->l.v[m++] = items[k];
    }
    r->l.n = m;
    return generator(c, r);
}

static jv *map(jctx *c, jv *v, jvargs *a) {
    jv **items = NULL;
    size_t n = 0;
    if (jv_truthy(v) && !jv_iterate(c, v, &items, &n)) return NULL;
    jv *attr = NULL, *def = NULL;
    for (size_t k = 0; k < a->nkw; k++) {
        if (!strcmp(a->kwn[k], "attribute")) attr = a->kwv[k];
        else if (!strcmp(a->kwn[k], "default")) def = a->kwv[k];
    }
    jv *r = jv_list(c, n, false);
    if (!r) return NULL;
    if (attr) {
        for (size_t k = 0; k < n; k++)
            if (!(r->l.v[k] = attr_path(c, items[k], attr, def))) return NULL;
        return generator(c, r);
    }
    if (a->npos < 1 || a->pos[0]->t != JV_STR) return jfail(c, NURI_ERR_INVALID_ARG, "map: expected a filter name or attribute=");
    const char *fname = a->pos[0]->s.p;
    int fid = jinja_filter_id(fname);
    if (fid == -1) return jfail(c, NURI_ERR_INVALID_ARG, "No filter named '%s'.", fname);
    jvargs fa = {a->pos + 1, a->npos - 1, a->kwn, a->kwv, a->nkw};
    for (size_t k = 0; k < n; k++)
        if (!(r->l.v[k] = jinja_filter(c, fid, fname, items[k], &fa))) return NULL;
    return generator(c, r);
}

/* Sort key: the attribute, lowercased if a string and not case sensitive. */
static jv *sort_key(jctx *c, jv *x, jv *attr, bool case_sensitive) {
    if (attr && !(x = attr_path(c, x, attr, NULL))) return NULL;
    if (!case_sensitive && x->t == JV_STR) return jinja_case(c, x, CASE_LOWER);
    return x;
}

/* Stable merge sort of items by keys; false on an incomparable pair. */
static bool msort(jctx *c, jv **items, jv **keys, size_t n, bool reverse, jv **ti, jv **tk) {
    if (n < 2) return true;
    size_t h = n / 2;
    if (!msort(c, items, keys, h, reverse, ti, tk) || !msort(c, items + h, keys + h, n - h, reverse, ti, tk)) return false;
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n) {
        int r;
        if (!jv_cmp(c, keys[j], keys[i], &r)) return false;
        bool take_right = reverse ? (r == 1) : (r == -1);
        if (take_right) {
            ti[o] = items[j];
            tk[o++] = keys[j++];
        } else {
            ti[o] = items[i];
            tk[o++] = keys[i++];
        }
    }
    while (i < h) {
        ti[o] = items[i];
        tk[o++] = keys[i++];
    }
    while (j < n) {
        ti[o] = items[j];
        tk[o++] = keys[j++];
    }
    memcpy(items, ti, n * sizeof *items);
    memcpy(keys, tk, n * sizeof *keys);
    return true;
}

static jv *sorted(jctx *c, jv **src, size_t n, jv *attr, bool case_sensitive, bool reverse, bool tuple_key) {
    jv **items = ja_alloc(c->a, (n + 1) * sizeof *items), **keys = ja_alloc(c->a, (n + 1) * sizeof *keys);
    jv **ti = ja_alloc(c->a, (n + 1) * sizeof *ti), **tk = ja_alloc(c->a, (n + 1) * sizeof *tk);
    if (!items || !keys || !ti || !tk) return nomem(c);
    for (size_t k = 0; k < n; k++) {
        items[k] = src[k];
        jv *x = tuple_key ? src[k]->l.v[0] : src[k];
        if (!(keys[k] = tuple_key ? sort_key(c, x, NULL, case_sensitive) : sort_key(c, x, attr, case_sensitive))) return NULL;
    }
    if (!msort(c, items, keys, n, reverse, ti, tk)) return NULL;
    jv *r = jv_list(c, n, false);
    if (r && n) memcpy(r->l.v, items, n * sizeof *items);
    return r;
}

static jv *to_int(jctx *c, jv *v, jv *def) {
    switch (v->t) {
    case JV_INT: return v;
    case JV_BOOL: return jv_int(c, v->b);
    case JV_FLOAT:
        if (isnan(v->f) || isinf(v->f)) return def;
        if (fabs(v->f) >= 9.2e18) return jfail(c, NURI_ERR_UNSUPPORTED, "integer overflow (nuri's template integers are 64-bit)");
        return jv_int(c, (int64_t)v->f);
    case JV_STR: {
        char buf[64];
        jv *s = jinja_strip(c, v, NULL, true, true);
        if (!s) return NULL;
        size_t n = 0;
        for (size_t k = 0; k < s->s.n && n + 1 < sizeof buf; k++)
            if (s->s.p[k] != '_') buf[n++] = s->s.p[k];
        buf[n] = 0;
        if (n == 0 || s->s.n >= sizeof buf) return def;
        char *end;
        long long x = strtoll(buf, &end, 10);
        if (!*end) return jv_int(c, x);
        double f = strtod(buf, &end);
        if (*end || isnan(f) || isinf(f) || fabs(f) >= 9.2e18) return def;
        return jv_int(c, (int64_t)f);
    }
    default: return def;
    }
}

static jv *to_float(jctx *c, jv *v, jv *def) {
    switch (v->t) {
    case JV_FLOAT: return v;
    case JV_INT: return jv_float(c, (double)v->i);
    case JV_BOOL: return jv_float(c, v->b);
    case JV_STR: {
        jv *s = jinja_strip(c, v, NULL, true, true);
        if (!s) return NULL;
        char *end;
        double f = strtod(s->s.p, &end);
        if (s->s.n == 0 || *end) return def;
        return jv_float(c, f);
    }
    default: return def;
    }
}

static jv *round_f(jctx *c, jv *v, jvargs *a) {
    jv *prec = jarg(a, 0, "precision"), *method = jarg(a, 1, "method");
    int64_t p = 0;
    if (prec) {
        if (prec->t != JV_INT) return jfail(c, NURI_ERR_INVALID_ARG, "round: precision must be an integer");
        p = prec->i;
    }
    if (v->t != JV_INT && v->t != JV_FLOAT && v->t != JV_BOOL) return jfail(c, NURI_ERR_INVALID_ARG, "round: not a number");
    double x = v->t == JV_FLOAT ? v->f : v->t == JV_INT ? (double)v->i : v->b;
    const char *m = method && method->t == JV_STR ? method->s.p : "common";
    if (p < -20 || p > 20) return jfail(c, NURI_ERR_UNSUPPORTED, "round: precision out of range");
    if (!strcmp(m, "common")) {
        if (isnan(x) || isinf(x)) return jv_float(c, x);
        if (p >= 0) {
            char buf[400];
            snprintf(buf, sizeof buf, "%.*f", (int)p, x); /* correctly rounded, ties to even */
            return jv_float(c, strtod(buf, NULL));
        }
        double f = pow(10, (double)-p);
        return jv_float(c, nearbyint(x / f) * f);
    }
    double f = pow(10, (double)p);
    if (!strcmp(m, "ceil")) return jv_float(c, ceil(x * f) / f);
    if (!strcmp(m, "floor")) return jv_float(c, floor(x * f) / f);
    return jfail(c, NURI_ERR_INVALID_ARG, "method must be common, ceil or floor");
}

static jv *title(jctx *c, jv *s) {
    jbuf b;
    jb_init(&b, c->a);
    size_t i = 0;
    bool start = true;
    while (i < s->s.n) {
        size_t a = i;
        uint32_t cp = jutf8_next(s->s.p, s->s.n, &i);
        bool sep = cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || jpy_isspace(cp);
        jv *ch = jv_str(c, s->s.p + a, i - a);
        if (!ch || !(ch = jinja_case(c, ch, start ? CASE_UPPER : CASE_LOWER))) return NULL;
        jb_put(&b, ch->s.p, ch->s.n);
        start = sep;
    }
    if (b.failed) return nomem(c);
    jv *r = jv_str_nocopy(c, b.p ? b.p : "", b.n);
    if (r) r->s.markup = s->s.markup;
    return r;
}

static jv *minmax(jctx *c, jv *v, jvargs *a, bool want_max) {
    jv **items;
    size_t n;
    if (!jv_iterate(c, v, &items, &n)) return NULL;
    jv *cs = jarg(a, 0, "case_sensitive"), *attr = jarg(a, 1, "attribute");
    if (n == 0) return jv_undef(c, "No aggregated item, sequence was empty.");
    jv *best = items[0], *bk = sort_key(c, best, attr, cs && jv_truthy(cs));
    if (!bk) return NULL;
    for (size_t k = 1; k < n; k++) {
        jv *key = sort_key(c, items[k], attr, cs && jv_truthy(cs));
        int r;
        if (!key || !jv_cmp(c, key, bk, &r)) return NULL;
        if ((want_max && r == 1) || (!want_max && r == -1)) {
            best = items[k];
            bk = key;
        }
    }
    return best;
}

/* Parameter names of each filter, in order, space-separated; NULL: any arguments (the
 * filter passes them on, as map and select do). Python raises TypeError on others. */
static const char *const filter_params[F_COUNT_IMPLEMENTED] = {
    [F_ABS] = "", [F_ATTR] = "name", [F_CAPITALIZE] = "", [F_CENTER] = "width", [F_COUNT] = "",
    [F_D] = "default_value boolean", [F_DEFAULT] = "default_value boolean", [F_DICTSORT] = "case_sensitive by reverse",
    [F_E] = "", [F_ESCAPE] = "", [F_FIRST] = "", [F_FLOAT] = "default", [F_FORCEESCAPE] = "",
    [F_INDENT] = "width first blank", [F_INT] = "default base", [F_ITEMS] = "", [F_JOIN] = "d attribute",
    [F_LAST] = "", [F_LENGTH] = "", [F_LIST] = "", [F_LOWER] = "", [F_MAP] = NULL,
    [F_MAX] = "case_sensitive attribute", [F_MIN] = "case_sensitive attribute", [F_REJECT] = NULL,
    [F_REJECTATTR] = NULL, [F_REPLACE] = "old new count", [F_REVERSE] = "", [F_ROUND] = "precision method",
    [F_SAFE] = "", [F_SELECT] = NULL, [F_SELECTATTR] = NULL, [F_SORT] = "reverse case_sensitive attribute",
    [F_STRING] = "", [F_SUM] = "attribute start", [F_TITLE] = "", [F_TOJSON] = "indent", [F_TRIM] = "chars",
    [F_UNIQUE] = "case_sensitive attribute", [F_UPPER] = "", [F_WORDCOUNT] = "",
};

/* Index of name among the space-separated params, or -1. */
static int param_index(const char *params, const char *name) {
    size_t n = strlen(name);
    int i = 0;
    for (const char *p = params; *p; i++) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !memcmp(p, name, n)) return i;
        p += len + (end != NULL);
    }
    return -1;
}

static bool check_params(jctx *c, int id, const char *name, jvargs *a) {
    const char *params = filter_params[id];
    if (!params) return true;
    int count = 0;
    for (const char *p = params; *p; p++) count += *p == ' ';
    if (params[0]) count++;
    if (a->npos > (size_t)count) {
        jfail(c, NURI_ERR_INVALID_ARG, "filter '%s' takes at most %d argument(s) (%zu given)", name, count, a->npos);
        return false;
    }
    for (size_t k = 0; k < a->nkw; k++) {
        int at = param_index(params, a->kwn[k]);
        if (at < 0) {
            jfail(c, NURI_ERR_INVALID_ARG, "filter '%s' got an unexpected keyword argument '%s'", name, a->kwn[k]);
            return false;
        }
        if ((size_t)at < a->npos) {
            jfail(c, NURI_ERR_INVALID_ARG, "filter '%s' got multiple values for argument '%s'", name, a->kwn[k]);
            return false;
        }
    }
    return true;
}

jv *jinja_filter(jctx *c, int id, const char *name, jv *v, jvargs *a) {
    if (id == -1) return jfail(c, NURI_ERR_FORMAT, "No filter named '%s'.", name);
    if (id < 0) return jfail(c, NURI_ERR_UNSUPPORTED, "the '%s' filter is not supported", name);
    if (!check_params(c, id, name, a)) return NULL;
    jv *x, *y;
    switch (id) {
    case F_ABS:
        if (v->t == JV_FLOAT) return jv_float(c, fabs(v->f));
        if (v->t == JV_INT || v->t == JV_BOOL) {
            int64_t i = v->t == JV_INT ? v->i : v->b;
            if (i == INT64_MIN) return jfail(c, NURI_ERR_UNSUPPORTED, "integer overflow");
            return jv_int(c, i < 0 ? -i : i);
        }
        if (v->t == JV_UNDEF) return undef_fail(c, v);
        return jfail(c, NURI_ERR_INVALID_ARG, "bad operand type for abs(): '%s'", jv_type_name(v));
    case F_ATTR:
        if (!(x = jarg(a, 0, "name")) || x->t != JV_STR) return jfail(c, NURI_ERR_INVALID_ARG, "attr: expected an attribute name");
        if (v->t == JV_DICT) {
            if (jinja_has_method(v, x->s.p) == 1) {
                jv *m = jv_new(c, JV_METHOD);
                if (m) {
                    m->meth.self = v;
                    m->meth.name = x->s.p;
                }
                return m;
            }
            return jv_undef(c, "'dict object' has no attribute '%s'", x->s.p);
        }
        return jv_getattr(c, v, x->s.p);
    case F_CAPITALIZE: return (x = jv_stringify(c, v)) ? jinja_case(c, x, CASE_CAPITALIZE) : NULL;
    case F_CENTER: {
        jv *w = jarg(a, 0, "width");
        if (w && w->t != JV_INT) return jfail(c, NURI_ERR_INVALID_ARG, "center: width must be an integer");
        if (!(x = jv_stringify(c, v))) return NULL;
        return jinja_pad(c, x, w ? w->i : 80, " ", 1, 'c');
    }
    case F_COUNT:
    case F_LENGTH: return length(c, v);
    case F_D:
    case F_DEFAULT:
        x = jarg(a, 0, "default_value");
        y = jarg(a, 1, "boolean");
        if (v->t == JV_UNDEF || (y && jv_truthy(y) && !jv_truthy(v))) return x ? x : jv_str(c, "", 0);
        return v;
    case F_DICTSORT: {
        if (v->t != JV_DICT) return jfail(c, NURI_ERR_INVALID_ARG, "dictsort: expected a mapping");
        jv *cs = jarg(a, 0, "case_sensitive"), *by = jarg(a, 1, "by"), *rev = jarg(a, 2, "reverse");
        jv *items = jinja_dict_items(c, v);
        if (!items) return NULL;
        bool by_value = by && by->t == JV_STR && !strcmp(by->s.p, "value");
        if (by && !by_value && !(by->t == JV_STR && !strcmp(by->s.p, "key")))
            return jfail(c, NURI_ERR_INVALID_ARG, "You can only sort by either \"key\" or \"value\"");
        if (by_value)
            for (size_t k = 0; k < items->l.n; k++) {
                jv *t = jv_list(c, 2, true);
                if (!t) return NULL;
                t->l.v[0] = items->l.v[k]->l.v[1];
                t->l.v[1] = items->l.v[k]->l.v[0];
                items->l.v[k] = t;
            }
        jv *r = sorted(c, items->l.v, items->l.n, NULL, cs && jv_truthy(cs), rev && jv_truthy(rev), true);
        if (r && by_value)
            for (size_t k = 0; k < r->l.n; k++) {
                jv *t = jv_list(c, 2, true);
                if (!t) return NULL;
                t->l.v[0] = r->l.v[k]->l.v[1];
                t->l.v[1] = r->l.v[k]->l.v[0];
                r->l.v[k] = t;
            }
        return r;
    }
    case F_E:
    case F_ESCAPE: return jpy_html_escape(c, v);
    case F_FORCEESCAPE:
        if (!(x = jv_stringify(c, v))) return NULL;
        if (!(x = jv_str(c, x->s.p, x->s.n))) return NULL;
        return jpy_html_escape(c, x);
    case F_FIRST:
    case F_LAST: {
        jv **items;
        size_t n;
        if (v->t == JV_UNDEF && id == F_LAST) return undef_fail(c, v);
        if (v->t == JV_LIST && (v->l.kind == JL_GEN || v->l.kind == JL_REVITER)) {
            if (id == F_LAST) return jfail(c, NURI_ERR_INVALID_ARG, "'%s' object is not reversible", jv_type_name(v));
            if (v->l.pos < v->l.n) return v->l.v[v->l.pos++];
            return jv_undef(c, "No first item, sequence was empty.");
        }
        if (!jv_iterate(c, v, &items, &n)) return NULL;
        if (n == 0) return jv_undef(c, "No %s item, sequence was empty.", id == F_FIRST ? "first" : "last");
        return items[id == F_FIRST ? 0 : n - 1];
    }
    case F_FLOAT: {
        jv *d = jarg(a, 0, "default");
        if (!d && !(d = jv_float(c, 0))) return NULL;
        return to_float(c, v, d);
    }
    case F_INDENT: return indent(c, v, a);
    case F_INT: {
        jv *d = jarg(a, 0, "default"), *base = jarg(a, 1, "base");
        if (base && !(base->t == JV_INT && base->i == 10))
            return jfail(c, NURI_ERR_UNSUPPORTED, "int: only base 10 is supported");
        if (!d && !(d = jv_int(c, 0))) return NULL;
        return to_int(c, v, d);
    }
    case F_ITEMS:
        if (v->t == JV_UNDEF) return generator(c, jv_list(c, 0, false));
        if (v->t != JV_DICT) return jfail(c, NURI_ERR_INVALID_ARG, "Can only get item pairs from a mapping.");
        return generator(c, jinja_dict_items(c, v));
    case F_JOIN: return join(c, v, a);
    case F_LIST: return to_list(c, v);
    case F_LOWER: return (x = jv_stringify(c, v)) ? jinja_case(c, x, CASE_LOWER) : NULL;
    case F_UPPER: return (x = jv_stringify(c, v)) ? jinja_case(c, x, CASE_UPPER) : NULL;
    case F_TITLE: return (x = jv_stringify(c, v)) ? title(c, x) : NULL;
    case F_MAP: return map(c, v, a);
    case F_MAX:
    case F_MIN: return minmax(c, v, a, id == F_MAX);
    case F_SELECT:
    case F_REJECT: return select_items(c, v, a, false, id == F_SELECT);
    case F_SELECTATTR:
    case F_REJECTATTR: return select_items(c, v, a, true, id == F_SELECTATTR);
    case F_REPLACE: {
        jv *s = jv_stringify(c, v);
        jv *o = jarg(a, 0, "old"), *nw = jarg(a, 1, "new"), *cnt = jarg(a, 2, "count");
        if (!s) return NULL;
        if (!o || !nw) return jfail(c, NURI_ERR_INVALID_ARG, "replace: expected old and new");
        if (!(o = jv_stringify(c, o)) || !(nw = jv_stringify(c, nw))) return NULL;
        int64_t count = -1;
        if (cnt && cnt->t != JV_NONE) {
            if (cnt->t != JV_INT) return jfail(c, NURI_ERR_INVALID_ARG, "replace: count must be an integer");
            count = cnt->i;
        }
        return jinja_replace(c, s, o, nw, count, false);
    }
    case F_REVERSE: {
        if (v->t == JV_STR) {
            jv *step = jv_int(c, -1);
            return step ? jv_slice(c, v, NULL, NULL, step) : NULL;
        }
        /* reversed() where Python has it (an iterator), else a reversed list */
        bool reversible = v->t == JV_DICT || (v->t == JV_LIST && v->l.kind != JL_GEN && v->l.kind != JL_REVITER);
        jv *l = to_list(c, v);
        if (!l) return NULL;
        for (size_t k = 0; k < l->l.n / 2; k++) {
            jv *t = l->l.v[k];
            l->l.v[k] = l->l.v[l->l.n - 1 - k];
            l->l.v[l->l.n - 1 - k] = t;
        }
        if (reversible) l->l.kind = JL_REVITER;
        return l;
    }
    case F_ROUND: return round_f(c, v, a);
    case F_SAFE:
        if (!(x = jv_stringify(c, v)) || !(x = jv_str(c, x->s.p, x->s.n))) return NULL;
        x->s.markup = true;
        return x;
    case F_SORT: {
        jv **items;
        size_t n;
        jv *rev = jarg(a, 0, "reverse"), *cs = jarg(a, 1, "case_sensitive"), *attr = jarg(a, 2, "attribute");
        if (!jv_iterate(c, v, &items, &n)) return NULL;
        return sorted(c, items, n, attr, cs && jv_truthy(cs), rev && jv_truthy(rev), false);
    }
    case F_STRING: return jv_stringify(c, v);
    case F_SUM: {
        jv **items;
        size_t n;
        jv *attr = jarg(a, 0, "attribute"), *acc = jarg(a, 1, "start");
        if (!jv_iterate(c, v, &items, &n)) return NULL;
        if (!acc && !(acc = jv_int(c, 0))) return NULL;
        for (size_t k = 0; k < n; k++) {
            jv *it = attr ? attr_path(c, items[k], attr, NULL) : items[k];
            if (!it || !(acc = jv_binop(c, OP_ADD, acc, it))) return NULL;
        }
        return acc;
    }
    case F_TOJSON: {
        jv *ind = jarg(a, 0, "indent");
        int indent = -1;
        if (ind && ind->t != JV_NONE) {
            if (ind->t != JV_INT) return jfail(c, NURI_ERR_UNSUPPORTED, "tojson: only an integer indent is supported");
            indent = ind->i < 0 ? 0 : ind->i > 64 ? 64 : (int)ind->i;
        }
        jbuf b;
        jb_init(&b, c->a);
        if (!jv_tojson(c, &b, v, indent)) return c->st ? NULL : nomem(c);
        if (b.failed) return nomem(c);
        x = jv_str_nocopy(c, b.p ? b.p : "", b.n);
        if (x) x->s.markup = true;
        return x;
    }
    case F_TRIM: {
        jv *chars = jarg(a, 0, "chars");
        if (!(x = jv_stringify(c, v))) return NULL;
        if (chars && chars->t == JV_NONE) chars = NULL;
        if (chars && chars->t != JV_STR) return jfail(c, NURI_ERR_INVALID_ARG, "strip arg must be None or str");
        return jinja_strip(c, x, chars, true, true);
    }
    case F_UNIQUE: {
        jv **items;
        size_t n;
        jv *cs = jarg(a, 0, "case_sensitive"), *attr = jarg(a, 1, "attribute");
        if (!jv_iterate(c, v, &items, &n)) return NULL;
        jv *r = jv_list(c, n, false), *seen = jv_list(c, n, false);
        if (!r || !seen) return NULL;
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            jv *key = sort_key(c, items[k], attr, cs && jv_truthy(cs));
            if (!key) return NULL;
            bool dup = false;
            for (size_t j = 0; j < m && !dup; j++) dup = jv_eq(seen->l.v[j], key);
            if (!dup) {
                seen->l.v[m] = key;
                r->l.v[m++] = items[k];
            }
        }
        r->l.n = m;
        return generator(c, r);
    }
    case F_WORDCOUNT: {
        if (!(x = jv_stringify(c, v))) return NULL;
        /* \w+ runs: letters, digits, underscore (approximated with utf8 classes) */
        int64_t words = 0;
        bool in = false;
        size_t i = 0;
        while (i < x->s.n) {
            uint32_t cp = jutf8_next(x->s.p, x->s.n, &i);
            bool w = cp == '_' || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                     (cp >= 0x80 && !jpy_isspace(cp));
            if (w && !in) words++;
            in = w;
        }
        return jv_int(c, words);
    }
    }
    return jfail(c, NURI_ERR_UNSUPPORTED, "the '%s' filter is not supported", name);
}
