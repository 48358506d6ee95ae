/* Text as Python sees it: UTF-8 code points, str()/repr() of every value, float repr,
 * Unicode whitespace, HTML escaping (markupsafe). Templates print values with str(), so
 * these must agree with CPython byte for byte. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tokenizer/jinja.h"

uint32_t jutf8_next(const char *s, size_t n, size_t *i) {
    const unsigned char *u = (const unsigned char *)s;
    size_t k = *i;
    uint32_t c = u[k];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (k + len > n) len = 1; /* never on validated text; keeps a bad caller in bounds */
    if (len == 1) {
        *i = k + 1;
        return c;
    }
    uint32_t cp = c & (0x3F >> (len - 1));
    for (size_t j = 1; j < len; j++) cp = (cp << 6) | (u[k + j] & 0x3F);
    *i = k + len;
    return cp;
}

size_t jutf8_count(const char *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

size_t jutf8_offset(const char *s, size_t n, size_t cp) {
    size_t i = 0;
    while (i < n && cp > 0) {
        jutf8_next(s, n, &i);
        cp--;
    }
    return i;
}

bool jutf8_valid(const char *s, size_t n) { return jutf8_check(s, n) == n; }

size_t jutf8_check(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return i;
        }
        if (n - i < len) return i;
        for (size_t j = 1; j < len; j++) {
            if ((u[i + j] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (u[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

/* str.isspace(), which is also what \s matches in Python's re. */
bool jpy_isspace(uint32_t cp) {
    if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* repr(float): the shortest digits that read back to the same double, laid out the way
 * CPython does (positional for exponents -4..15, else d.ddde+XX). */
void jpy_float_repr(double f, char out[32]) {
    if (isnan(f)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(f)) {
        strcpy(out, f < 0 ? "-inf" : "inf");
        return;
    }
    if (f == 0) {
        strcpy(out, signbit(f) ? "-0.0" : "0.0");
        return;
    }
    char buf[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f) break;
    }
    char digits[24];
    size_t nd = 0;
    const char *p = buf;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && nd < sizeof digits - 1) digits[nd++] = *p;
    digits[nd] = 0;
    int e = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = 0;
    char *o = out;
    if (neg) *o++ = '-';
    if (e >= -4 && e < 16) {
        int decpt = e + 1;
        if (decpt <= 0) {
            *o++ = '0';
            *o++ = '.';
            for (int k = 0; k < -decpt; k++) *o++ = '0';
            memcpy(o, digits, nd);
            o += nd;
        } else if ((size_t)decpt >= nd) {
            memcpy(o, digits, nd);
            o += nd;
            for (size_t k = nd; k < (size_t)decpt; k++) *o++ = '0';
            *o++ = '.';
            *o++ = '0';
        } else {
            memcpy(o, digits, (size_t)decpt);
            o += decpt;
            *o++ = '.';
            memcpy(o, digits + decpt, nd - (size_t)decpt);
            o += nd - (size_t)decpt;
        }
        *o = 0;
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(o, 8, "e%c%02d", e < 0 ? '-' : '+', (e < 0 ? -e : e) % 1000);
    }
}

/* str.isprintable() for one code point: repr() escapes the others. */
static bool py_isprintable(uint32_t cp) {
    if (cp == ' ') return true;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_ZS: return false;
    default: return true;
    }
}

static bool repr_str(jbuf *b, const char *s, size_t n) {
    bool has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    jb_putc(b, q);
    size_t i = 0;
    while (i < n) {
        uint32_t cp = jutf8_next(s, n, &i);
        if (cp == (uint32_t)q || cp == '\\') {
            jb_putc(b, '\\');
            jb_putc(b, (char)cp);
        } else if (cp == '\n') {
            jb_puts(b, "\\n");
        } else if (cp == '\r') {
            jb_puts(b, "\\r");
        } else if (cp == '\t') {
            jb_puts(b, "\\t");
        } else if (cp < 0x80 && cp >= 0x20 && cp != 0x7F) {
            jb_putc(b, (char)cp);
        } else if (!py_isprintable(cp)) {
            if (cp < 0x100)
                jb_printf(b, "\\x%02x", (unsigned)cp);
            else if (cp < 0x10000)
                jb_printf(b, "\\u%04x", (unsigned)cp);
            else
                jb_printf(b, "\\U%08x", (unsigned)cp);
        } else {
            jb_put_cp(b, cp);
        }
    }
    return jb_putc(b, q);
}

/* Namespaces are mutable and may contain themselves; CPython prints a dict already
 * being printed as {...}. */
typedef struct repr_guard {
    const struct repr_guard *up;
    const jv *v;
    int depth;
} repr_guard;

static bool repr_any(jctx *c, jbuf *b, const jv *v, const repr_guard *g);

static bool repr_items(jctx *c, jbuf *b, const jv *v, const repr_guard *g) {
    repr_guard here = {g, v, g ? g->depth + 1 : 1};
    if (here.depth > 1000) {
        jfail(c, NURI_ERR_INVALID_ARG, "value nested too deeply to print");
        return false;
    }
    if (v->t == JV_LIST) {
        if (v->l.kind == JL_GEN || v->l.kind == JL_REVITER) {
            jfail(c, NURI_ERR_UNSUPPORTED, "printing a %s is not supported (Jinja2 prints its memory address)",
                  jv_type_name(v));
            return false;
        }
        if (v->l.kind != JL_LIST) {
            jb_puts(b, jv_type_name(v));
            jb_puts(b, "([");
        } else {
            jb_putc(b, v->l.tuple ? '(' : '[');
        }
        for (size_t k = 0; k < v->l.n; k++) {
            if (k) jb_puts(b, ", ");
            if (!repr_any(c, b, v->l.v[k], &here)) return false;
        }
        if (v->l.kind != JL_LIST) return jb_puts(b, "])");
        if (v->l.tuple && v->l.n == 1) jb_putc(b, ',');
        return jb_putc(b, v->l.tuple ? ')' : ']');
    }
    for (const repr_guard *u = g; u; u = u->up)
        if (u->v == v) return jb_puts(b, "{...}");
    jb_putc(b, '{');
    for (size_t k = 0; k < v->d.n; k++) {
        if (k) jb_puts(b, ", ");
        if (!repr_any(c, b, v->d.p[k].k, &here)) return false;
        jb_puts(b, ": ");
        if (!repr_any(c, b, v->d.p[k].v, &here)) return false;
    }
    return jb_putc(b, '}');
}

static bool repr_any(jctx *c, jbuf *b, const jv *v, const repr_guard *g) {
    switch (v->t) {
    case JV_UNDEF: return jb_puts(b, "Undefined");
    case JV_STR:
        if (v->s.markup) {
            jb_puts(b, "Markup(");
            repr_str(b, v->s.p, v->s.n);
            return jb_putc(b, ')');
        }
        return repr_str(b, v->s.p, v->s.n);
    case JV_LIST:
    case JV_DICT: return repr_items(c, b, v, g);
    case JV_NS:
        jb_puts(b, "<Namespace ");
        if (!repr_items(c, b, v, g)) return false;
        return jb_putc(b, '>');
    default: return jv_to_str(c, b, v);
    }
}

bool jv_repr(jctx *c, jbuf *b, const jv *v) { return repr_any(c, b, v, NULL) && !b->failed; }

bool jv_to_str(jctx *c, jbuf *b, const jv *v) {
    char num[32];
    switch (v->t) {
    case JV_UNDEF: return true;
    case JV_NONE: return jb_puts(b, "None");
    case JV_BOOL: return jb_puts(b, v->b ? "True" : "False");
    case JV_INT: return jb_printf(b, "%lld", (long long)v->i);
    case JV_FLOAT: jpy_float_repr(v->f, num); return jb_puts(b, num);
    case JV_STR: return jb_put(b, v->s.p, v->s.n);
    case JV_LIST:
    case JV_DICT:
    case JV_NS: return jv_repr(c, b, v);
    case JV_MACRO:
        jb_puts(b, "<Macro ");
        repr_str(b, v->m.node->macro.name, strlen(v->m.node->macro.name));
        return jb_putc(b, '>');
    case JV_FUNC: return jb_puts(b, "<function>");
    case JV_METHOD:
        jb_puts(b, "<built-in method ");
        jb_puts(b, v->meth.name);
        return jb_putc(b, '>');
    case JV_LOOP:
        return jb_printf(b, "<LoopContext %zu/%zu>", v->loop->i + 1, v->loop->n);
    }
    return true;
}

jv *jv_stringify(jctx *c, jv *v) {
    if (v->t == JV_STR) return v;
    jbuf b;
    jb_init(&b, c->a);
    if (!jv_to_str(c, &b, v)) return c->st ? NULL : jfail(c, NURI_ERR_NOMEM, "out of memory");
    if (b.failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    return jv_str_nocopy(c, b.p ? b.p : "", b.n);
}

jv *jpy_html_escape(jctx *c, jv *s) {
    if (s->t == JV_STR && s->s.markup) return s;
    s = jv_stringify(c, s);
    if (!s) return NULL;
    jbuf b;
    jb_init(&b, c->a);
    for (size_t i = 0; i < s->s.n; i++) {
        char ch = s->s.p[i];
        switch (ch) {
        case '&': jb_puts(&b, "&amp;"); break;
        case '<': jb_puts(&b, "&lt;"); break;
        case '>': jb_puts(&b, "&gt;"); break;
        case '\'': jb_puts(&b, "&#39;"); break;
        case '"': jb_puts(&b, "&#34;"); break;
        default: jb_putc(&b, ch);
        }
    }
    if (b.failed) return jfail(c, NURI_ERR_NOMEM, "template needs more memory than allowed");
    jv *r = jv_str_nocopy(c, b.p ? b.p : "", b.n);
    if (r) r->s.markup = true;
    return r;
}
