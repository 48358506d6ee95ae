/* The TSV/CSV reader against pandas.read_csv (tests/data/eval/dsv_cases.json, made by
 * scripts/ref_eval_cases.py), and its errors: wrong column counts, unclosed quotes and
 * invalid UTF-8 name the line. */
#include <cjson/cJSON.h>

#include "eval/dsv.h"
#include "test.h"

static void check_case(const cJSON *c) {
    const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
    const char *sep = cJSON_GetObjectItem(c, "sep")->valuestring;
    const char *in = cJSON_GetObjectItem(c, "input")->valuestring;
    const cJSON *hdr = cJSON_GetObjectItem(c, "header"), *rows = cJSON_GetObjectItem(c, "rows");
    dsv_table t;
    nuri_error err;
    CHECK_OK(dsv_parse(name, in, strlen(in), sep[0], true, &t, &err), &err);
    CHECKF(t.n_cols == cJSON_GetArraySize(hdr), "%s: %d columns", name, t.n_cols);
    CHECKF(t.n_rows == cJSON_GetArraySize(rows), "%s: %d rows, pandas %d", name, t.n_rows, cJSON_GetArraySize(rows));
    for (int i = 0; i < t.n_cols && i < cJSON_GetArraySize(hdr); i++)
        CHECKF(!strcmp(t.header[i], cJSON_GetArrayItem(hdr, i)->valuestring), "%s: header %d '%s'", name, i, t.header[i]);
    for (int r = 0; r < t.n_rows && r < cJSON_GetArraySize(rows); r++) {
        const cJSON *row = cJSON_GetArrayItem(rows, r);
        for (int k = 0; k < t.n_cols && k < cJSON_GetArraySize(row); k++) {
            const char *want = cJSON_GetArrayItem(row, k)->valuestring;
            CHECKF(!strcmp(dsv_cell(&t, r, k), want), "%s: row %d col %d '%s', pandas '%s'", name, r, k,
                   dsv_cell(&t, r, k), want);
        }
    }
    dsv_free(&t);
}

static void expect_error(const char *data, bool quoting, const char *want) {
    dsv_table t;
    nuri_error err = {0};
    nuri_status st = dsv_parse("f.tsv", data, strlen(data), '\t', quoting, &t, &err);
    CHECKF(st == NURI_ERR_FORMAT, "'%s' parsed", data);
    CHECKF(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

int main(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/eval/dsv_cases.json", NURI_SOURCE_DIR);
    char *text = test_read_file(path, NULL);
    CHECK(text != NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "cases")) {
        check_case(c);
        n++;
    }
    CHECK(n >= 10);
    cJSON_Delete(root);
    free(text);

    expect_error("a\tb\n1\t2\n3\t4\t5\n", true, "f.tsv:3: 3 columns, the header has 2");
    expect_error("a\tb\r\n1\r\n", true, "f.tsv:2: 1 columns, the header has 2");
    expect_error("a\tb\n\"open\n\n1\t2\n", true, "f.tsv:2: a quoted field is never closed");
    expect_error("a\tb\n1\t2\nx\xff\t3\n", true, "f.tsv:3: invalid UTF-8");
    expect_error("", true, "no header row");
    /* The same unbalanced quote is just a character without quoting. */
    dsv_table t;
    nuri_error err;
    const char *lit = "a\tb\n\"open\t1\n2\t3\n";
    CHECK_OK(dsv_parse("lit.tsv", lit, strlen(lit), '\t', false, &t, &err), &err);
    CHECK(t.n_rows == 2 && !strcmp(dsv_cell(&t, 0, 0), "\"open") && t.lines[1] == 3);
    dsv_free(&t);
    /* Line numbers count physical lines, quoted newlines included. */
    const char *ml = "a\tb\n\"x\ny\"\t1\n\nz\t2\n";
    CHECK_OK(dsv_parse("ml.tsv", ml, strlen(ml), '\t', true, &t, &err), &err);
    CHECK(t.n_rows == 2 && t.lines[0] == 2 && t.lines[1] == 5);
    dsv_free(&t);
    return test_done("test_eval_dsv");
}
