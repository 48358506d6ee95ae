/* Runs the AST. Scoping follows Jinja2: a for loop's body gets a fresh scope per
 * iteration (names set inside do not survive it), if blocks share their enclosing scope,
 * macros see the scope they were defined in as it is when they are called, and
 * namespace() objects are the one way to carry state out of a loop. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/jinja.h"

static jv *eval(jctx *c, const jnode *n);
static bool exec_list(jctx *c, const jlist *l);

/* ---- scopes ---- */
jscope *jscope_new(jctx *c, jscope *parent) {
    jscope *s = ja_alloc(c->a, sizeof *s);
    if (!s) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    s->parent = parent;
    return s;
}

bool jscope_set(jctx *c, jscope *s, const char *name, jv *v) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name)) {
            s->vals[i] = v;
            return true;
        }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        const char **nn = ja_alloc(c->a, cap * sizeof *nn);
        jv **nv = ja_alloc(c->a, cap * sizeof *nv);
        if (!nn || !nv) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        if (s->n) {
            memcpy(nn, s->names, s->n * sizeof *nn);
            memcpy(nv, s->vals, s->n * sizeof *nv);
        }
        s->names = nn;
        s->vals = nv;
        s->cap = cap;
    }
    s->names[s->n] = name;
    s->vals[s->n++] = v;
    return true;
}

jv *jscope_get(jscope *s, const char *name) {
    for (; s; s = s->parent)
        for (size_t i = s->n; i > 0; i--)
            if (!strcmp(s->names[i - 1], name)) return s->vals[i - 1];
    return NULL;
}

static bool tick(jctx *c, const jnode *n) {
    c->line = n->line;
    if (++c->steps > JINJA_MAX_STEPS) {
        jfail(c, NURI_ERR_INVALID_ARG, "template runs too long (more than %u steps)", JINJA_MAX_STEPS);
        return false;
    }
    return true;
}

/* ---- calls ---- */
static bool eval_args(jctx *c, const jargs *a, jvargs *out) {
    memset(out, 0, sizeof *out);
    if (a->npos) {
        out->pos = ja_alloc(c->a, a->npos * sizeof *out->pos);
        if (!out->pos) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        for (size_t k = 0; k < a->npos; k++)
            if (!(out->pos[k] = eval(c, a->pos[k]))) return false;
        out->npos = a->npos;
    }
    if (a->nkw) {
        out->kwv = ja_alloc(c->a, a->nkw * sizeof *out->kwv);
        if (!out->kwv) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        for (size_t k = 0; k < a->nkw; k++)
            if (!(out->kwv[k] = eval(c, a->kwv[k]))) return false;
        out->kwn = a->kwn;
        out->nkw = a->nkw;
    }
    return true;
}

jv *jinja_call_macro(jctx *c, jv *m, jvargs *a) {
    const jnode *mn = m->m.node;
    const char *name = mn->macro.name;
    if (c->macro_depth >= JINJA_MAX_MACRO_DEPTH)
        return jfail(c, NURI_ERR_INVALID_ARG, "macro calls nested too deeply (more than %d)", JINJA_MAX_MACRO_DEPTH);
    size_t np = mn->macro.nparams;
    if (a->npos > np) return jfail(c, NURI_ERR_INVALID_ARG, "macro '%s' takes not more than %zu argument(s)", name, np);
    jscope *s = jscope_new(c, m->m.scope);
    if (!s) return NULL;
    jv **vals = ja_alloc(c->a, (np ? np : 1) * sizeof *vals);
    if (!vals) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    for (size_t k = 0; k < a->npos; k++) vals[k] = a->pos[k];
    for (size_t k = 0; k < a->nkw; k++) {
        size_t j = 0;
        while (j < np && strcmp(mn->macro.params[j], a->kwn[k])) j++;
        if (j == np) return jfail(c, NURI_ERR_INVALID_ARG, "macro '%s' takes no keyword argument '%s'", name, a->kwn[k]);
        if (vals[j]) return jfail(c, NURI_ERR_INVALID_ARG, "macro '%s' got multiple values for argument '%s'", name, a->kwn[k]);
        vals[j] = a->kwv[k];
    }
    jscope *saved_scope = c->scope;
    jbuf *saved_out = c->out;
    int saved_line = c->line;
    c->scope = s;
    c->macro_depth++;
    jv *result = NULL;
    jbuf out;
    jb_init(&out, c->a);
    for (size_t k = 0; k < np; k++) {
        jv *v = vals[k];
        if (!v && mn->macro.defaults[k]) v = eval(c, mn->macro.defaults[k]);
        else if (!v) v = jv_undef(c, "parameter '%s' was not provided", mn->macro.params[k]);
        if (!v || !jscope_set(c, s, mn->macro.params[k], v)) goto done;
    }
    c->out = &out;
    if (!exec_list(c, &mn->macro.body)) goto done;
    if (out.failed) {
        jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        goto done;
    }
    result = jv_str_nocopy(c, out.p ? out.p : "", out.n);
done:
    c->macro_depth--;
    c->scope = saved_scope;
    c->out = saved_out;
    if (result) c->line = saved_line;
    return result;
}

/* A filter chain; the innermost operand NULL takes base (filter blocks). */
static jv *eval_filter(jctx *c, const jnode *n, jv *base) {
    jv *v;
    if (!n->filt.operand)
        v = base;
    else if (n->filt.operand->kind == E_FILTER)
        v = eval_filter(c, n->filt.operand, base);
    else
        v = eval(c, n->filt.operand);
    if (!v) return NULL;
    jvargs a;
    if (!eval_args(c, &n->filt.a, &a)) return NULL;
    c->line = n->line;
    return jinja_filter(c, n->filt.id, n->filt.name, v, &a);
}

static jv *eval_cmp(jctx *c, const jnode *n) {
    jv *l = eval(c, n->cmp.first);
    if (!l) return NULL;
    for (size_t k = 0; k < n->cmp.n; k++) {
        jv *r = eval(c, n->cmp.rest[k]);
        if (!r) return NULL;
        bool ok;
        int op = n->cmp.ops[k];
        if (op == CMP_EQ) {
            ok = jv_eq(l, r);
        } else if (op == CMP_NE) {
            ok = !jv_eq(l, r);
        } else if (op == CMP_IN || op == CMP_NOTIN) {
            if (!jv_contains(c, r, l, &ok)) return NULL;
            if (op == CMP_NOTIN) ok = !ok;
        } else {
            int rel;
            if (!jv_cmp(c, l, r, &rel)) return NULL;
            if (rel == 2)
                ok = false;
            else
                ok = op == CMP_LT ? rel < 0 : op == CMP_LE ? rel <= 0 : op == CMP_GT ? rel > 0 : rel >= 0;
        }
        if (!ok) return c->vfalse;
        l = r;
    }
    return c->vtrue;
}

static jv *eval_inner(jctx *c, const jnode *n) {
    jv *v, *w;
    switch (n->kind) {
    case E_CONST: return n->cval;
    case E_NAME:
        v = jscope_get(c->scope, n->name);
        return v ? v : jv_undef(c, "'%s' is undefined", n->name);
    case E_ATTR:
        if (!(v = eval(c, n->attr.obj))) return NULL;
        c->line = n->line;
        return jv_getattr(c, v, n->attr.name);
    case E_ITEM:
        if (!(v = eval(c, n->item.obj)) || !(w = eval(c, n->item.index))) return NULL;
        c->line = n->line;
        return jv_getitem(c, v, w);
    case E_SLICE: {
        jv *a = NULL, *b = NULL, *s = NULL;
        if (!(v = eval(c, n->slice.obj))) return NULL;
        if (n->slice.start && !(a = eval(c, n->slice.start))) return NULL;
        if (n->slice.stop && !(b = eval(c, n->slice.stop))) return NULL;
        if (n->slice.step && !(s = eval(c, n->slice.step))) return NULL;
        c->line = n->line;
        return jv_slice(c, v, a, b, s);
    }
    case E_CALL: {
        jvargs a;
        if (!(v = eval(c, n->call.fn)) || !eval_args(c, &n->call.a, &a)) return NULL;
        c->line = n->line;
        return jinja_call(c, v, &a);
    }
    case E_FILTER: return eval_filter(c, n, NULL);
    case E_TEST: {
        jvargs a;
        bool r;
        if (!(v = eval(c, n->filt.operand)) || !eval_args(c, &n->filt.a, &a)) return NULL;
        c->line = n->line;
        if (!jinja_test(c, n->filt.id, n->filt.name, v, &a, &r)) return NULL;
        return jv_bool(c, r != n->filt.negate);
    }
    case E_NOT: return (v = eval(c, n->expr)) ? jv_bool(c, !jv_truthy(v)) : NULL;
    case E_NEG:
    case E_POS: return (v = eval(c, n->expr)) ? jv_neg(c, v, n->kind == E_NEG) : NULL;
    case E_BIN:
        if (!(v = eval(c, n->bin.l)) || !(w = eval(c, n->bin.r))) return NULL;
        c->line = n->line;
        return jv_binop(c, n->bin.op, v, w);
    case E_AND:
        if (!(v = eval(c, n->bin.l))) return NULL;
        return jv_truthy(v) ? eval(c, n->bin.r) : v;
    case E_OR:
        if (!(v = eval(c, n->bin.l))) return NULL;
        return jv_truthy(v) ? v : eval(c, n->bin.r);
    case E_CMP: return eval_cmp(c, n);
    case E_COND:
        if (!(v = eval(c, n->cond.cond))) return NULL;
        if (jv_truthy(v)) return eval(c, n->cond.then);
        if (n->cond.else_) return eval(c, n->cond.else_);
        return jv_undef(c, "the inline if expression on line %d evaluated to false and no else section was defined",
                        n->line);
    case E_LIST:
    case E_TUPLE: {
        jv *l = jv_list(c, n->list.n, n->kind == E_TUPLE);
        if (!l) return NULL;
        for (size_t k = 0; k < n->list.n; k++)
            if (!(l->l.v[k] = eval(c, n->list.items[k]))) return NULL;
        return l;
    }
    case E_DICT: {
        jv *d = jv_dict(c, n->dict.n);
        if (!d) return NULL;
        for (size_t k = 0; k < n->dict.n; k++) {
            jv *key = eval(c, n->dict.keys[k]), *val = key ? eval(c, n->dict.vals[k]) : NULL;
            if (!val || !jv_dict_set(c, d, key, val)) return NULL;
        }
        return d;
    }
    case E_CONCAT: {
        jbuf b;
        jb_init(&b, c->a);
        for (size_t k = 0; k < n->list.n; k++) {
            if (!(v = eval(c, n->list.items[k]))) return NULL;
            if (!jv_to_str(c, &b, v)) return c->st ? NULL : jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        }
        if (b.failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
        return jv_str_nocopy(c, b.p ? b.p : "", b.n);
    }
    default: return jfail(c, NURI_ERR_FORMAT, "internal error: statement in an expression");
    }
}

static jv *eval(jctx *c, const jnode *n) {
    if (!tick(c, n)) return NULL;
    if (++c->depth > JINJA_MAX_DEPTH) {
        c->depth--;
        return jfail(c, NURI_ERR_INVALID_ARG, "template recursion too deep");
    }
    jv *v = eval_inner(c, n);
    c->depth--;
    return v;
}

/* ---- statements ---- */
static bool assign(jctx *c, jscope *s, const char *const *names, size_t n, bool unpack, jv *v) {
    if (!unpack) return jscope_set(c, s, names[0], v);
    jv **items;
    size_t cnt;
    if (!jv_iterate(c, v, &items, &cnt)) return false;
    if (cnt != n) {
        jfail(c, NURI_ERR_INVALID_ARG, cnt > n ? "too many values to unpack (expected %zu)" : "not enough values to unpack (expected %zu)", n);
        return false;
    }
    for (size_t k = 0; k < n; k++)
        if (!jscope_set(c, s, names[k], items[k])) return false;
    return true;
}

static bool set_target(jctx *c, const jnode *n, jv *v) {
    if (!n->set.attr) return assign(c, c->scope, n->set.names, n->set.nnames, n->set.unpack, v);
    jv *ns = jscope_get(c->scope, n->set.names[0]);
    if (!ns || ns->t != JV_NS) {
        jfail(c, NURI_ERR_INVALID_ARG, "cannot assign attribute on non-namespace object");
        return false;
    }
    jv *key = jv_str(c, n->set.attr, strlen(n->set.attr));
    return key && jv_dict_set(c, ns, key, v);
}

static bool output(jctx *c, jv *v) {
    if (!jv_to_str(c, c->out, v)) return c->st ? false : (jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false);
    if (c->out->failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
    return true;
}

/* Runs body in a fresh child scope, capturing its output as a string. */
static jv *capture(jctx *c, const jlist *body) {
    jscope *s = jscope_new(c, c->scope);
    if (!s) return NULL;
    jbuf b;
    jb_init(&b, c->a);
    jscope *saved_scope = c->scope;
    jbuf *saved_out = c->out;
    c->scope = s;
    c->out = &b;
    bool ok = exec_list(c, body);
    c->scope = saved_scope;
    c->out = saved_out;
    if (!ok) return NULL;
    if (b.failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    return jv_str_nocopy(c, b.p ? b.p : "", b.n);
}

static bool run_scoped(jctx *c, jscope *s, const jlist *body) {
    jscope *saved = c->scope;
    c->scope = s;
    bool ok = exec_list(c, body);
    c->scope = saved;
    return ok;
}

/* One scope serves every iteration, emptied in between: the names set in one iteration
 * do not survive into the next, and long loops do not eat the arena. */
static bool exec_for(jctx *c, const jnode *n) {
    jv *seq = eval(c, n->for_.iter);
    jv **items;
    size_t cnt;
    if (!seq || !jv_iterate(c, seq, &items, &cnt)) return false;
    jscope *s = jscope_new(c, c->scope);
    if (!s) return false;
    if (n->for_.filter) {
        jv **kept = ja_alloc(c->a, (cnt ? cnt : 1) * sizeof *kept);
        if (!kept) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        size_t m = 0;
        for (size_t k = 0; k < cnt; k++) {
            s->n = 0;
            if (!tick(c, n) || !assign(c, s, n->for_.names, n->for_.nnames, n->for_.unpack, items[k])) return false;
            jscope *saved = c->scope;
            c->scope = s;
            jv *ok = eval(c, n->for_.filter);
            c->scope = saved;
            if (!ok) return false;
            if (jv_truthy(ok)) kept[m++] = items[k];
        }
        items = kept;
        cnt = m;
    }
    if (cnt == 0) {
        s->n = 0;
        return run_scoped(c, s, &n->for_.else_body);
    }
    jloop *lp = ja_alloc(c->a, sizeof *lp);
    jv *loop = jv_new(c, JV_LOOP);
    if (!lp || !loop) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
    lp->items = items;
    lp->n = cnt;
    loop->loop = lp;
    for (size_t k = 0; k < cnt; k++) {
        lp->i = k;
        s->n = 0;
        if (!tick(c, n) || !jscope_set(c, s, "loop", loop) ||
            !assign(c, s, n->for_.names, n->for_.nnames, n->for_.unpack, items[k]) || !run_scoped(c, s, &n->for_.body))
            return false;
    }
    return true;
}

static bool exec_node(jctx *c, const jnode *n) {
    if (!tick(c, n)) return false;
    jv *v;
    switch (n->kind) {
    case N_TEXT:
        if (!jb_put(c->out, n->text.p, n->text.n)) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        return true;
    case N_OUTPUT: return (v = eval(c, n->expr)) && output(c, v);
    case N_IF:
        for (size_t k = 0; k < n->if_.n; k++) {
            if (!(v = eval(c, n->if_.conds[k]))) return false;
            if (jv_truthy(v)) return exec_list(c, &n->if_.bodies[k]);
        }
        return exec_list(c, &n->if_.else_body);
    case N_FOR: return exec_for(c, n);
    case N_SET: return (v = eval(c, n->set.value)) && set_target(c, n, v);
    case N_SETBLOCK:
        if (!(v = capture(c, &n->set.body))) return false;
        if (n->set.filter && !(v = eval_filter(c, n->set.filter, v))) return false;
        return set_target(c, n, v);
    case N_MACRO:
        if (!(v = jv_new(c, JV_MACRO))) return false;
        v->m.node = n;
        v->m.scope = c->scope;
        return jscope_set(c, c->scope, n->macro.name, v);
    case N_FILTERBLOCK:
        if (!n->fblock.filter) {
            jscope *s = jscope_new(c, c->scope);
            return s && run_scoped(c, s, &n->fblock.body);
        }
        if (!(v = capture(c, &n->fblock.body)) || !(v = eval_filter(c, n->fblock.filter, v))) return false;
        return output(c, v);
    default: return jfail(c, NURI_ERR_FORMAT, "internal error: expression as a statement"), false;
    }
}

static bool exec_list(jctx *c, const jlist *l) {
    if (++c->depth > JINJA_MAX_DEPTH) {
        c->depth--;
        return jfail(c, NURI_ERR_INVALID_ARG, "template recursion too deep"), false;
    }
    bool ok = true;
    for (size_t k = 0; k < l->n && ok; k++) ok = exec_node(c, l->v[k]);
    c->depth--;
    return ok;
}

/* ---- entry ---- */
bool jctx_init(jctx *c, jarena *a, nuri_error *err) {
    memset(c, 0, sizeof *c);
    c->a = a;
    c->err = err;
    c->line = 1;
    if (!(c->undef = jv_new(c, JV_UNDEF)) || !(c->none = jv_new(c, JV_NONE)) || !(c->vtrue = jv_new(c, JV_BOOL)) ||
        !(c->vfalse = jv_new(c, JV_BOOL)))
        return false;
    c->vtrue->b = true;
    jscope *globals = jscope_new(c, NULL);
    if (!globals) return false;
    static const struct {
        const char *name;
        int fn;
    } fns[] = {{"range", JF_RANGE}, {"namespace", JF_NAMESPACE}, {"dict", JF_DICT},
               {"lipsum", JF_JINJA_GLOBAL}, {"cycler", JF_JINJA_GLOBAL}, {"joiner", JF_JINJA_GLOBAL}};
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        jv *f = jv_new(c, JV_FUNC);
        if (!f) return false;
        f->fn = fns[k].fn;
        if (!jscope_set(c, globals, fns[k].name, f)) return false;
    }
    c->root = c->scope = jscope_new(c, globals);
    return c->root != NULL;
}

nuri_status jinja_run(jctx *c, const jlist *body, char **out, size_t *out_len) {
    jbuf b;
    jb_init(&b, c->a);
    c->out = &b;
    c->scope = c->root;
    if (!exec_list(c, body)) return c->st ? c->st : nuri_fail(c->err, NURI_ERR_FORMAT, "template failed");
    if (b.failed) return nuri_fail(c->err, NURI_ERR_NOMEM, "template output too large");
    char *r = malloc(b.n + 1);
    if (!r) return nuri_fail(c->err, NURI_ERR_NOMEM, "out of memory");
    if (b.n) memcpy(r, b.p, b.n);
    r[b.n] = 0;
    *out = r;
    if (out_len) *out_len = b.n;
    return NURI_OK;
}
