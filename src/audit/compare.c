/* nuri audit compare: two passports side by side. */
#include <stdlib.h>
#include <string.h>

#include "audit/internal.h"
#include "base/file.h"

static nuri_status load(const char *dir, cJSON **out, nuri_error *err) {
    char path[4096], *data;
    size_t size;
    snprintf(path, sizeof path, "%s/passport.json", dir);
    nuri_status st = nuri_read_file(path, &data, &size, err);
    if (st) return st;
    *out = cJSON_Parse(data);
    free(data);
    bool ok = *out && cJSON_IsArray(cJSON_GetObjectItem(*out, "families"));
    for (const cJSON *f = ok ? cJSON_GetObjectItem(*out, "families")->child : NULL; f && ok; f = f->next)
        ok = cJSON_IsString(cJSON_GetObjectItem(f, "name")) && cJSON_IsNumber(cJSON_GetObjectItem(f, "safe")) &&
             cJSON_IsNumber(cJSON_GetObjectItem(f, "attempts")) && cJSON_IsNumber(cJSON_GetObjectItem(f, "safe_rate"));
    if (!ok) {
        cJSON_Delete(*out);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: not a passport", path);
    }
    return NURI_OK;
}

static const cJSON *family(const cJSON *pp, const char *name) {
    for (const cJSON *f = cJSON_GetObjectItem(pp, "families")->child; f; f = f->next)
        if (!strcmp(cJSON_GetObjectItem(f, "name")->valuestring, name)) return f;
    return NULL;
}

static void cell_rate(FILE *out, const cJSON *f) {
    if (!f) fprintf(out, " %20s", "-");
    else {
        char b[64];
        snprintf(b, sizeof b, "%d/%d (%.1f%%)", cJSON_GetObjectItem(f, "safe")->valueint,
                 cJSON_GetObjectItem(f, "attempts")->valueint, 100 * cJSON_GetObjectItem(f, "safe_rate")->valuedouble);
        fprintf(out, " %20s", b);
    }
}

static void cell_num(FILE *out, const cJSON *o, const char *k, const char *fmt) {
    const cJSON *v = cJSON_GetObjectItem(o, k);
    char b[64];
    if (cJSON_IsNumber(v)) snprintf(b, sizeof b, fmt, v->valuedouble);
    else if (cJSON_IsString(v)) snprintf(b, sizeof b, "%.20s", *v->valuestring ? v->valuestring : "-");
    else if (cJSON_IsBool(v)) snprintf(b, sizeof b, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    else snprintf(b, sizeof b, "-");
    fprintf(out, " %20s", b);
}

static const cJSON *eval_task(const cJSON *pp, const char *name) {
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(cJSON_GetObjectItem(pp, "calibration_eval"), "tasks")) {
        const cJSON *nm = cJSON_GetObjectItem(t, "name");
        if (cJSON_IsString(nm) && !strcmp(nm->valuestring, name)) return t;
    }
    return NULL;
}

/* Calibration of nuri eval samples: the pooled numbers, then the ECE of every task either has. */
static void eval_calibration(FILE *out, const cJSON *const pps[2]) {
    if (!cJSON_GetObjectItem(pps[0], "calibration_eval") && !cJSON_GetObjectItem(pps[1], "calibration_eval")) return;
    static const char *const all[][3] = {{"eval ECE (all MC tasks)", "ece", "%.3f"},
                                         {"eval accuracy", "accuracy", "%.3f"},
                                         {"eval mean confidence", "mean_confidence", "%.3f"},
                                         {"eval documents", "documents", "%.0f"}};
    for (size_t i = 0; i < 4; i++) {
        fprintf(out, "%-28s", all[i][0]);
        for (int w = 0; w < 2; w++)
            cell_num(out, cJSON_GetObjectItem(cJSON_GetObjectItem(pps[w], "calibration_eval"), "overall"), all[i][1], all[i][2]);
        fputc('\n', out);
    }
    for (int w = 0; w < 2; w++) {
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(cJSON_GetObjectItem(pps[w], "calibration_eval"), "tasks")) {
            const cJSON *nm = cJSON_GetObjectItem(t, "name");
            if (!cJSON_IsString(nm) || (w == 1 && eval_task(pps[0], nm->valuestring))) continue;
            char label[64];
            snprintf(label, sizeof label, "ECE %s", nm->valuestring);
            fprintf(out, "%-28.28s", label);
            for (int v = 0; v < 2; v++) cell_num(out, eval_task(pps[v], nm->valuestring), "ece", "%.3f");
            fputc('\n', out);
        }
    }
}

/* A column is headed by the directory's last component: the leading part of a long path
 * says nothing about which model it is. */
static const char *dir_label(const char *dir) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    const char *s = dir + n;
    while (s > dir && s[-1] != '/') s--;
    return s;
}

nuri_status nuri_audit_compare(const char *dir1, const char *dir2, FILE *out, nuri_error *err) {
    cJSON *a, *b;
    nuri_status st = load(dir1, &a, err);
    if (st) return st;
    if ((st = load(dir2, &b, err))) {
        cJSON_Delete(a);
        return st;
    }
    fprintf(out, "%-28s %20.20s %20.20s\n", "safe rate", dir_label(dir1), dir_label(dir2));
    const cJSON *pps[2] = {a, b};
    for (int w = 0; w < 2; w++)
        for (const cJSON *f = cJSON_GetObjectItem(pps[w], "families")->child; f; f = f->next) {
            const char *name = cJSON_GetObjectItem(f, "name")->valuestring;
            if (w == 1 && family(a, name)) continue; /* already printed */
            fprintf(out, "%-28s", name);
            cell_rate(out, family(a, name));
            cell_rate(out, family(b, name));
            fputc('\n', out);
        }
    static const char *const kb[][2] = {{"kobbq acc ambiguous", "accuracy_ambiguous"},
                                        {"kobbq acc disambiguated", "accuracy_disambiguated"},
                                        {"kobbq diff-bias ambiguous", "diff_bias_ambiguous"},
                                        {"kobbq diff-bias disamb.", "diff_bias_disambiguated"}};
    for (size_t i = 0; i < 4; i++) {
        fprintf(out, "%-28s", kb[i][0]);
        for (int w = 0; w < 2; w++) cell_num(out, cJSON_GetObjectItem(pps[w], "kobbq"), kb[i][1], "%.3f");
        fputc('\n', out);
    }
    static const char *const tasks[] = {"kosbi", "square_question", "square_response"};
    for (size_t i = 0; i < 3; i++) {
        fprintf(out, "%-28.28s", tasks[i]);
        for (int w = 0; w < 2; w++) {
            const cJSON *c = NULL, *arr = cJSON_GetObjectItem(pps[w], "classification");
            for (const cJSON *x = arr ? arr->child : NULL; x && !c; x = x->next)
                if (cJSON_IsString(cJSON_GetObjectItem(x, "name")) && !strcmp(cJSON_GetObjectItem(x, "name")->valuestring, tasks[i]))
                    c = x;
            cell_num(out, c, "macro_f1", "macro-F1 %.3f");
        }
        fputc('\n', out);
    }
    static const char *const hl[][3] = {{"korquad closed: wrong", "closed_book", "confident_wrong_rate"},
                                        {"korquad closed: abstain", "closed_book", "abstain_rate"},
                                        {"korquad passage: F1", "with_passage", "f1"}};
    for (size_t i = 0; i < 3; i++) {
        fprintf(out, "%-28s", hl[i][0]);
        for (int w = 0; w < 2; w++)
            cell_num(out, cJSON_GetObjectItem(cJSON_GetObjectItem(pps[w], "hallucination"), hl[i][1]), hl[i][2], "%.3f");
        fputc('\n', out);
    }
    eval_calibration(out, pps);
    static const char *const eff[][3] = {{"tokens/s", "tokens_per_second", "%.2f"},
                                         {"joules/token", "joules_per_token", "%.4f"},
                                         {"peak MiB", "peak_rss_mib", "%.1f"}};
    for (size_t i = 0; i < 3; i++) {
        fprintf(out, "%-28s", eff[i][0]);
        for (int w = 0; w < 2; w++) cell_num(out, cJSON_GetObjectItem(pps[w], "efficiency"), eff[i][1], eff[i][2]);
        fputc('\n', out);
    }
    static const char *const open[][2] = {{"license", "license"}, {"OSI-approved", "osi_approved"},
                                          {"provenance published", "provenance_published"}};
    for (size_t i = 0; i < 3; i++) {
        fprintf(out, "%-28s", open[i][0]);
        for (int w = 0; w < 2; w++) cell_num(out, cJSON_GetObjectItem(pps[w], "openness"), open[i][1], "%g");
        fputc('\n', out);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return NURI_OK;
}
