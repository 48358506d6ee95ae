/* nuri: a reproducible safety, privacy and efficiency audit of a model, in Korean.
 *
 * Probes follow the form garak made familiar: probe (a prompt from a JSON-lines file in audit/probes)
 * -> model -> detector -> score, and every attempt is kept as one JSON line in the
 * output directory, so a run can be read back, checked and resumed. The model is reached
 * through nuri_audit_model, a pair of callbacks: a real one drives a nuri_ctx with a chat
 * template, a scripted fake one answers from a file so that tests know every score in
 * advance. Formats and detectors: docs/audit.md. */
#ifndef NURI_AUDIT_H
#define NURI_AUDIT_H

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "nuri/model.h"
#include "nuri/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the model under audit ------------------------------------------------------ */

typedef struct {
    /* One chat turn: an optional system message, then the user message; raw skips the
     * chat template (for memorization probes that continue a training-text prefix).
     * *reply is malloc'd, NUL-terminated UTF-8; *n_tokens (may be NULL) the tokens made. */
    nuri_status (*generate)(void *user, const char *system, const char *prompt, bool raw,
                            char **reply, int *n_tokens, nuri_error *err);
    /* Log-likelihood of continuation after context (NULL when the model cannot score). */
    nuri_status (*loglik)(void *user, const char *context, const char *continuation, double *ll,
                          nuri_error *err);
    void *user;
} nuri_audit_model;

/* The fake: a JSON-lines file of rules {"contains": TEXT, "reply": TEXT} tried in order
 * against the system prompt and the prompt (the first whose text occurs wins; a rule
 * without "contains" matches everything) and rows {"continuation": X, "ll": V} with an
 * optional exact "context" or substring "contains" for loglik, also first match wins.
 * Nothing matching is NURI_ERR_NOT_FOUND. */
typedef struct nuri_audit_fake nuri_audit_fake;
nuri_status nuri_audit_fake_load(const char *path, nuri_audit_fake **out, nuri_error *err);
void nuri_audit_fake_free(nuri_audit_fake *f);
nuri_audit_model nuri_audit_fake_model(nuri_audit_fake *f);

/* The real thing: greedy generation of at most n_predict tokens on ctx, prompts rendered
 * with template_src (Jinja chat template text). Borrows everything it is given. */
typedef struct nuri_audit_live nuri_audit_live;
nuri_status nuri_audit_live_new(nuri_ctx *ctx, const nuri_tokenizer *tok, const char *template_src,
                                int n_predict, nuri_audit_live **out, nuri_error *err);
void nuri_audit_live_free(nuri_audit_live *l);
nuri_audit_model nuri_audit_live_model(nuri_audit_live *l);
/* Generation statistics so far (for the efficiency section). */
void nuri_audit_live_stats(const nuri_audit_live *l, long long *tokens, double *gen_ms);
/* Joules the CPU package used during generation, when RAPL (/sys/class/powercap) was
 * readable for every call; false otherwise. */
bool nuri_audit_live_energy(const nuri_audit_live *l, double *joules);

/* ---- detectors ------------------------------------------------------------------ */

/* Each returns true when the reply shows the thing it looks for. */
/* needle occurs in text, as is or after removing spaces, hyphens and dots from both and
 * folding ASCII case ("A12-34 56" is found in "a123456"). */
bool nuri_detect_canary(const char *text, const char *needle);
/* A Korean or English refusal phrase ("도와드릴 수 없", "I can't help", ...). */
bool nuri_detect_refusal(const char *text);
/* The injected instruction's marker (given by the probe) occurs, as nuri_detect_canary. */
bool nuri_detect_injection(const char *text, const char *marker);
/* Rules baseline: a Korean/English abusive-word or slur list; returns the number of hits. */
int nuri_detect_toxic(const char *text);

/* The toxicity detector against labeled data (kocohub hate or offensive, K-MHaS any label
 * but 8, APEACH Spoiled are toxic) in data_dir/hate-speech. */
typedef struct {
    const char *name;
    long long tp, fp, fn, tn;
} nuri_tox_counts;
nuri_status nuri_audit_toxicity_measure(const char *data_dir, nuri_tox_counts out[3],
                                        nuri_error *err);

/* ---- runs ----------------------------------------------------------------------- */

typedef struct {
    const char *probes_dir;   /* audit/probes */
    const char *output_dir;   /* created if missing; attempts_FAMILY.jsonl appended */
    const char *only;         /* comma-separated families; NULL: all */
    const char *canaries;     /* canaries.jsonl from `nuri data --canaries`; NULL: none */
    const char *data_dir;     /* ../shared/data/eval, for the toxicity measurement; NULL: skip */
    const char *model_path;   /* recorded */
    const char *license;      /* from the GGUF or --license; NULL: unknown */
    const char *provenance;   /* URL or file naming data and training provenance; NULL: none */
    const char *eval_dir;     /* a `nuri eval` output directory: calibration of its samples; NULL: none */
    bool full;                /* every prompt; else at most sample_size per family */
    int sample_size;          /* 0: 20 */
    /* The defaults keep a default audit of a 135M-270M model under about 45 minutes on 2
     * threads (measured: 10 and 23 minutes, docs/audit.md). */
    int kobbq_items;          /* KoBBQ items when not full; 0: 24 */
    int cls_items;            /* KoSBi / SQuARe items per task when not full; 0: 100 */
    int qa_items;             /* KorQuAD questions when not full; 0: 20 */
    uint64_t seed;
    int n_threads;            /* recorded, and for the energy estimate */
    void (*progress)(void *user, const char *family, int done, int total);
    void *user;
    const volatile sig_atomic_t *cancel;
} nuri_audit_params;

/* Runs every selected probe family, appending attempts as it goes (attempts already in the
 * output directory are read back and kept), then writes passport.json and passport.html.
 * live (may be NULL) supplies efficiency numbers. m may be NULL when only "calibration"
 * (of eval_dir's samples) is selected: it needs no model. */
nuri_status nuri_audit_run(const nuri_audit_model *m, const nuri_audit_live *live,
                           const nuri_audit_params *p, nuri_error *err);

/* Is the SPDX identifier in the embedded OSI-approved list (docs/audit.md)? */
bool nuri_license_osi_approved(const char *spdx);

/* Prints two passports side by side (plain text) to out. */
nuri_status nuri_audit_compare(const char *dir1, const char *dir2, FILE *out, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
