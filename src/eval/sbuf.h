/* A growable byte buffer with the few writers eval needs: JSON strings and numbers (the
 * shortest text that reads back as the same double, as Python's json writes), and HTML
 * escaping. An allocation failure sticks (oom) and is reported once at the end. */
#ifndef NURI_EVAL_SBUF_H
#define NURI_EVAL_SBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t len, cap;
    bool oom;
} sbuf;

void sb_free(sbuf *b);
void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A JSON string literal (quotes included); UTF-8 is kept, control characters escaped. */
void sb_json_str(sbuf *b, const char *s, size_t n);
/* A JSON number: the shortest %.Ng that parses back to x; non-finite values as the
 * strings "NaN" / "Infinity" / "-Infinity" would not be JSON, so they become null. */
void sb_json_num(sbuf *b, double x);
/* Text with & < > " ' escaped for HTML. */
void sb_html(sbuf *b, const char *s, size_t n);
/* NUL-terminates and returns the data (never NULL unless oom). */
const char *sb_cstr(sbuf *b);

#endif
