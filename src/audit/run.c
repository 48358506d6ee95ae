/* The audit run: probes -> model -> detectors, one JSON line per attempt appended as it
 * goes, then the passport. Attempts already in the output directory are read back, so an
 * interrupted audit resumes where it stopped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/internal.h"
#include "base/file.h"
#include "nuri/generate.h"

void prior_free(prior *p) {
    for (int i = 0; i < p->n; i++) {
        free(p->ids[i]);
        cJSON_Delete(p->recs[i]);
    }
    free(p->ids);
    free(p->recs);
}

typedef struct {
    char *id;
    cJSON *rec;
    int line;
} prior_entry;

static int cmp_entry(const void *a, const void *b) {
    const prior_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Sorts by id, keeping file order among equal ids, for prior_find's binary search (a full
 * KoBBQ run has tens of thousands of attempts). */
static void sort_prior(prior *p) {
    prior_entry *e = malloc(sizeof *e * (size_t)(p->n ? p->n : 1));
    if (!e) return; /* prior_find falls back to a linear search */
    for (int i = 0; i < p->n; i++) e[i] = (prior_entry){p->ids[i], p->recs[i], i};
    qsort(e, (size_t)p->n, sizeof *e, cmp_entry);
    for (int i = 0; i < p->n; i++) {
        p->ids[i] = e[i].id;
        p->recs[i] = e[i].rec;
    }
    free(e);
    p->sorted = true;
}

/* Reads attempts_FAMILY.jsonl if present. A torn last line (the process died while
 * writing) is dropped; the attempt is simply made again. */
nuri_status prior_load(const char *path, prior *out, nuri_error *err) {
    memset(out, 0, sizeof *out);
    char *data;
    size_t size;
    struct stat st;
    if (stat(path, &st) != 0) return NURI_OK;
    nuri_status s = nuri_read_file(path, &data, &size, err);
    if (s) return s;
    int lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    out->ids = calloc((size_t)lines, sizeof *out->ids);
    out->recs = calloc((size_t)lines, sizeof *out->recs);
    if (!out->ids || !out->recs) {
        free(data);
        prior_free(out);
        return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    for (char *p = data, *nl; p && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (!nl) break; /* torn */
        *nl = 0;
        cJSON *j = cJSON_Parse(p);
        const cJSON *id = cJSON_GetObjectItem(j, "id");
        if (!cJSON_IsString(id) || !cJSON_IsString(cJSON_GetObjectItem(j, "reply"))) {
            cJSON_Delete(j);
            continue;
        }
        if (!(out->ids[out->n] = strdup(id->valuestring))) {
            cJSON_Delete(j);
            free(data);
            prior_free(out);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        out->recs[out->n++] = j;
    }
    free(data);
    sort_prior(out);
    return NURI_OK;
}

cJSON *prior_find(const prior *p, const char *id) {
    if (!p->sorted) { /* sorting ran out of memory: search the file order backwards */
        for (int i = p->n - 1; i >= 0; i--)
            if (!strcmp(p->ids[i], id)) return p->recs[i];
        return NULL;
    }
    /* ids are sorted (ties in file order) by prior_load: the last of equal ids wins. */
    int lo = 0, hi = p->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(p->ids[mid], id) <= 0) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && !strcmp(p->ids[lo - 1], id) ? p->recs[lo - 1] : NULL;
}

static bool blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r') return false;
    return true;
}

static cJSON *attempt_record(const char *family, const au_probe *pr, const char *reply, int n_tokens) {
    bool hit;
    bool safe = au_judge(pr, reply, &hit);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "family", family);
    cJSON_AddStringToObject(j, "id", pr->id);
    if (pr->system) cJSON_AddStringToObject(j, "system", pr->system);
    cJSON_AddStringToObject(j, "prompt", pr->prompt);
    cJSON_AddStringToObject(j, "detector", pr->detector);
    if (pr->target) cJSON_AddStringToObject(j, "target", pr->target);
    cJSON_AddStringToObject(j, "reply", reply);
    cJSON_AddNumberToObject(j, "n_tokens", n_tokens);
    cJSON_AddBoolToObject(j, "hit", hit);
    cJSON_AddBoolToObject(j, "safe", safe);
    cJSON_AddBoolToObject(j, "empty", blank(reply));
    cJSON_AddNumberToObject(j, "toxic_hits", nuri_detect_toxic(reply));
    return j;
}

/* A record read back must belong to the same probe (same prompt and system); otherwise
 * the probe file changed under the output directory and mixing would be wrong. */
static bool same_probe(const cJSON *r, const au_probe *pr) {
    const cJSON *pp = cJSON_GetObjectItem(r, "prompt"), *ps = cJSON_GetObjectItem(r, "system");
    if (!cJSON_IsString(pp) || strcmp(pp->valuestring, pr->prompt)) return false;
    if (!pr->system) return ps == NULL;
    return cJSON_IsString(ps) && !strcmp(ps->valuestring, pr->system);
}

static nuri_status run_family(const nuri_audit_model *m, const nuri_audit_params *p, au_family *f, cJSON *families,
                              nuri_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/attempts_%s.jsonl", p->output_dir, f->name);
    prior pr;
    nuri_status st = prior_load(path, &pr, err);
    if (st) return st;
    FILE *out = fopen(path, "ab");
    if (!out) {
        prior_free(&pr);
        return nuri_fail(err, NURI_ERR_IO, "%s: %s", path, strerror(errno));
    }
    int n_safe = 0, n_empty = 0, n_toxic = 0;
    long long toks = 0;
    cJSON *recs = cJSON_CreateArray();
    for (int i = 0; i < f->n && !st; i++) {
        const au_probe *q = &f->probes[i];
        cJSON *old = prior_find(&pr, q->id), *rec;
        if (old && !same_probe(old, q)) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s: attempt '%s' was made with a different prompt; use a new output directory",
                           path, q->id);
            break;
        }
        if (old) {
            /* Re-judge with today's detectors: the reply is the evidence, the verdict is derived. */
            rec = attempt_record(f->name, q, cJSON_GetObjectItem(old, "reply")->valuestring,
                                 cJSON_GetObjectItem(old, "n_tokens") ? cJSON_GetObjectItem(old, "n_tokens")->valueint : 0);
        } else {
            if (p->cancel && *p->cancel) {
                st = nuri_fail(err, NURI_ERR_INTERRUPTED, "interrupted; run again to resume");
                break;
            }
            char *reply = NULL;
            int n_tok = 0;
            st = m->generate(m->user, q->system, q->prompt, q->raw, &reply, &n_tok, err);
            if (st) {
                nuri_error_prefix(err, "%s/%s: ", f->name, q->id);
                break;
            }
            rec = attempt_record(f->name, q, reply, n_tok);
            free(reply);
            char *line = cJSON_PrintUnformatted(rec);
            if (!line || fprintf(out, "%s\n", line) < 0 || fflush(out) != 0)
                st = nuri_fail(err, NURI_ERR_IO, "%s: write failed", path);
            free(line);
        }
        n_safe += cJSON_IsTrue(cJSON_GetObjectItem(rec, "safe"));
        n_empty += cJSON_IsTrue(cJSON_GetObjectItem(rec, "empty"));
        n_toxic += cJSON_GetObjectItem(rec, "toxic_hits")->valueint > 0;
        toks += cJSON_GetObjectItem(rec, "n_tokens")->valueint;
        cJSON_AddItemToArray(recs, rec);
        if (p->progress) p->progress(p->user, f->name, i + 1, f->n);
    }
    if (fclose(out) != 0 && !st) st = nuri_fail(err, NURI_ERR_IO, "%s: close failed", path);
    prior_free(&pr);
    if (!st && n_empty == f->n)
        st = nuri_fail(err, NURI_ERR_FORMAT,
                       "%s: the model returned nothing for all %d prompts (wrong chat template? try --chat-template)",
                       f->name, f->n);
    if (!st) {
        cJSON *fam = cJSON_CreateObject();
        cJSON_AddStringToObject(fam, "name", f->name);
        cJSON_AddNumberToObject(fam, "attempts", f->n);
        cJSON_AddNumberToObject(fam, "safe", n_safe);
        cJSON_AddNumberToObject(fam, "safe_rate", (double)n_safe / f->n);
        cJSON_AddNumberToObject(fam, "empty_replies", n_empty);
        cJSON_AddNumberToObject(fam, "toxic_replies", n_toxic);
        cJSON_AddNumberToObject(fam, "tokens", (double)toks);
        char file[300];
        snprintf(file, sizeof file, "attempts_%s.jsonl", f->name);
        cJSON_AddStringToObject(fam, "samples", file);
        cJSON_AddItemToArray(families, fam);
    }
    cJSON_Delete(recs);
    return st;
}

/* --only names must be families that exist: a typo must not silently audit nothing. */
static nuri_status check_only(const char *only, char **names, int n, bool have_canaries, nuri_error *err) {
    const char *s = only;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        bool ok = len == 0 || (have_canaries && len == 12 && !strncmp(s, "memorization", 12)) ||
                  (len == 11 && !strncmp(s, "calibration", 11)) ||
                  (len == 5 && !strncmp(s, "kobbq", 5)) || (len == 7 && !strncmp(s, "korquad", 7)) ||
                  au_classify_known(s, len);
        for (int i = 0; !ok && i < n; i++) ok = strlen(names[i]) == len && !strncmp(names[i], s, len);
        if (!ok) {
            char known[1024] = "";
            for (int i = 0; i < n; i++) {
                if (i) strncat(known, ", ", sizeof known - strlen(known) - 1);
                strncat(known, names[i], sizeof known - strlen(known) - 1);
            }
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "unknown probe family '%.*s' (known: %s, kobbq, korquad, kosbi, square_question, square_response, calibration%s)", (int)len, s,
                             known, have_canaries ? ", memorization" : "");
        }
        s += len + (e ? 1 : 0);
        if (!e) break;
    }
    return NURI_OK;
}

static bool selected(const char *only, const char *name) {
    if (!only) return true;
    size_t n = strlen(name);
    for (const char *s = only; s && *s;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == n && !strncmp(s, name, n)) return true;
        s = e ? e + 1 : NULL;
    }
    return false;
}

/* Does the selection run the model? Only "calibration" (of nuri eval samples) does not. */
static bool needs_model(const char *only) {
    if (!only) return true;
    for (const char *s = only; s && *s;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len && !(len == 11 && !strncmp(s, "calibration", 11))) return true;
        s = e ? e + 1 : NULL;
    }
    return false;
}

cJSON *au_efficiency(const nuri_audit_live *live, int n_threads);
cJSON *au_openness(const char *license, const char *provenance);

/* A fully resumed run generates nothing: keep the measurement of the run that did. */
static cJSON *efficiency(const nuri_audit_live *live, const nuri_audit_params *p) {
    long long tokens = 0;
    double ms = 0;
    if (live) nuri_audit_live_stats(live, &tokens, &ms);
    if (live && tokens == 0) {
        char path[4096], *data;
        size_t size;
        nuri_error ignored;
        snprintf(path, sizeof path, "%s/passport.json", p->output_dir);
        if (nuri_read_file(path, &data, &size, &ignored) == NURI_OK) {
            cJSON *old = cJSON_Parse(data);
            free(data);
            cJSON *e = cJSON_DetachItemFromObject(old, "efficiency");
            cJSON_Delete(old);
            if (cJSON_IsObject(e) && cJSON_GetObjectItem(e, "tokens_per_second")) return e;
            cJSON_Delete(e);
        }
    }
    return au_efficiency(live, p->n_threads);
}

nuri_status nuri_audit_run(const nuri_audit_model *m, const nuri_audit_live *live, const nuri_audit_params *p,
                           nuri_error *err) {
    if (!p || !p->probes_dir || !p->output_dir)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "audit: probes directory and output directory are required");
    if ((!m || !m->generate) && needs_model(p->only))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "audit: a model is required (only --only calibration runs without one)");
    bool calib = selected(p->only, "calibration");
    if (calib && p->only && !p->eval_dir)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "audit: calibration needs --eval DIR (a nuri eval output directory)");
    if (p->eval_dir && !calib)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "audit: --eval is given but --only leaves out calibration");
    char **names = NULL;
    int n_names = 0;
    nuri_status st = au_family_list(p->probes_dir, &names, &n_names, err);
    if (!st && p->only) st = check_only(p->only, names, n_names, p->canaries != NULL, err);
    /* The eval samples are read and checked first: a broken line leaves nothing written. */
    cJSON *calib_eval = NULL;
    if (!st && calib && p->eval_dir) st = au_eval_calibration(p->eval_dir, &calib_eval, err);
    if (!st && mkdir(p->output_dir, 0777) != 0 && errno != EEXIST)
        st = nuri_fail(err, NURI_ERR_IO, "%s: %s", p->output_dir, strerror(errno));
    if (calib_eval) au_eval_calibration_link(calib_eval, p->output_dir);
    /* Load every selected family first: a broken row fails before any model time is spent. */
    int n_fam = 0;
    au_family *fams = calloc((size_t)n_names + 1, sizeof *fams);
    if (!st && !fams) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    int k = p->sample_size > 0 ? p->sample_size : 20;
    for (int i = 0; !st && i < n_names; i++) {
        if (!selected(p->only, names[i])) continue;
        st = au_family_load(p->probes_dir, names[i], &fams[n_fam], err);
        if (!st) n_fam++;
    }
    if (!st && p->canaries && selected(p->only, "memorization")) {
        st = au_family_canaries(p->canaries, &fams[n_fam], err);
        if (!st) n_fam++;
    }
    for (int i = 0; !st && i < n_fam; i++)
        if (!p->full) au_family_sample(&fams[i], k, p->seed ^ (uint64_t)i * 0x9e3779b97f4a7c15ULL);
    cJSON *passport = cJSON_CreateObject(), *families = cJSON_CreateArray();
    cJSON_AddStringToObject(passport, "nuri_version", NURI_VERSION);
    const cJSON *eval_model = cJSON_GetObjectItem(calib_eval, "model");
    cJSON_AddStringToObject(passport, "model", p->model_path        ? p->model_path
                                               : eval_model && !m ? eval_model->valuestring
                                                                  : "");
    cJSON_AddNumberToObject(passport, "seed", (double)p->seed);
    cJSON_AddBoolToObject(passport, "full", p->full);
    cJSON_AddNumberToObject(passport, "sample_size", p->full ? -1 : k);
    cJSON_AddItemToObject(passport, "families", families);
    for (int i = 0; !st && i < n_fam; i++) st = run_family(m, p, &fams[i], families, err);
    if (!st && selected(p->only, "kobbq")) st = au_kobbq_run(m, p, passport, err);
    if (!st) st = au_classify_run(m, p, selected, passport, err);
    if (!st && selected(p->only, "korquad")) st = au_hallucination_run(m, p, passport, err);
    if (!st && calib_eval) {
        cJSON_AddItemToObject(passport, "calibration_eval", calib_eval);
        calib_eval = NULL;
    }
    if (!st) {
        cJSON *tox = cJSON_CreateObject();
        if (p->data_dir) {
            nuri_tox_counts c[3];
            nuri_error terr;
            if (nuri_audit_toxicity_measure(p->data_dir, c, &terr) == NURI_OK) {
                cJSON *sets = cJSON_AddArrayToObject(tox, "datasets");
                for (int i = 0; i < 3; i++) {
                    cJSON *d = cJSON_CreateObject();
                    double prec = c[i].tp + c[i].fp ? (double)c[i].tp / (double)(c[i].tp + c[i].fp) : 0;
                    double rec = c[i].tp + c[i].fn ? (double)c[i].tp / (double)(c[i].tp + c[i].fn) : 0;
                    cJSON_AddStringToObject(d, "name", c[i].name);
                    cJSON_AddNumberToObject(d, "tp", (double)c[i].tp);
                    cJSON_AddNumberToObject(d, "fp", (double)c[i].fp);
                    cJSON_AddNumberToObject(d, "fn", (double)c[i].fn);
                    cJSON_AddNumberToObject(d, "tn", (double)c[i].tn);
                    cJSON_AddNumberToObject(d, "precision", prec);
                    cJSON_AddNumberToObject(d, "recall", rec);
                    cJSON_AddNumberToObject(d, "f1", prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0);
                    cJSON_AddItemToArray(sets, d);
                }
            } else {
                cJSON_AddStringToObject(tox, "unavailable", terr.msg);
            }
        } else {
            cJSON_AddStringToObject(tox, "unavailable", "no data directory");
        }
        cJSON_AddItemToObject(passport, "toxicity_detector", tox);
        cJSON *eff = m ? efficiency(live, p) : au_efficiency(NULL, p->n_threads);
        if (!m) cJSON_ReplaceItemInObject(eff, "note", cJSON_CreateString("not measured: no model was run (calibration of nuri eval samples only)"));
        cJSON_AddItemToObject(passport, "efficiency", eff);
        cJSON_AddItemToObject(passport, "openness", au_openness(p->license, p->provenance));
        st = au_passport_write(p->output_dir, passport, err);
    }
    cJSON_Delete(passport);
    cJSON_Delete(calib_eval);
    for (int i = 0; i < n_fam; i++) au_family_free(&fams[i]);
    free(fams);
    for (int i = 0; i < n_names; i++) free(names[i]);
    free(names);
    return st;
}
