/* Jinja statements (if, for, set, macro, filter, with, print) into an AST. After
 * parsing, unknown filter and test names are rejected the way Jinja2's compiler does: at
 * once, unless they sit inside an if statement or an inline if, where Jinja2 only fails
 * when they run. */
#include "tokenizer/jinja_parse.h"

static bool parse_body(parser *p, jlist *out, const char *const *ends, const char **which);

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
        if (paren ? is_op(cur(p), ")") : (jp_is_tuple_end(p, extra_end) || is_op(cur(p), "="))) break;
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
        jnode *c = jp_tuple(p, false, NULL, false);
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
    if (!(n->for_.iter = jp_tuple(p, false, "recursive", false))) return NULL;
    if (is_name(cur(p), "if")) {
        advance(p);
        if (!(n->for_.filter = jp_expression(p, true))) return NULL;
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
        if (!(n->set.value = jp_tuple(p, true, NULL, false))) return NULL;
        return n;
    }
    n->kind = N_SETBLOCK;
    if (n->set.unpack) return pfail(p, "%s", "a block set takes a single name");
    if (is_op(cur(p), "|") && !(n->set.filter = jp_filter(p, NULL, false))) return NULL;
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
            if (!(def = jp_expression(p, true))) return NULL;
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
        if (!expect_op(p, "=") || !(s->set.value = jp_expression(p, true))) return NULL;
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
        if (n && !(n->expr = jp_tuple(p, true, NULL, false))) return NULL;
    } else if (!strcmp(tag, "filter")) {
        n = node(p, N_FILTERBLOCK);
        if (!n || !(n->fblock.filter = jp_filter(p, NULL, true)) || !end_block(p)) return NULL;
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
            if (!n || !(n->expr = jp_tuple(p, true, NULL, false))) return false;
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
