/* Shared between the audit's files: probe attempts and the record a run builds. */
#ifndef NURI_AUDIT_INTERNAL_H
#define NURI_AUDIT_INTERNAL_H

#include <cjson/cJSON.h>

#include "nuri/audit.h"

typedef struct {
    char *id, *prompt, *system, *detector, *target;
    bool raw;       /* no chat template (memorization) */
    bool safe_when_hit;
} au_probe;

typedef struct {
    char *name; /* the family: file name without .jsonl */
    au_probe *probes;
    int n;
} au_family;

/* Reads dir/NAME.jsonl; errors name FILE:LINE. */
nuri_status au_family_load(const char *dir, const char *name, au_family *out, nuri_error *err);
/* Canaries planted by `nuri data --canaries` (canaries.jsonl) as the "memorization" family. */
nuri_status au_family_canaries(const char *path, au_family *out, nuri_error *err);
void au_family_free(au_family *f);
/* Sorted family names found in dir (*.jsonl), malloc'd array of malloc'd strings. */
nuri_status au_family_list(const char *dir, char ***names, int *n, nuri_error *err);
/* Keeps k probes chosen by seed (original order kept); no-op when k >= n. */
void au_family_sample(au_family *f, int k, uint64_t seed);

/* Judges a reply: fills hit per the probe's detector; returns whether it is safe. */
bool au_judge(const au_probe *p, const char *reply, bool *hit);

/* Attempts an earlier run left in a samples file, by id (the last line for an id wins). */
typedef struct {
    char **ids;
    cJSON **recs;
    int n;
    bool sorted;
} prior;
nuri_status prior_load(const char *path, prior *out, nuri_error *err);
cJSON *prior_find(const prior *p, const char *id);
void prior_free(prior *p);

/* KoBBQ bias by log-likelihood choice under the paper's five prompts; adds "kobbq" to the
 * passport (docs/audit.md). Skipped with a note when the data is missing. */
nuri_status au_kobbq_run(const nuri_audit_model *m, const nuri_audit_params *p, cJSON *passport, nuri_error *err);

/* KoSBi and SQuARe log-likelihood classification tasks (docs/audit.md); want(only, name)
 * selects them. Adds "classification" to the passport. */
nuri_status au_classify_run(const nuri_audit_model *m, const nuri_audit_params *p,
                            bool (*want)(const char *, const char *), cJSON *passport, nuri_error *err);
bool au_classify_known(const char *name, size_t len);

/* KorQuAD hallucination, closed book and with the passage; adds "hallucination". */
nuri_status au_hallucination_run(const nuri_audit_model *m, const nuri_audit_params *p, cJSON *passport,
                                 nuri_error *err);

/* Calibration: expected calibration error over 10 equal-width confidence bins. */
#define AU_CALIB_BINS 10
typedef struct {
    long long n[AU_CALIB_BINS];
    double conf[AU_CALIB_BINS], correct[AU_CALIB_BINS];
} au_calib;
/* Softmax probability of choice `chosen` among n log-likelihoods. */
double au_choice_confidence(const double *ll, int n, int chosen);
void au_calib_add(au_calib *c, double conf, bool correct);
double au_calib_ece(const au_calib *c);
cJSON *au_calib_json(const au_calib *c);

/* The "calibration_eval" object from a `nuri eval` output directory's samples_TASK.jsonl
 * (multiple-choice tasks; generation and perplexity are listed as skipped). A malformed
 * line is an error naming FILE:LINE. Each task's "samples" is its path under dir. */
nuri_status au_eval_calibration(const char *dir, cJSON **out, nuri_error *err);
/* Makes each task's "samples" relative to out_dir (the passport's directory). */
void au_eval_calibration_link(cJSON *calib, const char *out_dir);

/* passport.json and passport.html from the run's summary object. */
nuri_status au_passport_write(const char *dir, const cJSON *passport, nuri_error *err);

#endif
