/* Operators and element access with Python's semantics and Jinja2's sandbox rules:
 * using an Undefined in arithmetic or looking inside it fails, while a missing key or
 * attribute of a real value is just Undefined. Integers are 64-bit here (Python's are
 * unbounded): an overflow is an error rather than a wrong answer. */
#include <math.h>
#include <string.h>

#include "tokenizer/jinja.h"

static const char *undef_msg(const jv *v) { return v->undef_hint ? v->undef_hint : "value is undefined"; }

static void *undef_fail(jctx *c, const jv *v) { return jfail(c, NURI_ERR_INVALID_ARG, "%s", undef_msg(v)); }

static bool is_num(const jv *v) { return v->t == JV_BOOL || v->t == JV_INT || v->t == JV_FLOAT; }
static bool is_int(const jv *v) { return v->t == JV_BOOL || v->t == JV_INT; }
static double num_f(const jv *v) { return v->t == JV_FLOAT ? v->f : v->t == JV_INT ? (double)v->i : (double)v->b; }
static int64_t num_i(const jv *v) { return v->t == JV_INT ? v->i : (int64_t)v->b; }

static const char *op_sym(int op) {
    static const char *const s[] = {"+", "-", "*", "/", "//", "%", "**"};
    return s[op];
}

static void *type_error(jctx *c, int op, const jv *a, const jv *b) {
    return jfail(c, NURI_ERR_INVALID_ARG, "unsupported operand type(s) for %s: '%s' and '%s'", op_sym(op),
                 jv_type_name(a), jv_type_name(b));
}

static void *overflow(jctx *c) {
    return jfail(c, NURI_ERR_UNSUPPORTED, "integer overflow (nuri's template integers are 64-bit)");
}

static jv *repeat(jctx *c, jv *seq, int64_t times) {
    if (times < 0) times = 0;
    if (seq->t == JV_STR) {
        if (seq->s.n && (uint64_t)times > (SIZE_MAX / 4) / seq->s.n) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        size_t n = seq->s.n * (size_t)times;
        char *p = ja_alloc(c->a, n + 1);
        if (!p) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        for (int64_t k = 0; k < times; k++) memcpy(p + (size_t)k * seq->s.n, seq->s.p, seq->s.n);
        jv *r = jv_str_nocopy(c, p, n);
        if (r) r->s.markup = seq->s.markup;
        return r;
    }
    if (seq->l.n && (uint64_t)times > (SIZE_MAX / 64) / seq->l.n) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    size_t n = seq->l.n * (size_t)times;
    jv *r = jv_list(c, n, seq->l.tuple);
    if (!r) return NULL;
    for (size_t k = 0; k < n; k++) r->l.v[k] = seq->l.v[k % seq->l.n];
    return r;
}

static jv *concat_str(jctx *c, jv *a, jv *b) {
    /* Markup + str escapes the str (markupsafe), the result stays Markup */
    bool markup = a->s.markup || b->s.markup;
    if (markup) {
        if (!(a = jpy_html_escape(c, a)) || !(b = jpy_html_escape(c, b))) return NULL;
    }
    if (a->s.n > SIZE_MAX / 4 - b->s.n) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    char *p = ja_alloc(c->a, a->s.n + b->s.n + 1);
    if (!p) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    memcpy(p, a->s.p, a->s.n);
    memcpy(p + a->s.n, b->s.p, b->s.n);
    jv *r = jv_str_nocopy(c, p, a->s.n + b->s.n);
    if (r) r->s.markup = markup;
    return r;
}

/* Python's float divmod, for // and % on floats. */
static void float_divmod(double vx, double wx, double *floordiv, double *mod) {
    double m = fmod(vx, wx);
    double div = (vx - m) / wx;
    if (m != 0) {
        if ((wx < 0) != (m < 0)) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = copysign(0.0, wx);
    }
    double fd;
    if (div != 0) {
        fd = floor(div);
        if (div - fd > 0.5) fd += 1.0;
    } else {
        fd = copysign(0.0, vx / wx);
    }
    *floordiv = fd;
    *mod = m;
}

jv *jv_binop(jctx *c, int op, jv *a, jv *b) {
    if (a->t == JV_UNDEF) return undef_fail(c, a);
    if (b->t == JV_UNDEF) return undef_fail(c, b);
    if (is_num(a) && is_num(b)) {
        bool ints = is_int(a) && is_int(b);
        int64_t x = ints ? num_i(a) : 0, y = ints ? num_i(b) : 0, r;
        double fx = num_f(a), fy = num_f(b);
        switch (op) {
        case OP_ADD:
            if (!ints) return jv_float(c, fx + fy);
            if (__builtin_add_overflow(x, y, &r)) return overflow(c);
            return jv_int(c, r);
        case OP_SUB:
            if (!ints) return jv_float(c, fx - fy);
            if (__builtin_sub_overflow(x, y, &r)) return overflow(c);
            return jv_int(c, r);
        case OP_MUL:
            if (!ints) return jv_float(c, fx * fy);
            if (__builtin_mul_overflow(x, y, &r)) return overflow(c);
            return jv_int(c, r);
        case OP_DIV:
            if (fy == 0) return jfail(c, NURI_ERR_INVALID_ARG, "division by zero");
            return jv_float(c, fx / fy);
        case OP_FLOORDIV:
        case OP_MOD:
            if (ints) {
                if (y == 0) return jfail(c, NURI_ERR_INVALID_ARG, "integer division or modulo by zero");
                if (x == INT64_MIN && y == -1) return op == OP_MOD ? jv_int(c, 0) : overflow(c);
                int64_t q = x / y, m = x % y;
                if (m != 0 && ((m < 0) != (y < 0))) {
                    m += y;
                    q -= 1;
                }
                return jv_int(c, op == OP_MOD ? m : q);
            } else {
                if (fy == 0) return jfail(c, NURI_ERR_INVALID_ARG, "float division by zero");
                double fd, m;
                float_divmod(fx, fy, &fd, &m);
                return jv_float(c, op == OP_MOD ? m : fd);
            }
        case OP_POW:
            if (ints && y >= 0) {
                int64_t acc = 1, base = x;
                int64_t e = y;
                while (e > 0) {
                    if (e & 1)
                        if (__builtin_mul_overflow(acc, base, &acc)) return overflow(c);
                    e >>= 1;
                    if (e && __builtin_mul_overflow(base, base, &base)) return overflow(c);
                }
                return jv_int(c, acc);
            }
            if (fx == 0 && fy < 0) return jfail(c, NURI_ERR_INVALID_ARG, "0.0 cannot be raised to a negative power");
            if (fx < 0 && fy != floor(fy))
                return jfail(c, NURI_ERR_UNSUPPORTED, "complex numbers are not supported");
            return jv_float(c, pow(fx, fy));
        }
    }
    if (op == OP_ADD) {
        if (a->t == JV_STR && b->t == JV_STR) return concat_str(c, a, b);
        if (jv_is_seq(a) && jv_is_seq(b) && a->l.tuple == b->l.tuple) {
            if (a->l.n > SIZE_MAX / 64 - b->l.n) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
            jv *r = jv_list(c, a->l.n + b->l.n, a->l.tuple);
            if (!r) return NULL;
            if (a->l.n) memcpy(r->l.v, a->l.v, a->l.n * sizeof(jv *));
            if (b->l.n) memcpy(r->l.v + a->l.n, b->l.v, b->l.n * sizeof(jv *));
            return r;
        }
        if (a->t == JV_STR && b->t != JV_STR)
            return jfail(c, NURI_ERR_INVALID_ARG, "can only concatenate str (not \"%s\") to str", jv_type_name(b));
        if (a->t == JV_LIST && b->t != JV_LIST)
            return jfail(c, NURI_ERR_INVALID_ARG, "can only concatenate %s (not \"%s\") to %s", jv_type_name(a),
                         jv_type_name(b), jv_type_name(a));
    }
    if (op == OP_MUL) {
        if ((a->t == JV_STR || jv_is_seq(a)) && is_int(b)) return repeat(c, a, num_i(b));
        if ((b->t == JV_STR || jv_is_seq(b)) && is_int(a)) return repeat(c, b, num_i(a));
    }
    if (op == OP_MOD && a->t == JV_STR)
        return jfail(c, NURI_ERR_UNSUPPORTED, "'%%' string formatting is not supported");
    return type_error(c, op, a, b);
}

jv *jv_neg(jctx *c, jv *a, bool neg) {
    if (a->t == JV_UNDEF) return undef_fail(c, a);
    if (a->t == JV_FLOAT) return jv_float(c, neg ? -a->f : a->f);
    if (is_int(a)) {
        int64_t x = num_i(a);
        if (neg && x == INT64_MIN) return overflow(c);
        return jv_int(c, neg ? -x : x);
    }
    return jfail(c, NURI_ERR_INVALID_ARG, "bad operand type for unary %s: '%s'", neg ? "-" : "+", jv_type_name(a));
}

bool jv_contains(jctx *c, jv *hay, jv *needle, bool *out) {
    switch (hay->t) {
    case JV_STR:
        if (needle->t != JV_STR) {
            if (needle->t == JV_UNDEF) return undef_fail(c, needle), false;
            jfail(c, NURI_ERR_INVALID_ARG, "'in <string>' requires string as left operand, not %s", jv_type_name(needle));
            return false;
        }
        if (needle->s.n == 0) {
            *out = true;
            return true;
        }
        *out = false;
        for (size_t i = 0; i + needle->s.n <= hay->s.n; i++)
            if (!memcmp(hay->s.p + i, needle->s.p, needle->s.n)) {
                *out = true;
                break;
            }
        return true;
    case JV_LIST: {
        jv **items;
        size_t n;
        if (!jv_iterate(c, hay, &items, &n)) return false;
        *out = false;
        for (size_t i = 0; i < n; i++)
            if (jv_eq(items[i], needle)) {
                *out = true;
                break;
            }
        return true;
    }
    case JV_DICT:
        if (needle->t == JV_DICT || (needle->t == JV_LIST && !needle->l.tuple)) {
            jfail(c, NURI_ERR_INVALID_ARG, "unhashable type: '%s'", jv_type_name(needle));
            return false;
        }
        *out = jv_dict_get(hay, needle) != NULL;
        return true;
    case JV_UNDEF: *out = false; return true;
    default:
        jfail(c, NURI_ERR_INVALID_ARG, "argument of type '%s' is not iterable", jv_type_name(hay));
        return false;
    }
}

static jv *method(jctx *c, jv *self, const char *name) {
    jv *m = jv_new(c, JV_METHOD);
    if (!m) return NULL;
    m->meth.self = self;
    m->meth.name = name;
    return m;
}

static const char *const loop_attrs[] = {"index", "index0", "revindex", "revindex0", "first", "last", "length",
                                         "previtem", "nextitem", "depth", "depth0", NULL};

static jv *loop_attr(jctx *c, jv *lv, const char *name) {
    jloop *l = lv->loop;
    size_t i = l->i, n = l->n;
    if (!strcmp(name, "index")) return jv_int(c, (int64_t)i + 1);
    if (!strcmp(name, "index0")) return jv_int(c, (int64_t)i);
    if (!strcmp(name, "revindex")) return jv_int(c, (int64_t)(n - i));
    if (!strcmp(name, "revindex0")) return jv_int(c, (int64_t)(n - i - 1));
    if (!strcmp(name, "first")) return jv_bool(c, i == 0);
    if (!strcmp(name, "last")) return jv_bool(c, i + 1 == n);
    if (!strcmp(name, "length")) return jv_int(c, (int64_t)n);
    if (!strcmp(name, "previtem")) return i > 0 ? l->items[i - 1] : jv_undef(c, "there is no previous item");
    if (!strcmp(name, "nextitem")) return i + 1 < n ? l->items[i + 1] : jv_undef(c, "there is no next item");
    if (!strcmp(name, "depth")) return jv_int(c, 1);
    if (!strcmp(name, "depth0")) return jv_int(c, 0);
    return NULL;
}

/* getattr(obj, name) as the sandbox does it; NULL when Python's getattr fails. */
static jv *py_getattr(jctx *c, jv *obj, const char *name, bool *failed) {
    *failed = false;
    if (obj->t == JV_NS) {
        jv *v = jv_dict_get_str(obj, name);
        if (v) return v;
    } else if (obj->t == JV_LOOP) {
        for (size_t k = 0; loop_attrs[k]; k++)
            if (!strcmp(name, loop_attrs[k])) return loop_attr(c, obj, name);
    }
    int m = jinja_has_method(obj, name);
    if (m == 1) return method(c, obj, name);
    if (m == 2) /* the immutable sandbox hides methods that mutate (list.append, dict.update) */
        return jv_undef(c, "access to attribute '%s' of '%s' object is unsafe", name, jv_type_name(obj));
    *failed = true;
    return NULL;
}

static jv *missing(jctx *c, jv *obj, const char *name) {
    return jv_undef(c, "'%s object' has no attribute '%s'", jv_type_name(obj), name);
}

jv *jv_getattr(jctx *c, jv *obj, const char *name) {
    if (obj->t == JV_UNDEF) return undef_fail(c, obj);
    bool failed;
    jv *v = py_getattr(c, obj, name, &failed);
    if (!failed || c->st) return v;
    if (obj->t == JV_DICT) {
        jv *x = jv_dict_get_str(obj, name);
        if (x) return x;
    }
    return missing(c, obj, name);
}

static bool index_of(const jv *key, size_t n, size_t *out) {
    if (key->t != JV_INT && key->t != JV_BOOL) return false;
    int64_t i = key->t == JV_INT ? key->i : key->b;
    if (i < 0) i += (int64_t)n;
    if (i < 0 || (uint64_t)i >= n) return false;
    *out = (size_t)i;
    return true;
}

jv *jv_getitem(jctx *c, jv *obj, jv *key) {
    if (obj->t == JV_UNDEF) return undef_fail(c, obj);
    size_t i;
    switch (obj->t) {
    case JV_DICT: {
        if (key->t == JV_DICT || (key->t == JV_LIST && !key->l.tuple)) break;
        jv *v = jv_dict_get(obj, key);
        if (v) return v;
        break;
    }
    case JV_LIST:
        if (obj->l.kind == JL_LIST && index_of(key, obj->l.n, &i)) return obj->l.v[i];
        break;
    case JV_STR:
        if (index_of(key, jutf8_count(obj->s.p, obj->s.n), &i)) {
            size_t a = jutf8_offset(obj->s.p, obj->s.n, i), b = a;
            jutf8_next(obj->s.p, obj->s.n, &b);
            jv *r = jv_str(c, obj->s.p + a, b - a);
            if (r) r->s.markup = obj->s.markup;
            return r;
        }
        break;
    default: break;
    }
    if (key->t == JV_STR) {
        bool failed;
        jv *v = py_getattr(c, obj, key->s.p, &failed);
        if (!failed || c->st) return v;
        return missing(c, obj, key->s.p);
    }
    jbuf b;
    jb_init(&b, c->a);
    if (!jv_repr(c, &b, key)) return c->st ? NULL : jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    return jv_undef(c, "'%s object' has no element %s", jv_type_name(obj), b.p ? b.p : "");
}

/* Python's slice.indices(). */
static bool slice_bounds(jctx *c, jv *start, jv *stop, jv *step, int64_t n, int64_t *a, int64_t *b, int64_t *s) {
    *s = 1;
    if (step && step->t != JV_NONE) {
        if (!is_int(step)) return false;
        *s = num_i(step);
        if (*s == 0) {
            jfail(c, NURI_ERR_INVALID_ARG, "slice step cannot be zero");
            return false;
        }
    }
    int64_t lo = *s < 0 ? -1 : 0, hi = *s < 0 ? n - 1 : n;
    jv *ends[2] = {start, stop};
    int64_t out[2] = {*s < 0 ? hi : lo, *s < 0 ? lo : hi};
    for (int k = 0; k < 2; k++) {
        jv *e = ends[k];
        if (!e || e->t == JV_NONE) continue;
        if (!is_int(e)) return false;
        int64_t v = num_i(e);
        if (v < 0) {
            v = v < -n ? lo : v + n;
            if (v < lo) v = lo;
        } else if (v > hi) {
            v = hi;
        }
        out[k] = v;
    }
    *a = out[0];
    *b = out[1];
    return true;
}

jv *jv_slice(jctx *c, jv *obj, jv *start, jv *stop, jv *step) {
    if (obj->t == JV_UNDEF) return undef_fail(c, obj);
    if (!jv_is_seq(obj) && obj->t != JV_STR) return jv_undef(c, "'%s object' is not subscriptable", jv_type_name(obj));
    bool is_str = obj->t == JV_STR;
    int64_t n = is_str ? (int64_t)jutf8_count(obj->s.p, obj->s.n) : (int64_t)obj->l.n, a, b, s;
    if (!slice_bounds(c, start, stop, step, n, &a, &b, &s))
        return c->st ? NULL : jv_undef(c, "slice indices must be integers or None");
    int64_t count = 0;
    if (s > 0 && a < b) count = (b - a - 1) / s + 1;
    if (s < 0 && a > b) count = (a - b - 1) / (-s) + 1;
    if (!is_str) {
        jv *r = jv_list(c, (size_t)count, obj->l.tuple);
        if (!r) return NULL;
        for (int64_t k = 0; k < count; k++) r->l.v[k] = obj->l.v[a + k * s];
        return r;
    }
    jbuf out;
    jb_init(&out, c->a);
    if (s == 1) {
        size_t x = jutf8_offset(obj->s.p, obj->s.n, (size_t)a), y = jutf8_offset(obj->s.p, obj->s.n, (size_t)(a + count));
        jb_put(&out, obj->s.p + x, y - x);
    } else {
        /* character offsets, once */
        size_t *off = ja_alloc(c->a, ((size_t)n + 1) * sizeof *off);
        if (!off) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        size_t i = 0;
        for (int64_t k = 0; k < n; k++) {
            off[k] = i;
            jutf8_next(obj->s.p, obj->s.n, &i);
        }
        off[n] = i;
        for (int64_t k = 0; k < count; k++) {
            int64_t ci = a + k * s;
            jb_put(&out, obj->s.p + off[ci], off[ci + 1] - off[ci]);
        }
    }
    if (out.failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    jv *r = jv_str_nocopy(c, out.p ? out.p : "", out.n);
    if (r) r->s.markup = obj->s.markup;
    return r;
}

bool jv_is_iterable(const jv *v) {
    return v->t == JV_UNDEF || v->t == JV_STR || v->t == JV_LIST || v->t == JV_DICT || v->t == JV_LOOP;
}

bool jv_iterate(jctx *c, jv *v, jv ***items, size_t *n) {
    switch (v->t) {
    case JV_UNDEF: *items = NULL; *n = 0; return true;
    case JV_LIST:
        if (v->l.kind == JL_GEN || v->l.kind == JL_REVITER) { /* one-shot */
            *items = v->l.v + v->l.pos;
            *n = v->l.n - v->l.pos;
            v->l.pos = v->l.n;
            return true;
        }
        *items = v->l.v;
        *n = v->l.n;
        return true;
    case JV_LOOP: *items = v->loop->items; *n = v->loop->n; return true;
    case JV_DICT: {
        jv **k = ja_alloc(c->a, (v->d.n ? v->d.n : 1) * sizeof *k);
        if (!k) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        for (size_t i = 0; i < v->d.n; i++) k[i] = v->d.p[i].k;
        *items = k;
        *n = v->d.n;
        return true;
    }
    case JV_STR: {
        size_t cnt = jutf8_count(v->s.p, v->s.n);
        jv **k = ja_alloc(c->a, (cnt ? cnt : 1) * sizeof *k);
        if (!k) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        size_t i = 0;
        for (size_t j = 0; j < cnt; j++) {
            size_t start = i;
            jutf8_next(v->s.p, v->s.n, &i);
            if (!(k[j] = jv_str(c, v->s.p + start, i - start))) return false;
            k[j]->s.markup = v->s.markup;
        }
        *items = k;
        *n = cnt;
        return true;
    }
    default:
        jfail(c, NURI_ERR_INVALID_ARG, "'%s' object is not iterable", jv_type_name(v));
        return false;
    }
}
