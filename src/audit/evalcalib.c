/* Calibration of `nuri eval`'s multiple-choice answers, read back from its samples files
 * (docs/eval.md): the answer is lm-eval's `acc` prediction, argmax of the choices'
 * log-likelihoods, and its confidence the softmax of those log-likelihoods at it. Every
 * file is checked whole before anything is reported, so a broken line never reaches a
 * passport. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/internal.h"
#include "base/file.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The task names of DIR/samples_TASK.jsonl, sorted. */
static nuri_status list_tasks(const char *dir, char ***out, int *n, nuri_error *err) {
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return nuri_fail(err, NURI_ERR_IO, "--eval %s: %s", dir, strerror(errno));
    int cap = 0;
    nuri_status st = NURI_OK;
    for (struct dirent *e; !st && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= 14 || strncmp(e->d_name, "samples_", 8) || strcmp(e->d_name + len - 6, ".jsonl")) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **g = realloc(*out, sizeof *g * (size_t)cap);
            if (!g) {
                st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
                break;
            }
            *out = g;
        }
        if (!((*out)[*n] = strndup(e->d_name + 8, len - 14))) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        else (*n)++;
    }
    closedir(d);
    if (!st && *n) qsort(*out, (size_t)*n, sizeof **out, cmp_str);
    return st;
}

/* results.json, when there: its n-samples say how many documents each task reported (a
 * later run with a smaller --limit reports on fewer than its samples file holds). */
static nuri_status read_results(const char *dir, cJSON **out, nuri_error *err) {
    char path[4096], *text;
    size_t size;
    struct stat sb;
    *out = NULL;
    snprintf(path, sizeof path, "%s/results.json", dir);
    if (stat(path, &sb) != 0) return NURI_OK;
    nuri_status st = nuri_read_file(path, &text, &size, err);
    if (st) return st;
    *out = cJSON_ParseWithLength(text, size);
    free(text);
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: not JSON", path);
    }
    return NURI_OK;
}

typedef enum { KIND_MC, KIND_GEN, KIND_ROLLING, KIND_EMPTY } sample_kind;

static sample_kind kind_of(const cJSON *o) {
    if (cJSON_GetObjectItemCaseSensitive(o, "choices")) return KIND_MC;
    if (cJSON_GetObjectItemCaseSensitive(o, "generated")) return KIND_GEN;
    if (cJSON_GetObjectItemCaseSensitive(o, "text_hash")) return KIND_ROLLING;
    return KIND_EMPTY;
}

static bool int_in(const cJSON *v, int lo, int hi, int *out) {
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return false;
    *out = (int)v->valuedouble;
    return true;
}

/* One multiple-choice line: its confidence and whether the prediction is the gold answer.
 * pred must be argmax(ll), the first on ties, as nuri eval writes it. */
static nuri_status mc_line(const cJSON *o, const char *path, long line, double *conf, bool *correct, nuri_error *err) {
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "choices");
    int n = cJSON_IsArray(ch) ? cJSON_GetArraySize(ch) : 0, id, pred, gold;
    if (n < 2 || n > 1000)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: \"choices\" is not a list of 2 or more choices", path, line);
    if (!int_in(cJSON_GetObjectItemCaseSensitive(o, "doc_id"), 0, INT_MAX, &id) || id != line - 1)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: \"doc_id\" is not %ld (nuri eval writes documents in order)", path,
                         line, line - 1);
    if (!int_in(cJSON_GetObjectItemCaseSensitive(o, "pred"), 0, n - 1, &pred))
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: \"pred\" is not a choice index 0..%d", path, line, n - 1);
    if (!int_in(cJSON_GetObjectItemCaseSensitive(o, "gold"), 0, n - 1, &gold))
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: \"gold\" is not a choice index 0..%d", path, line, n - 1);
    double ll[1000];
    int c = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, ch) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "ll");
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: choice %d has no finite \"ll\"", path, line, c);
        ll[c++] = v->valuedouble;
    }
    int arg = 0;
    for (int i = 1; i < n; i++)
        if (ll[i] > ll[arg]) arg = i;
    if (arg != pred)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: \"pred\" %d is not the argmax %d of the choices' \"ll\"", path,
                         line, pred, arg);
    *conf = au_choice_confidence(ll, n, pred);
    *correct = pred == gold;
    return NURI_OK;
}

/* Reads one samples file into c; *kind says what it held (only KIND_MC is counted).
 * limit >= 0 counts only the first limit documents. */
static nuri_status read_samples(const char *path, long limit, sample_kind *kind, au_calib *c, long *docs,
                                double *sum_conf, long *n_correct, nuri_error *err) {
    char *text;
    size_t size;
    nuri_status st = nuri_read_file(path, &text, &size, err);
    if (st) return st;
    *kind = KIND_EMPTY;
    *docs = 0;
    long line = 1;
    for (size_t off = 0; !st && off < size; line++) {
        char *nl = memchr(text + off, '\n', size - off);
        if (!nl) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: the last line is cut short (a nuri eval that crashed? run it again to finish)",
                           path, line);
            break;
        }
        cJSON *o = cJSON_ParseWithLength(text + off, (size_t)(nl - (text + off)));
        off = (size_t)(nl - text) + 1;
        sample_kind k = cJSON_IsObject(o) ? kind_of(o) : KIND_EMPTY;
        if (k == KIND_EMPTY) st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: not a nuri eval sample (a JSON object with \"choices\", \"generated\" or \"text_hash\")", path, line);
        else if (line == 1) *kind = k;
        else if (k != *kind) st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: a different kind of sample than line 1", path, line);
        if (!st && k == KIND_MC) {
            double conf = 0; /* filled when mc_line succeeds; set for -Wmaybe-uninitialized */
            bool ok = false;
            st = mc_line(o, path, line, &conf, &ok, err);
            if (!st && (limit < 0 || *docs < limit)) {
                au_calib_add(c, conf, ok);
                *sum_conf += conf;
                *n_correct += ok;
                (*docs)++;
            }
        }
        cJSON_Delete(o);
        if (!st && *kind != KIND_MC) break; /* generation / perplexity: not counted, no need to read on */
    }
    free(text);
    if (!st && *kind == KIND_MC && limit >= 0 && *docs < limit)
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: %ld documents, but results.json reports %ld", path, *docs, limit);
    return st;
}

static cJSON *summary(const au_calib *c, long docs, double sum_conf, long n_correct) {
    cJSON *o = au_calib_json(c);
    cJSON_AddNumberToObject(o, "documents", (double)docs);
    cJSON_AddNumberToObject(o, "accuracy", docs ? (double)n_correct / (double)docs : 0);
    cJSON_AddNumberToObject(o, "mean_confidence", docs ? sum_conf / (double)docs : 0);
    return o;
}

nuri_status au_eval_calibration(const char *dir, cJSON **out, nuri_error *err) {
    *out = NULL;
    char **names;
    int n;
    nuri_status st = list_tasks(dir, &names, &n, err);
    cJSON *results = NULL;
    if (!st) st = read_results(dir, &results, err);
    const cJSON *nsamp = cJSON_GetObjectItemCaseSensitive(results, "n-samples");
    cJSON *o = cJSON_CreateObject(), *tasks = cJSON_CreateArray(), *skipped = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "eval_dir", dir);
    const cJSON *nb = cJSON_GetObjectItemCaseSensitive(results, "nuri");
    const cJSON *mf = cJSON_GetObjectItemCaseSensitive(nb, "model_file"), *mh = cJSON_GetObjectItemCaseSensitive(nb, "model_hash");
    if (cJSON_IsString(mf)) cJSON_AddStringToObject(o, "model", mf->valuestring);
    if (cJSON_IsString(mh)) cJSON_AddStringToObject(o, "model_hash", mh->valuestring);
    cJSON_AddStringToObject(o, "answer", "acc prediction: argmax of the choices' ll (first on ties); confidence: softmax of ll at it");
    au_calib all = {0};
    long all_docs = 0, all_correct = 0;
    double all_conf = 0;
    for (int i = 0; !st && i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/samples_%s.jsonl", dir, names[i]);
        const cJSON *eff = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(nsamp, names[i]), "effective");
        long limit = cJSON_IsNumber(eff) && eff->valuedouble >= 0 ? (long)eff->valuedouble : -1;
        au_calib c = {0};
        sample_kind kind;
        long docs = 0, correct = 0;
        double conf = 0;
        st = read_samples(path, limit, &kind, &c, &docs, &conf, &correct, err);
        if (st) break;
        if (kind != KIND_MC || docs == 0) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "name", names[i]);
            cJSON_AddStringToObject(s, "reason", kind == KIND_GEN       ? "generation task (no choices)"
                                                 : kind == KIND_ROLLING ? "perplexity (no choices)"
                                                                        : "no documents");
            cJSON_AddItemToArray(skipped, s);
            continue;
        }
        cJSON *t = summary(&c, docs, conf, correct);
        cJSON_AddStringToObject(t, "name", names[i]);
        cJSON_AddStringToObject(t, "samples", path);
        cJSON_AddItemToArray(tasks, t);
        for (int b = 0; b < AU_CALIB_BINS; b++) {
            all.n[b] += c.n[b];
            all.conf[b] += c.conf[b];
            all.correct[b] += c.correct[b];
        }
        all_docs += docs;
        all_correct += correct;
        all_conf += conf;
    }
    if (!st && all_docs == 0)
        st = nuri_fail(err, NURI_ERR_NOT_FOUND, "--eval %s: no samples_TASK.jsonl of a multiple-choice task", dir);
    cJSON_AddItemToObject(o, "tasks", tasks);
    cJSON_AddItemToObject(o, "skipped", skipped);
    if (!st) cJSON_AddItemToObject(o, "overall", summary(&all, all_docs, all_conf, all_correct));
    cJSON_Delete(results);
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    if (st) cJSON_Delete(o);
    else *out = o;
    return st;
}

/* Rewrites each task's "samples" as a path relative to the passport's directory, so the
 * page's links work wherever the two directories are moved together. */
void au_eval_calibration_link(cJSON *calib, const char *out_dir) {
    char a[PATH_MAX], b[PATH_MAX];
    const cJSON *ed = cJSON_GetObjectItemCaseSensitive(calib, "eval_dir");
    if (!cJSON_IsString(ed) || !realpath(out_dir, a) || !realpath(ed->valuestring, b)) return;
    /* common leading path components */
    size_t i = 0, last = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/') last = i;
        i++;
    }
    if ((!a[i] || a[i] == '/') && (!b[i] || b[i] == '/')) last = i;
    char rel[PATH_MAX + 64] = "";
    for (const char *s = a + last; *s; s++)
        if (*s == '/') strncat(rel, "../", sizeof rel - strlen(rel) - 1);
    const char *rest = b + last + (b[last] == '/');
    if (*rest) {
        strncat(rel, rest, sizeof rel - strlen(rel) - 1);
        strncat(rel, "/", sizeof rel - strlen(rel) - 1);
    }
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(calib, "tasks")) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(t, "name");
        char link[PATH_MAX + 400];
        snprintf(link, sizeof link, "%ssamples_%s.jsonl", rel, nm->valuestring);
        cJSON_ReplaceItemInObject(t, "samples", cJSON_CreateString(link));
    }
}
