/* The rules toxicity detector measured on the three labeled Korean hate-speech sets, so
 * the passport can say how far to trust "toxic output" rates. */
#include <stdio.h>
#include <string.h>

#include "eval/dsv.h"
#include "nuri/audit.h"

typedef bool (*label_fn)(const char *cell);

static bool kocohub_toxic(const char *c) { return !strcmp(c, "hate") || !strcmp(c, "offensive"); }
/* K-MHaS: a comma-separated set of 0-8 where 8 alone means "not hateful". */
static bool kmhas_toxic(const char *c) { return strcmp(c, "8") != 0; }
static bool apeach_toxic(const char *c) { return !strcmp(c, "Spoiled"); }

static nuri_status measure(const char *path, const char *text_col, const char *label_col, label_fn toxic,
                           bool quoting, nuri_tox_counts *out, nuri_error *err) {
    dsv_table t;
    nuri_status st = dsv_read(path, '\t', quoting, &t, err);
    if (st) return st;
    int ct = dsv_col(&t, text_col), cl = dsv_col(&t, label_col);
    if (ct < 0 || cl < 0) {
        dsv_free(&t);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: no column '%s' or '%s'", path, text_col, label_col);
    }
    for (int r = 0; r < t.n_rows; r++) {
        bool gold = toxic(dsv_cell(&t, r, cl)), pred = nuri_detect_toxic(dsv_cell(&t, r, ct)) > 0;
        if (gold && pred) out->tp++;
        else if (!gold && pred) out->fp++;
        else if (gold) out->fn++;
        else out->tn++;
    }
    dsv_free(&t);
    return NURI_OK;
}

nuri_status nuri_audit_toxicity_measure(const char *data_dir, nuri_tox_counts out[3], nuri_error *err) {
    static const char *const names[3] = {"kocohub_dev", "kmhas_test", "apeach"};
    char path[4096];
    memset(out, 0, 3 * sizeof *out);
    for (int i = 0; i < 3; i++) out[i].name = names[i];
    snprintf(path, sizeof path, "%s/hate-speech/kocohub_dev.tsv", data_dir);
    nuri_status st = measure(path, "comments", "hate", kocohub_toxic, true, &out[0], err);
    if (st) return st;
    /* K-MHaS quotes only some fields and leaves stray quotes elsewhere: read quotes as text. */
    snprintf(path, sizeof path, "%s/hate-speech/kmhas_test.txt", data_dir);
    if ((st = measure(path, "document", "label", kmhas_toxic, false, &out[1], err))) return st;
    snprintf(path, sizeof path, "%s/hate-speech/apeach.tsv", data_dir);
    return measure(path, "text", "class", apeach_toxic, true, &out[2], err);
}
