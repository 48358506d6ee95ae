/* CSV and TSV sources: one document per record, from the chosen columns joined by a
 * space. Without a column list, every cell that is not a plain number or a URL counts:
 * labels, ids and links are not text. */
#include <stdlib.h>

#include "datapipe/internal.h"
#include "text/csv.h"

static bool numeric_or_url(const char *s, size_t n) {
    if (n >= 7 && (!memcmp(s, "http://", 7) || (n >= 8 && !memcmp(s, "https://", 8)))) return true;
    if (!n) return true;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == ' ')) return false;
    return true;
}

/* Marks in want[] the header columns named in the comma-separated list. */
static size_t pick_columns(const text_csv_row *hdr, const char *list, bool *want) {
    size_t found = 0;
    for (size_t c = 0; c < hdr->n; c++) {
        const char *name = hdr->text.p + hdr->off[c];
        size_t nl = hdr->len[c];
        want[c] = false;
        for (const char *p = list; *p;) {
            const char *e = strchr(p, ',');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l == nl && !memcmp(p, name, l)) want[c] = true;
            p += l + (e ? 1 : 0);
        }
        found += want[c];
    }
    return found;
}

nuri_status dp_read_table(const char *path, const char *text, size_t n, bool tsv, const char *columns,
                          dp_emit_fn emit, void *user, bool *stop, nuri_error *err) {
    text_csv_row row = {0}, hdr = {0};
    text_buf doc = {0};
    bool *want = NULL;
    size_t pos = 0, record = 0;
    char sep = tsv ? '\t' : ',';
    nuri_status st = NURI_OK;
    text_csv_result r = text_csv_next(text, n, &pos, sep, !tsv, &hdr);
    if (r != TEXT_CSV_ROW) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: no header row", path);
        goto done;
    }
    want = calloc(hdr.n, sizeof *want);
    if (!want) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (columns) {
        if (!pick_columns(&hdr, columns, want)) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s: the header has none of the columns %s", path, columns);
            goto done;
        }
    } else {
        for (size_t c = 0; c < hdr.n; c++) want[c] = true;
    }
    while (!*stop) {
        r = text_csv_next(text, n, &pos, sep, !tsv, &row);
        if (r == TEXT_CSV_END) break;
        record++;
        if (r == TEXT_CSV_BAD_QUOTE) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s: record %zu has an unterminated quoted field", path, record);
            goto done;
        }
        if (r == TEXT_CSV_NOMEM) {
            st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            goto done;
        }
        doc.n = 0;
        for (size_t c = 0; c < row.n && c < hdr.n; c++) {
            const char *cell = row.text.p + row.off[c];
            size_t len = row.len[c];
            if (!want[c] || (!columns && numeric_or_url(cell, len)) || !len) continue;
            if (doc.n) text_buf_addc(&doc, ' ');
            text_buf_add(&doc, cell, len);
        }
        if (doc.oom) {
            st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (doc.n && emit(user, doc.p, doc.n)) *stop = true;
    }
done:
    free(want);
    text_buf_free(&doc);
    text_csv_row_free(&row);
    text_csv_row_free(&hdr);
    return st;
}
