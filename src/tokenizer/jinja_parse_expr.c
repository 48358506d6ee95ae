/* Jinja expressions, with Jinja2's grammar and operator precedence:
 *   condexpr: or ['if' or ['else' condexpr]]
 *   or > and > not > compare (== != < <= > >= in, not in) > + - > ~ > * / // % > ** >
 *   unary - + > primary with postfix (.name [index] (call)) and filters/tests (| is). */
#include "tokenizer/jinja_parse.h"

static jnode *parse_unary(parser *p, bool with_filter);

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
            jnode *v = jp_expression(p, true);
            if (!v || !pv_push(p, &kwn, (void *)key) || !pv_push(p, &kwv, v)) return false;
        } else {
            if (kwn.n) {
                pfail(p, "%s", "positional argument after keyword argument");
                return false;
            }
            jnode *v = jp_expression(p, true);
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
jnode *jp_filter(parser *p, jnode *operand, bool start_inline) {
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
        first = jp_expression(p, true);
        if (!first) return NULL;
        if (!is_op(cur(p), ":")) return first;
    }
    advance(p); /* ':' */
    *is_slice = true;
    parts[0] = first;
    parts[1] = parts[2] = NULL;
    if (!is_op(cur(p), "]") && !is_op(cur(p), ",") && !is_op(cur(p), ":")) {
        if (!(parts[1] = jp_expression(p, true))) return NULL;
    }
    if (is_op(cur(p), ":")) {
        advance(p);
        if (!is_op(cur(p), "]") && !is_op(cur(p), ",")) {
            if (!(parts[2] = jp_expression(p, true))) return NULL;
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
            n = jp_filter(p, n, false);
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
            jnode *k = jp_expression(p, true);
            if (!k || !expect_op(p, ":")) return NULL;
            if (!pv_push(p, &keys, k)) return NULL;
        }
        jnode *v = jp_expression(p, true);
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
        n = jp_tuple(p, true, NULL, true);
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

jnode *jp_expression(parser *p, bool with_condexpr) {
    return with_condexpr ? parse_condexpr(p) : parse_or(p);
}

bool jp_is_tuple_end(parser *p, const char *extra_end) {
    const jtok *t = cur(p);
    return t->t == T_VAR_END || t->t == T_BLOCK_END || is_op(t, ")") || (extra_end && is_name(t, extra_end));
}

jnode *jp_tuple(parser *p, bool with_condexpr, const char *extra_end, bool explicit_parens) {
    pvec items = {0};
    bool is_tuple = false;
    for (;;) {
        if (items.n && !expect_op(p, ",")) return NULL;
        if (jp_is_tuple_end(p, extra_end)) break;
        jnode *e = jp_expression(p, with_condexpr);
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

