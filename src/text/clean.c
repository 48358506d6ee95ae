/* Character-level clean-up of one document and the Hangul share. */
#include <utf8proc.h>

#include "text/normalize.h"

/* Invisible characters that carry nothing in training text. The zero-width joiners
 * (U+200C, U+200D) and variation selectors stay: emoji and some scripts need them. */
static bool dropped_format(uint32_t cp) {
    return cp == 0x00AD || cp == 0x200B || cp == 0x200E || cp == 0x200F || cp == 0x2060 ||
           cp == 0xFEFF || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0xFFFD || cp == 0xFFFC;
}

size_t text_clean_chars(const char *s, size_t n, text_buf *out) {
    size_t removed = 0, i = 0;
    bool pending_space = false, any = false;
    while (i < n) {
        size_t at = i;
        uint32_t cp = text_utf8_next(s, n, &i);
        bool space = false, drop = false;
        if (cp < 0x80) {
            if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f') space = true;
            else if (cp < 0x20 || cp == 0x7F) drop = true;
        } else {
            utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
            if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP || cp == 0x85)
                space = true;
            else if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS ||
                     dropped_format(cp))
                drop = true;
        }
        if (drop) {
            removed++;
            continue;
        }
        if (space) {
            if (cp != ' ') removed++;
            pending_space = any;
            continue;
        }
        if (pending_space) text_buf_addc(out, ' ');
        pending_space = false;
        any = true;
        text_buf_add(out, s + at, i - at);
    }
    return removed;
}

nuri_status text_clean(const char *s, size_t n, text_buf *out, uint64_t *changed, nuri_error *err) {
    text_buf a = {0}, b = {0};
    size_t k = text_strip_markup(s, n, &a);
    nuri_status st = a.oom ? nuri_fail(err, NURI_ERR_NOMEM, "out of memory") : NURI_OK;
    if (!st) st = text_nfc(a.p ? a.p : "", a.n, &b, err);
    if (!st) {
        k += text_clean_chars(b.p ? b.p : "", b.n, out);
        if (out->oom) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    text_buf_free(&a);
    text_buf_free(&b);
    if (changed) *changed += k;
    return st;
}

void text_hangul_share(const char *s, size_t n, size_t *hangul, size_t *letters) {
    size_t h = 0, l = 0, i = 0;
    while (i < n) {
        if ((uint8_t)s[i] < 0x80) {
            char c = s[i++];
            l += (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
            continue;
        }
        uint32_t cp = text_utf8_next(s, n, &i);
        if ((cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
            (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF)) {
            h++;
            l++;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) l++;
    }
    *hangul = h;
    *letters = l;
}
