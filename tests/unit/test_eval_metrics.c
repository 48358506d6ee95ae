/* Metrics against their references (tests/data/eval/metrics_cases.json, made by
 * scripts/ref_eval_cases.py): sklearn's macro F1, lm-eval's mean_stderr and
 * pooled_sample_stderr, the KorQuAD 1.0 script's normalization, exact match and F1. */
#include <cjson/cJSON.h>

#include "eval/metrics.h"
#include "test.h"

static int ints(const cJSON *a, int *out) {
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) out[n++] = e->valueint;
    return n;
}

static int dbls(const cJSON *a, double *out) {
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) out[n++] = e->valuedouble;
    return n;
}

static bool close(double a, double b) { return fabs(a - b) <= 1e-12 * (1 + fabs(b)); }

int main(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/eval/metrics_cases.json", NURI_SOURCE_DIR);
    char *text = test_read_file(path, NULL);
    CHECK(text != NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    const cJSON *c;
    int gold[1024], pred[1024], count = 0;
    double x[1024], y[1024];
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "macro_f1")) {
        int n = ints(cJSON_GetObjectItem(c, "gold"), gold);
        ints(cJSON_GetObjectItem(c, "pred"), pred);
        double want = cJSON_GetObjectItem(c, "macro_f1")->valuedouble, got = metric_macro_f1(gold, pred, (size_t)n);
        CHECKF(close(got, want), "macro F1 %.17g, sklearn %.17g", got, want);
        count++;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "mean_stderr")) {
        int n = dbls(cJSON_GetObjectItem(c, "x"), x);
        double want = cJSON_GetObjectItem(c, "mean_stderr")->valuedouble, got = metric_mean_stderr(x, (size_t)n);
        CHECKF(close(got, want), "mean_stderr %.17g, lm-eval %.17g", got, want);
        count++;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "pooled_stderr")) {
        int k = dbls(cJSON_GetObjectItem(c, "se"), x);
        dbls(cJSON_GetObjectItem(c, "sizes"), y);
        double want = cJSON_GetObjectItem(c, "pooled")->valuedouble, got = metric_pooled_stderr(x, y, (size_t)k);
        CHECKF(close(got, want), "pooled stderr %.17g, lm-eval %.17g", got, want);
        count++;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "korquad")) {
        const char *p = cJSON_GetObjectItem(c, "pred")->valuestring;
        const char *ans[16];
        int n = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "answers")) ans[n++] = e->valuestring;
        char *norm = korquad_normalize(p);
        const char *want_norm = cJSON_GetObjectItem(c, "normalized")->valuestring;
        CHECKF(norm && !strcmp(norm, want_norm), "normalize('%s') = '%s', the script '%s'", p, norm, want_norm);
        free(norm);
        double em = korquad_em(p, ans, n), f1 = korquad_f1(p, ans, n);
        CHECKF(close(em, cJSON_GetObjectItem(c, "em")->valuedouble), "EM('%s') = %g", p, em);
        CHECKF(close(f1, cJSON_GetObjectItem(c, "f1")->valuedouble), "F1('%s') = %.17g, the script %.17g", p, f1,
               cJSON_GetObjectItem(c, "f1")->valuedouble);
        count++;
    }
    CHECK(count >= 20);
    cJSON_Delete(root);
    free(text);
    return test_done("test_eval_metrics");
}
