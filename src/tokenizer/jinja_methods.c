/* Calls: global functions (range, namespace, dict, raise_exception), and the methods
 * of str, dict and loop that templates use (content.strip(), message.get('x'),
 * loop.cycle(...)). String methods work on code points like Python's. */
#include <string.h>
#include <utf8proc.h>

#include "tokenizer/jinja.h"

jv *jarg(jvargs *a, size_t i, const char *name) {
    if (i < a->npos) return a->pos[i];
    if (name)
        for (size_t k = 0; k < a->nkw; k++)
            if (!strcmp(a->kwn[k], name)) return a->kwv[k];
    return NULL;
}

bool jargs_max(jctx *c, jvargs *a, size_t npos, const char *what) {
    if (a->npos > npos) {
        jfail(c, NURI_ERR_INVALID_ARG, "%s takes at most %zu argument(s) (%zu given)", what, npos, a->npos);
        return false;
    }
    return true;
}

/* Python's method names per type; the ones that mutate come back as 2 (sandboxed). */
static const char *const str_methods[] = {
    "capitalize", "casefold",   "center",     "count",        "encode",      "endswith",  "expandtabs",
    "find",       "format",     "format_map", "index",        "isalnum",     "isalpha",   "isascii",
    "isdecimal",  "isdigit",    "isidentifier", "islower",    "isnumeric",   "isprintable", "isspace",
    "istitle",    "isupper",    "join",       "ljust",        "lower",       "lstrip",    "maketrans",
    "partition",  "removeprefix", "removesuffix", "replace",  "rfind",       "rindex",    "rjust",
    "rpartition", "rsplit",     "rstrip",     "split",        "splitlines",  "startswith", "strip",
    "swapcase",   "title",      "translate",  "upper",        "zfill",       NULL};
static const char *const dict_methods[] = {"copy", "fromkeys", "get", "items", "keys", "values", NULL};
static const char *const dict_mutators[] = {"clear", "pop", "popitem", "setdefault", "update", NULL};
static const char *const list_methods[] = {"copy", "count", "index", NULL};
static const char *const list_mutators[] = {"append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort", NULL};

static bool in_list(const char *const *l, const char *name) {
    for (; *l; l++)
        if (!strcmp(*l, name)) return true;
    return false;
}

int jinja_has_method(const jv *obj, const char *name) {
    if (name[0] == '_') return 0;
    switch (obj->t) {
    case JV_STR: return in_list(str_methods, name);
    case JV_DICT: return in_list(dict_methods, name) ? 1 : in_list(dict_mutators, name) ? 2 : 0;
    case JV_LIST:
        if (obj->l.tuple) return !strcmp(name, "count") || !strcmp(name, "index");
        return in_list(list_methods, name) ? 1 : in_list(list_mutators, name) ? 2 : 0;
    case JV_LOOP: return !strcmp(name, "cycle") || !strcmp(name, "changed");
    default: return 0;
    }
}

static jv *str_arg(jctx *c, jvargs *a, size_t i, const char *name, const char *what, bool allow_none) {
    jv *v = jarg(a, i, name);
    if (!v || (allow_none && v->t == JV_NONE)) return NULL;
    if (v->t != JV_STR) jfail(c, NURI_ERR_INVALID_ARG, "%s: expected a string argument, got %s", what, jv_type_name(v));
    return v->t == JV_STR ? v : NULL;
}

static jv *mk_str(jctx *c, jbuf *b, bool markup) {
    if (b->failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    jv *r = jv_str_nocopy(c, b->p ? b->p : "", b->n);
    if (r) r->s.markup = markup;
    return r;
}

static bool in_chars(const jv *chars, uint32_t cp) {
    if (!chars) return jpy_isspace(cp);
    size_t i = 0;
    while (i < chars->s.n)
        if (jutf8_next(chars->s.p, chars->s.n, &i) == cp) return true;
    return false;
}

/* strip/lstrip/rstrip with optional chars. */
jv *jinja_strip(jctx *c, jv *s, jv *chars, bool left, bool right) {
    size_t a = 0, b = s->s.n;
    if (left)
        while (a < b) {
            size_t j = a;
            if (!in_chars(chars, jutf8_next(s->s.p, b, &j))) break;
            a = j;
        }
    if (right) {
        size_t i = a, keep = a;
        while (i < b) {
            uint32_t cp = jutf8_next(s->s.p, b, &i);
            if (!in_chars(chars, cp)) keep = i;
        }
        b = keep;
    }
    jv *r = jv_str(c, s->s.p + a, b - a);
    if (r) r->s.markup = s->s.markup;
    return r;
}

static bool push(jctx *c, jv ***v, size_t *n, size_t *cap, jv *x) {
    if (!x) return false;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        jv **nv = ja_alloc(c->a, nc * sizeof *nv);
        if (!nv) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed"), false;
        if (*n) memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return true;
}

static jv *as_list(jctx *c, jv **v, size_t n) {
    jv *r = jv_list(c, n, false);
    if (r && n) memcpy(r->l.v, v, n * sizeof *v);
    return r;
}

static jv *piece(jctx *c, jv *s, size_t a, size_t b) {
    jv *r = jv_str(c, s->s.p + a, b - a);
    if (r) r->s.markup = s->s.markup;
    return r;
}

/* str.split / str.rsplit. */
static jv *split(jctx *c, jv *s, jv *sep, int64_t maxsplit, bool from_right) {
    jv **v = NULL;
    size_t n = 0, cap = 0;
    const char *p = s->s.p;
    size_t len = s->s.n;
    if (sep && sep->s.n == 0) return jfail(c, NURI_ERR_INVALID_ARG, "empty separator");
    if (!from_right) {
        size_t i = 0;
        if (!sep) {
            for (;;) {
                while (i < len) {
                    size_t j = i;
                    if (!jpy_isspace(jutf8_next(p, len, &j))) break;
                    i = j;
                }
                if (i >= len) break;
                if (maxsplit >= 0 && (int64_t)n >= maxsplit) {
                    /* the rest, trailing whitespace included */
                    if (!push(c, &v, &n, &cap, piece(c, s, i, len))) return NULL;
                    break;
                }
                size_t start = i;
                while (i < len) {
                    size_t j = i;
                    if (jpy_isspace(jutf8_next(p, len, &j))) break;
                    i = j;
                }
                if (!push(c, &v, &n, &cap, piece(c, s, start, i))) return NULL;
            }
        } else {
            size_t start = 0;
            while (i + sep->s.n <= len && (maxsplit < 0 || (int64_t)n < maxsplit)) {
                if (!memcmp(p + i, sep->s.p, sep->s.n)) {
                    if (!push(c, &v, &n, &cap, piece(c, s, start, i))) return NULL;
                    i += sep->s.n;
                    start = i;
                } else {
                    i++;
                }
            }
            if (!push(c, &v, &n, &cap, piece(c, s, start, len))) return NULL;
        }
        return as_list(c, v, n);
    }
    /* rsplit: collect from the right, then reverse */
    if (!sep) {
        size_t end = len;
        for (;;) {
            /* skip trailing whitespace */
            size_t keep = 0, i = 0;
            while (i < end) {
                uint32_t cp = jutf8_next(p, end, &i);
                if (!jpy_isspace(cp)) keep = i;
            }
            end = keep;
            if (end == 0) break;
            if (maxsplit >= 0 && (int64_t)n >= maxsplit) {
                /* the rest, leading whitespace included */
                if (!push(c, &v, &n, &cap, piece(c, s, 0, end))) return NULL;
                break;
            }
            size_t start = 0;
            i = 0;
            while (i < end) {
                size_t j = i;
                uint32_t cp = jutf8_next(p, end, &j);
                if (jpy_isspace(cp)) start = j;
                i = j;
            }
            if (!push(c, &v, &n, &cap, piece(c, s, start, end))) return NULL;
            end = start;
        }
    } else {
        size_t end = len, i = len;
        while (i >= sep->s.n && (maxsplit < 0 || (int64_t)n < maxsplit)) {
            size_t at = i - sep->s.n;
            if (!memcmp(p + at, sep->s.p, sep->s.n)) {
                if (!push(c, &v, &n, &cap, piece(c, s, i, end))) return NULL;
                end = at;
                i = at;
            } else {
                i--;
            }
        }
        if (!push(c, &v, &n, &cap, piece(c, s, 0, end))) return NULL;
    }
    for (size_t k = 0; k < n / 2; k++) {
        jv *t = v[k];
        v[k] = v[n - 1 - k];
        v[n - 1 - k] = t;
    }
    return as_list(c, v, n);
}

/* str.splitlines(): Python's line boundaries. */
static bool is_linebreak(uint32_t cp) {
    return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x1C || cp == 0x1D || cp == 0x1E ||
           cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

jv *jinja_splitlines(jctx *c, jv *s, bool keepends) {
    jv **v = NULL;
    size_t n = 0, cap = 0, i = 0, start = 0;
    while (i < s->s.n) {
        size_t at = i;
        uint32_t cp = jutf8_next(s->s.p, s->s.n, &i);
        if (!is_linebreak(cp)) continue;
        if (cp == '\r' && i < s->s.n && s->s.p[i] == '\n') i++;
        if (!push(c, &v, &n, &cap, piece(c, s, start, keepends ? i : at))) return NULL;
        start = i;
    }
    if (start < s->s.n && !push(c, &v, &n, &cap, piece(c, s, start, s->s.n))) return NULL;
    return as_list(c, v, n);
}



static bool cased(uint32_t cp) {
    return utf8proc_toupper((utf8proc_int32_t)cp) != (utf8proc_int32_t)cp ||
           utf8proc_tolower((utf8proc_int32_t)cp) != (utf8proc_int32_t)cp;
}

jv *jinja_case(jctx *c, jv *s, int mode) {
    jbuf b;
    jb_init(&b, c->a);
    size_t i = 0;
    bool prev_cased = false, first = true;
    while (i < s->s.n) {
        uint32_t cp = jutf8_next(s->s.p, s->s.n, &i);
        utf8proc_int32_t x = (utf8proc_int32_t)cp;
        uint32_t o = cp;
        switch (mode) {
        case CASE_UPPER: o = (uint32_t)utf8proc_toupper(x); break;
        case CASE_LOWER: o = (uint32_t)utf8proc_tolower(x); break;
        case CASE_CAPITALIZE: o = (uint32_t)(first ? utf8proc_totitle(x) : utf8proc_tolower(x)); break;
        case CASE_TITLE:
            o = (uint32_t)(prev_cased ? utf8proc_tolower(x) : utf8proc_totitle(x));
            prev_cased = cased(cp);
            break;
        case CASE_SWAP:
            o = utf8proc_toupper(x) != x ? (uint32_t)utf8proc_toupper(x) : (uint32_t)utf8proc_tolower(x);
            break;
        }
        first = false;
        jb_put_cp(&b, o);
    }
    return mk_str(c, &b, s->s.markup);
}

static size_t find_bytes(const jv *h, const jv *n, size_t from, bool last, bool *found) {
    *found = false;
    size_t r = 0;
    if (n->s.n > h->s.n) return 0;
    for (size_t i = from; i + n->s.n <= h->s.n; i++)
        if (!memcmp(h->s.p + i, n->s.p, n->s.n)) {
            *found = true;
            r = i;
            if (!last) break;
        }
    return r;
}

jv *jinja_replace(jctx *c, jv *s, jv *old, jv *new_, int64_t count, bool markup) {
    jbuf b;
    jb_init(&b, c->a);
    if (old->s.n == 0) {
        /* inserts new before every character and at the end, up to count times */
        size_t i = 0;
        int64_t done = 0;
        while (i < s->s.n) {
            if (count < 0 || done < count) {
                jb_put(&b, new_->s.p, new_->s.n);
                done++;
            }
            size_t j = i;
            jutf8_next(s->s.p, s->s.n, &j);
            jb_put(&b, s->s.p + i, j - i);
            i = j;
        }
        if (count < 0 || done < count) jb_put(&b, new_->s.p, new_->s.n);
        return mk_str(c, &b, markup);
    }
    size_t i = 0;
    int64_t done = 0;
    while (i < s->s.n) {
        if ((count < 0 || done < count) && i + old->s.n <= s->s.n && !memcmp(s->s.p + i, old->s.p, old->s.n)) {
            jb_put(&b, new_->s.p, new_->s.n);
            i += old->s.n;
            done++;
        } else {
            jb_putc(&b, s->s.p[i++]);
        }
    }
    return mk_str(c, &b, markup);
}

static jv *str_class(jctx *c, jv *s, const char *name) {
    if (s->s.n == 0) return jv_bool(c, false);
    bool any_cased = false, ok = true;
    size_t i = 0;
    while (i < s->s.n && ok) {
        uint32_t cp = jutf8_next(s->s.p, s->s.n, &i);
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
        bool letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
        bool digit = cat == UTF8PROC_CATEGORY_ND;
        bool number = cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
        if (!strcmp(name, "isdigit") || !strcmp(name, "isdecimal")) ok = digit;
        else if (!strcmp(name, "isnumeric")) ok = number;
        else if (!strcmp(name, "isalpha")) ok = letter;
        else if (!strcmp(name, "isalnum")) ok = letter || number;
        else if (!strcmp(name, "isspace")) ok = jpy_isspace(cp);
        else if (!strcmp(name, "isascii")) ok = cp < 0x80;
        else if (!strcmp(name, "islower") || !strcmp(name, "isupper")) {
            if (cased(cp)) {
                any_cased = true;
                bool low = utf8proc_tolower((utf8proc_int32_t)cp) == (utf8proc_int32_t)cp;
                ok = name[2] == 'l' ? low : !low;
            }
        }
    }
    if (!strcmp(name, "islower") || !strcmp(name, "isupper")) ok = ok && any_cased;
    return jv_bool(c, ok);
}

static jv *affix(jctx *c, jv *s, jv *arg, bool start, const char *what) {
    jv **cands = &arg;
    size_t nc = 1;
    if (arg->t == JV_LIST && arg->l.tuple) {
        cands = arg->l.v;
        nc = arg->l.n;
    }
    for (size_t k = 0; k < nc; k++) {
        jv *x = cands[k];
        if (x->t != JV_STR)
            return jfail(c, NURI_ERR_INVALID_ARG, "%s first arg must be str or a tuple of str, not %s", what, jv_type_name(x));
        if (x->s.n <= s->s.n && !memcmp(start ? s->s.p : s->s.p + s->s.n - x->s.n, x->s.p, x->s.n)) return jv_bool(c, true);
    }
    return jv_bool(c, false);
}

static jv *int_arg(jctx *c, jvargs *a, size_t i, const char *name, int64_t def, bool *ok) {
    jv *v = jarg(a, i, name);
    *ok = true;
    if (!v) return jv_int(c, def);
    if (v->t != JV_INT && v->t != JV_BOOL) {
        *ok = false;
        return jfail(c, NURI_ERR_INVALID_ARG, "'%s' object cannot be interpreted as an integer", jv_type_name(v));
    }
    return v;
}

/* str.center/ljust/rjust (fill one code point) and zfill, widths in code points. */
jv *jinja_pad(jctx *c, jv *s, int64_t width, const char *fill, size_t fill_len, int how) {
    int64_t len = (int64_t)jutf8_count(s->s.p, s->s.n);
    if (width <= len) return s;
    if (width > 1000000) return jfail(c, NURI_ERR_UNSUPPORTED, "padding width too large");
    int64_t marg = width - len, left = 0;
    if (how == 'c') left = marg / 2 + (marg & width & 1);
    else if (how == 'r' || how == 'z') left = marg;
    jbuf b;
    jb_init(&b, c->a);
    size_t skip = 0;
    if (how == 'z') {
        fill = "0";
        fill_len = 1;
        if (s->s.n && (s->s.p[0] == '-' || s->s.p[0] == '+')) {
            jb_putc(&b, s->s.p[0]);
            skip = 1;
        }
    }
    for (int64_t k = 0; k < left; k++) jb_put(&b, fill, fill_len);
    jb_put(&b, s->s.p + skip, s->s.n - skip);
    for (int64_t k = left; k < marg; k++) jb_put(&b, fill, fill_len);
    return mk_str(c, &b, s->s.markup);
}

static jv *str_method(jctx *c, jv *s, const char *name, jvargs *a) {
    bool ok;
    if (!strcmp(name, "center") || !strcmp(name, "ljust") || !strcmp(name, "rjust") || !strcmp(name, "zfill")) {
        jv *w = jarg(a, 0, NULL);
        if (!w || (w->t != JV_INT && w->t != JV_BOOL)) return jfail(c, NURI_ERR_INVALID_ARG, "%s() needs an integer width", name);
        const char *fill = " ";
        size_t fl = 1;
        jv *f = name[0] == 'z' ? NULL : jarg(a, 1, NULL);
        if (f) {
            if (f->t != JV_STR || jutf8_count(f->s.p, f->s.n) != 1)
                return jfail(c, NURI_ERR_INVALID_ARG, "The fill character must be exactly one character long");
            fill = f->s.p;
            fl = f->s.n;
        }
        return jinja_pad(c, s, w->t == JV_INT ? w->i : w->b, fill, fl, name[0] == 'l' ? 'l' : name[0] == 'r' ? 'r' : name[0]);
    }
    if (!strcmp(name, "strip") || !strcmp(name, "lstrip") || !strcmp(name, "rstrip")) {
        if (!jargs_max(c, a, 1, name)) return NULL;
        jv *chars = str_arg(c, a, 0, "chars", name, true);
        if (c->st) return NULL;
        return jinja_strip(c, s, chars, name[0] != 'r', name[0] != 'l');
    }
    if (!strcmp(name, "split") || !strcmp(name, "rsplit")) {
        if (!jargs_max(c, a, 2, name)) return NULL;
        jv *sep = str_arg(c, a, 0, "sep", name, true);
        if (c->st) return NULL;
        jv *mx = int_arg(c, a, 1, "maxsplit", -1, &ok);
        if (!ok) return NULL;
        return split(c, s, sep, mx->t == JV_INT ? mx->i : mx->b, name[0] == 'r');
    }
    if (!strcmp(name, "splitlines")) {
        jv *k = jarg(a, 0, "keepends");
        return jinja_splitlines(c, s, k && jv_truthy(k));
    }
    if (!strcmp(name, "startswith") || !strcmp(name, "endswith")) {
        if (a->npos != 1 || a->nkw) return jfail(c, NURI_ERR_UNSUPPORTED, "str.%s with start/end is not supported", name);
        return affix(c, s, a->pos[0], name[0] == 's', name);
    }
    if (!strcmp(name, "upper")) return jinja_case(c, s, CASE_UPPER);
    if (!strcmp(name, "lower")) return jinja_case(c, s, CASE_LOWER);
    if (!strcmp(name, "title")) return jinja_case(c, s, CASE_TITLE);
    if (!strcmp(name, "capitalize")) return jinja_case(c, s, CASE_CAPITALIZE);
    if (!strcmp(name, "swapcase")) return jinja_case(c, s, CASE_SWAP);
    if (!strcmp(name, "replace")) {
        jv *old = str_arg(c, a, 0, "old", name, false), *nw = old ? str_arg(c, a, 1, "new", name, false) : NULL;
        if (!old || !nw) return c->st ? NULL : jfail(c, NURI_ERR_INVALID_ARG, "replace expected at least 2 arguments");
        jv *cnt = int_arg(c, a, 2, "count", -1, &ok);
        if (!ok) return NULL;
        if (s->s.markup) {
            if (!(old = jpy_html_escape(c, old)) || !(nw = jpy_html_escape(c, nw))) return NULL;
        }
        return jinja_replace(c, s, old, nw, cnt->t == JV_INT ? cnt->i : cnt->b, s->s.markup);
    }
    if (!strcmp(name, "find") || !strcmp(name, "rfind") || !strcmp(name, "count") || !strcmp(name, "index") ||
        !strcmp(name, "rindex")) {
        if (a->npos != 1 || a->nkw) return jfail(c, NURI_ERR_UNSUPPORTED, "str.%s with start/end is not supported", name);
        jv *sub = str_arg(c, a, 0, NULL, name, false);
        if (!sub) return NULL;
        if (!strcmp(name, "count")) {
            if (sub->s.n == 0) return jv_int(c, (int64_t)jutf8_count(s->s.p, s->s.n) + 1);
            int64_t cnt = 0;
            for (size_t i = 0; i + sub->s.n <= s->s.n;)
                if (!memcmp(s->s.p + i, sub->s.p, sub->s.n)) {
                    cnt++;
                    i += sub->s.n;
                } else {
                    i++;
                }
            return jv_int(c, cnt);
        }
        bool found;
        size_t at = find_bytes(s, sub, 0, name[0] == 'r', &found);
        if (!found) {
            if (!strcmp(name, "index") || !strcmp(name, "rindex")) return jfail(c, NURI_ERR_INVALID_ARG, "substring not found");
            return jv_int(c, -1);
        }
        return jv_int(c, (int64_t)jutf8_count(s->s.p, at));
    }
    if (!strcmp(name, "join")) {
        if (a->npos != 1) return jfail(c, NURI_ERR_INVALID_ARG, "join() takes exactly one argument");
        jv **items;
        size_t n;
        if (!jv_iterate(c, a->pos[0], &items, &n)) return NULL;
        jbuf b;
        jb_init(&b, c->a);
        for (size_t k = 0; k < n; k++) {
            if (items[k]->t != JV_STR)
                return jfail(c, NURI_ERR_INVALID_ARG, "sequence item %zu: expected str instance, %s found", k,
                             jv_type_name(items[k]));
            if (k) jb_put(&b, s->s.p, s->s.n);
            jb_put(&b, items[k]->s.p, items[k]->s.n);
        }
        return mk_str(c, &b, false);
    }
    if (!strcmp(name, "removeprefix") || !strcmp(name, "removesuffix")) {
        jv *x = str_arg(c, a, 0, NULL, name, false);
        if (!x) return NULL;
        bool pre = name[6] == 'p';
        if (x->s.n <= s->s.n && !memcmp(pre ? s->s.p : s->s.p + s->s.n - x->s.n, x->s.p, x->s.n))
            return piece(c, s, pre ? x->s.n : 0, pre ? s->s.n : s->s.n - x->s.n);
        return s;
    }
    if (!strncmp(name, "is", 2)) return str_class(c, s, name);
    return jfail(c, NURI_ERR_UNSUPPORTED, "str.%s() is not supported", name);
}

static jv *dict_view(jctx *c, jv *d, int which) {
    jv *r = jv_list(c, d->d.n, false);
    if (!r) return NULL;
    r->l.kind = which == 0 ? JL_KEYS : which == 1 ? JL_VALUES : JL_ITEMS;
    for (size_t k = 0; k < d->d.n; k++) {
        if (which == 0) {
            r->l.v[k] = d->d.p[k].k;
        } else if (which == 1) {
            r->l.v[k] = d->d.p[k].v;
        } else {
            jv *t = jv_list(c, 2, true);
            if (!t) return NULL;
            t->l.v[0] = d->d.p[k].k;
            t->l.v[1] = d->d.p[k].v;
            r->l.v[k] = t;
        }
    }
    return r;
}

jv *jinja_dict_items(jctx *c, jv *d) { return dict_view(c, d, 2); }

jv *jinja_method(jctx *c, jv *self, const char *name, jvargs *a) {
    switch (self->t) {
    case JV_STR: return str_method(c, self, name, a);
    case JV_DICT:
        if (!strcmp(name, "get")) {
            jv *k = jarg(a, 0, NULL);
            if (!k) return jfail(c, NURI_ERR_INVALID_ARG, "get expected at least 1 argument, got 0");
            if (!jargs_max(c, a, 2, "get")) return NULL;
            if (k->t == JV_DICT || (k->t == JV_LIST && !k->l.tuple))
                return jfail(c, NURI_ERR_INVALID_ARG, "unhashable type: '%s'", jv_type_name(k));
            jv *v = jv_dict_get(self, k);
            if (v) return v;
            jv *d = jarg(a, 1, NULL);
            return d ? d : c->none;
        }
        if (!strcmp(name, "keys")) return dict_view(c, self, 0);
        if (!strcmp(name, "values")) return dict_view(c, self, 1);
        if (!strcmp(name, "items")) return dict_view(c, self, 2);
        if (!strcmp(name, "copy")) return self;
        break;
    case JV_LIST:
        if (!strcmp(name, "count") || !strcmp(name, "index")) {
            jv *x = jarg(a, 0, NULL);
            if (!x) return jfail(c, NURI_ERR_INVALID_ARG, "%s() takes exactly one argument", name);
            int64_t cnt = 0;
            for (size_t k = 0; k < self->l.n; k++)
                if (jv_eq(self->l.v[k], x)) {
                    if (name[0] == 'i') return jv_int(c, (int64_t)k);
                    cnt++;
                }
            if (name[0] == 'i') return jfail(c, NURI_ERR_INVALID_ARG, "value is not in list");
            return jv_int(c, cnt);
        }
        if (!strcmp(name, "copy")) return self;
        break;
    case JV_LOOP:
        if (!strcmp(name, "cycle")) {
            if (a->npos == 0) return jfail(c, NURI_ERR_INVALID_ARG, "no items for cycling given");
            return a->pos[self->loop->i % a->npos];
        }
        break;
    default: break;
    }
    return jfail(c, NURI_ERR_UNSUPPORTED, "%s.%s() is not supported", jv_type_name(self), name);
}

static jv *range(jctx *c, jvargs *a) {
    if (a->nkw) return jfail(c, NURI_ERR_INVALID_ARG, "range() takes no keyword arguments");
    if (a->npos < 1 || a->npos > 3) return jfail(c, NURI_ERR_INVALID_ARG, "range expected 1 to 3 arguments, got %zu", a->npos);
    int64_t v[3] = {0, 0, 1};
    for (size_t k = 0; k < a->npos; k++) {
        jv *x = a->pos[k];
        if (x->t != JV_INT && x->t != JV_BOOL)
            return jfail(c, NURI_ERR_INVALID_ARG, "'%s' object cannot be interpreted as an integer", jv_type_name(x));
        v[a->npos == 1 ? 1 : k] = x->t == JV_INT ? x->i : x->b;
    }
    int64_t start = v[0], stop = v[1], step = v[2];
    if (step == 0) return jfail(c, NURI_ERR_INVALID_ARG, "range() arg 3 must not be zero");
    uint64_t len = 0;
    if (step > 0 && start < stop) len = ((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1;
    if (step < 0 && start > stop) len = ((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1;
    if (len > 100000)
        return jfail(c, NURI_ERR_INVALID_ARG, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    size_t n = (size_t)len;
    jv *r = jv_list(c, n, false);
    if (!r) return NULL;
    for (size_t k = 0; k < n; k++)
        if (!(r->l.v[k] = jv_int(c, start + (int64_t)k * step))) return NULL;
    return r;
}

static jv *kwargs_dict(jctx *c, jv *base, jvargs *a, jv_type t) {
    jv *d = jv_dict(c, 0);
    if (!d) return NULL;
    if (base) {
        if (base->t != JV_DICT) return jfail(c, NURI_ERR_UNSUPPORTED, "only a dict can initialize a namespace or dict");
        for (size_t k = 0; k < base->d.n; k++)
            if (!jv_dict_set(c, d, base->d.p[k].k, base->d.p[k].v)) return NULL;
    }
    for (size_t k = 0; k < a->nkw; k++) {
        jv *key = jv_str(c, a->kwn[k], strlen(a->kwn[k]));
        if (!key || !jv_dict_set(c, d, key, a->kwv[k])) return NULL;
    }
    d->t = t;
    return d;
}

jv *jinja_call(jctx *c, jv *fn, jvargs *a) {
    switch (fn->t) {
    case JV_MACRO: return jinja_call_macro(c, fn, a);
    case JV_METHOD: return jinja_method(c, fn->meth.self, fn->meth.name, a);
    case JV_FUNC:
        switch (fn->fn) {
        case JF_RANGE: return range(c, a);
        case JF_NAMESPACE:
        case JF_DICT:
            if (a->npos > 1) return jfail(c, NURI_ERR_INVALID_ARG, "expected at most 1 positional argument");
            return kwargs_dict(c, a->npos ? a->pos[0] : NULL, a, fn->fn == JF_NAMESPACE ? JV_NS : JV_DICT);
        case JF_RAISE: {
            jv *m = jarg(a, 0, NULL);
            jv *s = m ? jv_stringify(c, m) : NULL;
            if (m && !s) return NULL;
            return jfail(c, NURI_ERR_INVALID_ARG, "raise_exception: %s", s ? s->s.p : "");
        }
        default: return jfail(c, NURI_ERR_UNSUPPORTED, "this Jinja2 global function is not supported");
        }
    case JV_UNDEF: return jfail(c, NURI_ERR_INVALID_ARG, "%s", fn->undef_hint ? fn->undef_hint : "undefined value called");
    default: return jfail(c, NURI_ERR_INVALID_ARG, "'%s' object is not callable", jv_type_name(fn));
    }
}
