#include "text/csv.h"

#include <stdlib.h>

static bool add_field(text_csv_row *r, size_t start) {
    if (r->n == r->cap) {
        size_t c = r->cap ? r->cap * 2 : 16;
        size_t *o = realloc(r->off, c * sizeof *o);
        if (!o) return false;
        r->off = o;
        size_t *l = realloc(r->len, c * sizeof *l);
        if (!l) return false;
        r->len = l;
        r->cap = c;
    }
    r->off[r->n] = start;
    r->len[r->n] = r->text.n - start;
    r->n++;
    text_buf_addc(&r->text, 0);
    return !r->text.oom;
}

text_csv_result text_csv_next(const char *s, size_t n, size_t *pos, char sep, bool quoting,
                              text_csv_row *row) {
    size_t i = *pos;
    row->n = 0;
    row->text.n = 0;
    if (i >= n) return TEXT_CSV_END;
    size_t start = 0;
    bool quoted = false, was_quoted = false;
    for (;;) {
        if (i >= n) {
            if (quoted) return TEXT_CSV_BAD_QUOTE;
            if (!add_field(row, start)) return TEXT_CSV_NOMEM;
            break;
        }
        char c = s[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < n && s[i + 1] == '"') {
                    text_buf_addc(&row->text, '"');
                    i += 2;
                    continue;
                }
                quoted = false;
                i++;
                continue;
            }
            text_buf_addc(&row->text, c);
            i++;
            continue;
        }
        if (c == sep) {
            if (!add_field(row, start)) return TEXT_CSV_NOMEM;
            start = row->text.n;
            was_quoted = false;
            i++;
            continue;
        }
        if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
            if (!add_field(row, start)) return TEXT_CSV_NOMEM;
            i += c == '\r' ? 2 : 1;
            break;
        }
        /* a quote opens quoting only at the start of a field */
        if (quoting && c == '"' && row->text.n == start && !was_quoted) {
            quoted = was_quoted = true;
            i++;
            continue;
        }
        text_buf_addc(&row->text, c);
        i++;
    }
    *pos = i;
    return row->text.oom ? TEXT_CSV_NOMEM : TEXT_CSV_ROW;
}

void text_csv_row_free(text_csv_row *row) {
    text_buf_free(&row->text);
    free(row->off);
    free(row->len);
    row->off = row->len = NULL;
    row->n = row->cap = 0;
}
