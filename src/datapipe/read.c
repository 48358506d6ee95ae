/* Source text to raw documents: the line-based formats and the dispatcher. Documents are
 * handed out raw; cleaning comes after. Documents never contain a line break (the
 * outputs hold one document a line), so the lines of one document are joined. */
#include <stdio.h>

#include "datapipe/internal.h"

/* The next line of text at *pos without its line break (LF or CRLF). */
static bool next_line(const char *s, size_t n, size_t *pos, const char **line, size_t *len) {
    if (*pos >= n) return false;
    const char *start = s + *pos;
    const char *nl = memchr(start, '\n', n - *pos);
    size_t l = nl ? (size_t)(nl - start) : n - *pos;
    *pos += l + (nl ? 1 : 0);
    if (l && start[l - 1] == '\r') l--;
    *line = start;
    *len = l;
    return true;
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v') return false;
    return true;
}

static void flush(text_buf *b, dp_emit_fn emit, void *user, bool *stop) {
    if (b->n && !*stop && emit(user, b->p, b->n)) *stop = true;
    b->n = 0;
}

void dp_read_lines(const char *text, size_t n, bool paragraphs, dp_emit_fn emit, void *user, bool *stop,
                   text_buf *b) {
    size_t pos = 0, len;
    const char *line;
    b->n = 0;
    while (!*stop && next_line(text, n, &pos, &line, &len)) {
        if (blank(line, len)) {
            flush(b, emit, user, stop);
            continue;
        }
        if (!paragraphs) {
            if (emit(user, line, len)) *stop = true;
            continue;
        }
        if (b->n) text_buf_addc(b, ' ');
        text_buf_add(b, line, len);
    }
    flush(b, emit, user, stop);
}

/* "- 3 -", the page numbers of documents converted from print */
static bool page_mark(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && s[i] == ' ') i++;
    if (i >= n || s[i] != '-') return false;
    i++;
    while (i < n && s[i] == ' ') i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return false;
    while (i < n && s[i] == ' ') i++;
    if (i >= n || s[i] != '-') return false;
    i++;
    while (i < n && s[i] == ' ') i++;
    return i == n;
}

void dp_read_wrapped(const char *text, size_t n, dp_emit_fn emit, void *user, bool *stop, text_buf *b) {
    size_t pos = 0, len;
    const char *line;
    b->n = 0;
    while (next_line(text, n, &pos, &line, &len)) {
        if (blank(line, len) || page_mark(line, len)) continue;
        /* an indented line opens a paragraph, and a line ending a sentence ends a word:
         * keep a word break there (elsewhere a wrap may split a word: "자\n녀") */
        char last = b->n ? b->p[b->n - 1] : ' ';
        bool sentence_end = last == '.' || last == '?' || last == '!' || last == ':' || last == ';';
        if (b->n && (line[0] == ' ' || line[0] == '\t' || sentence_end)) text_buf_addc(b, ' ');
        text_buf_add(b, line, len);
    }
    flush(b, emit, user, stop);
}

nuri_status dp_read(nuri_data_format fmt, const char *path, const char *text, size_t n,
                    const char *csv_columns, dp_emit_fn emit, void *user, nuri_error *err) {
    text_buf b = {0};
    bool stop = false;
    nuri_status st = NURI_OK;
    switch (fmt) {
    case NURI_DATA_AUTO:
    case NURI_DATA_LINES: dp_read_lines(text, n, false, emit, user, &stop, &b); break;
    case NURI_DATA_PARAGRAPHS: dp_read_lines(text, n, true, emit, user, &stop, &b); break;
    case NURI_DATA_WRAPPED: dp_read_wrapped(text, n, emit, user, &stop, &b); break;
    case NURI_DATA_MARKDOWN: dp_read_markdown(text, n, emit, user, &stop, &b); break;
    case NURI_DATA_CSV:
    case NURI_DATA_TSV:
        st = dp_read_table(path, text, n, fmt == NURI_DATA_TSV, csv_columns, emit, user, &stop, err);
        break;
    }
    if (!st && b.oom) st = nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    text_buf_free(&b);
    return st;
}
