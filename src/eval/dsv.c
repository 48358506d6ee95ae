#include "eval/dsv.h"

#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "nuri/tokenizer.h"

void dsv_free(dsv_table *t) {
    free(t->header);
    free(t->cells);
    free(t->lines);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

int dsv_col(const dsv_table *t, const char *name) {
    for (int i = 0; i < t->n_cols; i++)
        if (!strcmp(t->header[i], name)) return i;
    return -1;
}

static long line_of(const char *data, size_t off) {
    long line = 1;
    for (size_t i = 0; i < off; i++)
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= off || data[i + 1] != '\n'))) line++;
    return line;
}

typedef struct {
    char **fields;
    size_t n, cap;
} field_list;

static bool push_field(field_list *f, char *p) {
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1024;
        char **q = realloc(f->fields, cap * sizeof *q);
        if (!q) return false;
        f->fields = q;
        f->cap = cap;
    }
    f->fields[f->n++] = p;
    return true;
}

typedef struct {
    long *v;
    size_t n, cap;
} long_list;

static bool push_long(long_list *l, long x) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        long *q = realloc(l->v, cap * sizeof *q);
        if (!q) return false;
        l->v = q;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return true;
}

nuri_status dsv_parse(const char *name, const char *data, size_t len, char sep, bool quoting,
                      dsv_table *t, nuri_error *err) {
    memset(t, 0, sizeof *t);
    size_t bad;
    if (!nuri_utf8_valid(data, len, &bad))
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: invalid UTF-8", name, line_of(data, bad));
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
    /* Unquoted text is never longer than its source, plus one NUL per field. */
    char *arena = malloc(2 * len + 2);
    field_list fl = {0};
    long_list rows = {0};  /* index of each record's first field */
    long_list starts = {0}; /* line of each record */
    if (!arena) return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", name);
    char *w = arena;
    long line = 1;
    int ncols = -1;
    nuri_status st = NURI_OK;
    while (i < len) {
        /* One record. */
        if (data[i] == '\n' || data[i] == '\r') { /* empty line: skipped, as pandas does */
            if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') i++;
            i++;
            line++;
            continue;
        }
        long rec_line = line;
        size_t first = fl.n;
        for (;;) { /* one field */
            char *start = w;
            bool in_quotes = quoting && i < len && data[i] == '"';
            if (in_quotes) i++;
            while (i < len) {
                char c = data[i];
                if (in_quotes) {
                    if (c == '"') {
                        if (i + 1 < len && data[i + 1] == '"') {
                            *w++ = '"';
                            i += 2;
                        } else {
                            in_quotes = false;
                            i++;
                        }
                        continue;
                    }
                    if (c == '\n' || (c == '\r' && !(i + 1 < len && data[i + 1] == '\n'))) line++;
                    *w++ = c;
                    i++;
                    continue;
                }
                if (c == sep || c == '\n' || c == '\r') break;
                *w++ = c;
                i++;
            }
            if (in_quotes) {
                st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: a quoted field is never closed",
                               name, rec_line);
                goto fail;
            }
            *w++ = 0;
            if (!push_field(&fl, start)) goto oom;
            if (i < len && data[i] == sep) {
                i++;
                continue;
            }
            break; /* end of line or of data */
        }
        int n = (int)(fl.n - first);
        if (ncols < 0) {
            ncols = n;
        } else if (n != ncols) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: %d columns, the header has %d", name,
                           rec_line, n, ncols);
            goto fail;
        }
        if (!push_long(&rows, (long)first) || !push_long(&starts, rec_line)) goto oom;
        if (i < len) { /* the line end */
            if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') i++;
            i++;
            line++;
        }
    }
    if (ncols < 0) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s:1: no header row (the file is empty)", name);
        goto fail;
    }
    t->n_cols = ncols;
    t->n_rows = (int)rows.n - 1;
    t->header = malloc((size_t)ncols * sizeof *t->header);
    t->cells = malloc((fl.n - (size_t)ncols + 1) * sizeof *t->cells);
    t->lines = malloc(((size_t)t->n_rows + 1) * sizeof *t->lines);
    if (!t->header || !t->cells || !t->lines) goto oom;
    memcpy(t->header, fl.fields, (size_t)ncols * sizeof *t->header);
    memcpy(t->cells, fl.fields + ncols, (fl.n - (size_t)ncols) * sizeof *t->cells);
    for (int r = 0; r < t->n_rows; r++) t->lines[r] = starts.v[r + 1];
    t->arena = arena;
    free(fl.fields);
    free(rows.v);
    free(starts.v);
    return NURI_OK;
oom:
    st = nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", name);
fail:
    free(arena);
    free(fl.fields);
    free(rows.v);
    free(starts.v);
    free(t->header);
    free(t->cells);
    free(t->lines);
    memset(t, 0, sizeof *t);
    return st;
}

nuri_status dsv_read(const char *path, char sep, bool quoting, dsv_table *t, nuri_error *err) {
    char *data;
    size_t len;
    nuri_status st = nuri_read_file(path, &data, &len, err);
    if (st) return st;
    st = dsv_parse(path, data, len, sep, quoting, t, err);
    free(data);
    return st;
}
