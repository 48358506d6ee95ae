/* nuri's precision and recall on the labeled Korean PII test set
 * (tests/data/pii/ko_pii_testset.jsonl, made by scripts/make_pii_testset.py and committed
 * before the detectors of its new types were written). A span counts when type, start
 * and end all match the label. Each type has floors set from the measured numbers
 * (docs/pii.md): a detector change that loses a labeled span or adds a false positive on
 * the set fails here, and a deliberate trade has to change the floor and say why. */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/file.h"
#include "nuri/pii.h"
#include "test.h"

/* Measured on the committed set: every type 1.000 / 1.000 (see docs/pii.md). */
static const double floor_precision = 1.0, floor_recall = 1.0;

typedef struct {
    uint64_t tp, fp, fn;
} tally;

static bool same(const nuri_pii_span *s, int type, double a, double b) {
    return (int)s->type == type && (double)s->start == a && (double)s->end == b;
}

int main(void) {
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/pii/ko_pii_testset.jsonl", NURI_SOURCE_DIR);
    char *data = NULL;
    size_t len = 0;
    nuri_error err;
    CHECK_OK(nuri_read_file(path, &data, &len, &err), &err);
    if (!data) return test_done("test_pii_testset");
    tally t[NURI_PII_TYPE_COUNT] = {{0}};
    size_t docs = 0, labels = 0, negatives = 0;
    for (char *line = data, *next; line < data + len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        next = nl ? nl + 1 : data + len;
        if (nl) *nl = 0;
        if (!*line) continue;
        cJSON *doc = cJSON_Parse(line);
        const cJSON *text = cJSON_GetObjectItem(doc, "text"), *spans = cJSON_GetObjectItem(doc, "spans");
        CHECKF(cJSON_IsString(text) && cJSON_IsArray(spans), "bad line %zu", docs + 1);
        if (!cJSON_IsString(text) || !cJSON_IsArray(spans)) {
            cJSON_Delete(doc);
            continue;
        }
        docs++;
        nuri_pii_span *sp = NULL;
        size_t n = 0;
        const char *s = text->valuestring;
        CHECK_OK(nuri_pii_detect(s, strlen(s), NURI_PII_ALL, &sp, &n, &err), &err);
        bool *matched = calloc(n + 1, sizeof *matched);
        int nlab = cJSON_GetArraySize(spans);
        if (!nlab) negatives++;
        for (int k = 0; k < nlab; k++) {
            const cJSON *sj = cJSON_GetArrayItem(spans, k);
            int type = nuri_pii_type_from_name(cJSON_GetObjectItem(sj, "type")->valuestring);
            double a = cJSON_GetObjectItem(sj, "start")->valuedouble, b = cJSON_GetObjectItem(sj, "end")->valuedouble;
            CHECKF(type >= 0, "line %zu: unknown type", docs);
            if (type < 0) continue;
            labels++;
            bool hit = false;
            for (size_t i = 0; i < n && !hit; i++)
                if (!matched[i] && same(&sp[i], type, a, b)) matched[i] = hit = true;
            if (hit) t[type].tp++;
            else t[type].fn++;
        }
        for (size_t i = 0; i < n; i++)
            if (!matched[i]) {
                t[sp[i].type].fp++;
                printf("false positive %s '%.*s' in: %s\n", nuri_pii_type_name(sp[i].type),
                       (int)(sp[i].end - sp[i].start), s + sp[i].start, s);
            }
        free(matched);
        free(sp);
        cJSON_Delete(doc);
    }
    free(data);
    CHECKF(docs >= 700 && labels >= 500 && negatives >= 150, "test set: %zu texts, %zu spans, %zu negatives", docs,
           labels, negatives);
    printf("%zu texts, %zu labeled spans, %zu hard negatives\n", docs, labels, negatives);
    printf("| type | spans | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < NURI_PII_TYPE_COUNT; k++) {
        double p = t[k].tp + t[k].fp ? (double)t[k].tp / (double)(t[k].tp + t[k].fp) : 1.0;
        double r = t[k].tp + t[k].fn ? (double)t[k].tp / (double)(t[k].tp + t[k].fn) : 1.0;
        printf("| %s | %llu | %llu | %llu | %llu | %.3f | %.3f |\n", nuri_pii_type_name(k),
               (unsigned long long)(t[k].tp + t[k].fn), (unsigned long long)t[k].tp, (unsigned long long)t[k].fp,
               (unsigned long long)t[k].fn, p, r);
        CHECKF(t[k].tp + t[k].fn >= 40, "%s: only %llu labeled spans", nuri_pii_type_name(k),
               (unsigned long long)(t[k].tp + t[k].fn));
        CHECKF(p >= floor_precision, "%s: precision %.3f below the floor %.3f", nuri_pii_type_name(k), p,
               floor_precision);
        CHECKF(r >= floor_recall, "%s: recall %.3f below the floor %.3f", nuri_pii_type_name(k), r, floor_recall);
    }
    return test_done("test_pii_testset");
}
