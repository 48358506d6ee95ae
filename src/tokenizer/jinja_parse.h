/* nuri internal: the Jinja parser's state and token helpers, shared by the expression
 * parser (jinja_parse_expr.c) and the statement parser (jinja_parse.c). */
#ifndef NURI_JINJA_PARSE_H
#define NURI_JINJA_PARSE_H

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

static inline void *pfail_st(parser *p, nuri_status st, const char *fmt, const char *arg) {
    if (p->st == NURI_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, fmt, arg ? arg : "");
        p->st = nuri_fail(p->err, st, "template line %d: %s", p->t[p->i].line, msg);
    }
    return NULL;
}

static inline void *pfail(parser *p, const char *fmt, const char *arg) { return pfail_st(p, NURI_ERR_FORMAT, fmt, arg); }

static inline const jtok *cur(parser *p) { return &p->t[p->i]; }
static inline const jtok *peek(parser *p, size_t k) {
    size_t j = p->i + k;
    return &p->t[j < p->n ? j : p->n - 1];
}
static inline void advance(parser *p) {
    if (p->i + 1 < p->n) p->i++;
}
static inline bool is_op(const jtok *t, const char *op) { return t->t == T_OP && !strcmp(t->s, op); }
static inline bool is_name(const jtok *t, const char *name) { return t->t == T_NAME && !strcmp(t->s, name); }

static inline const char *tok_desc(const jtok *t) {
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

static inline bool expect_op(parser *p, const char *op) {
    if (is_op(cur(p), op)) {
        advance(p);
        return true;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "expected '%s', got '%s'", op, tok_desc(cur(p)));
    pfail(p, "%s", msg);
    return false;
}

static inline bool expect_type(parser *p, jtok_type t, const char *what) {
    if (cur(p)->t == t) {
        advance(p);
        return true;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "expected %s, got '%s'", what, tok_desc(cur(p)));
    pfail(p, "%s", msg);
    return false;
}

static inline jnode *node(parser *p, jnode_kind k) {
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

static inline bool pv_push(parser *p, pvec *v, void *x) {
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

static inline jv *const_val(parser *p, jv_type t) {
    jv *v = ja_alloc(p->a, sizeof *v);
    if (!v) return pfail_st(p, NURI_ERR_NOMEM, "%s", "template too large");
    v->t = t;
    return v;
}

static inline bool enter(parser *p) {
    if (++p->depth > JINJA_MAX_PARSE_DEPTH) {
        pfail_st(p, NURI_ERR_UNSUPPORTED, "%s", "template nested too deeply");
        return false;
    }
    return true;
}

/* Expressions (jinja_parse_expr.c), in Jinja2's grammar. */
jnode *jp_expression(parser *p, bool with_condexpr);
/* Comma-separated expressions: a tuple if there is a comma; extra_end names a keyword
 * that also ends the list ("recursive" after a for loop's iterable). */
jnode *jp_tuple(parser *p, bool with_condexpr, const char *extra_end, bool explicit_parens);
/* '|' filters after operand (NULL: a filter block's); start_inline: the first '|' is implied. */
jnode *jp_filter(parser *p, jnode *operand, bool start_inline);
bool jp_is_tuple_end(parser *p, const char *extra_end);

#endif
