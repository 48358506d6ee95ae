/* Tokens to an AST with Jinja2's grammar and operator precedence:
 *   condexpr: or ['if' or ['else' condexpr]]
 *   or > and > not > compare (== != < <= > >= in, not in) > + - > ~ > * / // % > ** >
 *   unary - + > primary with postfix (.name [index] (call)) and filters/tests (| is).
 * After parsing, unknown filter and test names are rejected the way Jinja2's compiler
 * does: at once, unless they sit inside an if statement or an inline if, where Jinja2
 * only fails when they run. */
#include <stdio.h>
#include <string.h>

#include "tokenizer/jinja.h"

typedef struct {
    jarena *a;
    const jtok *t;
    size_t n, i;
    nuri_error *err;
    nuri_status st;
    int depth;
} parser;

static void *pfail_st(parser *p, nuri_status st, const char *fmt, const char *arg) {
    if (p->st == NURI_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, fmt, arg ? arg : "");
        p->st = nuri_fail(p->err, st, "template line %d: %s", p->t[p->i].line, msg);
    }
    return NULL;
}

static void *pfail(parser *p, const char *fmt, const char *arg) { return pfail_st(p, NURI_ERR_FORMAT, fmt, arg); }

static const jtok *cur(parser *p) { return &p->t[p->i]; }
static const jtok *peek(parser *p, size_t k) {
    size_t j = p->i + k;
    return &p->t[j < p->n ? j : p->n - 1];
}
static void advance(parser *p) {
    if (p->i + 1 < p->n) p->i++;
}
static bool is_op(const jtok *t, const char *op) { return t->t == T_OP && !strcmp(t->s, op); }
static bool is_name(const jtok *t, const char *name) { return t->t == T_NAME && !strcmp(t->s, name); }

static const char *tok_desc(const jtok *t) {
    switch (t->t) {
    case T_EOF: return "end of template";
    case T_DATA: return "template data";
    case T_VAR_BEGIN: return "'{{'";
    case T_VAR_END: return "end of print statement";
    case T_BLOCK_BEGIN: return "'{%'";
    case T_BLOCK_END: return "end of statement block";
    case T_NAME: return t->s;
    case T_STRING: return "string";
    case T_INT: return "integer";
    case T_FLOAT: return "float";
    case T_OP: return t->s;
    }
    return "token";
}

static bool expect_op(parser *p, const char *op) {
    if (is_op(cur(p), op)) {
        advance(p);
        return true;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "expected '%s', got '%s'", op, tok_desc(cur(p)));
    pfail(p, "%s", msg);
    return false;
}

static bool expect_type(parser *p, jtok_type t, const char *what) {
    if (cur(p)->t == t) {
        advance(p);
        return true;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "expected %s, got '%s'", what, tok_desc(cur(p)));
    pfail(p, "%s", msg);
    return false;
}

static jnode *node(parser *p, jnode_kind k) {
    jnode *n = ja_alloc(p->a, sizeof *n);
    if (!n) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
    n->kind = k;
    n->line = cur(p)->line;
    return n;
}

/* A growable array of pointers in the arena. */
typedef struct {
    void **v;
    size_t n, cap;
} pvec;

static bool pv_push(parser *p, pvec *v, void *x) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        void **nv = ja_alloc(p->a, cap * sizeof *nv);
        if (!nv) {
            pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
            return false;
        }
        if (v->n) memcpy(nv, v->v, v->n * sizeof *nv);
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = x;
    return true;
}

static jv *const_val(parser *p, jv_type t) {
    jv *v = ja_alloc(p->a, sizeof *v);
    if (!v) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
    v->t = t;
    return v;
}

static jnode *parse_expression(parser *p, bool with_condexpr);
static jnode *parse_tuple(parser *p, bool with_condexpr, const char *extra_end, bool explicit_parens);
static jnode *parse_unary(parser *p, bool with_filter);
static bool parse_body(parser *p, jlist *out, const char *const *ends, const char **which);

static bool enter(parser *p) {
    if (++p->depth > JINJA_MAX_PARSE_DEPTH) {
        pfail_st(p, NURI_ERR_UNSUPPORTED, "%s", "template nested too deeply");
        return false;
    }
    return true;
}

static bool parse_call_args(parser *p, jargs *a) {
    if (!expect_op(p, "(")) return false;
    pvec pos = {0}, kwn = {0}, kwv = {0};
    bool need_comma = false;
    while (!is_op(cur(p), ")")) {
        if (need_comma) {
            if (!expect_op(p, ",")) return false;
            if (is_op(cur(p), ")")) break;
        }
        if (is_op(cur(p), "*") || is_op(cur(p), "**")) {
            pfail_st(p, NURI_ERR_UNSUPPORTED, "%s", "*args and **kwargs in calls are not supported");
            return false;
        }
        if (cur(p)->t == T_NAME && is_op(peek(p, 1), "=")) {
            const char *key = cur(p)->s;
            advance(p);
            advance(p);
            jnode *v = parse_expression(p, true);
            if (!v || !pv_push(p, &kwn, (void *)key) || !pv_push(p, &kwv, v)) return false;
        } else {
            if (kwn.n) {
                pfail(p, "%s", "positional argument after keyword argument");
                return false;
            }
            jnode *v = parse_expression(p, true);
            if (!v || !pv_push(p, &pos, v)) return false;
        }
        need_comma = true;
    }
    if (!expect_op(p, ")")) return false;
    a->pos = (jnode **)pos.v;
    a->npos = pos.n;
    a->kwn = (const char **)kwn.v;
    a->kwv = (jnode **)kwv.v;
    a->nkw = kwn.n;
    return true;
}

static const char *dotted_name(parser *p) {
    if (cur(p)->t != T_NAME) {
        expect_type(p, T_NAME, "a name");
        return NULL;
    }
    const char *name = cur(p)->s;
    advance(p);
    while (is_op(cur(p), ".")) {
        advance(p);
        if (cur(p)->t != T_NAME) {
            expect_type(p, T_NAME, "a name");
            return NULL;
        }
        size_t l1 = strlen(name), l2 = strlen(cur(p)->s);
        char *nn = ja_alloc(p->a, l1 + l2 + 2);
        if (!nn) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
        memcpy(nn, name, l1);
        nn[l1] = '.';
        memcpy(nn + l1 + 1, cur(p)->s, l2 + 1);
        name = nn;
        advance(p);
    }
    return name;
}

/* '|' filters, starting after the '|' when inline (filter blocks). */
static jnode *parse_filter(parser *p, jnode *operand, bool start_inline) {
    while (is_op(cur(p), "|") || start_inline) {
        if (!start_inline) advance(p);
        start_inline = false;
        jnode *f = node(p, E_FILTER);
        if (!f) return NULL;
        const char *name = dotted_name(p);
        if (!name) return NULL;
        f->filt.operand = operand;
        f->filt.name = name;
        f->filt.id = jinja_filter_id(name);
        if (is_op(cur(p), "(") && !parse_call_args(p, &f->filt.a)) return NULL;
        operand = f;
    }
    return operand;
}

static jnode *parse_primary(parser *p);
static jnode *parse_postfix(parser *p, jnode *n);

static jnode *parse_test(parser *p, jnode *operand) {
    advance(p); /* 'is' */
    jnode *t = node(p, E_TEST);
    if (!t) return NULL;
    if (is_name(cur(p), "not")) {
        t->filt.negate = true;
        advance(p);
    }
    const char *name = dotted_name(p);
    if (!name) return NULL;
    t->filt.operand = operand;
    t->filt.name = name;
    t->filt.id = jinja_test_id(name);
    const jtok *c = cur(p);
    if (is_op(c, "(")) {
        if (!parse_call_args(p, &t->filt.a)) return NULL;
    } else if ((c->t == T_NAME || c->t == T_STRING || c->t == T_INT || c->t == T_FLOAT || is_op(c, "[") ||
                is_op(c, "{")) &&
               !is_name(c, "else") && !is_name(c, "or") && !is_name(c, "and")) {
        if (is_name(c, "is")) return pfail(p, "%s", "You cannot chain multiple tests with is");
        jnode *arg = parse_primary(p);
        if (!arg || !(arg = parse_postfix(p, arg))) return NULL;
        jnode **args = ja_alloc(p->a, sizeof *args);
        if (!args) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
        args[0] = arg;
        t->filt.a.pos = args;
        t->filt.a.npos = 1;
    }
    return t;
}

static jnode *parse_subscribed(parser *p, bool *is_slice, jnode **parts) {
    /* parts: start, stop, step */
    *is_slice = false;
    jnode *first = NULL;
    if (!is_op(cur(p), ":")) {
        first = parse_expression(p, true);
        if (!first) return NULL;
        if (!is_op(cur(p), ":")) return first;
    }
    advance(p); /* ':' */
    *is_slice = true;
    parts[0] = first;
    parts[1] = parts[2] = NULL;
    if (!is_op(cur(p), "]") && !is_op(cur(p), ",") && !is_op(cur(p), ":")) {
        if (!(parts[1] = parse_expression(p, true))) return NULL;
    }
    if (is_op(cur(p), ":")) {
        advance(p);
        if (!is_op(cur(p), "]") && !is_op(cur(p), ",")) {
            if (!(parts[2] = parse_expression(p, true))) return NULL;
        }
    }
    return (jnode *)parts; /* non-NULL marker */
}

/* Left-associative chains (a.b.c, a + b + c, x|f|g) nest to the left; each link counts
 * toward the depth limit so that evaluating the tree cannot exhaust the stack. */
static jnode *chain_end(parser *p, int links, jnode *n) {
    p->depth -= links;
    return n;
}

static jnode *parse_postfix(parser *p, jnode *n) {
    int links = 0;
    for (;; links++) {
        if (!enter(p)) return NULL;
        if (is_op(cur(p), ".")) {
            advance(p);
            const jtok *t = cur(p);
            if (t->t == T_NAME) {
                jnode *a = node(p, E_ATTR);
                if (!a) return NULL;
                a->attr.obj = n;
                a->attr.name = t->s;
                advance(p);
                n = a;
            } else if (t->t == T_INT) {
                jnode *a = node(p, E_ITEM), *k = node(p, E_CONST);
                jv *v = const_val(p, JV_INT);
                if (!a || !k || !v) return NULL;
                v->i = t->i;
                k->cval = v;
                a->item.obj = n;
                a->item.index = k;
                advance(p);
                n = a;
            } else {
                return pfail(p, "%s", "expected name or number after '.'");
            }
        } else if (is_op(cur(p), "[")) {
            advance(p);
            pvec items = {0};
            bool any_slice = false, last_slice = false;
            jnode *parts[3] = {0};
            while (!is_op(cur(p), "]")) {
                if (items.n && !expect_op(p, ",")) return NULL;
                if (is_op(cur(p), "]")) break;
                bool sl;
                jnode *x = parse_subscribed(p, &sl, parts);
                if (!x) return NULL;
                if (sl) any_slice = last_slice = true;
                if (!pv_push(p, &items, sl ? NULL : x)) return NULL;
            }
            if (!expect_op(p, "]")) return NULL;
            if (items.n == 0) return pfail(p, "%s", "expected an expression in '[]'");
            if (items.n > 1) {
                if (any_slice)
                    return pfail_st(p, NURI_ERR_UNSUPPORTED, "%s", "tuples of slices as subscripts are not supported");
                jnode *tp = node(p, E_TUPLE);
                if (!tp) return NULL;
                tp->list.items = (jnode **)items.v;
                tp->list.n = items.n;
                jnode *a = node(p, E_ITEM);
                if (!a) return NULL;
                a->item.obj = n;
                a->item.index = tp;
                n = a;
            } else if (last_slice) {
                jnode *s = node(p, E_SLICE);
                if (!s) return NULL;
                s->slice.obj = n;
                s->slice.start = parts[0];
                s->slice.stop = parts[1];
                s->slice.step = parts[2];
                n = s;
            } else {
                jnode *a = node(p, E_ITEM);
                if (!a) return NULL;
                a->item.obj = n;
                a->item.index = items.v[0];
                n = a;
            }
        } else if (is_op(cur(p), "(")) {
            jnode *c = node(p, E_CALL);
            if (!c) return NULL;
            c->call.fn = n;
            if (!parse_call_args(p, &c->call.a)) return NULL;
            n = c;
        } else {
            p->depth--;
            return chain_end(p, links, n);
        }
    }
}

static jnode *parse_filter_expr(parser *p, jnode *n) {
    for (int links = 0;; links++) {
        if (!enter(p)) return NULL;
        if (is_op(cur(p), "|")) {
            n = parse_filter(p, n, false);
        } else if (is_name(cur(p), "is")) {
            n = parse_test(p, n);
        } else if (is_op(cur(p), "(")) {
            jnode *c = node(p, E_CALL);
            if (!c) return NULL;
            c->call.fn = n;
            if (!parse_call_args(p, &c->call.a)) return NULL;
            n = c;
        } else {
            p->depth--;
            return chain_end(p, links, n);
        }
        if (!n) return NULL;
    }
}

static jnode *parse_list_like(parser *p, bool is_dict) {
    advance(p); /* '[' or '{' */
    const char *close = is_dict ? "}" : "]";
    pvec keys = {0}, vals = {0};
    while (!is_op(cur(p), close)) {
        if (vals.n && !expect_op(p, ",")) return NULL;
        if (is_op(cur(p), close)) break;
        if (is_dict) {
            jnode *k = parse_expression(p, true);
            if (!k || !expect_op(p, ":")) return NULL;
            if (!pv_push(p, &keys, k)) return NULL;
        }
        jnode *v = parse_expression(p, true);
        if (!v || !pv_push(p, &vals, v)) return NULL;
    }
    advance(p);
    jnode *n = node(p, is_dict ? E_DICT : E_LIST);
    if (!n) return NULL;
    if (is_dict) {
        n->dict.keys = (jnode **)keys.v;
        n->dict.vals = (jnode **)vals.v;
        n->dict.n = vals.n;
    } else {
        n->list.items = (jnode **)vals.v;
        n->list.n = vals.n;
    }
    return n;
}

static jnode *parse_primary(parser *p) {
    if (!enter(p)) return NULL;
    const jtok *t = cur(p);
    jnode *n = NULL;
    if (t->t == T_NAME) {
        const char *s = t->s;
        if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "false") || !strcmp(s, "False")) {
            n = node(p, E_CONST);
            jv *v = const_val(p, JV_BOOL);
            if (!n || !v) return NULL;
            v->b = s[0] == 't' || s[0] == 'T';
            n->cval = v;
        } else if (!strcmp(s, "none") || !strcmp(s, "None")) {
            n = node(p, E_CONST);
            jv *v = const_val(p, JV_NONE);
            if (!n || !v) return NULL;
            n->cval = v;
        } else {
            n = node(p, E_NAME);
            if (!n) return NULL;
            n->name = s;
        }
        advance(p);
    } else if (t->t == T_STRING) {
        n = node(p, E_CONST);
        jv *v = const_val(p, JV_STR);
        if (!n || !v) return NULL;
        jbuf b;
        jb_init(&b, p->a);
        jb_put(&b, t->s, t->n);
        advance(p);
        while (cur(p)->t == T_STRING) {
            jb_put(&b, cur(p)->s, cur(p)->n);
            advance(p);
        }
        if (b.failed) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
        v->s.p = b.p ? b.p : "";
        v->s.n = b.n;
        n->cval = v;
    } else if (t->t == T_INT || t->t == T_FLOAT) {
        n = node(p, E_CONST);
        jv *v = const_val(p, t->t == T_INT ? JV_INT : JV_FLOAT);
        if (!n || !v) return NULL;
        if (t->t == T_INT)
            v->i = t->i;
        else
            v->f = t->f;
        n->cval = v;
        advance(p);
    } else if (is_op(t, "(")) {
        advance(p);
        n = parse_tuple(p, true, NULL, true);
        if (!n || !expect_op(p, ")")) return NULL;
    } else if (is_op(t, "[")) {
        n = parse_list_like(p, false);
    } else if (is_op(t, "{")) {
        n = parse_list_like(p, true);
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "unexpected '%s'", tok_desc(t));
        return pfail(p, "%s", msg);
    }
    p->depth--;
    return n;
}

static jnode *parse_unary(parser *p, bool with_filter) {
    if (!enter(p)) return NULL;
    jnode *n;
    if (is_op(cur(p), "-") || is_op(cur(p), "+")) {
        n = node(p, is_op(cur(p), "-") ? E_NEG : E_POS);
        if (!n) return NULL;
        advance(p);
        if (!(n->expr = parse_unary(p, false))) return NULL;
    } else {
        n = parse_primary(p);
    }
    if (n) n = parse_postfix(p, n);
    if (n && with_filter) n = parse_filter_expr(p, n);
    p->depth--;
    return n;
}

static jnode *binop(parser *p, int op, jnode *l, jnode *r) {
    jnode *n = node(p, E_BIN);
    if (!n) return NULL;
    n->bin.op = op;
    n->bin.l = l;
    n->bin.r = r;
    return n;
}

static jnode *parse_pow(parser *p) {
    jnode *l = parse_unary(p, true);
    int links = 0;
    while (l && is_op(cur(p), "**")) {
        if (!enter(p)) return NULL;
        links++;
        advance(p);
        jnode *r = parse_unary(p, true);
        if (!r) return NULL;
        l = binop(p, OP_POW, l, r);
    }
    return chain_end(p, links, l);
}

static jnode *parse_math2(parser *p) {
    jnode *l = parse_pow(p);
    for (int links = 0;; links++) {
        if (!l) return NULL;
        int op = is_op(cur(p), "*") ? OP_MUL : is_op(cur(p), "/") ? OP_DIV : is_op(cur(p), "//") ? OP_FLOORDIV
                                                                            : is_op(cur(p), "%") ? OP_MOD : -1;
        if (op < 0) return chain_end(p, links, l);
        if (!enter(p)) return NULL;
        advance(p);
        jnode *r = parse_pow(p);
        if (!r) return NULL;
        l = binop(p, op, l, r);
    }
}

static jnode *parse_concat(parser *p) {
    jnode *first = parse_math2(p);
    if (!first || !is_op(cur(p), "~")) return first;
    pvec items = {0};
    if (!pv_push(p, &items, first)) return NULL;
    while (is_op(cur(p), "~")) {
        advance(p);
        jnode *r = parse_math2(p);
        if (!r || !pv_push(p, &items, r)) return NULL;
    }
    jnode *n = node(p, E_CONCAT);
    if (!n) return NULL;
    n->list.items = (jnode **)items.v;
    n->list.n = items.n;
    return n;
}

static jnode *parse_math1(parser *p) {
    jnode *l = parse_concat(p);
    for (int links = 0;; links++) {
        if (!l) return NULL;
        int op = is_op(cur(p), "+") ? OP_ADD : is_op(cur(p), "-") ? OP_SUB : -1;
        if (op < 0) return chain_end(p, links, l);
        if (!enter(p)) return NULL;
        advance(p);
        jnode *r = parse_concat(p);
        if (!r) return NULL;
        l = binop(p, op, l, r);
    }
}

static jnode *parse_compare(parser *p) {
    jnode *first = parse_math1(p);
    if (!first) return NULL;
    pvec ops = {0}, rest = {0};
    for (;;) {
        const jtok *t = cur(p);
        int op = -1;
        if (is_op(t, "==")) op = CMP_EQ;
        else if (is_op(t, "!=")) op = CMP_NE;
        else if (is_op(t, "<")) op = CMP_LT;
        else if (is_op(t, "<=")) op = CMP_LE;
        else if (is_op(t, ">")) op = CMP_GT;
        else if (is_op(t, ">=")) op = CMP_GE;
        else if (is_name(t, "in")) op = CMP_IN;
        else if (is_name(t, "not") && is_name(peek(p, 1), "in")) {
            op = CMP_NOTIN;
            advance(p);
        }
        if (op < 0) break;
        advance(p);
        jnode *r = parse_math1(p);
        if (!r) return NULL;
        int *opp = ja_alloc(p->a, sizeof *opp);
        if (!opp) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
        *opp = op;
        if (!pv_push(p, &ops, opp) || !pv_push(p, &rest, r)) return NULL;
    }
    if (ops.n == 0) return first;
    jnode *n = node(p, E_CMP);
    if (!n) return NULL;
    n->cmp.first = first;
    n->cmp.n = ops.n;
    n->cmp.rest = (jnode **)rest.v;
    n->cmp.ops = ja_alloc(p->a, ops.n * sizeof(int));
    if (!n->cmp.ops) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
    for (size_t k = 0; k < ops.n; k++) n->cmp.ops[k] = *(int *)ops.v[k];
    return n;
}

static jnode *parse_not(parser *p) {
    if (is_name(cur(p), "not")) {
        if (!enter(p)) return NULL;
        jnode *n = node(p, E_NOT);
        if (!n) return NULL;
        advance(p);
        if (!(n->expr = parse_not(p))) return NULL;
        p->depth--;
        return n;
    }
    return parse_compare(p);
}

static jnode *parse_and(parser *p) {
    jnode *l = parse_not(p);
    int links = 0;
    while (l && is_name(cur(p), "and")) {
        if (!enter(p)) return NULL;
        links++;
        advance(p);
        jnode *r = parse_not(p), *n = node(p, E_AND);
        if (!r || !n) return NULL;
        n->bin.l = l;
        n->bin.r = r;
        l = n;
    }
    return chain_end(p, links, l);
}

static jnode *parse_or(parser *p) {
    jnode *l = parse_and(p);
    int links = 0;
    while (l && is_name(cur(p), "or")) {
        if (!enter(p)) return NULL;
        links++;
        advance(p);
        jnode *r = parse_and(p), *n = node(p, E_OR);
        if (!r || !n) return NULL;
        n->bin.l = l;
        n->bin.r = r;
        l = n;
    }
    return chain_end(p, links, l);
}

static jnode *parse_condexpr(parser *p) {
    if (!enter(p)) return NULL;
    jnode *e1 = parse_or(p);
    int links = 0;
    while (e1 && is_name(cur(p), "if")) {
        if (!enter(p)) return NULL;
        links++;
        advance(p);
        jnode *n = node(p, E_COND);
        if (!n) return NULL;
        n->cond.then = e1;
        if (!(n->cond.cond = parse_or(p))) return NULL;
        if (is_name(cur(p), "else")) {
            advance(p);
            if (!(n->cond.else_ = parse_condexpr(p))) return NULL;
        }
        e1 = n;
    }
    p->depth -= links + 1;
    return e1;
}

static jnode *parse_expression(parser *p, bool with_condexpr) {
    return with_condexpr ? parse_condexpr(p) : parse_or(p);
}

static bool is_tuple_end(parser *p, const char *extra_end) {
    const jtok *t = cur(p);
    return t->t == T_VAR_END || t->t == T_BLOCK_END || is_op(t, ")") || (extra_end && is_name(t, extra_end));
}

static jnode *parse_tuple(parser *p, bool with_condexpr, const char *extra_end, bool explicit_parens) {
    pvec items = {0};
    bool is_tuple = false;
    for (;;) {
        if (items.n && !expect_op(p, ",")) return NULL;
        if (is_tuple_end(p, extra_end)) break;
        jnode *e = parse_expression(p, with_condexpr);
        if (!e || !pv_push(p, &items, e)) return NULL;
        if (is_op(cur(p), ","))
            is_tuple = true;
        else
            break;
    }
    if (!is_tuple) {
        if (items.n) return items.v[0];
        if (!explicit_parens) {
            char msg[128];
            snprintf(msg, sizeof msg, "expected an expression, got '%s'", tok_desc(cur(p)));
            return pfail(p, "%s", msg);
        }
    }
    jnode *n = node(p, E_TUPLE);
    if (!n) return NULL;
    n->list.items = (jnode **)items.v;
    n->list.n = items.n;
    return n;
}

/* Assignment and loop targets: a name, or names separated by commas (optionally in
 * parentheses). */
static bool parse_targets(parser *p, const char ***names, size_t *n, bool *unpack, const char *extra_end) {
    pvec v = {0};
    bool paren = is_op(cur(p), "(");
    if (paren) advance(p);
    *unpack = paren;
    for (;;) {
        const jtok *t = cur(p);
        if (t->t != T_NAME || !strcmp(t->s, "true") || !strcmp(t->s, "false") || !strcmp(t->s, "none") ||
            !strcmp(t->s, "True") || !strcmp(t->s, "False") || !strcmp(t->s, "None")) {
            char msg[128];
            snprintf(msg, sizeof msg, "can't assign to '%s'", tok_desc(t));
            pfail(p, "%s", msg);
            return false;
        }
        if (!pv_push(p, &v, (void *)t->s)) return false;
        advance(p);
        if (!is_op(cur(p), ",")) break;
        *unpack = true;
        advance(p);
        if (paren ? is_op(cur(p), ")") : (is_tuple_end(p, extra_end) || is_op(cur(p), "="))) break;
    }
    if (paren && !expect_op(p, ")")) return false;
    *names = (const char **)v.v;
    *n = v.n;
    return true;
}

static bool end_block(parser *p) { return expect_type(p, T_BLOCK_END, "end of statement block"); }

static jnode *parse_if(parser *p) {
    jnode *n = node(p, N_IF);
    if (!n) return NULL;
    pvec conds = {0};
    pvec bodies = {0};
    static const char *const ends[] = {"elif", "else", "endif", NULL};
    for (;;) {
        jnode *c = parse_tuple(p, false, NULL, false);
        if (!c || !end_block(p)) return NULL;
        jlist *body = ja_alloc(p->a, sizeof *body);
        const char *which;
        if (!body || !pv_push(p, &conds, c) || !pv_push(p, &bodies, body)) return NULL;
        if (!parse_body(p, body, ends, &which)) return NULL;
        advance(p); /* the end tag's name */
        if (!strcmp(which, "elif")) continue;
        if (!strcmp(which, "else")) {
            static const char *const endif[] = {"endif", NULL};
            if (!end_block(p) || !parse_body(p, &n->if_.else_body, endif, &which)) return NULL;
            advance(p);
        }
        break;
    }
    n->if_.n = conds.n;
    n->if_.conds = (jnode **)conds.v;
    n->if_.bodies = ja_alloc(p->a, bodies.n * sizeof(jlist));
    if (!n->if_.bodies) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
    for (size_t k = 0; k < bodies.n; k++) n->if_.bodies[k] = *(jlist *)bodies.v[k];
    return n;
}

static jnode *parse_for(parser *p) {
    jnode *n = node(p, N_FOR);
    if (!n) return NULL;
    if (!parse_targets(p, &n->for_.names, &n->for_.nnames, &n->for_.unpack, "in")) return NULL;
    for (size_t k = 0; k < n->for_.nnames; k++)
        if (!strcmp(n->for_.names[k], "loop")) return pfail(p, "%s", "can't assign to special loop variable in for-loop target");
    if (!is_name(cur(p), "in")) return pfail(p, "expected 'in', got '%s'", tok_desc(cur(p)));
    advance(p);
    if (!(n->for_.iter = parse_tuple(p, false, "recursive", false))) return NULL;
    if (is_name(cur(p), "if")) {
        advance(p);
        if (!(n->for_.filter = parse_expression(p, true))) return NULL;
    }
    if (is_name(cur(p), "recursive")) return pfail_st(p, NURI_ERR_UNSUPPORTED, "%s", "recursive for loops are not supported");
    if (!end_block(p)) return NULL;
    static const char *const ends[] = {"endfor", "else", NULL};
    const char *which;
    if (!parse_body(p, &n->for_.body, ends, &which)) return NULL;
    advance(p);
    if (!strcmp(which, "else")) {
        static const char *const endfor[] = {"endfor", NULL};
        if (!end_block(p) || !parse_body(p, &n->for_.else_body, endfor, &which)) return NULL;
        advance(p);
    }
    return n;
}

static jnode *parse_set(parser *p) {
    jnode *n = node(p, N_SET);
    if (!n) return NULL;
    if (cur(p)->t == T_NAME && is_op(peek(p, 1), ".")) {
        const char **names = ja_alloc(p->a, sizeof *names);
        if (!names) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
        names[0] = cur(p)->s;
        advance(p);
        advance(p);
        if (cur(p)->t != T_NAME) return pfail(p, "%s", "expected an attribute name after '.'");
        n->set.attr = cur(p)->s;
        n->set.names = names;
        n->set.nnames = 1;
        advance(p);
    } else if (!parse_targets(p, &n->set.names, &n->set.nnames, &n->set.unpack, NULL)) {
        return NULL;
    }
    if (is_op(cur(p), "=")) {
        advance(p);
        if (!(n->set.value = parse_tuple(p, true, NULL, false))) return NULL;
        return n;
    }
    n->kind = N_SETBLOCK;
    if (n->set.unpack) return pfail(p, "%s", "a block set takes a single name");
    if (is_op(cur(p), "|") && !(n->set.filter = parse_filter(p, NULL, false))) return NULL;
    if (!end_block(p)) return NULL;
    static const char *const ends[] = {"endset", NULL};
    const char *which;
    if (!parse_body(p, &n->set.body, ends, &which)) return NULL;
    advance(p);
    return n;
}

static jnode *parse_macro(parser *p) {
    jnode *n = node(p, N_MACRO);
    if (!n) return NULL;
    if (cur(p)->t != T_NAME) return pfail(p, "%s", "expected a macro name");
    n->macro.name = cur(p)->s;
    advance(p);
    if (!expect_op(p, "(")) return NULL;
    pvec params = {0}, defs = {0};
    while (!is_op(cur(p), ")")) {
        if (params.n && !expect_op(p, ",")) return NULL;
        if (cur(p)->t != T_NAME) return pfail(p, "%s", "expected a parameter name");
        if (!pv_push(p, &params, (void *)cur(p)->s)) return NULL;
        advance(p);
        jnode *def = NULL;
        if (is_op(cur(p), "=")) {
            advance(p);
            if (!(def = parse_expression(p, true))) return NULL;
        } else if (defs.n && defs.v[defs.n - 1]) {
            return pfail(p, "%s", "non-default argument follows default argument");
        }
        if (!pv_push(p, &defs, def)) return NULL;
    }
    advance(p);
    if (!end_block(p)) return NULL;
    n->macro.params = (const char **)params.v;
    n->macro.defaults = (jnode **)defs.v;
    n->macro.nparams = params.n;
    static const char *const ends[] = {"endmacro", NULL};
    const char *which;
    if (!parse_body(p, &n->macro.body, ends, &which)) return NULL;
    advance(p);
    return n;
}

/* {% with a = x, b = y %} ... {% endwith %} runs its body in a scope of its own, like a
 * filter block without a filter: it becomes one whose body starts with the assignments. */
static jnode *parse_with(parser *p) {
    jnode *n = node(p, N_FILTERBLOCK);
    if (!n) return NULL;
    pvec body = {0};
    while (cur(p)->t != T_BLOCK_END) {
        if (body.n && !expect_op(p, ",")) return NULL;
        jnode *s = node(p, N_SET);
        if (!s) return NULL;
        if (!parse_targets(p, &s->set.names, &s->set.nnames, &s->set.unpack, NULL)) return NULL;
        if (!expect_op(p, "=") || !(s->set.value = parse_expression(p, true))) return NULL;
        if (!pv_push(p, &body, s)) return NULL;
    }
    advance(p);
    jlist rest;
    static const char *const ends[] = {"endwith", NULL};
    const char *which;
    if (!parse_body(p, &rest, ends, &which)) return NULL;
    advance(p);
    for (size_t k = 0; k < rest.n; k++)
        if (!pv_push(p, &body, rest.v[k])) return NULL;
    n->fblock.body.v = (jnode **)body.v;
    n->fblock.body.n = body.n;
    return n;
}

static jnode *parse_statement(parser *p) {
    const jtok *t = cur(p);
    if (t->t != T_NAME) return pfail(p, "%s", "tag name expected");
    const char *tag = t->s;
    advance(p);
    jnode *n = NULL;
    if (!strcmp(tag, "if")) {
        n = parse_if(p);
    } else if (!strcmp(tag, "for")) {
        n = parse_for(p);
    } else if (!strcmp(tag, "set")) {
        n = parse_set(p);
    } else if (!strcmp(tag, "macro")) {
        n = parse_macro(p);
    } else if (!strcmp(tag, "print")) {
        n = node(p, N_OUTPUT);
        if (n && !(n->expr = parse_tuple(p, true, NULL, false))) return NULL;
    } else if (!strcmp(tag, "filter")) {
        n = node(p, N_FILTERBLOCK);
        if (!n || !(n->fblock.filter = parse_filter(p, NULL, true)) || !end_block(p)) return NULL;
        static const char *const ends[] = {"endfilter", NULL};
        const char *which;
        if (!parse_body(p, &n->fblock.body, ends, &which)) return NULL;
        advance(p);
    } else if (!strcmp(tag, "with")) {
        n = parse_with(p);
    } else if (!strcmp(tag, "call") || !strcmp(tag, "include") || !strcmp(tag, "import") || !strcmp(tag, "from") ||
               !strcmp(tag, "extends") || !strcmp(tag, "block") || !strcmp(tag, "autoescape")) {
        return pfail_st(p, NURI_ERR_UNSUPPORTED, "{%% %s %%} is not supported", tag);
    } else {
        return pfail(p, "Encountered unknown tag '%s'", tag);
    }
    if (!n || !end_block(p)) return NULL;
    return n;
}

/* Statements until one of ends (NULL-terminated; NULL list: the end of the template).
 * On an end tag, stops at its name token and reports which. */
static bool parse_body(parser *p, jlist *out, const char *const *ends, const char **which) {
    if (!enter(p)) return false;
    pvec v = {0};
    for (;;) {
        const jtok *t = cur(p);
        jnode *n = NULL;
        if (t->t == T_EOF) {
            if (ends) {
                pfail(p, "unexpected end of template, expected '%s'", ends[0]);
                return false;
            }
            break;
        } else if (t->t == T_DATA) {
            n = node(p, N_TEXT);
            if (!n) return false;
            n->text.p = t->s;
            n->text.n = t->n;
            advance(p);
        } else if (t->t == T_VAR_BEGIN) {
            advance(p);
            n = node(p, N_OUTPUT);
            if (!n || !(n->expr = parse_tuple(p, true, NULL, false))) return false;
            if (!expect_type(p, T_VAR_END, "end of print statement")) return false;
        } else if (t->t == T_BLOCK_BEGIN) {
            advance(p);
            const jtok *name = cur(p);
            if (name->t == T_NAME && ends) {
                for (size_t k = 0; ends[k]; k++)
                    if (!strcmp(name->s, ends[k])) {
                        *which = ends[k];
                        goto done;
                    }
            }
            if (name->t == T_NAME && (!strncmp(name->s, "end", 3) || !strcmp(name->s, "elif") || !strcmp(name->s, "else"))) {
                pfail(p, "unexpected '%s'", name->s);
                return false;
            }
            if (!(n = parse_statement(p))) return false;
        } else {
            char msg[128];
            snprintf(msg, sizeof msg, "unexpected '%s'", tok_desc(t));
            pfail(p, "%s", msg);
            return false;
        }
        if (!pv_push(p, &v, n)) return false;
    }
done:
    out->v = (jnode **)v.v;
    out->n = v.n;
    p->depth--;
    return true;
}

/* ---- the compile-time check of filter and test names ---- */
static bool check_list(parser *p, const jlist *l, bool soft);

static bool check_args(parser *p, const jargs *a, bool soft);

static bool check(parser *p, const jnode *n, bool soft) {
    if (!n) return true;
    switch (n->kind) {
    case N_TEXT:
    case E_CONST:
    case E_NAME: return true;
    case N_OUTPUT:
    case E_NOT:
    case E_NEG:
    case E_POS: return check(p, n->expr, soft);
    case N_IF:
        for (size_t k = 0; k < n->if_.n; k++)
            if (!check(p, n->if_.conds[k], true) || !check_list(p, &n->if_.bodies[k], true)) return false;
        return check_list(p, &n->if_.else_body, true);
    case N_FOR:
        return check(p, n->for_.iter, soft) && check(p, n->for_.filter, false) && check_list(p, &n->for_.body, false) &&
               check_list(p, &n->for_.else_body, false);
    case N_SET: return check(p, n->set.value, soft);
    case N_SETBLOCK: return check(p, n->set.filter, false) && check_list(p, &n->set.body, false);
    case N_MACRO:
        for (size_t k = 0; k < n->macro.nparams; k++)
            if (!check(p, n->macro.defaults[k], false)) return false;
        return check_list(p, &n->macro.body, false);
    case N_FILTERBLOCK: return check(p, n->fblock.filter, false) && check_list(p, &n->fblock.body, false);
    case E_ATTR: return check(p, n->attr.obj, soft);
    case E_ITEM: return check(p, n->item.obj, soft) && check(p, n->item.index, soft);
    case E_SLICE:
        return check(p, n->slice.obj, soft) && check(p, n->slice.start, soft) && check(p, n->slice.stop, soft) &&
               check(p, n->slice.step, soft);
    case E_CALL: return check(p, n->call.fn, soft) && check_args(p, &n->call.a, soft);
    case E_FILTER:
    case E_TEST:
        if (n->filt.id == -1 && !soft) {
            p->i = 0;
            p->st = nuri_fail(p->err, NURI_ERR_FORMAT, "template line %d: No %s named '%s'.", n->line,
                              n->kind == E_FILTER ? "filter" : "test", n->filt.name);
            return false;
        }
        return check(p, n->filt.operand, soft) && check_args(p, &n->filt.a, soft);
    case E_BIN:
    case E_AND:
    case E_OR: return check(p, n->bin.l, soft) && check(p, n->bin.r, soft);
    case E_CMP:
        if (!check(p, n->cmp.first, soft)) return false;
        for (size_t k = 0; k < n->cmp.n; k++)
            if (!check(p, n->cmp.rest[k], soft)) return false;
        return true;
    case E_COND: return check(p, n->cond.cond, true) && check(p, n->cond.then, true) && check(p, n->cond.else_, true);
    case E_LIST:
    case E_TUPLE:
    case E_CONCAT:
        for (size_t k = 0; k < n->list.n; k++)
            if (!check(p, n->list.items[k], soft)) return false;
        return true;
    case E_DICT:
        for (size_t k = 0; k < n->dict.n; k++)
            if (!check(p, n->dict.keys[k], soft) || !check(p, n->dict.vals[k], soft)) return false;
        return true;
    }
    return true;
}

static bool check_args(parser *p, const jargs *a, bool soft) {
    for (size_t k = 0; k < a->npos; k++)
        if (!check(p, a->pos[k], soft)) return false;
    for (size_t k = 0; k < a->nkw; k++)
        if (!check(p, a->kwv[k], soft)) return false;
    return true;
}

static bool check_list(parser *p, const jlist *l, bool soft) {
    for (size_t k = 0; k < l->n; k++)
        if (!check(p, l->v[k], soft)) return false;
    return true;
}

nuri_status jinja_parse(jarena *a, const jtoks *toks, jlist *out, nuri_error *err) {
    parser p = {.a = a, .t = toks->v, .n = toks->n, .err = err};
    if (!parse_body(&p, out, NULL, NULL)) return p.st ? p.st : nuri_fail(err, NURI_ERR_FORMAT, "template: parse error");
    if (!check_list(&p, out, false)) return p.st;
    return NURI_OK;
}
