/* nuri internal: a Jinja2 interpreter for chat templates.
 *
 * The subset is the one real chat templates use (see docs/templates.md), with the
 * semantics of Jinja2 3.x run as the reference runs it: ImmutableSandboxedEnvironment,
 * trim_blocks and lstrip_blocks on, autoescape off. Values behave like the Python
 * objects Jinja2 would see (str, int, float, list, dict, None, Undefined), so printing,
 * comparison and tojson match byte for byte.
 *
 * Memory: everything a parse or a render allocates lives in one arena, freed at once;
 * the arena has a budget, so hostile templates end in an error instead of exhausting
 * the machine. Errors: functions return NULL/false and record the first error in the
 * context; callers only propagate. */
#ifndef NURI_JINJA_H
#define NURI_JINJA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nuri/base.h"

struct cJSON;

/* ---- arena ---- */
typedef struct jarena_block jarena_block;
typedef struct {
    jarena_block *head;
    size_t used;  /* bytes handed out, for the budget */
    size_t limit; /* 0: no limit */
} jarena;

void *ja_alloc(jarena *a, size_t n); /* zeroed; NULL when over budget or out of memory */
void ja_free_all(jarena *a);
char *ja_strndup(jarena *a, const char *s, size_t n); /* NUL-terminated copy */

/* A growable byte buffer inside an arena (old chunks stay until the arena is freed). */
typedef struct {
    jarena *a;
    char *p;
    size_t n, cap;
    bool failed; /* an append ran out of budget */
} jbuf;

void jb_init(jbuf *b, jarena *a);
bool jb_put(jbuf *b, const char *s, size_t n);
bool jb_puts(jbuf *b, const char *s);
bool jb_putc(jbuf *b, char c);
bool jb_printf(jbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
bool jb_put_cp(jbuf *b, uint32_t cp); /* UTF-8 encode */

/* ---- values ---- */
typedef enum {
    JV_UNDEF,
    JV_NONE,
    JV_BOOL,
    JV_INT,
    JV_FLOAT,
    JV_STR,
    JV_LIST,   /* also tuples (l.tuple) */
    JV_DICT,   /* insertion-ordered, immutable once built */
    JV_NS,     /* namespace(): the only mutable value */
    JV_MACRO,
    JV_FUNC,   /* a global function: range, namespace, dict, raise_exception */
    JV_METHOD, /* a bound method of a str, dict or loop, e.g. content.strip */
    JV_LOOP,
} jv_type;

typedef struct jv jv;
typedef struct jnode jnode;
typedef struct jscope jscope;
typedef struct jloop jloop;

typedef struct {
    jv *k, *v;
} jv_pair;

struct jv {
    jv_type t;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *p; /* UTF-8, NUL-terminated */
            size_t n;
            bool markup; /* a markupsafe.Markup in Jinja2 (tojson, safe): '+' escapes the other side */
        } s;
        struct {
            jv **v;
            size_t n;
            bool tuple;
            uint8_t kind; /* JL_*: what Python object this sequence stands for */
            size_t pos;   /* JL_GEN, JL_REVITER: items already consumed */
        } l;
        struct {
            jv_pair *p;
            size_t n, cap;
        } d; /* dicts and namespaces */
        struct {
            const jnode *node;
            jscope *scope; /* where it was defined: names resolve there at call time */
        } m;
        int fn;
        struct {
            jv *self;
            const char *name;
        } meth;
        jloop *loop;
        const char *undef_hint; /* what was undefined, for the error if it is used */
    };
};

/* Jinja2 filters such as map and selectattr return one-shot generators, dict.items()
 * returns a view: they iterate like lists but print, measure and serialize differently. */
enum { JL_LIST, JL_GEN, JL_REVITER, JL_ITEMS, JL_KEYS, JL_VALUES };
static inline bool jv_is_seq(const jv *v) { return v->t == JV_LIST && v->l.kind == JL_LIST; }

enum { JF_RANGE, JF_NAMESPACE, JF_DICT, JF_RAISE, JF_JINJA_GLOBAL /* lipsum, cycler, joiner */ };

struct jloop {
    jv **items;
    size_t n, i;
};

struct jscope {
    jscope *parent;
    const char **names;
    jv **vals;
    size_t n, cap;
};

/* ---- AST ---- */
typedef enum {
    N_TEXT,
    N_OUTPUT,
    N_IF,
    N_FOR,
    N_SET,
    N_SETBLOCK,
    N_MACRO,
    N_FILTERBLOCK,
    E_CONST,
    E_NAME,
    E_ATTR,
    E_ITEM,
    E_SLICE,
    E_CALL,
    E_FILTER,
    E_TEST,
    E_NOT,
    E_NEG,
    E_POS,
    E_BIN,
    E_AND,
    E_OR,
    E_CMP,
    E_COND,
    E_LIST,
    E_TUPLE,
    E_DICT,
    E_CONCAT,
} jnode_kind;

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW };
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_IN, CMP_NOTIN };

typedef struct {
    jnode **v;
    size_t n;
} jlist;

typedef struct {
    jnode **pos;
    size_t npos;
    const char **kwn;
    jnode **kwv;
    size_t nkw;
} jargs;

struct jnode {
    jnode_kind kind;
    int line;
    union {
        struct {
            const char *p;
            size_t n;
        } text;
        jnode *expr; /* N_OUTPUT, E_NOT, E_NEG, E_POS */
        struct {
            jnode **conds; /* n conditions, then the else body (may be empty) */
            jlist *bodies;
            size_t n;
            jlist else_body;
        } if_;
        struct {
            const char **names; /* loop targets; unpack when a tuple target */
            size_t nnames;
            bool unpack;
            jnode *iter, *filter;
            jlist body, else_body;
        } for_;
        struct {
            const char **names; /* N_SET targets, or the namespace name when attr != NULL */
            size_t nnames;
            bool unpack;
            const char *attr;
            jnode *value;  /* N_SET */
            jnode *filter; /* N_SETBLOCK: optional filter chain applied to the body */
            jlist body;    /* N_SETBLOCK */
        } set;
        struct {
            const char *name;
            const char **params;
            jnode **defaults; /* NULL entries: no default */
            size_t nparams;
            jlist body;
        } macro;
        struct {
            jnode *filter; /* chain of E_FILTER whose innermost operand is NULL */
            jlist body;
        } fblock;
        jv *cval;
        const char *name;
        struct {
            jnode *obj;
            const char *name;
        } attr;
        struct {
            jnode *obj, *index;
        } item;
        struct {
            jnode *obj, *start, *stop, *step;
        } slice;
        struct {
            jnode *fn;
            jargs a;
        } call;
        struct {
            jnode *operand; /* NULL: the value piped in by a filter block */
            const char *name;
            int id;     /* index in the filter/test table; -1: unknown (fails if run) */
            bool negate; /* tests: 'is not' */
            jargs a;
        } filt;
        struct {
            int op;
            jnode *l, *r;
        } bin;
        struct {
            jnode *first;
            int *ops;
            jnode **rest;
            size_t n;
        } cmp;
        struct {
            jnode *cond, *then, *else_; /* else_ NULL: undefined */
        } cond;
        struct {
            jnode **items;
            size_t n;
        } list; /* E_LIST, E_TUPLE, E_CONCAT */
        struct {
            jnode **keys, **vals;
            size_t n;
        } dict;
    };
};

/* ---- lexer and parser ---- */
typedef enum {
    T_EOF,
    T_DATA,
    T_VAR_BEGIN,
    T_VAR_END,
    T_BLOCK_BEGIN,
    T_BLOCK_END,
    T_NAME,
    T_STRING,
    T_INT,
    T_FLOAT,
    T_OP,
} jtok_type;

typedef struct {
    jtok_type t;
    int line;
    const char *s; /* T_NAME, T_STRING (decoded), T_OP: NUL-terminated; T_DATA: n bytes */
    size_t n;
    int64_t i;
    double f;
} jtok;

typedef struct {
    jtok *v;
    size_t n;
} jtoks;

/* Tokenizes a whole template (newlines normalized, Jinja2's whitespace control applied
 * to the data tokens). */
nuri_status jinja_lex(jarena *a, const char *src, size_t len, jtoks *out, nuri_error *err);
/* Parses into a statement list. */
nuri_status jinja_parse(jarena *a, const jtoks *toks, jlist *out, nuri_error *err);

/* ---- filters and tests tables (jinja_filters.c) ---- */
/* Index of a filter / test name: >= 0 implemented, -2 a Jinja2 builtin nuri does not
 * implement, -1 unknown to Jinja2 too. */
int jinja_filter_id(const char *name);
int jinja_test_id(const char *name);
bool jinja_filter_known(const char *name); /* a Jinja2 builtin filter, implemented or not */

/* ---- the interpreter ---- */
typedef struct {
    jarena *a;
    nuri_error *err;
    nuri_status st;
    jbuf *out;
    jscope *root;  /* the template's variables; its parent holds Jinja2's globals */
    jscope *scope; /* innermost scope of the code being run */
    jv *undef, *none, *vtrue, *vfalse;
    uint64_t steps;
    int depth;       /* evaluation recursion */
    int macro_depth; /* nested macro calls */
    int line;        /* of the node being run, for errors */
} jctx;

/* Records the first error (prefixed with the template line) and returns NULL. */
void *jfail(jctx *c, nuri_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Sets up a context over arena a (preallocated singletons, an empty root scope for the
 * template's variables). */
bool jctx_init(jctx *c, jarena *a, nuri_error *err);
/* Runs a parsed template; *out is malloc'd and NUL-terminated. */
nuri_status jinja_run(jctx *c, const jlist *body, char **out, size_t *out_len);

/* Value constructors. */
jv *jv_new(jctx *c, jv_type t);
jv *jv_int(jctx *c, int64_t i);
jv *jv_float(jctx *c, double f);
jv *jv_bool(jctx *c, bool b);
jv *jv_str(jctx *c, const char *p, size_t n); /* copies */
jv *jv_str_nocopy(jctx *c, const char *p, size_t n);
jv *jv_list(jctx *c, size_t n, bool tuple);  /* n slots, filled by the caller */
jv *jv_dict(jctx *c, size_t cap);
bool jv_dict_set(jctx *c, jv *d, jv *k, jv *v); /* replaces an equal key in place */
jv *jv_dict_get(const jv *d, const jv *k);
jv *jv_dict_get_str(const jv *d, const char *k);
jv *jv_undef(jctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Python semantics (jinja_ops.c). */
bool jv_truthy(const jv *v);
bool jv_eq(const jv *a, const jv *b);
/* <0, 0, >0; false (with an error) when Python would raise TypeError. */
bool jv_cmp(jctx *c, const jv *a, const jv *b, int *out);
jv *jv_binop(jctx *c, int op, jv *a, jv *b);
jv *jv_neg(jctx *c, jv *a, bool neg);
/* Membership: needle in hay ('in' operator). */
bool jv_contains(jctx *c, jv *hay, jv *needle, bool *out);
const char *jv_type_name(const jv *v); /* Python's type name, for messages */
/* Jinja2 getattr / getitem with the sandbox's fallbacks; never NULL unless an error. */
jv *jv_getattr(jctx *c, jv *obj, const char *name);
jv *jv_getitem(jctx *c, jv *obj, jv *key);
jv *jv_slice(jctx *c, jv *obj, jv *start, jv *stop, jv *step);
/* The elements Python's iter() yields (dict: keys, str: characters). */
bool jv_iterate(jctx *c, jv *v, jv ***items, size_t *n);
bool jv_is_iterable(const jv *v);

/* Text (jinja_str.c). */
bool jv_to_str(jctx *c, jbuf *b, const jv *v);  /* Python str() */
bool jv_repr(jctx *c, jbuf *b, const jv *v);    /* Python repr() */
jv *jv_stringify(jctx *c, jv *v);               /* str() as a value (keeps markup) */
void jpy_float_repr(double f, char out[32]);
bool jpy_isspace(uint32_t cp);
/* Decodes one code point of valid UTF-8 at s (strings inside the interpreter are valid). */
uint32_t jutf8_next(const char *s, size_t n, size_t *i);
size_t jutf8_count(const char *s, size_t n);
bool jutf8_valid(const char *s, size_t n);
size_t jutf8_check(const char *s, size_t n); /* offset of the first invalid byte, or n */
/* Byte offset of code point index cp (clamped to n). */
size_t jutf8_offset(const char *s, size_t n, size_t cp);
jv *jpy_html_escape(jctx *c, jv *s);

/* JSON (jinja_json.c). */
jv *jv_from_cjson(jctx *c, const struct cJSON *j);
/* Same, with kinds[i] telling whether the i-th number of the JSON text (in document
 * order) was written as an integer: cJSON keeps only doubles, Python keeps 1 and 1.0
 * apart. Without kinds, integral numbers become integers. */
jv *jv_from_cjson_kinds(jctx *c, const struct cJSON *j, const uint8_t *kinds, size_t nkinds);
/* json.dumps(v, sort_keys=True, indent=indent) with Jinja2's HTML-safe escapes;
 * indent < 0 is indent=None (one line, ", " and ": " separators). */
bool jv_tojson(jctx *c, jbuf *b, const jv *v, int indent);

/* Calls (jinja_methods.c). */
typedef struct {
    jv **pos;
    size_t npos;
    const char **kwn;
    jv **kwv;
    size_t nkw;
} jvargs;

jv *jinja_call(jctx *c, jv *fn, jvargs *args);
jv *jinja_method(jctx *c, jv *self, const char *name, jvargs *args);
/* Whether obj has a method called name (so obj.name is a bound method): 0 no, 1 yes,
 * 2 yes but the immutable sandbox forbids it (it would mutate obj). Names starting with
 * '_' are always 0 (the sandbox hides them). */
int jinja_has_method(const jv *obj, const char *name);
jv *jinja_call_macro(jctx *c, jv *macro, jvargs *args);

/* String helpers shared by methods and filters (jinja_methods.c). */
jv *jinja_strip(jctx *c, jv *s, jv *chars /* NULL: whitespace */, bool left, bool right);
enum { CASE_UPPER, CASE_LOWER, CASE_TITLE, CASE_CAPITALIZE, CASE_SWAP };
jv *jinja_case(jctx *c, jv *s, int mode);
jv *jinja_replace(jctx *c, jv *s, jv *old, jv *new_, int64_t count, bool markup);
jv *jinja_splitlines(jctx *c, jv *s, bool keepends);
jv *jinja_dict_items(jctx *c, jv *d); /* list of (key, value) tuples */
/* how: 'c' center, 'l' ljust, 'r' rjust, 'z' zfill */
jv *jinja_pad(jctx *c, jv *s, int64_t width, const char *fill, size_t fill_len, int how);

/* Filters and tests (jinja_filters.c). */
jv *jinja_filter(jctx *c, int id, const char *name, jv *v, jvargs *args);
bool jinja_test(jctx *c, int id, const char *name, jv *v, jvargs *args, bool *out);

/* Argument helpers: the i-th positional or the keyword called name, else NULL. */
jv *jarg(jvargs *a, size_t i, const char *name);
bool jargs_max(jctx *c, jvargs *a, size_t npos, const char *what);

/* Scopes (jinja_eval.c). */
jscope *jscope_new(jctx *c, jscope *parent);
bool jscope_set(jctx *c, jscope *s, const char *name, jv *v);
jv *jscope_get(jscope *s, const char *name);

/* Limits against hostile templates (real chat templates stay far below them). */
#define JINJA_MAX_MEMORY ((size_t)256 << 20) /* arena bytes for one render */
#define JINJA_MAX_STEPS 2000000u             /* statements and expressions evaluated */
#define JINJA_MAX_DEPTH 1500                 /* evaluation recursion */
#define JINJA_MAX_MACRO_DEPTH 100            /* nested macro calls */
#define JINJA_MAX_PARSE_DEPTH 200            /* expression and block nesting */
#define JINJA_MAX_VALUE_DEPTH 1000           /* nesting of lists/dicts compared or printed */

#endif
