/* CSV (RFC 4180: quoted fields with "" escapes and embedded line breaks) and TSV (no
 * quoting) records, one at a time. CRLF and LF both end a record. */
#ifndef NURI_TEXT_CSV_H
#define NURI_TEXT_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "text/buf.h"

typedef struct {
    text_buf text;   /* the fields' bytes, each followed by a NUL */
    size_t *off;     /* field i starts at text.p + off[i] */
    size_t *len;
    size_t n, cap;
    bool oom;
} text_csv_row;

typedef enum { TEXT_CSV_ROW, TEXT_CSV_END, TEXT_CSV_BAD_QUOTE, TEXT_CSV_NOMEM } text_csv_result;

/* Reads the record at s[*pos] into row (replacing its contents) and advances *pos.
 * quoting false: TSV, where '"' is an ordinary character. */
text_csv_result text_csv_next(const char *s, size_t n, size_t *pos, char sep, bool quoting,
                              text_csv_row *row);
void text_csv_row_free(text_csv_row *row);

#endif
