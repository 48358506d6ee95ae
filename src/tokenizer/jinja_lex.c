/* Template source to tokens, following Jinja2's lexer with trim_blocks=True and
 * lstrip_blocks=True:
 * - newlines are normalized to \n and one trailing newline is dropped;
 * - `{%-`/`{{-`/`{#-` strip all whitespace before the tag, `-%}`/`-}}`/`-#}` after it;
 * - lstrip_blocks: spaces and tabs between a line start and `{%`/`{#` are removed
 *   (not before `{{`, not with `{%+`);
 * - trim_blocks: one newline right after `%}`/`#}` is removed (not after `+%}`);
 * - `{% raw %}...{% endraw %}` is data.
 * "Whitespace" is Python's \s, i.e. str.isspace(), as in Jinja2's regular expressions. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/jinja.h"

typedef struct {
    jarena *a;
    const char *s;
    size_t n;
    size_t line_pos; /* newlines are counted up to here */
    int line;
    bool line_starting;
    jtok *v;
    size_t nt, cap;
    nuri_error *err;
} lexer;

static int line_at(lexer *lx, size_t pos) {
    for (; lx->line_pos < pos && lx->line_pos < lx->n; lx->line_pos++)
        if (lx->s[lx->line_pos] == '\n') lx->line++;
    return lx->line;
}

static nuri_status lex_fail(lexer *lx, size_t pos, const char *msg) {
    return nuri_fail(lx->err, NURI_ERR_FORMAT, "template line %d: %s", line_at(lx, pos), msg);
}

static jtok *push(lexer *lx, jtok_type t, size_t pos) {
    if (lx->nt == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 256;
        jtok *v = ja_alloc(lx->a, cap * sizeof *v);
        if (!v) return NULL;
        if (lx->nt) memcpy(v, lx->v, lx->nt * sizeof *v);
        lx->v = v;
        lx->cap = cap;
    }
    jtok *t_ = &lx->v[lx->nt++];
    t_->t = t;
    t_->line = line_at(lx, pos);
    return t_;
}

/* Byte length of the whitespace code point at i, or 0. */
static size_t ws_at(const char *s, size_t n, size_t i) {
    if (i >= n) return 0;
    size_t j = i;
    uint32_t cp = jutf8_next(s, n, &j);
    return jpy_isspace(cp) ? j - i : 0;
}

static size_t skip_ws(const char *s, size_t n, size_t i) {
    size_t k;
    while ((k = ws_at(s, n, i)) > 0) i += k;
    return i;
}

/* Length of s[0:n] without trailing whitespace (str.rstrip()). */
static size_t rstrip_len(const char *s, size_t n) {
    size_t i = 0, keep = 0;
    while (i < n) {
        uint32_t cp = jutf8_next(s, n, &i);
        if (!jpy_isspace(cp)) keep = i;
    }
    return keep;
}

/* Whitespace control for the data before a tag; returns the kept length. */
static size_t strip_before(lexer *lx, const char *text, size_t len, char sign, bool is_var) {
    if (sign == '-') return rstrip_len(text, len);
    if (sign == '+' || is_var) return len;
    size_t l_pos = 0;
    for (size_t i = len; i > 0; i--)
        if (text[i - 1] == '\n') {
            l_pos = i;
            break;
        }
    if ((l_pos > 0 || lx->line_starting) && l_pos < len && skip_ws(text, len, l_pos) == len) return l_pos;
    return len;
}

static nuri_status emit_data(lexer *lx, size_t pos, const char *p, size_t n) {
    if (n == 0) return NURI_OK;
    jtok *t = push(lx, T_DATA, pos);
    if (!t) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
    t->s = p;
    t->n = n;
    return NURI_OK;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A string literal's body, decoded the way Jinja2 does it:
 * value.encode("ascii", "backslashreplace").decode("unicode-escape"). */
static nuri_status decode_string(lexer *lx, size_t pos, const char *p, size_t n, jtok *t) {
    jbuf b;
    jb_init(&b, lx->a);
    size_t i = 0;
    while (i < n) {
        if (p[i] != '\\') {
            jb_putc(&b, p[i++]);
            continue;
        }
        i++; /* the lexer guarantees a character after every backslash */
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80) {
            /* backslashreplace turned the character into \xhh / \uhhhh / \Uhhhhhhhh, and
             * this backslash escapes that one's backslash */
            uint32_t cp = jutf8_next(p, n, &i);
            jb_putc(&b, '\\');
            if (cp < 0x100)
                jb_printf(&b, "x%02x", (unsigned)cp);
            else if (cp < 0x10000)
                jb_printf(&b, "u%04x", (unsigned)cp);
            else
                jb_printf(&b, "U%08x", (unsigned)cp);
            continue;
        }
        i++;
        uint32_t cp;
        switch (c) {
        case '\n': continue;
        case '\\': jb_putc(&b, '\\'); continue;
        case '\'': jb_putc(&b, '\''); continue;
        case '"': jb_putc(&b, '"'); continue;
        case 'a': jb_putc(&b, '\a'); continue;
        case 'b': jb_putc(&b, '\b'); continue;
        case 'f': jb_putc(&b, '\f'); continue;
        case 'n': jb_putc(&b, '\n'); continue;
        case 'r': jb_putc(&b, '\r'); continue;
        case 't': jb_putc(&b, '\t'); continue;
        case 'v': jb_putc(&b, '\v'); continue;
        case 'x':
        case 'u':
        case 'U': {
            int want = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            cp = 0;
            for (int k = 0; k < want; k++) {
                int h = i < n ? hexval(p[i]) : -1;
                if (h < 0) return lex_fail(lx, pos, "truncated escape in string literal");
                cp = cp * 16 + (uint32_t)h;
                i++;
            }
            break;
        }
        case 'N':
            return nuri_fail(lx->err, NURI_ERR_UNSUPPORTED,
                             "template line %d: \\N{...} escapes are not supported", line_at(lx, pos));
        default:
            if (c >= '0' && c <= '7') {
                cp = c - '0';
                for (int k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++) cp = cp * 8 + (uint32_t)(p[i++] - '0');
                break;
            }
            jb_putc(&b, '\\');
            jb_putc(&b, (char)c);
            continue;
        }
        if (cp > 0x10FFFF) return lex_fail(lx, pos, "illegal Unicode character in string literal");
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return nuri_fail(lx->err, NURI_ERR_UNSUPPORTED,
                             "template line %d: surrogate code points in string literals are not supported",
                             line_at(lx, pos));
        jb_put_cp(&b, cp);
    }
    if (b.failed) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
    t->s = b.p ? b.p : "";
    t->n = b.n;
    return NURI_OK;
}

static const char *const ops[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
                                  "]",  "(",  ")",  "{",  "}",  "=",  ">", "<", ".", ":", "|", ",", ";"};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Digits with single underscores between them: (\d+_)*\d+ . Returns the end. */
static size_t scan_digits(const char *s, size_t n, size_t i) {
    size_t j = i;
    while (j < n && is_digit(s[j])) {
        j++;
        if (j + 1 < n && s[j] == '_' && is_digit(s[j + 1])) j++;
    }
    return j;
}

static nuri_status lex_number(lexer *lx, size_t *pp) {
    const char *s = lx->s;
    size_t n = lx->n, i = *pp;
    size_t end = scan_digits(s, n, i);
    bool is_float = false;
    if (i == 0 || s[i - 1] != '.') {
        size_t j = end;
        if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
            j = scan_digits(s, n, j + 1);
            is_float = true;
        }
        if (j < n && (s[j] == 'e' || s[j] == 'E')) {
            size_t k = j + 1;
            if (k < n && (s[k] == '+' || s[k] == '-')) k++;
            if (k < n && is_digit(s[k])) {
                j = scan_digits(s, n, k);
                is_float = true;
            }
        }
        if (is_float) end = j;
    }
    char buf[128];
    size_t bn = 0;
    jtok *t = push(lx, is_float ? T_FLOAT : T_INT, i);
    if (!t) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
    if (!is_float && s[i] == '0' && end > i + 1 && i + 1 < n) {
        /* "0" followed by more digits: Jinja2 reads only zeros here */
        end = i + 1;
        while (end + 1 < n && s[end] == '_' && s[end + 1] == '0') end += 2;
        while (end < n && s[end] == '0') end++;
    }
    if (!is_float && s[i] == '0' && i + 2 < n && strchr("xXoObB", s[i + 1]) && s[i + 1] != 0) {
        int base = (s[i + 1] | 0x20) == 'x' ? 16 : (s[i + 1] | 0x20) == 'o' ? 8 : 2;
        size_t j = i + 2;
        uint64_t v = 0;
        size_t nd = 0;
        while (j < n) {
            if (s[j] == '_' && j + 1 < n && hexval(s[j + 1]) >= 0 && hexval(s[j + 1]) < base) j++;
            int h = hexval(s[j]);
            if (h < 0 || h >= base) break;
            if (v > (uint64_t)INT64_MAX / (uint64_t)base) return lex_fail(lx, i, "integer literal too large");
            v = v * (uint64_t)base + (uint64_t)h;
            nd++;
            j++;
        }
        if (nd > 0) {
            if (v > INT64_MAX) return lex_fail(lx, i, "integer literal too large");
            t->i = (int64_t)v;
            *pp = j;
            return NURI_OK;
        }
    }
    for (size_t k = i; k < end; k++)
        if (s[k] != '_') {
            if (bn + 1 >= sizeof buf) return lex_fail(lx, i, "number literal too long");
            buf[bn++] = s[k];
        }
    buf[bn] = 0;
    if (is_float) {
        t->f = strtod(buf, NULL);
    } else {
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno) return nuri_fail(lx->err, NURI_ERR_UNSUPPORTED,
                                    "template line %d: integer literal too large", line_at(lx, i));
        t->i = v;
    }
    *pp = end;
    return NURI_OK;
}

/* The inside of {{ }} or {% %} from pos to its end tag. */
static nuri_status lex_tag(lexer *lx, size_t *pp, bool is_var) {
    const char *s = lx->s;
    size_t n = lx->n, p = *pp;
    int balance = 0;
    char stack[256];
    for (;;) {
        if (p >= n) return lex_fail(lx, p, is_var ? "unexpected end of template, expected '}}'" : "unexpected end of template, expected '%}'");
        if (balance == 0) {
            size_t start = p;
            bool end = false;
            if (!is_var && s[p] == '+' && p + 2 < n && s[p + 1] == '%' && s[p + 2] == '}') {
                p += 3;
                end = true;
            } else if (s[p] == '-' && p + 2 < n && s[p + 1] == (is_var ? '}' : '%') && s[p + 2] == '}') {
                p = skip_ws(s, n, p + 3);
                end = true;
            } else if (p + 1 < n && s[p] == (is_var ? '}' : '%') && s[p + 1] == '}') {
                p += 2;
                if (!is_var && p < n && s[p] == '\n') p++;
                end = true;
            }
            if (end) {
                if (!push(lx, is_var ? T_VAR_END : T_BLOCK_END, start)) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
                lx->line_starting = s[p - 1] == '\n';
                *pp = p;
                return NURI_OK;
            }
        }
        size_t w = ws_at(s, n, p);
        if (w) {
            p += w;
            continue;
        }
        char c = s[p];
        if (is_digit(c)) {
            nuri_status st = lex_number(lx, &p);
            if (st) return st;
            continue;
        }
        if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t j = p + 1;
            while (j < n && (s[j] == '_' || isalnum((unsigned char)s[j]))) j++;
            jtok *t = push(lx, T_NAME, p);
            if (!t || !(t->s = ja_strndup(lx->a, s + p, j - p))) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
            t->n = j - p;
            p = j;
            continue;
        }
        if (c == '\'' || c == '"') {
            size_t j = p + 1;
            while (j < n && s[j] != c) j += s[j] == '\\' ? 2 : 1;
            if (j >= n) return lex_fail(lx, p, "unterminated string literal");
            jtok *t = push(lx, T_STRING, p);
            if (!t) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
            nuri_status st = decode_string(lx, p, s + p + 1, j - p - 1, t);
            if (st) return st;
            p = j + 1;
            continue;
        }
        const char *op = NULL;
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            size_t ol = strlen(ops[k]);
            if (p + ol <= n && !memcmp(s + p, ops[k], ol)) {
                op = ops[k];
                break;
            }
        }
        if (!op) {
            char msg[64];
            if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7F)
                snprintf(msg, sizeof msg, "unexpected char '%c'", c);
            else
                snprintf(msg, sizeof msg, "unexpected byte 0x%02x", (unsigned char)c);
            return lex_fail(lx, p, msg);
        }
        if (strchr("([{", op[0]) && op[1] == 0) {
            if (balance == (int)sizeof stack)
                return nuri_fail(lx->err, NURI_ERR_UNSUPPORTED, "template line %d: brackets nested too deeply",
                                 line_at(lx, p));
            stack[balance++] = op[0] == '(' ? ')' : op[0] == '[' ? ']' : '}';
        } else if (strchr(")]}", op[0]) && op[1] == 0) {
            if (balance == 0) return lex_fail(lx, p, "unexpected closing bracket");
            if (stack[--balance] != op[0]) return lex_fail(lx, p, "mismatched closing bracket");
        }
        jtok *t = push(lx, T_OP, p);
        if (!t) return nuri_fail(lx->err, NURI_ERR_NOMEM, "template too large");
        t->s = op;
        t->n = strlen(op);
        p += t->n;
    }
}

/* `{%[-+]? raw %}` at i (the '{'); returns the end of the tag or 0. */
static size_t match_raw_begin(const char *s, size_t n, size_t i) {
    size_t p = i + 2;
    if (p < n && (s[p] == '-' || s[p] == '+')) p++;
    p = skip_ws(s, n, p);
    if (p + 3 > n || memcmp(s + p, "raw", 3)) return 0;
    p = skip_ws(s, n, p + 3);
    if (p + 3 <= n && !memcmp(s + p, "-%}", 3)) return skip_ws(s, n, p + 3);
    if (p + 2 <= n && !memcmp(s + p, "%}", 2)) return p + 2;
    return 0;
}

/* `{%[-+]? endraw [-+]?%}` at i; returns the end (after trim) or 0, and the sign. */
static size_t match_raw_end(const char *s, size_t n, size_t i, char *sign) {
    if (i + 2 > n || s[i] != '{' || s[i + 1] != '%') return 0;
    size_t p = i + 2;
    *sign = 0;
    if (p < n && (s[p] == '-' || s[p] == '+')) *sign = s[p++];
    p = skip_ws(s, n, p);
    if (p + 6 > n || memcmp(s + p, "endraw", 6)) return 0;
    p = skip_ws(s, n, p + 6);
    if (p + 3 <= n && !memcmp(s + p, "+%}", 3)) return p + 3;
    if (p + 3 <= n && !memcmp(s + p, "-%}", 3)) return skip_ws(s, n, p + 3);
    if (p + 2 <= n && !memcmp(s + p, "%}", 2)) return p + 2 + (p + 2 < n && s[p + 2] == '\n');
    return 0;
}

nuri_status jinja_lex(jarena *a, const char *src, size_t len, jtoks *out, nuri_error *err) {
    char *s = ja_alloc(a, len + 1);
    if (!s) return nuri_fail(err, NURI_ERR_NOMEM, "template too large");
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\r') {
            s[n++] = '\n';
            if (i + 1 < len && src[i + 1] == '\n') i++;
        } else {
            s[n++] = src[i];
        }
    }
    if (n > 0 && s[n - 1] == '\n') n--; /* keep_trailing_newline=False */
    s[n] = 0;
    lexer lx = {.a = a, .s = s, .n = n, .line = 1, .line_starting = true, .err = err};
    size_t pos = 0;
    nuri_status st;
    while (pos < n) {
        size_t i = pos;
        while (i + 1 < n && !(s[i] == '{' && (s[i + 1] == '{' || s[i + 1] == '%' || s[i + 1] == '#'))) i++;
        if (i + 1 >= n) {
            if ((st = emit_data(&lx, pos, s + pos, n - pos))) return st;
            break;
        }
        char kind = s[i + 1];
        size_t j = i + 2;
        char sign = 0;
        if (j < n && (s[j] == '-' || s[j] == '+')) sign = s[j++];
        size_t raw_end = kind == '%' ? match_raw_begin(s, n, i) : 0;
        size_t keep = strip_before(&lx, s + pos, i - pos, sign, kind == '{');
        if ((st = emit_data(&lx, pos, s + pos, keep))) return st;
        if (raw_end) {
            lx.line_starting = s[raw_end - 1] == '\n';
            size_t q = raw_end, e = 0;
            char esign = 0;
            for (; q < n; q++)
                if ((e = match_raw_end(s, n, q, &esign)) != 0) break;
            if (!e) return lex_fail(&lx, i, "missing end of raw directive");
            keep = strip_before(&lx, s + raw_end, q - raw_end, esign, false);
            if ((st = emit_data(&lx, raw_end, s + raw_end, keep))) return st;
            lx.line_starting = s[e - 1] == '\n';
            pos = e;
            continue;
        }
        if (kind == '#') {
            size_t q = j, e = 0;
            for (; q < n; q++) {
                if (s[q] == '+' && q + 2 < n && s[q + 1] == '#' && s[q + 2] == '}') {
                    e = q + 3;
                    break;
                }
                if (s[q] == '-' && q + 2 < n && s[q + 1] == '#' && s[q + 2] == '}') {
                    e = skip_ws(s, n, q + 3);
                    break;
                }
                if (s[q] == '#' && q + 1 < n && s[q + 1] == '}') {
                    e = q + 2;
                    if (e < n && s[e] == '\n') e++;
                    break;
                }
            }
            if (!e) return lex_fail(&lx, i, "missing end of comment tag");
            lx.line_starting = s[e - 1] == '\n';
            pos = e;
            continue;
        }
        if (!push(&lx, kind == '{' ? T_VAR_BEGIN : T_BLOCK_BEGIN, i)) return nuri_fail(err, NURI_ERR_NOMEM, "template too large");
        pos = j;
        if ((st = lex_tag(&lx, &pos, kind == '{'))) return st;
    }
    if (!push(&lx, T_EOF, n)) return nuri_fail(err, NURI_ERR_NOMEM, "template too large");
    out->v = lx.v;
    out->n = lx.nt;
    return NURI_OK;
}
