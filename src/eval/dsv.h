/* Delimited text (TSV / CSV) read the way pandas.read_csv reads it with its defaults,
 * because the Hugging Face copies of KoBEST and KMMLU that lm-evaluation-harness uses
 * were made that way: a field that starts with a double quote is quoted ("" inside is one
 * quote, and it may span lines; characters after the closing quote are kept), quotes
 * elsewhere are literal, CRLF / LF / CR all end a record, empty lines are skipped, a
 * UTF-8 byte-order mark is dropped. Unlike pandas, a record whose field count differs
 * from the header's is an error, never padded or dropped. */
#ifndef NURI_EVAL_DSV_H
#define NURI_EVAL_DSV_H

#include <stdbool.h>

#include "nuri/base.h"

typedef struct {
    int n_cols, n_rows;
    char **header;  /* n_cols names */
    char **cells;   /* n_rows x n_cols, row-major, NUL-terminated */
    long *lines;    /* the 1-based line each row starts on */
    char *arena;
} dsv_table;

/* sep: '\t' or ','. quoting false reads every quote as a literal character (for files
 * written without CSV quoting). Errors are "PATH:LINE: problem". */
nuri_status dsv_read(const char *path, char sep, bool quoting, dsv_table *t, nuri_error *err);
nuri_status dsv_parse(const char *name, const char *data, size_t len, char sep, bool quoting,
                      dsv_table *t, nuri_error *err);
void dsv_free(dsv_table *t);
/* The index of the column with this header name, or -1. */
int dsv_col(const dsv_table *t, const char *name);

static inline const char *dsv_cell(const dsv_table *t, int row, int col) {
    return t->cells[(long)row * t->n_cols + col];
}

#endif
